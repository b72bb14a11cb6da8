// One crash run over NATS JetStream. The messages are published (at-least-once: a failed publish
// is retried under the same Nats-Msg-Id, which the stream dedupes) to the inbound camt.054 subject
// of a private nats-server started for this run, so the service's un-namespaced streams and
// durables (it takes no namespace from its environment) touch nothing shared. The service pulls
// them through its durable consumer; after a random number of deliveries settled by the current
// incarnation (read from its /metrics), plus 0-40 ms, it is SIGKILLed and restarted, `kills` times.
// Redelivery is then the broker's job: what a dead incarnation pulled and never acked comes back
// after ack_wait (30 s in the service's tuning, which its environment cannot change), so the run
// waits until the consumer has nothing pending or unacked. Then EVERYTHING is published once more
// under new message ids, drained again, and verified as over HTTP (verify.ts).

import type { ExecutionContext } from 'ava';
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { connect } from '@nats-io/transport-node';
import { jetstream, jetstreamManager, type JetStreamClient, type JetStreamManager } from '@nats-io/jetstream';
import { startChild, type RunningService } from './child.ts';
import { sleep } from './http-sender.ts';
import { plan as makePlan, rng, type Plan } from './load.ts';
import { openAccounts, serviceEnv, verify, type RunOptions, type RunReport } from './verify.ts';

/** README "Streams and subjects": inbound ISO 20022 by type; the durable `ingest` reads it. */
const SUBJECT = 'deltran.in.camt054';
const STREAM = 'DELTRAN_IN';
const CONSUMER = 'ingest';
const DRAIN_TIMEOUT_MS = 180_000;
const POLL_MS = 20;

export interface Broker {
  readonly url: string;
  stop(): Promise<void>;
}

/** The nats-server binary: NATS_SERVER_BIN, else on PATH or in /usr/sbin (Debian's package). */
export function natsServerBinary(): string | null {
  const fromEnv = process.env['NATS_SERVER_BIN'];
  if (fromEnv) return existsSync(fromEnv) ? fromEnv : null;
  const dirs = [...(process.env['PATH'] ?? '').split(delimiter), '/usr/sbin', '/usr/local/sbin'];
  for (const d of dirs) if (d !== '' && existsSync(join(d, 'nats-server'))) return join(d, 'nats-server');
  return null;
}

/** A private JetStream server on a free loopback port, storage in a temp directory. */
export async function startBroker(binary: string): Promise<Broker> {
  const dir = mkdtempSync(join(tmpdir(), 'deltran-crash-nats-'));
  const child = spawn(binary, ['-a', '127.0.0.1', '-p', '-1', '-js', '-sd', dir], { stdio: ['ignore', 'pipe', 'pipe'] });
  const orphan = () => child.kill('SIGKILL');
  // Killed with this test process if it ends first (a timeout): a broker must not outlive its test.
  process.once('exit', orphan);
  const exited = new Promise<void>((resolve) => child.once('exit', () => {
    process.off('exit', orphan);
    resolve();
  }));
  let seen = '';
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`nats-server did not listen within 10 s:\n${seen}`)), 10_000);
    const onData = (chunk: Buffer) => {
      seen = (seen + chunk.toString()).slice(-8_000);
      const m = /Listening for client connections on ([\d.]+:\d+)/.exec(seen);
      if (m === null) return;
      clearTimeout(timer);
      resolve(`nats://${m[1]!}`);
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    void exited.then(() => reject(new Error(`nats-server exited:\n${seen}`)));
  });
  return {
    url,
    stop: async () => {
      child.kill('SIGTERM');
      await exited;
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export async function runNatsScenario(t: ExecutionContext, o: RunOptions, broker: Broker): Promise<RunReport> {
  const started = Date.now();
  const timings: Record<string, number> = {};
  const lap = (name: string) => {
    timings[name] = Date.now() - started;
  };
  const plan = makePlan(o.seed, { accounts: o.accounts, messages: o.messages });
  const schedule = rng(o.seed ^ 0x2545f491);
  const where = `seed ${o.seed} (CRASH_SEED=${o.seed} replays the load and kill schedule)`;
  t.log(`${where}: ${plan.accounts.length} accounts, ${plan.messages.length} messages, ${plan.sends.length} publishes, ${o.kills} kills, ${o.engine.name}`);
  const { env, token } = serviceEnv({ ...o.engine.env, NATS_URL: broker.url });

  let service = await startChild(env);
  lap('first start');
  const nc = await connect({ servers: broker.url, name: 'deltran-crash-test', reconnect: false });
  try {
    const js = jetstream(nc, { timeout: 10_000 });
    const jsm = await jetstreamManager(nc);
    await openAccounts(service.url, token, plan);
    // The service created the stream and its durable at start. The producer publishes a share of
    // the sends per incarnation, as a live producer keeps producing: an incarnation pulls what is
    // there (up to its 1,024 unsettled) at once, so everything up front would leave the later
    // incarnations nothing but redeliveries to be killed on, each then waiting a longer backoff.
    const positions = plan.sends.map((_, i) => i);
    const chunk = Math.ceil(positions.length / (o.kills + 1));
    let published = 0;
    for (let k = 0; k < o.kills; k++) {
      const part = positions.slice(k * chunk, (k + 1) * chunk);
      published = Math.max(published, await publish(js, plan, part, '', o.inflight));
      const threshold = schedule.int(Math.ceil(part.length * 0.2), Math.ceil(part.length * 0.8));
      const delayMs = schedule.int(0, 40);
      const settled = await settledReaches(service, threshold, where);
      await sleep(delayMs);
      const backlog = await consumerState(jsm);
      await service.kill('SIGKILL');
      const exit = await service.exited;
      if (exit.signal !== 'SIGKILL') throw new Error(`incarnation ${k} ended by itself (${JSON.stringify(exit)}), ${where}:\n${service.tail()}`);
      t.log(`kill ${k + 1}: after ${settled} deliveries settled by this incarnation (+${delayMs} ms); consumer then: ${JSON.stringify(backlog)}`);
      service = await startChild(env);
      lap(`restart ${k + 1}`);
    }
    published = Math.max(published, await publish(js, plan, positions.slice(o.kills * chunk), '', o.inflight));
    lap('all published');
    await drained(jsm, service, published, where);
    lap('drained (redeliveries included)');
    t.log(`drained; consumer: ${JSON.stringify(await consumerState(jsm))}`);

    // At-least-once, the last round: everything again under new message ids (so the stream stores
    // it again and the service sees it again); it must change nothing.
    const total = await publish(js, plan, positions, ':again', o.inflight);
    lap('all published again');
    await drained(jsm, service, total, where);
    lap('drained again');

    await verify(t, service, plan, o.engine, where);
    lap('verified');
    t.log(`timings (ms since start): ${JSON.stringify(timings)}`);
    return { plan, timings };
  } finally {
    await nc.close().catch(() => undefined);
    await service.kill('SIGKILL');
  }
}

/**
 * Publishes these sends (a repeat under its own message id, so the stream keeps both and the
 * service's dedupe is what is tested) and resolves with the stream's last sequence.
 */
async function publish(js: JetStreamClient, plan: Plan, positions: readonly number[], round: string, inflight: number): Promise<number> {
  const queue = [...positions];
  let last = 0;
  const worker = async () => {
    for (let position = queue.shift(); position !== undefined; position = queue.shift()) {
      const m = plan.messages[plan.sends[position]!]!;
      for (let attempt = 1; ; attempt++) {
        try {
          const ack = await js.publish(SUBJECT, m.xml, { msgID: `${m.msgId}@${position}${round}`, timeout: 10_000 });
          last = Math.max(last, ack.seq);
          break;
        } catch (err) {
          // Same message id again: if the first one was stored, the stream answers duplicate.
          if (attempt >= 10) throw err;
          await sleep(100);
        }
      }
    }
  };
  await Promise.all(Array.from({ length: inflight }, worker));
  return last;
}

/** Deliveries this incarnation settled (any verdict), from its Prometheus counter. */
async function settledCount(service: RunningService): Promise<number> {
  const res = await fetch(`${service.url}/metrics`, { signal: AbortSignal.timeout(5_000) });
  const text = await res.text();
  let sum = 0;
  for (const m of text.matchAll(/^deltran_messages_total\{[^}]*source="nats"[^}]*\} (\d+)/gm)) sum += Number(m[1]);
  return sum;
}

/** Waits until the incarnation settled `threshold` deliveries. */
async function settledReaches(service: RunningService, threshold: number, where: string): Promise<number> {
  const deadline = Date.now() + DRAIN_TIMEOUT_MS;
  for (;;) {
    const n = await settledCount(service).catch(() => 0);
    if (n >= threshold) return n;
    if (Date.now() > deadline) throw new Error(`${n} of ${threshold} deliveries settled within ${DRAIN_TIMEOUT_MS} ms, ${where}:\n${service.tail()}`);
    await sleep(POLL_MS);
  }
}

interface ConsumerView {
  readonly pending: number;
  readonly ackPending: number;
  readonly redelivered: number;
  readonly deliveredStreamSeq: number;
  readonly ackFloorStreamSeq: number;
}

async function consumerState(jsm: JetStreamManager): Promise<ConsumerView> {
  const c = await jsm.consumers.info(STREAM, CONSUMER);
  return {
    pending: c.num_pending,
    ackPending: c.num_ack_pending,
    redelivered: c.num_redelivered,
    deliveredStreamSeq: c.delivered.stream_seq,
    ackFloorStreamSeq: c.ack_floor.stream_seq,
  };
}

/** Until every stored message up to `lastSeq` was delivered and acknowledged. */
async function drained(jsm: JetStreamManager, service: RunningService, lastSeq: number, where: string): Promise<void> {
  let exited = false;
  void service.exited.then(() => {
    exited = true;
  });
  const deadline = Date.now() + DRAIN_TIMEOUT_MS;
  for (;;) {
    if (exited) throw new Error(`the service died on its own, ${where}:\n${service.tail()}`);
    const c = await consumerState(jsm);
    if (c.pending === 0 && c.ackPending === 0 && c.ackFloorStreamSeq >= lastSeq) return;
    if (Date.now() > deadline) throw new Error(`not drained within ${DRAIN_TIMEOUT_MS} ms: ${JSON.stringify(c)}, ${where}`);
    await sleep(200);
  }
}
