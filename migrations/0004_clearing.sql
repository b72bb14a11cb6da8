-- Clearing: obligations accepted in a window, the net positions computed when it closes, and the
-- settlement instructions that pay them. One window-id scheme (bigserial), unlike the seed's three.

CREATE TABLE clearing_windows (
  id                   bigserial   PRIMARY KEY,
  name                 text        NOT NULL UNIQUE,
  region               text        NOT NULL DEFAULT 'Global',
  start_time           timestamptz NOT NULL,
  end_time             timestamptz NOT NULL,
  cutoff_time          timestamptz NOT NULL,
  grace_period_seconds integer     NOT NULL DEFAULT 1800 CHECK (grace_period_seconds >= 0),
  status               text        NOT NULL DEFAULT 'SCHEDULED' CHECK (status IN
                         ('SCHEDULED', 'OPEN', 'CLOSING', 'CLOSED', 'PROCESSING', 'SETTLING', 'COMPLETED', 'FAILED', 'ROLLED_BACK')),
  obligations_count    integer     NOT NULL DEFAULT 0,
  -- Per currency ({"EUR": "1200.50"}): the seed summed gross values across currencies, which
  -- means nothing; decimal strings because jsonb numbers are read back as JS numbers.
  gross_by_currency    jsonb       NOT NULL DEFAULT '{}'::jsonb,
  net_by_currency      jsonb       NOT NULL DEFAULT '{}'::jsonb,
  closed_at            timestamptz,
  completed_at         timestamptz,
  CHECK (start_time < end_time AND cutoff_time <= end_time)
);
COMMENT ON TABLE clearing_windows IS 'Clearing windows and their lifecycle; totals per currency as decimal strings.';

CREATE TABLE obligations (
  id             uuid        PRIMARY KEY DEFAULT gen_random_uuid(),
  window_id      bigint      REFERENCES clearing_windows (id),
  payer_bic      text        NOT NULL REFERENCES participants (bic),
  payee_bic      text        NOT NULL REFERENCES participants (bic),
  amount         numeric     NOT NULL CHECK (amount > 0),
  currency       char(3)     NOT NULL,
  -- The message that created it (pacs.008 TxId/UETR...), unique so a replay adds nothing.
  source_message text        NOT NULL UNIQUE,
  uetr           uuid,
  end_to_end_id  text,
  status         text        NOT NULL DEFAULT 'PENDING' CHECK (status IN
                   ('PENDING', 'VALIDATED', 'CLEARING', 'NETTED', 'READY_FOR_SETTLE', 'EXECUTING', 'SETTLED', 'FAILED', 'CANCELLED', 'EXPIRED')),
  created_at     timestamptz NOT NULL DEFAULT now(),
  CHECK (payer_bic <> payee_bic)
);
COMMENT ON TABLE obligations IS 'Amounts one participant owes another, gathered per clearing window.';
CREATE INDEX obligations_window_status_idx ON obligations (window_id, status);

-- Multilateral: one position per participant and currency (negative = owes), not per pair as in
-- the seed's clearing engine; the positions of a window sum to zero per currency.
CREATE TABLE net_positions (
  window_id   bigint      NOT NULL REFERENCES clearing_windows (id),
  bic         text        NOT NULL REFERENCES participants (bic),
  currency    char(3)     NOT NULL,
  gross_out   numeric     NOT NULL DEFAULT 0 CHECK (gross_out >= 0),
  gross_in    numeric     NOT NULL DEFAULT 0 CHECK (gross_in >= 0),
  net         numeric     NOT NULL,
  computed_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (window_id, bic, currency),
  CHECK (net = gross_in - gross_out)
);
COMMENT ON TABLE net_positions IS 'Net position per participant and currency at the close of a window (sums to zero per currency).';

CREATE TABLE settlement_instructions (
  id                   uuid        PRIMARY KEY DEFAULT gen_random_uuid(),
  window_id            bigint      NOT NULL REFERENCES clearing_windows (id),
  payer_bic            text        NOT NULL REFERENCES participants (bic),
  payee_bic            text        NOT NULL REFERENCES participants (bic),
  amount               numeric     NOT NULL CHECK (amount > 0),
  currency             char(3)     NOT NULL,
  instruction_type     text        NOT NULL DEFAULT 'NET_SETTLEMENT',
  status               text        NOT NULL DEFAULT 'PENDING' CHECK (status IN
                         ('PENDING', 'SENT', 'CONFIRMED', 'FAILED', 'CANCELLED')),
  -- The pacs.009/pacs.008 deltran sent for it, to match the bank's confirmation.
  message_id           text        UNIQUE,
  uetr                 uuid        UNIQUE,
  deadline             timestamptz,
  retry_count          integer     NOT NULL DEFAULT 0,
  external_reference   text,
  created_at           timestamptz NOT NULL DEFAULT now(),
  updated_at           timestamptz NOT NULL DEFAULT now(),
  CHECK (payer_bic <> payee_bic)
);
COMMENT ON TABLE settlement_instructions IS 'Payments that settle a window''s net positions, and their delivery status.';
CREATE INDEX settlement_instructions_window_idx ON settlement_instructions (window_id);
