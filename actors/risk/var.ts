// Value at Risk of a set of currency positions, by the pinned definitions of issue 6, so anyone
// can recompute a figure:
//
//   dates    the last window_days + 1 dates on which every currency involved has a rate (the
//            caller aligns the series: `rates[t]` holds, per currency, the rate to the base);
//   P&L(t)   Σ over currencies of amount × (rate(t) − rate(t−1)): window_days values;
//   historical  the ⌈N·(1 − confidence)⌉-th largest loss (loss = −P&L), × √horizon_days;
//   ewma     (RiskMetrics, λ = 0.94) σ²₁ = P&L(1)², σ²ₜ₊₁ = λσ²ₜ + (1 − λ)·P&L(t)²,
//            VaR = z·σ_{N+1}·√horizon_days, z the standard normal quantile of `confidence`.
//
// Arithmetic is decimal (bignumber.js, 30 significant places for the statistics) and rounded once,
// at the end, half-up to the base currency's minor units. The rank ⌈N·(1 − c)⌉ is computed in
// decimal too: in binary floating point 100 × (1 − 0.99) is 1.0000000000000009, whose ceiling
// would pick the 2nd largest loss instead of the 1st.

import BigNumber from 'bignumber.js';
import { minorUnits } from '../money.ts';

const D = BigNumber.clone({ DECIMAL_PLACES: 30, ROUNDING_MODE: BigNumber.ROUND_HALF_EVEN });

export const EWMA_LAMBDA = '0.94';

export interface VarInput {
  /** Amount per currency (positive long, negative short), in that currency. */
  readonly positions: Readonly<Record<string, BigNumber>>;
  /** Aligned dates, oldest first: per date, the rate of each currency to the base (base units per unit). */
  readonly rates: readonly Readonly<Record<string, BigNumber>>[];
  readonly baseCurrency: string;
  /** As a decimal string ("0.99"), never a float. */
  readonly confidence: string;
  readonly horizonDays: number;
  readonly windowDays: number;
}

export interface VarResult {
  readonly var: BigNumber;
  readonly observations: number;
  /** Daily P&L in the base currency, oldest first (unrounded), for audit and backtests. */
  readonly pnl: readonly BigNumber[];
}

export class VarInputError extends Error {
  override readonly name = 'VarInputError';
  constructor(readonly code: 'CONFIDENCE_INVALID' | 'HORIZON_INVALID' | 'WINDOW_INVALID' | 'HISTORY_SHORT' | 'RATE_MISSING', message: string) {
    super(`${code}: ${message}`);
  }
}

function check(input: VarInput): void {
  const c = new D(input.confidence);
  if (!c.isFinite() || c.isLessThanOrEqualTo(0) || c.isGreaterThanOrEqualTo(1)) throw new VarInputError('CONFIDENCE_INVALID', `confidence ${input.confidence} must be strictly between 0 and 1`);
  if (!Number.isSafeInteger(input.horizonDays) || input.horizonDays < 1) throw new VarInputError('HORIZON_INVALID', `horizon_days ${input.horizonDays} must be a positive integer`);
  if (!Number.isSafeInteger(input.windowDays) || input.windowDays < 2) throw new VarInputError('WINDOW_INVALID', `window_days ${input.windowDays} must be an integer ≥ 2`);
  if (input.rates.length < input.windowDays + 1) {
    throw new VarInputError('HISTORY_SHORT', `${input.windowDays + 1} dates with every rate are needed, ${input.rates.length} were found`);
  }
}

/** The window's daily P&L in the base currency (the last windowDays + 1 dates). */
export function dailyPnl(input: VarInput): BigNumber[] {
  check(input);
  const dates = input.rates.slice(-(input.windowDays + 1));
  const currencies = Object.keys(input.positions).sort();
  const out: BigNumber[] = [];
  for (let t = 1; t < dates.length; t++) {
    let pnl = new D(0);
    for (const ccy of currencies) {
      const now = dates[t]![ccy];
      const before = dates[t - 1]![ccy];
      if (now === undefined || before === undefined) throw new VarInputError('RATE_MISSING', `no ${ccy} rate on an aligned date (index ${t})`);
      pnl = pnl.plus(new D(input.positions[ccy]!).times(new D(now).minus(before)));
    }
    out.push(pnl);
  }
  return out;
}

function finish(value: BigNumber, input: VarParameters, pnl: readonly BigNumber[]): VarResult {
  return { var: scaleAndRound(value, input), observations: pnl.length, pnl: pnl.map((p) => new BigNumber(p)) };
}

/** × √horizon_days, then half-up to the base currency's minor units: the one rounding. */
export function scaleAndRound(value: BigNumber, input: VarParameters): BigNumber {
  const scaled = input.horizonDays === 1 ? value : new D(value).times(new D(input.horizonDays).sqrt());
  const digits = minorUnits(input.baseCurrency) ?? 2;
  return new BigNumber(scaled.decimalPlaces(digits, BigNumber.ROUND_HALF_UP));
}

/** ⌈N·(1 − confidence)⌉, at least 1. */
export function historicalRank(windowDays: number, confidence: string): number {
  return Math.max(1, new D(1).minus(confidence).times(windowDays).integerValue(BigNumber.ROUND_CEIL).toNumber());
}

export function historicalVar(input: VarInput): VarResult {
  const pnl = dailyPnl(input);
  return finish(historicalLoss(pnl, input.confidence), input, pnl);
}

export function ewmaVar(input: VarInput, lambda: string = EWMA_LAMBDA): VarResult {
  const pnl = dailyPnl(input);
  return finish(ewmaLoss(pnl, input.confidence, lambda), input, pnl);
}

/** What VaR needs besides the P&L: the statistics' parameters and the base for the rounding. */
export type VarParameters = Pick<VarInput, 'baseCurrency' | 'confidence' | 'horizonDays' | 'windowDays'>;

/**
 * The same figures from a P&L series already computed (its last `windowDays` values): the
 * backtest's walk forward and many portfolios over one rate history reuse their P&L instead of
 * revaluing the rates for each window.
 */
export function varOfPnl(method: 'historical' | 'ewma', pnl: readonly BigNumber[], params: VarParameters, lambda: string = EWMA_LAMBDA): BigNumber {
  if (pnl.length < params.windowDays) throw new VarInputError('HISTORY_SHORT', `${params.windowDays} P&L values are needed, ${pnl.length} were given`);
  const window = pnl.length === params.windowDays ? pnl : pnl.slice(-params.windowDays);
  const loss = method === 'historical' ? historicalLoss(window, params.confidence) : ewmaLoss(window, params.confidence, lambda);
  return scaleAndRound(loss, params);
}

/** The ⌈N·(1 − c)⌉-th largest loss of the series (N = its length), unscaled and unrounded. */
function historicalLoss(pnl: readonly BigNumber[], confidence: string): BigNumber {
  const losses = pnl.map((p) => p.negated()).sort((a, b) => b.comparedTo(a) ?? 0);
  return losses[historicalRank(pnl.length, confidence) - 1]!;
}

/** z to 15 significant digits, as every EWMA figure here uses it. */
export function zOf(confidence: string): BigNumber {
  return new D(normalQuantile(Number(confidence)).toPrecision(15));
}

/** √σ² at 30 decimal places (half-even), the σ of every EWMA figure here. */
export function sigmaOf(variance: BigNumber): BigNumber {
  return new D(variance).sqrt();
}

/** z·σ_{N+1} of the series, unscaled and unrounded. */
function ewmaLoss(pnl: readonly BigNumber[], confidence: string, lambda: string): BigNumber {
  const l = new D(lambda);
  const rest = new D(1).minus(l);
  // Rounded to D's 30 decimal places at each step: multiplication is exact in bignumber.js, so an
  // unrounded σ² would gain digits every day (hundreds after 250 days) for no visible difference.
  let variance = new D(pnl[0]!).pow(2).decimalPlaces(30);
  for (const p of pnl) variance = l.times(variance).plus(rest.times(new D(p).pow(2))).decimalPlaces(30);
  return zOf(confidence).times(sigmaOf(variance));
}

/**
 * The standard normal quantile (Acklam's rational approximation, relative error < 1.15e-9, far
 * below what a VaR figure rounded to cents can show). 0.99 → 2.32634787...
 */
export function normalQuantile(p: number): number {
  if (!(p > 0 && p < 1)) throw new RangeError(`quantile of ${p}`);
  const a = [-3.969683028665376e1, 2.209460984245205e2, -2.759285104469687e2, 1.38357751867269e2, -3.066479806614716e1, 2.506628277459239];
  const b = [-5.447609879822406e1, 1.615858368580409e2, -1.556989798598866e2, 6.680131188771972e1, -1.328068155288572e1];
  const c = [-7.784894002430293e-3, -3.223964580411365e-1, -2.400758277161838, -2.549732539343734, 4.374664141464968, 2.938163982698783];
  const d = [7.784695709041462e-3, 3.224671290700398e-1, 2.445134137142996, 3.754408661907416];
  const low = 0.02425;
  let x: number;
  if (p < low) {
    const q = Math.sqrt(-2 * Math.log(p));
    x = (((((c[0]! * q + c[1]!) * q + c[2]!) * q + c[3]!) * q + c[4]!) * q + c[5]!) / ((((d[0]! * q + d[1]!) * q + d[2]!) * q + d[3]!) * q + 1);
  } else if (p <= 1 - low) {
    const q = p - 0.5;
    const r = q * q;
    x = ((((((a[0]! * r + a[1]!) * r + a[2]!) * r + a[3]!) * r + a[4]!) * r + a[5]!) * q) / (((((b[0]! * r + b[1]!) * r + b[2]!) * r + b[3]!) * r + b[4]!) * r + 1);
  } else {
    const q = Math.sqrt(-2 * Math.log(1 - p));
    x = -(((((c[0]! * q + c[1]!) * q + c[2]!) * q + c[3]!) * q + c[4]!) * q + c[5]!) / ((((d[0]! * q + d[1]!) * q + d[2]!) * q + d[3]!) * q + 1);
  }
  return x;
}
