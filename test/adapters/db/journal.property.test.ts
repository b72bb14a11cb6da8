// Property: append any sequence of events, in random batches, with message ids repeated at random
// (a redelivery, a replay after a restart) and now and then a stale seq (a second writer): loading
// then gives, per actor, exactly the first occurrence of each message id, in seq order, and every
// append outcome is what judging the events one by one, in order, would give.

import fc from 'fast-check';
import type { PendingEvent } from '../../../actors/journal.ts';
import { PgJournal } from '../../../adapters/db/journal.ts';
import { migrate } from '../../../adapters/db/migrate.ts';
import { bothEngines } from './engines.ts';

const ACTORS = ['a', 'b', 'c'] as const;
const step = fc.record({
  actor: fc.constantFrom(...ACTORS),
  messageId: fc.constantFrom('m1', 'm2', 'm3', 'm4', 'm5', 'm6', 'm7', 'm8'),
  // Amounts as decimal strings beyond a double's precision: they must come back character for character.
  amount: fc.bigInt({ min: -(10n ** 30n), max: 10n ** 30n }).map((n) => `${n < 0n ? '-' : ''}${(n < 0n ? -n : n) / 100n}.${String((n < 0n ? -n : n) % 100n).padStart(2, '0')}`),
  // Now and then (about 1 in 6) a seq this actor already journaled, as a stale second writer would send.
  stale: fc.option(fc.nat({ max: 9 }), { freq: 5 }),
});
const batches = fc.array(fc.array(step, { minLength: 1, maxLength: 12 }), { minLength: 1, maxLength: 8 });

bothEngines('load gives the first occurrence of each message id per actor, in seq order', async (t, { db }) => {
  await migrate(db);
  let run = 0;
  await fc.assert(
    fc.asyncProperty(batches, async (bs) => {
      run++;
      const j = new PgJournal(db);
      const prefix = `r${run}:`; // each run has its own actors, so the runs share one schema
      const nextSeq = new Map<string, number>();
      // The model: per actor, journaled message ids and taken seqs, judged one event at a time.
      const ids = new Map<string, Set<string>>(ACTORS.map((a) => [a, new Set()]));
      const seqs = new Map<string, Set<number>>(ACTORS.map((a) => [a, new Set()]));
      const appended = new Map<string, { seq: number; messageId: string; amount: string }[]>(ACTORS.map((a) => [a, []]));
      const firstFresh = new Map<string, string[]>(ACTORS.map((a) => [a, []]));
      for (const batch of bs) {
        const events: PendingEvent[] = batch.map((s) => {
          let seq: number;
          const next = nextSeq.get(s.actor) ?? 1;
          const taken = [...seqs.get(s.actor)!];
          if (s.stale !== null && taken.length > 0) seq = taken[s.stale % taken.length]!;
          else {
            seq = next;
            nextSeq.set(s.actor, next + 1);
            const fresh = firstFresh.get(s.actor)!;
            if (!fresh.includes(s.messageId)) fresh.push(s.messageId);
          }
          return { actor: prefix + s.actor, seq, messageId: s.messageId, type: 'T', payload: { amount: s.amount } };
        });
        const outcomes = await j.append(events);
        events.forEach((e, i) => {
          const a = e.actor.slice(prefix.length);
          const model = ids.get(a)!.has(e.messageId) ? 'duplicate' : seqs.get(a)!.has(e.seq) ? 'conflict' : 'appended';
          if (outcomes[i]!.status !== model) throw new Error(`event ${i} ${JSON.stringify(e)}: got ${outcomes[i]!.status}, model ${model}`);
          if (model === 'appended') {
            ids.get(a)!.add(e.messageId);
            seqs.get(a)!.add(e.seq);
            appended.get(a)!.push({ seq: e.seq, messageId: e.messageId, amount: (e.payload as { amount: string }).amount });
          }
        });
      }
      for (const a of ACTORS) {
        const loaded = await j.load(prefix + a, 0, 1_000);
        const want = appended.get(a)!.sort((x, y) => x.seq - y.seq);
        t.deepEqual(
          loaded.map((e) => [e.seq, e.messageId, (e.payload as { amount: string }).amount]),
          want.map((x) => [x.seq, x.messageId, x.amount]),
        );
        // A stale seq is never what gets a message id journaled first, so the ids, in seq order,
        // are the first fresh occurrences, in order of arrival.
        t.deepEqual(loaded.map((e) => e.messageId), firstFresh.get(a));
      }
    }),
    { numRuns: 40 },
  );
});
