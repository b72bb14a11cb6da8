-- Partial indexes for the token wiring's start-up reads of the journal (adapters/db/token-queries.ts).
-- The journal's only index is (actor, seq), so "every client_funds account", "the last statement
-- balance of an account" and "every matched pay-in" would each read the whole journal. These
-- indexes hold only the rows they name, so appends of other events pay nothing for them.

-- The backing figure: which accounts are client_funds (the opening event says so, seq 1).
CREATE INDEX journal_client_funds_opened_idx ON journal (actor)
  WHERE type = 'AccountOpened' AND (payload ->> 'accountType') = 'client_funds';

-- The backing figure: an account's last statement balance (BankBalanceSet replaces the figure).
CREATE INDEX journal_bank_balance_set_idx ON journal (actor, seq) WHERE type = 'BankBalanceSet';

-- The pay-in outbox: matched pay-ins, scanned in (actor, seq) order for a missing mint.
CREATE INDEX journal_pay_in_matched_idx ON journal (actor, seq) WHERE type = 'PayInMatched';
