-- Reference data the actors consult: who takes part in the rail, and the FX rates used to convert
-- tokens. Money is `numeric` without a scale limit (exact; the scale is the currency's business),
-- currencies are ISO 4217 char(3), times are timestamptz.

-- A bank or EMI, identified by its BIC (8 or 11 characters) as in the messages it sends.
CREATE TABLE participants (
  bic                text        PRIMARY KEY CHECK (bic ~ '^[A-Z0-9]{8}([A-Z0-9]{3})?$'),
  name               text        NOT NULL,
  country            char(2)     NOT NULL,
  settlement_account text,
  status             text        NOT NULL DEFAULT 'ACTIVE' CHECK (status IN ('ACTIVE', 'SUSPENDED', 'CLOSED')),
  created_at         timestamptz NOT NULL DEFAULT now(),
  updated_at         timestamptz NOT NULL DEFAULT now()
);
COMMENT ON TABLE participants IS 'Banks and EMIs on the rail, keyed by BIC.';

-- Debit caps per currency as rows rather than jsonb: a cap is checked per (participant, currency)
-- and must be an exact, non-negative amount, which a CHECK can hold and a JSON blob cannot.
CREATE TABLE participant_debit_caps (
  bic        text        NOT NULL REFERENCES participants (bic) ON DELETE CASCADE,
  currency   char(3)     NOT NULL,
  cap        numeric     NOT NULL CHECK (cap >= 0),
  updated_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (bic, currency)
);
COMMENT ON TABLE participant_debit_caps IS 'Most a participant may owe in a currency within one clearing window.';

-- Historical, never overwritten: a conversion must be explainable later from the rate it used,
-- so a correction is a new row (another source or day), not an UPDATE.
CREATE TABLE fx_rates (
  id          bigserial   PRIMARY KEY,
  base        char(3)     NOT NULL,
  quote       char(3)     NOT NULL,
  rate        numeric     NOT NULL CHECK (rate > 0),
  as_of       date        NOT NULL,
  source      text        NOT NULL,
  recorded_at timestamptz NOT NULL DEFAULT now(),
  CHECK (base <> quote),
  CONSTRAINT fx_rates_base_quote_as_of_source_key UNIQUE (base, quote, as_of, source)
);
COMMENT ON TABLE fx_rates IS 'FX rate history: 1 base = rate quote, per day and source; rows are never updated.';
COMMENT ON COLUMN fx_rates.rate IS 'Exact decimal as received; never rounded on the way in.';
