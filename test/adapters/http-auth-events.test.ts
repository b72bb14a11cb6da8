// Goal: two edges of the HTTP service. (1) Bearer tokens: a configured DELTRAN_API_TOKEN is
// required on every mutating request and nowhere else; a service asked to listen beyond loopback
// without a token refuses to start. (2) The actor event stream: GET /api/v1/actors/{id}/events
// sends each event of that actor, once durable, as Server-Sent Events with its journal sequence
// number, and an open stream does not stop the service from shutting down.
// Method: the real service on PGlite in a temp directory, listening on a free port; the SSE stream
// read over a real socket with fetch while a camt.054 goes in through HTTP.

import test from 'ava';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { checkExposure, isLoopback } from '../../adapters/http/auth.ts';
import { startService } from '../../adapters/service.ts';
import { camt054 } from '../streams/ingest/camt.ts';

const TOKEN = 'test-token-0123456789abcdef';
const IBAN = 'DE89370400440532013000';
const ID = '6f1c1f4e-2d1a-4b7e-9a51-1d2f3c4b5a69';
const ACCOUNT = {
  id: ID, bank_id: 'COBADEFF', account_number: '0532013000', iban: IBAN, currency: 'EUR', country_code: 'DE',
  account_type: 'client_funds', ledger_balance: '0.00', bank_reported_balance: '0.00',
};

test('loopback hosts and the exposure rule', (t) => {
  for (const h of ['127.0.0.1', '127.8.9.10', '::1', '[::1]', 'localhost', 'LOCALHOST']) t.true(isLoopback(h), h);
  for (const h of ['0.0.0.0', '::', '10.0.0.1', '192.168.1.2', 'example.com', '128.0.0.1']) t.false(isLoopback(h), h);
  t.notThrows(() => checkExposure('127.0.0.1', undefined));
  t.throws(() => checkExposure('0.0.0.0', undefined), { message: /DELTRAN_API_TOKEN/ });
  t.throws(() => checkExposure('0.0.0.0', ''), { message: /DELTRAN_API_TOKEN/ });
  t.throws(() => checkExposure('0.0.0.0', 'short'), { message: /at least 16/ });
  t.notThrows(() => checkExposure('0.0.0.0', TOKEN));
});

test.serial('a service beyond loopback without a token does not start', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'deltran-auth-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  await t.throwsAsync(startService({ host: '0.0.0.0', port: 0, dataDir: dir, databaseUrl: '', logger: false, apiToken: '' }), { code: 'API_TOKEN_REQUIRED' } as never);
});

test.serial('bearer token on mutations; event stream of one account', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'deltran-auth-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const service = await startService({ host: '127.0.0.1', port: 0, dataDir: dir, databaseUrl: '', logger: false, apiToken: TOKEN });
  let stopped = false;
  t.teardown(async () => {
    if (!stopped) await service.stop();
  });

  const open = (headers: Record<string, string>) => service.app.inject({ method: 'POST', url: '/api/v1/accounts', payload: ACCOUNT, headers });
  const none = await open({});
  t.is(none.statusCode, 401);
  t.like(none.json(), { success: false, code: 'UNAUTHORIZED', field: 'Authorization' });
  t.is(none.headers['www-authenticate'], 'Bearer realm="deltran"');
  t.is((await open({ authorization: `Bearer ${TOKEN}x` })).statusCode, 401);
  t.is((await open({ authorization: TOKEN })).statusCode, 401, 'a token without the Bearer scheme');
  const opened = await open({ authorization: `Bearer ${TOKEN}` });
  t.is(opened.statusCode, 201, opened.body);
  // Reads need no token.
  t.is((await service.app.inject({ method: 'GET', url: `/api/v1/accounts/${ID}` })).statusCode, 200);
  t.is((await service.app.inject({ method: 'GET', url: '/health' })).statusCode, 200);

  const actorId = `account:${IBAN}:EUR`;
  const controller = new AbortController();
  const res = await fetch(`${service.url}/api/v1/actors/${encodeURIComponent(actorId)}/events`, { signal: controller.signal });
  t.is(res.status, 200);
  t.regex(res.headers.get('content-type') ?? '', /^text\/event-stream/);
  const reader = res.body!.getReader();
  const decoder = new TextDecoder();
  let text = '';
  const readUntil = async (predicate: (s: string) => boolean) => {
    while (!predicate(text)) {
      const { value, done } = await reader.read();
      if (done) break;
      text += decoder.decode(value, { stream: true });
    }
  };
  await readUntil((s) => s.includes(': watching'));

  const notification = camt054('NTF-SSE-1', [{ id: 'N1', iban: IBAN, entries: [
    { amount: '250.10', currency: 'EUR', direction: 'CRDT', ref: 'R1' },
    { amount: '100.05', currency: 'EUR', direction: 'DBIT', ref: 'R2' },
  ] }]);
  const posted = await service.app.inject({ method: 'POST', url: '/api/v1/iso20022', headers: { 'content-type': 'application/xml', authorization: `Bearer ${TOKEN}` }, payload: notification });
  t.is(posted.statusCode, 200, posted.body);
  await readUntil((s) => (s.match(/^event: BankEntryBooked$/gm) ?? []).length >= 2);

  const events = text.split('\n\n').filter((block) => block.startsWith('id: ')).map((block) => {
    const fields = Object.fromEntries(block.split('\n').map((line) => [line.slice(0, line.indexOf(':')), line.slice(line.indexOf(':') + 2)]));
    return { id: Number(fields['id']), event: fields['event'], data: JSON.parse(fields['data']!) };
  });
  t.deepEqual(events.map((e) => e.event), ['BankEntryBooked', 'BankEntryBooked']);
  // The opening was seq 1; the two entries follow in order, with consecutive sequence numbers.
  t.deepEqual(events.map((e) => e.id), [2, 3]);
  t.like(events[0]!.data, { actor: actorId, seq: 2, event: { type: 'BankEntryBooked', entry: { amount: '250.1', direction: 'CRDT' } } });
  t.like(events[1]!.data, { seq: 3, event: { entry: { amount: '100.05', direction: 'DBIT' } } });
  // Amounts are the journal's exact decimal strings (no padding to minor units: the event, as stored).

  // The journal's group commit is measured: batches were flushed, each observed once, none failed.
  const scraped = (await service.app.inject({ method: 'GET', url: '/metrics' })).body;
  const flushed = Number(/^deltran_journal_flush_seconds_count\{result="ok"\} (\d+)$/m.exec(scraped)?.[1]);
  t.true(flushed >= 2, `flushes ${flushed}`);
  t.is(Number(/^deltran_journal_batch_events_count (\d+)$/m.exec(scraped)?.[1]), flushed);
  t.notRegex(scraped, /deltran_journal_flush_seconds_count\{result="failed"\} [1-9]/);
  t.regex(scraped, /^deltran_journal_queue_events 0$/m);

  // Shutdown with the stream still open: it is ended, not waited for.
  await service.stop();
  stopped = true;
  await readUntil(() => false);
  controller.abort();
  t.pass();
});
