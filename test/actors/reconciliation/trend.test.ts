// Goal: tier 2 flags a slow drift before it crosses a level, and nothing else: not a jump that
// stays, not noise, not a difference that changes sign, not a short history. Method: hand-made
// histories on a 100,000.00 bank balance (0.01% = 10.00, 0.05% = 50.00, 0.5% = 500.00).

import test from 'ava';
import BigNumber from 'bignumber.js';
import { driftOf, TREND_DEFAULT } from '../../../actors/reconciliation/trend.ts';

const BANK = new BigNumber('100000.00');
const checks = (...diffs: string[]) => diffs.map((d) => ({ ledger: BANK.plus(d), bank: BANK }));

test('a growing shortfall is flagged while still Minor', (t) => {
  // −20, −26, −32, −38: Minor now (38 ≤ 50); +6 per check → −56 in 3 checks: Significant.
  const trend = driftOf(checks('-20', '-26', '-32', '-38'));
  t.true(trend.drifting);
  t.is(trend.current, 'Minor');
  t.is(trend.projected, 'Significant');
  t.is(trend.stepAverage.toFixed(2), '6.00');
});

test('not a drift: too slow, a jump that stays, noise, a sign change, short history', (t) => {
  t.false(driftOf(checks('-20', '-21', '-22', '-23')).drifting, '+1 per check stays Minor');
  t.false(driftOf(checks('-40', '-40', '-40', '-40')).drifting, 'flat');
  t.false(driftOf(checks('-20', '-35', '-25', '-45')).drifting, 'noise');
  t.false(driftOf(checks('10', '-20', '-30', '-40')).drifting, 'changed sign');
  t.false(driftOf(checks('-26', '-32', '-38')).drifting, 'three checks with a window of four');
  t.false(driftOf([]).drifting);
  t.is(driftOf([]).current, 'Ok');
});

test('already Critical: nothing worse to warn about', (t) => {
  const trend = driftOf(checks('-600', '-700', '-800', '-900'));
  t.false(trend.drifting);
  t.is(trend.current, 'Critical');
});

test('an over-stated ledger drifts into Significant by the backing rule first', (t) => {
  // +0.002, +0.004, +0.006, +0.008 is Ok; +0.002/check for 3 → +0.014: beyond Ok, L > B.
  const trend = driftOf(checks('0.002', '0.004', '0.006', '0.008'));
  t.is(trend.current, 'Ok');
  t.true(trend.drifting);
  t.is(trend.projected, 'Significant');
});

test('the window must make a trend', (t) => {
  t.throws(() => driftOf(checks('1', '2'), { ...TREND_DEFAULT, window: 2 }), { instanceOf: RangeError });
});
