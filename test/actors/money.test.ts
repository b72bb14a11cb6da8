// Goal: the money rules the actors rely on hold on real values: minor units per currency, no
// rounding except the documented FX cut, and one canonical decimal text so JSON replays compare.
// Method: example values (EUR, JPY, BHD) and strict codec inputs.

import test from 'ava';
import { CodecError, decimal, object, text, map } from '../../actors/codec.ts';
import { checkAmount, checkRate, convertAmount, decodeDecimal, encodeDecimal } from '../../actors/money.ts';
import { REJECTIONS } from '../../actors/decision.ts';
import { d } from './helpers.ts';

test('checkAmount: minor units per currency, positive, finite', (t) => {
  t.is(checkAmount(d('18.15'), 'EUR'), null);
  t.is(checkAmount(d('18.150'), 'EUR'), null, 'trailing zeros are not decimals');
  t.is(checkAmount(d('18.155'), 'EUR')?.code, 'AMOUNT_PRECISION');
  t.is(checkAmount(d('79255'), 'JPY'), null);
  t.is(checkAmount(d('79255.5'), 'JPY')?.code, 'AMOUNT_PRECISION');
  t.is(checkAmount(d('1.234'), 'BHD'), null);
  t.is(checkAmount(d('1.2345'), 'BHD')?.code, 'AMOUNT_PRECISION');
  t.is(checkAmount(d('0'), 'EUR')?.code, 'AMOUNT_NOT_POSITIVE');
  t.is(checkAmount(d('0'), 'EUR', { zeroAllowed: true }), null);
  t.is(checkAmount(d('-1'), 'EUR', { zeroAllowed: true })?.code, 'AMOUNT_NOT_POSITIVE');
  t.is(checkAmount(d('NaN'), 'EUR')?.code, 'AMOUNT_INVALID');
  t.is(checkAmount(d('1'), 'XXZ')?.code, 'CURRENCY_UNKNOWN');
});

test('convertAmount: exact product, cut down to the target minor units', (t) => {
  t.is(convertAmount(d('1000'), d('3.67'), 'AED').toFixed(), '3670');
  t.is(convertAmount(d('10.01'), d('0.27'), 'USD').toFixed(), '2.7', '2.7027 cut to 2.70');
  t.is(convertAmount(d('0.99'), d('0.999999'), 'USD').toFixed(), '0.98', 'never rounded up');
  t.is(convertAmount(d('100.55'), d('1.5'), 'JPY').toFixed(), '150');
  t.is(checkRate(d('0'))?.code, 'RATE_INVALID');
  t.is(checkRate(d('0.0000000000001'))?.code, 'RATE_INVALID');
  t.is(checkRate(d('83.33')), null);
});

test('decimal text is canonical and strict', (t) => {
  t.is(encodeDecimal(d('1050000.00')), '1050000');
  t.is(encodeDecimal(d('-0')), '0');
  t.is(encodeDecimal(d('1e21')), '1000000000000000000000', 'never exponent notation');
  t.is(encodeDecimal(d('0.0000001')), '0.0000001');
  t.is(decodeDecimal('12.5')?.toFixed(), '12.5');
  for (const bad of ['12.50', '1e3', ' 1', '+1', '01', '.5', '', 'NaN', '1.']) t.is(decodeDecimal(bad), undefined, bad);
  t.throws(() => encodeDecimal(d('NaN')));
});

test('codecs refuse numbers for money, unknown and missing keys', (t) => {
  const codec = object<{ amount: ReturnType<typeof d>; who: string }>({ amount: decimal, who: text });
  t.deepEqual(codec.encode({ amount: d('10.10'), who: 'A' }), { amount: '10.1', who: 'A' });
  t.is(codec.decode({ amount: '10.1', who: 'A' }).amount.toFixed(2), '10.10');
  t.throws(() => codec.decode({ amount: 10.1, who: 'A' }), { instanceOf: CodecError, message: /\.amount: expected a decimal string/ });
  t.throws(() => codec.decode({ amount: '10.1' }), { message: /\.who: missing key/ });
  t.throws(() => codec.decode({ amount: '10.1', who: 'A', x: 1 }), { message: /\.x: unexpected key/ });
  const m = map(decimal);
  t.deepEqual(m.encode(new Map([['10', d('1')], ['2', d('2')]])), [['10', '1'], ['2', '2']], 'insertion order kept');
  t.throws(() => m.decode([['a', '1'], ['a', '2']]), { message: /duplicate key/ });
});

test('every rejection code has a description', (t) => {
  for (const [code, line] of Object.entries(REJECTIONS)) t.true(line.length > 10, code);
});
