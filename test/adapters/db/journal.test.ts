// PgJournal over both engines: what append returns for each event, what load gives back, and
// that a batch of many actors is one transaction.

import type { PendingEvent } from '../../../actors/journal.ts';
import { JournalInputError, PgJournal } from '../../../adapters/db/journal.ts';
import { migrate } from '../../../adapters/db/migrate.ts';
import { bothEngines } from './engines.ts';

const ev = (actor: string, seq: number, messageId: string, payload: unknown = {}): PendingEvent => ({
  actor,
  seq,
  messageId,
  type: 'BankEntryBooked',
  payload,
});

bothEngines('append and load round trip, decimal strings intact', async (t, { db }) => {
  await migrate(db);
  const j = new PgJournal(db);
  const payload = { amount: '123456789012345678901234.000000000000000001', currency: 'EUR', nested: { fee: '0.10' }, n: null };
  t.deepEqual(await j.append([ev('account:A:EUR', 1, 'm1', payload), ev('account:A:EUR', 2, 'm2', { amount: '-0.00' })]), [
    { status: 'appended' },
    { status: 'appended' },
  ]);
  const loaded = await j.load('account:A:EUR', 0, 10);
  t.is(loaded.length, 2);
  t.deepEqual(loaded[0]!.payload, payload);
  t.deepEqual(loaded[1]!.payload, { amount: '-0.00' });
  t.deepEqual(
    loaded.map((e) => [e.actor, e.seq, e.messageId, e.type]),
    [
      ['account:A:EUR', 1, 'm1', 'BankEntryBooked'],
      ['account:A:EUR', 2, 'm2', 'BankEntryBooked'],
    ],
  );
  t.regex(loaded[0]!.recordedAt, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$/);
  t.deepEqual((await j.load('account:A:EUR', 1, 10)).map((e) => e.seq), [2]);
  t.deepEqual((await j.load('account:A:EUR', 0, 1)).map((e) => e.seq), [1]);
  t.deepEqual(await j.load('nobody', 0, 10), []);
  t.true(await j.seen('account:A:EUR', 'm2'));
  t.false(await j.seen('account:A:EUR', 'm3'));
  t.false(await j.seen('account:B:EUR', 'm1'));
});

bothEngines('a duplicate message id is reported and nothing is written', async (t, { db }) => {
  await migrate(db);
  const j = new PgJournal(db);
  await j.append([ev('a', 1, 'm1', { v: 'first' })]);
  // Same message at the next seq (a replay), and within one batch twice.
  t.deepEqual(await j.append([ev('a', 2, 'm1', { v: 'replay' }), ev('b', 1, 'x'), ev('b', 2, 'x')]), [
    { status: 'duplicate' },
    { status: 'appended' },
    { status: 'duplicate' },
  ]);
  t.deepEqual((await j.load('a', 0, 10)).map((e) => [e.seq, e.payload]), [[1, { v: 'first' }]]);
  t.deepEqual((await j.load('b', 0, 10)).map((e) => e.seq), [1]);
});

bothEngines('a seq taken by another message is a conflict', async (t, { db }) => {
  await migrate(db);
  const j = new PgJournal(db);
  await j.append([ev('a', 1, 'm1')]);
  t.deepEqual(await j.append([ev('a', 1, 'other'), ev('a', 2, 'm2'), ev('a', 2, 'm3')]), [
    { status: 'conflict' },
    { status: 'appended' },
    { status: 'conflict' },
  ]);
  // The conflicting message was not recorded, so it can be appended at the right seq later.
  t.false(await j.seen('a', 'other'));
  t.deepEqual(await j.append([ev('a', 3, 'other')]), [{ status: 'appended' }]);
});

bothEngines('1,000 events of 100 actors are one statement', async (t, { db }) => {
  await migrate(db);
  const j = new PgJournal(db);
  const events: PendingEvent[] = [];
  for (let seq = 1; seq <= 10; seq++) for (let a = 0; a < 100; a++) events.push(ev(`account:${a}`, seq, `msg-${a}-${seq}`, { amount: `${a}.${seq}` }));
  const outcomes = await j.append(events);
  t.is(outcomes.length, 1_000);
  t.true(outcomes.every((o) => o.status === 'appended'));
  t.is(j.stats.statements, 1);
  const { rows } = await db.query<{ n: string; txs: string }>('SELECT count(*) AS n, count(DISTINCT xmin::text) AS txs FROM journal');
  t.is(rows[0]!.n, '1000');
  t.is(rows[0]!.txs, '1'); // every row written by the same transaction
  const a42 = await j.load('account:42', 0, 100);
  t.deepEqual(a42.map((e) => e.seq), [1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
  t.deepEqual(a42[9]!.payload, { amount: '42.10' });
});

bothEngines('a batch larger than one statement is still one transaction', async (t, { db }) => {
  await migrate(db);
  const j = new PgJournal(db);
  const events = Array.from({ length: 12_000 }, (_, i) => ev(`act:${i % 50}`, Math.floor(i / 50) + 1, `m${i}`));
  const outcomes = await j.append(events);
  t.true(outcomes.every((o) => o.status === 'appended'));
  t.true(j.stats.statements > 1);
  const { rows } = await db.query<{ n: string; txs: string }>('SELECT count(*) AS n, count(DISTINCT xmin::text) AS txs FROM journal');
  t.deepEqual(rows[0], { n: '12000', txs: '1' });
});

bothEngines('snapshots: the latest wins', async (t, { db }) => {
  await migrate(db);
  const j = new PgJournal(db);
  t.is(await j.latestSnapshot('a'), null);
  await j.saveSnapshot({ actor: 'a', seq: 10, state: { balance: '10.00' } });
  await j.saveSnapshot({ actor: 'a', seq: 30, state: { balance: '30.00' } });
  await j.saveSnapshot({ actor: 'a', seq: 20, state: { balance: '20.00' } });
  await j.saveSnapshot({ actor: 'b', seq: 99, state: { balance: '99.00' } });
  t.deepEqual(await j.latestSnapshot('a'), { actor: 'a', seq: 30, state: { balance: '30.00' } });
  await j.saveSnapshot({ actor: 'a', seq: 30, state: { balance: '30.01' } });
  t.deepEqual(await j.latestSnapshot('a'), { actor: 'a', seq: 30, state: { balance: '30.01' } });
});

bothEngines('what PostgreSQL would refuse or alter is rejected before it is sent', async (t, { db }) => {
  await migrate(db);
  const j = new PgJournal(db);
  await t.throwsAsync(j.append([ev('a', 1, 'm\u0000')]), { instanceOf: JournalInputError });
  await t.throwsAsync(j.append([ev('a', 1, 'm', { s: 'x\u0000y' })]), { instanceOf: JournalInputError });
  await t.throwsAsync(j.append([ev('a', 1, 'm', { s: '\ud800' })]), { instanceOf: JournalInputError });
  await t.throwsAsync(j.append([ev('a', 0, 'm')]), { instanceOf: JournalInputError });
  await t.throwsAsync(j.append([ev('a', 1.5, 'm')]), { instanceOf: JournalInputError });
  await t.throwsAsync(j.append([ev('a', 1, 'm', { n: 1n })]), { instanceOf: JournalInputError });
  // An escaped backslash before "u0000" is ordinary text, and a surrogate pair is fine.
  t.deepEqual(await j.append([ev('a', 1, 'm', { s: '\\u0000 \ud83d\ude00' })]), [{ status: 'appended' }]);
  t.deepEqual((await j.load('a', 0, 1))[0]!.payload, { s: '\\u0000 \ud83d\ude00' });
});
