// NATS JetStream intake of the running service (NATS_URL): connect, create deltran's streams and
// durable consumers (idempotent), then run the ingestion pipeline over the inbound durable
// (`DELTRAN_IN`/`ingest`, every `deltran.in.<type>` subject) until the service stops.
//
// Backpressure is the source's bound: at most `maxUnsettled` deliveries are pulled and unsettled in
// this process (a pull asks for the free slots only, at most `batchMax`), and the consumer's
// max_ack_pending caps all processes sharing the durable. A slow journal therefore slows the pulls;
// nothing queues without bound.
//
// Poison ends in the dead-letter table either way: what the pipeline judges unreadable is written
// there before it is termed; what the server gives up on after max_deliver (a message that kept
// failing transiently, or never settled in time) is reported by the MAX_DELIVERIES advisory and
// written here, with the bytes fetched back from the stream. If that write fails the message is
// still in the stream until its max age (7 days) and the error log names its sequence.
//
// Stop: close the source (no new pulls), let the deliveries in flight settle (their acks need the
// connection), finish the poison writes, then drain the connection. The actors and the journal are
// stopped after this, by the service.

import type { NatsConnection } from '@nats-io/transport-node';
import { jetstreamManager } from '@nats-io/jetstream';
import type { IngestOptions, IngestReport } from '../../streams/ingest/pipeline.ts';
import { RunningIntake, type IntakeLog } from '../../streams/ingest/run.ts';
import type { PoisonReport } from '../../streams/source.ts';
import { connectNats } from './connection.ts';
import { JetStreamSource } from './jetstream-source.ts';
import { DEFAULT_TUNING, ensureStreams, type ConsumerTuning } from './streams.ts';
import { streamName, streamSpec } from './subjects.ts';

export interface NatsIntakeOptions {
  readonly url: string;
  /** Prefix of stream names and subjects (tests, side-by-side installs); default ''. */
  readonly namespace?: string | undefined;
  readonly tuning?: Partial<ConsumerTuning> | undefined;
  /** Deliveries pulled and unsettled in this process (default 1,024; ≤ max_ack_pending). */
  readonly maxUnsettled?: number | undefined;
  /** Largest pull (default 256). */
  readonly batchMax?: number | undefined;
  /**
   * Deliveries through the pipeline at once; default all the source may hold (`maxUnsettled`).
   * Fewer only leaves pulled deliveries waiting in the source and the journal's batches small:
   * 64 ran bench/ingest at ~63% of the rate of 1,024 (5,254 against 8,324 msgs/s, same run).
   */
  readonly concurrency?: number | undefined;
  /** How long an idle pull waits, ms (default 5,000); also bounds how long stop waits for it. */
  readonly pullExpiresMs?: number | undefined;
  /** How long stop waits for deliveries in flight, ms (default 30,000). */
  readonly drainTimeoutMs?: number | undefined;
  readonly connectTimeoutMs?: number | undefined;
  /** -1 (default): reconnect forever. */
  readonly maxReconnectAttempts?: number | undefined;
}

export interface NatsIntakeDeps {
  readonly ingest: IngestOptions;
  readonly log: IntakeLog;
  readonly onReport?: ((report: IngestReport) => void) | undefined;
  readonly onPoison?: ((report: PoisonReport) => void) | undefined;
}

const INBOUND = streamSpec('DELTRAN_IN');

export class NatsIntake {
  /** Poison reports by reason, and the MAX_DELIVERIES ones that could not be dead-lettered. */
  readonly poison = { term: 0, max_deliveries: 0, lost: 0 };
  #connected = true;
  #stopping: Promise<void> | undefined;
  readonly #writes = new Set<Promise<void>>();
  #running: RunningIntake | undefined;

  /** Connects, ensures the streams and starts pulling. Rejects (and cleans up) when any step fails. */
  static async start(options: NatsIntakeOptions, deps: NatsIntakeDeps): Promise<NatsIntake> {
    const nc = await connectNats(options.url, {
      name: 'deltran-intake',
      ...(options.connectTimeoutMs === undefined ? {} : { connectTimeoutMs: options.connectTimeoutMs }),
      ...(options.maxReconnectAttempts === undefined ? {} : { maxReconnectAttempts: options.maxReconnectAttempts }),
    });
    try {
      const namespace = options.namespace ?? '';
      const tuning = { ...DEFAULT_TUNING, ...options.tuning };
      const report = await ensureStreams(await jetstreamManager(nc), { namespace, tuning });
      deps.log.info({ ...report, url: options.url }, 'NATS streams ensured');
      const maxUnsettled = Math.min(options.maxUnsettled ?? 1_024, tuning.maxAckPending);
      const intake = new NatsIntake(nc, deps, options.drainTimeoutMs ?? 30_000);
      const source = await JetStreamSource.open(nc, {
        stream: streamName(INBOUND.name, namespace),
        consumer: INBOUND.consumers[0]!.durable,
        maxUnsettled,
        batchMax: Math.min(options.batchMax ?? 256, maxUnsettled, tuning.maxBatch),
        pullExpiresMs: options.pullExpiresMs ?? 5_000,
        onPoison: (p) => intake.#poison(p),
        onError: (err) => deps.log.warn({ err }, 'NATS pull failed; pulling again'),
      });
      intake.#running = new RunningIntake(source, { ...deps.ingest, concurrency: options.concurrency ?? maxUnsettled }, deps);
      return intake;
    } catch (err) {
      await nc.close().catch(() => undefined);
      throw err;
    }
  }

  private constructor(readonly nc: NatsConnection, private readonly deps: NatsIntakeDeps, private readonly drainTimeoutMs: number) {
    void this.#watchStatus();
  }

  /** `ok` while connected and pulling; `down` while disconnected, or once the intake died. */
  readiness(): 'ok' | 'down' {
    return this.#connected && !this.nc.isClosed() && this.#running?.running === true ? 'ok' : 'down';
  }

  get counts(): RunningIntake['counts'] | undefined {
    return this.#running?.counts;
  }

  stop(): Promise<void> {
    return (this.#stopping ??= (async () => {
      const drained = await this.#running?.stop(this.drainTimeoutMs);
      if (drained === 'timeout') this.deps.log.warn({}, 'NATS intake: deliveries still unsettled at stop; the server redelivers them');
      await Promise.allSettled([...this.#writes]);
      await this.nc.drain().catch(() => this.nc.close());
    })());
  }

  #poison(p: PoisonReport): void {
    this.poison[p.reason]++;
    this.deps.onPoison?.(p);
    if (p.reason === 'term') {
      // The pipeline wrote the dead letter before it termed: nothing more to keep.
      this.deps.log.warn({ source: p.source, delivery: p.id, subject: p.subject }, 'poison termed (dead-lettered)');
      return;
    }
    const write = this.#deadLetterGivenUp(p).finally(() => this.#writes.delete(write));
    this.#writes.add(write);
  }

  async #deadLetterGivenUp(p: PoisonReport): Promise<void> {
    const what = { source: p.source, delivery: p.id, subject: p.subject, deliveries: p.deliveryCount };
    try {
      const id = await this.deps.ingest.deadLetters.record({
        source: p.source,
        raw: p.data ?? new Uint8Array(0),
        contentType: 'application/xml',
        errors: [{
          code: 'MAX_DELIVERIES',
          message: `the server gave up after ${p.deliveryCount} deliveries (never acknowledged: failing, or not settled within ack_wait)`,
          delivery: p.id,
          subject: p.subject,
          bytesFetched: p.data !== undefined,
        }],
      });
      this.deps.log.error({ ...what, deadLetter: id }, 'NATS gave up on a message: dead-lettered');
    } catch (err) {
      this.poison.lost++;
      this.deps.log.error({ ...what, err }, 'NATS gave up on a message and its dead letter failed: it is still in the stream until max age');
    }
  }

  async #watchStatus(): Promise<void> {
    for await (const s of this.nc.status()) {
      if (s.type === 'disconnect') {
        this.#connected = false;
        this.deps.log.warn({ server: s.server }, 'NATS disconnected; reconnecting');
      } else if (s.type === 'reconnect') {
        this.#connected = true;
        this.deps.log.info({ server: s.server }, 'NATS reconnected');
      } else if (s.type === 'close') {
        this.#connected = false;
      }
    }
  }
}
