// Partial netting under limits on integer minor units, for the clearing engine's windows of up to
// millions of obligations: the same rule and the same removal order as partial-netting.ts (which
// stays the readable reference, and the tests hold the two to the same result), computed
// incrementally. partial-netting.ts recomputes every position with BigNumber after each round,
// O(rounds × n); here positions move by the removed obligations only, and each participant's
// obligations as payer are sorted once in removal order: O(n log n + rounds × k).

export interface UnitObligation {
  readonly id: string;
  readonly payer: string;
  readonly payee: string;
  /** Minor units, > 0. */
  readonly units: bigint;
  readonly priority: number;
  readonly submitted: number;
}

export interface UnitRemoval<O extends UnitObligation> {
  readonly obligation: O;
  /** Its payer, whose shortfall removed it. */
  readonly participant: string;
  readonly reason: 'LIMIT_EXCEEDED';
  /** Minor units the participant was short when it was removed. */
  readonly shortfall: bigint;
}

export interface UnitPartialNetting<O extends UnitObligation> {
  readonly removed: readonly UnitRemoval<O>[];
  /** Positions of what is kept (participants of the input, zero included). */
  readonly positions: ReadonlyMap<string, bigint>;
}

/** partial-netting.ts's order: lowest priority first, then the latest submitted, then the larger id. */
export function removalOrder(a: UnitObligation, b: UnitObligation): number {
  if (a.priority !== b.priority) return a.priority - b.priority;
  if (a.submitted !== b.submitted) return b.submitted - a.submitted;
  return a.id < b.id ? 1 : a.id > b.id ? -1 : 0;
}

/**
 * `positions`: the positions of all of `obligations` (the caller accumulated them already).
 * `capacity`: what a participant can pay in this currency, minor units.
 */
export function withinLimitsUnits<O extends UnitObligation>(
  obligations: readonly O[],
  positions: ReadonlyMap<string, bigint>,
  capacity: (participant: string) => bigint,
): UnitPartialNetting<O> {
  const left = new Map(positions);
  const removed: UnitRemoval<O>[] = [];
  let byPayer: Map<string, { list: O[]; next: number }> | null = null;
  // A participant that no longer takes part (all its obligations removed, both ways) drops out of
  // the positions, as positionsOf over the kept list would have it.
  const involvement = new Map<string, number>();
  for (;;) {
    let worst: { participant: string; shortfall: bigint } | null = null;
    for (const [participant, position] of left) {
      const shortfall = -position - capacity(participant);
      if (shortfall > 0n && (worst === null || shortfall > worst.shortfall || (shortfall === worst.shortfall && participant < worst.participant))) {
        worst = { participant, shortfall };
      }
    }
    if (worst === null) break;
    if (byPayer === null) {
      byPayer = new Map();
      for (const o of obligations) {
        let held = byPayer.get(o.payer);
        if (held === undefined) byPayer.set(o.payer, (held = { list: [], next: 0 }));
        held.list.push(o);
        involvement.set(o.payer, (involvement.get(o.payer) ?? 0) + 1);
        involvement.set(o.payee, (involvement.get(o.payee) ?? 0) + 1);
      }
      for (const held of byPayer.values()) held.list.sort(removalOrder);
    }
    const held = byPayer.get(worst.participant);
    // A short participant always has obligations as payer (its position is negative).
    if (held === undefined) throw new Error(`invariant violated: ${worst.participant} is short with nothing to remove`);
    let short = worst.shortfall;
    while (short > 0n && held.next < held.list.length) {
      const o = held.list[held.next++]!;
      removed.push({ obligation: o, participant: worst.participant, reason: 'LIMIT_EXCEEDED', shortfall: short });
      short -= o.units;
      left.set(o.payer, left.get(o.payer)! + o.units);
      left.set(o.payee, left.get(o.payee)! - o.units);
      for (const p of [o.payer, o.payee]) {
        const n = involvement.get(p)! - 1;
        involvement.set(p, n);
        if (n === 0) left.delete(p);
      }
    }
  }
  return { removed, positions: left };
}
