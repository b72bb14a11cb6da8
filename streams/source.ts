// The one shape every input of deltran takes (files, HTTP, NATS JetStream, Kafka), so the ingestion
// pipeline is written once: bytes in, and a verdict back to whoever sent them. A Source is an async
// iterable of Deliveries that deltran pulls at its own pace; it never holds more than
// `maxUnsettled` deliveries that are handed out (or buffered for handing out) and not yet settled.
// That bound is the backpressure: a slow journal makes the pipeline settle slowly, the source stops
// pulling, and the broker keeps the rest (JetStream's max_ack_pending, Kafka's uncommitted offset).
// `from(source)` in RxJS drains eagerly, but that is harmless here: `next()` itself waits.
//
// The settle contract (each adapter maps it to its broker):
// - `settle('ack')` only after the message's effect is durable (journal committed, or the message
//   recorded as a duplicate of something durable). An ack before that loses the message on a crash.
// - `settle({ nak: delayMs })` for a transient failure (database down, journal queue full): the
//   broker delivers it again after at least `delayMs`. Nothing about the message is kept.
// - `settle('term')` for poison (unreadable, invalid): it will not get better by retrying. The
//   caller writes it to the dead-letter table FIRST and terms it after that write is durable, so a
//   crash in between redelivers it instead of losing it. The adapter reports every term to its
//   `onPoison` callback as well (metrics, logs).
// - settle is called exactly once per delivery. A second call is a programming error and throws
//   synchronously (an AssertionError), whatever the outcome of the first.
// - Delivery is at-least-once: the same `id` can come again (redelivery after a crash, a missed ack
//   deadline, an unconfirmed ack lost on the wire, a nak). The pipeline's dedupe by `id` and the
//   journal's unique message identity make the second one change nothing.

import assert from 'node:assert/strict';

/** What became of a delivery. `nak` asks for redelivery after `delayMs` (≥ 0). */
export type Outcome = 'ack' | 'term' | { readonly nak: number };

export interface Delivery {
  /**
   * Stable identity across redeliveries, for dedupe: the publisher's Nats-Msg-Id, else
   * `stream:sequence` (NATS); `topic:partition:offset` (Kafka); a content hash (files, HTTP).
   */
  readonly id: string;
  /** Where it came from, for dead letters and metrics: `nats:DELTRAN_IN/ingest`, `kafka:topic`. */
  readonly source: string;
  /** The NATS subject or Kafka topic it was published on (for NATS it carries the message type). */
  readonly subject: string;
  /** Header names as sent; several values of one name are joined with ', '. */
  readonly headers: ReadonlyMap<string, string>;
  readonly data: Uint8Array;
  /** When this process received it (not when it was published). */
  readonly receivedAt: Date;
  /** 1 on the first delivery, n on the n-th (as far as the broker knows). */
  readonly deliveryCount: number;
  readonly redelivered: boolean;
  /**
   * See the contract above. Resolves when the verdict is handed to the broker's client: sent, not
   * necessarily confirmed (NATS acks are unconfirmed unless the adapter is asked to confirm them; a
   * lost ack means a redelivery, which the dedupe makes harmless). Rejects when it could not be sent.
   */
  settle(outcome: Outcome): Promise<void>;
}

export interface Source extends AsyncIterable<Delivery> {
  /** e.g. `nats:DELTRAN_IN/ingest`. */
  readonly name: string;
  /** The bound: deliveries handed out or buffered and not yet settled never exceed it. */
  readonly maxUnsettled: number;
  /** Deliveries handed out and not yet settled (what the bound counts, minus the buffered ones). */
  readonly unsettled: number;
  /**
   * Stops pulling: a pending `next()` ends the iteration. Deliveries already handed out can and
   * should still be settled; an unsettled one is redelivered by the broker later.
   */
  close(): Promise<void>;
}

/** Poison, as reported to a source's `onPoison` callback (after the dead letter was written). */
export interface PoisonReport {
  readonly source: string;
  readonly id: string;
  readonly subject: string;
  /** `term`: the pipeline judged it; `max_deliveries`: the broker gave up retrying it. */
  readonly reason: 'term' | 'max_deliveries';
  readonly deliveryCount: number;
  /** The bytes when the adapter has them (a max_deliveries report fetches them back). */
  readonly data?: Uint8Array | undefined;
}

export function assertOutcome(outcome: Outcome): void {
  if (outcome === 'ack' || outcome === 'term') return;
  assert.ok(typeof outcome === 'object' && outcome !== null, `settle: unknown outcome ${String(outcome)}`);
  assert.ok(Number.isSafeInteger(outcome.nak) && outcome.nak >= 0, `settle: nak delay must be a whole number of ms ≥ 0, got ${outcome.nak}`);
}

/**
 * Wraps an adapter's settle so it runs at most once and the slot it occupies is given back
 * whatever happens (an ack that fails is redelivered by the broker; the delivery is still done
 * from our side). Adapters build their Deliveries through this, so the contract holds everywhere.
 */
export function settleOnce(id: string, release: () => void, apply: (outcome: Outcome) => Promise<void>): (outcome: Outcome) => Promise<void> {
  let settled = false;
  return (outcome) => {
    // Synchronous throws: a double settle is a bug in the caller, not an operating error to log.
    assert.ok(!settled, `delivery ${id} settled twice: settle must be called exactly once`);
    assertOutcome(outcome);
    settled = true;
    let done: Promise<void>;
    try {
      done = apply(outcome);
    } catch (err) {
      release();
      return Promise.reject(err);
    }
    return done.finally(release);
  };
}

/**
 * A counting bound with waiters, shared by the adapters: `reserve(n)` takes slots before pulling
 * n messages, `release()` gives one back when a delivery settles (or a reserved message never
 * came). Several pullers may wait (Kafka partitions are pulled concurrently); a release wakes them
 * all and each checks again, which is cheap at the handful of waiters an adapter has.
 */
export class SlotBound {
  #held = 0;
  #waiters: (() => void)[] = [];
  #closed = false;

  constructor(readonly max: number) {
    assert.ok(Number.isSafeInteger(max) && max >= 1, `bound must be a whole number ≥ 1, got ${max}`);
  }

  get held(): number {
    return this.#held;
  }

  get free(): number {
    return this.max - this.#held;
  }

  /** Resolves when at least one slot is free, or the bound is closed (then `free` may be 0). */
  async waitFree(): Promise<void> {
    while (this.free === 0 && !this.#closed) {
      await new Promise<void>((resolve) => this.#waiters.push(resolve));
    }
  }

  reserve(n: number): void {
    assert.ok(Number.isSafeInteger(n) && n >= 1 && n <= this.free, `reserve ${n} with ${this.free} free`);
    this.#held += n;
  }

  release(n = 1): void {
    assert.ok(n >= 0 && n <= this.#held, `release ${n} with ${this.#held} held`);
    this.#held -= n;
    this.#wake();
  }

  close(): void {
    this.#closed = true;
    this.#wake();
  }

  #wake(): void {
    const waiters = this.#waiters;
    this.#waiters = [];
    for (const w of waiters) w();
  }
}
