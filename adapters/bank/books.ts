// The mock bank's own books: accounts (an identifier and a currency), their exact balances, and
// the booking log every figure the bank reports is derived from. The log is the truth: balance()
// with a lag, a statement's opening and closing, and the notifications are all read from it, so
// they can never disagree with each other the way a bank's separate systems sometimes do in real
// life (that disagreement is injected on purpose, in faults.ts, not by accident here).
// Booking dates are the bank's UTC day and never go backwards, so a day once past is final and its
// statement is the same every time it is asked for.

import BigNumber from 'bignumber.js';
import { ibanProblem } from '../../streams/iso20022/validate/identifiers.ts';
import { minorUnits } from '../../streams/iso20022/money.ts';
import type { BankTransactionCodeInput } from '../../streams/iso20022/writers/camt054.ts';
import { isWritableCurrency } from '../../streams/iso20022/writers/xml.ts';
import { accountKey, bankError, bankOk, type BankAccountId, type BankAccountRef, type BankResult } from './client.ts';

export type BookingKind = 'instruction' | 'fund' | 'drift';

export interface Booking {
  /** Order in the whole bank, from 1. */
  readonly seq: number;
  readonly account: BankAccountRef;
  readonly direction: 'CRDT' | 'DBIT';
  /** Positive: the sign is the direction. */
  readonly amount: BigNumber;
  readonly accountServicerReference: string;
  readonly endToEndId?: string;
  readonly uetr?: string;
  /** ISODate, the bank's UTC day. */
  readonly bookingDate: string;
  readonly bookedAtMs: number;
  readonly kind: BookingKind;
  /** Domain, family and sub-family, as written in BkTxCd of the camt.054 and camt.053. */
  readonly code: BankTransactionCodeInput;
}

export interface OpenAccountOptions {
  /** The balance before the first booking day (the first statement's OPBD). Default 0. */
  readonly opening?: BigNumber;
  /** Deltran holds the account: the bank sends a camt.054 for every booking on it. Default true. */
  readonly notify?: boolean;
  /** How far below zero a debit may take the balance. Default 0. */
  readonly overdraft?: BigNumber;
}

export interface AccountBook {
  readonly ref: BankAccountRef;
  readonly key: string;
  /** ISODate of the first day the account exists: statement 1 is of this day. */
  readonly openedOn: string;
  /** The balance before the first booking kept (before `retainedFrom` once old bookings are dropped). */
  opening: BigNumber;
  /** The first day whose bookings are all kept: statements of earlier days can no longer be written. */
  retainedFrom: string;
  readonly notify: boolean;
  readonly overdraft: BigNumber;
  balance: BigNumber;
  readonly bookings: Booking[];
}

export type BookingLeg = Omit<Booking, 'seq' | 'account' | 'bookingDate' | 'bookedAtMs'>;

export class Books {
  private readonly accounts = new Map<string, AccountBook>();
  private seq = 0;
  private lastDate = '0000-01-01';
  // The service's mock books every booking deltran journals: a Date formatted twice per booking
  // showed in tier-1 profiles, so the two days asked for (today, the retention horizon) are cached.
  private readonly today = new UtcDays();
  private readonly horizon = new UtcDays();

  /**
   * `retainDays`: bookings older than that many days are folded into the opening balance, so a
   * long-running mock (the service's default bank mirrors every booking deltran journals) stays
   * bounded; undefined keeps everything (tests that read the whole log).
   */
  constructor(private readonly retainDays?: number) {
    if (retainDays !== undefined && !(Number.isSafeInteger(retainDays) && retainDays > 0)) throw new RangeError(`retainDays must be a positive integer, got ${retainDays}`);
  }

  open(ref: BankAccountRef, options: OpenAccountOptions, nowMs: number): BankResult<AccountBook> {
    const problem = refProblem(ref);
    if (problem !== undefined) return bankError('INVALID_REQUEST', problem);
    const key = accountKey(ref);
    if (this.accounts.has(key)) return bankError('INVALID_REQUEST', `account ${key} is already open`);
    for (const [name, v] of [['opening', options.opening], ['overdraft', options.overdraft]] as const) {
      const bad = v === undefined ? undefined : amountProblem(v, ref.currency, true);
      if (bad !== undefined) return bankError('INVALID_REQUEST', `${name}: ${bad}`);
    }
    const book: AccountBook = {
      ref: copyRef(ref),
      key,
      openedOn: this.dayOf(nowMs),
      retainedFrom: this.dayOf(nowMs),
      opening: options.opening ?? new BigNumber(0),
      notify: options.notify ?? true,
      overdraft: options.overdraft ?? new BigNumber(0),
      balance: options.opening ?? new BigNumber(0),
      bookings: [],
    };
    this.accounts.set(key, book);
    return bankOk(book);
  }

  find(id: BankAccountId, currency: string): AccountBook | undefined {
    return this.accounts.get(accountKey(id, currency));
  }

  all(): IterableIterator<AccountBook> {
    return this.accounts.values();
  }

  book(account: AccountBook, leg: BookingLeg, nowMs: number): Booking {
    if (!(leg.amount.isFinite() && leg.amount.gt(0))) throw new RangeError(`a booking amount must be positive, got ${leg.amount.toFixed()}`);
    // Named fields, not `{ ...leg, seq, ... }`: V8 gives an object spread and then extended a map
    // of its own, so each booking kept two hidden-class objects alive (found in a heap diff).
    const booking: { -readonly [K in keyof Booking]: Booking[K] } = {
      seq: ++this.seq,
      account: account.ref,
      direction: leg.direction,
      amount: leg.amount,
      accountServicerReference: leg.accountServicerReference,
      bookingDate: this.dayOf(nowMs),
      bookedAtMs: nowMs,
      kind: leg.kind,
      code: leg.code,
    };
    if (leg.endToEndId !== undefined) booking.endToEndId = leg.endToEndId;
    if (leg.uetr !== undefined) booking.uetr = leg.uetr;
    account.bookings.push(booking);
    account.balance = account.balance.plus(signed(booking));
    if (this.retainDays !== undefined) {
      const horizon = this.horizon.of(nowMs - this.retainDays * 86_400_000);
      // What forget would do, checked first: bookings are in date order, so the oldest says it all.
      if (account.bookings[0]!.bookingDate < horizon || horizon > account.retainedFrom) this.forget(account, horizon);
    }
    return booking;
  }

  private forget(account: AccountBook, horizon: string): void {
    let n = 0;
    while (n < account.bookings.length && account.bookings[n]!.bookingDate < horizon) {
      account.opening = account.opening.plus(signed(account.bookings[n]!));
      n++;
    }
    if (n > 0) account.bookings.splice(0, n);
    if (horizon > account.retainedFrom) account.retainedFrom = horizon;
  }

  /** The balance including only bookings made at or before `cutoffMs` (a lagging view). */
  balanceAt(account: AccountBook, cutoffMs: number): BigNumber {
    let b = account.balance;
    for (let i = account.bookings.length - 1; i >= 0; i--) {
      const x = account.bookings[i]!;
      if (x.bookedAtMs <= cutoffMs) break;
      b = b.minus(signed(x));
    }
    return b;
  }

  /** Opening (before any booking of `date`), the bookings of `date`, and the closing. */
  day(account: AccountBook, date: string): { opening: BigNumber; bookings: Booking[]; closing: BigNumber } {
    let opening = account.opening;
    const bookings: Booking[] = [];
    for (const x of account.bookings) {
      if (x.bookingDate < date) opening = opening.plus(signed(x));
      else if (x.bookingDate === date) bookings.push(x);
    }
    const closing = bookings.reduce((sum, x) => sum.plus(signed(x)), opening);
    return { opening, bookings, closing };
  }

  /** The bank's UTC day of a time; never earlier than a day already booked on. */
  dayOf(nowMs: number): string {
    const d = this.today.of(nowMs);
    if (d > this.lastDate) this.lastDate = d;
    return this.lastDate;
  }
}

/** The ISODate (UTC) of a time, formatted once per day seen. */
class UtcDays {
  private day = '';
  private startMs = 0;
  private endMs = -1;

  of(ms: number): string {
    if (ms < this.startMs || ms >= this.endMs) {
      this.startMs = ms - (((ms % 86_400_000) + 86_400_000) % 86_400_000);
      this.endMs = this.startMs + 86_400_000;
      this.day = new Date(ms).toISOString().slice(0, 10);
    }
    return this.day;
  }
}

export function signed(b: Booking): BigNumber {
  return b.direction === 'CRDT' ? b.amount : b.amount.negated();
}

/** Why an amount cannot be booked in a currency, or undefined when it can. */
export function amountProblem(v: unknown, currency: string, allowZero = false): string | undefined {
  if (!BigNumber.isBigNumber(v)) return `the amount must be a bignumber.js BigNumber, not ${typeof v}`;
  const a = v as BigNumber;
  if (!a.isFinite() || a.isNegative() || (a.isZero() && !allowZero)) return `${a.toFixed()} is not a positive finite amount`;
  const digits = minorUnits(currency) ?? 0;
  if ((a.decimalPlaces() ?? 0) > digits) return `${a.toFixed()} has more decimals than ${currency}'s ${digits}`;
  return undefined;
}

function refProblem(ref: BankAccountRef): string | undefined {
  if (!isWritableCurrency(ref.currency)) return `${JSON.stringify(ref.currency)} is not an active ISO 4217 currency code`;
  if ('iban' in ref) return ibanProblem(ref.iban);
  const id = ref.other?.id;
  return typeof id === 'string' && id.length > 0 && id.length <= 34 ? undefined : 'an account needs an IBAN or another identifier of 1 to 34 characters';
}

function copyRef(ref: BankAccountRef): BankAccountRef {
  if ('iban' in ref) return { iban: ref.iban, currency: ref.currency };
  const other = ref.other.schemeCode === undefined ? { id: ref.other.id } : { id: ref.other.id, schemeCode: ref.other.schemeCode };
  return { other, currency: ref.currency };
}
