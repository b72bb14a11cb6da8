// Publishes to Kafka with every option explicit: the v2 DefaultPartitioner (murmur2, the same
// partition as the Java client for the same key, so per-account order holds across languages),
// acks from all in-sync replicas (a publish counts once it cannot be lost to one broker failing),
// and the message key as the caller's identity, so one account's messages keep their order.
// Kafka has no broker-side dedupe like Nats-Msg-Id: the id travels as a header and consumers dedupe.

import { Partitioners, type Kafka, type Producer } from 'kafkajs';

export interface KafkaPublishOptions {
  /** Partition key: the account (or corridor), so its messages stay in order. */
  readonly key: string;
  /** Stable identity, sent as the `deltran-msg-id` header for consumers' dedupe. */
  readonly msgID: string;
  readonly headers?: Readonly<Record<string, string>>;
}

export class KafkaPublisher {
  readonly #producer: Producer;

  constructor(kafka: Kafka) {
    this.#producer = kafka.producer({
      createPartitioner: Partitioners.DefaultPartitioner,
      allowAutoTopicCreation: false,
      idempotent: false,
      maxInFlightRequests: 5,
      retry: { retries: 5, initialRetryTime: 300, maxRetryTime: 30_000 },
    });
  }

  connect(): Promise<void> {
    return this.#producer.connect();
  }

  disconnect(): Promise<void> {
    return this.#producer.disconnect();
  }

  async publish(topic: string, data: Uint8Array | string, options: KafkaPublishOptions): Promise<{ partition: number; offset: string }> {
    const [meta] = await this.#producer.send({
      topic,
      acks: -1,
      timeout: 30_000,
      messages: [{ key: options.key, value: Buffer.from(data), headers: { ...options.headers, 'deltran-msg-id': options.msgID } }],
    });
    if (meta === undefined) throw new Error(`kafka send to ${topic} returned no metadata`);
    return { partition: meta.partition, offset: meta.baseOffset ?? '' };
  }
}
