// GroupCommitter with pipelined flushes: a second batch may go while the first commits, but never
// with an actor that has events in flight (its event N+1 must not be durable while N may fail).

import type { AppendOutcome, Journal, PendingEvent } from '../../../actors/journal.ts';
import { GroupCommitter } from '../../../adapters/db/group-commit.ts';
import { PgJournal } from '../../../adapters/db/journal.ts';
import { migrate } from '../../../adapters/db/migrate.ts';
import test from 'ava';
import { bothEngines } from './engines.ts';

const ev = (actor: string, seq: number, messageId: string): PendingEvent => ({ actor, seq, messageId, type: 'T', payload: { amount: `${seq}.00` } });

/** Each append waits for its own release, in the order they started; `failing` makes the next release throw. */
class Gates implements Journal {
  readonly started: string[][] = [];
  private readonly waiting: { readonly release: (fail: boolean) => void }[] = [];
  inFlight = 0;
  mostInFlight = 0;
  constructor(readonly concurrentAppends = 2) {}
  async append(events: readonly PendingEvent[]): Promise<AppendOutcome[]> {
    this.started.push(events.map((e) => `${e.actor}${e.seq}`));
    this.inFlight++;
    this.mostInFlight = Math.max(this.mostInFlight, this.inFlight);
    const fail = await new Promise<boolean>((release) => this.waiting.push({ release }));
    this.inFlight--;
    if (fail) throw new Error('database down');
    return events.map(() => ({ status: 'appended' as const }));
  }
  /** Releases the oldest append still waiting. */
  release(fail = false): void {
    const w = this.waiting.shift();
    if (w === undefined) throw new Error('nothing in flight');
    w.release(fail);
  }
  load = async () => [];
  seen = async () => false;
  latestSnapshot = async () => null;
  saveSnapshot = async () => {};
  close = async () => {};
}

const tick = () => new Promise<void>((r) => setImmediate(r));
const ticks = async (n: number) => {
  for (let i = 0; i < n; i++) await tick();
};

test('a second batch of other actors starts while the first is in flight', async (t) => {
  const inner = new Gates(2);
  const gc = new GroupCommitter(inner);
  const a = gc.append([ev('a', 1, 'm')]);
  await ticks(2);
  const b = gc.append([ev('b', 1, 'm')]);
  await ticks(2);
  t.deepEqual(inner.started, [['a1'], ['b1']]);
  t.is(inner.inFlight, 2);
  // The second commits first: its caller does not wait for the first.
  inner.release();
  inner.release();
  t.deepEqual(await b, [{ status: 'appended' }]);
  t.deepEqual(await a, [{ status: 'appended' }]);
  t.is(gc.stats.mostInFlight, 2);
  await gc.close();
});

test('an actor with an event in flight waits for it; the others go past', async (t) => {
  const inner = new Gates(2);
  const gc = new GroupCommitter(inner);
  const a1 = gc.append([ev('a', 1, 'm1')]);
  await ticks(2);
  // a's next event, and b's, arrive while a1 commits: b goes now, a2 stays queued.
  const a2 = gc.append([ev('a', 2, 'm2')]);
  const b1 = gc.append([ev('b', 1, 'm1')]);
  await ticks(3);
  t.deepEqual(inner.started, [['a1'], ['b1']]);
  t.is(gc.depth, 1);
  inner.release(); // a1 durable: a2 may go now
  await a1;
  await ticks(3);
  t.deepEqual(inner.started, [['a1'], ['b1'], ['a2']]);
  inner.release();
  inner.release();
  t.deepEqual([await b1, await a2], [[{ status: 'appended' }], [{ status: 'appended' }]]);
  await gc.close();
});

test('an append of two actors waits for both, and later appends of either stay behind it', async (t) => {
  const inner = new Gates(3);
  const gc = new GroupCommitter(inner);
  const a1 = gc.append([ev('a', 1, 'm1')]);
  await ticks(2);
  // [a2, c1] must wait for a (in flight); c2 must then wait behind c1 although c is not in flight.
  const a2c1 = gc.append([ev('a', 2, 'm2'), ev('c', 1, 'm1')]);
  const c2 = gc.append([ev('c', 2, 'm2')]);
  const d1 = gc.append([ev('d', 1, 'm1')]);
  await ticks(3);
  t.deepEqual(inner.started, [['a1'], ['d1']]);
  inner.release();
  await a1;
  await ticks(3);
  // a2+c1 go, and c2 with them: in one batch (one transaction) c's events commit together, in order.
  t.deepEqual(inner.started, [['a1'], ['d1'], ['a2', 'c1', 'c2']]);
  inner.release(); // d1
  inner.release(); // a2 c1 c2
  t.deepEqual(await a2c1, [{ status: 'appended' }, { status: 'appended' }]);
  t.deepEqual(await c2, [{ status: 'appended' }]);
  t.deepEqual(await d1, [{ status: 'appended' }]);
  await gc.close();
});

test('a failed flush rejects its actors\' queued events; a flush in flight for others still commits', async (t) => {
  const inner = new Gates(2);
  const gc = new GroupCommitter(inner);
  const a1 = gc.append([ev('a', 1, 'm1')]);
  await ticks(2);
  const b1 = gc.append([ev('b', 1, 'm1')]);
  await ticks(2);
  const a2 = gc.append([ev('a', 2, 'm2')]);
  await ticks(2);
  t.deepEqual(inner.started, [['a1'], ['b1']]);
  inner.release(true); // a1 fails
  await t.throwsAsync(a1, { message: 'database down' });
  await t.throwsAsync(a2, { message: /earlier journal write of the same actor failed/ });
  inner.release();
  t.deepEqual(await b1, [{ status: 'appended' }]);
  t.is(gc.depth, 0);
  await gc.close();
});

test('without a hint from the inner journal, one flush at a time', async (t) => {
  const inner = new Gates(2);
  const gc = new GroupCommitter(inner, { maxInFlight: 1 });
  const a = gc.append([ev('a', 1, 'm')]);
  await ticks(2);
  const b = gc.append([ev('b', 1, 'm')]);
  await ticks(2);
  t.deepEqual(inner.started, [['a1']]);
  inner.release();
  await a;
  await ticks(2);
  inner.release();
  await b;
  t.is(inner.mostInFlight, 1);
  t.throws(() => new GroupCommitter(inner, { maxInFlight: 0 }), { instanceOf: RangeError });
  await gc.close();
});

test('close waits for every flush in flight and everything queued', async (t) => {
  const inner = new Gates(2);
  const gc = new GroupCommitter(inner);
  const a1 = gc.append([ev('a', 1, 'm1')]);
  await ticks(2);
  const a2 = gc.append([ev('a', 2, 'm2')]);
  const b1 = gc.append([ev('b', 1, 'm1')]);
  let closed = false;
  const closing = gc.close().then(() => (closed = true));
  await ticks(3);
  t.false(closed);
  inner.release();
  await ticks(3);
  inner.release();
  await ticks(3);
  t.false(closed);
  inner.release();
  await closing;
  t.deepEqual((await Promise.all([a1, a2, b1])).flat(), [{ status: 'appended' }, { status: 'appended' }, { status: 'appended' }]);
});

bothEngines('pipelined on PostgreSQL, one at a time on PGlite: every actor gap-free, every batch one transaction', async (t, { db }) => {
  await migrate(db);
  const inner = new PgJournal(db);
  t.is(inner.concurrentAppends, db.engine === 'postgres' ? 2 : 1);
  const gc = new GroupCommitter(inner, { maxBatch: 30 });
  // Actors start at different moments and append one event at a time (awaiting each), as actors do,
  // so flushes of disjoint actors overlap.
  const actors = Array.from({ length: 40 }, (_, i) => `account:${i}`);
  const perActor = 5;
  await Promise.all(
    actors.map(async (a, i) => {
      for (let k = 0; k < i % 7; k++) await tick();
      for (let seq = 1; seq <= perActor; seq++) t.deepEqual(await gc.append([ev(a, seq, `${a}/m${seq}`)]), [{ status: 'appended' }]);
    }),
  );
  t.log(`${gc.stats.batches} batches, at most ${gc.stats.mostInFlight} in flight`);
  if (db.engine === 'pglite') t.is(gc.stats.mostInFlight, 1);
  const { rows } = await db.query<{ n: string; txs: string }>('SELECT count(*) AS n, count(DISTINCT xmin::text) AS txs FROM journal');
  t.is(Number(rows[0]!.n), actors.length * perActor);
  t.is(Number(rows[0]!.txs), gc.stats.batches);
  const { rows: gaps } = await db.query<{ actor: string }>(
    `SELECT actor FROM journal GROUP BY actor HAVING max(seq) <> count(*) OR min(seq) <> 1`,
  );
  t.deepEqual(gaps, []);
  await gc.close();
});
