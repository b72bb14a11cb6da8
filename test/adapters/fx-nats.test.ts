// Goal: live FX rates over NATS and risk alerts out on JetStream, against the real nats-server:
// a request on `<ns>.deltran.fx.rates` stores the observations with their source (`nats` by
// default) and answers what it did; a refused payload answers the field; a move beyond the
// threshold is stored as an FX_MOVE alert and published on `<ns>.deltran.alerts.warning.fx_move`
// in the DELTRAN_ALERTS stream.

import { openDatabase } from '../../adapters/db/database.ts';
import { migrate } from '../../adapters/db/migrate.ts';
import { fxRatesSubject } from '../../adapters/fx/nats.ts';
import { ensureStreams } from '../../adapters/nats/streams.ts';
import { streamName } from '../../adapters/nats/subjects.ts';
import { RiskService } from '../../adapters/risk-service.ts';
import { eventually } from '../helpers/eventually.ts';
import { FAST, NATS_URL, natsTest } from './nats/harness.ts';

natsTest('live rates on deltran.fx.rates, FX move alerts on DELTRAN_ALERTS', FAST, async (t, { nc, jsm, namespace }) => {
  await ensureStreams(jsm, { namespace, tuning: FAST, only: ['DELTRAN_ALERTS'] });
  const db = await openDatabase({ dataDir: 'memory://' });
  await migrate(db);
  const risk = await RiskService.open(db, undefined, { fxImport: false, checkEveryMs: false, nats: { url: NATS_URL, namespace } });
  await risk.start();
  try {
    const ask = async (payload: unknown) => (await nc.request(fxRatesSubject(namespace), JSON.stringify(payload), { timeout: 5_000 })).json<{ success: boolean; data?: any; field?: string; code?: string }>();
    const answer = await ask([{ base: 'EUR', quote: 'USD', rate: '1.10', as_of: '2024-01-02' }, { base: 'EUR', quote: 'USD', rate: '1.30', as_of: '2024-01-03' }]);
    t.deepEqual(answer, { success: true, data: { inserted: 2, duplicates: 0, alerts: 1 } });
    t.deepEqual(await ask([{ base: 'EUR', quote: 'USD', rate: '1.10', as_of: '2024-01-02' }]), { success: true, data: { inserted: 0, duplicates: 1, alerts: 0 } });
    t.like(await ask([{ base: 'EUR', quote: 'USD', rate: 1.1, as_of: '2024-01-02' }]), { success: false, code: 'VALIDATION_FAILED', field: '[0].rate' });
    const { rows } = await db.query<{ source: string; n: string }>(`SELECT source, count(*)::text AS n FROM fx_rates GROUP BY source`);
    t.deepEqual(rows, [{ source: 'nats', n: '2' }]);
    const stored = await risk.alerts({ kind: 'FX_MOVE' });
    t.is(stored.length, 1);
    t.regex(stored[0]!.message, /EUR\/USD moved 18\.18%/);
    const msg = await eventually(async () => {
      try {
        return await jsm.streams.getMessage(streamName('DELTRAN_ALERTS', namespace), { last_by_subj: `${namespace}.deltran.alerts.warning.fx_move` });
      } catch {
        return undefined;
      }
    }, 'the alert on DELTRAN_ALERTS', 5_000, 50);
    t.like(msg!.json(), { kind: 'FX_MOVE', id: stored[0]!.id, detail: { base: 'EUR', quote: 'USD', previous: { rate: '1.1' }, next: { rate: '1.3' } } });
  } finally {
    await risk.stop();
    await db.close();
  }
});
