// Goal: the clearing intake's one-pass amount reader gives exactly what the decimal library gives:
// minor units for every valid amount, and the right refusal (format, precision, size, zero) for the
// rest. Method: known cases, then fast-check against bignumber.js over random decimal strings.

import test from 'ava';
import BigNumber from 'bignumber.js';
import fc from 'fast-check';
import { unitsOf } from '../../adapters/clearing-service.ts';

test('known amounts and refusals', (t) => {
  t.is(unitsOf('1000000', 2), 100_000_000n);
  t.is(unitsOf('1000.50', 2), 100_050n);
  t.is(unitsOf('0.01', 2), 1n);
  t.is(unitsOf('007.10', 2), 710n);
  t.is(unitsOf('79255.00', 0), 79_255n, 'whole yen with zero decimals written');
  t.is(unitsOf('1.005', 3), 1_005n);
  t.is(unitsOf('10.5', 0), 'PRECISION');
  t.is(unitsOf('1.001', 2), 'PRECISION');
  t.is(unitsOf('0.00', 2), 'ZERO');
  t.is(unitsOf('0', 2), 'ZERO');
  for (const bad of ['', '.5', '5.', '1.2.3', '-1', '1e3', ' 1', '1,00', '１']) t.is(unitsOf(bad, 2), 'FORMAT', bad);
  t.is(unitsOf('9999999999999999', 2), 999_999_999_999_999_900n);
  t.is(unitsOf('99999999999999999', 2), 'SIZE', '17 digits + 2 decimals is beyond 18');
  t.is(unitsOf('1234567890123456789', 0), 'FORMAT', '19 integer digits');
});

test('property: the same units as bignumber.js, or a refusal exactly when bignumber.js says it does not fit', (t) => {
  const decimal = fc.tuple(fc.stringMatching(/^\d{1,18}$/), fc.option(fc.stringMatching(/^\d{1,6}$/), { nil: undefined }), fc.integer({ min: 0, max: 4 }));
  fc.assert(fc.property(decimal, ([int, frac, digits]) => {
    const text = frac === undefined ? int : `${int}.${frac}`;
    const got = unitsOf(text, digits);
    const scaled = new BigNumber(text).shiftedBy(digits);
    if (!scaled.isInteger()) return got === 'PRECISION';
    if (scaled.isZero()) return got === 'ZERO';
    const intDigits = new BigNumber(text).integerValue(BigNumber.ROUND_DOWN).isZero() ? 0 : new BigNumber(text).integerValue(BigNumber.ROUND_DOWN).toFixed().length;
    if (intDigits + digits > 18) return got === 'SIZE';
    return got === BigInt(scaled.toFixed());
  }), { numRuns: 2_000 });
  t.pass();
});
