// The restarted process of the actors benchmark (run by actors.bench.ts as a child process, so the
// restart is a real one: fresh Node, fresh module loading, fresh pool). It times, from its own
// process start: the database opened and migrations checked; the first command answered for a
// random account (lazy recovery: that one account loads its snapshot and events); then a sample
// of cold first answers; then every account recovered eagerly. Prints one JSON object.
//
//   node --import=tsx bench/actors-restart.ts <schema> <accounts> <events per account>

import BigNumber from 'bignumber.js';
import { Accounts } from '../actors/account/actor.ts';
import { openDatabase } from '../adapters/db/database.ts';
import { GroupCommitter } from '../adapters/db/group-commit.ts';
import { PgJournal } from '../adapters/db/journal.ts';
import { migrate } from '../adapters/db/migrate.ts';
import { accountId, accountRef, prng } from './accounts-fixture.ts';
import { memory } from './memory.ts';

const [schema, countText, eventsText] = process.argv.slice(2);
const count = Number(countText);
const events = Number(eventsText);
const PG_URL = process.env['DATABASE_URL'] || 'postgres://root@127.0.0.1:5432/test';
const SNAPSHOT_EVERY = Number(process.env['BENCH_SNAPSHOT_EVERY'] ?? 100);

/** A command that needs the recovered state and writes nothing: the opening again (a duplicate). */
function probe(i: number) {
  const ref = accountRef(i);
  return { type: 'OpenAccount' as const, messageId: `open/${ref.id}`, ref, accountType: 'client_funds' as const, ledger: new BigNumber(0), bank: new BigNumber(0) };
}

const started = performance.now(); // since process start (performance.timeOrigin)
const db = await openDatabase({ url: PG_URL, schema, poolSize: 4 });
await migrate(db);
const journal = new GroupCommitter(new PgJournal(db));
const accounts = new Accounts({ journal, snapshotEvery: SNAPSHOT_EVERY });
const opened = performance.now();

const random = prng(99);
const first = Math.floor(random() * count);
const answer = await accounts.send(accountId(first), probe(first));
if (answer.status !== 'duplicate') throw new Error(`probe of account ${first}: ${JSON.stringify(answer)}`);
const ready = performance.now();

// Cold first answers, one at a time: what a command to a not yet loaded account waits.
const cold: number[] = [];
for (let k = 0; k < 200; k++) {
  const i = Math.floor(random() * count);
  if (accounts.state(accountId(i)) !== undefined) continue;
  const t = performance.now();
  const o = await accounts.send(accountId(i), probe(i));
  cold.push(performance.now() - t);
  if (o.status !== 'duplicate') throw new Error(`probe of account ${i}: ${JSON.stringify(o)}`);
}
cold.sort((a, b) => a - b);

// Every account, eagerly: the probes go out `window` at a time (recoveries are capped by the runtime).
const eagerStart = performance.now();
const window = 4_000;
for (let from = 0; from < count; from += window) {
  const batch: Promise<unknown>[] = [];
  for (let i = from; i < Math.min(count, from + window); i++) {
    batch.push(accounts.send(accountId(i), probe(i)).then((o) => {
      if (o.status !== 'duplicate') throw new Error(`probe of account ${i}: ${JSON.stringify(o)}`);
    }));
  }
  await Promise.all(batch);
}
const eagerSeconds = (performance.now() - eagerStart) / 1000;

// Each account holds `events - 1` booked credits of (s + 0.25) for s = 2..events.
let expected = new BigNumber(0);
for (let s = 2; s <= events; s++) expected = expected.plus(s + 0.25);
let checked = 0;
for (let k = 0; k < 1_000; k++) {
  const i = Math.floor(random() * count);
  const p = accounts.state(accountId(i));
  const s = p?.state;
  if (s?.status !== 'open' || !s.bank.isEqualTo(expected) || p!.seq !== events) {
    throw new Error(`account ${i} recovered as seq ${p?.seq}, bank ${s?.status === 'open' ? s.bank.toFixed() : s?.status}; expected ${events}, ${expected.toFixed()}`);
  }
  checked++;
}
const mem = memory();
await accounts.stop();
await journal.close();
await db.close();

const at = (p: number) => Number((cold[Math.min(cold.length - 1, Math.floor(cold.length * p))] ?? NaN).toFixed(2));
console.log(JSON.stringify({
  process_start_to_db_ms: Math.round(started),
  db_open_and_migrate_ms: Math.round(opened - started),
  process_start_to_ready_ms: Math.round(ready),
  first_answer_ms: Number((ready - opened).toFixed(2)),
  cold_answer: { n: cold.length, p50_ms: at(0.5), p99_ms: at(0.99) },
  eager_recovery_seconds: Number(eagerSeconds.toFixed(3)),
  eager_accounts_per_s: Math.round(count / eagerSeconds),
  eager_events_per_s: Math.round((count * events) / eagerSeconds),
  checked_accounts: checked,
  after_eager: mem,
}));
