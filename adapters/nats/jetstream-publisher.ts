// Publishes to deltran's streams and waits for the stream's acknowledgement (PubAck): a publish
// counts only once JetStream has stored it. Every publish carries a message id (Nats-Msg-Id), so a
// publisher that retries after a lost PubAck (timeout, reconnect) stores the message once: within
// the stream's duplicate_window the server answers `duplicate: true` instead of storing it again.
// Dedupe protects publishes only; consumers still see redeliveries and dedupe by Delivery.id.

import assert from 'node:assert/strict';
import type { NatsConnection } from '@nats-io/transport-node';
import { headers as natsHeaders } from '@nats-io/transport-node';
import { jetstream, type JetStreamClient } from '@nats-io/jetstream';

export interface PublishOptions {
  /** Stable identity of the message (e.g. sender + MsgId); becomes Nats-Msg-Id and Delivery.id. */
  readonly msgID: string;
  readonly headers?: Readonly<Record<string, string>>;
}

export interface Published {
  readonly stream: string;
  readonly seq: number;
  /** The stream already held a message with this id (within its duplicate_window): nothing stored. */
  readonly duplicate: boolean;
}

export class JetStreamPublisher {
  readonly #js: JetStreamClient;

  constructor(nc: NatsConnection, readonly options: { readonly timeoutMs?: number; readonly onDuplicate?: (subject: string, msgID: string) => void } = {}) {
    this.#js = jetstream(nc, { timeout: options.timeoutMs ?? 5_000 });
  }

  async publish(subject: string, data: Uint8Array | string, options: PublishOptions): Promise<Published> {
    assert.ok(options.msgID.length > 0, 'publish needs a non-empty msgID (dedupe depends on it)');
    const h = natsHeaders();
    for (const [k, v] of Object.entries(options.headers ?? {})) h.set(k, v);
    const ack = await this.#js.publish(subject, data, { msgID: options.msgID, headers: h, timeout: this.options.timeoutMs ?? 5_000 });
    if (ack.duplicate) this.options.onDuplicate?.(subject, options.msgID);
    return { stream: ack.stream, seq: ack.seq, duplicate: ack.duplicate };
  }
}
