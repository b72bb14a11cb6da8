// How far apart deltran's books (ledger L) and the bank (B) may be before something must happen.
// diff = |L − B|; pct = diff / B × 100 when B > 0. When B ≤ 0 a percentage of B means nothing, so
// any difference counts as 100% and no difference as 0% (this covers the seed's two rules: 100
// when B ≤ 0 and L > 0, 0 when both are 0). Levels are evaluated in order, bounds inclusive:
//
//   Ok           diff ≤ okDiff and pct ≤ okPct
//   Minor        pct ≤ minorPct          discrepancy recorded, operations go on
//   Significant  pct ≤ significantPct    payouts from the account suspended
//   Critical     otherwise               circuit breaker trips
//
// and one rule on top: L > B beyond the Ok tolerance means tokens not fully backed by fiat, which
// is at least Significant whatever the percentage. Percentages are compared exactly, by cross
// multiplication (diff × 100 ≤ t × B), never by dividing: 1/3 of a cent must not round a level.

import BigNumber from 'bignumber.js';
import { ZERO } from '../money.ts';

export type ThresholdLevel = 'Ok' | 'Minor' | 'Significant' | 'Critical';

export const THRESHOLD_LEVELS: readonly ThresholdLevel[] = ['Ok', 'Minor', 'Significant', 'Critical'];

export interface Thresholds {
  /** Absolute tolerance of Ok, in currency units. */
  readonly okDiff: BigNumber;
  /** Percent (0.01 means 0.01%, one basis point). */
  readonly okPct: BigNumber;
  readonly minorPct: BigNumber;
  readonly significantPct: BigNumber;
}

export const THRESHOLDS_DEFAULT: Thresholds = {
  okDiff: new BigNumber('0.01'),
  okPct: new BigNumber('0.01'),
  minorPct: new BigNumber('0.05'),
  significantPct: new BigNumber('0.5'),
};

export interface Comparison {
  readonly ledger: BigNumber;
  readonly bank: BigNumber;
  /** ledger − bank: positive when the books hold more than the bank (under-backed). */
  readonly difference: BigNumber;
  /** |ledger − bank|. */
  readonly diff: BigNumber;
  /** diff / bank × 100, rounded half-up to 6 decimals for display; the level never reads it. */
  readonly pct: BigNumber;
  readonly level: ThresholdLevel;
  /** The level was raised to Significant because the ledger exceeds the bank. */
  readonly underBacked: boolean;
}

/** Refuses thresholds that cannot be meant (negative, or levels out of order). */
export function checkThresholds(t: Thresholds): string | null {
  const all = [t.okDiff, t.okPct, t.minorPct, t.significantPct];
  if (all.some((v) => !v.isFinite() || v.isNegative())) return 'thresholds must be finite and not negative';
  if (t.okPct.isGreaterThan(t.minorPct) || t.minorPct.isGreaterThan(t.significantPct)) return 'thresholds must satisfy okPct ≤ minorPct ≤ significantPct';
  return null;
}

/**
 * The displayed percentage: the quotient rounded half-up to 6 decimals once, by the division
 * itself. Dividing to the default 20 places and rounding again rounded twice, and that division
 * was most of what tier 1 allocated per message (bench/reconciliation heap profile).
 */
const Percent = BigNumber.clone({ DECIMAL_PLACES: 6, ROUNDING_MODE: BigNumber.ROUND_HALF_UP });

/** pct ≤ bound, exactly (see the header); `diff100` is diff × 100, computed once per comparison. */
function pctWithin(diff100: BigNumber, bank: BigNumber, bound: BigNumber): boolean {
  if (bank.isGreaterThan(0)) return diff100.isLessThanOrEqualTo(bound.times(bank));
  return diff100.isZero() || bound.isGreaterThanOrEqualTo(100);
}

export function compareBalances(ledger: BigNumber, bank: BigNumber, t: Thresholds = THRESHOLDS_DEFAULT): Comparison {
  const difference = ledger.minus(bank);
  const { level, underBacked } = levelOfDifference(difference, bank, t);
  return new Compared(ledger, bank, difference, difference.abs(), level, underBacked);
}

/**
 * A Comparison whose percentage is worked out when first read: most callers want the level only
 * (tier 1 on every booking, tier 2 over every account), and the division was ~3 µs and most of
 * what tier 1 allocated per message.
 */
class Compared implements Comparison {
  #pct: BigNumber | undefined;

  constructor(
    readonly ledger: BigNumber,
    readonly bank: BigNumber,
    readonly difference: BigNumber,
    readonly diff: BigNumber,
    readonly level: ThresholdLevel,
    readonly underBacked: boolean,
  ) {}

  get pct(): BigNumber {
    return (this.#pct ??= this.bank.isGreaterThan(0)
      ? new BigNumber(new Percent(this.diff).times(100).dividedBy(this.bank))
      : this.diff.isZero() ? ZERO : new BigNumber(100));
  }

  /** As a plain object would serialise, the percentage included. */
  toJSON(): Record<string, unknown> {
    return { ledger: this.ledger, bank: this.bank, difference: this.difference, diff: this.diff, pct: this.pct, level: this.level, underBacked: this.underBacked };
  }
}

/**
 * The level alone, for the hot path (tier 1 runs it on every booked entry): no percentage to
 * display, so no division. Equal figures, the common case, cost one comparison.
 */
export function levelOf(ledger: BigNumber, bank: BigNumber, t: Thresholds = THRESHOLDS_DEFAULT): ThresholdLevel {
  if (ledger.isEqualTo(bank)) return 'Ok';
  return levelOfDifference(ledger.minus(bank), bank, t).level;
}

function levelOfDifference(difference: BigNumber, bank: BigNumber, t: Thresholds): { level: ThresholdLevel; underBacked: boolean } {
  const diff = difference.abs();
  const diff100 = diff.times(100);
  const ok = diff.isLessThanOrEqualTo(t.okDiff) && pctWithin(diff100, bank, t.okPct);
  const level: ThresholdLevel = ok
    ? 'Ok'
    : pctWithin(diff100, bank, t.minorPct) ? 'Minor' : pctWithin(diff100, bank, t.significantPct) ? 'Significant' : 'Critical';
  // The backing rule: the books above the bank beyond Ok is at least Significant.
  if (!ok && difference.isPositive() && level === 'Minor') return { level: 'Significant', underBacked: true };
  return { level, underBacked: false };
}

/** Whether `a` is at least as severe as `b`. */
export function atLeast(a: ThresholdLevel, b: ThresholdLevel): boolean {
  return THRESHOLD_LEVELS.indexOf(a) >= THRESHOLD_LEVELS.indexOf(b);
}
