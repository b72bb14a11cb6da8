// The daily P&L of many portfolios over one rate history, exactly and fast: the rate changes are
// computed once, as integers scaled by 10^S (S = the most decimal places any rate has), and each
// portfolio's P&L is Σ amount × Δrate in bigint (amounts scaled by 10^k, k their most decimal
// places), turned back into a decimal only at the end. Every step is exact, so the result is the
// same number dailyPnl (var.ts) gives, at a fraction of the cost: var.ts's bignumber.js path
// allocates a decimal per product, this one multiplies machine-sized integers.

import BigNumber from 'bignumber.js';
import { EWMA_LAMBDA, historicalRank, scaleAndRound, sigmaOf, zOf, type VarParameters } from './var.ts';

/** A P&L series as integers: value = int × 10^−scale. */
export interface ScaledPnl {
  readonly values: readonly bigint[];
  readonly scale: number;
}

export class RateChanges {
  readonly #scale: number;
  /** Per currency, per day t (from 1), (rate(t) − rate(t−1)) × 10^scale. */
  readonly #deltas = new Map<string, bigint[]>();
  readonly days: number;

  /** `rates`: per aligned date (oldest first), currency → rate to the base (the VaR input's `rates`). */
  constructor(rates: readonly Readonly<Record<string, BigNumber>>[], currencies: readonly string[]) {
    let scale = 0;
    for (const day of rates) for (const c of currencies) scale = Math.max(scale, day[c]?.decimalPlaces() ?? 0);
    this.#scale = scale;
    this.days = Math.max(0, rates.length - 1);
    for (const c of currencies) {
      const ints: bigint[] = [];
      for (const day of rates) {
        const r = day[c];
        if (r === undefined) throw new RangeError(`no ${c} rate on an aligned date`);
        ints.push(BigInt(r.shiftedBy(scale).toFixed(0)));
      }
      this.#deltas.set(c, ints.slice(1).map((v, i) => v - ints[i]!));
    }
  }

  /** The portfolio's P&L of each day (oldest first), exact. */
  pnl(positions: Readonly<Record<string, BigNumber>>): BigNumber[] {
    const { values, scale } = this.scaledPnl(positions);
    return values.map((v) => new BigNumber(v.toString()).shiftedBy(-scale));
  }

  /** The same as integers × 10^−scale (for varOfScaledPnl). */
  scaledPnl(positions: Readonly<Record<string, BigNumber>>): ScaledPnl {
    const entries = Object.entries(positions);
    let k = 0;
    for (const [, amount] of entries) k = Math.max(k, amount.decimalPlaces() ?? 0);
    const sums: bigint[] = new Array<bigint>(this.days).fill(0n);
    for (const [ccy, amount] of entries) {
      const deltas = this.#deltas.get(ccy);
      if (deltas === undefined) throw new RangeError(`no ${ccy} rates`);
      const a = BigInt(amount.shiftedBy(k).toFixed(0));
      if (a === 0n) continue;
      for (let t = 0; t < deltas.length; t++) sums[t]! += a * deltas[t]!;
    }
    return { values: sums, scale: this.#scale + k };
  }
}

const VARIANCE_SCALE = 30;
const TEN = 10n;

/** Integer division rounding half to even (the rounding of var.ts's decimals). */
function divHalfEven(n: bigint, d: bigint): bigint {
  const negative = (n < 0n) !== (d < 0n);
  const an = n < 0n ? -n : n;
  const ad = d < 0n ? -d : d;
  let q = an / ad;
  const r2 = (an % ad) * 2n;
  if (r2 > ad || (r2 === ad && q % 2n === 1n)) q += 1n;
  return negative ? -q : q;
}

/**
 * varOfPnl (var.ts) on an integer series, with the same figures: historical picks the same
 * rank; EWMA runs σ² in integers at 30 decimal places rounded half-even at each step, exactly as
 * var.ts's decimals do, then takes z·√σ² the same way.
 */
export function varOfScaledPnl(method: 'historical' | 'ewma', pnl: ScaledPnl, params: VarParameters, lambda: string = EWMA_LAMBDA): BigNumber {
  const window = pnl.values.length === params.windowDays ? pnl.values : pnl.values.slice(-params.windowDays);
  if (window.length < params.windowDays) throw new RangeError(`${params.windowDays} P&L values are needed, ${window.length} were given`);
  if (method === 'historical') {
    const losses = window.map((v) => -v).sort((a, b) => (a > b ? -1 : a < b ? 1 : 0));
    const loss = new BigNumber(losses[historicalRank(window.length, params.confidence) - 1]!.toString()).shiftedBy(-pnl.scale);
    return scaleAndRound(loss, params);
  }
  // λ = lNum / 10^m; p² has scale 2·scale; σ² keeps VARIANCE_SCALE.
  const l = new BigNumber(lambda);
  const m = l.decimalPlaces() ?? 0;
  const lNum = BigInt(l.shiftedBy(m).toFixed(0));
  const one = TEN ** BigInt(m);
  const toVariance = (sq: bigint) => divHalfEven(sq * TEN ** BigInt(VARIANCE_SCALE), TEN ** BigInt(2 * pnl.scale));
  // σ²₁ = P&L(1)², rounded to 30 places like var.ts's first step.
  let variance = toVariance(window[0]! * window[0]!);
  const sqScale = TEN ** BigInt(2 * pnl.scale);
  const vScale = TEN ** BigInt(VARIANCE_SCALE);
  for (const p of window) {
    // λσ² + (1 − λ)p², exact over the common denominator 10^m · 10^(2·scale), then rounded once.
    const exact = lNum * variance * sqScale + (one - lNum) * p * p * vScale;
    variance = divHalfEven(exact, one * sqScale);
  }
  const sigma = sigmaOf(new BigNumber(variance.toString()).shiftedBy(-VARIANCE_SCALE));
  return scaleAndRound(zOf(params.confidence).times(sigma), params);
}
