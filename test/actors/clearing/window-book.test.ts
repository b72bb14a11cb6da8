// Goal: the clearing engine's incremental book nets exactly as the reference functions do. For
// any window: positions, gross, bilateral and multilateral net equal netting.ts's positionsOf and
// metricsOf; under limits, the units-based partial netting removes the same obligations in the
// same order as partial-netting.ts (the documented TARGET2 rule) and ends within every limit; the
// instructions reproduce the positions. A book whose gross passes 2^63 minor units stays exact.
// Method: fast-check over random windows (several currencies, priorities, capacities), each
// computed both ways; the columnar add equals the one-by-one add.

import test from 'ava';
import BigNumber from 'bignumber.js';
import fc from 'fast-check';
import { fromMinor, metricsOf, positionsOf, type NettingObligation } from '../../../actors/clearing/netting.ts';
import { nettingWithinLimits } from '../../../actors/clearing/partial-netting.ts';
import { Participants, WindowBook } from '../../../actors/clearing/window-book.ts';
import type { NettingResult } from '../../../actors/clearing/window/model.ts';

const PEOPLE = ['P0', 'P1', 'P2', 'P3', 'P4', 'P5'];
const CCY = ['USD', 'JPY', 'KWD'];

const obligationArb = fc.record({
  payer: fc.integer({ min: 0, max: 5 }),
  delta: fc.integer({ min: 1, max: 5 }),
  ccy: fc.integer({ min: 0, max: 2 }),
  units: fc.bigInt({ min: 1n, max: 1_000_000n }),
  priority: fc.integer({ min: 0, max: 2 }),
});

function bookOf(rows: readonly { payer: number; delta: number; ccy: number; units: bigint; priority: number }[]) {
  const book = new WindowBook('W20261201T0600Z', new Participants());
  const reference: NettingObligation[] = [];
  rows.forEach((r, i) => {
    const payer = PEOPLE[r.payer]!;
    const payee = PEOPLE[(r.payer + r.delta) % 6]!;
    const currency = CCY[r.ccy]!;
    book.add({ id: `o${i}`, payer, payee, currency, units: r.units, priority: r.priority, origin: null, submitted: i });
    reference.push({ id: `o${i}`, payer, payee, currency, amount: fromMinor(r.units, currency), priority: r.priority, submitted: i });
  });
  return { book, reference };
}

function positionsOfResult(result: NettingResult, currency: string): Map<string, bigint> {
  const c = result.currencies.find((x) => x.currency === currency);
  return new Map(c === undefined ? [] : c.participants.map((p, i) => [p, c.net[i]!]));
}

const sorted = (m: ReadonlyMap<string, bigint>) => [...m].filter(([, v]) => v !== 0n).sort(([a], [b]) => (a < b ? -1 : 1));

test('property: without limits, positions and every metric equal netting.ts; instructions reproduce the positions', (t) => {
  fc.assert(fc.property(fc.array(obligationArb, { minLength: 1, maxLength: 60 }), (rows) => {
    const { book, reference } = bookOf(rows);
    const result = book.net(() => 10n ** 18n);
    if (result.excluded.length !== 0) return false;
    for (const c of result.currencies) {
      const expected = metricsOf(reference, c.currency);
      const toUnits = (b: BigNumber) => BigInt(b.shiftedBy(c.currency === 'JPY' ? 0 : c.currency === 'KWD' ? 3 : 2).toFixed());
      if (c.gross !== toUnits(expected.gross) || c.bilateral !== toUnits(expected.bilateralNet) || c.multilateral !== toUnits(expected.multilateralNet)) return false;
      if (c.obligations !== expected.obligations) return false;
      const ours = positionsOfResult(result, c.currency);
      if (JSON.stringify(sorted(ours), (_k, v) => (typeof v === 'bigint' ? v.toString() : v)) !== JSON.stringify(sorted(positionsOf(reference, c.currency)), (_k, v) => (typeof v === 'bigint' ? v.toString() : v))) return false;
      // Instructions: debtor → creditor, reproducing every position, at most k − 1.
      const left = new Map(ours);
      for (let i = 0; i < c.units.length; i++) {
        const from = c.participants[c.from[i]!]!;
        const to = c.participants[c.to[i]!]!;
        if (ours.get(from)! >= 0n || ours.get(to)! <= 0n || c.units[i]! <= 0n) return false;
        left.set(from, left.get(from)! + c.units[i]!);
        left.set(to, left.get(to)! - c.units[i]!);
      }
      if ([...left.values()].some((v) => v !== 0n)) return false;
      const k = [...ours.values()].filter((v) => v !== 0n).length;
      if (c.units.length > Math.max(0, k - 1)) return false;
    }
    return true;
  }), { numRuns: 300 });
  t.pass();
});

test('property: under limits, the same obligations are excluded as partial-netting.ts, and everyone ends within its limit', (t) => {
  const capacityArb = fc.array(fc.bigInt({ min: 0n, max: 2_000_000n }), { minLength: 6, maxLength: 6 });
  fc.assert(fc.property(fc.array(obligationArb, { minLength: 1, maxLength: 60 }), capacityArb, (rows, caps) => {
    const { book, reference } = bookOf(rows);
    const capacity = (p: string) => caps[PEOPLE.indexOf(p)]!;
    const result = book.net((p) => capacity(p));
    for (const currency of CCY) {
      const expected = nettingWithinLimits(reference, currency, capacity);
      const ours = result.excluded.filter((e) => e.currency === currency).map((e) => `${e.id}:${e.participant}:${e.shortfall}`);
      if (JSON.stringify(ours) !== JSON.stringify(expected.removed.map((r) => `${r.obligation.id}:${r.participant}:${r.shortfall}`))) return false;
      const positions = positionsOfResult(result, currency);
      for (const [p, v] of positions) if (v < 0n && -v > capacity(p)) return false;
      const keptRef = positionsOf(expected.kept, currency);
      const str = (m: ReadonlyMap<string, bigint>) => sorted(m).map(([p, v]) => `${p}=${v}`).join(',');
      if (str(positions) !== str(keptRef)) return false;
      const c = result.currencies.find((x) => x.currency === currency);
      if (c !== undefined && c.obligations !== expected.kept.length) return false;
    }
    return true;
  }), { numRuns: 300 });
  t.pass();
});

test('the largest net debtor cannot pay at all: its obligations go, lowest priority and latest first; the rest settles', (t) => {
  const book = new WindowBook('W20261201T0600Z', new Participants());
  const add = (id: string, payer: string, payee: string, units: bigint, priority = 0) => book.add({ id, payer, payee, currency: 'USD', units, priority, origin: null, submitted: Number(id.slice(1)) });
  add('o1', 'A', 'B', 100_000_000n);
  add('o2', 'B', 'C', 50_000_000n);
  add('o3', 'C', 'A', 75_000_000n);
  add('o4', 'A', 'D', 30_000_000n, 1);
  add('o5', 'D', 'B', 20_000_000n);
  add('o6', 'B', 'A', 10_000_000n);
  const result = book.net((p) => (p === 'A' ? 0n : 10n ** 12n));
  // A is short 45,000,000: o1 (priority 0) goes first although o4 is later; that is enough.
  t.deepEqual(result.excluded.map((e) => [e.id, e.participant, e.shortfall]), [['o1', 'A', 45_000_000n]]);
  t.deepEqual(Object.fromEntries(positionsOfResult(result, 'USD')), { A: 55_000_000n, B: -40_000_000n, C: -25_000_000n, D: 10_000_000n });
  t.is(result.currencies[0]!.obligations, 5);
});

test('columnar add equals one-by-one add; a gross beyond 2^63 minor units stays exact', (t) => {
  const a = new WindowBook('W20261201T0600Z', new Participants());
  const b = new WindowBook('W20261201T0600Z', new Participants());
  const big = 9_000_000_000_000_000_000n; // 9e18 < 2^63 ≈ 9.22e18; two of them pass it
  const rows = [['X', 'Y', big], ['Y', 'Z', big], ['Z', 'X', 5n], ['X', 'Z', big]] as const;
  rows.forEach(([payer, payee, units], i) => a.add({ id: `o${i}`, payer, payee, currency: 'USD', units, priority: 0, origin: null, submitted: i }));
  b.addColumns('USD', 0, rows.map((_, i) => `o${i}`), rows.map((r) => r[0]), rows.map((r) => r[1]), rows.map((r) => r[2]), null, null);
  const ra = a.net(() => 10n ** 30n);
  const rb = b.net(() => 10n ** 30n);
  const c = ra.currencies[0]!;
  t.is(c.gross, 27_000_000_000_000_000_005n);
  t.deepEqual(Object.fromEntries(positionsOfResult(ra, 'USD')), { X: 5n - 2n * big, Y: 0n, Z: 2n * big - 5n });
  // Pairs: X–Y 9e18, Y–Z 9e18, X–Z 9e18 − 5: bilateral 27e18 − 5.
  t.is(c.bilateral, 27_000_000_000_000_000_000n - 5n);
  t.is(JSON.stringify(ra, (_k, v) => (typeof v === 'bigint' ? v.toString() : v)), JSON.stringify(rb, (_k, v) => (typeof v === 'bigint' ? v.toString() : v)));
  t.is(a.count, 4);
  t.is(b.nextSubmitted, 4);
});
