// The FX API (issue 6):
//   POST /api/v1/fx/rates   live observations [{base, quote, rate, as_of}] (or {source, rates}),
//                           stored with their source (default `api`), never overwriting history;
//                           answers what was inserted, the duplicates, and the FX move alerts.
//   GET  /api/v1/fx/rates?base=&quote=&from=&to=   a pair's history (derived via USD when the
//                           pair is not stored either way round); default the last 31 days to today.
//   GET  /api/v1/fx/rate?base=&quote=&as_of=       the latest rate on or before as_of (default
//                           today), direct, inverted or via USD, with the rows it came from.
//   GET  /api/v1/fx/status  the history import: off | importing | ready | failed, rows done/total.
// While the history import runs, the two lookups answer 503 FX_IMPORTING (Retry-After).

import type { FastifyInstance, FastifyReply } from 'fastify';
import { FxImporting, todayUtc, type FxService } from '../fx/fx-service.ts';
import { isCalendarDate, parseLiveRates } from '../fx/live-rates.ts';
import { fail, ok } from './envelope.ts';

const CURRENCY = /^[A-Z]{3}$/;
const HISTORY_MAX = 10_000;
const IMPORT_RETRY_S = 5;

type Query = Record<string, string | undefined>;

export function fxRoutes(app: FastifyInstance, fx: FxService): void {
  app.post('/api/v1/fx/rates', async (req, reply) => {
    const parsed = parseLiveRates(req.body, 'api');
    if ('field' in parsed) return fail(reply, 400, 'VALIDATION_FAILED', parsed.message, parsed.field);
    const r = await fx.addRates(parsed.rates, parsed.source);
    return ok({
      source: parsed.source,
      inserted: r.inserted.map((x) => ({ id: x.id, base: x.base, quote: x.quote, rate: x.rate.toFixed(), as_of: x.asOf, source: x.source })),
      duplicates: r.duplicates,
      alerts: r.moves.map((m) => ({ base: m.base, quote: m.quote, move: m.move.decimalPlaces(8).toFixed(), previous: m.previous.rate.toFixed(), previous_as_of: m.previous.asOf, rate: m.next.rate.toFixed(), as_of: m.next.asOf })),
    });
  });

  app.get<{ Querystring: Query }>('/api/v1/fx/rate', async (req, reply) => {
    const q = req.query;
    const pair = pairOf(q);
    if ('field' in pair) return fail(reply, 400, 'VALIDATION_FAILED', pair.message, pair.field);
    const asOf = q['as_of'] ?? todayUtc();
    if (!isCalendarDate(asOf)) return fail(reply, 400, 'VALIDATION_FAILED', 'as_of must be a date YYYY-MM-DD', 'as_of');
    return importing(reply, async () => {
      const found = await fx.rate(pair.base, pair.quote, asOf);
      if (found === null) return fail(reply, 404, 'RATE_UNKNOWN', `no ${pair.base}/${pair.quote} rate on or before ${asOf}, directly, inverted or via USD`, 'quote');
      return ok({
        base: found.base, quote: found.quote, rate: found.rate.toFixed(), as_of: found.asOf, requested_as_of: asOf,
        derivation: found.derivation, rate_id: found.rateId, sources: found.sources,
      });
    });
  });

  app.get<{ Querystring: Query }>('/api/v1/fx/rates', async (req, reply) => {
    const q = req.query;
    const pair = pairOf(q);
    if ('field' in pair) return fail(reply, 400, 'VALIDATION_FAILED', pair.message, pair.field);
    const to = q['to'] ?? todayUtc();
    if (!isCalendarDate(to)) return fail(reply, 400, 'VALIDATION_FAILED', 'to must be a date YYYY-MM-DD', 'to');
    const from = q['from'] ?? shift(to, -31);
    if (!isCalendarDate(from)) return fail(reply, 400, 'VALIDATION_FAILED', 'from must be a date YYYY-MM-DD', 'from');
    if (from > to) return fail(reply, 400, 'VALIDATION_FAILED', 'from must not be after to', 'from');
    return importing(reply, async () => {
      const points = await fx.history(pair.base, pair.quote, from, to, HISTORY_MAX);
      return ok({
        base: pair.base, quote: pair.quote, from, to, truncated: points.length >= HISTORY_MAX,
        rates: points.map((p) => ({ as_of: p.asOf, rate: p.rate.toFixed(), source: p.source, derivation: p.derivation, rate_id: p.rateId })),
      });
    });
  });

  app.get('/api/v1/fx/status', async () => {
    const s = fx.state;
    return ok({ status: s.status, done: s.done, total: s.total, from_year: s.fromYear, error: s.error, report: s.report });
  });
}

/** Runs a lookup; the history import still running is a 503 the client retries. */
export async function importing(reply: FastifyReply, lookup: () => Promise<unknown>): Promise<unknown> {
  try {
    return await lookup();
  } catch (err) {
    if (err instanceof FxImporting) {
      void reply.header('retry-after', String(IMPORT_RETRY_S));
      return fail(reply, 503, err.code, err.message);
    }
    throw err;
  }
}

function pairOf(q: Query): { base: string; quote: string } | { field: string; message: string } {
  const base = q['base']?.toUpperCase();
  const quote = q['quote']?.toUpperCase();
  if (base === undefined || !CURRENCY.test(base)) return { field: 'base', message: 'base must be an ISO 4217 code, e.g. "EUR"' };
  if (quote === undefined || !CURRENCY.test(quote)) return { field: 'quote', message: 'quote must be an ISO 4217 code, e.g. "USD"' };
  return { base, quote };
}

function shift(date: string, days: number): string {
  const d = new Date(`${date}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() + days);
  return d.toISOString().slice(0, 10);
}
