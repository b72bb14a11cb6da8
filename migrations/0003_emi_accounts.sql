-- The seed system's EMI account tables, kept as read models of the account actors (the journal is
-- the truth; these are what reports and the API list from). Balances are numeric, exact.

CREATE TABLE emi_accounts (
  id                        uuid        PRIMARY KEY DEFAULT gen_random_uuid(),
  bank_id                   text        NOT NULL,
  account_number            text        NOT NULL,
  iban                      text,
  swift_bic                 text,
  currency                  char(3)     NOT NULL,
  country_code              char(2)     NOT NULL,
  account_type              text        NOT NULL CHECK (account_type IN ('client_funds', 'settlement', 'fee', 'reserve_buffer')),
  -- What deltran's books say, and what the bank last said: reconciliation compares the two.
  ledger_balance            numeric     NOT NULL DEFAULT 0 CHECK (ledger_balance >= 0),
  bank_reported_balance     numeric     NOT NULL DEFAULT 0,
  reserved_balance          numeric     NOT NULL DEFAULT 0 CHECK (reserved_balance >= 0),
  available_balance         numeric     GENERATED ALWAYS AS (ledger_balance - reserved_balance) STORED,
  last_reconciliation_at    timestamptz,
  reconciliation_status     text        NOT NULL DEFAULT 'PENDING'
                                        CHECK (reconciliation_status IN ('PENDING', 'OK', 'MINOR', 'SIGNIFICANT', 'CRITICAL')),
  reconciliation_source     text,
  reconciliation_difference numeric,
  -- A first-class column, not a jsonb flag as in the seed: payouts must be able to check it.
  circuit_breaker_active    boolean     NOT NULL DEFAULT false,
  metadata                  jsonb       NOT NULL DEFAULT '{}'::jsonb,
  created_at                timestamptz NOT NULL DEFAULT now(),
  updated_at                timestamptz NOT NULL DEFAULT now(),
  CONSTRAINT emi_accounts_bank_account_currency_key UNIQUE (bank_id, account_number, currency)
);
COMMENT ON TABLE emi_accounts IS 'EMI safeguarding/settlement accounts at banks; a read model of the account actors.';
CREATE UNIQUE INDEX emi_accounts_iban_currency_key ON emi_accounts (iban, currency) WHERE iban IS NOT NULL;

-- End-of-day picture per account (camt.053), one row per day; a re-sent statement replaces it.
CREATE TABLE emi_account_snapshots (
  id                    uuid        PRIMARY KEY DEFAULT gen_random_uuid(),
  account_id            uuid        NOT NULL REFERENCES emi_accounts (id),
  snapshot_date         date        NOT NULL,
  ledger_balance        numeric     NOT NULL,
  bank_reported_balance numeric     NOT NULL,
  reserved_balance      numeric     NOT NULL DEFAULT 0,
  available_balance     numeric     NOT NULL,
  difference            numeric     NOT NULL,
  reconciled            boolean     NOT NULL,
  statement_reference   text,
  snapshot_data         jsonb       NOT NULL DEFAULT '{}'::jsonb,
  created_at            timestamptz NOT NULL DEFAULT now(),
  CONSTRAINT emi_account_snapshots_account_date_key UNIQUE (account_id, snapshot_date)
);
COMMENT ON TABLE emi_account_snapshots IS 'Daily reconciled balances per EMI account (from camt.053).';

-- Bookings on an EMI account. The amount is positive; the sign is the direction, as in
-- ISO 20022's CdtDbtInd, so a reversal never hides behind a minus.
CREATE TABLE emi_transactions (
  id                     uuid        PRIMARY KEY DEFAULT gen_random_uuid(),
  account_id             uuid        NOT NULL REFERENCES emi_accounts (id),
  transaction_type       text        NOT NULL,
  direction              text        NOT NULL CHECK (direction IN ('CRDT', 'DBIT')),
  amount                 numeric     NOT NULL CHECK (amount > 0),
  currency               char(3)     NOT NULL,
  balance_before         numeric     NOT NULL,
  balance_after          numeric     NOT NULL,
  related_transaction_id uuid,
  related_settlement_id  uuid,
  bank_reference         text,
  end_to_end_id          text,
  uetr                   uuid,
  iso_message_type       text,
  iso_message_id         text,
  status                 text        NOT NULL DEFAULT 'BOOKED' CHECK (status IN ('PENDING', 'BOOKED', 'REVERSED')),
  booking_date           date,
  value_date             date,
  created_at             timestamptz NOT NULL DEFAULT now()
);
COMMENT ON TABLE emi_transactions IS 'Bookings per EMI account; amount > 0, direction carries the sign.';
CREATE INDEX emi_transactions_account_created_idx ON emi_transactions (account_id, created_at);
-- Entry matching looks up by UETR and by EndToEndId (the seed matched pay-ins that way).
CREATE INDEX emi_transactions_uetr_idx ON emi_transactions (uetr) WHERE uetr IS NOT NULL;
CREATE INDEX emi_transactions_end_to_end_idx ON emi_transactions (end_to_end_id) WHERE end_to_end_id IS NOT NULL;

CREATE TABLE reconciliation_discrepancies (
  id                 uuid        PRIMARY KEY DEFAULT gen_random_uuid(),
  account_id         uuid        NOT NULL REFERENCES emi_accounts (id),
  discrepancy_type   text        NOT NULL CHECK (discrepancy_type IN ('BALANCE_MISMATCH', 'MISSING_TXN', 'DUPLICATE_TXN', 'AMOUNT_MISMATCH')),
  expected_amount    numeric     NOT NULL,
  actual_amount      numeric     NOT NULL,
  difference         numeric     NOT NULL,
  threshold_type     text,
  threshold_value    numeric,
  threshold_exceeded text        CHECK (threshold_exceeded IN ('MINOR', 'SIGNIFICANT', 'CRITICAL')),
  status             text        NOT NULL DEFAULT 'OPEN' CHECK (status IN ('OPEN', 'INVESTIGATING', 'RESOLVED', 'ESCALATED')),
  source_system      text,
  source_reference   text,
  detected_at        timestamptz NOT NULL DEFAULT now(),
  resolved_at        timestamptz,
  resolution_notes   text
);
COMMENT ON TABLE reconciliation_discrepancies IS 'Ledger vs bank differences found by reconciliation, with their lifecycle.';
-- "Open" (OPEN or INVESTIGATING) discrepancies per account drive the health endpoint.
CREATE INDEX reconciliation_discrepancies_open_idx ON reconciliation_discrepancies (account_id)
  WHERE status IN ('OPEN', 'INVESTIGATING');
