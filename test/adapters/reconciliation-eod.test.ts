// Goal: tier 3 and the discrepancy records in the running service, on PGlite and on PostgreSQL:
// crafted statements produce each discrepancy type (MISSING_TXN on both sides, DUPLICATE_TXN,
// AMOUNT_MISMATCH, SEQUENCE_GAP, BALANCE_MISMATCH); a COPY and a redelivery change nothing; the
// lifecycle API moves a discrepancy only along OPEN → INVESTIGATING → RESOLVED | ESCALATED and
// records who, when and why; the EOD JSON and the same statement as camt.053 XML give the same
// answer; a restart keeps everything and its catch-up inserts nothing twice (and restores a row
// that was lost). Method: startService and fastify inject; camt.054/053 built inline with their
// figures beside them, expected counts derived by hand in the comments.

import type { ExecutionContext } from 'ava';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startService, type Service } from '../../adapters/service.ts';
import { camt053, camt054, type TestEntry } from '../streams/ingest/camt.ts';
import { bothEngines, PG_URL, type Env } from './db/engines.ts';

const A = 'DE44500105175407324931';
const C = 'NL20INGB0001234567';
const D = 'BE71096123456769';

function starter(t: ExecutionContext, env: Env): () => Promise<Service> {
  const dir = mkdtempSync(join(tmpdir(), 'deltran-eod-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const intake = { natsUrl: false as const, inboxDir: false as const, redisUrl: false as const };
  return () => startService(env.engine === 'postgres'
    ? { host: '127.0.0.1', port: 0, databaseUrl: PG_URL, schema: env.schema, logger: false, intake }
    : { host: '127.0.0.1', port: 0, dataDir: dir, databaseUrl: '', logger: false, intake });
}

const xml = (body: string, url = '/api/v1/iso20022') => ({ method: 'POST' as const, url, headers: { 'content-type': 'application/xml' }, payload: body });

async function openAccount(s: Service, iban: string, balance: string): Promise<string> {
  const r = await s.app.inject({ method: 'POST', url: '/api/v1/accounts', payload: {
    bank_id: 'BANK', account_number: iban.slice(-10), iban, currency: 'EUR', country_code: iban.slice(0, 2),
    account_type: 'settlement', ledger_balance: balance, bank_reported_balance: balance,
  } });
  if (r.statusCode !== 201) throw new Error(r.body);
  return r.json().data.id as string;
}

async function counts(s: Service) {
  await s.records.flush();
  const n = async (sql: string) => Number((await s.db.query<{ n: string }>(sql)).rows[0]!.n);
  return {
    discrepancies: await n('SELECT count(*) AS n FROM reconciliation_discrepancies'),
    steps: await n('SELECT count(*) AS n FROM reconciliation_discrepancy_events'),
    snapshots: await n('SELECT count(*) AS n FROM emi_account_snapshots'),
    journal: await n('SELECT count(*) AS n FROM journal'),
  };
}

interface Listed { id: string; discrepancy_type: string; detail: string; tier: number; severity: string; status: string; statement_id: string | null; history: { by: string; action: string; note: string | null; to: string }[] }

async function list(s: Service, query = ''): Promise<Listed[]> {
  await s.records.flush();
  const r = await s.app.inject({ method: 'GET', url: `/api/v1/reconciliation/discrepancies${query}` });
  return r.json().data as Listed[];
}

bothEngines('tier 3 discrepancies, COPY and redelivery, the lifecycle, EOD JSON = XML, restart', async (t, env) => {
  const start = starter(t, env);
  let s = await start();
  try {
    await openAccount(s, A, '1000.00');
    // Tier 1 hears four bookings: 1000 + 100 − 20 + 5 + 30 = 1115.00.
    const tier1: TestEntry[] = [
      { amount: '100.00', currency: 'EUR', direction: 'CRDT', ref: 'B1', e2e: 'E1' },
      { amount: '20.00', currency: 'EUR', direction: 'DBIT', ref: 'B2' },
      { amount: '5.00', currency: 'EUR', direction: 'CRDT', ref: 'B3' },
      { amount: '30.00', currency: 'EUR', direction: 'CRDT', ref: 'B4' },
    ];
    t.is((await s.app.inject(xml(camt054('N-1', [{ id: 'N', iban: A, entries: tier1 }])))).statusCode, 200);
    // The day's statement: B1, B2 match; B4 says 31.00 (AMOUNT_MISMATCH); B5 twice (the first is
    // MISSING_TXN ledger side, the second DUPLICATE_TXN); B6 never heard (MISSING_TXN ledger);
    // B3 is not on it (MISSING_TXN bank side). Closing 1000 + 100 − 20 + 31 + 7 + 7 + 2 = 1127.00.
    const day1 = camt053('S-1', [{ id: 'S-1', iban: A, seq: '1', date: '2024-05-01', currency: 'EUR', opening: '1000.00', closing: '1127.00', entries: [
      { amount: '100.00', currency: 'EUR', direction: 'CRDT', ref: 'B1', e2e: 'E1' },
      { amount: '20.00', currency: 'EUR', direction: 'DBIT', ref: 'B2' },
      { amount: '31.00', currency: 'EUR', direction: 'CRDT', ref: 'B4' },
      { amount: '7.00', currency: 'EUR', direction: 'CRDT', ref: 'B5' },
      { amount: '7.00', currency: 'EUR', direction: 'CRDT', ref: 'B5' },
      { amount: '2.00', currency: 'EUR', direction: 'CRDT', ref: 'B6' },
    ] }]);
    const r1 = await s.app.inject(xml(day1));
    t.is(r1.statusCode, 200, r1.body);
    const acc = (await s.app.inject({ method: 'GET', url: '/api/v1/accounts' })).json().data[0];
    t.is(acc.bank_reported_balance, '1127.00', 'the closing balance, nothing booked twice');
    // Day 2: sequence 3 after 1 (a gap), opening 1100.00 after a closing of 1127.00.
    const day2 = (copy?: string) => camt053(copy === undefined ? 'S-2' : 'S-2C', [{ id: 'S-2', iban: A, seq: '3', date: '2024-05-02', currency: 'EUR', opening: '1100.00', closing: '1100.00', entries: [], copy }]);
    t.is((await s.app.inject(xml(day2()))).statusCode, 200);

    const rows = await list(s);
    const tier3 = rows.filter((r) => r.tier === 3);
    const kinds = tier3.map((r) => `${r.discrepancy_type}${r.discrepancy_type === 'MISSING_TXN' ? `:${r.detail.split(':')[0]}` : ''}`).sort();
    t.deepEqual(kinds, [
      'AMOUNT_MISMATCH', 'BALANCE_MISMATCH', 'BALANCE_MISMATCH', 'BALANCE_MISMATCH', 'DUPLICATE_TXN',
      'MISSING_TXN:bank', 'MISSING_TXN:ledger', 'MISSING_TXN:ledger', 'SEQUENCE_GAP',
    ], 'day 1: 5 entry rows + its Critical check; day 2: gap, opening mismatch, its check');
    t.true(rows.some((r) => r.tier === 1 && r.discrepancy_type === 'BALANCE_MISMATCH' && r.severity === 'CRITICAL'), 'the tier-1 check that tripped');
    t.true(rows.every((r) => r.status === 'OPEN' && r.history.length === 1 && r.history[0]!.action === 'DETECTED'));
    const before = await counts(s);
    t.is(before.snapshots, 2, 'one EOD snapshot per statement day');

    // A COPY and a redelivery change nothing.
    const copy = await s.app.inject(xml(day2('COPY')));
    t.is(copy.json().data.messages[0].status, 'duplicate');
    t.is((await s.app.inject(xml(day1))).json().data.messages[0].status, 'duplicate');
    t.deepEqual(await counts(s), before);

    // The lifecycle.
    const [first, second] = tier3;
    const step = (id: string, what: string, by = 'alice', note = `${what} it`) =>
      s.app.inject({ method: 'POST', url: `/api/v1/reconciliation/discrepancies/${id}/${what}`, payload: { by, note } });
    t.is((await step(first!.id, 'investigate')).statusCode, 200);
    t.is((await step(first!.id, 'investigate')).statusCode, 409);
    const resolved = await step(first!.id, 'resolve', 'bob', 'booked by the bank on 2024-05-02');
    t.is(resolved.statusCode, 200);
    t.deepEqual(resolved.json().data.history.map((h: Listed['history'][0]) => [h.action, h.by, h.to]), [
      ['DETECTED', 'deltran', 'OPEN'], ['INVESTIGATE', 'alice', 'INVESTIGATING'], ['RESOLVE', 'bob', 'RESOLVED']]);
    t.is(resolved.json().data.resolution_notes, 'booked by the bank on 2024-05-02');
    t.is((await step(first!.id, 'escalate')).statusCode, 409, 'RESOLVED is final');
    t.is((await step(second!.id, 'escalate')).statusCode, 200, 'OPEN → ESCALATED directly');
    t.is((await step(second!.id, 'resolve')).statusCode, 409);
    t.is((await s.app.inject({ method: 'POST', url: `/api/v1/reconciliation/discrepancies/${second!.id}/resolve`, payload: {} })).statusCode, 400);
    t.is((await step('00000000-0000-4000-8000-000000000000', 'resolve')).statusCode, 404);
    t.deepEqual((await list(s, '?status=RESOLVED')).map((r) => r.id), [first!.id]);
    t.true((await list(s, '?severity=critical')).every((r) => r.severity === 'CRITICAL'));
    t.is((await s.app.inject({ method: 'GET', url: '/api/v1/reconciliation/discrepancies?status=CLOSED' })).statusCode, 400);

    // EOD: the seed's JSON for C and the same statement as camt.053 for D answer the same.
    await openAccount(s, C, '500.00');
    await openAccount(s, D, '500.00');
    const json = { message_id: 'EOD-1', account_id: C, currency: 'EUR', statement_date: '2024-05-01', creation_date_time: '2024-05-01T20:00:00',
      electronic_sequence_number: '1', opening_balance: '500.00', closing_balance: '512.50',
      entries: [{ entry_reference: 'R1', credit_debit_indicator: 'CRDT', amount: '12.50', end_to_end_id: 'E-R1' }] };
    const viaJson = await s.app.inject({ method: 'POST', url: '/api/v1/reconciliation/eod', payload: json });
    t.is(viaJson.statusCode, 200, viaJson.body);
    const viaXml = await s.app.inject(xml(camt053('EOD-1', [{ id: 'EOD-1', iban: D, seq: '1', date: '2024-05-01', currency: 'EUR', opening: '500.00', closing: '512.50',
      entries: [{ amount: '12.50', currency: 'EUR', direction: 'CRDT', ref: 'R1', e2e: 'E-R1' }] }]), '/api/v1/reconciliation/eod'));
    t.is(viaXml.statusCode, 200, viaXml.body);
    const strip = ({ snapshot_id, account_id, actor_id, ...rest }: Record<string, unknown>) => (t.truthy(snapshot_id), rest);
    const a = strip(viaJson.json().data);
    t.deepEqual(a, strip(viaXml.json().data));
    t.like(a, { statement_date: '2024-05-01', ledger_balance: '500.00', bank_balance: '512.50', difference: '12.50', reconciled: false,
      entries_matched: 0, entries_unmatched: 1, threshold_level: 'Critical', status: 'accepted' });
    const again = await s.app.inject({ method: 'POST', url: '/api/v1/reconciliation/eod', payload: json });
    t.like(again.json().data, { status: 'duplicate', bank_balance: '512.50', snapshot_id: viaJson.json().data.snapshot_id });
    // A JSON statement that does not add up (no validator stands before the JSON path).
    const bad = await s.app.inject({ method: 'POST', url: '/api/v1/reconciliation/eod', payload: { ...json, message_id: 'EOD-2', statement_date: '2024-05-02', electronic_sequence_number: '2', opening_balance: '512.50', closing_balance: '600.00', entries: [] } });
    t.true(bad.json().data.discrepancies.some((d: { type: string; detail: string }) => d.type === 'BALANCE_MISMATCH' && d.detail.includes('entries differ')));
    t.is((await s.app.inject({ method: 'POST', url: '/api/v1/reconciliation/eod', payload: { ...json, currency: 'eur' } })).statusCode, 400);
    t.is((await s.app.inject({ method: 'POST', url: '/api/v1/reconciliation/eod', payload: { ...json, account_id: 'GB29NWBK60161331926819' } })).statusCode, 404);
  } finally {
    await s.stop();
  }

  // Restart: everything is kept, the catch-up inserts nothing twice, and restores a lost row.
  s = await start();
  let kept;
  try {
    await s.records.firstCatchUp;
    kept = await counts(s);
    t.is((await s.records.catchUp()).inserted, 0);
    const victim = (await list(s, '?status=OPEN'))[0]!;
    await s.db.query('DELETE FROM reconciliation_discrepancy_events WHERE discrepancy_id = $1::uuid', [victim.id]);
    await s.db.query('DELETE FROM reconciliation_discrepancies WHERE id = $1::uuid', [victim.id]);
  } finally {
    await s.stop();
  }
  s = await start();
  try {
    const caught = await s.records.firstCatchUp;
    t.is(caught?.inserted, 1, 'the lost row, and only it');
    t.deepEqual(await counts(s), kept);
  } finally {
    await s.stop();
  }
});
