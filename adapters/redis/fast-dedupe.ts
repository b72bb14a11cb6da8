// The fast-path dedupe set in Redis (REDIS_URL), shared by every deltran process that points at
// the same Redis: `SET <prefix><sha256 of the bytes> <what> EX <ttl>` once a delivery's effect is
// durable, `GET` before routing the next one (the rules are in streams/ingest/fast-dedupe.ts).
//
// Redis is never allowed to matter for correctness, so every failure is a miss: the offline queue
// is off (a command while disconnected fails at once instead of piling up in memory), each command
// has a short timeout, and the client reconnects in the background forever. Failures are counted
// and logged on the transition only (down, then up again), so an outage is two log lines, not one
// per message. One connection with auto-pipelining: concurrent deliveries share round trips, and
// replies come back in command order, so deliveries still reach the actors in the order they
// started.
//
// TTL: duplicates come from redeliveries (ack_wait plus backoff, under an hour for 10 deliveries)
// and from publishers re-sending after a lost answer (minutes). One hour by default; every key
// costs about 200 bytes, so 1,000 messages/s sustained hold about 720 MB at that TTL. Choose it
// with REDIS_DEDUPE_TTL_S for the load at hand.

import assert from 'node:assert/strict';
import { Redis } from 'ioredis';
import type { FastDedupePort, Remembered } from '../../streams/ingest/fast-dedupe.ts';

export interface RedisDedupeOptions {
  readonly url: string;
  /** Key prefix; default `deltran:durable:`. Tests use one of their own. */
  readonly prefix?: string | undefined;
  /** Default 3,600. */
  readonly ttlS?: number | undefined;
  /** Per command, ms; default 250 (loopback round trips are ~60 µs). */
  readonly commandTimeoutMs?: number | undefined;
  /** Called when Redis goes down (with the error) and when it comes back (err null). */
  readonly onChange?: ((up: boolean, err: unknown) => void) | undefined;
  /** A command failed while connected (a timeout, a refusal); at most once a minute. */
  readonly onError?: ((err: unknown, failedSinceLast: number) => void) | undefined;
}

export interface DedupeCounts {
  /** Deliveries skipped as duplicates of something durable. */
  hit: number;
  miss: number;
  stored: number;
  /** Commands that failed (Redis down, slow or refusing): each one only cost speed. */
  error: number;
}

export class RedisFastDedupe implements FastDedupePort {
  readonly counts: DedupeCounts = { hit: 0, miss: 0, stored: 0, error: 0 };
  readonly #redis: Redis;
  readonly #prefix: string;
  readonly #ttlS: number;
  readonly #onChange: RedisDedupeOptions['onChange'];
  readonly #onError: RedisDedupeOptions['onError'];
  #up = false;
  #reportedAt = 0;
  #unreported = 0;

  constructor(options: RedisDedupeOptions) {
    this.#prefix = options.prefix ?? 'deltran:durable:';
    this.#ttlS = options.ttlS ?? 3_600;
    assert.ok(Number.isSafeInteger(this.#ttlS) && this.#ttlS >= 1, `dedupe TTL must be whole seconds ≥ 1, got ${this.#ttlS}`);
    this.#onChange = options.onChange;
    this.#onError = options.onError;
    this.#redis = new Redis(options.url, {
      connectionName: 'deltran-dedupe',
      enableOfflineQueue: false,
      enableAutoPipelining: true,
      commandTimeout: options.commandTimeoutMs ?? 250,
      connectTimeout: 2_000,
      // One attempt per command: a retry would only delay a delivery that can go the slow way.
      maxRetriesPerRequest: 0,
      retryStrategy: (times) => Math.min(times * 200, 5_000),
      lazyConnect: false,
    });
    this.#redis.on('ready', () => this.#mark(true, null));
    // Without a listener ioredis prints every connection error to the console.
    this.#redis.on('error', (err) => this.#mark(false, err));
    this.#redis.on('end', () => this.#mark(false, new Error('connection ended')));
  }

  /** Connected and ready to answer. */
  get up(): boolean {
    return this.#redis.status === 'ready';
  }

  async recall(digest: string): Promise<Remembered | null> {
    if (!this.up) return this.#failed(null);
    let value: string | null;
    try {
      value = await this.#redis.get(this.#prefix + digest);
    } catch (err) {
      return this.#failed(err);
    }
    const what = value === null ? null : decode(value);
    if (what === null) this.counts.miss++;
    else this.counts.hit++;
    return what;
  }

  async remember(digest: string, what: Remembered): Promise<void> {
    if (!this.up) return void this.#failed(null);
    try {
      await this.#redis.set(this.#prefix + digest, JSON.stringify(what), 'EX', this.#ttlS);
      this.counts.stored++;
    } catch (err) {
      this.#failed(err);
    }
  }

  async close(): Promise<void> {
    if (this.#redis.status === 'end') return;
    // quit waits for pending replies; when Redis is unreachable it cannot, so disconnect instead.
    if (this.#redis.status === 'ready') await this.#redis.quit().catch(() => this.#redis.disconnect());
    else this.#redis.disconnect();
  }

  /** err null: not connected (the connection events say so already). */
  #failed(err: unknown): null {
    this.counts.error++;
    if (err === null) return null;
    this.#unreported++;
    const now = Date.now();
    if (now - this.#reportedAt >= 60_000) {
      this.#onError?.(err, this.#unreported);
      this.#reportedAt = now;
      this.#unreported = 0;
    }
    return null;
  }

  #mark(up: boolean, err: unknown): void {
    if (up === this.#up) return;
    this.#up = up;
    this.#onChange?.(up, err);
  }
}

/** A value we cannot read (another version wrote it, or it was tampered with) is a miss. */
function decode(value: string): Remembered | null {
  try {
    const v = JSON.parse(value) as Remembered;
    return Array.isArray(v.messages) && Number.isSafeInteger(v.entries) ? v : null;
  } catch {
    return null;
  }
}
