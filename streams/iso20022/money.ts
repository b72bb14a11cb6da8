// ISO 4217 in one place: which currency codes exist and how many minor units each has. Amounts
// are bignumber.js decimals and are printed with exactly their currency's minor units, unless
// that would drop digits (an over-precise bank amount is shown as it came, and flagged elsewhere).

import BigNumber from 'bignumber.js';
import { createRequire } from 'node:module';

// currency-codes is CommonJS without named ESM exports.
const currencyCodes = createRequire(import.meta.url)('currency-codes') as typeof import('currency-codes');

const digitsCache = new Map<string, number | null>();

/** Minor units of an active ISO 4217 code (EUR 2, JPY 0, BHD 3, CLF 4), or undefined if unknown. */
export function minorUnits(currency: string): number | undefined {
  let d = digitsCache.get(currency);
  if (d === undefined) {
    d = currencyCodes.code(currency)?.digits ?? null;
    digitsCache.set(currency, d);
  }
  return d ?? undefined;
}

/** Decimal string with the currency's minor units ("1200.50", "79255" for JPY). */
export function formatAmount(value: BigNumber, currency: string): string {
  const digits = minorUnits(currency) ?? 2;
  const places = value.decimalPlaces() ?? 0;
  return places <= digits ? value.toFixed(digits) : value.toFixed();
}

// xs:decimal: an optional sign, digits with an optional fraction, or a bare fraction (`.34`).
const XS_DECIMAL = /^[+-]?(?:\d+(?:\.\d*)?|\.\d+)$/;
const NOT_A_NUMBER = new BigNumber(NaN);

/**
 * Element text to a decimal, never throwing: bignumber.js throws on text that is not a number, and
 * also accepts forms XML does not (`1e3`, ` 1 `). Anything else becomes NaN, which validation
 * reports as AMOUNT_FORMAT with the lexical text it kept.
 */
export function decimal(text: string): BigNumber {
  // Parsing costs ~0.5 µs and an amount usually recurs within a few elements (an entry and its one
  // TxDtls, the amount and its AmtDtls copy); BigNumber is immutable, so sharing is safe. The memory
  // is a few slots, so repeated benchmark input gets no help from earlier messages.
  for (let i = 0; i < RECENT; i++) if (recentText[i] === text) return recentValue[i]!;
  const v = XS_DECIMAL.test(text) ? new BigNumber(text) : NOT_A_NUMBER;
  recentText[next] = text;
  recentValue[next] = v;
  next = (next + 1) % RECENT;
  return v;
}

const RECENT = 4;
const recentText: string[] = new Array<string>(RECENT).fill('\u0000');
const recentValue: BigNumber[] = new Array<BigNumber>(RECENT).fill(NOT_A_NUMBER);
let next = 0;

export { BigNumber };
