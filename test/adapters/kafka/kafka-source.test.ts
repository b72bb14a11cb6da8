// KafkaSource driven by a fake kafkajs consumer (no broker can run on this machine): one batch of
// a partition is handed to eachBatch as kafkajs would, the deliveries are settled out of order,
// and the test checks what reached kafkajs: resolveOffset only in order and only over settled
// offsets, a commit of the next offset to read, a term reported as poison and passed over, a nak
// pausing the partition and seeking back to the nak'd offset after the delay, and the bound.

import test from 'ava';
import type { Consumer, EachBatchPayload, KafkaMessage } from 'kafkajs';
import { KafkaSource } from '../../../adapters/kafka/kafka-source.ts';
import type { Delivery, PoisonReport } from '../../../streams/source.ts';

function fake() {
  const calls: string[] = [];
  const consumer = {
    commitOffsets: async (o: { offset: string }[]) => void calls.push(`commit ${o[0]?.offset}`),
    pause: () => void calls.push('pause'),
    resume: () => void calls.push('resume'),
    seek: (o: { offset: string }) => void calls.push(`seek ${o.offset}`),
    stop: async () => {},
  } as unknown as Consumer;
  const payload = (offsets: number[]): EachBatchPayload => ({
    batch: { topic: 'in', partition: 0, messages: offsets.map((o) => ({ offset: String(o), value: Buffer.from(`v${o}`), headers: {} }) as unknown as KafkaMessage) },
    resolveOffset: (o: string) => void calls.push(`resolve ${o}`),
    heartbeat: async () => {},
    isRunning: () => true,
    isStale: () => false,
  }) as unknown as EachBatchPayload;
  return { consumer, payload, calls };
}

async function take(it: AsyncIterator<Delivery>, n: number): Promise<Delivery[]> {
  const out: Delivery[] = [];
  for (let i = 0; i < n; i++) {
    const r = await it.next();
    if (r.done === true) throw new Error('ended');
    out.push(r.value);
  }
  return out;
}

test('resolveOffset only in order over settled offsets; term is poison and passed over', async (t) => {
  const { consumer, payload, calls } = fake();
  const poison: PoisonReport[] = [];
  const source = new KafkaSource(consumer, { topics: ['in'], maxUnsettled: 10, onPoison: (p) => poison.push(p) });
  const it = source[Symbol.asyncIterator]();
  const batch = source.eachBatch(payload([10, 11, 12, 14]));
  const [a, b, c, d] = await take(it, 4);
  t.is(a?.id, 'in:0:10');
  await c?.settle('ack');
  await d?.settle('ack');
  t.deepEqual(calls, [], '10 is open: nothing may be resolved');
  await a?.settle('ack');
  t.deepEqual(calls, ['resolve 10']);
  await b?.settle('term');
  t.deepEqual(calls.slice(0, 2), ['resolve 10', 'resolve 14']);
  await batch;
  t.deepEqual(calls, ['resolve 10', 'resolve 14', 'commit 15']);
  t.like(poison[0], { id: 'in:0:11', reason: 'term' });
  t.is(source.unsettled, 0);
  await source.close();
});

test('nak commits what precedes it, pauses the partition and seeks back after the delay', async (t) => {
  const { consumer, payload, calls } = fake();
  const source = new KafkaSource(consumer, { topics: ['in'], maxUnsettled: 10 });
  const it = source[Symbol.asyncIterator]();
  const batch = source.eachBatch(payload([0, 1, 2]));
  const [a, b, c] = await take(it, 3);
  await c?.settle('ack');
  await b?.settle({ nak: 200 });
  await a?.settle('ack');
  await batch;
  t.deepEqual(calls, ['resolve 0', 'commit 1', 'pause']);
  await new Promise((r) => setTimeout(r, 400));
  t.deepEqual(calls.slice(3), ['seek 1', 'resume']);
  await source.close();
});

test('the bound holds: with maxUnsettled handed out, the next waits for a settle', async (t) => {
  const { consumer, payload } = fake();
  const source = new KafkaSource(consumer, { topics: ['in'], maxUnsettled: 2 });
  const it = source[Symbol.asyncIterator]();
  const batch = source.eachBatch(payload([0, 1, 2]));
  const [a, b] = await take(it, 2);
  const third = it.next();
  const early = await Promise.race([third, new Promise((r) => setTimeout(() => r('timeout'), 300))]);
  t.is(early, 'timeout');
  t.is(source.unsettled, 2);
  await a?.settle('ack');
  const r = await third;
  t.is(r.done === true ? undefined : r.value.id, 'in:0:2');
  if (r.done !== true) await r.value.settle('ack');
  await b?.settle('ack');
  await batch;
  await source.close();
});
