// The account state as JSON, for snapshots and for comparing a replayed state with the live one.
// The unopened and open shapes are told apart by `status`.

import { appliedWindowCodec } from '../applied.ts';
import { breakerCodec } from '../breaker.ts';
import { array, decimal, defaulted, integer, literal, map, nullable, object, text, type Codec } from '../codec.ts';
import { accountRefCodec, bankEntryCodec, expectedPayInCodec } from './events.ts';
import {
  ACCOUNT_TYPES, type AccountLimits, type AccountState, type BookedTotals, type OpenAccount, type StatementLinkState, type UnopenedAccount,
} from './model.ts';

const statementLinkCodec: Codec<StatementLinkState> = object<StatementLinkState>({ id: text, date: text, sequence: nullable(text), closing: decimal });

const limitsCodec: Codec<AccountLimits> = object<AccountLimits>({
  appliedIdsMax: integer,
  pendingEntriesMax: integer,
  recentBookedMax: integer,
  expectedPayInsMax: integer,
  reservationsMax: integer,
});

const bookedCodec: Codec<BookedTotals> = object<BookedTotals>({
  creditCount: integer, creditSum: decimal, debitCount: integer, debitSum: decimal,
});

const unopenedCodec: Codec<UnopenedAccount> = object<UnopenedAccount>({
  status: literal('unopened'), limits: limitsCodec, applied: appliedWindowCodec,
});

const openCodec: Codec<OpenAccount> = object<OpenAccount>({
  status: literal('open'),
  limits: limitsCodec,
  applied: appliedWindowCodec,
  ref: accountRefCodec,
  type: literal(...ACCOUNT_TYPES),
  ledger: decimal,
  bank: decimal,
  reserved: decimal,
  reservations: map(decimal),
  pending: map(bankEntryCodec),
  pendingDropped: integer,
  booked: bookedCodec,
  recentBooked: array(bankEntryCodec),
  expected: map(expectedPayInCodec),
  reconciliation: literal('UNCHECKED', 'OK', 'MINOR', 'SIGNIFICANT', 'CRITICAL'),
  breaker: breakerCodec,
  statement: defaulted(nullable(statementLinkCodec), null),
});

export const accountStateCodec: Codec<AccountState> = {
  encode: (s) => (s.status === 'open' ? openCodec.encode(s) : unopenedCodec.encode(s)),
  decode: (j, p = '') => {
    const status = typeof j === 'object' && j !== null ? (j as { status?: unknown }).status : undefined;
    return status === 'open' ? openCodec.decode(j, p) : unopenedCodec.decode(j, p);
  },
};
