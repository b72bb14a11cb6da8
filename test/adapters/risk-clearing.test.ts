// The risk engine and the clearing engine in one service: a hard limit refuses the obligation that
// would take a participant beyond it (RISK_LIMIT, with the pacs.002-mapped code), one that brings
// the position back is accepted, and the exposure shows the open window's nets.

import test from 'ava';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startService, type Service } from '../../adapters/service.ts';

async function call(s: Service, method: string, path: string, body?: unknown): Promise<{ status: number; json: any }> {
  const res = await fetch(`${s.url}${path}`, body === undefined ? { method } : { method, body: JSON.stringify(body), headers: { 'content-type': 'application/json' } });
  return { status: res.status, json: await res.json() };
}

test('a hard limit refuses the obligation that breaches it; exposure includes the open window', async (t) => {
  const dataDir = mkdtempSync(join(tmpdir(), 'deltran-risk-clearing-'));
  const service = await startService({
    host: '127.0.0.1', port: 0, dataDir, databaseUrl: '', logger: false, apiToken: '',
    intake: { natsUrl: false, inboxDir: false, redisUrl: false },
    reconciliation: { tier2IntervalMin: 'off' },
    risk: { fxImport: false },
    clearing: { timers: false },
  });
  try {
    for (const bic of ['ALFAAEAD', 'BRAVGB2L']) {
      const r = await call(service, 'POST', '/api/v1/participants', { bic, name: bic, country: bic.slice(4, 6), debit_caps: { USD: '1000000.00' } });
      t.is(r.status, 201);
    }
    const limit = await call(service, 'POST', '/api/v1/risk/limits', { participant: 'ALFAAEAD', currency: 'USD', kind: 'absolute', limit: '1000.00', hard: true });
    t.is(limit.status, 200, JSON.stringify(limit.json));
    const first = await call(service, 'POST', '/api/v1/clearing/obligations', [{ id: 'r-1', payer: 'ALFAAEAD', payee: 'BRAVGB2L', currency: 'USD', amount: '600.00' }]);
    t.is(first.json.data.verdicts[0].status, 'ACCEPTED');
    const second = await call(service, 'POST', '/api/v1/clearing/obligations', [{ id: 'r-2', payer: 'ALFAAEAD', payee: 'BRAVGB2L', currency: 'USD', amount: '600.00' }]);
    t.is(second.json.data.verdicts[0].status, 'REJECTED');
    t.is(second.json.data.verdicts[0].code, 'RISK_LIMIT');
    const back = await call(service, 'POST', '/api/v1/clearing/obligations', [{ id: 'r-3', payer: 'BRAVGB2L', payee: 'ALFAAEAD', currency: 'USD', amount: '500.00' }]);
    t.is(back.json.data.verdicts[0].status, 'ACCEPTED');
    const exposure = await call(service, 'GET', '/api/v1/risk/exposures?participant=ALFAAEAD');
    t.is(exposure.status, 200, JSON.stringify(exposure.json));
    t.regex(JSON.stringify(exposure.json.data), /-100(\.00)?"/, 'A owes 600 − 500 = 100 in the open window');
  } finally {
    await service.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
});
