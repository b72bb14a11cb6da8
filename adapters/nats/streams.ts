// deltran creates its own JetStream streams and durable pull consumers at start, from the table in
// `subjects.ts`, so a fresh NATS server needs no manual setup and a changed table is applied on the
// next start. It is idempotent: what exists with the same configuration is left alone, what
// differs in an editable field is updated, what is missing is created. A difference the server
// cannot apply in place (storage, retention) fails loudly: that is a migration for an operator.
//
// Every stream and consumer option is set explicitly (see the research notes: the server's and
// the client's defaults have moved before, and max_ack_pending = 1,000 by default is exactly the
// kind of limit that must be chosen, not inherited).

import assert from 'node:assert/strict';
import {
  AckPolicy, DeliverPolicy, DiscardPolicy, JetStreamApiCodes, JetStreamApiError, ReplayPolicy, RetentionPolicy, StorageType,
  type ConsumerConfig, type JetStreamManager, type StreamConfig,
} from '@nats-io/jetstream';
import { nanos } from '@nats-io/transport-node';
import { STREAMS, ns, streamName, type ConsumerSpec, type StreamSpec } from './subjects.ts';

/** The knobs of a durable pull consumer. Tests shorten the times; the service uses the defaults. */
export interface ConsumerTuning {
  /** Redelivery when a delivery is neither acked nor nak'd in time (also backoff[0]). */
  readonly ackWaitMs: number;
  /** Deliveries at most; then the server gives up and publishes a MAX_DELIVERIES advisory. */
  readonly maxDeliver: number;
  /** Redelivery delays after missed ack deadlines, one per attempt (the last one repeats). */
  readonly backoffMs: readonly number[];
  /** Server-side bound on unacked messages across all processes sharing the durable. */
  readonly maxAckPending: number;
  /** Largest pull request the server accepts (our sources ask for at most their free slots). */
  readonly maxBatch: number;
}

export const DEFAULT_TUNING: ConsumerTuning = {
  ackWaitMs: 30_000,
  maxDeliver: 10,
  // 30 s, 1 min, 2 min, 5 min, 10 min...: a database outage of several minutes is retried
  // without burning the 10 deliveries in seconds.
  backoffMs: [30_000, 60_000, 120_000, 300_000, 600_000],
  maxAckPending: 4_096,
  maxBatch: 1_024,
};

export interface EnsureOptions {
  /** Prefix for stream names and subjects (tests); '' in production. */
  readonly namespace?: string;
  readonly tuning?: Partial<ConsumerTuning>;
  /** Only these streams (un-namespaced names); default all. */
  readonly only?: readonly string[];
}

export interface EnsureReport {
  readonly created: string[];
  readonly updated: string[];
  readonly unchanged: string[];
}

export async function ensureStreams(jsm: JetStreamManager, options: EnsureOptions = {}): Promise<EnsureReport> {
  const namespace = options.namespace ?? '';
  assert.ok(/^[a-z0-9]*$/.test(namespace), `namespace must be lowercase letters and digits, got ${namespace}`);
  const tuning = { ...DEFAULT_TUNING, ...options.tuning };
  const report: EnsureReport = { created: [], updated: [], unchanged: [] };
  for (const spec of STREAMS) {
    if (options.only !== undefined && !options.only.includes(spec.name)) continue;
    const config = streamConfig(spec, namespace);
    record(report, `stream ${config.name}`, await ensureStream(jsm, config));
    for (const consumer of spec.consumers) {
      const cc = consumerConfig(consumer, namespace, tuning);
      record(report, `consumer ${config.name}/${consumer.durable}`, await ensureConsumer(jsm, config.name, cc));
    }
  }
  return report;
}

export function streamConfig(spec: StreamSpec, namespace = ''): StreamConfig {
  return {
    name: streamName(spec.name, namespace),
    subjects: spec.subjects.map((s) => ns(namespace, s)),
    description: spec.description,
    retention: RetentionPolicy.Limits,
    storage: StorageType.File,
    num_replicas: 1,
    max_age: nanos(spec.maxAgeMs),
    max_msgs: -1,
    max_bytes: -1,
    max_msgs_per_subject: -1,
    // The server's max_payload (1 MB by default) is the real limit; -1 defers to it.
    max_msg_size: -1,
    max_consumers: -1,
    discard: DiscardPolicy.Old,
    discard_new_per_subject: false,
    // Publishes carrying the same Nats-Msg-Id within 2 minutes are stored once.
    duplicate_window: nanos(120_000),
    deny_delete: false,
    deny_purge: false,
    allow_rollup_hdrs: false,
    allow_direct: false,
    mirror_direct: false,
    sealed: false,
  } as StreamConfig;
}

export function consumerConfig(spec: ConsumerSpec, namespace: string, tuning: ConsumerTuning): ConsumerConfig {
  assert.ok(tuning.backoffMs.length >= 1 && tuning.backoffMs.length < tuning.maxDeliver, 'backoff needs 1..max_deliver-1 steps');
  // The server replaces ack_wait by backoff[0] when a backoff is set; saying so here keeps both honest.
  assert.equal(tuning.backoffMs[0], tuning.ackWaitMs, 'backoff[0] must equal ack_wait');
  return {
    durable_name: spec.durable,
    description: spec.description,
    filter_subject: ns(namespace, spec.filter),
    ack_policy: AckPolicy.Explicit,
    ack_wait: nanos(tuning.ackWaitMs),
    max_deliver: tuning.maxDeliver,
    backoff: tuning.backoffMs.map(nanos),
    max_ack_pending: tuning.maxAckPending,
    deliver_policy: DeliverPolicy.All,
    replay_policy: ReplayPolicy.Instant,
    max_waiting: 512,
    max_batch: tuning.maxBatch,
    max_expires: nanos(60_000),
    headers_only: false,
    mem_storage: false,
    num_replicas: 0,
  };
}

type Change = 'created' | 'updated' | 'unchanged';

async function ensureStream(jsm: JetStreamManager, config: StreamConfig): Promise<Change> {
  const info = await jsm.streams.info(config.name).catch(notFound(JetStreamApiCodes.StreamNotFound));
  if (info === undefined) {
    await jsm.streams.add(config);
    return 'created';
  }
  if (sameIn(config, info.config)) return 'unchanged';
  await jsm.streams.update(config.name, config);
  return 'updated';
}

async function ensureConsumer(jsm: JetStreamManager, stream: string, config: ConsumerConfig): Promise<Change> {
  const name = config.durable_name;
  assert.ok(name !== undefined);
  const info = await jsm.consumers.info(stream, name).catch(notFound(JetStreamApiCodes.ConsumerNotFound));
  if (info === undefined) {
    await jsm.consumers.add(stream, config);
    return 'created';
  }
  if (sameIn(config, info.config)) return 'unchanged';
  await jsm.consumers.update(stream, name, config);
  return 'updated';
}

function notFound(code: number): (err: unknown) => undefined {
  return (err) => {
    if (err instanceof JetStreamApiError && err.code === code) return undefined;
    throw err;
  };
}

/** Every field we set has the same value on the server (fields we do not set are ignored). */
function sameIn(wanted: object, actual: object): boolean {
  const have = actual as Record<string, unknown>;
  return Object.entries(wanted).every(([k, v]) => JSON.stringify(normal(v)) === JSON.stringify(normal(have[k])));
}

// The server omits empty/false fields in its answers; treat absent as the zero value we sent.
function normal(v: unknown): unknown {
  if (v === undefined || v === false || v === 0 || v === '') return null;
  if (Array.isArray(v) && v.length === 0) return null;
  return v;
}

function record(report: EnsureReport, what: string, change: Change): void {
  report[change].push(what);
}
