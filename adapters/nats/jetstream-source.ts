// A Source over a durable JetStream pull consumer. It pulls with `fetch`, never `consume`: consume
// refills its buffer as messages are *yielded*, not settled, so a slow pipeline would sit on a
// growing pile of delivered messages whose ack_wait runs out in the client's buffer. Here each
// pull asks for at most the free slots of the bound (`maxUnsettled`), so what this process holds
// (buffered + handed out + unsettled) never exceeds it; the consumer's max_ack_pending is the
// same bound on the server, across all processes sharing the durable.
//
// settle maps to JetStream: 'ack' → ack(), fire and forget: the ack is handed to the connection
// and not confirmed by the server. That is enough for at-least-once, because settle('ack') is only
// called once the effect is durable: an ack lost on the wire only makes the server redeliver after
// ack_wait, and the redelivery is a duplicate (the actor's applied window, then the journal's
// unique (actor, message_id)). ackAck() cost a request per message in the client (an inbox token,
// a timer and an Error for its async trace): ~10% of the CPU per message in bench/ingest. Set
// `confirmAcks` to wait for the server's confirmation anyway (an ack lost is then an error, not
// silence). { nak } → nak(delay); 'term' → term() without a reason
// (nats-server 2.9.10 does not parse `+TERM reason` and would redeliver until max_deliver). The
// server also gives up on its own after max_deliver: the MAX_DELIVERIES advisory is watched and
// reported to `onPoison` with the message's bytes fetched back, so it can be dead-lettered too.
// The server makes that decision only while a pull is waiting, i.e. while the pipeline iterates.

import assert from 'node:assert/strict';
import type { NatsConnection, Subscription } from '@nats-io/transport-node';
import {
  jetstream, jetstreamManager, type Consumer, type ConsumerMessages, type JetStreamManager, type JsMsg,
} from '@nats-io/jetstream';
import { SlotBound, settleOnce, type Delivery, type Outcome, type PoisonReport, type Source } from '../../streams/source.ts';

export interface JetStreamSourceOptions {
  /** Stream and durable consumer names as they are on the server (namespace applied). */
  readonly stream: string;
  readonly consumer: string;
  /** The bound on held deliveries. Must not exceed the consumer's max_ack_pending. */
  readonly maxUnsettled: number;
  /** Largest single pull; default min(maxUnsettled, 256). */
  readonly batchMax?: number;
  /** How long one pull waits for messages when the stream is idle, ms (≥ 1,000). Default 5,000. */
  readonly pullExpiresMs?: number;
  /** Wait for the server to confirm each ack (ackAck) instead of sending it unconfirmed. Default false. */
  readonly confirmAcks?: boolean;
  /** With confirmAcks: how long an ackAck waits for the server's confirmation, ms. Default 5,000. */
  readonly ackTimeoutMs?: number;
  /** Every term and every message the server gave up on (max_deliver). */
  readonly onPoison?: (report: PoisonReport) => void;
  /** Pull failures (disconnects, missed heartbeats): the source waits `retryMs` and pulls again. */
  readonly onError?: (err: unknown) => void;
  readonly retryMs?: number;
}

export class JetStreamSource implements Source {
  readonly name: string;
  readonly maxUnsettled: number;
  readonly #bound: SlotBound;
  readonly #consumer: Consumer;
  readonly #jsm: JetStreamManager;
  readonly #advisories: Subscription;
  readonly #opts: JetStreamSourceOptions;
  #pull: ConsumerMessages | undefined;
  #closed = false;
  #iterated = false;
  #handedOut = 0;

  /** Checks the consumer exists and its max_ack_pending admits our bound, then watches advisories. */
  static async open(nc: NatsConnection, options: JetStreamSourceOptions): Promise<JetStreamSource> {
    const jsm = await jetstreamManager(nc);
    const info = await jsm.consumers.info(options.stream, options.consumer);
    const serverBound = info.config.max_ack_pending ?? 0;
    assert.ok(serverBound >= options.maxUnsettled, `${options.stream}/${options.consumer}: max_ack_pending ${serverBound} below maxUnsettled ${options.maxUnsettled}`);
    const consumer = await jetstream(nc).consumers.get(options.stream, options.consumer);
    const subject = `$JS.EVENT.ADVISORY.CONSUMER.MAX_DELIVERIES.${options.stream}.${options.consumer}`;
    return new JetStreamSource(consumer, jsm, nc.subscribe(subject), options);
  }

  private constructor(consumer: Consumer, jsm: JetStreamManager, advisories: Subscription, options: JetStreamSourceOptions) {
    this.name = `nats:${options.stream}/${options.consumer}`;
    this.maxUnsettled = options.maxUnsettled;
    this.#bound = new SlotBound(options.maxUnsettled);
    this.#consumer = consumer;
    this.#jsm = jsm;
    this.#advisories = advisories;
    this.#opts = options;
    void this.#watchAdvisories();
  }

  get unsettled(): number {
    return this.#handedOut;
  }

  async *[Symbol.asyncIterator](): AsyncIterator<Delivery> {
    assert.ok(!this.#iterated, `${this.name} is iterated once (the bound is per source)`);
    this.#iterated = true;
    const batchMax = this.#opts.batchMax ?? Math.min(this.maxUnsettled, 256);
    while (!this.#closed) {
      await this.#bound.waitFree();
      if (this.#closed) break;
      const n = Math.min(this.#bound.free, batchMax);
      // Slots are reserved before the pull, so messages buffered by the client count too.
      this.#bound.reserve(n);
      let received = 0;
      try {
        const pull = await this.#consumer.fetch({ max_messages: n, expires: this.#opts.pullExpiresMs ?? 5_000 });
        this.#pull = pull;
        for await (const m of pull) {
          received += 1;
          assert.ok(received <= n, `pull of ${n} returned more`);
          this.#handedOut += 1;
          yield this.#delivery(m);
        }
      } catch (err) {
        if (this.#closed) break;
        this.#opts.onError?.(err);
        await new Promise((r) => setTimeout(r, this.#opts.retryMs ?? 1_000));
      } finally {
        this.#pull = undefined;
        // Reserved slots whose messages never came are free again.
        this.#bound.release(n - received);
      }
    }
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    this.#bound.close();
    this.#pull?.stop();
    this.#advisories.unsubscribe();
  }

  #delivery(m: JsMsg): Delivery {
    const release = (): void => {
      this.#handedOut -= 1;
      this.#bound.release();
    };
    return new JsDelivery(m, this.name, release, (id, outcome) => this.#settle(m, id, outcome));
  }

  async #settle(m: JsMsg, id: string, outcome: Outcome): Promise<void> {
    if (outcome === 'ack') {
      if (this.#opts.confirmAcks !== true) {
        // Throws (a rejection here) when the connection is closed: the broker redelivers.
        m.ack();
        return;
      }
      const ok = await m.ackAck({ timeout: this.#opts.ackTimeoutMs ?? 5_000 });
      // false means the client had already acked this message: impossible through settleOnce.
      assert.ok(ok, `ackAck of ${id} refused locally`);
      return;
    }
    if (outcome === 'term') {
      m.term();
      this.#opts.onPoison?.({ source: this.name, id, subject: m.subject, reason: 'term', deliveryCount: m.info.deliveryCount, data: m.data });
      return;
    }
    m.nak(outcome.nak);
  }

  async #watchAdvisories(): Promise<void> {
    for await (const msg of this.#advisories) {
      try {
        const advisory = msg.json<{ stream: string; stream_seq: number; deliveries: number }>();
        const stored = await this.#jsm.streams.getMessage(advisory.stream, { seq: advisory.stream_seq });
        const id = stored?.header.get('Nats-Msg-Id') || `${advisory.stream}:${advisory.stream_seq}`;
        this.#opts.onPoison?.({
          source: this.name, id, subject: stored?.subject ?? '', reason: 'max_deliveries',
          deliveryCount: advisory.deliveries, data: stored?.data,
        });
      } catch (err) {
        this.#opts.onError?.(err);
      }
    }
  }
}

/**
 * A Delivery over a JsMsg. The headers as a Map, the delivery info (the ack subject split into
 * tokens) and the Date are built when asked for, not per message: the pipeline reads the id, the
 * bytes and settle, and the delivery count only to compute a nak's backoff (bench/ingest).
 */
class JsDelivery implements Delivery {
  readonly id: string;
  readonly source: string;
  readonly subject: string;
  readonly data: Uint8Array;
  readonly settle: (outcome: Outcome) => Promise<void>;
  readonly #m: JsMsg;
  readonly #receivedAt: number;
  #headers: ReadonlyMap<string, string> | undefined;
  #date: Date | undefined;

  constructor(m: JsMsg, source: string, release: () => void, settle: (id: string, outcome: Outcome) => Promise<void>) {
    this.#m = m;
    this.#receivedAt = Date.now();
    // Several values of one name are joined with ', ', as in `headers`.
    const ids = m.headers?.values('Nats-Msg-Id');
    const id = ids !== undefined && ids.length > 0 ? ids.join(', ') : `${m.info.stream}:${m.info.streamSequence}`;
    this.id = id;
    this.source = source;
    this.subject = m.subject;
    this.data = m.data;
    this.settle = settleOnce(id, release, (outcome) => settle(id, outcome));
  }

  get headers(): ReadonlyMap<string, string> {
    if (this.#headers === undefined) {
      const headers = new Map<string, string>();
      for (const [k, vs] of this.#m.headers ?? []) headers.set(k, vs.join(', '));
      this.#headers = headers;
    }
    return this.#headers;
  }

  get receivedAt(): Date {
    return (this.#date ??= new Date(this.#receivedAt));
  }

  get deliveryCount(): number {
    return this.#m.info.deliveryCount;
  }

  get redelivered(): boolean {
    return this.#m.info.redelivered;
  }
}
