// The journal reads of tier 3: what tier 1 booked for one account on a statement's days, for the
// entry matching (streams/ingest/statement.ts). Read from the journal, the source of truth, never
// from a read model that could lag it; bounded by the functional index of migration 0007 (account,
// booking day), so a statement costs its own days' bookings whatever the account's history.
//
// The day is the first ten characters of the booking date as the bank sent it (a date, or a
// date-time in the bank's local time), as statement-match.ts compares them. A booking without a
// date cannot be placed on a statement's day and is not returned.

import { accountEventCodec, type BankEntryBooked, type PayInMatched, type StatementReconciled } from '../../actors/account/events.ts';
import type { BankEntry } from '../../actors/account/model.ts';
import { fromJournal } from '../../actors/journal-form.ts';
import type { RecordedEntriesPort } from '../../streams/ingest/statement.ts';
import type { Queryable } from './database.ts';

/** Bookings per statement read at most; a statement day beyond it is refused rather than half matched. */
export const RECORDED_ROWS_MAX = 200_000;

export class JournalRecordedEntries implements RecordedEntriesPort {
  constructor(private readonly db: Queryable) {}

  async recorded(accountId: string, from: string, to: string): Promise<readonly BankEntry[]> {
    const { rows } = await this.db.query<{ type: string; message_id: string; payload: unknown }>(
      `SELECT type, message_id, payload FROM journal
       WHERE actor = $1 AND type IN ('BankEntryBooked', 'PayInMatched')
         AND substr(payload -> 'entry' ->> 'bookingDate', 1, 10) BETWEEN $2 AND $3
       ORDER BY seq LIMIT ${RECORDED_ROWS_MAX + 1}`,
      [accountId, from, to],
    );
    if (rows.length > RECORDED_ROWS_MAX) throw new Error(`more than ${RECORDED_ROWS_MAX} bookings of ${accountId} from ${from} to ${to}`);
    return rows.map((r) => (fromJournal(accountEventCodec, { type: r.type, messageId: r.message_id, payload: r.payload }) as BankEntryBooked | PayInMatched).entry);
  }
}

/** The StatementReconciled an account journaled under `messageId` (the EOD answer of a duplicate). */
export async function journaledStatement(db: Queryable, accountId: string, messageId: string): Promise<{ readonly seq: number; readonly event: StatementReconciled } | null> {
  const { rows } = await db.query<{ seq: string; type: string; message_id: string; payload: unknown }>(
    `SELECT seq::text AS seq, type, message_id, payload FROM journal WHERE actor = $1 AND message_id = $2 AND type = 'StatementReconciled'`,
    [accountId, messageId],
  );
  const r = rows[0];
  if (r === undefined) return null;
  return { seq: Number(r.seq), event: fromJournal(accountEventCodec, { type: r.type, messageId: r.message_id, payload: r.payload }) as StatementReconciled };
}
