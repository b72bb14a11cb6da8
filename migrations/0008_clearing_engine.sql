-- The clearing engine (issue 5) over the read models of 0004. One window id scheme everywhere:
-- schedule.ts's `W20261201T0600Z`, kept in clearing_windows.name (already unique); the bigserial id
-- stays the tables' internal key. The truth is the journal (window actors `window:<id>`, corridor
-- ObligationsBatched events); these tables are written from it and caught up after a crash.

-- The window lifecycle of the engine: OPEN → CLOSING → NETTING → SETTLING → COMPLETED | FAILED.
ALTER TABLE clearing_windows DROP CONSTRAINT clearing_windows_status_check;
ALTER TABLE clearing_windows ADD CONSTRAINT clearing_windows_status_check CHECK (status IN
  ('SCHEDULED', 'OPEN', 'CLOSING', 'CLOSED', 'NETTING', 'PROCESSING', 'SETTLING', 'COMPLETED', 'FAILED', 'ROLLED_BACK'));
ALTER TABLE clearing_windows
  -- Per currency {gross, bilateral_net, multilateral_net, efficiency, obligations, instructions}, decimal strings.
  ADD COLUMN metrics jsonb NOT NULL DEFAULT '{}'::jsonb,
  -- Obligations rolled to the next window: [{id, payer, payee, currency, amount, reason, participant, shortfall}].
  ADD COLUMN excluded jsonb NOT NULL DEFAULT '[]'::jsonb,
  ADD COLUMN failure text,
  -- Every obligation of the window is in `obligations` (their ids then answer duplicates from there).
  ADD COLUMN obligations_projected boolean NOT NULL DEFAULT false;

-- Instructions are named by the engine (`W20261201T0600Z-USD-1`: a re-planned window names the same
-- ones); RETRY_NEXT_WINDOW is a final status of the engine's.
ALTER TABLE settlement_instructions ADD COLUMN instruction_key text UNIQUE;
ALTER TABLE settlement_instructions DROP CONSTRAINT settlement_instructions_status_check;
ALTER TABLE settlement_instructions ADD CONSTRAINT settlement_instructions_status_check CHECK (status IN
  ('PENDING', 'SENT', 'CONFIRMED', 'FAILED', 'CANCELLED', 'RETRY_NEXT_WINDOW'));

-- A clearing window's netting input: the ObligationsBatched events naming it (after a restart,
-- the open windows' books are refilled and NETTING is redone from these rows only).
CREATE INDEX journal_obligations_batched_window_idx ON journal ((payload ->> 'window'))
  WHERE type = 'ObligationsBatched';
