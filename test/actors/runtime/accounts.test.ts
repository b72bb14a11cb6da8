// Goal: the account actors, wired to the real journal (PGlite in memory and PostgreSQL), keep live
// state and journal equal under everything at-least-once delivery does to them. Method: thousands
// of commands over 1,200 accounts through the facade, compared with the states the pure functions
// alone compute; every message redelivered, to the live runtime and to a fresh one recovering from
// the journal (small applied window and snapshots every 2 events, so recovery goes through
// snapshots and redeliveries through the journal's duplicate check); a flood beyond the mailbox
// bound; a journal that fails, before and after committing; another writer moving the sequence.

import type { ExecutionContext } from 'ava';
import { Accounts, type AccountOutcome } from '../../../actors/account/actor.ts';
import { accountActorId } from '../../../actors/account/model.ts';
import { ACCOUNT_LIMITS_DEFAULT } from '../../../actors/account/model.ts';
import { toJournal } from '../../../actors/journal-form.ts';
import { accountEventCodec } from '../../../actors/account/events.ts';
import { GroupCommitter } from '../../../adapters/db/group-commit.ts';
import { PgJournal } from '../../../adapters/db/journal.ts';
import { migrate } from '../../../adapters/db/migrate.ts';
import { bothEngines } from '../../adapters/db/engines.ts';
import { d, expected, FlakyJournal, foldJournal, interleave, refOf, stateJson, workload, type Message } from './support.ts';

const LIMITS = { ...ACCOUNT_LIMITS_DEFAULT, appliedIdsMax: 2 };

function statesOf(accounts: Accounts, actors: Iterable<string>): Map<string, string> {
  return new Map([...actors].map((a) => [a, stateJson(accounts.state(a)?.state)]));
}

function tally(outcomes: readonly AccountOutcome[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const o of outcomes) out[o.status] = (out[o.status] ?? 0) + 1;
  return out;
}

async function sendAll(accounts: Accounts, messages: readonly Message[]): Promise<AccountOutcome[]> {
  return Promise.all(messages.map((m) => accounts.send(m.actor, m.command)));
}

function checkRedelivery(t: ExecutionContext, messages: readonly Message[], outcomes: readonly AccountOutcome[], rejected: ReadonlySet<string>): void {
  let wrong = 0;
  messages.forEach((m, i) => {
    const o = outcomes[i]!;
    const want = rejected.has(`${m.actor}|${m.command.messageId}`) ? 'rejected' : 'duplicate';
    if (o.status !== want && wrong++ < 5) t.fail(`${m.actor} ${m.command.messageId}: ${JSON.stringify(o)}, expected ${want}`);
  });
  t.is(wrong, 0);
}

bothEngines('1,200 accounts: live states match the pure functions, survive redelivery and a fresh recovery', async (t, { db }) => {
  await migrate(db);
  const journal = new GroupCommitter(new PgJournal(db));
  const perAccount = workload(1_200, 6);
  const messages = interleave(perAccount);
  const want = expected(perAccount, LIMITS);
  const actors = [...want.states.keys()];
  t.true(messages.length > 7_000, `${messages.length} messages`);

  const first = new Accounts({ journal, limits: LIMITS, snapshotEvery: 2, shards: 16 });
  const started = Date.now();
  const outcomes = await sendAll(first, messages);
  t.log(`${messages.length} commands over ${actors.length} accounts in ${Date.now() - started} ms, ${journal.stats.batches} journal batches`);
  t.deepEqual(tally(outcomes), { appended: messages.length - want.rejected.size, rejected: want.rejected.size });
  t.deepEqual(statesOf(first, actors), want.states);
  const seqs = new Map(actors.map((a) => [a, first.state(a)!.seq]));

  // Redelivery to the live runtime: nothing changes.
  checkRedelivery(t, messages, await sendAll(first, messages), want.rejected);
  t.deepEqual(statesOf(first, actors), want.states);
  await first.stop();
  t.is(first.tree().actors, 0);

  // A fresh runtime recovers every account from snapshots + journal on the first redelivery.
  const second = new Accounts({ journal, limits: LIMITS, snapshotEvery: 2, shards: 16 });
  checkRedelivery(t, messages, await sendAll(second, messages), want.rejected);
  t.deepEqual(statesOf(second, actors), want.states);
  t.deepEqual(new Map(actors.map((a) => [a, second.state(a)!.seq])), seqs);
  // And the journal alone, without snapshots, says the same.
  for (const a of actors.slice(0, 50)) t.is(await foldJournal(journal, a, LIMITS), want.states.get(a)!);
  const { rows } = await db.query<{ n: string }>('SELECT count(*) AS n FROM snapshots');
  t.true(Number(rows[0]!.n) > 0);
  await second.stop();
  await journal.close();
});

bothEngines('a flood beyond the mailbox bound is refused with MAILBOX_FULL and every accepted message is applied', async (t, { db }) => {
  await migrate(db);
  const journal = new GroupCommitter(new PgJournal(db));
  const accounts = new Accounts({ journal, mailboxDepthMax: 8 });
  const ref = refOf(0);
  const actor = accountActorId(ref);
  const open = await accounts.send(actor, { type: 'OpenAccount', messageId: 'open', ref, accountType: 'fee', ledger: d('0'), bank: d('0') });
  t.is(open.status, 'appended');

  const flood = Array.from({ length: 200 }, (_, k) => accounts.send(actor, { type: 'CreditLedger', messageId: `c${k}`, currency: ref.currency, amount: d('1.00'), reference: 'r' }));
  t.is(accounts.state(actor)!.mailboxDepth, 8);
  const outcomes = await Promise.all(flood);
  const accepted = outcomes.flatMap((o, k) => (o.status === 'mailbox_full' ? [] : [`c${k}`]));
  t.deepEqual(tally(outcomes), { appended: 8, mailbox_full: 192 });
  t.true(outcomes.every((o) => o.status !== 'mailbox_full' || (o.code === 'MAILBOX_FULL' && o.depth === 8)));
  const journaled = (await journal.load(actor, 0, 1_000)).map((e) => e.messageId);
  t.deepEqual(journaled, ['open', ...accepted]);
  t.is((accounts.state(actor)!.state as { ledger?: { toFixed(): string } }).ledger?.toFixed(), '8');
  t.is(accounts.state(actor)!.mailboxDepth, 0);
  // Once drained, the actor takes messages again.
  t.is((await accounts.send(actor, { type: 'CreditLedger', messageId: 'c199', currency: ref.currency, amount: d('1.00'), reference: 'r' })).status, 'appended');
  t.is(accounts.stats.mailboxFull, 192);
  await accounts.stop();
  await journal.close();
});

bothEngines('a failing journal resets the actor and settles retry; once it is back the state is the journal\'s', async (t, { db }) => {
  await migrate(db);
  const flaky = new FlakyJournal(new GroupCommitter(new PgJournal(db)));
  const errors: string[] = [];
  const accounts = new Accounts({ journal: flaky, snapshotEvery: 1_000, onError: (_a, what) => errors.push(what) });
  const ref = refOf(1);
  const actor = accountActorId(ref);
  const credit = (messageId: string, amount: string) => accounts.send(actor, { type: 'CreditLedger', messageId, currency: ref.currency, amount: d(amount), reference: 'r' });
  t.is((await accounts.send(actor, { type: 'OpenAccount', messageId: 'open', ref, accountType: 'fee', ledger: d('100.00'), bank: d('100.00') })).status, 'appended');
  t.is((await credit('a', '1.00')).status, 'appended');

  // The write fails and nothing is written: retry, and the state stays the journal's.
  flaky.appends = 'before';
  const failed = await credit('b', '2.00');
  t.like(failed, { status: 'retry', code: 'JOURNAL_FAILED' });
  await accounts.send(actor, { type: 'TripBreaker', messageId: 'noop-probe', reason: 'x' }); // also fails, also resets
  t.is(stateJson(accounts.state(actor)!.state), await foldJournal(flaky, actor));

  // The database is down for reads too: the actor cannot reload, every command says retry.
  flaky.reads = 'fail';
  t.like(await credit('c', '3.00'), { status: 'retry' });
  t.true(accounts.state(actor)!.stale);

  // The write commits but its answer is lost: retry, and after the reset the state has the event.
  flaky.reads = 'ok';
  flaky.appends = 'after';
  t.like(await credit('d', '4.00'), { status: 'retry', code: 'JOURNAL_FAILED' });
  flaky.appends = 'ok';
  // Redeliveries after the outage: 'd' was durable (duplicate), 'b' and 'c' were not (appended).
  t.like(await credit('d', '4.00'), { status: 'duplicate' });
  t.like(await credit('b', '2.00'), { status: 'appended' });
  t.like(await credit('c', '3.00'), { status: 'appended' });
  const live = accounts.state(actor)!;
  t.false(live.stale);
  t.is(stateJson(live.state), await foldJournal(flaky, actor));
  t.is((live.state as { ledger: { toFixed(n: number): string } }).ledger.toFixed(2), '110.00');
  t.deepEqual((await flaky.load(actor, 0, 100)).map((e) => e.messageId), ['open', 'a', 'd', 'b', 'c']);
  t.true(errors.length >= 3);
  await accounts.stop();
  await flaky.close();
});

bothEngines('another writer moving the sequence: the actor catches up and decides again', async (t, { db }) => {
  await migrate(db);
  const journal = new GroupCommitter(new PgJournal(db));
  const accounts = new Accounts({ journal });
  const ref = refOf(2);
  const actor = accountActorId(ref);
  t.is((await accounts.send(actor, { type: 'OpenAccount', messageId: 'open', ref, accountType: 'fee', ledger: d('10'), bank: d('10') })).status, 'appended');
  // A second process (a stale deltran) journals seq 2 behind this actor's back.
  const foreign = toJournal(accountEventCodec, { type: 'LedgerCredited', messageId: 'elsewhere', amount: d('5'), reference: 'x' });
  t.deepEqual(await journal.append([{ actor, seq: 2, ...foreign }]), [{ status: 'appended' }]);
  const outcome = await accounts.send(actor, { type: 'CreditLedger', messageId: 'here', currency: ref.currency, amount: d('1'), reference: 'y' });
  t.like(outcome, { status: 'appended', seq: 3 });
  t.is(stateJson(accounts.state(actor)!.state), await foldJournal(journal, actor));
  // The foreign message redelivered here is a duplicate: the catch-up brought it into the window.
  t.like(await accounts.send(actor, { type: 'CreditLedger', messageId: 'elsewhere', currency: ref.currency, amount: d('5'), reference: 'x' }), { status: 'duplicate' });
  await accounts.stop();
  await journal.close();
});
