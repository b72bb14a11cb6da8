// ensureStreams and the publisher against the real nats-server: creating deltran's streams twice
// changes nothing the second time (and a changed tuning is applied as an update), and a publish
// repeated with the same msgID is stored once and reported as a duplicate.

import { jetstreamManager } from '@nats-io/jetstream';
import { ensureStreams } from '../../../adapters/nats/streams.ts';
import { JetStreamPublisher } from '../../../adapters/nats/jetstream-publisher.ts';
import { STREAMS, inboundSubject, streamName } from '../../../adapters/nats/subjects.ts';
import { FAST, natsTest } from './harness.ts';

natsTest('ensureStreams is idempotent: second run unchanged, a tuning change is an update', FAST, async (t, env) => {
  // The harness created DELTRAN_IN already; the full table adds the others.
  const first = await ensureStreams(env.jsm, { namespace: env.namespace, tuning: FAST });
  t.true(first.created.length >= STREAMS.length - 1, JSON.stringify(first));
  const second = await ensureStreams(env.jsm, { namespace: env.namespace, tuning: FAST });
  t.deepEqual(second.created, []);
  t.deepEqual(second.updated, [], 'nothing differs: the comparison must ignore server-filled fields');
  const consumers = STREAMS.reduce((n, s) => n + s.consumers.length, 0);
  t.is(second.unchanged.length, STREAMS.length + consumers);
  const third = await ensureStreams(env.jsm, { namespace: env.namespace, tuning: { ...FAST, maxAckPending: 777 } });
  t.is(third.updated.length, consumers);
  const info = await env.jsm.consumers.info(env.stream, 'ingest');
  t.is(info.config.max_ack_pending, 777);
  t.is(info.config.ack_policy, 'explicit');
  for (const s of STREAMS) {
    const si = await (await jetstreamManager(env.nc)).streams.info(streamName(s.name, env.namespace));
    t.is(si.config.duplicate_window, 120_000_000_000);
  }
});

natsTest('publish with the same msgID twice: the second is a duplicate, stored once', FAST, async (t, env) => {
  const duplicates: string[] = [];
  const publisher = new JetStreamPublisher(env.nc, { onDuplicate: (_s, id) => duplicates.push(id) });
  const subject = inboundSubject('camt.054', env.namespace);
  const a = await publisher.publish(subject, '<Document/>', { msgID: 'BANK1:MSG-1' });
  const b = await publisher.publish(subject, '<Document/>', { msgID: 'BANK1:MSG-1' });
  const c = await publisher.publish(subject, '<Document/>', { msgID: 'BANK1:MSG-2' });
  t.false(a.duplicate);
  t.true(b.duplicate);
  t.is(b.seq, a.seq);
  t.false(c.duplicate);
  t.deepEqual(duplicates, ['BANK1:MSG-1']);
  const si = await env.jsm.streams.info(env.stream);
  t.is(si.state.messages, 2);
});
