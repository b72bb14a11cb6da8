-- Tier 3 and the discrepancy records (issue 4).
--
-- reconciliation_discrepancies becomes a projection of the account events (adapters/db/
-- reconciliation-records.ts): every row comes from one journaled event, named by `source_key`
-- (`<actor>:<seq>:<index>`), so a replay or the start-up catch-up inserts nothing twice. The
-- directory row (account_id) is optional: an account opened without POST /api/v1/accounts (a
-- statement for it still reconciles) is named by its actor id.

ALTER TABLE reconciliation_discrepancies DROP CONSTRAINT reconciliation_discrepancies_discrepancy_type_check;
ALTER TABLE reconciliation_discrepancies ADD CONSTRAINT reconciliation_discrepancies_discrepancy_type_check
  CHECK (discrepancy_type IN ('BALANCE_MISMATCH', 'MISSING_TXN', 'DUPLICATE_TXN', 'AMOUNT_MISMATCH', 'SEQUENCE_GAP'));
-- A SEQUENCE_GAP has no amounts; a MISSING_TXN has one side only.
ALTER TABLE reconciliation_discrepancies ALTER COLUMN expected_amount DROP NOT NULL;
ALTER TABLE reconciliation_discrepancies ALTER COLUMN actual_amount DROP NOT NULL;
ALTER TABLE reconciliation_discrepancies ALTER COLUMN difference DROP NOT NULL;
ALTER TABLE reconciliation_discrepancies ALTER COLUMN account_id DROP NOT NULL;
ALTER TABLE reconciliation_discrepancies
  ADD COLUMN source_key text,
  ADD COLUMN actor      text,
  ADD COLUMN currency   char(3),
  ADD COLUMN tier       smallint CHECK (tier IN (1, 2, 3)),
  ADD COLUMN severity   text CHECK (severity IN ('MINOR', 'SIGNIFICANT', 'CRITICAL')),
  ADD COLUMN detail     text,
  ADD COLUMN statement_id text,
  ADD COLUMN updated_at timestamptz NOT NULL DEFAULT now();
ALTER TABLE reconciliation_discrepancies ADD CONSTRAINT reconciliation_discrepancies_source_key_key UNIQUE (source_key);
CREATE INDEX reconciliation_discrepancies_status_severity_idx ON reconciliation_discrepancies (status, severity, detected_at);
COMMENT ON COLUMN reconciliation_discrepancies.source_key IS
  'The journal event it comes from, <actor>:<seq>:<index>; unique, so projecting an event twice inserts nothing.';

-- Every lifecycle step (DETECTED, then INVESTIGATE/RESOLVE/ESCALATE) with who, when and a note;
-- the row's status is the latest step's, kept beside it for filtering.
CREATE TABLE reconciliation_discrepancy_events (
  id             bigserial   PRIMARY KEY,
  discrepancy_id uuid        NOT NULL REFERENCES reconciliation_discrepancies (id),
  at             timestamptz NOT NULL DEFAULT now(),
  -- Who took the step: an operator's name, or 'deltran' for the detection.
  actor          text        NOT NULL,
  action         text        NOT NULL CHECK (action IN ('DETECTED', 'INVESTIGATE', 'RESOLVE', 'ESCALATE')),
  from_status    text,
  to_status      text        NOT NULL,
  note           text
);
CREATE INDEX reconciliation_discrepancy_events_discrepancy_idx ON reconciliation_discrepancy_events (discrepancy_id, id);
COMMENT ON TABLE reconciliation_discrepancy_events IS 'The lifecycle of each discrepancy: who, when, what, why.';

-- The start-up catch-up pages through the events that can yield a discrepancy: statements, and
-- checks at Minor or worse. Partial, so the appends of other events pay nothing for it.
CREATE INDEX journal_reconciliation_idx ON journal (actor, seq)
  WHERE type = 'StatementReconciled' OR (payload -> 'check' ->> 'level') IN ('Minor', 'Significant', 'Critical');

-- Tier 3's entry matching reads what tier 1 booked for one account on the statement's days.
CREATE INDEX journal_booked_day_idx ON journal (actor, (substr(payload -> 'entry' ->> 'bookingDate', 1, 10)))
  WHERE type IN ('BankEntryBooked', 'PayInMatched');
