// Runs the NATS adapter tests against the real nats-server of this machine (NATS_URL, else
// nats://127.0.0.1:4222). Every test gets its own namespace (`t<random>`), hence its own streams,
// subjects and durables, deleted after the test, so runs and concurrent test files never meet.
//
// NATS unreachable: in CI (CI set) every test fails, saying why; elsewhere they are skipped with a
// loud warning, so a laptop without NATS can still run the rest.

import { randomBytes } from 'node:crypto';
import test, { type ExecutionContext } from 'ava';
import type { NatsConnection } from '@nats-io/transport-node';
import { jetstreamManager, type JetStreamManager } from '@nats-io/jetstream';
import { connectNats, DEFAULT_NATS_URL } from '../../../adapters/nats/connection.ts';
import { ensureStreams, type ConsumerTuning } from '../../../adapters/nats/streams.ts';
import { STREAMS, streamName } from '../../../adapters/nats/subjects.ts';

export const NATS_URL = process.env['NATS_URL'] || DEFAULT_NATS_URL;

async function reachable(): Promise<string | null> {
  try {
    const nc = await connectNats(NATS_URL, { name: 'deltran-test-probe', connectTimeoutMs: 2_000, maxReconnectAttempts: 0 });
    await (await jetstreamManager(nc)).getAccountInfo();
    await nc.close();
    return null;
  } catch (err) {
    return (err as Error).message;
  }
}

const problem = await reachable();
if (problem !== null && !process.env['CI']) {
  console.warn(`\n*** NATS at ${NATS_URL} is unreachable (${problem}): the NATS adapter tests are SKIPPED. Set CI=1 to make that a failure. ***\n`);
}

export interface Env {
  readonly nc: NatsConnection;
  readonly jsm: JetStreamManager;
  readonly namespace: string;
  /** DELTRAN_IN with the namespace applied. */
  readonly stream: string;
  readonly consumer: 'ingest';
  /** A new connection (for restart tests); closed at teardown. */
  connect(): Promise<NatsConnection>;
}

/** Short times so redelivery tests take seconds; backoff[0] = ack_wait as the adapter requires. */
export const FAST: ConsumerTuning = { ackWaitMs: 1_000, maxDeliver: 5, backoffMs: [1_000], maxAckPending: 1_024, maxBatch: 1_024 };

export function natsTest(title: string, tuning: ConsumerTuning, body: (t: ExecutionContext, env: Env) => Promise<void>): void {
  if (problem !== null && !process.env['CI']) {
    test.skip(title, () => {});
    return;
  }
  test.serial(title, async (t) => {
    if (problem !== null) {
      t.fail(`NATS at ${NATS_URL} is unreachable in CI: ${problem}`);
      return;
    }
    const namespace = `t${randomBytes(5).toString('hex')}`;
    const connections: NatsConnection[] = [];
    const connect = async (): Promise<NatsConnection> => {
      const nc = await connectNats(NATS_URL, { name: `deltran-test-${namespace}`, maxReconnectAttempts: 0 });
      connections.push(nc);
      return nc;
    };
    const nc = await connect();
    const jsm = await jetstreamManager(nc);
    t.teardown(async () => {
      const admin = await connectNats(NATS_URL, { name: 'deltran-test-cleanup', maxReconnectAttempts: 0 });
      const jsmAdmin = await jetstreamManager(admin);
      for (const s of STREAMS) await jsmAdmin.streams.delete(streamName(s.name, namespace)).catch(() => false);
      await admin.close();
      for (const c of connections) await c.close().catch(() => {});
    });
    await ensureStreams(jsm, { namespace, tuning, only: ['DELTRAN_IN'] });
    await body(t, { nc, jsm, namespace, stream: streamName('DELTRAN_IN', namespace), consumer: 'ingest', connect });
  });
}

export function within<T>(ms: number, p: Promise<T>): Promise<T | 'timeout'> {
  return Promise.race([p, new Promise<'timeout'>((r) => setTimeout(() => r('timeout'), ms))]);
}

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
