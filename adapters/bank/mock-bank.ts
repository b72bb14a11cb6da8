// A realistic mock bank behind the BankClient port: an adapter with its own books, not a stub that
// echoes what it is told. It books what is submitted (debit `from` and credit `to` where they are
// its accounts), refuses what a bank would refuse, answers the same idempotency key with the same
// answer forever, pushes a camt.054 for every booking on an account deltran holds, and writes
// camt.053 statements of closed days from the same booking log. Test helpers move money the way
// the outside world does: `fund` (an external credit, notified) and `drift` (a booking the bank
// never notifies). Faults (faults.ts) sit between the caller and the books: latency, UNAVAILABLE,
// TIMEOUT (after or before booking), a lagging balance, and lost, doubled, late or reordered
// notifications; with `faults: 'off'` every answer is exact and immediate.

import type BigNumber from 'bignumber.js';
import { Books, amountProblem, type AccountBook, type Booking, type OpenAccountOptions } from './books.ts';
import { systemClock, type BankClock } from './clock.ts';
import {
  accountKey,
  bankError,
  bankOk,
  type BankAccountRef,
  type BankBalance,
  type BankClient,
  type BankResult,
  type NotificationListener,
  type SettlementInstruction,
  type SubmitAnswer,
} from './client.ts';
import { Faults, type CallOperation, type FaultConfig, type FaultRecord } from './faults.ts';
import { fingerprint, instructionProblem, type RejectReason } from './instruction.ts';
import { NotificationChannel } from './notifications.ts';
import { notificationOf, statementOf } from './reports.ts';

export interface MockBankOptions {
  /** Prefix of every reference and message id the bank issues: 1 to 12 capitals, digits or '-'. */
  readonly name?: string;
  readonly clock?: BankClock;
  readonly faults?: FaultConfig;
  /** Keep bookings this many days (statements of older days are refused); default all (books.ts). */
  readonly retainDays?: number;
}

export interface FundReferences {
  readonly endToEndId?: string;
  readonly uetr?: string;
}

const NAME = /^[A-Z0-9-]{1,12}$/;
const DATE = /^\d{4}-\d{2}-\d{2}$/;
const UETR = /^[a-f0-9]{8}-[a-f0-9]{4}-4[a-f0-9]{3}-[89ab][a-f0-9]{3}-[a-f0-9]{12}$/;
const IDEMPOTENCY_KEY_CHARS_MAX = 256;
// Cross-border / financial-institution credit transfers, issued (ICDT) or received (RCDT).
const CODES = {
  'pacs.008': { DBIT: { domain: 'PMNT', family: 'ICDT', subFamily: 'XBCT' }, CRDT: { domain: 'PMNT', family: 'RCDT', subFamily: 'XBCT' } },
  'pacs.009': { DBIT: { domain: 'PMNT', family: 'ICDT', subFamily: 'FICT' }, CRDT: { domain: 'PMNT', family: 'RCDT', subFamily: 'FICT' } },
} as const;
const FUND_CODE = CODES['pacs.008'].CRDT;
// Miscellaneous debit/credit operations: what an unexplained movement looks like on a statement.
const DRIFT_CODES = { DBIT: { domain: 'ACMT', family: 'MDOP', subFamily: 'OTHR' }, CRDT: { domain: 'ACMT', family: 'MCOP', subFamily: 'OTHR' } } as const;

export class MockBank implements BankClient {
  readonly name: string;
  private readonly clock: BankClock;
  private readonly faults: Faults;
  private readonly books: Books;
  private readonly channel: NotificationChannel;
  /** Every idempotency key ever answered, with what it was for (a bank keeps them for a retention period; the mock forever). */
  private readonly answers = new Map<string, { readonly fingerprint: string; readonly answer: SubmitAnswer }>();
  private referenceSeq = 0;

  constructor(options: MockBankOptions = {}) {
    this.name = options.name ?? 'MOCKBANK-';
    if (!NAME.test(this.name)) throw new RangeError(`mock bank name ${JSON.stringify(this.name)}: 1 to 12 capitals, digits or '-'`);
    this.clock = options.clock ?? systemClock;
    this.faults = new Faults(options.faults ?? 'off');
    this.books = new Books(options.retainDays);
    this.channel = new NotificationChannel(this.faults, this.clock);
  }

  // ---- the port ---------------------------------------------------------------------------------

  balance(account: BankAccountRef): Promise<BankResult<BankBalance>> {
    return this.call('balance', () => {
      const book = this.books.find(account, account.currency);
      if (book === undefined) return bankError('ACCOUNT_UNKNOWN', `no account ${accountKey(account)} at ${this.name}`);
      const cutoff = this.clock.now() - this.faults.balanceLagMs;
      const amount = this.books.balanceAt(book, cutoff);
      return bankOk({ account: book.ref, currency: book.ref.currency, amount, asOf: new Date(cutoff).toISOString() });
    });
  }

  submit(instruction: SettlementInstruction): Promise<BankResult<SubmitAnswer>> {
    return this.call('submit', () => this.process(instruction));
  }

  statement(account: BankAccountRef, date: string): Promise<BankResult<string>> {
    return this.call('statement', () => {
      if (!DATE.test(date) || Number.isNaN(Date.parse(`${date}T00:00:00Z`))) return bankError('INVALID_REQUEST', `${JSON.stringify(date)} is not an ISO date`);
      const book = this.books.find(account, account.currency);
      if (book === undefined) return bankError('ACCOUNT_UNKNOWN', `no account ${accountKey(account)} at ${this.name}`);
      const today = this.books.dayOf(this.clock.now());
      if (date < book.openedOn) return bankError('STATEMENT_NOT_READY', `${book.key} was opened on ${book.openedOn}, after ${date}`);
      if (date < book.retainedFrom) return bankError('STATEMENT_NOT_READY', `${this.name} keeps bookings from ${book.retainedFrom}; no statement of ${date} any more`);
      if (date >= today) return bankError('STATEMENT_NOT_READY', `${date} is not closed yet (the bank's day is ${today})`);
      return bankOk(statementOf(this.name, this.books, book, date));
    });
  }

  subscribe(listener: NotificationListener): () => void {
    return this.channel.subscribe(listener);
  }

  // ---- test helpers -----------------------------------------------------------------------------

  openAccount(ref: BankAccountRef, options: OpenAccountOptions = {}): BankResult<BankAccountRef> {
    const r = this.books.open(ref, options, this.clock.now());
    return r.ok ? bankOk(r.value.ref) : r;
  }

  /** An external credit (a customer's pay-in, a correspondent's cover): booked and notified. */
  fund(account: BankAccountRef, amount: BigNumber, refs: FundReferences = {}): BankResult<Booking> {
    const book = this.books.find(account, account.currency);
    if (book === undefined) return bankError('ACCOUNT_UNKNOWN', `no account ${accountKey(account)} at ${this.name}`);
    const problem = amountProblem(amount, book.ref.currency) ?? referencesProblem(refs);
    if (problem !== undefined) return bankError('INVALID_REQUEST', problem);
    return bankOk(this.post(book, { direction: 'CRDT', amount, accountServicerReference: this.nextReference(), ...refs, kind: 'fund', code: FUND_CODE }));
  }

  /**
   * The bank's balance moves and nobody is told: a fee, a correction, a booking error. Positive
   * credits, negative debits. It is a real booking, so it shows in balance() and in the day's
   * statement (which must add up), but no camt.054 is ever sent for it.
   */
  drift(account: BankAccountRef, amount: BigNumber): BankResult<Booking> {
    const book = this.books.find(account, account.currency);
    if (book === undefined) return bankError('ACCOUNT_UNKNOWN', `no account ${accountKey(account)} at ${this.name}`);
    const problem = amountProblem(amount?.abs?.(), book.ref.currency);
    if (problem !== undefined) return bankError('INVALID_REQUEST', problem);
    const direction = amount.isNegative() ? 'DBIT' : 'CRDT';
    const leg = { direction, amount: amount.abs(), accountServicerReference: this.nextReference(), kind: 'drift', code: DRIFT_CODES[direction] } as const;
    return bankOk(this.books.book(book, leg, this.clock.now()));
  }

  /** The booking log, of one account or of the whole bank, in booking order. */
  bookings(account?: BankAccountRef): readonly Booking[] {
    if (account !== undefined) return [...(this.books.find(account, account.currency)?.bookings ?? [])];
    return [...this.books.all()].flatMap((b) => b.bookings).sort((a, b) => a.seq - b.seq);
  }

  accounts(): BankAccountRef[] {
    return [...this.books.all()].map((b) => b.ref);
  }

  /** Every fault decided so far, in order: the same seed and the same calls give the same log. */
  get faultLog(): readonly FaultRecord[] {
    return this.faults.log;
  }

  /** Notifications delayed or held back for reordering, not yet delivered. */
  get pendingNotifications(): number {
    return this.channel.pending;
  }

  /** Delivers every delayed or held notification now (dropped ones stay dropped). */
  flushNotifications(): void {
    this.channel.flush();
  }

  // ---- inside the bank --------------------------------------------------------------------------

  /**
   * A call as the caller sees it. A TIMEOUT whose request the bank processed runs the work at its
   * latency and throws the answer away: the booking stands, and only a retry with the same key
   * will learn its reference.
   */
  private call<T>(operation: CallOperation, work: () => BankResult<T>): Promise<BankResult<T>> {
    const f = this.faults.call(operation);
    if (f.outcome === 'ANSWER') return this.after(f.latencyMs, work);
    if (f.outcome === 'UNAVAILABLE') return this.after(f.latencyMs, () => bankError<T>('UNAVAILABLE', `${operation}: ${this.name} is unavailable (injected fault); nothing was done`));
    const timeoutMs = this.faults.timeoutMs;
    if (f.processedBeforeTimeout) void this.after(Math.min(f.latencyMs, timeoutMs), work);
    return this.after(timeoutMs, () => bankError<T>('TIMEOUT', `${operation}: no answer from ${this.name} within ${timeoutMs} ms (injected fault)`));
  }

  /** Runs `work` after `ms` on the bank's clock; at once (synchronously) when there is no latency. */
  private after<T>(ms: number, work: () => BankResult<T>): Promise<BankResult<T>> {
    if (ms <= 0) return Promise.resolve(work());
    return new Promise((resolve) => this.clock.schedule(() => resolve(work()), ms));
  }

  private process(i: SettlementInstruction): BankResult<SubmitAnswer> {
    const key = i?.idempotencyKey;
    if (typeof key !== 'string' || key.length === 0 || key.length > IDEMPOTENCY_KEY_CHARS_MAX) {
      return bankError('INVALID_REQUEST', `the idempotency key must be 1 to ${IDEMPOTENCY_KEY_CHARS_MAX} characters`);
    }
    const print = fingerprint(i);
    const prior = this.answers.get(key);
    if (prior !== undefined) {
      if (prior.fingerprint === print) return bankOk(prior.answer);
      return bankError('IDEMPOTENCY_CONFLICT', `key ${key} was used for ${prior.fingerprint}, now ${print}; answered ${prior.answer.status} ${prior.answer.bankReference}`);
    }
    const answer = this.decide(i);
    this.answers.set(key, { fingerprint: print, answer });
    return bankOk(answer);
  }

  private decide(i: SettlementInstruction): SubmitAnswer {
    const references = referencesProblem(i);
    const problem = references === undefined ? instructionProblem(i) : { code: 'FF01', message: references };
    if (problem !== undefined) return this.rejected(problem);
    const from = this.books.find(i.from, i.currency);
    const to = this.books.find(i.to, i.currency);
    if (from === undefined && to === undefined) return this.rejected({ code: 'AC01', message: `neither ${accountKey(i.from, i.currency)} nor ${accountKey(i.to, i.currency)} is an account of ${this.name}` });
    if (from !== undefined && from.balance.plus(from.overdraft).lt(i.amount)) {
      return this.rejected({ code: 'AM04', message: `${from.key} holds ${from.balance.toFixed()}, overdraft ${from.overdraft.toFixed()}; ${i.amount.toFixed()} asked` });
    }
    const bankReference = this.nextReference();
    const leg = { amount: i.amount, accountServicerReference: bankReference, endToEndId: i.endToEndId, uetr: i.uetr, kind: 'instruction' } as const;
    if (from !== undefined) this.post(from, { ...leg, direction: 'DBIT', code: CODES[i.messageType].DBIT });
    if (to !== undefined) this.post(to, { ...leg, direction: 'CRDT', code: CODES[i.messageType].CRDT });
    return { status: 'ACCEPTED', bankReference };
  }

  private rejected(reason: RejectReason): SubmitAnswer {
    return { status: 'REJECTED', bankReference: this.nextReference(), reason };
  }

  /** Books one leg and, on an account deltran holds, sends its camt.054. */
  private post(book: AccountBook, leg: Parameters<Books['book']>[1]): Booking {
    const now = this.clock.now();
    const booking = this.books.book(book, leg, now);
    if (book.notify) this.channel.publish(notificationOf(this.name, booking, now));
    return booking;
  }

  private nextReference(): string {
    return `${this.name}${String(++this.referenceSeq).padStart(10, '0')}`;
  }
}

/** The references a camt.054 will carry must fit it: Max35Text EndToEndId, a UUID v4 UETR. */
function referencesProblem(refs: FundReferences): string | undefined {
  const e2e = refs.endToEndId;
  if (e2e !== undefined && (typeof e2e !== 'string' || e2e.length === 0 || [...e2e].length > 35)) return `EndToEndId ${JSON.stringify(e2e)} must be 1 to 35 characters`;
  if (refs.uetr !== undefined && !UETR.test(refs.uetr)) return `UETR ${JSON.stringify(refs.uetr)} is not a lowercase UUID v4`;
  return undefined;
}
