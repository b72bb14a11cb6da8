// Limits on a participant's open position in a currency, of two kinds:
//   ABSOLUTE  |position| in units of that currency (long or short: both are exposure);
//   SHARE     |value| / the participant's gross (exposure.ts), a decimal in (0, 1].
// A breach is a position beyond its limit. A hard limit also stops the clearing engine from
// accepting an obligation that would take the payer further beyond it (`guardObligation`): an
// obligation that moves the position back towards the limit is accepted even while in breach,
// because refusing it would keep the participant in breach.

import BigNumber from 'bignumber.js';
import { valueExposure, type RateToReporting } from './exposure.ts';

export type LimitKind = 'ABSOLUTE' | 'SHARE';
export const LIMIT_KINDS: readonly LimitKind[] = ['ABSOLUTE', 'SHARE'];

export interface RiskLimit {
  readonly participant: string;
  readonly currency: string;
  readonly kind: LimitKind;
  readonly limit: BigNumber;
  readonly hard: boolean;
}

export interface Breach {
  readonly participant: string;
  readonly currency: string;
  readonly kind: LimitKind;
  readonly limit: BigNumber;
  /** |position| (ABSOLUTE) or the share (SHARE). */
  readonly actual: BigNumber;
  readonly hard: boolean;
}

/** The refusal the clearing engine returns for an obligation (the error-as-value shape). */
export interface RiskRefusal {
  readonly code: 'RISK_LIMIT';
  readonly field: string;
  readonly message: string;
}

export type RiskGuard = (payer: string, currency: string, amount: BigNumber) => RiskRefusal | null;

/** Every limit of this participant its current positions exceed. */
export function breachesOf(participant: string, positions: ReadonlyMap<string, BigNumber>, limits: readonly RiskLimit[], rateOf: RateToReporting, reportingDigits: number): Breach[] {
  const mine = limits.filter((l) => l.participant === participant);
  if (mine.length === 0) return [];
  const exposure = valueExposure(participant, positions, rateOf, reportingDigits);
  const out: Breach[] = [];
  for (const l of mine) {
    const actual = l.kind === 'ABSOLUTE'
      ? (positions.get(l.currency) ?? new BigNumber(0)).abs()
      : exposure.positions.find((p) => p.currency === l.currency)?.share ?? null;
    if (actual !== null && actual.isGreaterThan(l.limit)) out.push({ ...l, actual });
  }
  return out;
}

/**
 * null when `payer` may take on an obligation to pay `amount` of `currency`; else why not. Only
 * hard limits refuse. A SHARE limit cannot be judged without a rate to the reporting currency for
 * every position; it is then not applied (the ABSOLUTE one still is), and the exposure report
 * shows the currency as unvalued.
 */
export function guardObligation(
  payer: string,
  currency: string,
  amount: BigNumber,
  positions: ReadonlyMap<string, BigNumber>,
  limits: readonly RiskLimit[],
  rateOf: RateToReporting,
  reportingDigits: number,
): RiskRefusal | null {
  const hard = limits.filter((l) => l.hard && l.participant === payer && l.currency === currency);
  if (hard.length === 0) return null;
  const before = positions.get(currency) ?? new BigNumber(0);
  const after = before.minus(amount);
  for (const l of hard.filter((h) => h.kind === 'ABSOLUTE')) {
    if (after.abs().isGreaterThan(l.limit) && after.abs().isGreaterThan(before.abs())) {
      return refusal(`${payer}'s ${currency} position would go from ${before.toFixed()} to ${after.toFixed()}, beyond its hard limit of ${l.limit.toFixed()}`);
    }
  }
  const shares = hard.filter((h) => h.kind === 'SHARE');
  if (shares.length === 0) return null;
  const moved = new Map(positions);
  moved.set(currency, after);
  const shareBefore = valueExposure(payer, positions, rateOf, reportingDigits);
  const shareAfter = valueExposure(payer, moved, rateOf, reportingDigits);
  if (shareAfter.unvalued.length > 0) return null;
  const s0 = shareBefore.positions.find((p) => p.currency === currency)?.share ?? new BigNumber(0);
  const s1 = shareAfter.positions.find((p) => p.currency === currency)?.share ?? new BigNumber(0);
  for (const l of shares) {
    if (s1.isGreaterThan(l.limit) && s1.isGreaterThan(s0)) {
      return refusal(`${currency} would be ${s1.times(100).toFixed(2)}% of ${payer}'s gross exposure (from ${s0.times(100).toFixed(2)}%), beyond its hard limit of ${l.limit.times(100).toFixed(2)}%`);
    }
  }
  return null;
}

function refusal(message: string): RiskRefusal {
  return { code: 'RISK_LIMIT', field: 'amount', message };
}
