// JetStreamSource against the real nats-server, one behaviour per test, each with its own stream:
// redelivery after ack_wait, nak with a delay, term (no redelivery, poison reported), the server
// giving up after max_deliver (reported too), the bound on unsettled deliveries, a restart on the
// same durable, and settle called twice. Times are short (ack_wait 1 s) and measured with slack,
// because the server's redelivery timers tick at their own pace on a shared 2-core machine.

import type { ExecutionContext } from 'ava';
import type { NatsConnection } from '@nats-io/transport-node';
import { JetStreamPublisher } from '../../../adapters/nats/jetstream-publisher.ts';
import { JetStreamSource, type JetStreamSourceOptions } from '../../../adapters/nats/jetstream-source.ts';
import { inboundSubject } from '../../../adapters/nats/subjects.ts';
import type { Delivery, PoisonReport } from '../../../streams/source.ts';
import { FAST, natsTest, sleep, within, type Env } from './harness.ts';

async function publishN(env: Env, n: number, prefix = 'm'): Promise<string[]> {
  const publisher = new JetStreamPublisher(env.nc);
  const ids: string[] = [];
  for (let i = 0; i < n; i++) {
    const id = `${prefix}-${i}`;
    await publisher.publish(inboundSubject('camt.054', env.namespace), `payload ${i}`, { msgID: id });
    ids.push(id);
  }
  return ids;
}

async function open(t: ExecutionContext, env: Env, nc: NatsConnection, extra: Partial<JetStreamSourceOptions> = {}) {
  const source = await JetStreamSource.open(nc, {
    stream: env.stream, consumer: env.consumer, maxUnsettled: 16, pullExpiresMs: 1_000,
    onError: (err) => t.log('pull error', String(err)), ...extra,
  });
  t.teardown(() => source.close());
  return { source, it: source[Symbol.asyncIterator]() };
}

async function next(it: AsyncIterator<Delivery>, ms = 10_000): Promise<Delivery> {
  const r = await within(ms, it.next());
  if (r === 'timeout') throw new Error(`no delivery within ${ms} ms`);
  if (r.done === true) throw new Error('source ended');
  return r.value;
}

natsTest('a delivery not settled is redelivered after ack_wait', FAST, async (t, env) => {
  await publishN(env, 1);
  const { it } = await open(t, env, env.nc);
  const first = await next(it);
  t.is(first.id, 'm-0');
  t.is(first.deliveryCount, 1);
  t.false(first.redelivered);
  const again = await next(it);
  const gap = again.receivedAt.getTime() - first.receivedAt.getTime();
  t.is(again.id, 'm-0', 'same identity on redelivery: that is what dedupe keys on');
  t.is(again.deliveryCount, 2);
  t.true(again.redelivered);
  t.true(gap >= 900, `redelivered after ${gap} ms, ack_wait is 1,000`);
  await again.settle('ack');
  await first.settle('ack').catch(() => {}); // the stale delivery: its ack may or may not be answered
});

natsTest('nak(delay) redelivers after the delay, not before', { ...FAST, ackWaitMs: 30_000, backoffMs: [30_000] }, async (t, env) => {
  await publishN(env, 1);
  const { it } = await open(t, env, env.nc);
  const first = await next(it);
  await first.settle({ nak: 1_500 });
  const again = await next(it);
  const gap = again.receivedAt.getTime() - first.receivedAt.getTime();
  t.true(gap >= 1_400 && gap < 10_000, `redelivered after ${gap} ms, nak delay 1,500`);
  t.is(again.deliveryCount, 2);
  await again.settle('ack');
});

natsTest('term stops redelivery and reports the poison', FAST, async (t, env) => {
  await publishN(env, 2);
  const poison: PoisonReport[] = [];
  const { it } = await open(t, env, env.nc, { onPoison: (p) => poison.push(p) });
  const a = await next(it);
  const b = await next(it);
  await a.settle('term');
  await b.settle('ack');
  t.is(poison.length, 1);
  t.like(poison[0], { id: a.id, reason: 'term', deliveryCount: 1 });
  t.is(new TextDecoder().decode(poison[0]?.data), 'payload 0');
  // Three ack_waits pass: neither the termed nor the acked message comes back.
  t.is(await within(3_500, it.next()), 'timeout');
  const info = await env.jsm.consumers.info(env.stream, env.consumer);
  t.is(info.num_ack_pending, 0);
  t.is(info.num_redelivered, 0);
});

natsTest('the server giving up after max_deliver is reported as poison with its bytes', { ...FAST, maxDeliver: 2 }, async (t, env) => {
  await publishN(env, 1);
  const poison: PoisonReport[] = [];
  const { it } = await open(t, env, env.nc, { onPoison: (p) => poison.push(p) });
  const first = await next(it);
  const second = await next(it);
  t.is(second.deliveryCount, 2);
  // The server decides to give up only while the consumer is pulling, so the pipeline keeps asking.
  const third = it.next();
  for (let i = 0; i < 50 && poison.length === 0; i++) await sleep(100);
  t.is(poison.length, 1, 'MAX_DELIVERIES advisory reported');
  t.like(poison[0], { id: 'm-0', reason: 'max_deliveries', deliveryCount: 2 });
  t.is(new TextDecoder().decode(poison[0]?.data), 'payload 0');
  await first.settle({ nak: 0 });
  await second.settle({ nak: 0 });
  t.is(await within(2_000, third), 'timeout', 'no third delivery');
});

natsTest('with maxUnsettled deliveries held, the source yields nothing more until one settles', { ...FAST, ackWaitMs: 30_000, backoffMs: [30_000] }, async (t, env) => {
  await publishN(env, 6);
  const { source, it } = await open(t, env, env.nc, { maxUnsettled: 3 });
  const held = [await next(it), await next(it), await next(it)];
  t.is(source.unsettled, 3);
  const pending = it.next();
  t.is(await within(2_500, pending), 'timeout', 'a 4th delivery while 3 are unsettled');
  const info = await env.jsm.consumers.info(env.stream, env.consumer);
  t.is(info.num_ack_pending, 3, 'nothing pulled beyond the bound either (no client-side buffer)');
  await held[1]?.settle('ack');
  const fourth = await within(5_000, pending);
  t.not(fourth, 'timeout');
  t.is(source.unsettled, 3);
  if (fourth !== 'timeout' && fourth.done !== true) t.is(fourth.value.id, 'm-3');
});

natsTest('a consumer restarted (new connection, same durable) gets the unacked messages again', FAST, async (t, env) => {
  const ids = await publishN(env, 5);
  const nc1 = await env.connect();
  const { source, it } = await open(t, env, nc1);
  const seen = [await next(it), await next(it), await next(it)];
  await seen[0]?.settle('ack');
  await seen[2]?.settle('ack');
  // seen[1] stays unsettled: the process "dies" with it in flight.
  await source.close();
  await nc1.close();
  const nc2 = await env.connect();
  const { it: it2 } = await open(t, env, nc2);
  const got = new Set<string>();
  for (let i = 0; i < 3; i++) {
    const d = await next(it2, 5_000);
    got.add(d.id);
    await d.settle('ack');
  }
  t.deepEqual([...got].sort(), [ids[1], ids[3], ids[4]].sort());
  t.is(await within(2_500, it2.next()), 'timeout', 'and nothing else');
});

natsTest('settle twice is a programming error and throws', FAST, async (t, env) => {
  await publishN(env, 1);
  const { source, it } = await open(t, env, env.nc);
  const d = await next(it);
  await d.settle('ack');
  t.throws(() => d.settle('ack'), { message: /settled twice/ });
  t.throws(() => d.settle('term'), { message: /settled twice/ });
  t.is(source.unsettled, 0);
});
