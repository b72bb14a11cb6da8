// Goal: the running service's JetStream intake, end to end against the real nats-server: a camt.054
// published on the inbound subject moves the balance once; the same message published twice (and
// re-sent after the duplicate window, under another Nats-Msg-Id) still once; a message received and
// never acknowledged by a process that died is redelivered to the restarted service; a graceful stop
// in the middle of a stream loses and doubles nothing; an unreadable message ends in the dead-letter
// table without holding up the messages behind it; a message the server gives up on (max_deliver)
// is dead-lettered too. Method: startService on PGlite in a temp directory with the NATS intake in
// the test's namespace (its own streams and durable), short ack_wait (1 s); balances read through
// the HTTP API and computed here from the entries the test publishes.

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import test, { type ExecutionContext } from 'ava';
import BigNumber from 'bignumber.js';
import { NatsIntake, type NatsIntakeOptions } from '../../../adapters/nats/intake.ts';
import { JetStreamPublisher } from '../../../adapters/nats/jetstream-publisher.ts';
import { JetStreamSource } from '../../../adapters/nats/jetstream-source.ts';
import { inboundSubject } from '../../../adapters/nats/subjects.ts';
import { startService, type Service } from '../../../adapters/service.ts';
import type { ConsumerTuning } from '../../../adapters/nats/streams.ts';
import type { DeadLetterInput } from '../../../adapters/db/dead-letters.ts';
import { camt054 } from '../../streams/ingest/camt.ts';
import { FAST, natsTest, NATS_URL, within, type Env } from './harness.ts';

const IBAN = 'GB33BUKB20201555555555';

function dataDir(t: ExecutionContext): string {
  const dir = mkdtempSync(join(tmpdir(), 'deltran-nats-intake-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

function start(dir: string, env: Env, extra: Partial<NatsIntakeOptions> = {}, tuning: ConsumerTuning = FAST): Promise<Service> {
  return startService({
    host: '127.0.0.1', port: 0, dataDir: dir, databaseUrl: '', logger: false,
    intake: {
      natsUrl: NATS_URL, inboxDir: false, redisUrl: false,
      nats: { namespace: env.namespace, tuning, pullExpiresMs: 1_000, maxReconnectAttempts: 0, drainTimeoutMs: 10_000, ...extra },
    },
  });
}

async function openAccount(service: Service): Promise<string> {
  const res = await service.app.inject({ method: 'POST', url: '/api/v1/accounts', payload: {
    bank_id: 'BUKBGB22', account_number: '20201555555555', iban: IBAN, currency: 'GBP', country_code: 'GB',
    account_type: 'client_funds', ledger_balance: '0.00', bank_reported_balance: '0.00',
  } });
  if (res.statusCode !== 201) throw new Error(res.body);
  return res.json().data.id as string;
}

async function balance(service: Service, id: string): Promise<string> {
  return (await service.app.inject({ method: 'GET', url: `/api/v1/accounts/${id}` })).json().data.bank_reported_balance as string;
}

async function until<T>(what: string, f: () => Promise<T> | T, ok: (v: T) => boolean, ms = 20_000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await f();
    if (ok(v)) return v;
    if (Date.now() > end) throw new Error(`${what}: still ${JSON.stringify(v)} after ${ms} ms`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** One booked credit per message, amount i + 0.01 (so every message moves the sum differently). */
function credit(i: number): { xml: string; amount: string } {
  const amount = new BigNumber(i).plus('0.01').toFixed(2);
  return { amount, xml: camt054(`NATS-${i}`, [{ id: `N${i}`, iban: IBAN, entries: [{ amount, currency: 'GBP', direction: 'CRDT', ref: `NR${i}` }] }]) };
}

async function ackPending(env: Env): Promise<number> {
  const info = await env.jsm.consumers.info(env.stream, env.consumer);
  return info.num_ack_pending + info.num_pending;
}

natsTest('published once, twice, and re-sent under another id: the balance moves once; /health says NATS is up', FAST, async (t, env) => {
  const service = await start(dataDir(t), env);
  try {
    const id = await openAccount(service);
    const publisher = new JetStreamPublisher(env.nc);
    const subject = inboundSubject('camt.054', env.namespace);
    const m = credit(41);
    t.false((await publisher.publish(subject, m.xml, { msgID: 'bank-A/NATS-41' })).duplicate);
    t.true((await publisher.publish(subject, m.xml, { msgID: 'bank-A/NATS-41' })).duplicate, 'the stream stores it once');
    await until('balance', () => balance(service, id), (b) => b === '41.01');
    // After the duplicate window a publisher retry gets a new stream message: the actors dedupe it.
    await publisher.publish(subject, m.xml, { msgID: 'bank-A/NATS-41/retry' });
    await until('consumed', () => ackPending(env), (n) => n === 0);
    t.is(await balance(service, id), '41.01');
    t.like(service.intakes.readiness(), { nats: 'ok' });
    const health = (await service.app.inject({ method: 'GET', url: '/health' })).json();
    t.deepEqual(health, { status: 'ok', checks: { database: 'ok', engine: 'pglite', nats: 'ok' } });
    const metrics = (await service.app.inject({ method: 'GET', url: '/metrics' })).body;
    t.regex(metrics, /deltran_messages_total\{source="nats",type="camt\.054",status="accepted"\} 1/);
    t.regex(metrics, /deltran_messages_total\{source="nats",type="camt\.054",status="duplicate"\} 1/);
    t.regex(metrics, /deltran_intake_ready\{intake="nats"\} 1/);
  } finally {
    await service.stop();
  }
});

natsTest('a message held unacknowledged by a process that died is redelivered to the restarted service', FAST, async (t, env) => {
  const dir = dataDir(t);
  let service = await start(dir, env);
  const id = await openAccount(service);
  await service.stop();

  const publisher = new JetStreamPublisher(env.nc);
  const m = credit(7);
  await publisher.publish(inboundSubject('camt.054', env.namespace), m.xml, { msgID: 'held' });
  // The "process that died": it received the message, never settled it, and its connection is gone.
  const doomed = await env.connect();
  const source = await JetStreamSource.open(doomed, { stream: env.stream, consumer: env.consumer, maxUnsettled: 4, pullExpiresMs: 1_000 });
  const got = await within(5_000, source[Symbol.asyncIterator]().next());
  t.not(got, 'timeout');
  if (got !== 'timeout') t.is(got.value?.id, 'held');
  await doomed.close();

  service = await start(dir, env);
  try {
    await until('redelivered and applied', () => balance(service, id), (b) => b === m.amount);
    const info = await env.jsm.consumers.info(env.stream, env.consumer);
    t.true(info.num_redelivered >= 1 || info.delivered.consumer_seq >= 2, 'it came back as a redelivery');
  } finally {
    await service.stop();
  }
});

natsTest('a graceful stop in the middle of a stream, then a restart: every message once', FAST, async (t, env) => {
  const dir = dataDir(t);
  // A small bound, so the stop really comes while most of the stream is still on the server.
  const small = { maxUnsettled: 8, batchMax: 8, concurrency: 4 };
  let service = await start(dir, env, small);
  const id = await openAccount(service);
  const publisher = new JetStreamPublisher(env.nc);
  const subject = inboundSubject('camt.054', env.namespace);
  let expected = new BigNumber(0);
  const n = 300;
  for (let i = 0; i < n; i++) {
    const m = credit(i);
    expected = expected.plus(m.amount);
    await publisher.publish(subject, m.xml, { msgID: `s-${i}` });
  }
  // Stop while the consumer is part-way through (whatever it has pulled settles first).
  await until('some consumed', () => ackPending(env), (left) => left < n - 20);
  const stopping = Date.now();
  await service.stop();
  const left = await ackPending(env);
  t.log(`${n - left} of ${n} consumed before the stop, which took ${Date.now() - stopping} ms`);
  t.true(left > 0, 'stopped mid-stream');
  // Everything handed to the pipeline settled before the stop returned. What the server had sent
  // for the last pull request but the client had not received when the pull was stopped stays
  // ack-pending until ack_wait and is redelivered: at most one pull (8 here), never lost.
  const info = await env.jsm.consumers.info(env.stream, env.consumer);
  t.log(`ack-pending after the stop: ${info.num_ack_pending}`);
  t.true(info.num_ack_pending <= small.batchMax);

  service = await start(dir, env, small);
  try {
    await until('all consumed', () => ackPending(env), (x) => x === 0, 60_000);
    t.is(await balance(service, id), expected.toFixed(2));
  } finally {
    await service.stop();
  }
});

natsTest('an unreadable message is dead-lettered and does not hold up the messages behind it', FAST, async (t, env) => {
  const service = await start(dataDir(t), env);
  try {
    const id = await openAccount(service);
    const publisher = new JetStreamPublisher(env.nc);
    const truncated = credit(99).xml.slice(0, 300);
    await publisher.publish(inboundSubject('camt.054', env.namespace), truncated, { msgID: 'poison-1' });
    const behind = [credit(1), credit(2), credit(3)];
    for (const [i, m] of behind.entries()) await publisher.publish(inboundSubject('camt.054', env.namespace), m.xml, { msgID: `after-${i}` });
    await until('the messages behind it', () => balance(service, id), (b) => b === '6.03');
    const letters = (await service.app.inject({ method: 'GET', url: '/api/v1/dead-letters' })).json().data as { source: string; errors: { code: string }[] }[];
    t.is(letters.length, 1);
    t.is(letters[0]?.source, `nats:${env.stream}/ingest`);
    t.is(letters[0]?.errors[0]?.code, 'XML_MALFORMED');
    await until('consumed', () => ackPending(env), (x) => x === 0);
    t.like(service.intakes.readiness(), { nats: 'ok' });
    // Termed, not redelivered: three ack_waits later it is still one dead letter.
    await new Promise((r) => setTimeout(r, 3_000));
    t.is((await service.app.inject({ method: 'GET', url: '/api/v1/dead-letters' })).json().data.length, 1);
  } finally {
    await service.stop();
  }
});

natsTest('a message the server gives up on after max_deliver is dead-lettered with its bytes', { ...FAST, maxDeliver: 2 }, async (t, env) => {
  // The pipeline never gets an answer it may acknowledge: every delivery is nak'ed as a retry.
  const letters: DeadLetterInput[] = [];
  const log = { info: () => {}, warn: () => {}, error: () => {} };
  const intake = await NatsIntake.start(
    { url: NATS_URL, namespace: env.namespace, tuning: { ...FAST, maxDeliver: 2 }, pullExpiresMs: 1_000, maxReconnectAttempts: 0 },
    {
      log,
      ingest: {
        accounts: { send: async () => ({ status: 'retry', code: 'JOURNAL_FAILED', message: 'database down' }) },
        deadLetters: { record: async (l) => (letters.push(l), String(letters.length)) },
        nakDelayMs: 100,
      },
    },
  );
  try {
    const m = credit(5);
    await new JetStreamPublisher(env.nc).publish(inboundSubject('camt.054', env.namespace), m.xml, { msgID: 'never-durable' });
    await until('dead-lettered', () => letters.length, (x) => x >= 1, 15_000);
    t.is(letters.length, 1);
    t.like(letters[0], { source: `nats:${env.stream}/ingest` });
    t.is(new TextDecoder().decode(letters[0]!.raw), m.xml);
    t.like((letters[0]!.errors as { code: string }[])[0], { code: 'MAX_DELIVERIES' });
    t.like(intake.poison, { max_deliveries: 1, term: 0, lost: 0 });
    t.like(intake.counts, { retry: 2 });
  } finally {
    await intake.stop();
  }
});

test('a NATS that cannot be reached fails the start, and leaves nothing open behind it', async (t) => {
  const dir = dataDir(t);
  const failing = startService({
    host: '127.0.0.1', port: 0, dataDir: dir, databaseUrl: '', logger: false,
    intake: { natsUrl: 'nats://127.0.0.1:1', inboxDir: false, redisUrl: false, nats: { connectTimeoutMs: 1_000, maxReconnectAttempts: 0 } },
  });
  await t.throwsAsync(failing);
  // The PGlite directory was released: the service starts on it without NATS.
  const service = await startService({ host: '127.0.0.1', port: 0, dataDir: dir, databaseUrl: '', logger: false, intake: { natsUrl: false, inboxDir: false, redisUrl: false } });
  t.deepEqual((await service.app.inject({ method: 'GET', url: '/health' })).json().checks, { database: 'ok', engine: 'pglite' });
  await service.stop();
});
