// From net positions to settlement instructions, per currency. Every instruction goes from a net
// debtor to a net creditor (nobody passes money through), the total moved is Σ positive positions
// (the least possible), and there are at most k − 1 instructions for k non-zero participants.
//
// Fewest instructions: k − g, where g is the largest number of disjoint groups of participants
// whose positions each sum to zero (settle each group on its own, k_i − 1 instructions each).
// Finding g is NP-hard in general; below EXACT_MAX participants an exact search over subsets is
// cheap (2^k states, ~20M steps at k = 20), above it the greedy match (largest debtor pays
// largest creditor) gives k − 1 at worst. Greedy alone can be beaten: {−4, −5, +3, +4, +2}
// needs 3 instructions ({−4,+4}, {−5,+3,+2}), greedy makes 4.

export const EXACT_MAX = 20;

export interface Instruction {
  readonly from: string;
  readonly to: string;
  /** Minor units, > 0. */
  readonly units: bigint;
}

/**
 * Largest debtor pays largest creditor, repeatedly; ties by participant id, so the plan is stable.
 * Two binary heaps (largest left first, then smaller id): O(k log k). Re-sorting both lists on each
 * step, as this was first written, is O(k²) and took ~20 ms per currency at k = 1,000 (20
 * currencies blow the 200 ms window close of issue 5 on their own); the plan is the same.
 */
export function greedyInstructions(positions: ReadonlyMap<string, bigint>): Instruction[] {
  const debtors = new PlanHeap();
  const creditors = new PlanHeap();
  for (const [p, v] of positions) {
    if (v < 0n) debtors.push({ p, left: -v });
    else if (v > 0n) creditors.push({ p, left: v });
  }
  const out: Instruction[] = [];
  while (debtors.size > 0 && creditors.size > 0) {
    const d = debtors.pop();
    const c = creditors.pop();
    const units = d.left < c.left ? d.left : c.left;
    out.push({ from: d.p, to: c.p, units });
    d.left -= units;
    c.left -= units;
    if (d.left > 0n) debtors.push(d);
    if (c.left > 0n) creditors.push(c);
  }
  return out;
}

interface Left {
  readonly p: string;
  left: bigint;
}

/** Max-heap by `left`, ties by smaller participant id first. */
class PlanHeap {
  private readonly items: Left[] = [];

  get size(): number {
    return this.items.length;
  }

  private static before(a: Left, b: Left): boolean {
    return a.left === b.left ? a.p < b.p : a.left > b.left;
  }

  // Sift with a hole (no swap per level): the move of one element per level, two compares at most.
  push(x: Left): void {
    const h = this.items;
    let i = h.length;
    h.push(x);
    while (i > 0) {
      const parent = (i - 1) >> 1;
      const p = h[parent]!;
      if (!PlanHeap.before(x, p)) break;
      h[i] = p;
      i = parent;
    }
    h[i] = x;
  }

  pop(): Left {
    const h = this.items;
    const top = h[0]!;
    const last = h.pop()!;
    const n = h.length;
    if (n > 0) {
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        if (l >= n) break;
        const r = l + 1;
        const c = r < n && PlanHeap.before(h[r]!, h[l]!) ? r : l;
        if (!PlanHeap.before(h[c]!, last)) break;
        h[i] = h[c]!;
        i = c;
      }
      h[i] = last;
    }
    return top;
  }
}

/**
 * The fewest instructions: exact below EXACT_MAX non-zero participants, greedy above.
 * `exact` says which one was used.
 */
export function settlementInstructions(positions: ReadonlyMap<string, bigint>): { readonly instructions: Instruction[]; readonly exact: boolean } {
  // Counted before anything is sorted: the usual large window goes straight to greedy (its heaps order by themselves).
  let k = 0;
  for (const v of positions.values()) if (v !== 0n) k++;
  if (k > EXACT_MAX) return { instructions: greedyInstructions(positions), exact: false };
  const nonZero = [...positions].filter(([, v]) => v !== 0n).sort(([a], [b]) => (a < b ? -1 : 1));
  const groups = zeroSumGroups(nonZero.map(([, v]) => v));
  const instructions: Instruction[] = [];
  for (const group of groups) instructions.push(...greedyInstructions(new Map(group.map((i) => nonZero[i]!))));
  return { instructions, exact: true };
}

/**
 * The most disjoint zero-sum groups covering all values (which sum to zero). dp[mask] = the most
 * zero-sum groups a partition of `mask` into groups can have, where the groups are formed by
 * adding members one at a time: dp[mask] = max over i in mask of dp[mask − i] + (sum(mask) = 0).
 */
function zeroSumGroups(values: readonly bigint[]): number[][] {
  const k = values.length;
  if (k === 0) return [];
  const size = 1 << k;
  // Subset sums as doubles when every one is an exact integer there (Σ|v| < 2^53), else bigint.
  let magnitude = 0n;
  for (const v of values) magnitude += v < 0n ? -v : v;
  const small = magnitude < 2n ** 53n;
  const sumF = small ? new Float64Array(size) : null;
  const sumB = small ? null : new Array<bigint>(size).fill(0n);
  const isZero = (mask: number) => (sumF !== null ? sumF[mask] === 0 : sumB![mask] === 0n);
  const dp = new Int8Array(size);
  const from = new Int8Array(size);
  for (let mask = 1; mask < size; mask++) {
    const low = 31 - Math.clz32(mask & -mask);
    const rest = mask & (mask - 1);
    if (sumF !== null) sumF[mask] = sumF[rest]! + Number(values[low]!);
    else sumB![mask] = sumB![rest]! + values[low]!;
    let best = -1;
    let arg = 0;
    for (let i = 0; i < k; i++) {
      if ((mask & (1 << i)) === 0) continue;
      const v = dp[mask ^ (1 << i)]!;
      if (v > best) {
        best = v;
        arg = i;
      }
    }
    dp[mask] = best + (isZero(mask) ? 1 : 0);
    from[mask] = arg;
  }
  // Walk back: members are peeled off in reverse; a group closes wherever the rest sums to zero.
  const groups: number[][] = [];
  let current: number[] = [];
  let mask = size - 1;
  while (mask !== 0) {
    if (isZero(mask) && current.length > 0) {
      groups.push(current);
      current = [];
    }
    const i = from[mask]!;
    current.push(i);
    mask ^= 1 << i;
  }
  if (current.length > 0) groups.push(current);
  return groups;
}
