// Goal: the pure risk cores by hand: cross rates through USD and the date join of a VaR window
// (a date missing one currency is skipped, never filled); open positions = tokens + open-window
// nets; valuation in the reporting currency, shares of the gross; rail totals; limit breaches
// (absolute and share) and the guard of hard limits (refuses only what increases the breach).

import test from 'ava';
import BigNumber from 'bignumber.js';
import { alignToBase, crossRate, relativeMove } from '../../../actors/risk/fx.ts';
import { openPositions, railTotals, valueExposure } from '../../../actors/risk/exposure.ts';
import { breachesOf, guardObligation, type RiskLimit } from '../../../actors/risk/limits.ts';

const d = (v: string | number) => new BigNumber(v);
const day = (date: string, rates: Record<string, string>) => ({ date, rates: new Map(Object.entries(rates).map(([c, r]) => [c, d(r)])) });

test('cross rates go through USD: 1 EUR = USD→GBP / USD→EUR GBP', (t) => {
  const r = day('2024-06-14', { EUR: '0.8', GBP: '0.64', JPY: '160' }).rates;
  t.is(crossRate(r, 'EUR', 'GBP')!.toFixed(), '0.8');
  t.is(crossRate(r, 'GBP', 'JPY')!.toFixed(), '250');
  t.is(crossRate(r, 'USD', 'JPY')!.toFixed(), '160');
  t.is(crossRate(r, 'JPY', 'USD')!.toFixed(), '0.00625');
  t.is(crossRate(r, 'EUR', 'EUR')!.toFixed(), '1');
  t.is(crossRate(r, 'EUR', 'INR'), undefined);
  t.is(relativeMove(d('1.25'), d('1.3125')).toFixed(), '0.05');
});

test('a VaR window joins series by date: a date missing one currency is skipped whole', (t) => {
  const days = [
    day('2024-01-02', { EUR: '0.8', GBP: '0.5' }),
    day('2024-01-03', { EUR: '0.5' }), // no GBP: skipped, not filled from a neighbour
    day('2024-01-04', { EUR: '0.4', GBP: '0.8' }),
    day('2024-01-05', { EUR: '1', GBP: '1' }),
  ];
  const a = alignToBase(days, ['EUR', 'GBP'], 'USD', 3);
  t.deepEqual(a.dates, ['2024-01-02', '2024-01-04', '2024-01-05']);
  // Rate to USD = 1 / units per USD.
  t.deepEqual(a.toBase.map((r) => [r['EUR']!.toFixed(), r['GBP']!.toFixed()]), [['1.25', '2'], ['2.5', '1.25'], ['1', '1']]);
  // In another base: 1 EUR = (USD→GBP / USD→EUR) GBP.
  t.deepEqual(alignToBase(days, ['EUR'], 'GBP', 2).toBase.map((r) => r['EUR']!.toFixed()), ['2', '1']);
  t.deepEqual(alignToBase(days, ['EUR'], 'USD', 10).dates.length, 4);
});

const TOKENS = new Map([['A', new Map([['EUR', d('1000')], ['USD', d('500')]])], ['B', new Map([['EUR', d('200')]])]]);
const WINDOW = new Map([['A', new Map([['EUR', d('-1500')], ['GBP', d('300')]])], ['B', new Map([['EUR', d('1500')], ['GBP', d('-300')]])]]);
// USD per unit.
const RATES: Record<string, string> = { EUR: '1.1', GBP: '1.25' };
const rateOf = (c: string) => (c === 'USD' ? d(1) : RATES[c] === undefined ? undefined : d(RATES[c]));

test('open positions: tokens plus the open window, netted per currency', (t) => {
  const p = openPositions(TOKENS, WINDOW);
  t.deepEqual([...p.get('A')!].map(([c, v]) => [c, v.toFixed()]), [['EUR', '-500'], ['USD', '500'], ['GBP', '300']]);
  t.deepEqual([...p.get('B')!].map(([c, v]) => [c, v.toFixed()]), [['EUR', '1700'], ['GBP', '-300']]);
  // A position netted to zero disappears.
  t.false(openPositions(new Map([['C', new Map([['EUR', d(5)]])]]), new Map([['C', new Map([['EUR', d(-5)]])]])).has('C'));
  const totals = railTotals(p);
  // Window nets cancel: the rail's net per currency is the tokens outstanding.
  t.deepEqual(totals.map((x) => [x.currency, x.net.toFixed(), x.long.toFixed(), x.short.toFixed(), x.participants]), [
    ['EUR', '1200', '1700', '-500', 2], ['GBP', '0', '300', '-300', 2], ['USD', '500', '500', '0', 1],
  ]);
});

test('valuation in the reporting currency; shares of the gross', (t) => {
  const a = valueExposure('A', openPositions(TOKENS, WINDOW).get('A')!, rateOf, 2);
  // EUR −500 × 1.1 = −550, GBP 300 × 1.25 = 375, USD 500: net 325, gross 1,425.
  t.deepEqual(a.positions.map((p) => [p.currency, p.value!.toFixed(2), p.share!.toFixed()]), [
    ['EUR', '-550.00', '0.385965'], ['GBP', '375.00', '0.263158'], ['USD', '500.00', '0.350877'],
  ]);
  t.is(a.net.toFixed(2), '325.00');
  t.is(a.gross.toFixed(2), '1425.00');
  const unvalued = valueExposure('X', new Map([['INR', d(100)], ['USD', d(10)]]), rateOf, 2);
  t.deepEqual(unvalued.unvalued, ['INR']);
  t.is(unvalued.positions[0]!.value, null);
  t.is(unvalued.positions[1]!.share!.toFixed(), '1');
});

const limit = (kind: 'ABSOLUTE' | 'SHARE', value: string, hard: boolean, currency = 'EUR', participant = 'A'): RiskLimit => ({ participant, currency, kind, limit: d(value), hard });

test('breaches: |position| over an absolute limit, a share over a share limit', (t) => {
  const a = openPositions(TOKENS, WINDOW).get('A')!;
  t.deepEqual(breachesOf('A', a, [limit('ABSOLUTE', '400', false), limit('ABSOLUTE', '500', true, 'GBP')], rateOf, 2).map((b) => [b.currency, b.actual.toFixed()]), [['EUR', '500']]);
  t.deepEqual(breachesOf('A', a, [limit('ABSOLUTE', '500', false)], rateOf, 2), [], 'at the limit is not beyond it');
  t.deepEqual(breachesOf('A', a, [limit('SHARE', '0.35', true)], rateOf, 2).map((b) => b.actual.toFixed()), ['0.385965']);
  t.deepEqual(breachesOf('A', a, [limit('SHARE', '0.4', true)], rateOf, 2), []);
  t.deepEqual(breachesOf('B', a, [limit('ABSOLUTE', '1', true)], rateOf, 2), [], 'other participants’ limits');
});

test('the guard: a hard limit refuses an obligation that increases the breach, and only that', (t) => {
  const a = openPositions(TOKENS, WINDOW).get('A')!; // EUR −500
  const hard = [limit('ABSOLUTE', '600', true)];
  t.is(guardObligation('A', 'EUR', d('100'), a, hard, rateOf, 2), null, '−600 is at the limit');
  t.like(guardObligation('A', 'EUR', d('100.01'), a, hard, rateOf, 2), { code: 'RISK_LIMIT', field: 'amount' });
  t.is(guardObligation('A', 'EUR', d('1000'), a, [limit('ABSOLUTE', '600', false)], rateOf, 2), null, 'a soft limit only alerts');
  t.is(guardObligation('A', 'GBP', d('1000'), a, hard, rateOf, 2), null, 'another currency');
  // Long 1,700 EUR (B) beyond a 1,000 limit: paying 1,000 moves it to 700, back within: accepted.
  const b = openPositions(TOKENS, WINDOW).get('B')!;
  t.is(guardObligation('B', 'EUR', d('1000'), b, [limit('ABSOLUTE', '1000', true, 'EUR', 'B')], rateOf, 2), null);
  // Paying 3,000 takes it from +1,700 to −1,300: still beyond, but less: accepted. 4,000: −2,300, refused.
  t.is(guardObligation('B', 'EUR', d('3000'), b, [limit('ABSOLUTE', '1000', true, 'EUR', 'B')], rateOf, 2), null);
  t.like(guardObligation('B', 'EUR', d('4000'), b, [limit('ABSOLUTE', '1000', true, 'EUR', 'B')], rateOf, 2), { code: 'RISK_LIMIT' });
  // Share: A's EUR is 38.6% of its gross; paying 500 more: −1,000 EUR = 1,100 USD of a gross of 1,975 = 55.70%.
  const refused = guardObligation('A', 'EUR', d('500'), a, [limit('SHARE', '0.5', true)], rateOf, 2);
  t.like(refused, { code: 'RISK_LIMIT', field: 'amount' });
  t.regex(refused!.message, /55\.70% .*from 38\.60%/);
  t.is(guardObligation('A', 'EUR', d('100'), a, [limit('SHARE', '0.5', true)], rateOf, 2), null, '−600 EUR: 660 / 1,535 = 43.0%');
});
