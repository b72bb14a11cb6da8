// Goal: the reconciliation levels are exactly the table: the seed's own vectors, the
// walkthrough, every bound inclusive, the B ≤ 0 rules, the under-backing rule, and no float
// anywhere (a third of a cent must not move a level). Method: fixed vectors, bounds hit exactly
// and missed by the smallest step, and properties over random decimal balances (fast-check).

import test from 'ava';
import BigNumber from 'bignumber.js';
import fc from 'fast-check';
import { atLeast, checkThresholds, compareBalances, levelOf, THRESHOLDS_DEFAULT, type ThresholdLevel } from '../../../actors/reconciliation/thresholds.ts';

const level = (l: string, b: string) => compareBalances(new BigNumber(l), new BigNumber(b)).level;

test('the seed vectors and walkthrough', (t) => {
  t.is(level('1000.00', '1000.00'), 'Ok');
  t.is(level('100000', '100020'), 'Minor');
  t.is(level('100000', '100100'), 'Significant');
  t.is(level('100000', '99000'), 'Critical');
  const walk = compareBalances(new BigNumber('1000000.00'), new BigNumber('1050000.00'));
  t.is(walk.level, 'Critical');
  t.is(walk.diff.toFixed(2), '50000.00');
  t.is(walk.difference.toFixed(2), '-50000.00');
  t.is(walk.pct.toFixed(), '4.761905');
});

test('bounds are inclusive, and the next step past each is the next level', (t) => {
  // B = 100000: 0.01% is 10.00, 0.05% is 50.00, 0.5% is 500.00 (bank above ledger: no backing rule).
  t.is(level('100000', '100000.01'), 'Ok', 'diff 0.01 = okDiff and pct 0.00001 ≤ 0.01');
  t.is(level('100000', '100000.02'), 'Minor', 'diff beyond okDiff');
  t.is(level('100000', '100050.00'), 'Minor', 'pct exactly 0.05');
  // 50.01 / 100050.01 < 0.05%: still Minor; the pct is of the bank balance.
  t.is(level('99950.00', '100000.00'), 'Minor', 'diff 50 of B 100000: exactly 0.05%');
  t.is(level('99949.99', '100000.00'), 'Significant', '50.01 of 100000: just over 0.05%');
  t.is(level('99500.00', '100000.00'), 'Significant', 'exactly 0.5%');
  t.is(level('99499.99', '100000.00'), 'Critical', 'just over 0.5%');
  // Small balances: the 0.01 absolute tolerance and the 0.01% tolerance both apply.
  t.is(level('0.99', '1.00'), 'Critical', '0.01 of 1.00 is 1%');
  t.is(level('10000.00', '10000.01'), 'Ok', 'diff 0.01 and 0.0001%: within both Ok tolerances');
});

test('exact comparison, never a rounded percentage', (t) => {
  // B = 30000.03: 0.05% of it is 15.000015; a difference of 15.00 is within, 15.01 is not.
  t.is(level('29985.03', '30000.03'), 'Minor');
  t.is(level('29985.02', '30000.03'), 'Significant');
  // B = 3.00: 0.01 is 0.333...% (a repeating fraction), within 0.5%; 0.02 is 0.666...%, beyond.
  const third = compareBalances(new BigNumber('2.99'), new BigNumber('3.00'));
  t.is(third.level, 'Significant');
  t.is(third.pct.toFixed(), '0.333333');
  t.is(level('2.98', '3.00'), 'Critical');
});

test('the displayed percentage is rounded once, half-up to 6 decimals', (t) => {
  // diff × 100 / B = 0.0000004999999999999999: 0.000000 at 6 decimals. Rounded first to 20
  // places it would become 0.0000005 and then 0.000001 (the old double rounding).
  const bank = new BigNumber('10000000000000000000000');
  const c = compareBalances(bank.plus('49999999999999.99'), bank);
  t.is(c.pct.toFixed(), '0');
  t.true(c.pct instanceof BigNumber);
  t.is(compareBalances(new BigNumber('100.00'), new BigNumber('300.00')).pct.toFixed(), '66.666667');
});

test('B ≤ 0: any difference is 100%, none is 0%', (t) => {
  t.is(level('0', '0'), 'Ok');
  t.is(compareBalances(new BigNumber(0), new BigNumber(0)).pct.toFixed(), '0');
  t.is(level('0.01', '0'), 'Critical', 'L > 0, B = 0: 100%');
  t.is(compareBalances(new BigNumber('0.01'), new BigNumber(0)).pct.toFixed(), '100');
  t.is(level('-5', '-5'), 'Ok');
  t.is(level('0', '-5'), 'Critical');
  t.is(level('-5', '0'), 'Critical');
});

test('the ledger above the bank beyond Ok is at least Significant', (t) => {
  // 20 of 100000 is 0.02%: Minor when the bank holds more, Significant when the books do.
  t.is(level('100000', '100020'), 'Minor');
  const over = compareBalances(new BigNumber('100020'), new BigNumber('100000'));
  t.is(over.level, 'Significant');
  t.true(over.underBacked);
  t.is(level('100000.01', '100000'), 'Ok', 'within Ok tolerance the rule does not apply');
  t.is(level('100000.02', '100000'), 'Significant');
});

test('thresholds are checked', (t) => {
  t.is(checkThresholds(THRESHOLDS_DEFAULT), null);
  t.regex(checkThresholds({ ...THRESHOLDS_DEFAULT, minorPct: new BigNumber('0.6') }) ?? '', /order|≤/);
  t.regex(checkThresholds({ ...THRESHOLDS_DEFAULT, okDiff: new BigNumber(-1) }) ?? '', /negative/);
});

const cents = fc.bigInt({ min: -10_000_000_000n, max: 10_000_000_000n }).map((c) => new BigNumber(c.toString()).shiftedBy(-2));

test('properties: monotone in the difference, symmetric but for the backing rule, exact', (t) => {
  fc.assert(
    fc.property(cents, cents, fc.bigInt({ min: 1n, max: 1_000_000n }), (ledger, bank, extra) => {
      const step = new BigNumber(extra.toString()).shiftedBy(-2);
      const a = compareBalances(ledger, bank);
      // Moving the ledger further from the bank never lowers the level.
      const further = compareBalances(a.difference.isNegative() ? ledger.minus(step) : ledger.plus(step), bank);
      if (!atLeast(further.level, a.level)) return false;
      // Mirror: L and B swapped around B keeps the level, except that the under-backed side may be higher.
      const mirror = compareBalances(bank.minus(a.difference), bank);
      const [below, above] = a.difference.isNegative() ? [a, mirror] : [mirror, a];
      if (!atLeast(above.level, below.level)) return false;
      // Ok means within both tolerances; Critical never happens within 0.5%.
      if (a.level === 'Ok' && a.diff.isGreaterThan('0.01')) return false;
      if (a.level === 'Critical' && bank.isGreaterThan(0) && a.diff.times(100).isLessThanOrEqualTo(bank.times('0.5'))) return false;
      return a.diff.isEqualTo(ledger.minus(bank).abs());
    }),
    { numRuns: 5_000 },
  );
  t.pass();
});

test('property: the hot-path level equals the full comparison’s', (t) => {
  fc.assert(fc.property(cents, cents, (ledger, bank) => levelOf(ledger, bank) === compareBalances(ledger, bank).level), { numRuns: 5_000 });
  fc.assert(fc.property(cents, (bank) => levelOf(bank, bank) === 'Ok'));
  t.pass();
});

test('level order', (t) => {
  const order: ThresholdLevel[] = ['Ok', 'Minor', 'Significant', 'Critical'];
  for (const [i, a] of order.entries()) for (const [j, b] of order.entries()) t.is(atLeast(a, b), i >= j, `${a} ≥ ${b}`);
});
