// Partial netting under limits (the TARGET2 / Bech–Soramäki approach). A participant's net debit
// in a currency must be covered by what it can pay: its token balance in that currency plus its
// debit cap (a credit line; 0 when not set). When the window's result breaks that for someone,
// obligations of the short participant are taken out, in a fixed order, and the positions are
// recomputed, until everyone is within limits. The order, documented because participants plan
// around it:
//
//   1. the participant with the largest shortfall first (ties: smaller id);
//   2. among its obligations as payer: lowest priority first, then the latest submitted, then
//      the larger id; taken out one by one until its own shortfall is gone;
//   3. recompute every position (the payees of what was taken out now receive less, and may be
//      short in turn) and repeat.
//
// Each round removes at least one obligation, so it ends; in the worst case nothing is left and
// the window settles nothing, which is still a valid, balanced result. Removed obligations roll
// to the next window, with the reason.

import { positionsOf, toMinor, type NettingObligation } from './netting.ts';

export interface Removal {
  readonly obligation: NettingObligation;
  /** The participant whose shortfall removed it (its payer). */
  readonly participant: string;
  readonly reason: 'LIMIT_EXCEEDED';
  /** Minor units the participant was short when it was removed. */
  readonly shortfall: bigint;
}

export interface PartialNetting {
  readonly kept: readonly NettingObligation[];
  readonly removed: readonly Removal[];
  /** Positions of what is kept, minor units. */
  readonly positions: ReadonlyMap<string, bigint>;
}

/** What `participant` can pay in the currency, minor units (tokens + cap); absent = 0. */
export type Capacity = (participant: string) => bigint;

function removalOrder(a: NettingObligation, b: NettingObligation): number {
  const pa = a.priority ?? 0;
  const pb = b.priority ?? 0;
  if (pa !== pb) return pa - pb;
  if (a.submitted !== b.submitted) return b.submitted - a.submitted;
  return a.id < b.id ? 1 : a.id > b.id ? -1 : 0;
}

export function nettingWithinLimits(obligations: readonly NettingObligation[], currency: string, capacity: Capacity): PartialNetting {
  let kept = obligations.filter((o) => o.currency === currency);
  const removed: Removal[] = [];
  for (;;) {
    const positions = positionsOf(kept, currency);
    let worst: { participant: string; shortfall: bigint } | null = null;
    for (const [participant, position] of positions) {
      const shortfall = -position - capacity(participant);
      if (shortfall > 0n && (worst === null || shortfall > worst.shortfall || (shortfall === worst.shortfall && participant < worst.participant))) {
        worst = { participant, shortfall };
      }
    }
    if (worst === null) return { kept, removed, positions };
    const candidates = kept.filter((o) => o.payer === worst.participant).sort(removalOrder);
    const out = new Set<NettingObligation>();
    let left = worst.shortfall;
    for (const o of candidates) {
      if (left <= 0n) break;
      out.add(o);
      removed.push({ obligation: o, participant: worst.participant, reason: 'LIMIT_EXCEEDED', shortfall: left });
      left -= toMinor(o.amount, currency);
    }
    kept = kept.filter((o) => !out.has(o));
  }
}
