// Goal: the Redis fast-path dedupe only ever saves work and never decides anything: a delivery is
// remembered only after its effect is durable and complete, is then skipped by any process sharing
// the Redis, and a Redis that is down or flushed leaves every outcome exactly as it was (the
// journal dedupes). Method: the real Redis of this machine with a key prefix per test; the pipeline
// with an accounts port whose outcome the test releases by hand (to look at Redis in between), and
// the real service over HTTP on PGlite for the flushed case. A Redis that is down is a closed port.

import test from 'ava';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AccountOutcome } from '../../../actors/account/actor.ts';
import type { AccountCommand } from '../../../actors/account/commands.ts';
import { RedisFastDedupe } from '../../../adapters/redis/fast-dedupe.ts';
import { startService } from '../../../adapters/service.ts';
import { digestOf } from '../../../streams/ingest/fast-dedupe.ts';
import { ingestDelivery, type IngestOptions } from '../../../streams/ingest/pipeline.ts';
import { camt054 } from '../../streams/ingest/camt.ts';
import { delivery } from '../../streams/ingest/support.ts';
import { eventually, REDIS_URL, redisTest } from './harness.ts';

const IBAN = 'DE89370400440532013000';
const APPENDED: AccountOutcome = { status: 'appended', seq: 1, events: [] };

/** An accounts port whose outcomes wait until the test releases them. */
function heldAccounts() {
  const sent: AccountCommand[] = [];
  let release!: (o: AccountOutcome) => void;
  const outcome = new Promise<AccountOutcome>((r) => (release = r));
  return { sent, release, port: { send: async (_id: string, c: AccountCommand) => (sent.push(c), outcome) } };
}

const deadLetters = { record: async () => '1' };
const notification = (msgId: string, ref: string) =>
  camt054(msgId, [{ id: `N-${msgId}`, iban: IBAN, entries: [{ amount: '10.00', currency: 'EUR', direction: 'CRDT', ref }] }]);

async function ready(dedupe: RedisFastDedupe): Promise<void> {
  if (!(await eventually(() => dedupe.up))) throw new Error('Redis did not become ready');
}

redisTest('remembered only once durable, then skipped by another process sharing the Redis', async (t, env) => {
  const a = new RedisFastDedupe({ url: REDIS_URL, prefix: env.prefix, ttlS: 60 });
  const b = new RedisFastDedupe({ url: REDIS_URL, prefix: env.prefix, ttlS: 60 });
  t.teardown(async () => Promise.all([a.close(), b.close()]));
  await Promise.all([ready(a), ready(b)]);
  const bytes = notification('FD-1', 'R1');
  const key = env.prefix + digestOf(new TextEncoder().encode(bytes));

  const held = heldAccounts();
  const first = ingestDelivery(delivery(bytes), { accounts: held.port, deadLetters, fastDedupe: a });
  t.true(await eventually(() => held.sent.length === 1), 'the entry reached the account');
  await new Promise((r) => setTimeout(r, 200));
  t.is(await env.redis.exists(key), 0, 'nothing remembered while the journal has not answered');
  held.release(APPENDED);
  t.like(await first, { verdict: 'applied', outcome: 'ack' });
  t.is(await env.redis.exists(key), 1);
  const ttl = await env.redis.ttl(key);
  t.true(ttl > 0 && ttl <= 60, `ttl ${ttl}`);

  // "Another process": b never saw the delivery, and skips it without sending anything.
  const other = heldAccounts();
  const again = await ingestDelivery(delivery(bytes, 2), { accounts: other.port, deadLetters, fastDedupe: b });
  t.like(again, { verdict: 'duplicate', outcome: 'ack', entries: { appended: 0, duplicate: 1, rejected: 0, retry: 0 } });
  t.deepEqual(again.messages, [{ type: 'camt.054', messageId: 'FD-1', routed: true }], 'the report still names the message');
  t.is(other.sent.length, 0, 'not routed');
  t.like(b.counts, { hit: 1 });
  t.like(a.counts, { miss: 1, stored: 1 });
});

redisTest('incomplete effects are never remembered: rejected entries, retries, unreadable, unrouted', async (t, env) => {
  const dedupe = new RedisFastDedupe({ url: REDIS_URL, prefix: env.prefix });
  t.teardown(() => dedupe.close());
  await ready(dedupe);
  const rejected: AccountOutcome = { status: 'rejected', rejection: { code: 'ACCOUNT_NOT_OPEN', message: 'no such account' } } as AccountOutcome;
  const retry: AccountOutcome = { status: 'retry', code: 'JOURNAL_BUSY', message: 'busy' };
  const cases: [string, string, AccountOutcome][] = [
    ['rejected', notification('FD-2', 'R2'), rejected],
    ['retry', notification('FD-3', 'R3'), retry],
    ['dead_lettered', '<Document><not-closed>', APPENDED],
    ['unrouted', '<?xml version="1.0"?><Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.056.001.08"><FIToFIPmtCxlReq/></Document>', APPENDED],
  ];
  for (const [what, bytes, outcome] of cases) {
    const options: IngestOptions = { accounts: { send: async () => outcome }, deadLetters, fastDedupe: dedupe };
    const report = await ingestDelivery(delivery(bytes), options);
    t.is(await env.redis.exists(env.prefix + digestOf(new TextEncoder().encode(bytes))), 0, `${what} (verdict ${report.verdict}) not remembered`);
  }
  t.is(dedupe.counts.stored, 0);
});

test('Redis down: every lookup is a miss at once, ingestion goes on, failures are counted', async (t) => {
  // Port 1 on loopback: nothing listens, connections are refused immediately.
  const changes: boolean[] = [];
  const dedupe = new RedisFastDedupe({ url: 'redis://127.0.0.1:1', onChange: (up) => changes.push(up) });
  t.teardown(() => dedupe.close());
  const held = heldAccounts();
  held.release(APPENDED);
  const started = Date.now();
  const report = await ingestDelivery(delivery(notification('FD-4', 'R4')), { accounts: held.port, deadLetters, fastDedupe: dedupe });
  t.like(report, { verdict: 'applied', outcome: 'ack' });
  t.true(Date.now() - started < 1_000, 'no waiting on a Redis that is not there');
  t.false(dedupe.up);
  t.like(dedupe.counts, { hit: 0, stored: 0, error: 2 });
  t.is(await dedupe.recall('x'), null);
});

redisTest('the service over HTTP: Redis hits, then Redis flushed, and the journal still says duplicate', async (t, env) => {
  const dir = mkdtempSync(join(tmpdir(), 'deltran-redis-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const service = await startService({
    host: '127.0.0.1', port: 0, dataDir: dir, databaseUrl: '', logger: false,
    intake: { natsUrl: false, inboxDir: false, redisUrl: REDIS_URL, redis: { prefix: env.prefix, ttlS: 600 } },
  });
  try {
    const dedupe = service.intakes.fastDedupe!;
    await ready(dedupe);
    const opened = await service.app.inject({ method: 'POST', url: '/api/v1/accounts', payload: {
      bank_id: 'COBADEFF', account_number: '0532013000', iban: IBAN, currency: 'EUR', country_code: 'DE',
      account_type: 'client_funds', ledger_balance: '0.00', bank_reported_balance: '100.00',
    } });
    t.is(opened.statusCode, 201, opened.body);
    const id = opened.json().data.id as string;
    const post = () => service.app.inject({ method: 'POST', url: '/api/v1/iso20022', headers: { 'content-type': 'application/xml' }, payload: notification('FD-5', 'R5') });
    const balance = async () => (await service.app.inject({ method: 'GET', url: `/api/v1/accounts/${id}` })).json().data.bank_reported_balance;

    t.is((await post()).json().data.messages[0].status, 'accepted');
    const second = (await post()).json().data.messages[0];
    t.like(second, { status: 'duplicate', type: 'camt.054', messageId: 'FD-5' });
    t.is(dedupe.counts.hit, 1, 'the second one was skipped by Redis');

    const keys = await env.redis.keys(`${env.prefix}*`);
    t.is(keys.length, 1);
    await env.redis.del(...keys);
    t.is((await post()).json().data.messages[0].status, 'duplicate', 'flushed: the journal is the authority');
    t.is(dedupe.counts.hit, 1);
    t.is(await balance(), '110.00');

    const health = (await service.app.inject({ method: 'GET', url: '/health' })).json();
    t.deepEqual(health, { status: 'ok', checks: { database: 'ok', engine: 'pglite', redis: 'ok' } });
    const metrics = (await service.app.inject({ method: 'GET', url: '/metrics' })).body;
    t.regex(metrics, /deltran_fast_dedupe_total\{result="hit"\} 1/);
    t.regex(metrics, /deltran_fast_dedupe_total\{result="stored"\} 2/);
  } finally {
    await service.stop();
  }
});

test('the service with its Redis down: health says degraded (still 200), HTTP ingestion is unchanged', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'deltran-redis-down-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const service = await startService({
    host: '127.0.0.1', port: 0, dataDir: dir, databaseUrl: '', logger: false,
    intake: { natsUrl: false, inboxDir: false, redisUrl: 'redis://127.0.0.1:1' },
  });
  try {
    const health = await service.app.inject({ method: 'GET', url: '/health' });
    t.is(health.statusCode, 200);
    t.deepEqual(health.json(), { status: 'degraded', checks: { database: 'ok', engine: 'pglite', redis: 'down' } });
    const post = () => service.app.inject({ method: 'POST', url: '/api/v1/iso20022', headers: { 'content-type': 'application/xml' }, payload: '<Document><x>' });
    t.is((await post()).statusCode, 422, 'dead-lettered as without Redis');
    t.true(service.intakes.fastDedupe!.counts.error >= 1);
  } finally {
    await service.stop();
  }
});
