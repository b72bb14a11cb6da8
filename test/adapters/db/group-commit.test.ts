// GroupCommitter: concurrent appends of many actors share transactions, every one of them durable,
// and a full queue says so instead of growing.

import type { AppendOutcome, Journal, PendingEvent } from '../../../actors/journal.ts';
import { GroupCommitter, JournalBackpressureError, JournalClosedError } from '../../../adapters/db/group-commit.ts';
import { JournalInputError, PgJournal } from '../../../adapters/db/journal.ts';
import { migrate } from '../../../adapters/db/migrate.ts';
import test from 'ava';
import { bothEngines } from './engines.ts';

const ev = (actor: string, seq: number, messageId: string): PendingEvent => ({ actor, seq, messageId, type: 'T', payload: { amount: `${seq}.00` } });

bothEngines('concurrent appends of 200 actors are all durable, in far fewer transactions', async (t, { db }) => {
  await migrate(db);
  const inner = new PgJournal(db);
  const gc = new GroupCommitter(inner, { maxBatch: 1_000 });
  // Each actor appends its events one at a time (awaiting each), as an actor does; all actors at once.
  const actors = Array.from({ length: 200 }, (_, i) => `account:${i}`);
  const perActor = 10;
  const results = await Promise.all(
    actors.map(async (a) => {
      const out: AppendOutcome[] = [];
      for (let seq = 1; seq <= perActor; seq++) out.push(...(await gc.append([ev(a, seq, `${a}/m${seq}`)])));
      return out;
    }),
  );
  t.true(results.flat().every((o) => o.status === 'appended'));
  const appends = actors.length * perActor;
  t.is(gc.stats.appendCalls, appends);
  t.true(inner.stats.appendCalls < appends / 10, `${inner.stats.appendCalls} transactions for ${appends} appends`);
  t.log(`${appends} appends in ${gc.stats.batches} batches (largest ${gc.stats.largestBatch})`);
  const { rows } = await db.query<{ n: string; txs: string }>('SELECT count(*) AS n, count(DISTINCT xmin::text) AS txs FROM journal');
  t.is(rows[0]!.n, String(appends));
  t.is(Number(rows[0]!.txs), gc.stats.batches);
  for (const a of [actors[0]!, actors[199]!]) t.deepEqual((await gc.load(a, 0, 100)).map((e) => e.seq), [1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
  await gc.close();
});

bothEngines('outcomes reach the right caller inside a shared batch', async (t, { db }) => {
  await migrate(db);
  const gc = new GroupCommitter(new PgJournal(db));
  await gc.append([ev('a', 1, 'm1')]);
  const [dup, ok, conflict] = await Promise.all([
    gc.append([ev('a', 2, 'm1')]),
    gc.append([ev('b', 1, 'x'), ev('b', 2, 'y')]),
    gc.append([ev('a', 1, 'zz')]),
  ]);
  t.deepEqual(dup, [{ status: 'duplicate' }]);
  t.deepEqual(ok, [{ status: 'appended' }, { status: 'appended' }]);
  t.deepEqual(conflict, [{ status: 'conflict' }]);
  await gc.close();
});

/** A journal whose appends wait until released: lets the tests hold a flush in flight. */
class GatedJournal implements Journal {
  gate: () => void = () => {};
  failNext = false;
  batches: number[] = [];
  async append(events: readonly PendingEvent[]): Promise<AppendOutcome[]> {
    this.batches.push(events.length);
    await new Promise<void>((r) => (this.gate = r));
    if (this.failNext) {
      this.failNext = false;
      throw new Error('database down');
    }
    return events.map(() => ({ status: 'appended' as const }));
  }
  load = async () => [];
  seen = async () => false;
  latestSnapshot = async () => null;
  saveSnapshot = async () => {};
  close = async () => {};
}

const tick = () => new Promise<void>((r) => setImmediate(r));

test('a full queue rejects at once with JournalBackpressureError', async (t) => {
  const inner = new GatedJournal();
  const gc = new GroupCommitter(inner, { maxBatch: 2, maxQueued: 4 });
  const first = gc.append([ev('a', 1, 'm1'), ev('b', 1, 'm1')]);
  await tick(); // the first batch is now in flight, holding 2 events outside the queue
  const queued = [gc.append([ev('c', 1, 'm'), ev('d', 1, 'm')]), gc.append([ev('e', 1, 'm'), ev('f', 1, 'm')])];
  const err = await t.throwsAsync(gc.append([ev('g', 1, 'm')]), { instanceOf: JournalBackpressureError });
  t.is(err.code, 'JOURNAL_QUEUE_FULL');
  t.is(gc.depth, 4);
  inner.gate();
  await first;
  await tick();
  inner.gate();
  await tick();
  inner.gate();
  t.is((await Promise.all(queued)).flat().length, 4);
  t.deepEqual(inner.batches, [2, 2, 2]);
});

test('after a failed flush, the same actors\' queued events are rejected, others go on', async (t) => {
  const inner = new GatedJournal();
  const gc = new GroupCommitter(inner);
  inner.failNext = true;
  const failing = gc.append([ev('a', 1, 'm1')]);
  await tick();
  const sameActor = gc.append([ev('a', 2, 'm2')]);
  const otherActor = gc.append([ev('b', 1, 'm1')]);
  inner.gate();
  await t.throwsAsync(failing, { message: 'database down' });
  await t.throwsAsync(sameActor, { message: /earlier journal write of the same actor failed/ });
  await tick();
  inner.gate();
  t.deepEqual(await otherActor, [{ status: 'appended' }]);
});

test('a bad event fails only its own append; close drains then refuses', async (t) => {
  const inner = new GatedJournal();
  const gc = new GroupCommitter(inner);
  await t.throwsAsync(gc.append([ev('a', 0, 'm')]), { instanceOf: JournalInputError });
  const pending = gc.append([ev('a', 1, 'm')]);
  const closing = gc.close();
  await t.throwsAsync(gc.append([ev('b', 1, 'm')]), { instanceOf: JournalClosedError });
  await tick();
  inner.gate();
  t.deepEqual(await pending, [{ status: 'appended' }]);
  await closing;
});
