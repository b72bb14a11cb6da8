// Goal: VaR by the pinned definitions, checked against figures computed by hand (and with
// Python's decimal module, shown beside them) on a small two-currency series; the rank rule in
// decimal (100 days at 99% is the 1st loss, not the 2nd); the normal quantile; Kupiec and the Basel
// traffic light against their published values (LR 0.77 for 4 in 250 at 99%; green 0–4, yellow
// 5–9, red 10+).

import test from 'ava';
import BigNumber from 'bignumber.js';
import { baselZone, binomialCdf, countExceptions, erfc, kupiec } from '../../../actors/risk/backtest.ts';
import { dailyPnl, ewmaVar, historicalRank, historicalVar, normalQuantile, VarInputError, type VarInput } from '../../../actors/risk/var.ts';

const r = (eur: string, gbp: string) => ({ EUR: new BigNumber(eur), GBP: new BigNumber(gbp) });
// EUR and GBP in USD per unit; long 1,000 EUR, short 500 GBP.
const INPUT: VarInput = {
  positions: { EUR: new BigNumber(1000), GBP: new BigNumber(-500) },
  rates: [r('1.10', '1.25'), r('1.12', '1.24'), r('1.09', '1.27'), r('1.11', '1.26'), r('1.08', '1.30'), r('1.10', '1.28')],
  baseCurrency: 'USD',
  confidence: '0.8',
  horizonDays: 1,
  windowDays: 5,
};

test('daily P&L by hand: 1000·ΔEUR − 500·ΔGBP', (t) => {
  // 20 + 5, −30 − 15, 20 + 5, −30 − 20, 20 + 10
  t.deepEqual(dailyPnl(INPUT).map((p) => p.toFixed()), ['25', '-45', '25', '-50', '30']);
  // Only the last window_days + 1 dates count.
  t.deepEqual(dailyPnl({ ...INPUT, windowDays: 2 }).map((p) => p.toFixed()), ['-50', '30']);
});

test('historical: the ⌈N(1 − c)⌉-th largest loss × √horizon', (t) => {
  // Losses 50, 45, −25, −25, −30. c 0.8 → rank 1 → 50; × √4 → 100.00.
  t.is(historicalVar(INPUT).var.toFixed(2), '50.00');
  t.is(historicalVar({ ...INPUT, horizonDays: 4 }).var.toFixed(2), '100.00');
  t.is(historicalVar({ ...INPUT, confidence: '0.6' }).var.toFixed(2), '45.00');
  t.is(historicalVar(INPUT).observations, 5);
  t.is(historicalRank(250, '0.99'), 3);
  t.is(historicalRank(100, '0.99'), 1, 'in floating point 100 × (1 − 0.99) = 1.0000000000000009 would give 2');
  t.is(historicalRank(250, '0.95'), 13);
});

test('EWMA (λ 0.94): σ² 817.019056 by hand, z(0.99)·σ = 66.50, over 10 days 210.28', (t) => {
  // σ²: 625 → 625 → 709 → 703.96 → 811.7224 → 817.019056 (Python decimal: σ = 28.5835451965).
  t.is(ewmaVar({ ...INPUT, confidence: '0.99' }).var.toFixed(2), '66.50');
  t.is(ewmaVar({ ...INPUT, confidence: '0.99', horizonDays: 10 }).var.toFixed(2), '210.28');
});

test('the normal quantile', (t) => {
  t.is(normalQuantile(0.99).toFixed(6), '2.326348');
  t.is(normalQuantile(0.95).toFixed(6), '1.644854');
  t.is(normalQuantile(0.975).toFixed(6), '1.959964');
  t.is(normalQuantile(0.5), 0);
  t.is(normalQuantile(0.001).toFixed(6), '-3.090232');
  t.throws(() => normalQuantile(1), { instanceOf: RangeError });
});

test('inputs are checked with a code', (t) => {
  t.throws(() => historicalVar({ ...INPUT, confidence: '1' }), { instanceOf: VarInputError, message: /CONFIDENCE_INVALID/ });
  t.throws(() => historicalVar({ ...INPUT, windowDays: 6 }), { message: /HISTORY_SHORT: 7 dates/ });
  t.throws(() => historicalVar({ ...INPUT, horizonDays: 0 }), { message: /HORIZON_INVALID/ });
  t.throws(() => historicalVar({ ...INPUT, positions: { ...INPUT.positions, JPY: new BigNumber(1) } }), { message: /RATE_MISSING/ });
});

test('Kupiec: 4 exceptions in 250 days at 99% → LR 0.77, accepted; 8 → rejected', (t) => {
  const four = kupiec(4, 250, 0.99);
  t.is(four.likelihoodRatio.toFixed(2), '0.77');
  t.is(four.pValue.toFixed(3), '0.380');
  t.true(four.accepted);
  const eight = kupiec(8, 250, 0.99);
  t.is(eight.likelihoodRatio.toFixed(2), '7.73');
  t.false(eight.accepted);
  t.is(kupiec(0, 250, 0.99).likelihoodRatio.toFixed(3), '5.025', 'too few exceptions is suspicious too');
  // The 95% critical value of χ²₁: erfc(√(3.8415/2)) ≈ 0.05.
  t.is(erfc(Math.sqrt(3.841459 / 2)).toFixed(4), '0.0500');
});

test('Basel traffic light for 250 days at 99%', (t) => {
  const zones = Array.from({ length: 12 }, (_, x) => baselZone(x, 250, 0.99));
  t.deepEqual(zones, ['green', 'green', 'green', 'green', 'green', 'yellow', 'yellow', 'yellow', 'yellow', 'yellow', 'red', 'red']);
  // The cumulative probabilities of the published table.
  t.is((binomialCdf(4, 250, 0.01) * 100).toFixed(2), '89.22');
  t.is((binomialCdf(9, 250, 0.01) * 100).toFixed(2), '99.97');
});

test('exceptions: a loss above the previous day’s VaR', (t) => {
  const pnl = ['10', '-30', '-31', '-29.99'].map((v) => new BigNumber(v));
  const vars = ['30', '30', '30', '30'].map((v) => new BigNumber(v));
  t.is(countExceptions(pnl, vars), 1, 'a loss equal to the VaR is not an exception');
});
