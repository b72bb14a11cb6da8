// Goal: multilateral netting reproduces independent, published figures exactly, and its
// invariants hold for any window: positions sum to zero; instructions go from net debtors to net
// creditors only, move exactly Σ positive positions, number at most k − 1, and (exact search) no
// more than the true minimum; partial netting under limits ends within every limit, removes only
// the short participant's obligations in the documented order, and still settles when the largest
// debtor cannot pay at all. Method: the seed's example, Banco de México (2000), the three-cycle,
// the {−4, −5, +3, +4, +2} case where greedy needs 4 and 3 suffice; fast-check over random windows.

import test from 'ava';
import BigNumber from 'bignumber.js';
import fc from 'fast-check';
import { EXACT_MAX, greedyInstructions, settlementInstructions, type Instruction } from '../../../actors/clearing/instructions.ts';
import { fromMinor, metricsOf, positionsOf, type NettingObligation } from '../../../actors/clearing/netting.ts';
import { nettingWithinLimits } from '../../../actors/clearing/partial-netting.ts';

let n = 0;
const ob = (payer: string, payee: string, amount: string, currency = 'USD', priority = 0): NettingObligation => ({
  id: `o${++n}`, payer, payee, currency, amount: new BigNumber(amount), priority, submitted: n,
});
const show = (positions: ReadonlyMap<string, bigint>, ccy = 'USD') =>
  Object.fromEntries([...positions].sort(([a], [b]) => (a < b ? -1 : 1)).map(([p, v]) => [p, fromMinor(v, ccy).toFixed()]));

const SEED = [
  ob('A', 'B', '1000000'), ob('B', 'C', '500000'), ob('C', 'A', '750000'),
  ob('A', 'D', '300000'), ob('D', 'B', '200000'), ob('B', 'A', '100000'),
];

test("the seed's example: positions, 3 instructions moving 700,000, efficiency 75.44%", (t) => {
  const positions = positionsOf(SEED, 'USD');
  t.deepEqual(show(positions), { A: '-450000', B: '600000', C: '-250000', D: '100000' });
  const { instructions, exact } = settlementInstructions(positions);
  t.true(exact);
  t.is(instructions.length, 3);
  t.is(instructions.reduce((s, i) => s + i.units, 0n), 70_000_000n);
  const m = metricsOf(SEED, 'USD');
  t.is(m.gross.toFixed(), '2850000');
  t.is(m.multilateralNet.toFixed(), '700000');
  t.is(m.efficiency.toFixed(), '0.7544');
  t.is(m.obligations, 6);
});

test('Banco de México (2000): nets −4, +13, −9; G 83, B 17, M 13, E 84.34%', (t) => {
  const window = [ob('C', 'Co', '25', 'MXN'), ob('C', 'M', '7', 'MXN'), ob('Co', 'C', '17', 'MXN'), ob('Co', 'M', '9', 'MXN'), ob('M', 'C', '11', 'MXN'), ob('M', 'Co', '14', 'MXN')];
  t.deepEqual(show(positionsOf(window, 'MXN'), 'MXN'), { C: '-4', Co: '13', M: '-9' });
  const m = metricsOf(window, 'MXN');
  t.deepEqual([m.gross.toFixed(), m.bilateralNet.toFixed(), m.multilateralNet.toFixed(), m.efficiency.toFixed(), m.bilateralEfficiency.toFixed()], ['83', '17', '13', '0.8434', '0.7952']);
  t.is(m.grossToNet?.toFixed(), '6.3846');
});

test('the three-cycle: A −25, B +50, C −25, M = 50', (t) => {
  const window = [ob('A', 'B', '100'), ob('B', 'C', '50'), ob('C', 'A', '75')];
  t.deepEqual(show(positionsOf(window, 'USD')), { A: '-25', B: '50', C: '-25' });
  t.is(metricsOf(window, 'USD').multilateralNet.toFixed(), '50');
});

test('{−4, −5, +3, +4, +2}: greedy makes 4 instructions, the exact search 3', (t) => {
  const positions = new Map([['P1', -4n], ['P2', -5n], ['P3', 3n], ['P4', 4n], ['P5', 2n]]);
  t.is(greedyInstructions(positions).length, 4);
  const { instructions } = settlementInstructions(positions);
  t.is(instructions.length, 3);
  t.deepEqual(instructions.map((i) => `${i.from}>${i.to}:${i.units}`).sort(), ['P1>P4:4', 'P2>P3:3', 'P2>P5:2']);
});

test('amounts are exact in minor units; sub-unit amounts and self-obligations are refused', (t) => {
  const window = [ob('A', 'B', '0.10'), ob('A', 'B', '0.20'), ob('B', 'A', '0.30')];
  t.deepEqual(show(positionsOf(window, 'USD')), { A: '0', B: '0' });
  t.is(metricsOf(window, 'USD').efficiency.toFixed(), '1');
  t.throws(() => positionsOf([ob('A', 'B', '1.005')], 'USD'), { message: /AMOUNT_PRECISION/ });
  t.throws(() => positionsOf([ob('A', 'B', '1.5', 'JPY')], 'JPY'), { message: /AMOUNT_PRECISION/ });
  t.notThrows(() => positionsOf([ob('A', 'B', '1.005', 'BHD')], 'BHD'));
  t.throws(() => positionsOf([ob('A', 'A', '1')], 'USD'), { message: /SAME_PARTICIPANT/ });
});

function checkPlan(positions: ReadonlyMap<string, bigint>, instructions: readonly Instruction[]): string | null {
  const left = new Map(positions);
  for (const i of instructions) {
    if (i.units <= 0n) return 'non-positive instruction';
    if ((positions.get(i.from) ?? 0n) >= 0n) return `${i.from} pays but is not a net debtor`;
    if ((positions.get(i.to) ?? 0n) <= 0n) return `${i.to} receives but is not a net creditor`;
    left.set(i.from, left.get(i.from)! + i.units);
    left.set(i.to, left.get(i.to)! - i.units);
  }
  if ([...left.values()].some((v) => v !== 0n)) return 'positions not settled';
  const k = [...positions.values()].filter((v) => v !== 0n).length;
  if (k > 0 && instructions.length > k - 1) return `${instructions.length} instructions for ${k} participants`;
  return null;
}

const window = fc.array(
  fc.record({ payer: fc.integer({ min: 0, max: 9 }), payee: fc.integer({ min: 0, max: 9 }), cents: fc.integer({ min: 1, max: 100_000 }), priority: fc.integer({ min: 0, max: 2 }) })
    .filter((x) => x.payer !== x.payee),
  { maxLength: 40 },
).map((xs) => xs.map((x, i): NettingObligation => ({
  id: `r${i}`, payer: `P${x.payer}`, payee: `P${x.payee}`, currency: 'EUR', amount: new BigNumber(x.cents).shiftedBy(-2), priority: x.priority, submitted: i,
})));

test('properties: Σ positions = 0; plans settle exactly, debtor → creditor, ≤ k − 1, never more than greedy', (t) => {
  fc.assert(fc.property(window, (obligations) => {
    const positions = positionsOf(obligations, 'EUR');
    if ([...positions.values()].reduce((a, b) => a + b, 0n) !== 0n) return false;
    const { instructions } = settlementInstructions(positions);
    const greedy = greedyInstructions(positions);
    const moved = instructions.reduce((s, i) => s + i.units, 0n);
    const positive = [...positions.values()].filter((v) => v > 0n).reduce((a, b) => a + b, 0n);
    return checkPlan(positions, instructions) === null && checkPlan(positions, greedy) === null && moved === positive && instructions.length <= greedy.length;
  }), { numRuns: 500 });
  t.pass();
});

test('property: the exact search finds the minimum (brute force on small cases)', (t) => {
  // The minimum is k − g with g the most zero-sum groups; brute force over set partitions for k ≤ 7.
  const maxGroups = (values: bigint[]): number => {
    if (values.length === 0) return 0;
    const [first, ...rest] = values;
    let best = 0;
    for (let mask = 0; mask < 1 << rest.length; mask++) {
      const inGroup = rest.filter((_, i) => mask & (1 << i));
      if (inGroup.reduce((a, b) => a + b, first!) !== 0n) continue;
      best = Math.max(best, 1 + maxGroups(rest.filter((_, i) => !(mask & (1 << i)))));
    }
    return best;
  };
  fc.assert(fc.property(fc.array(fc.integer({ min: -6, max: 6 }).filter((v) => v !== 0), { minLength: 1, maxLength: 6 }), (raw) => {
    const values = raw.map(BigInt);
    const total = values.reduce((a, b) => a + b, 0n);
    if (total !== 0n) values.push(-total);
    const positions = new Map(values.map((v, i) => [`P${i}`, v]));
    return settlementInstructions(positions).instructions.length === values.length - maxGroups(values);
  }), { numRuns: 500 });
  t.pass();
});

test(`the exact search stays fast at ${EXACT_MAX} participants; above it, greedy`, (t) => {
  const values = Array.from({ length: EXACT_MAX - 1 }, (_, i) => BigInt((i % 2 === 0 ? 1 : -1) * (1000 + i * 7)));
  values.push(-values.reduce((a, b) => a + b, 0n));
  const started = Date.now();
  const exact = settlementInstructions(new Map(values.map((v, i) => [`P${String(i).padStart(2, '0')}`, v])));
  t.true(exact.exact);
  t.true(Date.now() - started < 10_000, `${Date.now() - started} ms`);
  values.push(5n, -5n);
  t.false(settlementInstructions(new Map(values.map((v, i) => [`P${String(i).padStart(2, '0')}`, v]))).exact);
});

test('partial netting: the largest debtor cannot pay at all, the window still settles', (t) => {
  // A is the largest net debtor (−450,000) and has no tokens and no cap; B, C, D have enough.
  const capacity = (p: string) => (p === 'A' ? 0n : 100_000_000_000n);
  const result = nettingWithinLimits(SEED, 'USD', capacity);
  t.deepEqual(result.removed.map((r) => [r.obligation.payer, r.obligation.payee, r.obligation.amount.toFixed()]), [
    // A's payments as payer, latest submitted first (equal priority): A→D 300,000, then A→B 1,000,000.
    ['A', 'D', '300000'], ['A', 'B', '1000000'],
  ]);
  t.true(result.removed.every((r) => r.reason === 'LIMIT_EXCEEDED' && r.participant === 'A'));
  t.deepEqual(show(result.positions), { A: '850000', B: '-400000', C: '-250000', D: '-200000' });
  const { instructions } = settlementInstructions(result.positions);
  t.is(checkPlan(result.positions, instructions), null);
  t.is(instructions.length, 3);
});

test('partial netting: lowest priority goes first; the payee made short is handled in turn', (t) => {
  const w = [ob('X', 'Y', '100', 'EUR', 1), ob('X', 'Z', '50', 'EUR', 0), ob('Y', 'W', '120', 'EUR', 0)];
  // X can pay 60: its low-priority X→Z (50) goes first, still short by 40, then X→Y (100).
  // Without X→Y, Y (capacity 0) owes 120 net: Y→W goes too. Nothing is left.
  const capacity = (p: string) => ({ X: 6_000n, Y: 0n } as Record<string, bigint>)[p] ?? 0n;
  const result = nettingWithinLimits(w, 'EUR', capacity);
  t.deepEqual(result.removed.map((r) => `${r.obligation.payer}>${r.obligation.payee}`), ['X>Z', 'X>Y', 'Y>W']);
  t.is(result.kept.length, 0);
  // X can pay 100 and Y 20: only X's low-priority one goes; Y's −20 is within its capacity.
  const enough = nettingWithinLimits(w, 'EUR', (p) => ({ X: 10_000n, Y: 2_000n } as Record<string, bigint>)[p] ?? 0n);
  t.deepEqual(enough.removed.map((r) => `${r.obligation.payer}>${r.obligation.payee}`), ['X>Z']);
  t.deepEqual(show(enough.positions, 'EUR'), { W: '120', X: '-100', Y: '-20' });
});

test('property: partial netting ends within every limit and removes only short payers', (t) => {
  fc.assert(fc.property(window, fc.array(fc.integer({ min: 0, max: 200_000 }), { minLength: 10, maxLength: 10 }), (obligations, caps) => {
    const capacity = (p: string) => BigInt(caps[Number(p.slice(1))]!);
    const r = nettingWithinLimits(obligations, 'EUR', capacity);
    if (r.kept.length + r.removed.length !== obligations.length) return false;
    for (const [p, v] of r.positions) if (-v > capacity(p)) return false;
    return r.removed.every((x) => x.obligation.payer === x.participant && x.shortfall > 0n);
  }), { numRuns: 300 });
  t.pass();
});
