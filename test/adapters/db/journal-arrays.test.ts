// The batch append sends its rows as array parameters: whatever a text holds (quotes, backslashes,
// braces, commas, the word NULL, non-ASCII) must come back exactly, on both engines.

import { PgJournal } from '../../../adapters/db/journal.ts';
import { migrate } from '../../../adapters/db/migrate.ts';
import { bothEngines } from './engines.ts';

const awkward = ['NULL', 'null', '', ' ', '"quoted"', 'back\\slash', '{braces,comma}', 'a,b', "it's", 'Zürich — 東京 🏦', '\\"', '\t\n'];

bothEngines('a batch of awkward texts round-trips exactly, outcomes in input order', async (t, { db }) => {
  await migrate(db);
  const journal = new PgJournal(db);
  const events = awkward.map((s, i) => ({
    actor: `account:${i % 2 === 0 ? 'A"{,}' : 'B\\NULL'}:EUR`,
    seq: Math.floor(i / 2) + 1,
    messageId: `m-${i}-${s.trim() === '' ? 'blank' : s}`,
    type: 'T',
    payload: { text: s, nested: { list: [s, `${s}${s}`], amount: '1.10' } },
  }));
  const outcomes = await journal.append(events);
  t.deepEqual(outcomes, events.map(() => ({ status: 'appended' })));
  t.true(journal.stats.statements === 1);
  for (const actor of new Set(events.map((e) => e.actor))) {
    const loaded = await journal.load(actor, 0, 100);
    const mine = events.filter((e) => e.actor === actor);
    t.deepEqual(loaded.map((e) => [e.seq, e.messageId, e.payload]), mine.map((e) => [e.seq, e.messageId, e.payload]));
  }
  // Again, mixed: duplicates and a conflict come back at their own positions.
  const again = await journal.append([
    { ...events[3]!, seq: 99 },
    { actor: events[0]!.actor, seq: 1, messageId: 'other', type: 'T', payload: {} },
    { actor: 'account:new:EUR', seq: 1, messageId: 'NULL', type: 'T', payload: { text: 'NULL' } },
  ]);
  t.deepEqual(again, [{ status: 'duplicate' }, { status: 'conflict' }, { status: 'appended' }]);
});
