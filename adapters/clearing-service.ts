// The clearing engine of the running service (issue 5): the supervisor of the clearing windows.
//
//   accept   a batch of obligations (the JSON endpoint, the ISO 20022 intake): each is checked in
//            order (identity, payer and payee registered and ACTIVE, ISO 4217 currency, amount > 0
//            within the minor units, payer ≠ payee, neither breaker-open, not a duplicate ever, the
//            optional risk `guard`), then the accepted ones go, grouped by corridor, into the window
//            open at arrival: ONE ObligationsBatched event per corridor per batch, durable before
//            any verdict is answered. The window's book (actors/clearing/window-book.ts) moves with
//            each durable batch: positions, gross and bilateral net per currency, in minor units.
//   close    at the cut-off (schedule.ts; CLEARING_SCHEDULE, CLEARING_GRACE_MS) or on demand: later
//            arrivals go to the next window, the window waits for its in-flight batches, records
//            CLOSING and NETTING, nets its book under limits (capacity = token balance + debit
//            cap), and records the result, one event (WindowNetted): from then on it is SETTLING
//            and the instructions are durable. Then its corridors are fenced (ClearingWindowClosed).
//   settle   the Settler gets the window's plans (again after any restart: it is idempotent); its
//            updates become InstructionsUpdated events of the window; RETRY_NEXT_WINDOW
//            instructions and the excluded obligations roll into the open window as carried
//            obligations (debtor → creditor, so netting stays consistent), with an alert (log +
//            deltran_clearing_rolled_over_total); COMPLETED when everything is final and carried.
//   resume   at start, every window whose row is not finished (clearing_windows) is loaded from
//            its actor: OPEN/CLOSING/NETTING refill their book from the journal (netting is then
//            redone from that durable input), SETTLING hands the same plans to the settler again
//            and catches up its statuses, and the read models are projected again.
//
// Duplicates forever: an obligation id is looked up in memory first (every id of the windows whose
// obligations are not yet in the `obligations` table: loaded at start from their batches), then in
// `obligations` (source_message is UNIQUE), one query per batch for the ids memory does not know.
// A window's ids leave memory only once its projection into `obligations` has committed.
//
// The read models (clearing_windows, net_positions, settlement_instructions, obligations) are
// written after the events, in the background (one queue), and rewritten at start for every window
// that is not finished: the API reads the window actors, not the tables.

import BigNumber from 'bignumber.js';
import { createHash, randomUUID } from 'node:crypto';
import { Corridors } from '../actors/corridor/actor.ts';
import { corridorActorId, corridorKey } from '../actors/corridor/model.ts';
import type { Journal } from '../actors/journal.ts';
import type {
  InstructionPlan, InstructionUpdate, ObligationInput, ObligationIntake, ObligationOrigin, ObligationRejectCode, ObligationVerdict, Settler, StatusReports,
} from '../actors/clearing/ports.ts';
import { DEFAULT_SCHEDULE, nextWindow, parseSchedule, parseWindowId, windowAt, type Schedule, type WindowBounds } from '../actors/clearing/schedule.ts';
import { Participants, WindowBook, type BookInput, type BookedObligation } from '../actors/clearing/window-book.ts';
import { Windows } from '../actors/clearing/window/actor.ts';
import type { WindowCommand } from '../actors/clearing/window/commands.ts';
import type { InstructionChange, WindowEvent } from '../actors/clearing/window/events.ts';
import { instructionId, isFinal, RETRY_NEXT_WINDOW, windowActorId, type NettingResult, type WindowState } from '../actors/clearing/window/model.ts';
import type { Outcome } from '../actors/runtime/outcome.ts';
import { minorUnits } from '../streams/iso20022/money.ts';
import type { Database } from './db/database.ts';
import { ClearingCounters } from './clearing/metrics.ts';
import { ParticipantRegistry } from './clearing/registry.ts';
import { warmNetting } from './clearing/warm-up.ts';
import {
  ensureWindowRow, finishObligations, lastClosedWindow, loadBatches, projectChanges, projectedIds, projectObligations, projectWindow, unfinishedWindows,
} from './clearing/store.ts';
import type { Registry } from 'prom-client';

/** A refusal from the risk engine's hard limits (or any other pre-trade check). */
export interface GuardRejection {
  readonly code?: ObligationRejectCode;
  readonly message: string;
}

export interface ClearingServiceOptions {
  readonly db: Database;
  /** The process's shared GroupCommitter. */
  readonly journal: Journal;
  /** The service's corridor actors (shared with the inspection routes); default: its own. */
  readonly corridors?: Corridors | undefined;
  /** Default: CLEARING_SCHEDULE ("00:00,06:00,12:00,18:00") and CLEARING_GRACE_MS (30,000). */
  readonly schedule?: Schedule | undefined;
  /** ms since the epoch; tests inject a clock. */
  readonly now?: (() => number) | undefined;
  /** Close windows by themselves at their cut-off. Default true; tests call `tick()` instead. */
  readonly timers?: boolean | undefined;
  /** Pays the instructions of netted windows; without one a window stays in SETTLING. */
  readonly settler?: Settler | undefined;
  /** pacs.002 to the senders of obligations that came with an origin (ISO 20022 messages). */
  readonly reports?: StatusReports | undefined;
  /** A participant's token balance in a currency (capacity = tokens + debit cap); default none. */
  readonly tokenBalance?: ((participant: string, currency: string) => BigNumber | undefined) | undefined;
  /** Whether an account actor's breaker is open (the reconciliation index); default never. */
  readonly accountBreakerOpen?: ((accountActor: string) => boolean) | undefined;
  /** Last check of an obligation, after every other (the risk engine's hard limits). */
  readonly guard?: ((obligation: ObligationInput) => GuardRejection | null) | undefined;
  /** Registry refresh period (accounts opened since the last one). Default 60 s; 0: never. */
  readonly refreshEveryMs?: number | undefined;
  /** Compile the netting kernel at start (warm-up.ts), off the critical path. Default: when `timers` is on. */
  readonly warmUp?: boolean | undefined;
  readonly log?: ((level: 'info' | 'warn' | 'error', msg: string, fields?: object) => void) | undefined;
}

/** CLEARING_SCHEDULE and CLEARING_GRACE_MS, else the default (00:00, 06:00, 12:00, 18:00 UTC; 30 s). */
export function scheduleFromEnv(env: NodeJS.ProcessEnv = process.env): Schedule {
  const text = env['CLEARING_SCHEDULE']?.trim();
  const graceText = env['CLEARING_GRACE_MS']?.trim();
  const grace = graceText === undefined || graceText === '' ? DEFAULT_SCHEDULE.graceMs : Number(graceText);
  return text === undefined || text === '' ? parseSchedule('00:00,06:00,12:00,18:00', grace) : parseSchedule(text, grace);
}

/** The journal or an actor stayed busy through the retries: nothing of the failed part is accepted. */
export class ClearingUnavailableError extends Error {
  override readonly name = 'ClearingUnavailableError';
  readonly code = 'CLEARING_UNAVAILABLE';
}

/** One obligation as the JSON endpoint and the ISO 20022 mapping give it: the amount still a decimal string. */
export interface RawObligation {
  readonly id: unknown;
  readonly payer: unknown;
  readonly payee: unknown;
  readonly currency: unknown;
  readonly amount: unknown;
  readonly priority?: number | undefined;
  readonly origin?: ObligationOrigin | undefined;
}

type Rejected = Extract<ObligationVerdict, { status: 'REJECTED' }>;

/** One corridor's share of a batch, columnar (AcceptBatch's shape). */
interface Group {
  readonly currency: string;
  readonly indexes: number[];
  readonly ids: string[];
  readonly payers: string[];
  readonly payees: string[];
  readonly units: bigint[];
  priorities: number[] | null;
  origins: (ObligationOrigin | null)[] | null;
}

interface Entry {
  readonly id: string;
  readonly bounds: WindowBounds;
  readonly book: WindowBook;
  /** Corridor actors holding batches of this window (fenced at close). */
  readonly corridors: Set<string>;
  /** Batches routed here and not yet settled: the close waits for them. */
  inflight: number;
  /** Arrivals go to a later window. */
  closing: boolean;
  drained: (() => void)[];
  /** The window actor is OPEN and its row exists (first batch waits for it). */
  ready: Promise<void> | null;
  /** Netting done or in progress (one at a time). */
  netting: Promise<void> | null;
  /** Its ids are in `obligations`; the book is kept only for reports until the window ends. */
  projected: boolean;
}

/** One corridor's waiting shares of concurrent requests (submit). */
interface Lane {
  sending: boolean;
  readonly waiting: { readonly g: Group; readonly done: (outcome: Outcome<unknown>) => void }[];
}

/** The most obligations one AcceptBatch gathers from waiting shares (the journal row stays bounded). */
const LANE_OBLIGATIONS_MAX = 20_000;

/** The shares of several requests as one, in their order (priorities and origins filled where absent). */
function mergeGroups(groups: readonly Group[]): Group {
  const out: Group = { currency: groups[0]!.currency, indexes: [], ids: [], payers: [], payees: [], units: [], priorities: null, origins: null };
  const anyPriority = groups.some((g) => g.priorities !== null);
  const anyOrigin = groups.some((g) => g.origins !== null);
  if (anyPriority) out.priorities = [];
  if (anyOrigin) out.origins = [];
  for (const g of groups) {
    for (let k = 0; k < g.ids.length; k++) {
      out.ids.push(g.ids[k]!);
      out.payers.push(g.payers[k]!);
      out.payees.push(g.payees[k]!);
      out.units.push(g.units[k]!);
      if (anyPriority) out.priorities!.push(g.priorities?.[k] ?? 0);
      if (anyOrigin) out.origins!.push(g.origins?.[k] ?? null);
    }
  }
  return out;
}

const RETRIES = 6;
const ID_MAX = 140;
const BIC = /^[A-Z0-9]{8}(?:[A-Z0-9]{3})?$/;
const CURRENCY = /^[A-Z]{3}$/;
/** The journal keeps a batch's ids newline-separated (corridor/events.ts). */
const CONTROL = /[\u0000-\u001f\u007f]/;
/** A decimal as the API takes it (unitsOf checks it precisely). */
const AMOUNT = /^\d{1,18}(?:\.\d{1,18})?$/;

export class ClearingService implements ObligationIntake {
  readonly registry: ParticipantRegistry;
  readonly windows: Windows;
  readonly corridors: Corridors;
  readonly counters = new ClearingCounters();
  readonly schedule: Schedule;
  private readonly ownCorridors: boolean;
  private readonly participants = new Participants();
  private readonly entries = new Map<string, Entry>();
  private readonly seen = new Set<string>();
  /** The latest window closed (manually or by schedule): arrivals go after it. */
  private lastClosed: string | null = null;
  private readonly now: () => number;
  private timer: NodeJS.Timeout | undefined;
  private refreshTimer: NodeJS.Timeout | undefined;
  private projection: Promise<void> = Promise.resolve();
  private stopped = false;
  private readonly pendingUpdates = new Map<string, InstructionUpdate[]>();
  private updatesScheduled = false;
  private updating: Promise<void> = Promise.resolve();
  private readonly corridorOf = new Map<string, string>();
  /** Per window and corridor: shares of concurrent requests waiting to be journaled together. */
  private readonly lanes = new Map<string, Lane>();
  private readonly minorOf = new Map<string, number | undefined>();
  private warmTimer: NodeJS.Timeout | undefined;
  /** Corridor fences being written (flushed() and stop() wait for them). */
  private readonly fencing = new Set<Promise<void>>();
  /** When obligations last arrived: the read-model copy yields to them (store.ts). */
  private lastAcceptAt = -Infinity;
  /** Windows resumed at start that are being netted or settled in the background. */
  resumed: Promise<void> = Promise.resolve();

  static async open(options: ClearingServiceOptions): Promise<ClearingService> {
    const service = new ClearingService(options);
    await service.registry.refresh();
    await service.resume();
    if (options.warmUp ?? options.timers !== false) {
      // After start, not during it; a failure costs only a colder first close.
      service.warmTimer = setTimeout(() => {
        try {
          // The real capacity lookup runs too (its answer unused: nobody is short in the warm-up).
          warmNetting((p, c) => (service.capacity()(p, c), 10n ** 18n));
        } catch (err) {
          service.say('warn', 'netting warm-up failed', { err });
        }
      }, 0).unref();
    }
    return service;
  }

  private constructor(private readonly options: ClearingServiceOptions) {
    this.registry = new ParticipantRegistry(options.db);
    this.schedule = options.schedule ?? scheduleFromEnv();
    if (options.log !== undefined) this.log = options.log;
    this.now = options.now ?? Date.now;
    this.ownCorridors = options.corridors === undefined;
    const onError = (actorId: string, what: string, err: unknown) => this.say('warn', `${actorId}: ${what}`, { err });
    this.corridors = options.corridors ?? new Corridors({ journal: options.journal, onError });
    this.windows = new Windows({ journal: options.journal, onError });
    options.settler?.onUpdate((u) => this.onUpdate(u));
    const every = options.refreshEveryMs ?? 60_000;
    if (every > 0) {
      this.refreshTimer = setInterval(() => void this.refreshRegistry(), every);
      this.refreshTimer.unref();
    }
  }

  /** Where the service reports (the service points it at its logger). */
  log: (level: 'info' | 'warn' | 'error', msg: string, fields?: object) => void = () => {};

  private say(level: 'info' | 'warn' | 'error', msg: string, fields?: object): void {
    this.log(level, `clearing: ${msg}`, fields);
  }

  /** Called when a participant registers (participants.ts), and periodically. */
  async refreshRegistry(): Promise<void> {
    try {
      await this.registry.refresh();
    } catch (err) {
      this.say('warn', 'participant registry refresh failed', { err });
    }
  }

  instrument(registry: Registry): void {
    this.counters.instrument(registry, () => {
      const out = new Map<string, number>();
      for (const p of this.windows.all()) {
        const phase = p.state?.phase;
        if (phase === undefined || phase === 'NEW') continue;
        out.set(phase, (out.get(phase) ?? 0) + 1);
      }
      return out;
    });
  }

  // ---- intake -------------------------------------------------------------------------------------

  accept(batch: readonly ObligationInput[]): Promise<ObligationVerdict[]> {
    return this.acceptRaw(batch.map((o) => ({
      id: o.id, payer: o.payer, payee: o.payee, currency: o.currency,
      // toFixed: plain notation, never exponent (a BigNumber of 1e21 prints as 1e+21 otherwise).
      amount: BigNumber.isBigNumber(o.amount) ? o.amount.toFixed() : o.amount, priority: o.priority, origin: o.origin,
    })));
  }

  /** The JSON endpoint's body: `[{id, payer, payee, currency, amount}]`, amounts as decimal strings. */
  acceptJson(body: unknown): Promise<ObligationVerdict[]> {
    if (!Array.isArray(body)) return Promise.reject(new TypeError('send a JSON array of obligations'));
    const items: RawObligation[] = new Array(body.length);
    for (let i = 0; i < body.length; i++) {
      const b = body[i] as Record<string, unknown> | null;
      items[i] = typeof b === 'object' && b !== null && !Array.isArray(b)
        ? { id: b['id'], payer: b['payer'], payee: b['payee'], currency: b['currency'], amount: b['amount'] }
        : { id: undefined, payer: undefined, payee: undefined, currency: undefined, amount: undefined };
    }
    return this.acceptRaw(items);
  }

  async acceptRaw(items: readonly RawObligation[]): Promise<ObligationVerdict[]> {
    if (this.stopped) throw new ClearingUnavailableError('clearing is stopping');
    this.lastAcceptAt = performance.now();
    const n = items.length;
    const verdicts = new Array<ObligationVerdict>(n);
    const units = new Array<bigint>(n);
    const candidates: number[] = [];
    const breakers = new Map<string, boolean>();
    for (let i = 0; i < n; i++) {
      const o = items[i]!;
      const problem = this.check(o, breakers, units, i);
      if (problem !== null) {
        verdicts[i] = problem;
        continue;
      }
      const id = o.id as string;
      if (this.seen.has(id)) {
        verdicts[i] = rejected(id, 'DUPLICATE', 'id', `obligation ${id} was already accepted`);
        continue;
      }
      // Reserved now, so the same id later in this batch or in a concurrent one is a duplicate.
      this.seen.add(id);
      candidates.push(i);
    }
    let kept = candidates;
    if (candidates.length > 0) {
      let known: Set<string>;
      try {
        known = await projectedIds(this.options.db, candidates.map((i) => items[i]!.id as string));
      } catch (err) {
        for (const i of candidates) this.seen.delete(items[i]!.id as string);
        throw new ClearingUnavailableError(`duplicate lookup failed: ${(err as Error).message}`, { cause: err });
      }
      if (known.size > 0 || this.options.guard !== undefined) {
        kept = [];
        for (const i of candidates) {
          const o = items[i]!;
          const id = o.id as string;
          if (known.has(id)) {
            verdicts[i] = rejected(id, 'DUPLICATE', 'id', `obligation ${id} was already accepted in an earlier window`);
            continue;
          }
          const refusal = this.options.guard?.(inputOf(o, this.fromUnits(units[i]!, o.currency as string)));
          if (refusal !== null && refusal !== undefined) {
            this.seen.delete(id);
            verdicts[i] = rejected(id, refusal.code ?? 'RISK_LIMIT', 'amount', refusal.message);
            continue;
          }
          kept.push(i);
        }
      }
    }
    if (kept.length > 0) await this.journalBatch(items, units, kept, verdicts);
    this.afterVerdicts(items, verdicts);
    return verdicts;
  }

  /** The checks that need no I/O, in the documented order; null when the obligation passes them. */
  private check(o: RawObligation, breakers: Map<string, boolean>, units: bigint[], i: number): Rejected | null {
    const id = typeof o.id === 'string' ? o.id : '';
    if (id.length === 0 || id.length > ID_MAX || CONTROL.test(id) || id.charCodeAt(0) === 32 || id.charCodeAt(id.length - 1) === 32) {
      return rejected(id, 'INVALID', 'id', `id must be a non-empty string of at most ${ID_MAX} characters, without control characters or surrounding spaces`);
    }
    const payer = this.participant(o.payer, 'payer', id);
    if ('code' in payer) return payer;
    const payee = this.participant(o.payee, 'payee', id);
    if ('code' in payee) return payee;
    const currency = o.currency;
    let digits: number | undefined;
    if (typeof currency === 'string' && CURRENCY.test(currency)) {
      digits = this.minorOf.get(currency);
      if (digits === undefined && !this.minorOf.has(currency)) this.minorOf.set(currency, (digits = minorUnits(currency)));
    }
    if (digits === undefined) return rejected(id, 'CURRENCY_UNKNOWN', 'currency', `${String(currency)} is not an active ISO 4217 currency code`);
    if (typeof o.amount !== 'string') return rejected(id, 'AMOUNT_INVALID', 'amount', 'amount must be a decimal string, e.g. "1000.50" (a JSON number has been through a float)');
    const u = unitsOf(o.amount, digits);
    if (typeof u === 'string') {
      const message = u === 'FORMAT' ? `amount "${o.amount}" is not a positive decimal of at most 18 digits`
        : u === 'PRECISION' ? `${o.amount} has more than ${digits} decimals for ${currency}`
          : u === 'SIZE' ? `${o.amount} ${currency} is beyond 18 digits` : 'amount must be greater than zero';
      return rejected(id, 'AMOUNT_INVALID', 'amount', message);
    }
    if (payer.bic === payee.bic) return rejected(id, 'SAME_PARTICIPANT', 'payee', `${payer.bic} cannot owe itself`);
    if (this.options.accountBreakerOpen !== undefined) {
      for (const [p, field] of [[payer, 'payer'], [payee, 'payee']] as const) {
        let open = breakers.get(p.bic);
        if (open === undefined) breakers.set(p.bic, (open = this.breakerOpen(p.accounts)));
        if (open) return rejected(id, 'BREAKER_OPEN', field, `${p.bic} has an account whose circuit breaker is open`);
      }
    }
    units[i] = u;
    return null;
  }

  private participant(value: unknown, field: 'payer' | 'payee', id: string): { bic: string; accounts: readonly string[] } | Rejected {
    const entry = typeof value === 'string' ? this.registry.get(value) : undefined;
    if (entry === undefined) {
      if (typeof value !== 'string' || !BIC.test(value)) return rejected(id, 'PARTICIPANT_UNKNOWN', field, `${field} must be a registered participant's BIC`);
      return rejected(id, 'PARTICIPANT_UNKNOWN', field, `${value} is not a registered participant`);
    }
    if (entry.status !== 'ACTIVE') return rejected(id, 'PARTICIPANT_SUSPENDED', field, `${value} is ${entry.status}`);
    return entry;
  }

  private breakerOpen(accounts: readonly string[]): boolean {
    const open = this.options.accountBreakerOpen;
    if (open === undefined) return false;
    for (const a of accounts) if (open(a)) return true;
    return false;
  }

  /** One ObligationsBatched per corridor, in the window open now; verdicts once durable. */
  private async journalBatch(items: readonly RawObligation[], units: readonly bigint[], kept: readonly number[], verdicts: ObligationVerdict[]): Promise<void> {
    const entry = await this.enter();
    try {
      const groups = new Map<string, Group>();
      for (const i of kept) {
        const o = items[i]!;
        const currency = o.currency as string;
        const corridor = this.corridorFor(currency, o.payer as string, o.payee as string);
        let g = groups.get(corridor);
        if (g === undefined) groups.set(corridor, (g = { currency, indexes: [], ids: [], payers: [], payees: [], units: [], priorities: null, origins: null }));
        const k = g.ids.length;
        g.indexes.push(i);
        g.ids.push(o.id as string);
        g.payers.push(o.payer as string);
        g.payees.push(o.payee as string);
        g.units.push(units[i]!);
        if (o.priority !== undefined && o.priority !== 0) (g.priorities ??= new Array<number>(k).fill(0))[k] = o.priority;
        else if (g.priorities !== null) g.priorities.push(0);
        if (o.origin !== undefined) (g.origins ??= new Array<null>(k).fill(null))[k] = o.origin;
        else if (g.origins !== null) g.origins.push(null);
      }
      const failures: string[] = [];
      await Promise.all([...groups].map(async ([corridor, g]) => {
        const outcome = await this.submit(entry, corridor, g);
        if (outcome.status === 'appended' || outcome.status === 'duplicate') {
          const window = entry.id;
          for (let k = 0; k < g.ids.length; k++) verdicts[g.indexes[k]!] = { id: g.ids[k]!, status: 'ACCEPTED', windowId: window };
          return;
        }
        for (const id of g.ids) this.seen.delete(id);
        if (outcome.status === 'rejected') {
          for (let k = 0; k < g.ids.length; k++) verdicts[g.indexes[k]!] = rejected(g.ids[k]!, 'INVALID', '', `${outcome.rejection.code}: ${outcome.rejection.message}`);
          return;
        }
        failures.push(`${corridor}: ${outcome.code}`);
      }));
      if (failures.length > 0) {
        // What was appended stays accepted (sending the batch again answers those DUPLICATE).
        throw new ClearingUnavailableError(`clearing journal busy, send again: ${failures.join('; ')}`);
      }
    } catch (err) {
      for (const i of kept) if (verdicts[i] === undefined) this.seen.delete(items[i]!.id as string);
      throw err;
    } finally {
      this.leave(entry);
    }
  }

  /**
   * A corridor's share of a batch, journaled together with the shares of other requests waiting
   * for the same corridor of the same window: while one AcceptBatch of a lane is being appended,
   * the next requests' shares queue and go as ONE event when it is done (group commit per
   * corridor). A batch of 10,000 obligations over 420 corridors makes 420 events of ~24
   * obligations; PGlite spends ~0.2 ms per journal row beyond its bytes and every event costs the
   * actor loop as much again (bench/netting), so fewer, larger events are what the accept path
   * gains most from. Every share waits for its event: durable before any verdict. The book
   * moves once per event, in the order the events are appended.
   */
  private submit(entry: Entry, corridor: string, g: Group): Promise<Outcome<unknown>> {
    const key = `${entry.id}\u0000${corridor}`;
    let lane = this.lanes.get(key);
    if (lane === undefined) this.lanes.set(key, (lane = { sending: false, waiting: [] }));
    const answer = new Promise<Outcome<unknown>>((done) => lane.waiting.push({ g, done }));
    if (!lane.sending) void this.pump(entry, corridor, key, lane);
    return answer;
  }

  private async pump(entry: Entry, corridor: string, key: string, lane: Lane): Promise<void> {
    lane.sending = true;
    try {
      while (lane.waiting.length > 0) {
        let take = 1;
        let n = lane.waiting[0]!.g.ids.length;
        while (take < lane.waiting.length && n + lane.waiting[take]!.g.ids.length <= LANE_OBLIGATIONS_MAX) n += lane.waiting[take++]!.g.ids.length;
        const parts = lane.waiting.splice(0, take);
        const g = parts.length === 1 ? parts[0]!.g : mergeGroups(parts.map((p) => p.g));
        const first = entry.book.nextSubmitted;
        entry.book.nextSubmitted += g.ids.length;
        let outcome: Outcome<unknown>;
        try {
          outcome = await this.sendCorridor(corridor, {
            type: 'AcceptBatch', messageId: `batch:${randomUUID()}`, window: entry.id, currency: g.currency, first, carried: false,
            ids: g.ids, payers: g.payers, payees: g.payees, units: g.units, priorities: g.priorities, origins: g.origins,
          });
        } catch (err) {
          outcome = { status: 'retry', code: 'ACTOR_FAILED', message: (err as Error).message };
        }
        if (outcome.status === 'appended' || outcome.status === 'duplicate') {
          entry.corridors.add(corridor);
          entry.book.addColumns(g.currency, first, g.ids, g.payers, g.payees, g.units, g.priorities, g.origins);
        }
        for (const p of parts) p.done(outcome);
      }
    } finally {
      // The loop ends only with nothing waiting, and nothing can join between its test and here.
      lane.sending = false;
      this.lanes.delete(key);
    }
  }

  private async sendCorridor(corridor: string, command: Parameters<Corridors['send']>[1]): Promise<Outcome<unknown>> {
    let outcome: Outcome<unknown> = { status: 'retry', code: 'JOURNAL_BUSY', message: 'not sent' };
    for (let attempt = 0; attempt < RETRIES; attempt++) {
      outcome = await this.corridors.send(corridor, command);
      if (outcome.status !== 'retry' && outcome.status !== 'mailbox_full') return outcome;
      if (outcome.status === 'retry' && outcome.code === 'STOPPING') return outcome;
      await sleep(10 * 2 ** attempt + Math.random() * 10);
    }
    return outcome;
  }

  private corridorFor(currency: string, payer: string, payee: string): string {
    const pc = this.registry.get(payer)?.country ?? '';
    const qc = this.registry.get(payee)?.country ?? '';
    const key = currency + pc + qc;
    let id = this.corridorOf.get(key);
    if (id === undefined) {
      // A single-currency obligation: the CCY-CCY corridor, with the countries when they differ.
      id = corridorActorId(pc !== '' && qc !== '' ? corridorKey(currency, currency, pc, qc) : corridorKey(currency, currency));
      this.corridorOf.set(key, id);
    }
    return id;
  }

  private afterVerdicts(items: readonly RawObligation[], verdicts: readonly ObligationVerdict[]): void {
    const reports = this.options.reports;
    let accepted = 0;
    const byWindow = new Map<string, ObligationInput[]>();
    const refused: { obligation: ObligationInput; verdict: Rejected }[] = [];
    for (let i = 0; i < verdicts.length; i++) {
      const v = verdicts[i]!;
      if (v.status === 'ACCEPTED') accepted++;
      else this.counters.count(v.code);
      // pacs.002 only to senders of ISO 20022 messages: a JSON bulk load has no message to answer.
      const o = items[i]!;
      if (reports === undefined || o.origin === undefined) continue;
      const input = inputOf(o, typeof o.amount === 'string' && AMOUNT.test(o.amount) ? new BigNumber(o.amount) : new BigNumber(NaN));
      if (v.status === 'ACCEPTED') {
        let list = byWindow.get(v.windowId);
        if (list === undefined) byWindow.set(v.windowId, (list = []));
        list.push(input);
      } else refused.push({ obligation: input, verdict: v });
    }
    this.counters.count('ACCEPTED', accepted);
    if (reports === undefined) return;
    for (const [w, list] of byWindow) void reports.accepted(list, w).catch((err: unknown) => this.say('warn', `pacs.002 ACCP for ${w} not written`, { err }));
    if (refused.length > 0) void reports.rejected(refused).catch((err: unknown) => this.say('warn', 'pacs.002 RJCT not written', { err }));
  }

  private fromUnits(units: bigint, currency: string): BigNumber {
    return new BigNumber(units.toString()).shiftedBy(-(minorUnits(currency) ?? 0));
  }

  // ---- windows ------------------------------------------------------------------------------------

  /** The window an obligation arriving now belongs to: open by the clock, after any closed one. */
  private route(): Entry {
    let bounds = windowAt(this.now(), this.schedule);
    for (;;) {
      if (this.lastClosed !== null && bounds.id <= this.lastClosed) {
        bounds = windowAt(parseWindowId(this.lastClosed)!, this.schedule);
        bounds = nextWindow(bounds, this.schedule);
        continue;
      }
      const entry = this.entry(bounds.id, bounds);
      if (!entry.closing) return entry;
      bounds = nextWindow(bounds, this.schedule);
    }
  }

  private entry(id: string, bounds?: WindowBounds): Entry {
    let e = this.entries.get(id);
    if (e === undefined) {
      const start = parseWindowId(id);
      if (start === null) throw new Error(`${id} is not a window id`);
      e = {
        id, bounds: bounds ?? windowAt(start, this.schedule), book: new WindowBook(id, this.participants), corridors: new Set(),
        inflight: 0, closing: false, drained: [], ready: null, netting: null, projected: false,
      };
      this.entries.set(id, e);
      this.arm();
    }
    return e;
  }

  /**
   * The open window, entered (counted in flight, so its close waits) and known OPEN to its actor.
   * A window the clock names but whose actor is already past OPEN (closed on demand before a
   * restart) is skipped for the next one.
   */
  private async enter(): Promise<Entry> {
    for (;;) {
      const entry = this.route();
      entry.inflight++;
      try {
        await this.ensureOpen(entry);
      } catch (err) {
        this.leave(entry);
        throw err;
      }
      if (!entry.closing) return entry;
      this.leave(entry);
    }
  }

  private ensureOpen(entry: Entry): Promise<void> {
    entry.ready ??= (async () => {
      const state = await this.command(entry.id, { type: 'OpenWindow', messageId: `open:${entry.id}`, at: this.iso() });
      if (state.phase !== 'OPEN') {
        entry.closing = true;
        entry.netting ??= Promise.resolve();
        if (this.lastClosed === null || entry.id > this.lastClosed) this.lastClosed = entry.id;
        return;
      }
      // The row first: a restart finds the window's batches from it.
      await ensureWindowRow(this.options.db, entry.id, this.schedule);
    })().catch((err: unknown) => {
      entry.ready = null;
      throw err;
    });
    return entry.ready;
  }

  private leave(entry: Entry): void {
    entry.inflight--;
    if (entry.inflight === 0 && entry.drained.length > 0) for (const f of entry.drained.splice(0)) f();
  }

  private drain(entry: Entry): Promise<void> {
    if (entry.inflight === 0) return Promise.resolve();
    return new Promise((resolve) => entry.drained.push(resolve));
  }

  private iso(): string {
    return new Date(this.now()).toISOString();
  }

  /** Sends a command to a window actor, retrying what is transient; throws on anything else. */
  private async command(window: string, command: WindowCommand): Promise<WindowState> {
    const actor = windowActorId(window);
    let outcome: Outcome<WindowEvent> | undefined;
    for (let attempt = 0; attempt < RETRIES; attempt++) {
      outcome = await this.windows.send(actor, command);
      if (outcome.status === 'appended' || outcome.status === 'duplicate') break;
      if (outcome.status === 'rejected') throw new Error(`window ${window}: ${command.type} refused: ${outcome.rejection.code}: ${outcome.rejection.message}`);
      if (outcome.status === 'retry' && outcome.code === 'STOPPING') break;
      await sleep(10 * 2 ** attempt);
    }
    const state = this.windows.state(actor)?.state;
    if (state === undefined || state === null || (outcome?.status !== 'appended' && outcome?.status !== 'duplicate')) {
      throw new ClearingUnavailableError(`window ${window}: ${command.type} not applied: ${JSON.stringify(outcome)}`);
    }
    return state;
  }

  /** The window's state as its actor has it (loaded from the journal when needed); null if it never existed. */
  async window(id: string): Promise<{ state: WindowState; live: ReturnType<WindowBook['positions']> | null } | null> {
    if (parseWindowId(id) === null) return null;
    const state = await this.command(id, { type: 'Touch', messageId: `touch:${randomUUID()}`, at: this.iso() });
    if (state.phase === 'NEW') return null;
    const entry = this.entries.get(id);
    return { state, live: state.result === null && entry !== undefined ? entry.book.positions() : null };
  }

  /** The window obligations go to now (what `current` means in the API). */
  currentWindowId(): string {
    return this.route().id;
  }

  /** Live nets of the open window, minor units, non-zero only (the risk engine's exposure port). */
  openWindowPositions(): { currency: string; participant: string; net: bigint }[] {
    return this.entries.get(this.currentWindowId())?.book.positions() ?? [];
  }

  /** Called once per window when its netting is durable (the risk engine's VaR at close). */
  readonly nettedListeners: ((windowId: string) => void)[] = [];

  /** POST /windows/current/close: closes the open window now and nets it (no grace: it is now). */
  async closeCurrent(): Promise<{ id: string; state: WindowState['phase'] }> {
    const entry = await this.enter();
    this.leave(entry);
    const state = await this.close(entry, true);
    return { id: entry.id, state: state.phase };
  }

  /** Cut-off: arrivals move on, in-flight batches land, CLOSING is recorded; then (now or after the grace) netting. */
  private async close(entry: Entry, netNow: boolean): Promise<WindowState> {
    const started = performance.now();
    if (!entry.closing) {
      entry.closing = true;
      if (this.lastClosed === null || entry.id > this.lastClosed) this.lastClosed = entry.id;
    }
    await this.drain(entry);
    if (!netNow) return this.command(entry.id, { type: 'CloseWindow', messageId: `cutoff:${entry.id}`, at: this.iso(), net: false });
    const state = await this.net(entry);
    this.counters.closed((performance.now() - started) / 1000);
    this.alertUnsettled(entry.id);
    return state;
  }

  /**
   * Earlier windows still SETTLING at this cut-off keep their PENDING/SENT instructions: those are
   * NOT rolled into the next window here. An instruction the bank may still execute (sent, or
   * about to be retried) rolled as a fresh obligation could be paid twice; only the settler knows
   * when its retries are over, and it says so with RETRY_NEXT_WINDOW (or FAILED), which rolls
   * (or fails) it. What is overdue is raised as an alert at every cut-off until it is final.
   */
  private alertUnsettled(closing: string): void {
    for (const e of this.entries.values()) {
      if (e.id >= closing) continue;
      const state = this.windows.state(windowActorId(e.id))?.state;
      if (state === undefined || state === null || state.phase !== 'SETTLING') continue;
      const open: string[] = [];
      let ordinal = 0;
      for (const c of state.result?.currencies ?? []) {
        for (let i = 0; i < c.units.length; i++, ordinal++) if (!isFinal(state.statuses[ordinal]!)) open.push(instructionId(e.id, c.currency, i + 1));
      }
      if (open.length === 0) continue;
      this.say('warn', `ALERT: window ${e.id} still SETTLING at the cut-off of ${closing}: ${open.length} instruction(s) PENDING or SENT (not rolled: the settler rolls what it gives up on)`,
        { window: e.id, at: closing, instructions: open.slice(0, 20) });
    }
  }

  /**
   * NETTING: CLOSING/NETTING recorded, the book netted meanwhile (it cannot move: the window is
   * drained and closed to arrivals), then the result recorded, once. A restart redoes it from the
   * journal. The corridors' fences (ClearingWindowClosed) follow the result (afterNetting): what
   * freezes the input is the drain and the window's own state (every batch of the window is
   * counted in flight and has landed before CloseWindow; after a restart the window's phase routes
   * arrivals past it), the fence is the corridors' own record of it, and 400 fence appends on the
   * critical path cost PGlite, which runs on this thread, ~60–80 ms of a 200 ms close.
   */
  private net(entry: Entry): Promise<WindowState> {
    const run = async (): Promise<void> => {
      const closing = this.command(entry.id, { type: 'CloseWindow', messageId: `close:${entry.id}`, at: this.iso(), net: true });
      // Computed while the append is in flight; used only once it is durable.
      let result: NettingResult | null = null;
      try {
        result = entry.book.net(this.capacity());
      } finally {
        const state = await closing;
        if (result !== null && state.phase === 'NETTING') {
          const after = await this.command(entry.id, { type: 'RecordNetting', messageId: `net:${entry.id}`, at: this.iso(), result });
          this.say('info', `window ${entry.id} netted`, { obligations: entry.book.count, instructions: after.statuses.length, excluded: result.excluded.length });
          for (const listener of this.nettedListeners) listener(entry.id);
        }
      }
      const state = this.windows.state(windowActorId(entry.id))!.state!;
      // After the answer: the settler hand-over and the read models are not part of the close.
      setImmediate(() => void this.afterNetting(entry, state));
    };
    const p = (entry.netting ??= run().catch((err: unknown) => {
      entry.netting = null;
      throw err;
    }));
    return p.then(() => this.windows.state(windowActorId(entry.id))!.state!);
  }

  /** Every corridor holding batches of the window records it closed (idempotent: `close:<window>`). */
  private async fence(entry: Entry): Promise<void> {
    await Promise.all([...entry.corridors].map(async (corridor) => {
      const o = await this.sendCorridor(corridor, { type: 'CloseClearingWindow', messageId: `close:${entry.id}`, window: entry.id });
      // Rejected: already closed there (a later window's fence passed it); nothing can land anyway.
      if (o.status === 'retry' || o.status === 'mailbox_full') throw new ClearingUnavailableError(`fence of ${corridor} for ${entry.id}: ${JSON.stringify(o)}`);
    }));
  }

  /** Capacity = token balance + debit cap, minor units, read once per participant and currency. */
  private capacity(): (participant: string, currency: string) => bigint {
    // Per currency, then participant: no key string built per call (~10,000 net debtors a close).
    const memo = new Map<string, Map<string, bigint>>();
    return (participant, currency) => {
      let byParticipant = memo.get(currency);
      if (byParticipant === undefined) memo.set(currency, (byParticipant = new Map()));
      let c = byParticipant.get(participant);
      if (c === undefined) {
        const tokens = this.options.tokenBalance?.(participant, currency);
        const held = tokens === undefined || !tokens.isFinite() || tokens.isNegative() ? 0n : BigInt(tokens.shiftedBy(minorUnits(currency) ?? 0).integerValue(BigNumber.ROUND_FLOOR).toFixed());
        c = held + (this.registry.get(participant)?.caps.get(currency) ?? 0n);
        byParticipant.set(participant, c);
      }
      return c;
    };
  }

  /** SETTLING: the settler gets the plans (again after a restart), what rolls over is carried, the read models follow. */
  private async afterNetting(entry: Entry, state: WindowState): Promise<void> {
    // Alongside the hand-over; a fence missed by a crash is written again at the next start (for a
    // window still SETTLING), and a later window's fence closes every earlier one anyway.
    const fencing = this.fence(entry).catch((err: unknown) => this.say('warn', `window ${entry.id}: corridor fences not all written`, { err }));
    this.fencing.add(fencing);
    void fencing.finally(() => this.fencing.delete(fencing));
    try {
      this.project(entry, state);
      if (state.phase !== 'SETTLING') {
        if (state.phase === 'COMPLETED' || state.phase === 'FAILED') await this.ended(entry.id, state);
        return;
      }
      const settler = this.options.settler;
      const plans = settler === undefined ? [] : plansOf(state);
      if (settler !== undefined && plans.length > 0) {
        await settler.settle(entry.id, plans);
        // Statuses the settler knows (after a restart: what it reported while we were down).
        const known = await settler.statuses(entry.id);
        for (const u of known.values()) this.onUpdate(u);
      }
      await this.rollOver(entry.id, state);
    } catch (err) {
      this.say('error', `window ${entry.id}: settlement hand-over failed; resumed at the next start or tick`, { err });
      entry.netting = null;
    }
  }

  /** Excluded obligations and RETRY_NEXT_WINDOW instructions into the open window, then RolledOver. */
  private async rollOver(window: string, state: WindowState): Promise<void> {
    const result = state.result;
    if (result === null || state.phase !== 'SETTLING') return;
    const carried: (BookInput & { corridorMessage: string })[] = [];
    const excluded = result.excluded.length > 0 && !state.excludedCarried;
    if (excluded) {
      // With their origin: the pacs.002 (ACSC or RJCT) for an excluded obligation goes out when
      // the window it is carried into ends (this window's report leaves the excluded ones out).
      const origins = await this.originsOf(window, new Set(result.excluded.map((e) => e.id)));
      for (const e of result.excluded) {
        carried.push({ id: e.id, payer: e.payer, payee: e.payee, currency: e.currency, units: e.units, priority: e.priority, origin: origins.get(e.id) ?? null, submitted: 0, corridorMessage: `carry:${window}:excluded` });
      }
    }
    const instructions: string[] = [];
    let ordinal = 0;
    for (const c of result.currencies) {
      for (let i = 0; i < c.units.length; i++, ordinal++) {
        if (state.statuses[ordinal] !== RETRY_NEXT_WINDOW) continue;
        const id = instructionId(window, c.currency, i + 1);
        instructions.push(id);
        carried.push({ id, payer: c.participants[c.from[i]!]!, payee: c.participants[c.to[i]!]!, currency: c.currency, units: c.units[i]!, priority: 0, origin: null, submitted: 0, corridorMessage: `carry:${id}` });
      }
    }
    if (carried.length === 0) return;
    const target = await this.enter();
    try {
      const groups = new Map<string, { corridor: string; currency: string; list: typeof carried }>();
      for (const o of carried) {
        const corridor = this.corridorFor(o.currency, o.payer, o.payee);
        const key = `${corridor}\u0000${o.corridorMessage}`;
        let g = groups.get(key);
        if (g === undefined) groups.set(key, (g = { corridor, currency: o.currency, list: [] }));
        g.list.push(o);
      }
      for (const g of groups.values()) {
        const first = target.book.nextSubmitted;
        target.book.nextSubmitted += g.list.length;
        const priorities = g.list.some((o) => o.priority !== 0) ? g.list.map((o) => o.priority) : null;
        const origins = g.list.some((o) => o.origin !== null) ? g.list.map((o) => o.origin) : null;
        const outcome = await this.sendCorridor(g.corridor, {
          type: 'AcceptBatch', messageId: g.list[0]!.corridorMessage, window: target.id, currency: g.currency, first, carried: true,
          ids: g.list.map((o) => o.id), payers: g.list.map((o) => o.payer), payees: g.list.map((o) => o.payee), units: g.list.map((o) => o.units), priorities, origins,
        });
        // Duplicate: carried before a restart; the book of the window that holds it was refilled from the journal.
        if (outcome.status === 'appended') {
          target.corridors.add(g.corridor);
          g.list.forEach((o, k) => target.book.add({ ...o, submitted: first + k }));
        } else if (outcome.status !== 'duplicate') {
          throw new ClearingUnavailableError(`carry into ${target.id} through ${g.corridor}: ${JSON.stringify(outcome)}`);
        }
      }
    } finally {
      this.leave(target);
    }
    if (excluded) this.counters.rolledOver.excluded += result.excluded.length;
    this.counters.rolledOver.instructions += instructions.length;
    this.say('warn', `ALERT: window ${window} rolled into ${target.id}: ${excluded ? result.excluded.length : 0} excluded obligation(s), ${instructions.length} unsettled instruction(s)`,
      { window, into: target.id, excluded: excluded ? result.excluded.map((e) => e.id).slice(0, 20) : [], instructions: instructions.slice(0, 20) });
    const after = await this.command(window, { type: 'RecordRollOver', messageId: `rollover:${window}:${createHash('sha1').update(instructions.join(',')).update(String(excluded)).digest('hex')}`, at: this.iso(), into: target.id, instructions, excluded });
    await this.observe(window, after);
  }

  // ---- settler updates ------------------------------------------------------------------------------

  /** Every status change of the settler; gathered per window for a turn, one command per window. */
  private onUpdate(u: InstructionUpdate): void {
    if (this.stopped) return;
    let list = this.pendingUpdates.get(u.windowId);
    if (list === undefined) this.pendingUpdates.set(u.windowId, (list = []));
    list.push(u);
    if (this.updatesScheduled) return;
    this.updatesScheduled = true;
    setImmediate(() => {
      this.updatesScheduled = false;
      const batches = [...this.pendingUpdates];
      this.pendingUpdates.clear();
      this.updating = this.updating.then(() => Promise.all(batches.map(([w, us]) => this.recordUpdates(w, us))).then(() => undefined));
    });
  }

  private async recordUpdates(window: string, updates: readonly InstructionUpdate[]): Promise<void> {
    const changes: InstructionChange[] = updates.map((u) => ({ instructionId: u.instructionId, status: u.status, bankReference: u.bankReference ?? null, reason: u.reason ?? null }));
    const digest = createHash('sha1');
    for (const c of changes) digest.update(`${c.instructionId}\u0000${c.status}\u0000${c.bankReference ?? ''}\u0001`);
    try {
      const state = await this.command(window, { type: 'RecordInstructions', messageId: `upd:${digest.digest('hex')}`, at: this.iso(), changes });
      this.enqueue(async () => projectChanges(this.options.db, changes.map((c) => ({ ...c, status: c.status }))));
      await this.rollOver(window, state);
      await this.observe(window, state);
    } catch (err) {
      this.say('error', `window ${window}: ${changes.length} instruction update(s) not recorded (the settler's statuses are read again at start)`, { err });
    }
  }

  /** After an event: a window that ended gets its reports and final read model. */
  private async observe(window: string, state: WindowState): Promise<void> {
    if (state.phase === 'COMPLETED' || state.phase === 'FAILED') await this.ended(window, state);
  }

  private readonly ending = new Set<string>();

  private async ended(window: string, state: WindowState): Promise<void> {
    if (this.ending.has(window)) return;
    this.ending.add(window);
    const entry = this.entries.get(window);
    const reports = this.options.reports;
    if (reports !== undefined) {
      const obligations = await this.obligationsWithOrigin(window, entry);
      const excluded = new Set(state.result?.excluded.map((e) => e.id) ?? []);
      const kept = obligations.filter((o) => !excluded.has(o.id));
      try {
        if (kept.length > 0) {
          if (state.phase === 'COMPLETED') await reports.settled(kept, window);
          else await reports.failed(kept, window, state.failure ?? 'window failed');
        }
      } catch (err) {
        this.say('warn', `pacs.002 for the end of ${window} not written`, { err });
      }
    }
    if (entry !== undefined) this.project(entry, state);
    else this.enqueue(() => projectWindow(this.options.db, state, this.schedule, null));
    this.enqueue(() => finishObligations(this.options.db, window, state.phase === 'COMPLETED' ? 'SETTLED' : 'FAILED'));
    this.enqueue(async () => {
      const e = this.entries.get(window);
      if (e?.projected === true) this.entries.delete(window);
    });
    this.say(state.phase === 'COMPLETED' ? 'info' : 'warn', `window ${window} ${state.phase}`, state.failure !== null ? { reason: state.failure } : {});
  }

  /** Origins of some obligations of a window: from its book, else from its batches in the journal. */
  private async originsOf(window: string, ids: ReadonlySet<string>): Promise<Map<string, ObligationOrigin>> {
    const entry = this.entries.get(window);
    if (entry !== undefined) return entry.book.originsOf(ids);
    const out = new Map<string, ObligationOrigin>();
    for (const b of await loadBatches(this.options.db, window)) {
      if (b.origins === null) continue;
      b.ids.forEach((id, i) => {
        const origin = b.origins![i];
        if (origin !== null && origin !== undefined && ids.has(id)) out.set(id, origin);
      });
    }
    return out;
  }

  private async obligationsWithOrigin(window: string, entry: Entry | undefined): Promise<ObligationInput[]> {
    const out: ObligationInput[] = [];
    const push = (o: BookedObligation) => {
      if (o.origin !== null) out.push({ id: o.id, payer: o.payer, payee: o.payee, currency: o.currency, amount: this.fromUnits(o.units, o.currency), priority: o.priority, origin: o.origin });
    };
    if (entry !== undefined) {
      for (const o of entry.book.all()) push(o);
      return out;
    }
    for (const b of await loadBatches(this.options.db, window)) {
      b.ids.forEach((id, i) => push({
        id, payer: b.payers[i]!, payee: b.payees[i]!, currency: b.currency, units: b.units[i]!, priority: b.priorities?.[i] ?? 0, submitted: b.first + i, origin: b.origins?.[i] ?? null,
      }));
    }
    return out;
  }

  // ---- read models --------------------------------------------------------------------------------

  private enqueue(task: () => Promise<unknown>): void {
    this.projection = this.projection.then(task).then(() => undefined, (err: unknown) => this.say('warn', 'read model write failed; rewritten at the next start', { err }));
  }

  /** The window row, positions, instructions, then (once) its obligations; its ids then leave memory. */
  private project(entry: Entry, state: WindowState): void {
    const count = entry.book.count;
    this.enqueue(() => projectWindow(this.options.db, state, this.schedule, count));
    if (entry.projected || state.result === null) return;
    this.enqueue(async () => {
      if (entry.projected) return;
      const excluded = new Set(state.result!.excluded.map((e) => e.id));
      await projectObligations(this.options.db, entry.id, entry.book.all(), excluded, () => performance.now() - this.lastAcceptAt < 1_000);
      entry.projected = true;
      // In the table now (source_message UNIQUE): the duplicate lookup finds them there, the
      // excluded ones (carried into the next window) included.
      for (const id of entry.book.obligationIds()) this.seen.delete(id);
    });
  }

  /** Resolves when every read-model write queued so far is done (tests, shutdown, the bench). */
  async flushed(): Promise<void> {
    for (;;) {
      // Work scheduled for after an answer (setImmediate) joins the queue first.
      await new Promise<void>((r) => setImmediate(r));
      const p = this.projection;
      await p;
      await this.updating;
      await Promise.all(this.fencing);
      if (p === this.projection && this.fencing.size === 0) return;
    }
  }

  // ---- schedule ------------------------------------------------------------------------------------

  /** Closes what reached its cut-off and nets what passed its grace, by the (injected) clock. */
  async tick(): Promise<void> {
    const now = this.now();
    const due: Promise<unknown>[] = [];
    for (const entry of [...this.entries.values()].sort((a, b) => (a.id < b.id ? -1 : 1))) {
      if (entry.netting !== null || entry.bounds.end > now) continue;
      const netNow = now >= entry.bounds.end + this.schedule.graceMs;
      if (entry.closing && !netNow) continue;
      const state = this.windows.state(windowActorId(entry.id))?.state;
      if (state !== undefined && state !== null && state.phase !== 'NEW' && state.phase !== 'OPEN' && state.phase !== 'CLOSING' && state.phase !== 'NETTING') continue;
      due.push(this.close(entry, netNow).catch((err: unknown) => this.say('error', `window ${entry.id}: close at cut-off failed; tried again`, { err })));
    }
    await Promise.all(due);
    this.arm();
  }

  private arm(): void {
    if (this.options.timers === false || this.stopped) return;
    let next = Infinity;
    for (const e of this.entries.values()) {
      if (e.netting !== null) continue;
      next = Math.min(next, e.closing ? e.bounds.end + this.schedule.graceMs : e.bounds.end);
    }
    if (this.timer !== undefined) clearTimeout(this.timer);
    if (next === Infinity) return;
    // At most a minute at a time: a clock that jumps is caught up within a minute.
    const wait = Math.max(0, Math.min(next - this.now(), 60_000));
    this.timer = setTimeout(() => void this.tick(), wait);
    this.timer.unref();
  }

  // ---- restart -------------------------------------------------------------------------------------

  /** Loads every unfinished window from its actor and puts it back where it was. */
  private async resume(): Promise<void> {
    // Windows closed before the restart, finished or not: arrivals go after the latest of them.
    this.lastClosed = await lastClosedWindow(this.options.db);
    const rows = await unfinishedWindows(this.options.db);
    const work: (() => Promise<void>)[] = [];
    for (const { name, projected } of rows) {
      const state = await this.command(name, { type: 'Touch', messageId: `touch:${randomUUID()}`, at: this.iso() });
      const entry = this.entry(name);
      entry.projected = projected;
      if (state.phase !== 'NEW') entry.ready = Promise.resolve();
      // Refilled from the durable input: netting over it gives what it gave (or would have) before.
      for (const b of await loadBatches(this.options.db, name)) {
        entry.corridors.add(b.corridor);
        entry.book.addColumns(b.currency, b.first, b.ids, b.payers, b.payees, b.units, b.priorities, b.origins);
        if (!projected) for (const id of b.ids) this.seen.add(id);
      }
      if (state.phase !== 'NEW' && state.phase !== 'OPEN') {
        entry.closing = true;
        if (this.lastClosed === null || name > this.lastClosed) this.lastClosed = name;
      }
      if (state.phase === 'CLOSING' || state.phase === 'NETTING') work.push(async () => void (await this.net(entry)));
      else if (state.phase === 'SETTLING') {
        entry.netting = Promise.resolve();
        work.push(() => this.afterNetting(entry, state));
      } else if (state.phase === 'COMPLETED' || state.phase === 'FAILED') {
        entry.netting = Promise.resolve();
        this.project(entry, state);
        this.enqueue(() => finishObligations(this.options.db, name, state.phase === 'COMPLETED' ? 'SETTLED' : 'FAILED'));
      }
      this.say('info', `window ${name} resumed in ${state.phase}`, { obligations: entry.book.count });
    }
    // In the background: the service takes obligations meanwhile (they go to the open window).
    this.resumed = (async () => {
      for (const w of work) await w().catch((err: unknown) => this.say('error', 'resuming a window failed', { err }));
    })();
    this.arm();
  }

  /** Stops the timers, lets in-flight work finish, drains the window actors (and the corridors, if ours). */
  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    if (this.timer !== undefined) clearTimeout(this.timer);
    if (this.refreshTimer !== undefined) clearInterval(this.refreshTimer);
    if (this.warmTimer !== undefined) clearTimeout(this.warmTimer);
    await Promise.all([...this.entries.values()].map((e) => this.drain(e)));
    await this.resumed.catch(() => undefined);
    await Promise.all([...this.entries.values()].map((e) => e.netting?.catch(() => undefined)));
    await this.flushed();
    await this.windows.stop();
    if (this.ownCorridors) await this.corridors.stop();
  }
}

/**
 * Minor units of a decimal string ("1000.50" USD → 100050n), or why not: digits with at most one
 * inner point, at most 18 digits in all once in minor units (ISO 20022's amounts; a BigInt64Array
 * holds them), significant decimals within the currency's (so "79255.00" JPY is whole yen,
 * ARCHITECTURE: AMOUNT_PRECISION). One pass over the characters: this runs for every obligation.
 */
export function unitsOf(text: string, digits: number): bigint | 'FORMAT' | 'PRECISION' | 'SIZE' | 'ZERO' {
  const n = text.length;
  if (n === 0 || n > 37) return 'FORMAT';
  let dot = -1;
  for (let i = 0; i < n; i++) {
    const c = text.charCodeAt(i);
    if (c === 46) {
      if (dot !== -1 || i === 0 || i === n - 1) return 'FORMAT';
      dot = i;
    } else if (c < 48 || c > 57) return 'FORMAT';
  }
  const intEnd = dot === -1 ? n : dot;
  if (intEnd > 18 || (dot !== -1 && n - dot - 1 > 18)) return 'FORMAT';
  let start = 0;
  while (start < intEnd - 1 && text.charCodeAt(start) === 48) start++;
  let fracEnd = n;
  if (dot !== -1) while (fracEnd > dot + 1 && text.charCodeAt(fracEnd - 1) === 48) fracEnd--;
  const fracLength = dot === -1 ? 0 : fracEnd - dot - 1;
  if (fracLength > digits) return 'PRECISION';
  const intDigits = intEnd - start === 1 && text.charCodeAt(start) === 48 ? 0 : intEnd - start;
  if (intDigits + digits > 18) return 'SIZE';
  let units = text.slice(start, intEnd);
  if (fracLength > 0) units += text.slice(dot + 1, fracEnd);
  if (fracLength < digits) units += ZEROS[digits - fracLength];
  const u = BigInt(units);
  return u === 0n ? 'ZERO' : u;
}

const ZEROS = ['', '0', '00', '000', '0000', '00000', '000000'];

function rejected(id: string, code: ObligationRejectCode, field: string, message: string): Rejected {
  return { id, status: 'REJECTED', code, field, message };
}

function inputOf(o: RawObligation, amount: BigNumber): ObligationInput {
  const out: { -readonly [K in keyof ObligationInput]: ObligationInput[K] } = {
    id: String(o.id), payer: String(o.payer), payee: String(o.payee), currency: String(o.currency), amount,
  };
  if (o.priority !== undefined) out.priority = o.priority;
  if (o.origin !== undefined) out.origin = o.origin;
  return out;
}

/** The settlement instructions of a netted window, as the settler takes them. */
export function plansOf(state: WindowState): InstructionPlan[] {
  const plans: InstructionPlan[] = [];
  for (const c of state.result?.currencies ?? []) {
    const digits = minorUnits(c.currency) ?? 0;
    for (let i = 0; i < c.units.length; i++) {
      plans.push({
        id: instructionId(state.id, c.currency, i + 1), windowId: state.id, from: c.participants[c.from[i]!]!, to: c.participants[c.to[i]!]!,
        currency: c.currency, amount: new BigNumber(c.units[i]!.toString()).shiftedBy(-digits),
      });
    }
  }
  return plans;
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}
