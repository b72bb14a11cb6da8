// Reconciliation in the running service (issue 4), in one place so that adapters/service.ts only
// wires it:
//
//   open    (before the account actors exist, like the backing figure) the balance index from the
//           journal (every account's ledger, bank figure, level, breaker) and the account directory.
//   hook    `onAccountApplied` (after the token hook): the index moves by each durable event, tier-1
//           and tier-3 checks are counted, the default mock bank books what deltran heard, and a
//           client_funds bank debit that leaves tokens outstanding above the fiat trips the
//           currency's token breaker.
//   tier 1  `camt054` (the seed's JSON): one RecordBankEntry, the comparison on the state after it.
//   tier 2  `runTier2` (actors/reconciliation/tier2.ts) now, and every N minutes from `start`.
//   reads   breakers, health and summary (reconciliation/report.ts) from the index, the token
//           ledgers and the discrepancy table; accounts named by id, number or IBAN through the
//           directory (reconciliation/directory.ts).
//
// The bank: a BankClient per bank_id (`banks`), else the mock bank. The default mock stands for
// the bank deltran hears from: it is seeded with each account's bank figure and books every move
// of that figure deltran journals (booked entries, statement balances), without notifying; so in
// a setup with no real bank, tier 2 agrees with tiers 1 and 3 until something moves the mock
// behind deltran's back (`drift`, a lost notification): which is exactly what tier 2 must catch.
// A real bank's client is never fed anything.

import BigNumber from 'bignumber.js';
import { performance } from 'node:perf_hooks';
import type { Accounts, AccountOutcome } from '../actors/account/actor.ts';
import type { RecordBankEntryCommand } from '../actors/account/commands.ts';
import type { AccountEvent } from '../actors/account/events.ts';
import { type OpenAccount, type ReconciliationStatus } from '../actors/account/model.ts';
import { STATUS_OF } from '../actors/account/reconciliation.ts';
import { BalanceIndex, type Figures, type FiguresChange } from '../actors/reconciliation/balance-index.ts';
import { compareBalances, THRESHOLDS_DEFAULT, type Comparison, type ThresholdLevel, type Thresholds } from '../actors/reconciliation/thresholds.ts';
import { bankRefOf, Tier2, type Tier2Result } from '../actors/reconciliation/tier2.ts';
import { tokenActorId } from '../actors/tokens/model.ts';
import { ZERO } from '../actors/money.ts';
import type { BankClient } from './bank/client.ts';
import { MockBank } from './bank/mock-bank.ts';
import type { Database } from './db/database.ts';
import { breakerSince, loadDirectory, loadFigures, openDiscrepancies, type DirectoryEntry } from './db/reconciliation-queries.ts';
import { AccountDirectory, actorOf, type DirectoryMiss } from './reconciliation/directory.ts';
import { healthOf, summaryOf } from './reconciliation/report.ts';
import { live } from './http/accounts.ts';
import type { TokenService } from './token-service.ts';
import type { Registry } from 'prom-client';
import { reconciliationMetrics, type ReconciliationMetrics } from './http/reconciliation-metrics.ts';

export const TIER2_INTERVAL_MIN = { min: 15, max: 60, default: 30 } as const;

export interface ReconciliationOptions {
  readonly thresholds?: Thresholds | undefined;
  /** Minutes between tier-2 runs (15–60), first run at start; 'off': on demand only. */
  readonly tier2IntervalMin?: number | 'off' | undefined;
  /** A client per bank_id; an account whose bank has none is reported NO_BANK_CLIENT. */
  readonly banks?: ReadonlyMap<string, BankClient> | undefined;
  /** The mock bank to use when `banks` is not given (tests pass one with faults); default a fault-free one. */
  readonly mockBank?: MockBank | undefined;
  /** Bank calls in flight during a tier-2 run. Default 256. */
  readonly tier2Concurrency?: number | undefined;
}

/** RECON_TIER2_INTERVAL_MIN: a number of minutes (15–60) or 'off'; undefined when unset. */
export function tier2IntervalFromEnv(env: NodeJS.ProcessEnv = process.env): number | 'off' | undefined {
  const raw = env['RECON_TIER2_INTERVAL_MIN']?.trim();
  if (raw === undefined || raw === '') return undefined;
  if (raw === 'off') return 'off';
  return checkInterval(Number(raw));
}

function checkInterval(n: number): number {
  if (!Number.isInteger(n) || n < TIER2_INTERVAL_MIN.min || n > TIER2_INTERVAL_MIN.max) {
    throw new RangeError(`RECON_TIER2_INTERVAL_MIN must be ${TIER2_INTERVAL_MIN.min} to ${TIER2_INTERVAL_MIN.max} minutes or "off", got ${n}`);
  }
  return n;
}

/** The seed's camt.054 JSON, validated. */
export interface Camt054Json {
  readonly messageId: string;
  readonly accountId: string;
  readonly currency: string;
  readonly direction: 'CRDT' | 'DBIT';
  readonly amount: BigNumber;
  readonly creationDateTime: string;
  readonly bankReference: string | null;
  readonly endToEndId: string | null;
  readonly bookingDate: string | null;
}

export interface Tier1Result {
  readonly account: DirectoryEntry;
  readonly outcome: 'appended' | 'duplicate';
  readonly comparison: Comparison;
  readonly breakerOpen: boolean;
  readonly actionTaken: 'NONE' | 'DISCREPANCY_RECORDED' | 'PAYOUTS_SUSPENDED' | 'CIRCUIT_BREAKER_TRIPPED';
}

export type Tier1Answer =
  | { readonly ok: true; readonly result: Tier1Result }
  | { readonly ok: false; readonly status: number; readonly code: string; readonly message: string; readonly outcome?: AccountOutcome };

export interface BreakerView {
  readonly scope: string;
  readonly kind: 'account' | 'currency';
  readonly reason: string | null;
  readonly since: string | null;
  readonly account_id?: string;
  readonly currency: string;
}

const ACTION: Readonly<Record<ThresholdLevel, Tier1Result['actionTaken']>> = {
  Ok: 'NONE', Minor: 'DISCREPANCY_RECORDED', Significant: 'PAYOUTS_SUSPENDED', Critical: 'CIRCUIT_BREAKER_TRIPPED',
};

export class ReconciliationService {
  readonly thresholds: Thresholds;
  readonly tier2: Tier2;
  /** The mock bank in use when no real clients are configured; null otherwise. */
  readonly mock: MockBank | null;
  readonly tier2IntervalMin: number | 'off';
  private accounts: Accounts | undefined;
  private readonly directory: AccountDirectory;
  private metrics: ReconciliationMetrics | undefined;
  private running: Promise<Tier2Result> | null = null;
  private timer: NodeJS.Timeout | undefined;
  private readonly tripping = new Set<string>();
  /** The last tier-2 result (the health and summary show when it ran and what it found). */
  last: Tier2Result | null = null;
  report: (what: string, err: unknown) => void = () => {};
  log: (msg: string, fields?: object) => void = () => {};

  static async open(db: Database, tokens: TokenService, options: ReconciliationOptions = {}): Promise<ReconciliationService> {
    const started = Date.now();
    const [figures, directory] = await Promise.all([loadFigures(db), loadDirectory(db)]);
    return new ReconciliationService(db, tokens, options, figures, directory, Date.now() - started);
  }

  readonly index: BalanceIndex;

  private constructor(
    private readonly db: Database,
    private readonly tokens: TokenService,
    private readonly options: ReconciliationOptions,
    figures: readonly Figures[],
    directory: readonly DirectoryEntry[],
    /** Milliseconds the start-up scan took (for the log). */
    readonly loadMs: number,
  ) {
    this.thresholds = options.thresholds ?? THRESHOLDS_DEFAULT;
    const interval = options.tier2IntervalMin;
    this.tier2IntervalMin = interval === undefined || interval === 'off' ? 'off' : checkInterval(interval);
    this.tier2 = new Tier2({ thresholds: this.thresholds, concurrency: options.tier2Concurrency });
    this.index = new BalanceIndex(figures, (actor, expected, got) => this.report(`balance index: ${actor} jumped from seq ${expected - 1} to ${got}`, null));
    // Five weeks of bookings: statements of any recent day, memory bounded in a long run.
    this.mock = options.banks === undefined ? (options.mockBank ?? new MockBank({ retainDays: 35 })) : null;
    this.directory = new AccountDirectory(db, directory);
    if (this.mock !== null) for (const f of figures) this.seedMock(f);
  }

  /** The account actors, once they exist (they need this service's hook first). */
  attach(accounts: Accounts): void {
    this.accounts = accounts;
  }

  instrument(registry: Registry): void {
    this.metrics = reconciliationMetrics(registry, this);
  }

  // ---- the hook -------------------------------------------------------------------------------

  /** Pass as part of the accounts' `onApplied`, after the token hook. Never throws. */
  readonly onAccountApplied = (actorId: string, seq: number, events: readonly AccountEvent[]): void => {
    try {
      this.index.observe(actorId, seq, events, this.changed);
    } catch (err) {
      this.report(`reconciliation hook for ${actorId} at seq ${seq}`, err);
    }
  };

  private readonly changed = (c: FiguresChange, event: AccountEvent): void => {
    const f = c.figures;
    if (c.opened) {
      if (this.mock !== null) this.seedMock(f);
      return;
    }
    if (event.type === 'BankEntryBooked' || event.type === 'PayInMatched') this.metrics?.checks.inc({ tier: '1', status: f.status });
    else if (event.type === 'StatementReconciled') this.metrics?.checks.inc({ tier: '3', status: f.status });
    if (c.bankBefore !== f.bank) {
      // A booking the mock made itself (a settlement leg it notified) is already in its books.
      if (this.mock !== null && !this.bookedByMock(event)) this.mirror(f, f.bank.minus(c.bankBefore));
      if (f.type === 'client_funds' && f.bank.isLessThan(c.bankBefore)) this.checkBacking(f.ref.currency);
    }
  };

  private bookedByMock(event: AccountEvent): boolean {
    if (event.type !== 'BankEntryBooked' && event.type !== 'PayInMatched') return false;
    return event.entry.accountServicerReference?.startsWith(this.mock!.name) === true;
  }

  private seedMock(f: Figures): void {
    const ref = bankRefOf(f.ref);
    // Settlement accounts are where the mock books settlement legs: those it notifies, as a bank
    // notifies its customer; every other account only mirrors what deltran heard.
    const opened = this.mock!.openAccount(ref, { opening: BigNumber.max(f.bank, 0), notify: f.type === 'settlement' });
    // A test IBAN failing mod-97 is not an account a bank could keep; tier 2 reports it ACCOUNT_UNKNOWN.
    if (opened.ok && f.bank.isNegative()) this.mock!.drift(ref, f.bank);
  }

  private mirror(f: Figures, delta: BigNumber): void {
    if (delta.isZero()) return;
    const r = this.mock!.drift(bankRefOf(f.ref), delta);
    if (!r.ok && r.error.code !== 'ACCOUNT_UNKNOWN') this.report(`mock bank: ${f.actor} not moved by ${delta.toFixed()}: ${r.error.message}`, null);
  }

  // ---- the currency scope -----------------------------------------------------------------------

  /** Tokens outstanding and the fiat behind them (by bank: what mints are checked against; by ledger). */
  backingOf(currency: string): { outstanding: BigNumber; byBank: BigNumber; byLedger: BigNumber; breakerOpen: boolean; breakerReason: string | null } {
    const ledger = this.tokens.tokens.ledger(currency)?.state ?? null;
    let byLedger = ZERO;
    for (const f of this.index.values()) if (f.type === 'client_funds' && f.ref.currency === currency) byLedger = byLedger.plus(f.ledger);
    return {
      outstanding: ledger?.outstanding ?? ZERO,
      byBank: this.tokens.backing.of(currency),
      byLedger,
      breakerOpen: ledger?.breaker.open ?? false,
      breakerReason: ledger?.breaker.reason ?? null,
    };
  }

  /**
   * Trips the currency's token breaker when its tokens outstanding exceed the client funds the
   * bank reports (the accepted race of backing.ts: a bank debit after a mint). Mints were already
   * refused by the backing rule; the breaker also stops transfers and conversions out, and stays
   * until an operator resets it with the backing whole again.
   */
  checkBacking(currency: string): void {
    const ledger = this.tokens.tokens.ledger(currency)?.state;
    if (ledger === undefined || ledger === null || ledger.breaker.open || this.tripping.has(currency)) return;
    const backing = this.tokens.backing.of(currency);
    if (ledger.outstanding.isLessThanOrEqualTo(backing)) return;
    this.tripping.add(currency);
    const reason = `backing short: ${ledger.outstanding.toFixed()} ${currency} tokens outstanding, ${backing.toFixed()} in client funds`;
    this.log('currency breaker tripping', { currency, reason });
    void this.tokens.tokens.send({ type: 'TripBreaker', currency, messageId: `recon:backing:${Date.now()}`, reason })
      .then((o) => { if (o.status !== 'appended' && o.status !== 'duplicate') this.report(`currency breaker ${currency} not tripped: ${JSON.stringify(o)}`, null); })
      .finally(() => this.tripping.delete(currency));
  }

  // ---- tier 1 -----------------------------------------------------------------------------------

  /**
   * The seed's camt.054 JSON as one booked entry: the same RecordBankEntry the XML path makes,
   * its identity `camt054:<message_id>#<bank_reference>` (a duplicate changes nothing and answers
   * the comparison as it stands), then the comparison of the account's state after it.
   */
  async camt054(n: Camt054Json): Promise<Tier1Answer> {
    const accounts = this.accounts!;
    const found = await this.resolve(n.accountId, n.currency);
    if ('code' in found) return { ok: false, ...found };
    const actor = actorOf(found);
    const reference = n.bankReference;
    const command: RecordBankEntryCommand = {
      type: 'RecordBankEntry',
      messageId: reference === null ? `camt054:${n.messageId}` : `camt054:${n.messageId}#${reference}`,
      currency: n.currency,
      status: 'BOOK',
      entry: {
        // As bank-entry.ts keys it: the bank's reference, else the message identity.
        key: reference ?? n.messageId,
        amount: n.amount,
        direction: n.direction,
        reversal: false,
        endToEndId: n.endToEndId,
        uetr: null,
        accountServicerReference: reference,
        bookingDate: n.bookingDate,
      },
    };
    const outcome = await accounts.send(actor, command);
    if (outcome.status === 'rejected') return { ok: false, status: 400, code: outcome.rejection.code, message: outcome.rejection.message, outcome };
    if (outcome.status !== 'appended' && outcome.status !== 'duplicate') return { ok: false, status: 503, code: outcome.code, message: 'busy, send the same notification again', outcome };
    // Published before the outcome settles; `live` reloads an account evicted in between.
    const published = accounts.state(actor);
    const state = (published?.state ?? (await live(accounts, actor))?.state) as OpenAccount | null | undefined;
    if (state === null || state === undefined || state.status !== 'open') return { ok: false, status: 503, code: 'RETRY', message: 'account state not available, send again' };
    const comparison = compareBalances(state.ledger, state.bank, this.thresholds);
    return {
      ok: true,
      result: { account: found, outcome: outcome.status, comparison, breakerOpen: state.breaker.open, actionTaken: ACTION[comparison.level] },
    };
  }

  /** Observes one tier-1 latency (arrival → result), for the histogram. */
  observeLatency(tier: '1' | '2', seconds: number): void {
    this.metrics?.latency.observe({ tier }, seconds);
  }

  // ---- tier 2 -----------------------------------------------------------------------------------

  /** Runs tier 2 now over every account, or over `actors`; a run in progress is shared, not doubled. */
  async runTier2(actors?: readonly string[]): Promise<Tier2Result> {
    if (actors === undefined && this.running !== null) return this.running;
    const run = this.doRun(actors);
    if (actors === undefined) {
      this.running = run;
      void run.finally(() => { this.running = null; }).catch(() => undefined);
    }
    return run;
  }

  private async doRun(actors?: readonly string[]): Promise<Tier2Result> {
    const accounts = this.accounts!;
    const list = actors === undefined ? [...this.index.values()] : actors.map((a) => this.index.get(a)).filter((f) => f !== undefined);
    // Accounts opened since the directory was read (their rows need the uuid): one reload at most.
    await this.ensureDirectory(list.map((f) => f.actor));
    const t0 = performance.now();
    const result = await this.tier2.run(list, {
      bankOf: (f) => this.options.banks === undefined ? this.mock! : this.options.banks.get(this.directory.of(f.actor)?.bankId ?? ''),
      observe: (actor, command) => accounts.send(actor, command),
    });
    this.observeLatency('2', (performance.now() - t0) / 1000);
    for (const row of result.rows) {
      this.metrics?.checks.inc({ tier: '2', status: row.comparison === null ? 'UNAVAILABLE' : STATUS_OF[row.comparison.level] });
    }
    if (actors === undefined) {
      this.last = result;
      const drifting = result.rows.filter((r) => r.trend?.drifting === true);
      this.metrics?.drifting.set(drifting.length);
      if (drifting.length > 0) {
        this.log('tier 2: accounts drifting toward a worse level', {
          drifting: drifting.length,
          first: drifting.slice(0, 10).map((r) => ({ account: r.figures.actor, level: r.trend!.current, projected: r.trend!.projected })),
        });
      }
      for (const currency of this.tokens.backing.currencies()) this.checkBacking(currency);
    }
    return result;
  }

  /** Starts the loop (first run now) when an interval is configured. */
  start(): void {
    if (this.tier2IntervalMin === 'off' || this.timer !== undefined) return;
    const tick = () => {
      this.runTier2().then(
        (r) => this.log('tier 2 run', { accounts: r.counts.checked, durationMs: r.durationMs, ...r.counts }),
        (err: unknown) => this.report('tier 2 run failed', err),
      );
    };
    tick();
    this.timer = setInterval(tick, this.tier2IntervalMin * 60_000);
    this.timer.unref();
  }

  /** Stops the loop and waits for a run in progress (before the actors stop). */
  async stop(): Promise<void> {
    if (this.timer !== undefined) clearInterval(this.timer);
    this.timer = undefined;
    await this.running?.catch(() => undefined);
  }

  // ---- breakers ---------------------------------------------------------------------------------

  async breakers(): Promise<BreakerView[]> {
    await this.ensureDirectory(this.openAccountBreakers());
    const open: { actor: string; view: Omit<BreakerView, 'since'> }[] = [];
    for (const f of this.index.values()) {
      if (!f.breakerOpen) continue;
      const d = this.directory.of(f.actor);
      const s = this.accounts?.state(f.actor)?.state as OpenAccount | null | undefined;
      open.push({
        actor: f.actor,
        view: { scope: `account:${d?.id ?? f.actor}`, kind: 'account', reason: s?.breaker.reason ?? null, account_id: d?.id ?? f.actor, currency: f.ref.currency },
      });
    }
    for (const p of this.tokens.tokens.ledgers()) {
      if (p.state === null || !p.state.breaker.open) continue;
      open.push({ actor: tokenActorId(p.state.currency), view: { scope: `currency:${p.state.currency}`, kind: 'currency', reason: p.state.breaker.reason, currency: p.state.currency } });
    }
    const since = await breakerSince(this.db, open.map((o) => o.actor));
    // The reason of an account not loaded is in its journal, not in the index: read it there.
    const missing = open.filter((o) => o.view.reason === null && o.view.kind === 'account').map((o) => o.actor);
    const reasons = missing.length === 0 ? new Map<string, string>() : await this.tripReasons(missing);
    return open.map((o) => ({ ...o.view, reason: o.view.reason ?? reasons.get(o.actor) ?? null, since: since.get(o.actor)?.toISOString() ?? null }));
  }

  private async tripReasons(actors: readonly string[]): Promise<Map<string, string>> {
    const out = new Map<string, string>();
    for (const actor of actors) {
      const p = await live(this.accounts!, actor);
      const s = p?.state;
      if (s !== null && s !== undefined && s.status === 'open' && s.breaker.reason !== null) out.set(actor, s.breaker.reason);
    }
    return out;
  }

  /**
   * Resets one breaker. Account scope: ResetBreaker to the actor, which refuses unless the account
   * is back within Minor (RECONCILIATION_OUT_OF_RANGE → 409). Currency scope: only when the tokens
   * outstanding are within the client funds the bank reports (else 409 BACKING_SHORT).
   */
  async resetBreaker(scope: string, reason: string, key: string): Promise<{ status: number; code?: string; message?: string; changed?: boolean }> {
    const [kind, ...rest] = scope.split(':');
    const id = rest.join(':');
    if (kind === 'currency') {
      if (!/^[A-Z]{3}$/.test(id)) return { status: 400, code: 'VALIDATION_FAILED', message: `${scope}: a currency scope is currency:<ISO 4217>` };
      const b = this.backingOf(id);
      if (!b.breakerOpen) return { status: 200, changed: false };
      if (b.outstanding.isGreaterThan(b.byBank)) {
        return { status: 409, code: 'BACKING_SHORT', message: `${id}: ${b.outstanding.toFixed()} tokens outstanding, ${b.byBank.toFixed()} in client funds; fund or burn first` };
      }
      const o = await this.tokens.tokens.send({ type: 'ResetBreaker', currency: id, messageId: `http:reset:${key}`, reason });
      if (o.status === 'appended' || o.status === 'duplicate') return { status: 200, changed: o.status === 'appended' };
      if (o.status === 'rejected') return { status: 422, code: o.rejection.code, message: o.rejection.message };
      return { status: 503, code: o.code, message: 'busy, send the same reset again' };
    }
    if (kind !== 'account') return { status: 400, code: 'VALIDATION_FAILED', message: `${scope}: the scope is account:<id> or currency:<CCY>` };
    const entry = this.directory.cached(id) ?? (await this.resolveById(id));
    const actor = entry === undefined ? (this.index.get(id) === undefined ? undefined : id) : actorOf(entry);
    if (actor === undefined) return { status: 404, code: 'ACCOUNT_UNKNOWN', message: `no account ${id}` };
    if (this.index.get(actor)?.breakerOpen === false) return { status: 200, changed: false };
    const o = await this.accounts!.send(actor, { type: 'ResetBreaker', messageId: `http:reset:${key}`, reason });
    if (o.status === 'appended' || o.status === 'duplicate') {
      this.tier2.forget(actor);
      return { status: 200, changed: o.status === 'appended' };
    }
    if (o.status === 'rejected') return { status: o.rejection.code === 'RECONCILIATION_OUT_OF_RANGE' ? 409 : 422, code: o.rejection.code, message: o.rejection.message };
    return { status: 503, code: o.code, message: 'busy, send the same reset again' };
  }

  // ---- health and summary -----------------------------------------------------------------------

  /** Currencies with client_funds accounts or a token ledger. */
  currencies(): string[] {
    const out = new Set(this.tokens.backing.currencies());
    for (const p of this.tokens.tokens.ledgers()) if (p.state !== null) out.add(p.state.currency);
    return [...out].sort();
  }

  /** Currencies whose token breaker is open. */
  currencyBreakers(): string[] {
    return this.tokens.tokens.ledgers().filter((p) => p.state?.breaker.open === true).map((p) => p.state!.currency).sort();
  }

  openDiscrepancies(): Promise<Map<string, number>> {
    return openDiscrepancies(this.db);
  }

  health() {
    return healthOf(this);
  }

  summary() {
    return summaryOf(this);
  }

  levels(): Record<ReconciliationStatus, number> & { breakers: number } {
    const out = { ...emptyLevels(), breakers: 0 };
    for (const f of this.index.values()) {
      out[f.status]++;
      if (f.breakerOpen) out.breakers++;
    }
    return out;
  }

  /** The directory entry of an actor (uuid, account number), when known. */
  directoryOf(actor: string): DirectoryEntry | undefined {
    return this.directory.of(actor);
  }

  /** The account a notification names: its uuid, account number or IBAN, in that currency. */
  resolve(accountId: string, currency: string): Promise<DirectoryEntry | DirectoryMiss> {
    return this.directory.resolve(accountId, currency);
  }

  resolveById(id: string): Promise<DirectoryEntry | undefined> {
    return this.directory.resolveById(id);
  }

  /** Actors whose account breaker is open. */
  openAccountBreakers(): string[] {
    const out: string[] = [];
    for (const f of this.index.values()) if (f.breakerOpen) out.push(f.actor);
    return out;
  }

  /** Reloads the directory once when any of `actors` is not in it (opened since it was read). */
  ensureDirectory(actors: readonly string[]): Promise<void> {
    return this.directory.ensure(actors);
  }
}

export { actorOf };

export function emptyLevels(): Record<ReconciliationStatus, number> {
  return { UNCHECKED: 0, OK: 0, MINOR: 0, SIGNIFICANT: 0, CRITICAL: 0 };
}
