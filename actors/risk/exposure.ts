// Exposure: what each participant stands to gain or lose per currency right now. Its open position
// in a currency is its token balance plus its net in the open clearing window (positive: the
// window owes it; negative: it owes the window), valued in a reporting currency at the latest
// rate. The share of a currency is its absolute value over the participant's gross (Σ |value|):
// a net total can be zero or negative while every position is large, which would make a share of
// it meaningless.

import BigNumber from 'bignumber.js';

/** participant → currency → amount (in that currency). */
export type Holdings = ReadonlyMap<string, ReadonlyMap<string, BigNumber>>;

const ZERO = new BigNumber(0);
const SHARE_PLACES = 6;

/** Token balances plus open-window nets, per participant and currency; zero positions dropped. */
export function openPositions(tokens: Holdings, window: Holdings): Map<string, Map<string, BigNumber>> {
  const out = new Map<string, Map<string, BigNumber>>();
  for (const source of [tokens, window]) {
    for (const [participant, byCcy] of source) {
      let mine = out.get(participant);
      for (const [ccy, amount] of byCcy) {
        if (amount.isZero()) continue;
        if (mine === undefined) out.set(participant, (mine = new Map()));
        mine.set(ccy, (mine.get(ccy) ?? ZERO).plus(amount));
      }
    }
  }
  for (const [participant, mine] of out) {
    for (const [ccy, amount] of mine) if (amount.isZero()) mine.delete(ccy);
    if (mine.size === 0) out.delete(participant);
  }
  return out;
}

export interface PositionValue {
  readonly currency: string;
  readonly amount: BigNumber;
  /** In the reporting currency, at its minor units; null when no rate is known. */
  readonly value: BigNumber | null;
  /** |value| / gross, 6 decimals; null without a value or with a zero gross. */
  readonly share: BigNumber | null;
}

export interface ParticipantExposure {
  readonly participant: string;
  readonly positions: readonly PositionValue[];
  /** Σ value (only valued positions). */
  readonly net: BigNumber;
  /** Σ |value| (only valued positions). */
  readonly gross: BigNumber;
  /** Currencies without a rate to the reporting currency (their value is unknown). */
  readonly unvalued: readonly string[];
}

/** `rateOf(ccy)`: reporting-currency units per unit of ccy, or undefined when unknown. */
export type RateToReporting = (currency: string) => BigNumber | undefined;

export function valueExposure(participant: string, positions: ReadonlyMap<string, BigNumber>, rateOf: RateToReporting, reportingDigits: number): ParticipantExposure {
  const valued: { currency: string; amount: BigNumber; value: BigNumber | null }[] = [];
  let net = ZERO;
  let gross = ZERO;
  const unvalued: string[] = [];
  for (const ccy of [...positions.keys()].sort()) {
    const amount = positions.get(ccy)!;
    const rate = rateOf(ccy);
    if (rate === undefined) {
      unvalued.push(ccy);
      valued.push({ currency: ccy, amount, value: null });
      continue;
    }
    const value = amount.times(rate).decimalPlaces(reportingDigits, BigNumber.ROUND_HALF_UP);
    net = net.plus(value);
    gross = gross.plus(value.abs());
    valued.push({ currency: ccy, amount, value });
  }
  return {
    participant,
    positions: valued.map((p) => ({ ...p, share: shareOf(p.value, gross) })),
    net,
    gross,
    unvalued,
  };
}

export function shareOf(value: BigNumber | null, gross: BigNumber): BigNumber | null {
  if (value === null || gross.isZero()) return null;
  return value.abs().div(gross).decimalPlaces(SHARE_PLACES, BigNumber.ROUND_HALF_UP);
}

export interface CurrencyTotal {
  readonly currency: string;
  /** Σ positions: the rail's net in that currency (window nets cancel, so tokens outstanding). */
  readonly net: BigNumber;
  /** Σ positive positions, and Σ negative ones (≤ 0). */
  readonly long: BigNumber;
  readonly short: BigNumber;
  readonly participants: number;
}

export function railTotals(positions: Holdings): CurrencyTotal[] {
  const acc = new Map<string, { net: BigNumber; long: BigNumber; short: BigNumber; participants: number }>();
  for (const byCcy of positions.values()) {
    for (const [ccy, amount] of byCcy) {
      const t = acc.get(ccy) ?? { net: ZERO, long: ZERO, short: ZERO, participants: 0 };
      acc.set(ccy, {
        net: t.net.plus(amount),
        long: amount.isPositive() ? t.long.plus(amount) : t.long,
        short: amount.isNegative() ? t.short.plus(amount) : t.short,
        participants: t.participants + 1,
      });
    }
  }
  return [...acc.keys()].sort().map((currency) => ({ currency, ...acc.get(currency)! }));
}
