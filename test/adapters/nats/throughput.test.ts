// Throughput smoke against the real nats-server: 5,000 messages published (each with its own
// msgID), consumed through a JetStreamSource and acked one by one; every id arrives, none twice.
// The rate is logged, not asserted: timings belong to bench/, and this machine is shared.

import { JetStreamPublisher } from '../../../adapters/nats/jetstream-publisher.ts';
import { JetStreamSource } from '../../../adapters/nats/jetstream-source.ts';
import { inboundSubject } from '../../../adapters/nats/subjects.ts';
import { natsTest } from './harness.ts';

const N = 5_000;

natsTest('5,000 messages: none lost, none duplicated by id', { ackWaitMs: 30_000, maxDeliver: 5, backoffMs: [30_000], maxAckPending: 1_024, maxBatch: 1_024 }, async (t, env) => {
  const publisher = new JetStreamPublisher(env.nc);
  const subject = inboundSubject('pacs.008', env.namespace);
  const t0 = performance.now();
  // 250 publishes in flight at a time: enough to fill the pipe, bounded like everything else.
  for (let i = 0; i < N; i += 250) {
    const acks = await Promise.all(Array.from({ length: Math.min(250, N - i) }, (_, k) =>
      publisher.publish(subject, `m ${i + k}`, { msgID: `p-${i + k}` })));
    t.false(acks.some((a) => a.duplicate));
  }
  const t1 = performance.now();
  const source = await JetStreamSource.open(env.nc, { stream: env.stream, consumer: env.consumer, maxUnsettled: 512, pullExpiresMs: 1_000 });
  const seen = new Map<string, number>();
  const acks: Promise<void>[] = [];
  for await (const d of source) {
    seen.set(d.id, (seen.get(d.id) ?? 0) + 1);
    acks.push(d.settle('ack'));
    if (seen.size === N) break;
  }
  await Promise.all(acks);
  const t2 = performance.now();
  await source.close();
  t.is(seen.size, N);
  t.deepEqual([...seen.values()].filter((c) => c !== 1), []);
  const info = await env.jsm.consumers.info(env.stream, env.consumer);
  t.is(info.num_ack_pending, 0);
  t.is(info.num_pending, 0);
  t.log(`publish ${Math.round(N / ((t1 - t0) / 1000))} msg/s, consume+ack ${Math.round(N / ((t2 - t1) / 1000))} msg/s`);
});
