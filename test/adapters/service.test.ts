// Goal: the service as `deltran start` runs it, end to end over HTTP, on embedded PGlite in a temp
// directory: open an account, credit it with a camt.054, see the exact bank balance, re-send
// (duplicate, unchanged), send garbage (422, dead-lettered, listed), then restart on the same
// directory and find the same balances recovered from the journal. Method: fastify inject on the
// real service (listening on port 0), the camt.054 built inline with the figures beside it.

import test from 'ava';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startService, type Service } from '../../adapters/service.ts';
import { camt054 } from '../streams/ingest/camt.ts';

const IBAN = 'DE89370400440532013000';
const ID = '6f1c1f4e-2d1a-4b7e-9a51-1d2f3c4b5a69';

function start(dataDir: string): Promise<Service> {
  return startService({ host: '127.0.0.1', port: 0, dataDir, databaseUrl: '', logger: false });
}

const xml = (body: string) => ({ method: 'POST' as const, url: '/api/v1/iso20022', headers: { 'content-type': 'application/xml' }, payload: body });

test.serial('accounts, camt.054 ingestion, duplicates, dead letters and recovery after a restart', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'deltran-service-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  let service = await start(dir);
  try {
    const bad = await service.app.inject({ method: 'POST', url: '/api/v1/accounts', payload: { bank_id: 'b', account_number: '1', currency: 'eur', country_code: 'DE', account_type: 'client_funds' } });
    t.is(bad.statusCode, 400);
    t.like(bad.json(), { success: false, data: null, code: 'VALIDATION_FAILED', field: 'currency' });

    const account = {
      id: ID, bank_id: 'COBADEFF', account_number: '0532013000', iban: IBAN, currency: 'EUR', country_code: 'DE',
      account_type: 'client_funds', ledger_balance: '1000.00', bank_reported_balance: '1000.00',
    };
    const opened = await service.app.inject({ method: 'POST', url: '/api/v1/accounts', payload: account });
    t.is(opened.statusCode, 201, opened.body);
    t.like(opened.json(), { success: true, error: null, data: { id: ID, iban: IBAN, ledger_balance: '1000.00', bank_reported_balance: '1000.00', circuit_breaker_active: false } });
    // A retried POST is the same opening, not a second one.
    const again = await service.app.inject({ method: 'POST', url: '/api/v1/accounts', payload: account });
    t.is(again.statusCode, 201);
    t.is(again.json().data.bank_reported_balance, '1000.00');

    // 1000 + 250.10 + 0.15 − 100.05 = 1150.20 (booked entries move the bank balance only).
    const notification = camt054('NTF-1', [{ id: 'N1', iban: IBAN, entries: [
      { amount: '250.10', currency: 'EUR', direction: 'CRDT', ref: 'R1' },
      { amount: '0.15', currency: 'EUR', direction: 'CRDT', ref: 'R2' },
      { amount: '100.05', currency: 'EUR', direction: 'DBIT', ref: 'R3' },
    ] }]);
    const first = await service.app.inject(xml(notification));
    t.is(first.statusCode, 200, first.body);
    t.like(first.json().data.messages[0], { type: 'camt.054', messageId: 'NTF-1', status: 'accepted', errors: [] });
    const got = (await service.app.inject({ method: 'GET', url: `/api/v1/accounts/${ID}` })).json();
    // Tier 1: 150.20 the books do not know of is 13% of the bank's figure: Critical, breaker tripped.
    t.like(got.data, { bank_reported_balance: '1150.20', ledger_balance: '1000.00', currency: 'EUR', iban: IBAN, reconciliation_status: 'CRITICAL', circuit_breaker_active: true });

    // Prometheus: the accepted message is counted, the live actor and its mailbox are gauged.
    const scraped = await service.app.inject({ method: 'GET', url: '/metrics' });
    t.is(scraped.statusCode, 200);
    t.regex(scraped.body, /deltran_messages_total\{source="http",type="camt\.054",status="accepted"\} 1/);
    t.regex(scraped.body, /deltran_actors\{kind="account"\} 1/);
    t.regex(scraped.body, /deltran_mailbox_depth\{kind="account",measure="total"\} 0/);
    // Read and planned on the reader thread, not on the main thread (INGEST_READER_THREAD unset).
    t.regex(scraped.body, /deltran_ingest_reader_deliveries_total\{thread="worker"\} 1/);
    t.regex(scraped.body, /deltran_ingest_reader_worker_deaths_total 0/);

    // Actor inspection reads the published side index: the tree, then this account's actor.
    const tree = (await service.app.inject({ method: 'GET', url: '/api/v1/actors' })).json();
    t.is(tree.data.kinds[0].kind, 'account');
    t.is(tree.data.kinds[0].actors, 1);
    const actorId = got.data.actor.id as string;
    const actor = (await service.app.inject({ method: 'GET', url: `/api/v1/actors/${encodeURIComponent(actorId)}` })).json();
    t.like(actor.data, { id: actorId, mailbox_depth: 0, stale: false });
    t.true(actor.data.seq >= 4, `seq ${actor.data.seq}: the opening and three entries`);
    t.is((await service.app.inject({ method: 'GET', url: '/api/v1/actors/account%3Anope%3AEUR' })).statusCode, 404);

    const second = await service.app.inject(xml(notification));
    t.is(second.statusCode, 200);
    t.is(second.json().data.messages[0].status, 'duplicate');
    t.is((await service.app.inject({ method: 'GET', url: `/api/v1/accounts/${ID}` })).json().data.bank_reported_balance, '1150.20');

    const garbage = await service.app.inject(xml('<Document><not-closed>'));
    t.is(garbage.statusCode, 422);
    const g = garbage.json();
    t.false(g.success);
    t.is(typeof g.code, 'string');
    t.is(g.data.messages[0].status, 'rejected');
    t.false(JSON.stringify(g).includes('    at '), 'no stack trace');
    const letters = (await service.app.inject({ method: 'GET', url: '/api/v1/dead-letters' })).json();
    t.true(letters.success);
    t.is(letters.data[0].id, g.data.dead_letter_id);
    t.is(letters.data[0].source, 'http:/api/v1/iso20022');
    t.false('raw' in letters.data[0]);

    t.is((await service.app.inject({ method: 'GET', url: '/api/v1/accounts/00000000-0000-4000-8000-000000000000' })).statusCode, 404);
    const health = await service.app.inject({ method: 'GET', url: '/health' });
    t.deepEqual(health.json(), { status: 'ok', checks: { database: 'ok', engine: 'pglite' } });
  } finally {
    await service.stop();
  }

  service = await start(dir);
  try {
    const got = await service.app.inject({ method: 'GET', url: `/api/v1/accounts/${ID}` });
    t.is(got.statusCode, 200);
    t.like(got.json().data, { bank_reported_balance: '1150.20', ledger_balance: '1000.00', account_type: 'client_funds' });
    const list = (await service.app.inject({ method: 'GET', url: '/api/v1/accounts' })).json();
    t.deepEqual(list.data.map((a: { id: string }) => a.id), [ID]);
    // After the restart the same bytes are still duplicates (the journal remembers, not the process).
    const third = await service.app.inject(xml(camt054('NTF-1', [{ id: 'N1', iban: IBAN, entries: [
      { amount: '250.10', currency: 'EUR', direction: 'CRDT', ref: 'R1' },
      { amount: '0.15', currency: 'EUR', direction: 'CRDT', ref: 'R2' },
      { amount: '100.05', currency: 'EUR', direction: 'DBIT', ref: 'R3' },
    ] }])));
    t.is(third.json().data.messages[0].status, 'duplicate');
    t.is((await service.app.inject({ method: 'GET', url: `/api/v1/accounts/${ID}` })).json().data.bank_reported_balance, '1150.20');
  } finally {
    await service.stop();
  }
});
