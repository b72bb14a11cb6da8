// What a decide function returns: the events to journal, or a rejection. Business refusals are
// values with a stable code (callers map codes to HTTP statuses, ack/dead-letter dispositions and
// metrics); only programmer errors and corrupt journals throw. One catalogue, so a test can prove
// every code is described and the API can list them.

/** Every rejection code the actors produce, with the one line an operator reads. */
export const REJECTIONS = {
  DUPLICATE: 'this message id was already applied to this actor; nothing changed',
  ACCOUNT_NOT_OPEN: 'the account has not been opened',
  ACCOUNT_ALREADY_OPEN: 'the account is already open',
  CURRENCY_UNKNOWN: 'not an active ISO 4217 currency code',
  CURRENCY_MISMATCH: 'the amount is in another currency than the actor',
  AMOUNT_INVALID: 'the amount is not a finite decimal',
  AMOUNT_NOT_POSITIVE: 'the amount must be greater than zero',
  AMOUNT_PRECISION: "the amount has more decimals than the currency's minor units",
  RATE_INVALID: 'the FX rate must be a positive decimal with at most 12 decimals',
  INSUFFICIENT_FUNDS: 'the available balance does not cover the amount',
  INSUFFICIENT_TOKENS: "the participant's token balance does not cover the amount",
  BACKING_EXCEEDED: 'tokens outstanding would exceed the fiat held in client_funds accounts',
  BACKING_UNKNOWN: 'a debit of a client_funds account needs the backing headroom',
  BREAKER_OPEN: 'the circuit breaker is open: money cannot leave',
  ENTRY_NOT_BOOKABLE: 'only BOOK and PDNG entries change the account (INFO and others do not)',
  ENTRY_INCOMPLETE: 'the bank entry has no amount or no credit/debit indicator',
  REFERENCE_MISSING: 'an expected pay-in needs an EndToEndId or a UETR',
  REFERENCE_IN_USE: 'another expected pay-in already uses this id or reference',
  RESERVATION_UNKNOWN: 'no reservation with this id',
  RESERVATION_EXISTS: 'a reservation with this id already exists',
  RESERVATION_EXCEEDED: 'the debit is larger than its reservation',
  LIMIT_REACHED: 'a bounded collection of this actor is full',
  SAME_PARTICIPANT: 'sender and receiver are the same participant',
  SAME_CURRENCY: 'a conversion needs two different currencies',
  MINT_SOURCE_MISMATCH: 'a pay-in mint must carry the pay-in amount, currency and derived message id',
  CONVERSION_TOO_SMALL: 'the converted amount rounds down to zero',
  DUPLICATE_OBLIGATION: 'this obligation id is already in the current clearing window',
  WINDOW_MISMATCH: 'the command names another clearing window than the open one',
  WINDOW_FULL: 'the clearing window holds its maximum number of obligations; close it first',
  PAYOUTS_SUSPENDED: 'the account is Significant or Critical apart from its bank: payouts wait for reconciliation',
  RECONCILIATION_OUT_OF_RANGE: 'the breaker resets only when ledger and bank are within Minor of each other',
  STATEMENT_OUT_OF_ORDER: 'a statement older than the last one reconciled',
  STATEMENT_BALANCE_MISSING: 'the statement has no usable opening (OPBD/PRCD) or closing (CLBD) balance',
  STATEMENT_DATE_MISSING: 'the statement has no CLBD date, ToDtTm or CreDtTm to place it on a day',
  ACCOUNT_MISSING: 'the report names no IBAN or other account id',
} as const;

export type RejectionCode = keyof typeof REJECTIONS;

export interface Rejection {
  readonly code: RejectionCode;
  /** Specific to this refusal (figures, ids); the generic line is REJECTIONS[code]. */
  readonly message: string;
}

export type Decision<E> = { readonly events: readonly E[] } | { readonly rejection: Rejection };

export function reject(code: RejectionCode, message: string = REJECTIONS[code]): { readonly rejection: Rejection } {
  return { rejection: { code, message } };
}

export function accept<E>(...events: E[]): { readonly events: readonly E[] } {
  return { events };
}

export function isRejection<E>(d: Decision<E>): d is { readonly rejection: Rejection } {
  return 'rejection' in d;
}

/** Assertion for programmer errors (TigerBeetle style): a broken invariant crashes the actor. */
export function invariant(condition: boolean, message: string): asserts condition {
  if (!condition) throw new Error(`invariant violated: ${message}`);
}
