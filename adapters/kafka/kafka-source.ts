// A Source over a Kafka consumer group (kafkajs), with the same settle contract as JetStream.
// Kafka has no per-message ack, only a committed offset per partition, so the mapping is:
// - 'ack': the offset is settled; the partition's commit point moves past it only when every
//   earlier delivered offset is settled too (`PartitionTracker`), then resolveOffset + commit.
// - 'term': the message is reported to `onPoison` (which records it; the pipeline wrote the dead
//   letter before) and then counts as settled, so the partition moves on.
// - { nak }: the partition stops handing out, waits for the deliveries before the nak'd offset,
//   commits them, pauses, and after the delay seeks back to the nak'd offset and resumes. Later
//   deliveries of that partition come again (at-least-once; dedupe by Delivery.id).
// eachBatch does not return before its handed-out deliveries are settled (or rewound): kafkajs
// fetches the next batch from the resolved offset, and resolveOffset is only valid inside it.
// The bound is a SlotBound shared by all partitions; autoCommit is off and every option is
// explicit (the v2 DefaultPartitioner, murmur2 as in Java, is named at the producer).

import assert from 'node:assert/strict';
import type { Consumer, EachBatchPayload, KafkaMessage } from 'kafkajs';
import { SlotBound, settleOnce, type Delivery, type Outcome, type PoisonReport, type Source } from '../../streams/source.ts';
import { PartitionTracker } from './offsets.ts';

export interface KafkaSourceOptions {
  readonly topics: readonly string[];
  readonly maxUnsettled: number;
  /** Partitions handled at once (each waits for its own batch to settle). Default 4. */
  readonly partitionsConsumedConcurrently?: number;
  readonly onPoison?: (report: PoisonReport) => void;
  readonly onError?: (err: unknown) => void;
}

export class KafkaSource implements Source {
  readonly name: string;
  readonly maxUnsettled: number;
  readonly #bound: SlotBound;
  readonly #queue: Delivery[] = [];
  #wake: (() => void) | undefined;
  #closed = false;
  #handedOut = 0;
  readonly #trackers = new Map<string, PartitionTracker>();

  /** `consumer` comes connected and subscribed (group id, session timeout set by the caller). */
  constructor(readonly consumer: Consumer, readonly options: KafkaSourceOptions) {
    this.name = `kafka:${options.topics.join(',')}`;
    this.maxUnsettled = options.maxUnsettled;
    this.#bound = new SlotBound(options.maxUnsettled);
  }

  get unsettled(): number {
    return this.#handedOut;
  }

  /** Starts the group's fetch loop; deliveries then come out of the iterator. */
  async start(): Promise<void> {
    await this.consumer.run({
      autoCommit: false,
      eachBatchAutoResolve: false,
      partitionsConsumedConcurrently: this.options.partitionsConsumedConcurrently ?? 4,
      eachBatch: (payload) => this.eachBatch(payload),
    });
  }

  async *[Symbol.asyncIterator](): AsyncIterator<Delivery> {
    while (true) {
      const d = this.#queue.shift();
      if (d !== undefined) {
        yield d;
        continue;
      }
      if (this.#closed) return;
      await new Promise<void>((r) => (this.#wake = r));
    }
  }

  async close(): Promise<void> {
    this.#closed = true;
    this.#bound.close();
    this.#wake?.();
    await this.consumer.stop();
  }

  /** Public for the tests with a fake consumer; kafkajs calls it per partition batch. */
  async eachBatch(payload: EachBatchPayload): Promise<void> {
    const { batch } = payload;
    const key = `${batch.topic}:${batch.partition}`;
    const tracker = this.#trackers.get(key) ?? new PartitionTracker();
    this.#trackers.set(key, tracker);
    let settledSignal: () => void = () => {};
    const onSettle = (): void => settledSignal();
    for (const message of batch.messages) {
      if (this.#closed || !payload.isRunning() || payload.isStale() || tracker.rewindTo !== undefined) break;
      await this.#bound.waitFree();
      if (this.#closed) break;
      this.#bound.reserve(1);
      this.#handedOut += 1;
      this.#queue.push(this.#delivery(batch.topic, batch.partition, message, tracker, payload, onSettle));
      this.#wake?.();
    }
    // Wait (with heartbeats, so the group keeps us) until what was handed out is settled.
    while (!tracker.drained() && !this.#closed && !payload.isStale()) {
      await new Promise<void>((r) => {
        settledSignal = r;
        setTimeout(r, 1_000);
      });
      await payload.heartbeat();
    }
    await this.#commit(batch.topic, batch.partition, tracker, payload);
    if (tracker.rewindTo !== undefined && !this.#closed) this.#rewind(batch.topic, batch.partition, tracker);
  }

  /** Per partition: the longest nak delay asked for since the last rewind. */
  readonly #nakDelay = new Map<string, number>();
  /** Per partition: the resolved offset not yet committed (the next offset to read). */
  readonly #toCommit = new Map<string, bigint>();

  #delivery(topic: string, partition: number, m: KafkaMessage, tracker: PartitionTracker, payload: EachBatchPayload, onSettle: () => void): Delivery {
    const offset = BigInt(m.offset);
    const epoch = tracker.deliver(offset);
    const headers = new Map<string, string>();
    for (const [k, v] of Object.entries(m.headers ?? {})) {
      if (v === undefined) continue;
      headers.set(k, (Array.isArray(v) ? v : [v]).map((x) => x.toString()).join(', '));
    }
    // The publisher's id survives a producer retry that stored the message twice; the position
    // is the fallback for messages from publishers that are not deltran's.
    const id = headers.get('deltran-msg-id') ?? `${topic}:${partition}:${m.offset}`;
    const release = (): void => {
      this.#handedOut -= 1;
      this.#bound.release();
      onSettle();
    };
    const apply = async (outcome: Outcome): Promise<void> => {
      if (outcome === 'ack' || outcome === 'term') {
        if (outcome === 'term') this.options.onPoison?.({ source: this.name, id, subject: topic, reason: 'term', deliveryCount: 1, data: m.value ?? new Uint8Array() });
        // Resolve in order only: the tracker says how far the contiguous settled prefix reaches.
        if (tracker.settle(offset, epoch)) this.#resolve(`${topic}:${partition}`, tracker, payload);
        return;
      }
      if (tracker.nak(offset, epoch)) {
        const key = `${topic}:${partition}`;
        this.#nakDelay.set(key, Math.max(this.#nakDelay.get(key) ?? 0, outcome.nak));
      }
    };
    return {
      id, source: this.name, subject: topic, headers,
      data: m.value ?? new Uint8Array(),
      receivedAt: new Date(),
      // Kafka does not count deliveries; a redelivery after a rewind or a crash looks like a first.
      deliveryCount: 1,
      redelivered: false,
      settle: settleOnce(id, release, apply),
    };
  }

  /** Moves the partition's resolved offset over the settled prefix, in order. */
  #resolve(key: string, tracker: PartitionTracker, payload: EachBatchPayload): void {
    const next = tracker.advance();
    if (next === undefined) return;
    payload.resolveOffset(String(next - 1n));
    this.#toCommit.set(key, next);
  }

  async #commit(topic: string, partition: number, tracker: PartitionTracker, payload: EachBatchPayload): Promise<void> {
    const key = `${topic}:${partition}`;
    this.#resolve(key, tracker, payload);
    const next = this.#toCommit.get(key);
    if (next === undefined) return;
    this.#toCommit.delete(key);
    // A failed commit (rebalance) is not fatal: the new owner redelivers from the last commit.
    await this.consumer.commitOffsets([{ topic, partition, offset: String(next) }]).catch((err: unknown) => this.options.onError?.(err));
  }

  #rewind(topic: string, partition: number, tracker: PartitionTracker): void {
    const key = `${topic}:${partition}`;
    const delay = this.#nakDelay.get(key) ?? 0;
    this.#nakDelay.delete(key);
    const to = tracker.rewind();
    assert.ok(to >= 0n);
    this.consumer.pause([{ topic, partitions: [partition] }]);
    setTimeout(() => {
      if (this.#closed) return;
      this.consumer.seek({ topic, partition, offset: String(to) });
      this.consumer.resume([{ topic, partitions: [partition] }]);
    }, delay).unref();
  }
}
