// Tier 2's early warning: a difference that grows check after check is flagged before it crosses
// the next level, not when it already has. Over the last `window` checks of one account (oldest
// first), the drift is flagged when the absolute difference grew at every step and, carried on at
// its average step for `horizon` more checks, would reach a worse level than the current one.
// A difference that jumps and stays is not a drift (the level handles it); one that grows and
// shrinks is noise. Exact decimals throughout; the projection never divides by anything but the
// count of steps, which is exact for the decimals it is given (bignumber.js, 20 places).

import BigNumber from 'bignumber.js';
import { atLeast, compareBalances, THRESHOLDS_DEFAULT, type ThresholdLevel, type Thresholds } from './thresholds.ts';

export interface Check {
  readonly ledger: BigNumber;
  readonly bank: BigNumber;
}

export interface TrendOptions {
  /** Checks looked at, oldest first (≥ 3: two steps make a direction, not a trend). Default 4. */
  readonly window: number;
  /** Checks ahead the drift is projected. Default 3. */
  readonly horizon: number;
  readonly thresholds: Thresholds;
}

export const TREND_DEFAULT: TrendOptions = { window: 4, horizon: 3, thresholds: THRESHOLDS_DEFAULT };

export interface Trend {
  readonly drifting: boolean;
  readonly current: ThresholdLevel;
  /** The level the projection reaches (the current one when not drifting). */
  readonly projected: ThresholdLevel;
  /** Average growth of |L − B| per check over the window (zero when not growing at every step). */
  readonly stepAverage: BigNumber;
}

export function driftOf(history: readonly Check[], options: TrendOptions = TREND_DEFAULT): Trend {
  if (options.window < 3) throw new RangeError(`trend window must be ≥ 3, got ${options.window}`);
  const last = history.at(-1);
  if (last === undefined) return { drifting: false, current: 'Ok', projected: 'Ok', stepAverage: new BigNumber(0) };
  const current = compareBalances(last.ledger, last.bank, options.thresholds).level;
  const recent = history.slice(-options.window);
  const diffs = recent.map((c) => c.ledger.minus(c.bank));
  const still = { drifting: false, current, projected: current, stepAverage: new BigNumber(0) };
  if (recent.length < options.window) return still;
  // Growing at every step, in one direction (a difference that changes sign is not one drift).
  for (let i = 1; i < diffs.length; i++) {
    const [a, b] = [diffs[i - 1]!, diffs[i]!];
    if (!b.abs().isGreaterThan(a.abs()) || (!a.isZero() && a.isNegative() !== b.isNegative())) return still;
  }
  const first = diffs[0]!;
  const end = diffs.at(-1)!;
  const step = end.minus(first).dividedBy(diffs.length - 1);
  const projectedDiff = end.plus(step.times(options.horizon));
  // The bank side is held where it is: a drift is the books walking away from the bank.
  const projected = compareBalances(last.bank.plus(projectedDiff), last.bank, options.thresholds).level;
  const drifting = projected !== current && atLeast(projected, current);
  return { drifting, current, projected: drifting ? projected : current, stepAverage: step.abs() };
}
