// What happened to an account, as journaled. One accepted command yields exactly one event: the
// journal's message identity is unique per actor, so a command cannot journal two events under
// the same id. That is why a booked credit matching an expected pay-in is one `PayInMatched`
// (it books the entry, credits the ledger and consumes the expectation) rather than a
// `BankEntryBooked` followed by a match.

import type BigNumber from 'bignumber.js';
import { array, boolean, decimal, defaulted, integer, literal, nullable, object, tagged, text, type Codec } from '../codec.ts';
import type { StatementDiscrepancy } from './commands.ts';
import { ZERO } from '../money.ts';
import type { AccountRef, AccountType, BankEntry, ExpectedPayIn, MatchMethod } from './model.ts';
import { ACCOUNT_TYPES } from './model.ts';
import { optionalCheckCodec, reconciliationCheckCodec, type ReconciliationCheck } from './reconciliation.ts';

export interface AccountOpened {
  readonly type: 'AccountOpened';
  readonly messageId: string;
  readonly ref: AccountRef;
  readonly accountType: AccountType;
  readonly ledger: BigNumber;
  readonly bank: BigNumber;
}
export interface BankEntryPending {
  readonly type: 'BankEntryPending';
  readonly messageId: string;
  readonly entry: BankEntry;
}
export interface BankEntryBooked {
  readonly type: 'BankEntryBooked';
  readonly messageId: string;
  readonly entry: BankEntry;
  /**
   * False when the booking is already inside the last reconciled statement's closing balance
   * (a camt.054 arriving after the camt.053 of its day): recorded, the bank figure unchanged.
   */
  readonly bankMoved: boolean;
  /** Tier 1, when the booking changed the reconciliation level (account/reconciliation.ts). */
  readonly check: ReconciliationCheck | null;
}
/**
 * A booked credit that matched an expected pay-in: the bank balance and the ledger both grow by
 * the booked amount (what arrived, which may differ from what was expected: both are kept for
 * reconciliation), and the token ledger can mint `entry.amount` to `payIn.participant`.
 */
export interface PayInMatched {
  readonly type: 'PayInMatched';
  readonly messageId: string;
  readonly entry: BankEntry;
  readonly payIn: ExpectedPayIn;
  readonly method: MatchMethod;
  readonly bankMoved: boolean;
  readonly check: ReconciliationCheck | null;
}
export interface PayInExpected {
  readonly type: 'PayInExpected';
  readonly messageId: string;
  readonly payIn: ExpectedPayIn;
}
export interface FundsReserved {
  readonly type: 'FundsReserved';
  readonly messageId: string;
  readonly reservationId: string;
  readonly amount: BigNumber;
}
export interface FundsReleased {
  readonly type: 'FundsReleased';
  readonly messageId: string;
  readonly reservationId: string;
  readonly amount: BigNumber;
}
export interface LedgerDebited {
  readonly type: 'LedgerDebited';
  readonly messageId: string;
  readonly amount: BigNumber;
  readonly reservationId: string | null;
  /** The whole reservation freed by this debit (zero without one). */
  readonly released: BigNumber;
  readonly reference: string;
}
export interface LedgerCredited {
  readonly type: 'LedgerCredited';
  readonly messageId: string;
  readonly amount: BigNumber;
  readonly reference: string;
}
export interface BankBalanceSet {
  readonly type: 'BankBalanceSet';
  readonly messageId: string;
  readonly balance: BigNumber;
  readonly asOf: string;
}
/** Tier 2, journaled only when the bank's live figure changes the level. */
export interface BankBalanceObserved {
  readonly type: 'BankBalanceObserved';
  readonly messageId: string;
  readonly balance: BigNumber;
  readonly asOf: string;
  readonly check: ReconciliationCheck;
}
/** Tier 3: a statement reconciled; the bank figure becomes its closing balance. */
export interface StatementReconciled {
  readonly type: 'StatementReconciled';
  readonly messageId: string;
  readonly statementId: string;
  readonly date: string;
  readonly sequence: string | null;
  readonly opening: BigNumber;
  readonly closing: BigNumber;
  readonly matched: number;
  /** Reserved funds when the statement was reconciled: the EOD snapshot's reserved and available. */
  readonly reserved: BigNumber;
  /** From the entry matching and the chain checks; empty when everything agrees. */
  readonly discrepancies: readonly StatementDiscrepancy[];
  readonly check: ReconciliationCheck;
}
export interface BreakerTripped {
  readonly type: 'BreakerTripped';
  readonly messageId: string;
  readonly reason: string;
}
export interface BreakerReset {
  readonly type: 'BreakerReset';
  readonly messageId: string;
  readonly reason: string;
  /** The comparison that allowed the reset (within Minor); sets the level. */
  readonly check: ReconciliationCheck | null;
}

/**
 * The bank figure after `event`, as evolve moves it: a booked entry by its CdtDbtInd (unless the
 * statement already holds it), a statement's closing or a set balance replaces it. The one place
 * the token backing, the reconciliation index and evolve agree on (the start-up SQL of
 * adapters/db/token-queries.ts mirrors it).
 */
export function bankFigureAfter(bank: BigNumber, event: AccountEvent): BigNumber {
  switch (event.type) {
    case 'BankEntryBooked':
    case 'PayInMatched':
      if (!event.bankMoved) return bank;
      return event.entry.direction === 'CRDT' ? bank.plus(event.entry.amount) : bank.minus(event.entry.amount);
    case 'StatementReconciled':
      return event.closing;
    case 'BankBalanceSet':
      return event.balance;
    default:
      return bank;
  }
}

export type AccountEvent =
  | AccountOpened
  | BankEntryPending
  | BankEntryBooked
  | PayInMatched
  | PayInExpected
  | FundsReserved
  | FundsReleased
  | LedgerDebited
  | LedgerCredited
  | BankBalanceSet
  | BankBalanceObserved
  | StatementReconciled
  | BreakerTripped
  | BreakerReset;

export const accountRefCodec: Codec<AccountRef> = object<AccountRef>({ scheme: literal('IBAN', 'OTHER'), id: text, currency: text });

export const bankEntryCodec: Codec<BankEntry> = object<BankEntry>({
  key: text,
  amount: decimal,
  direction: literal('CRDT', 'DBIT'),
  reversal: boolean,
  endToEndId: nullable(text),
  uetr: nullable(text),
  accountServicerReference: nullable(text),
  bookingDate: nullable(text),
});

export const expectedPayInCodec: Codec<ExpectedPayIn> = object<ExpectedPayIn>({
  payInId: text,
  participant: text,
  amount: decimal,
  endToEndId: nullable(text),
  uetr: nullable(text),
});

export const statementDiscrepancyCodec: Codec<StatementDiscrepancy> = object<StatementDiscrepancy>({
  type: literal('MISSING_TXN', 'DUPLICATE_TXN', 'AMOUNT_MISMATCH', 'SEQUENCE_GAP', 'BALANCE_MISMATCH'),
  detail: text,
  reference: nullable(text),
  expected: nullable(decimal),
  actual: nullable(decimal),
});

const withReason = <T extends 'BreakerTripped'>(type: T) =>
  object<{ readonly type: T; readonly messageId: string; readonly reason: string }>({ type: literal(type), messageId: text, reason: text });

export const accountEventCodec: Codec<AccountEvent> = tagged<AccountEvent>({
  AccountOpened: object<AccountOpened>({
    type: literal('AccountOpened'), messageId: text, ref: accountRefCodec,
    accountType: literal(...ACCOUNT_TYPES), ledger: decimal, bank: decimal,
  }),
  BankEntryPending: object<BankEntryPending>({ type: literal('BankEntryPending'), messageId: text, entry: bankEntryCodec }),
  BankEntryBooked: object<BankEntryBooked>({
    type: literal('BankEntryBooked'), messageId: text, entry: bankEntryCodec, bankMoved: defaulted(boolean, true), check: defaulted(optionalCheckCodec, null),
  }),
  PayInMatched: object<PayInMatched>({
    type: literal('PayInMatched'), messageId: text, entry: bankEntryCodec,
    payIn: expectedPayInCodec, method: literal('UETR', 'END_TO_END_ID'), bankMoved: defaulted(boolean, true), check: defaulted(optionalCheckCodec, null),
  }),
  PayInExpected: object<PayInExpected>({ type: literal('PayInExpected'), messageId: text, payIn: expectedPayInCodec }),
  FundsReserved: object<FundsReserved>({ type: literal('FundsReserved'), messageId: text, reservationId: text, amount: decimal }),
  FundsReleased: object<FundsReleased>({ type: literal('FundsReleased'), messageId: text, reservationId: text, amount: decimal }),
  LedgerDebited: object<LedgerDebited>({
    type: literal('LedgerDebited'), messageId: text, amount: decimal,
    reservationId: nullable(text), released: decimal, reference: text,
  }),
  LedgerCredited: object<LedgerCredited>({ type: literal('LedgerCredited'), messageId: text, amount: decimal, reference: text }),
  BankBalanceSet: object<BankBalanceSet>({ type: literal('BankBalanceSet'), messageId: text, balance: decimal, asOf: text }),
  BankBalanceObserved: object<BankBalanceObserved>({
    type: literal('BankBalanceObserved'), messageId: text, balance: decimal, asOf: text, check: reconciliationCheckCodec,
  }),
  StatementReconciled: object<StatementReconciled>({
    type: literal('StatementReconciled'), messageId: text, statementId: text, date: text, sequence: nullable(text),
    opening: decimal, closing: decimal, matched: integer, reserved: defaulted(decimal, ZERO),
    discrepancies: array(statementDiscrepancyCodec), check: reconciliationCheckCodec,
  }),
  BreakerTripped: withReason('BreakerTripped'),
  BreakerReset: object<BreakerReset>({ type: literal('BreakerReset'), messageId: text, reason: text, check: defaulted(optionalCheckCodec, null) }),
});
