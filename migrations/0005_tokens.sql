-- Tokens (xAED, xUSD, ...) backed 1:1 by fiat on client_funds accounts. `tokens` is the balance per
-- participant and currency (a read model of the token ledger actors); `token_operations` the
-- history. The backing rule itself is enforced by the token actor before its event is journaled.

CREATE TABLE tokens (
  bic        text        NOT NULL REFERENCES participants (bic),
  currency   char(3)     NOT NULL,
  -- A burn that would go negative is refused: the CHECK says so a second time.
  balance    numeric     NOT NULL DEFAULT 0 CHECK (balance >= 0),
  updated_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (bic, currency)
);
COMMENT ON TABLE tokens IS 'Tokens outstanding per participant and fiat currency (token xAED = currency AED).';

CREATE TABLE token_operations (
  id             uuid        PRIMARY KEY DEFAULT gen_random_uuid(),
  operation      text        NOT NULL CHECK (operation IN ('MINT', 'BURN', 'TRANSFER', 'CONVERT')),
  -- NULL on the side that does not exist: a mint has no sender, a burn no receiver.
  from_bic       text        REFERENCES participants (bic),
  to_bic         text        REFERENCES participants (bic),
  amount         numeric     NOT NULL CHECK (amount > 0),
  currency       char(3)     NOT NULL,
  -- A conversion's second leg, at the stored rate it used (both legs are one event).
  to_amount      numeric     CHECK (to_amount > 0),
  to_currency    char(3),
  fx_rate_id     bigint      REFERENCES fx_rates (id),
  -- What allowed it: the booked credit behind a mint, the operator, the settlement...
  reason         text        NOT NULL,
  source_message text        NOT NULL,
  created_at     timestamptz NOT NULL DEFAULT now(),
  CONSTRAINT token_operations_source_operation_key UNIQUE (source_message, operation),
  CHECK ((operation = 'MINT' AND from_bic IS NULL AND to_bic IS NOT NULL)
      OR (operation = 'BURN' AND from_bic IS NOT NULL AND to_bic IS NULL)
      OR (operation IN ('TRANSFER', 'CONVERT') AND from_bic IS NOT NULL AND to_bic IS NOT NULL)),
  CHECK ((operation = 'CONVERT') = (to_amount IS NOT NULL AND to_currency IS NOT NULL AND fx_rate_id IS NOT NULL))
);
COMMENT ON TABLE token_operations IS 'Every mint, burn, transfer and conversion, with what justified it.';
CREATE INDEX token_operations_currency_created_idx ON token_operations (currency, created_at);
