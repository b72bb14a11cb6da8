// Multilateral netting of one clearing window, per currency: each participant's net position is
// Σ received − Σ paid, exactly (integer minor units as bigint: no rounding can creep in, and the
// sum of all positions is checked to be exactly zero). Also the figures that say what netting
// saved: gross G (Σ obligations), bilateral net B (after offsetting each pair), multilateral net
// M (Σ positive positions = the least money that must move), efficiency 1 − M/G.
//
// Pure functions over plain obligations; the clearing supervisor (issue 5) feeds them the window.

import BigNumber from 'bignumber.js';
import { minorUnits } from '../money.ts';

export interface NettingObligation {
  readonly id: string;
  readonly payer: string;
  readonly payee: string;
  readonly currency: string;
  readonly amount: BigNumber;
  /** Higher is more important; the lowest is removed first under limits (default 0). */
  readonly priority?: number;
  /** Arrival order in the window (the latest is removed first among equal priorities). */
  readonly submitted: number;
}

export class NettingError extends Error {
  override readonly name = 'NettingError';
  constructor(readonly code: 'CURRENCY_UNKNOWN' | 'AMOUNT_PRECISION' | 'AMOUNT_NOT_POSITIVE' | 'SAME_PARTICIPANT' | 'NOT_BALANCED', message: string) {
    super(`${code}: ${message}`);
  }
}

/** Integer minor units of a currency amount; refuses what the currency cannot hold. */
export function toMinor(amount: BigNumber, currency: string): bigint {
  const digits = minorUnits(currency);
  if (digits === undefined) throw new NettingError('CURRENCY_UNKNOWN', `${currency} is not an ISO 4217 code`);
  const scaled = amount.shiftedBy(digits);
  if (!scaled.isInteger()) throw new NettingError('AMOUNT_PRECISION', `${amount.toFixed()} has more than ${digits} decimals for ${currency}`);
  return BigInt(scaled.toFixed(0));
}

export function fromMinor(units: bigint, currency: string): BigNumber {
  return new BigNumber(units.toString()).shiftedBy(-(minorUnits(currency) ?? 0));
}

/** Net position per participant in one currency, in minor units (non-zero and zero alike). */
export function positionsOf(obligations: readonly NettingObligation[], currency: string): Map<string, bigint> {
  const positions = new Map<string, bigint>();
  for (const o of obligations) {
    if (o.currency !== currency) continue;
    if (o.payer === o.payee) throw new NettingError('SAME_PARTICIPANT', `obligation ${o.id}: ${o.payer} owes itself`);
    const units = toMinor(o.amount, currency);
    if (units <= 0n) throw new NettingError('AMOUNT_NOT_POSITIVE', `obligation ${o.id}: ${o.amount.toFixed()} ${currency}`);
    positions.set(o.payer, (positions.get(o.payer) ?? 0n) - units);
    positions.set(o.payee, (positions.get(o.payee) ?? 0n) + units);
  }
  let sum = 0n;
  for (const v of positions.values()) sum += v;
  // Cannot happen with the arithmetic above; asserted because a non-zero sum would mean money
  // created or destroyed by the clearing engine itself.
  if (sum !== 0n) throw new NettingError('NOT_BALANCED', `positions in ${currency} sum to ${sum}`);
  return positions;
}

export function currenciesOf(obligations: readonly NettingObligation[]): string[] {
  return [...new Set(obligations.map((o) => o.currency))].sort();
}

export interface NettingMetrics {
  readonly currency: string;
  readonly gross: BigNumber;
  readonly bilateralNet: BigNumber;
  readonly multilateralNet: BigNumber;
  /** 1 − M/G, to 4 decimals (0.7544); 0 when nothing is owed. */
  readonly efficiency: BigNumber;
  /** 1 − B/G, to 4 decimals. */
  readonly bilateralEfficiency: BigNumber;
  /** G/M to 4 decimals; null when M is 0 (everything offset). */
  readonly grossToNet: BigNumber | null;
  readonly obligations: number;
}

export function metricsOf(obligations: readonly NettingObligation[], currency: string): NettingMetrics {
  let gross = 0n;
  let count = 0;
  const pairs = new Map<string, bigint>();
  for (const o of obligations) {
    if (o.currency !== currency) continue;
    const units = toMinor(o.amount, currency);
    gross += units;
    count++;
    // One signed figure per unordered pair: + in the direction of the smaller id to the larger.
    const [a, b, sign] = o.payer < o.payee ? [o.payer, o.payee, 1n] : [o.payee, o.payer, -1n];
    const key = `${a}\u0000${b}`;
    pairs.set(key, (pairs.get(key) ?? 0n) + sign * units);
  }
  let bilateral = 0n;
  for (const v of pairs.values()) bilateral += v < 0n ? -v : v;
  let multilateral = 0n;
  for (const v of positionsOf(obligations, currency).values()) if (v > 0n) multilateral += v;
  const ratio = (part: bigint) => (gross === 0n ? new BigNumber(0) : new BigNumber(1).minus(new BigNumber(part.toString()).dividedBy(gross.toString())).decimalPlaces(4, BigNumber.ROUND_HALF_UP));
  return {
    currency,
    gross: fromMinor(gross, currency),
    bilateralNet: fromMinor(bilateral, currency),
    multilateralNet: fromMinor(multilateral, currency),
    efficiency: ratio(multilateral),
    bilateralEfficiency: ratio(bilateral),
    grossToNet: multilateral === 0n ? null : new BigNumber(gross.toString()).dividedBy(multilateral.toString()).decimalPlaces(4, BigNumber.ROUND_HALF_UP),
    obligations: count,
  };
}
