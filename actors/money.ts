// Money inside the actors: exact bignumber.js decimals, never floats, checked against the
// currency's ISO 4217 minor units (the table lives in streams/iso20022/money.ts and is reused, not
// copied). Additions and subtractions are exact; the only rounding is the FX leg of a conversion,
// with an explicit mode. The global BigNumber configuration is never changed: every call that
// could round names its rounding mode.

import BigNumber from 'bignumber.js';
import { formatAmount, minorUnits } from '../streams/iso20022/money.ts';
import { reject, type Rejection } from './decision.ts';

export { BigNumber, formatAmount, minorUnits };

export const ZERO = new BigNumber(0);

/** More decimals than this in a rate is a typo, not a market quote. */
const RATE_DECIMALS_MAX = 12;

/** null when the code is an active ISO 4217 currency. */
export function checkCurrency(currency: string): Rejection | null {
  return minorUnits(currency) === undefined ? reject('CURRENCY_UNKNOWN', `${currency} is not an ISO 4217 code`).rejection : null;
}

/**
 * null when `value` is a finite amount in `currency`, positive (or zero when allowed), with no
 * more decimals than the currency has minor units. Nothing is rounded: a sub-unit amount is
 * refused, because a ledger that rounds silently cannot be reconciled to the cent.
 */
export function checkAmount(value: BigNumber, currency: string, options: { readonly zeroAllowed?: boolean } = {}): Rejection | null {
  const digits = minorUnits(currency);
  if (digits === undefined) return checkCurrency(currency);
  if (!value.isFinite()) return reject('AMOUNT_INVALID', `amount ${value.toString()} is not a finite decimal`).rejection;
  if (value.isNegative() || (value.isZero() && options.zeroAllowed !== true)) {
    return reject('AMOUNT_NOT_POSITIVE', `amount ${value.toFixed()} ${currency} must be greater than zero`).rejection;
  }
  if ((value.decimalPlaces() ?? 0) > digits) {
    return reject('AMOUNT_PRECISION', `${value.toFixed()} has more than ${digits} decimals for ${currency}`).rejection;
  }
  return null;
}

export function checkRate(rate: BigNumber): Rejection | null {
  const ok = rate.isFinite() && rate.isPositive() && !rate.isZero() && (rate.decimalPlaces() ?? 0) <= RATE_DECIMALS_MAX;
  return ok ? null : reject('RATE_INVALID', `rate ${rate.toString()} is not a positive decimal with at most ${RATE_DECIMALS_MAX} decimals`).rejection;
}

/**
 * The target leg of a conversion: amount × rate (exact), then cut to the target's minor units
 * rounding DOWN, so a conversion never creates a fraction of a unit more than the rate gives; the
 * remainder stays with the house and can only make backing stronger.
 */
export function convertAmount(amount: BigNumber, rate: BigNumber, targetCurrency: string): BigNumber {
  const digits = minorUnits(targetCurrency);
  if (digits === undefined) throw new Error(`convertAmount: unknown currency ${targetCurrency}`);
  return amount.times(rate).decimalPlaces(digits, BigNumber.ROUND_DOWN);
}

/** For messages: the amount with its currency's minor units ("1050000.00 AED"). */
export function show(value: BigNumber, currency: string): string {
  return `${formatAmount(value, currency)} ${currency}`;
}

// A decimal string as journaled: optional minus, digits, optional fraction. No exponent, no
// spaces, no plus sign: one canonical form, so a replayed state encodes to the same JSON.
const DECIMAL_TEXT = /^-?(?:0|[1-9]\d*)(?:\.\d*[1-9])?$/;

/** Canonical decimal text: `toFixed()` never uses exponent notation and drops trailing zeros. */
export function encodeDecimal(value: BigNumber): string {
  if (!value.isFinite()) throw new Error(`encodeDecimal: ${value.toString()} is not finite`);
  return value.isZero() ? '0' : value.toFixed();
}

/** The inverse of encodeDecimal; anything else is a corrupt journal, so it is undefined here. */
export function decodeDecimal(text: string): BigNumber | undefined {
  return DECIMAL_TEXT.test(text) ? new BigNumber(text) : undefined;
}

export function sum(values: Iterable<BigNumber>): BigNumber {
  let total = ZERO;
  for (const v of values) total = total.plus(v);
  return total;
}
