// The bank client port: what deltran asks of a bank that keeps its accounts (issues 4 and 5).
// Reconciliation tier 2 reads balances, tier 3 reads end-of-day statements (camt.053), settlement
// submits pacs.009/pacs.008 instructions and learns of every booking from camt.054 notifications.
// Adapters (the mock bank, later real banks over HTTP or SWIFT) implement it; callers depend on this
// file only. Nothing here throws for an operating failure: every call answers a value, and a failure
// carries a code from BANK_ERRORS whose line says what the caller may conclude.
//
// The one subtle case is TIMEOUT on submit: the bank may have booked the instruction before the
// answer was lost. The caller cannot tell, so it must retry with the SAME idempotency key: the bank
// answers the stored result (the same bankReference, no second booking) if it had booked, or books
// now if it had not. A fresh key for a retry is a double payment waiting to happen.

import type BigNumber from 'bignumber.js';

/** The identifier of an account at its bank: an IBAN, or another identifier (BBAN, Fedwire ...). */
export type BankAccountId =
  | { readonly iban: string }
  | { readonly other: { readonly id: string; /** ExternalAccountIdentification1Code, e.g. BBAN. */ readonly schemeCode?: string } };

/**
 * One currency of one account. A multi-currency account is one identifier with several currencies,
 * each with its own balance and statements, so the currency is part of the reference.
 */
export type BankAccountRef = BankAccountId & { readonly currency: string };

/** The stable key of an account reference: `DE89...3000/EUR`, `other:0011223344/JPY`. */
export function accountKey(ref: BankAccountId & { readonly currency?: string }, currency = ref.currency): string {
  const id = 'iban' in ref ? ref.iban : `other:${ref.other.id}`;
  return `${id}/${currency ?? ''}`;
}

export interface BankBalance {
  readonly account: BankAccountRef;
  readonly currency: string;
  /** Current booked balance as the bank sees it; negative when overdrawn. Never a JS number. */
  readonly amount: BigNumber;
  /** ISODateTime (UTC) of the bookings the figure includes: a lagging bank answers an older time. */
  readonly asOf: string;
}

export const MESSAGE_TYPES = ['pacs.009', 'pacs.008'] as const;
export type InstructionMessageType = (typeof MESSAGE_TYPES)[number];

export interface SettlementInstruction {
  /** The same key twice means the same instruction: the bank answers its first result again. */
  readonly idempotencyKey: string;
  readonly messageType: InstructionMessageType;
  /** The document as sent (from streams/iso20022/writers); the bank checks it against the fields. */
  readonly xml: string;
  /** Debited when it is an account of this bank. */
  readonly from: BankAccountId;
  /** Credited when it is an account of this bank. */
  readonly to: BankAccountId;
  readonly currency: string;
  readonly amount: BigNumber;
  readonly endToEndId: string;
  readonly uetr: string;
}

export interface SubmitAnswer {
  readonly status: 'ACCEPTED' | 'REJECTED';
  /** The bank's reference: the AcctSvcrRef of the bookings it made (REJECTED: of the refusal). */
  readonly bankReference: string;
  /** REJECTED only: an ISO 20022 status reason code (AC01, AM04 ...) and the bank's words. */
  readonly reason?: { readonly code: string; readonly message: string };
}

/** One camt.054 the bank pushes: one booking on one account deltran holds. */
export interface BankNotification {
  readonly account: BankAccountRef;
  /** GrpHdr/MsgId: a redelivered notification carries the same one (the same bytes). */
  readonly messageId: string;
  readonly xml: string;
}

export type NotificationListener = (notification: BankNotification) => void;

/** Every failure code of the port, with the one line a caller acts on. */
export const BANK_ERRORS = {
  TIMEOUT: 'no answer in time: the request may or may not have been processed; retry with the same idempotency key',
  UNAVAILABLE: 'the bank refused the request before processing it: nothing happened, a retry is safe',
  ACCOUNT_UNKNOWN: 'this bank keeps no such account in that currency',
  IDEMPOTENCY_CONFLICT: 'this idempotency key was already used for a different instruction; nothing was booked',
  STATEMENT_NOT_READY: 'no statement for that date yet (the day has not begun, or precedes the account)',
  INVALID_REQUEST: 'the request is malformed (a date, an amount, an account reference)',
} as const;

export type BankErrorCode = keyof typeof BANK_ERRORS;

export interface BankError {
  readonly code: BankErrorCode;
  /** Specific to this failure (ids, figures); the generic line is BANK_ERRORS[code]. */
  readonly message: string;
}

export type BankResult<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly error: BankError };

export function bankOk<T>(value: T): BankResult<T> {
  return { ok: true, value };
}

export function bankError<T = never>(code: BankErrorCode, message: string = BANK_ERRORS[code]): BankResult<T> {
  return { ok: false, error: { code, message } };
}

export interface BankClient {
  balance(account: BankAccountRef): Promise<BankResult<BankBalance>>;
  submit(instruction: SettlementInstruction): Promise<BankResult<SubmitAnswer>>;
  /** The camt.053 of one booking day (ISODate, the bank's UTC day). */
  statement(account: BankAccountRef, date: string): Promise<BankResult<string>>;
  /**
   * Every camt.054 from now on, for every account deltran holds at this bank. Delivery is at most
   * what the bank sends: notifications can arrive late, twice, out of order or never, which is why
   * reconciliation exists. Returns the unsubscribe function.
   */
  subscribe(listener: NotificationListener): () => void;
}
