// The documents the mock bank writes from its books: one camt.054 per booking on an account
// deltran holds, and the camt.053 of a closed day. Both are derived from the booking log only, so
// a notification, a statement and a balance can never tell three different stories unless a fault
// is injected on purpose. Identifiers are deterministic (booking sequence; account and day): a
// statement asked for twice is the same bytes, which ingestion then recognises as the same entries.

import { createHash } from 'node:crypto';
import { writeCamt054, type Camt054Entry } from '../../streams/iso20022/writers/camt054.ts';
import { writeCamt053 } from './camt053.ts';
import type { AccountBook, Booking, Books } from './books.ts';
import type { BankNotification } from './client.ts';

const DAY_MS = 86_400_000;

function asEntry(b: Booking): Camt054Entry {
  return {
    amount: b.amount,
    currency: b.account.currency,
    direction: b.direction,
    status: 'BOOK',
    bookingDate: b.bookingDate,
    valueDate: b.bookingDate,
    accountServicerReference: b.accountServicerReference,
    ...(b.endToEndId === undefined ? {} : { endToEndId: b.endToEndId }),
    ...(b.uetr === undefined ? {} : { uetr: b.uetr }),
    bankTransactionCode: b.code,
  };
}

/** The camt.054 of one booking. Its input was checked when the account was opened and the booking made. */
export function notificationOf(prefix: string, b: Booking, nowMs: number): BankNotification {
  const messageId = `${prefix}N${String(b.seq).padStart(10, '0')}`;
  const w = writeCamt054({
    messageId,
    creationDateTime: isoSeconds(nowMs),
    notificationId: messageId,
    account: b.account,
    entries: [asEntry(b)],
  });
  if (!w.ok) throw new Error(`mock bank: camt.054 of booking ${b.seq} refused, a bug in the bank's checks: ${JSON.stringify(w.errors)}`);
  return { account: b.account, messageId, xml: w.xml };
}

/**
 * The camt.053 of `date` for one account. ElctrncSeqNb counts days from the opening day (statement
 * 1 is of that day), so statements of consecutive days have consecutive numbers whatever order they
 * are asked in; a day without bookings still has its statement. Created at the close of the day,
 * 00:00 UTC the next day.
 */
export function statementOf(prefix: string, books: Books, account: AccountBook, date: string): string {
  const { opening, bookings, closing } = books.day(account, date);
  const day = Date.parse(`${date}T00:00:00Z`);
  const sequence = Math.round((day - Date.parse(`${account.openedOn}T00:00:00Z`)) / DAY_MS) + 1;
  const compact = date.replaceAll('-', '');
  const hash = createHash('sha256').update(account.key).digest('hex').slice(0, 8);
  const w = writeCamt053({
    messageId: `${prefix}S${compact}-${hash}`,
    creationDateTime: isoSeconds(day + DAY_MS),
    statementId: `${compact}-${sequence}`,
    electronicSequenceNumber: sequence,
    period: { from: `${date}T00:00:00Z`, to: `${date}T23:59:59Z` },
    account: account.ref,
    opening: { amount: opening, date },
    closing: { amount: closing, date },
    entries: bookings.map(asEntry),
  });
  if (!w.ok) throw new Error(`mock bank: camt.053 of ${account.key} ${date} refused, a bug in the bank's books: ${JSON.stringify(w.errors)}`);
  return w.xml;
}

export function isoSeconds(ms: number): string {
  return new Date(ms).toISOString().slice(0, 19) + 'Z';
}
