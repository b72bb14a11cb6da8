// Goal: the actor layer's own rules, apart from the database: names nact accepts, no parent above
// 1,000 children, bounded shards, idle eviction that keeps the registry and the side index
// consistent, and a stop that leaves nothing running (the process exits by itself). An in-memory
// journal with the real one's outcomes keeps 10,000 accounts fast.

import test from 'ava';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { Accounts } from '../../../actors/account/actor.ts';
import { accountActorId } from '../../../actors/account/model.ts';
import { actorName, hashId, shardName, shardOf } from '../../../actors/runtime/names.ts';
import type { Journal } from '../../../actors/journal.ts';
import { d, MemoryJournal, refOf, stateJson } from './support.ts';

const NACT_NAME = /^[a-z0-9-$_.+!*'(),]+$/i;

const open = (accounts: Accounts, i: number, messageId = 'open') => {
  const ref = refOf(i);
  return accounts.send(accountActorId(ref), { type: 'OpenAccount', messageId, ref, accountType: 'fee', ledger: d('5'), bank: d('5') });
};
const credit = (accounts: Accounts, i: number, messageId: string) => {
  const ref = refOf(i);
  return accounts.send(accountActorId(ref), { type: 'CreditLedger', messageId, currency: ref.currency, amount: d('1'), reference: 'r' });
};

test('actor names: accepted by nact, one per id; placement is stable', (t) => {
  const ids = ['account:DE89370400440532013000:EUR', 'account:acct/1 ü:USD', 'a$3ab', 'a:b', 'tokens:AED', 'x'.repeat(300), '日本'];
  const names = ids.map(actorName);
  for (const n of names) t.regex(n, NACT_NAME);
  t.is(new Set(names).size, ids.length);
  t.is(actorName('account:DE89:EUR'), 'account$3aDE89$3aEUR');
  t.not(actorName('a$3ab'), actorName('a:b'));
  t.throws(() => actorName(''));
  // Pinned: a change of hash would move every account to another shard name between releases.
  t.is(hashId('account:DE89370400440532013000:EUR'), 2_863_596_016);
  t.is(shardOf('account:DE89370400440532013000:EUR', 128), 112);
  t.is(shardName('account', 7, 128), 'account-007');
});

test('10,000 accounts spread over the shards, no parent above 1,000 children', async (t) => {
  const accounts = new Accounts({ journal: new MemoryJournal(), shards: 16 });
  const outcomes = await Promise.all(Array.from({ length: 10_000 }, (_, i) => open(accounts, i)));
  t.true(outcomes.every((o) => o.status === 'appended'));
  const tree = accounts.tree();
  t.is(tree.actors, 10_000);
  t.is(tree.shards.length, 16);
  t.is(tree.shards.reduce((n, s) => n + s.children, 0), 10_000);
  const sizes = tree.shards.map((s) => s.children);
  t.log(`children per shard: min ${Math.min(...sizes)}, max ${Math.max(...sizes)}`);
  t.true(Math.max(...sizes) <= 1_000);
  t.true(Math.min(...sizes) >= 500, 'the hash spreads accounts evenly');
  const one = accounts.state(accountActorId(refOf(42)))!;
  t.regex(one.path, /^account-\d\d\/[^/]+$/);
  t.is(one.seq, 1);
  await accounts.stop();
  t.is(accounts.tree().actors, 0);
});

test('a full shard evicts its longest-idle child, or refuses with SHARD_FULL when all are busy', async (t) => {
  const journal = new MemoryJournal();
  const accounts = new Accounts({ journal, shards: 2, childrenPerShardMax: 5 });
  const outcomes = await Promise.all(Array.from({ length: 40 }, (_, i) => open(accounts, i)));
  const full = outcomes.filter((o) => o.status === 'retry' && o.code === 'SHARD_FULL').length;
  t.is(outcomes.filter((o) => o.status === 'appended').length + full, 40);
  t.true(full > 0, 'all children busy at once: refused, not over the bound');
  t.true(accounts.tree().shards.every((s) => s.children <= 5));
  // Sent one after another, every idle account makes room: all open eventually, bound kept.
  for (let i = 0; i < 40; i++) {
    const o = await open(accounts, i);
    t.true(o.status === 'appended' || o.status === 'duplicate' || (o.status === 'rejected' && o.rejection.code === 'ACCOUNT_ALREADY_OPEN'), JSON.stringify(o));
    t.true(accounts.tree().shards.every((s) => s.children <= 5));
  }
  t.true(accounts.stats.evicted > 0);
  // An evicted account comes back from its journal.
  t.like(await credit(accounts, 0, 'c1'), { status: 'appended', seq: 2 });
  await accounts.stop();
});

test('idle actors are evicted; registry and side index stay consistent; they come back from the journal', async (t) => {
  const accounts = new Accounts({ journal: new MemoryJournal(), idleAfterMs: 30, shards: 4 });
  await Promise.all(Array.from({ length: 50 }, (_, i) => open(accounts, i)));
  const before = stateJson(accounts.state(accountActorId(refOf(3)))!.state);
  t.is(accounts.tree().actors, 50);
  const deadline = Date.now() + 5_000;
  while (accounts.tree().actors > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
  t.is(accounts.tree().actors, 0);
  t.is(accounts.state(accountActorId(refOf(3))), undefined);
  t.is([...accounts.all()].length, 0);
  t.like(await open(accounts, 3), { status: 'duplicate' });
  t.is(stateJson(accounts.state(accountActorId(refOf(3)))!.state), before);
  t.like(await credit(accounts, 3, 'c'), { status: 'appended', seq: 2 });
  await accounts.stop();
});

// Serial: ava runs serial tests before the concurrent ones, so no other test's timers are counted.
test.serial('stop() drains, stops every child, settles what is left, leaves no timer behind', async (t) => {
  const timers = () => process.getActiveResourcesInfo().filter((r) => r === 'Timeout' || r === 'Immediate').length;
  const baseline = timers();
  const accounts = new Accounts({ journal: new MemoryJournal(), idleAfterMs: 60_000, shards: 8 });
  const sends = Array.from({ length: 500 }, (_, i) => open(accounts, i));
  await accounts.stop(); // while the 500 are in flight: they drain first
  t.true((await Promise.all(sends)).every((o) => o.status === 'appended'));
  t.is(accounts.tree().actors, 0);
  t.like(await open(accounts, 1), { status: 'retry', code: 'STOPPING' });
  await new Promise((r) => setImmediate(r));
  t.is(timers(), baseline);

  // A journal that never answers: the drain times out and the waiting messages settle 'retry'.
  const stuck: Journal = { ...new MemoryJournal(), latestSnapshot: () => new Promise(() => {}) } as unknown as Journal;
  const hung = new Accounts({ journal: stuck, drainTimeoutMs: 50 });
  const waiting = [open(hung, 1), open(hung, 1, 'again'), open(hung, 2)];
  await hung.stop();
  t.deepEqual((await Promise.all(waiting)).map((o) => o.status), ['retry', 'retry', 'retry']);
});

test('a process that stops its actors exits by itself', async (t) => {
  const fixture = new URL('./fixtures/stop-exits.ts', import.meta.url).pathname;
  const started = Date.now();
  const { stdout } = await promisify(execFile)(process.execPath, ['--import=tsx', fixture], { timeout: 30_000 });
  t.is(stdout.trim(), 'stopped 300');
  t.log(`exited ${Date.now() - started} ms after start`);
});
