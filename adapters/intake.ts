// The service's intake beyond HTTP, configured from options or the environment, in two steps so the
// service can keep its start and stop order:
//   open()  (before the HTTP server is built): the Redis fast-path dedupe (REDIS_URL), because the
//           HTTP route shares the same ingest options. Redis being down is not an error: it
//           reconnects in the background and every lookup meanwhile is a miss.
//   start() (once the server listens): NATS (NATS_URL: connect, ensure streams, pull the inbound
//           durable) and the watched inbox (INBOX_DIR; by default <DATA_DIR>/inbox when the
//           database is embedded PGlite). A NATS that cannot be reached fails the start: a wrong
//           NATS_URL must be noticed, not run around.
//   stop()  first in the service's shutdown: stop pulling and scanning, let what is in flight
//           settle, then close Redis. The actors, journal and database are stopped after it.

import { join } from 'node:path';
import { Counter, Gauge } from 'prom-client';
import type { FastDedupePort } from '../streams/ingest/fast-dedupe.ts';
import { InboxSource, type InboxOptions } from '../streams/ingest/inbox.ts';
import type { IngestOptions, IngestReport } from '../streams/ingest/pipeline.ts';
import { RunningIntake, type IntakeLog } from '../streams/ingest/run.ts';
import type { Metrics } from './http/metrics.ts';
import { NatsIntake, type NatsIntakeOptions } from './nats/intake.ts';
import { RedisFastDedupe, type RedisDedupeOptions } from './redis/fast-dedupe.ts';

export interface IntakeOptions {
  /** nats://host:port[,...]; default NATS_URL; false: no NATS intake whatever the environment says. */
  readonly natsUrl?: string | false | undefined;
  readonly nats?: Omit<NatsIntakeOptions, 'url'> | undefined;
  /** Default INBOX_DIR (`off` disables), else <DATA_DIR>/inbox with embedded PGlite; false: none. */
  readonly inboxDir?: string | false | undefined;
  readonly inbox?: Omit<InboxOptions, 'onError' | 'onMoved'> | undefined;
  /** redis://...; default REDIS_URL; false: no fast-path dedupe. */
  readonly redisUrl?: string | false | undefined;
  /** Key prefix and TTL (default REDIS_DEDUPE_TTL_S, else 3,600 s). */
  readonly redis?: Pick<RedisDedupeOptions, 'prefix' | 'ttlS' | 'commandTimeoutMs'> | undefined;
}

/** Where the service's database lives, which decides the inbox default. */
export interface DatabasePlace {
  readonly url?: string | undefined;
  readonly dataDir?: string | undefined;
}

const INBOX_OFF = 'off';

/** The inbox directory these options and this environment select, or null for none. */
export function inboxDirOf(options: IntakeOptions, db: DatabasePlace, env: NodeJS.ProcessEnv = process.env): string | null {
  if (options.inboxDir === false) return null;
  if (options.inboxDir !== undefined) return options.inboxDir;
  const fromEnv = env['INBOX_DIR'];
  if (fromEnv !== undefined && fromEnv !== '') return fromEnv === INBOX_OFF ? null : fromEnv;
  const dataDir = db.dataDir ?? './data';
  // Only an embedded deployment has a data directory of its own to put the inbox in.
  if (db.url || dataDir.startsWith('memory://')) return null;
  return join(dataDir, 'inbox');
}

function urlOf(option: string | false | undefined, name: string, env: NodeJS.ProcessEnv): string | null {
  if (option === false) return null;
  return option || env[name] || null;
}

export class Intakes {
  readonly fastDedupe: RedisFastDedupe | undefined;
  #log: IntakeLog | undefined;
  #metrics: Metrics | undefined;
  #nats: NatsIntake | undefined;
  #inbox: RunningIntake | undefined;
  #stopping: Promise<void> | undefined;

  static open(options: IntakeOptions = {}, db: DatabasePlace = {}, env: NodeJS.ProcessEnv = process.env): Intakes {
    return new Intakes(options, db, env);
  }

  private constructor(private readonly options: IntakeOptions, private readonly db: DatabasePlace, private readonly env: NodeJS.ProcessEnv) {
    const redisUrl = urlOf(options.redisUrl, 'REDIS_URL', env);
    if (redisUrl === null) return;
    const ttlEnv = env['REDIS_DEDUPE_TTL_S'];
    this.fastDedupe = new RedisFastDedupe({
      url: redisUrl,
      prefix: options.redis?.prefix ?? (env['REDIS_PREFIX'] || undefined),
      ttlS: options.redis?.ttlS ?? (ttlEnv ? Number(ttlEnv) : undefined),
      commandTimeoutMs: options.redis?.commandTimeoutMs,
      onChange: (up, err) => {
        if (up) this.#log?.info({ url: redisUrl }, 'Redis fast-path dedupe connected');
        else this.#log?.warn({ url: redisUrl, err }, 'Redis fast-path dedupe unavailable: every delivery takes the slow path (the journal still dedupes)');
      },
      onError: (err, failed) => this.#log?.warn({ err, failed }, 'Redis fast-path dedupe commands failing: taking the slow path'),
    });
  }

  /** What the ingest options of every intake (HTTP included) add: the fast-path dedupe. */
  get ingestExtras(): { readonly fastDedupe?: FastDedupePort } {
    return this.fastDedupe === undefined ? {} : { fastDedupe: this.fastDedupe };
  }

  /** Starts NATS and the inbox over `ingest` (which should include `ingestExtras`). */
  async start(ingest: IngestOptions, log: IntakeLog): Promise<void> {
    this.#log = log;
    const natsUrl = urlOf(this.options.natsUrl, 'NATS_URL', this.env);
    if (natsUrl !== null) {
      // NATS_NAMESPACE prefixes deltran's streams and subjects: two installs (or test runs) share one server.
      const namespace = this.options.nats?.namespace ?? (this.env['NATS_NAMESPACE'] || undefined);
      this.#nats = await NatsIntake.start({ ...this.options.nats, url: natsUrl, namespace }, {
        ingest, log, onReport: (r) => this.#count('nats', r),
        onPoison: (p) => {
          if (this.#metrics !== undefined) poisonCounter(this.#metrics).inc({ source: 'nats', reason: p.reason });
        },
      });
    }
    const dir = inboxDirOf(this.options, this.db, this.env);
    if (dir !== null) {
      const source = await InboxSource.open(dir, {
        ...this.options.inbox,
        onError: (err, path) => log.warn({ err, path }, 'inbox: file not taken or not moved; trying again later'),
        onMoved: (from, to, outcome) => log.info({ from, to, outcome }, 'inbox: file done'),
      });
      this.#inbox = new RunningIntake(source, { ...ingest, concurrency: ingest.concurrency ?? 4 }, { log, onReport: (r) => this.#count('inbox', r) });
      log.info({ dir: source.dir }, 'inbox: watching');
    }
  }

  /** Readiness of the intakes that are configured (health); the inbox is a directory, always ready. */
  readiness(): Record<string, 'ok' | 'down'> {
    const checks: Record<string, 'ok' | 'down'> = {};
    if (this.#nats !== undefined) checks['nats'] = this.#nats.readiness();
    if (this.fastDedupe !== undefined) checks['redis'] = this.fastDedupe.up ? 'ok' : 'down';
    return checks;
  }

  /** Registers the intakes' metrics on the HTTP server's registry. */
  instrument(metrics: Metrics): void {
    this.#metrics = metrics;
    poisonCounter(metrics);
    const dedupe = this.fastDedupe;
    if (dedupe !== undefined) {
      const seen = { hit: 0, miss: 0, stored: 0, error: 0 };
      new Counter({
        name: 'deltran_fast_dedupe_total',
        help: 'Redis fast-path dedupe: hit (skipped as durable), miss, stored, error (Redis down or slow: slow path taken)',
        labelNames: ['result'] as const,
        registers: [metrics.registry],
        collect() {
          for (const k of Object.keys(seen) as (keyof typeof seen)[]) {
            this.inc({ result: k }, dedupe.counts[k] - seen[k]);
            seen[k] = dedupe.counts[k];
          }
        },
      });
    }
    const readiness = () => this.readiness();
    new Gauge({
      name: 'deltran_intake_ready',
      help: 'Configured intakes: 1 when connected and running',
      labelNames: ['intake'] as const,
      registers: [metrics.registry],
      collect() {
        for (const [k, v] of Object.entries(readiness())) this.set({ intake: k }, v === 'ok' ? 1 : 0);
      },
    });
  }

  stop(): Promise<void> {
    return (this.#stopping ??= (async () => {
      const inboxDrained = this.#inbox?.stop();
      await Promise.allSettled([this.#nats?.stop(), inboxDrained]);
      await this.fastDedupe?.close();
    })());
  }

  #count(source: 'nats' | 'inbox', r: IngestReport): void {
    const m = this.#metrics;
    if (m === undefined) return;
    const status = statusOf(r);
    for (const msg of r.messages.length > 0 ? r.messages : [{ type: null }]) m.messages.inc({ source, type: msg.type ?? 'unknown', status });
    if (r.verdict === 'dead_lettered') for (const code of r.codes) m.rejections.inc({ code });
    for (const x of r.rejections) m.rejections.inc({ code: x.code });
  }
}

/** The same outcome words as the HTTP route (accepted, duplicate, rejected, retry). */
function statusOf(r: IngestReport): string {
  if (r.verdict === 'retry') return 'retry';
  const rejectedAll = r.verdict === 'dead_lettered' || (r.entries.rejected > 0 && r.entries.appended === 0 && r.entries.duplicate === 0);
  return rejectedAll ? 'rejected' : r.verdict === 'duplicate' ? 'duplicate' : 'accepted';
}

function poisonCounter(metrics: Metrics): Counter<'source' | 'reason'> {
  const existing = metrics.registry.getSingleMetric('deltran_poison_total');
  if (existing !== undefined) return existing as Counter<'source' | 'reason'>;
  return new Counter({
    name: 'deltran_poison_total',
    help: 'Messages given up on: termed after their dead letter, or abandoned by the broker after max_deliver',
    labelNames: ['source', 'reason'] as const,
    registers: [metrics.registry],
  });
}
