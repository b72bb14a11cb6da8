// The Settler of clearing (actors/clearing/ports.ts) over bank clients: each instruction of a
// closed window is sent to the payer's settlement bank as a pacs.009 (pacs.008 where configured),
// tracked durably, and confirmed by the bank's booking as deltran journals it.
//
//   settle(window, plans)   rows PENDING in one transaction (the document, UETR and accounts fixed
//                           in them), then in the background each PENDING row is submitted through
//                           bank-calls.ts (timeout, retry, breaker per bank) under the idempotency
//                           key = instruction id. Called again (after a restart, or twice) it
//                           resumes the PENDING rows and pays nothing twice: the bank answers a
//                           known key with its first answer.
//   answer                  ACCEPTED → SENT (with the bank reference); REJECTED or an error no
//                           retry fixes → FAILED; retries used up or breaker open →
//                           RETRY_NEXT_WINDOW and an alert (in doubt when a TIMEOUT may have booked).
//   onAccountApplied        the accounts' hook: a BankEntryBooked/PayInMatched whose entry carries
//                           an instruction's UETR (else its bank reference) with its amount →
//                           CONFIRMED, from any status (the bank's booking is the fact: a late
//                           camt.054 confirms even an instruction given up on). Duplicate, late and
//                           reordered notifications find the row already CONFIRMED and change nothing.
//   CONFIRMED               tokens move (token-moves.ts), at most once per instruction.
//   open / catchUp          after a crash: bookings the dead process journaled but did not record
//                           are read back from the settlement accounts' journal streams; token moves
//                           still due are done.
//
// Statuses only move forward: PENDING → SENT | FAILED | RETRY_NEXT_WINDOW, any → CONFIRMED.
// Every change is committed (with its history row) before listeners hear of it.

import type BigNumber from 'bignumber.js';
import { Counter, Gauge, type Registry } from 'prom-client';
import { accountEventCodec, type AccountEvent } from '../../actors/account/events.ts';
import { fromJournal } from '../../actors/journal-form.ts';
import type { InstructionPlan, InstructionStatus, InstructionUpdate, Settler } from '../../actors/clearing/ports.ts';
import type { BankClient, InstructionMessageType, SettlementInstruction } from '../bank/client.ts';
import type { Database } from '../db/database.ts';
import { KeyedLock, type SettlementLedger } from './ledger.ts';
import { accountActorOf, isSettlementAccountProblem, loadParticipantSettlement, settlementAccountOf } from './accounts.ts';
import { BankCalls, type BankCallOptions, type BreakerState } from './bank-calls.ts';
import { instructionDocument } from './instruction-document.ts';
import { instructionReference, instructionUetr } from './references.ts';
import { SettlementStore, type InstructionRow, type NewInstructionRow } from './store.ts';
import { moveTokens, type TokenPort } from './token-moves.ts';

export type SettlementLog = (level: 'info' | 'warn' | 'error', message: string, detail?: Record<string, unknown>) => void;

export interface BankSettlerOptions {
  readonly db: Database;
  /** Bank clients by name; participants' settlement accounts name them (accounts.ts). */
  readonly banks: ReadonlyMap<string, BankClient>;
  /** The bank of a settlement account without a `<bank>:` prefix; default the only bank, when there is one. */
  readonly defaultBank?: string | undefined;
  /** pacs.009 unless this says pacs.008 for a plan. */
  readonly messageType?: ((plan: InstructionPlan) => InstructionMessageType) | undefined;
  readonly calls?: BankCallOptions | undefined;
  /** Instructions submitted at once. Default 8. */
  readonly concurrency?: number | undefined;
  /** The token actor; without it confirmations move no tokens (token_state stays PENDING). */
  readonly tokens?: TokenPort | undefined;
  /** deltran's books of the settlement accounts (ledger.ts): posted before each call, reversed when the bank certainly did not book. */
  readonly ledger?: SettlementLedger | undefined;
  /** With a ledger: how long an instruction waits for its bookings before the next one on its accounts goes. Default 10 s. */
  readonly bookingWaitMs?: number | undefined;
  /** CreDtTm of the documents. Default Date.now. */
  readonly now?: (() => number) | undefined;
  readonly log?: SettlementLog | undefined;
}

const NOT_CONFIRMED: readonly InstructionStatus[] = ['PENDING', 'SENT', 'FAILED', 'RETRY_NEXT_WINDOW'];
/** How far before an instruction's row the catch-up looks for its booking (clock skew between writers). */
const CATCH_UP_MARGIN_MS = 60_000;

interface Watched {
  readonly id: string;
  readonly amount: BigNumber;
  readonly currency: string;
}

export class BankSettler implements Settler {
  readonly store: SettlementStore;
  readonly calls: BankCalls;
  private readonly listeners: ((u: InstructionUpdate) => void)[] = [];
  /** Instructions a booking may still confirm, by UETR and by bank reference. */
  private readonly byUetr = new Map<string, Watched>();
  /** Instructions in flight whose bookings the next instruction on their accounts waits for (lowercase UETR). */
  private readonly legs = new Map<string, { readonly remaining: Set<string>; readonly resolve: () => void }>();
  private readonly accountLock = new KeyedLock();
  private readonly byReference = new Map<string, Watched>();
  private readonly queue: InstructionRow[] = [];
  private readonly queued = new Set<string>();
  private workers = 0;
  private readonly pending = new Set<Promise<unknown>>();
  private stopped = false;
  private readonly log: SettlementLog;
  private readonly metrics = {
    transitions: new Counter({ name: 'deltran_settlement_instructions_total', help: 'Settlement instruction status changes, by the status reached', labelNames: ['status'] as const, registers: [] }),
    alerts: new Counter({ name: 'deltran_settlement_alerts_total', help: 'Settlement alerts: retry_next_window, confirmed_late, token_short, token_refused, plan_conflict', labelNames: ['kind'] as const, registers: [] }),
    calls: new Counter({ name: 'deltran_settlement_bank_calls_total', help: 'Submits to settlement banks (attempts included), by bank and outcome', labelNames: ['bank', 'outcome'] as const, registers: [] }),
  };
  private readonly breakerGauge: Gauge<'bank'>;

  /** `create`, then `catchUp`: for callers that need not attach the hook in between. */
  static async open(options: BankSettlerOptions): Promise<BankSettler> {
    const settler = BankSettler.create(options);
    await settler.catchUp();
    return settler;
  }

  /**
   * Without the start-up catch-up. The service attaches `onAccountApplied` to the accounts' hook
   * first and then awaits `catchUp()`: a booking journaled in between is then seen by one or both
   * (confirming is idempotent), never by neither.
   */
  static create(options: BankSettlerOptions): BankSettler {
    return new BankSettler(options);
  }

  private constructor(private readonly options: BankSettlerOptions) {
    this.store = new SettlementStore(options.db);
    this.calls = new BankCalls(options.banks, options.calls);
    this.log = options.log ?? defaultLog;
    const calls = this.calls;
    this.breakerGauge = new Gauge({
      name: 'deltran_settlement_breaker_open',
      help: 'Circuit breaker of each settlement bank: 1 open or isolated, 0.5 half-open, 0 closed',
      labelNames: ['bank'] as const,
      registers: [],
      collect() {
        for (const bank of calls.bankNames) {
          const s = calls.breakerState(bank);
          this.set({ bank }, s === 'closed' ? 0 : s === 'half-open' ? 0.5 : 1);
        }
      },
    });
    this.calls.onBreakerChange((bank, state) => this.breakerChanged(bank, state));
  }

  /** Registers the settlement metrics on a prom-client registry (the server's). */
  instrument(registry: Registry): void {
    registry.registerMetric(this.metrics.transitions);
    registry.registerMetric(this.metrics.alerts);
    registry.registerMetric(this.metrics.calls);
    registry.registerMetric(this.breakerGauge);
  }

  onUpdate(listener: (update: InstructionUpdate) => void): void {
    this.listeners.push(listener);
  }

  async statuses(windowId: string): Promise<ReadonlyMap<string, InstructionUpdate>> {
    const rows = await this.store.ofWindow(windowId);
    return new Map(rows.map((r) => [r.instructionId, updateOf(r)]));
  }

  async settle(windowId: string, instructions: readonly InstructionPlan[]): Promise<void> {
    if (this.stopped) throw new Error('the settler is stopped');
    for (const p of instructions) {
      if (p.windowId !== windowId) throw new Error(`instruction ${p.id} is of window ${p.windowId}, not ${windowId}`);
    }
    const planned = new Map(instructions.map((p) => [p.id, p]));
    const { rows, inserted } = await this.store.insert(await this.newRows(instructions), (stored) => {
      const conflicts = stored.filter((r) => {
        const p = planned.get(r.instructionId)!;
        return r.windowId !== p.windowId || r.payer !== p.from || r.payee !== p.to || r.currency !== p.currency || !r.amount.eq(p.amount);
      });
      if (conflicts.length === 0) return;
      // Plans are deterministic from the window: the same id with other figures is a bug upstream.
      // Nothing of this call is stored; the stored plans stand (one may be paid already).
      const ids = conflicts.map((r) => r.instructionId);
      this.alert('plan_conflict', `settle(${windowId}): ${ids.length} instruction(s) differ from their stored plan`, { ids });
      throw Object.assign(new Error(`PLAN_CONFLICT: ${ids.join(', ')} differ from their stored plans`), { code: 'PLAN_CONFLICT' });
    });
    for (const r of rows) {
      this.watch(r);
      if (inserted.has(r.instructionId) && r.status === 'FAILED') this.emit(r);
      if (r.status === 'PENDING') this.enqueue(r);
      else if (r.status === 'CONFIRMED' && r.tokenState === 'PENDING') this.track(this.tokensOf(r));
    }
  }

  /**
   * The accounts' onApplied hook (compose it with the others in adapters/service.ts). Runs inside
   * the account's turn after its event is durable: it only looks up two maps and hands a match to
   * the background; it never throws and never waits.
   */
  readonly onAccountApplied = (actorId: string, _seq: number, events: readonly AccountEvent[]): void => {
    try {
      if (this.byUetr.size === 0 && this.byReference.size === 0 && this.legs.size === 0) return;
      for (const e of events) this.observe(actorId, e);
    } catch (err) {
      this.log('error', `settlement hook for ${actorId}`, { err: String(err) });
    }
  };

  /**
   * The booking side, for adapters that see bookings another way (tests, a bank-side feed):
   * `currency` is the account's, `uetr` / `bankReference` / `amount` the booked entry's.
   */
  onBankEntryBooked(entry: { readonly currency: string; readonly amount: BigNumber; readonly uetr: string | null; readonly bankReference: string | null }): void {
    const w = this.match(entry.currency, entry.amount, entry.uetr, entry.bankReference);
    if (w !== undefined) this.track(this.confirm(w.id, entry.bankReference));
  }

  /**
   * Reads back what a dead process may have left half done: bookings journaled on the settlement
   * accounts of unconfirmed instructions, and token moves due. Runs at open; safe at any time.
   */
  async catchUp(): Promise<void> {
    const rows = await this.store.unfinished();
    const actors: string[] = [];
    let since: number | null = null;
    for (const r of rows) {
      if (r.status === 'CONFIRMED') continue;
      this.watch(r);
      for (const a of [r.payerAccount, r.payeeAccount]) if (a !== null) actors.push(accountActorOf(a, r.currency));
      since = Math.min(since ?? Infinity, r.createdAt.getTime());
    }
    if (since !== null && actors.length > 0) {
      for (const b of await this.store.bookingsSince(actors, new Date(since - CATCH_UP_MARGIN_MS))) {
        let event: AccountEvent;
        try {
          event = fromJournal(accountEventCodec, b);
        } catch (err) {
          this.log('error', `settlement catch-up: ${b.actor} seq ${b.seq} does not decode`, { err: String(err) });
          continue;
        }
        this.observe(b.actor, event);
      }
    }
    for (const r of rows) if (r.status === 'CONFIRMED' && r.tokenState === 'PENDING') this.track(this.tokensOf(r));
    await this.idle();
  }

  /**
   * Sends every PENDING instruction of any window again (same keys: nothing is paid twice), for a
   * service that restarts without re-planning its windows; settle() with the plans does the same
   * for one window. Answers how many were queued.
   */
  async resume(): Promise<number> {
    let n = 0;
    for (const r of await this.store.unfinished()) {
      if (r.status !== 'PENDING') continue;
      this.watch(r);
      this.enqueue(r);
      n++;
    }
    return n;
  }

  /** Resolves when nothing is queued or in flight (tests; stop). */
  async idle(): Promise<void> {
    while (this.pending.size > 0 || this.queue.length > 0 || this.workers > 0) {
      await Promise.allSettled([...this.pending]);
      if (this.pending.size === 0 && (this.queue.length > 0 || this.workers > 0)) await new Promise((r) => setImmediate(r));
    }
  }

  /** Stops taking work and waits for what is in flight (a call in flight ends as its policy decides). */
  async stop(): Promise<void> {
    this.stopped = true;
    this.queue.length = 0;
    this.queued.clear();
    await this.idle();
  }

  // ---- inside ------------------------------------------------------------------------------------

  private async newRows(plans: readonly InstructionPlan[]): Promise<NewInstructionRow[]> {
    const participants = await loadParticipantSettlement(this.options.db, plans.flatMap((p) => [p.from, p.to]));
    const banks = [...this.options.banks.keys()];
    const defaultBank = this.options.defaultBank ?? (banks.length === 1 ? banks[0] : undefined);
    const createdAt = new Date((this.options.now ?? Date.now)()).toISOString().slice(0, 19) + 'Z';
    return plans.map((p) => {
      const messageType = this.options.messageType?.(p) ?? 'pacs.009';
      const reference = instructionReference(p.id);
      const base = {
        instructionId: p.id, windowId: p.windowId, payer: p.from, payee: p.to, currency: p.currency, amount: p.amount,
        messageType, uetr: instructionUetr(p.id), endToEndId: reference,
      };
      const failed = (reason: string): NewInstructionRow => ({ ...base, bank: null, payerAccount: null, payeeAccount: null, document: null, status: 'FAILED', reason });
      const payer = participants.get(p.from);
      const payee = participants.get(p.to);
      if (payer === undefined || payee === undefined) return failed(`PARTICIPANT_UNKNOWN: ${payer === undefined ? p.from : p.to} is not a registered participant`);
      const from = settlementAccountOf(p.from, payer.settlementAccount, banks, defaultBank);
      if (isSettlementAccountProblem(from)) return failed(`${from.code}: ${from.message}`);
      const to = settlementAccountOf(p.to, payee.settlementAccount, banks, defaultBank);
      if (isSettlementAccountProblem(to)) return failed(`${to.code}: ${to.message}`);
      const doc = instructionDocument({
        messageType, reference, uetr: base.uetr, currency: p.currency, amount: p.amount, createdAt,
        payer: { bic: p.from, name: payer.name, account: from.account },
        payee: { bic: p.to, name: payee.name, account: to.account },
      });
      if (!doc.ok) return failed(`DOCUMENT_REFUSED: ${doc.message}`);
      return { ...base, bank: from.bank, payerAccount: from.account, payeeAccount: to.account, document: doc.xml, status: 'PENDING', reason: null };
    });
  }

  private watch(r: InstructionRow): void {
    if (r.status === 'CONFIRMED') return this.unwatch(r.instructionId, r.uetr, r.bankReference);
    // Failed before any call (no account, a refused document): no bank has it, nothing can book it.
    if (r.status === 'FAILED' && r.attempts === 0) return;
    const w = { id: r.instructionId, amount: r.amount, currency: r.currency };
    this.byUetr.set(r.uetr, w);
    if (r.bankReference !== null) this.byReference.set(r.bankReference, w);
  }

  private unwatch(id: string, uetr: string, reference: string | null): void {
    if (this.byUetr.get(uetr)?.id === id) this.byUetr.delete(uetr);
    if (reference !== null && this.byReference.get(reference)?.id === id) this.byReference.delete(reference);
  }

  private observe(actorId: string, e: AccountEvent): void {
    if (e.type !== 'BankEntryBooked' && e.type !== 'PayInMatched') return;
    const leg = e.entry.uetr === null ? undefined : this.legs.get(e.entry.uetr.toLowerCase());
    if (leg !== undefined) {
      leg.remaining.delete(actorId);
      if (leg.remaining.size === 0) leg.resolve();
    }
    // A reversal carrying the UETR is the bank taking the payment back, never its confirmation.
    if (e.entry.reversal) return;
    const currency = actorId.slice(actorId.lastIndexOf(':') + 1);
    this.onBankEntryBooked({ currency, amount: e.entry.amount, uetr: e.entry.uetr, bankReference: e.entry.accountServicerReference });
  }

  /** UETR first; the bank reference only when the entry carries no UETR. The amount must agree. */
  private match(currency: string, amount: BigNumber, uetr: string | null, reference: string | null): Watched | undefined {
    const w = uetr !== null ? this.byUetr.get(uetr.toLowerCase()) : reference !== null ? this.byReference.get(reference) : undefined;
    if (w === undefined) return undefined;
    if (w.currency !== currency || !w.amount.eq(amount)) {
      this.log('warn', `settlement: a booking names instruction ${w.id} but books ${amount.toFixed()} ${currency}, not ${w.amount.toFixed()} ${w.currency}; not confirmed`, { uetr, reference });
      return undefined;
    }
    return w;
  }

  private async confirm(id: string, reference: string | null): Promise<void> {
    const row = await this.store.transition(id, 'CONFIRMED', NOT_CONFIRMED, { bankReference: reference ?? undefined });
    if (row === null) return;
    this.unwatch(row.instructionId, row.uetr, row.bankReference);
    if (reference !== null) this.byReference.delete(reference);
    this.emit(row);
    const before = row.previous;
    if (before === 'FAILED' || before === 'RETRY_NEXT_WINDOW') {
      this.alert('confirmed_late', `instruction ${id} was ${before} and the bank booked it: CONFIRMED (its obligations must not be paid again)`, { id });
    }
    await this.tokensOf(row);
  }

  private async tokensOf(row: InstructionRow): Promise<void> {
    const tokens = this.options.tokens;
    if (tokens === undefined) return;
    const r = await moveTokens(row, tokens, this.store);
    if (r.state === 'SHORT') this.alert('token_short', `instruction ${row.instructionId}: ${row.payer} held ${r.moved.toFixed()} of ${row.amount.toFixed()} ${row.currency} in tokens; ${r.short.toFixed()} ran on its debit cap`, { id: row.instructionId });
    else if (r.state === 'REFUSED') this.alert('token_refused', `instruction ${row.instructionId}: the token transfer was refused (${r.code}: ${r.message})`, { id: row.instructionId });
    else if (r.state === 'PENDING' && r.code !== 'NOT_DUE') this.log('warn', `instruction ${row.instructionId}: token transfer not applied yet (${r.code}); the catch-up retries`);
  }

  private enqueue(r: InstructionRow): void {
    if (this.stopped || this.queued.has(r.instructionId)) return;
    this.queued.add(r.instructionId);
    this.queue.push(r);
    this.pump();
  }

  private pump(): void {
    const max = this.options.concurrency ?? 8;
    while (this.workers < max && this.queue.length > 0) {
      const r = this.queue.shift()!;
      this.workers++;
      this.track(this.deliver(r).finally(() => {
        this.workers--;
        this.queued.delete(r.instructionId);
        this.pump();
      }));
    }
  }

  private deliver(r: InstructionRow): Promise<void> {
    if (this.options.ledger === undefined) return this.send(r);
    const keys = [r.payerAccount, r.payeeAccount].filter((a) => a !== null).map((a) => accountActorOf(a, r.currency));
    return this.accountLock.run(keys, () => this.send(r));
  }

  /** Resolves when a booking of `uetr` has been journaled on each of `actors`, or after `ms`. */
  private bookedOn(uetr: string, actors: readonly string[], ms: number): Promise<void> {
    if (actors.length === 0) return Promise.resolve();
    return new Promise((resolve) => {
      const timer = setTimeout(finish, ms);
      timer.unref?.();
      const waiting = { remaining: new Set(actors), resolve: finish };
      const self = this;
      function finish(): void {
        clearTimeout(timer);
        if (self.legs.get(uetr) === waiting) self.legs.delete(uetr);
        resolve();
      }
      this.legs.set(uetr, waiting);
    });
  }

  private async send(r: InstructionRow): Promise<void> {
    const instruction: SettlementInstruction = {
      idempotencyKey: r.instructionId,
      messageType: r.messageType,
      xml: r.document!,
      from: r.payerAccount!,
      to: r.payeeAccount!,
      currency: r.currency,
      amount: r.amount,
      endToEndId: r.endToEndId,
      uetr: r.uetr,
    };
    const bank = r.bank!;
    const ledger = this.options.ledger;
    const posted = ledger === undefined ? [] : await this.postLedger(r, ledger);
    if (posted === null) return;
    const booked = this.bookedOn(r.uetr.toLowerCase(), posted, this.options.bookingWaitMs ?? 10_000);
    const o = await this.calls.submit(bank, instruction);
    this.metrics.calls.inc({ bank, outcome: o.kind === 'answered' ? o.answer.status : o.kind === 'refused' ? o.error.code : o.code }, 1);
    if (o.attempts > 1) this.metrics.calls.inc({ bank, outcome: 'RETRIED' }, o.attempts - 1);
    const patch = { attempts: o.attempts, inDoubt: o.inDoubt };
    let row: InstructionRow | null;
    if (o.kind === 'answered' && o.answer.status === 'ACCEPTED') {
      row = await this.store.transition(r.instructionId, 'SENT', ['PENDING'], { ...patch, bankReference: o.answer.bankReference });
      if (row !== null) this.watch(row);
    } else if (o.kind === 'answered') {
      const why = o.answer.reason === undefined ? 'no reason given' : `${o.answer.reason.code}: ${o.answer.reason.message}`;
      row = await this.store.transition(r.instructionId, 'FAILED', ['PENDING'], { ...patch, bankReference: o.answer.bankReference, reason: `REJECTED by the bank: ${why}` });
    } else if (o.kind === 'refused') {
      row = await this.store.transition(r.instructionId, 'FAILED', ['PENDING'], { ...patch, reason: `${o.error.code}: ${o.error.message}` });
    } else {
      const doubt = o.inDoubt ? '; IN DOUBT: a TIMEOUT may have been booked, the same idempotency key will tell' : '';
      row = await this.store.transition(r.instructionId, 'RETRY_NEXT_WINDOW', ['PENDING'], { ...patch, reason: `${o.code}: ${o.message}${doubt}` });
      if (row !== null) this.alert('retry_next_window', `instruction ${r.instructionId} (${r.amount.toFixed()} ${r.currency} ${r.payer} → ${r.payee}) not final after its retries: ${o.code}${doubt}`, { id: r.instructionId, bank, inDoubt: o.inDoubt });
    }
    if (row === null) await this.store.recordAttempts(r.instructionId, o.attempts, o.inDoubt);
    else {
      // Not booked for certain: deltran's books take the movement back (ledger.ts).
      if (ledger !== undefined && row.status !== 'SENT' && !o.inDoubt) {
        const undone = await ledger.reverse(row);
        if (!undone.ok) this.alert('ledger_reversal', `instruction ${row.instructionId}: ${undone.reason}`, { id: row.instructionId });
      }
      this.emit(row);
    }
    // The next instruction on these accounts waits for this one's bookings (ledger.ts).
    if (row?.status === 'SENT' || (row === null && o.kind === 'answered' && o.answer.status === 'ACCEPTED')) await booked;
    else this.legs.get(r.uetr.toLowerCase())?.resolve();
  }

  /** The accounts posted, or null when the instruction is not sent now (refused: FAILED; busy: still PENDING). */
  private async postLedger(r: InstructionRow, ledger: SettlementLedger): Promise<readonly string[] | null> {
    const posted = await ledger.post(r);
    if (posted.ok) return posted.actors;
    if (!posted.final) {
      // Still PENDING and unsent: the next settle() or resume() posts (idempotently) and sends it.
      this.log('warn', `instruction ${r.instructionId} not sent yet: ${posted.reason}`, { id: r.instructionId });
      return null;
    }
    const refused = await this.store.transition(r.instructionId, 'FAILED', ['PENDING'], { reason: `NOT_SENT: ${posted.reason}` });
    if (refused !== null) this.emit(refused);
    return null;
  }

  private emit(row: InstructionRow): void {
    this.metrics.transitions.inc({ status: row.status });
    const u = updateOf(row);
    for (const l of this.listeners) {
      try {
        l(u);
      } catch (err) {
        this.log('error', `settlement update listener failed for ${row.instructionId}`, { err: String(err) });
      }
    }
  }

  private alert(kind: string, message: string, detail: Record<string, unknown> = {}): void {
    this.metrics.alerts.inc({ kind });
    this.log('warn', `ALERT settlement ${kind}: ${message}`, { alert: kind, ...detail });
  }

  private breakerChanged(bank: string, state: BreakerState): void {
    this.log(state === 'closed' ? 'info' : 'warn', `settlement bank ${bank}: circuit breaker ${state}`, { bank, breaker: state });
  }

  private track<T>(p: Promise<T>): void {
    const tracked = p.catch((err: unknown) => this.log('error', 'settlement background work failed', { err: err instanceof Error ? err.stack ?? err.message : String(err) }));
    this.pending.add(tracked);
    void tracked.finally(() => this.pending.delete(tracked));
  }
}

function updateOf(r: InstructionRow): InstructionUpdate {
  return {
    windowId: r.windowId,
    instructionId: r.instructionId,
    status: r.status,
    ...(r.bankReference === null ? {} : { bankReference: r.bankReference }),
    ...(r.reason === null ? {} : { reason: r.reason }),
  };
}

const defaultLog: SettlementLog = (level, message, detail) => {
  if (level !== 'info') console.error(`[settlement] ${level}: ${message}${detail === undefined ? '' : ` ${JSON.stringify(detail)}`}`);
};
