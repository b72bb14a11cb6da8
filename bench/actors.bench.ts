// 100,000 account actors on PostgreSQL (a fresh schema): how long they take to spawn, what they
// cost in memory idle, and how fast a restarted process is ready with 1,000,000 journaled events.
//
//   npm run bench -- actors [accounts, default 100000] [events per account, default 10] [all|memory]
//
// Cases (one JSON line each):
// - `spawn-runtime`: the bare runtime (runtime/sharded.ts, 128 shards) spawning `accounts` actors
//   whose behaviour only answers: spawn cost without the journal.
// - `open`: `accounts` accounts opened through Accounts.send OpenAccount (spawn + decide + one
//   journaled AccountOpened each, group committed), 2,000 at a time; then RSS after a full GC with
//   them all live and idle (passivated: nact actor stopped, state, registry and side index kept;
//   none evicted): `rss_at_passivation_mb` at once, `rss_idle_mb` after 15 s of quiet (V8's memory
//   reducer shrinks and partly compacts what the burst left), `rss_idle_compacted_mb` after a
//   compacting GC (memory.ts). Floor: `rss_idle_mb` under 300 MB (the whole process: Node, tsx,
//   pg, the actors).
// - `setup`: the remaining events (events per account − 1 booked credits each, seq 2..n) written
//   straight into the journal by one INSERT … SELECT per 100,000 rows, in the form the account event
//   codec writes (payload `{"entry": {...}}`, amounts as strings). Not a figure of merit.
// - `restart`: a new Node process (bench/actors-restart.ts) opens the database and the runtime and
//   answers its first command. "Ready" = the service answers the first command for any account:
//   recovery is lazy per actor (latest snapshot + the events after it), so that is one account's
//   recovery, not the journal's. Floor: ready in under 5 s from process start. Then cold first
//   answers for random accounts (p50/p99), and every account recovered eagerly (a duplicate
//   OpenAccount each, which needs the recovered state and writes nothing), checked against the
//   balance the setup implies. Snapshots every 100 events (the default): with 10 events per account
//   no snapshot exists, so recovery replays each account's whole journal.
//
// The machine is shared and has 2 cores: absolute figures move by ±30% between runs.

import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import pg from 'pg';
import { Accounts } from '../actors/account/actor.ts';
import { DUPLICATE } from '../actors/runtime/outcome.ts';
import { ShardedActors } from '../actors/runtime/sharded.ts';
import { openDatabase, type Database } from '../adapters/db/database.ts';
import { GroupCommitter } from '../adapters/db/group-commit.ts';
import { PgJournal } from '../adapters/db/journal.ts';
import { migrate } from '../adapters/db/migrate.ts';
import { openAccounts } from './accounts-fixture.ts';
import { memory, settled } from './memory.ts';
import type { Bench } from './run.ts';

const PG_URL = process.env['DATABASE_URL'] || 'postgres://root@127.0.0.1:5432/test';
const print = (line: Record<string, unknown>): void => console.log(JSON.stringify({ bench: 'actors', ...line }));
const seconds = (t0: number): number => Number(((performance.now() - t0) / 1000).toFixed(3));

async function spawnRuntime(count: number): Promise<void> {
  const before = memory();
  const actors = new ShardedActors<null, number, never>({
    kind: 'spawn',
    shards: 128,
    create: () => ({ handle: async (_c, settle) => settle(DUPLICATE) }),
  });
  const t0 = performance.now();
  const window = 10_000;
  for (let from = 0; from < count; from += window) {
    const batch: Promise<unknown>[] = [];
    for (let i = from; i < Math.min(count, from + window); i++) batch.push(actors.send(`spawn:${i}`, i));
    await Promise.all(batch);
  }
  const spawnSeconds = seconds(t0);
  const after = memory();
  await actors.stop();
  print({
    case: 'spawn-runtime', actors: count, seconds: spawnSeconds, spawns_per_s: Math.round(count / spawnSeconds),
    rss_mb: after.rss_mb, rss_delta_mb: after.rss_mb - before.rss_mb, heap_delta_mb: after.heap_used_mb - before.heap_used_mb,
    bytes_per_actor_heap: Math.round(((after.heap_used_mb - before.heap_used_mb) * 1048576) / count),
  });
}

const PASSIVATE_AFTER_MS = 2_000;

async function open(db: Database, count: number): Promise<void> {
  await migrate(db);
  const before = memory();
  const journal = new GroupCommitter(new PgJournal(db));
  const accounts = new Accounts({ journal, passivateAfterMs: PASSIVATE_AFTER_MS });
  const t0 = performance.now();
  await openAccounts(accounts, count);
  const openSeconds = seconds(t0);
  const active = memory();
  // Idle: the runtime passivates their nact actors; state, registry and side index stay.
  await new Promise((r) => setTimeout(r, PASSIVATE_AFTER_MS * 2));
  const idle = memory();
  // Steady idle: the same accounts, all still live (nothing evicted), once V8 has compacted the
  // garbage of the burst (see memory.ts). This is the figure the floor is about.
  const { quiet: steady, compacted } = await settled();
  const perAccount = (m: typeof idle) => Math.round(((m.heap_used_mb - before.heap_used_mb) * 1048576) / count);
  print({
    case: 'open', accounts: count, seconds: openSeconds, opens_per_s: Math.round(count / openSeconds),
    rss_idle_mb: steady.rss_mb, floor_rss_mb: 300, rss_before_mb: before.rss_mb,
    rss_at_passivation_mb: idle.rss_mb, rss_idle_compacted_mb: compacted.rss_mb, rss_all_nact_actors_live_mb: active.rss_mb,
    heap_used_idle_mb: steady.heap_used_mb, heap_total_idle_mb: steady.heap_total_mb, heap_total_idle_compacted_mb: compacted.heap_total_mb,
    heap_total_at_passivation_mb: idle.heap_total_mb, heap_used_before_mb: before.heap_used_mb,
    heap_bytes_per_account_idle: perAccount(steady), heap_bytes_per_account_live: perAccount(active),
    passivate_after_ms: PASSIVATE_AFTER_MS, passivated: accounts.stats.passivated, live: accounts.tree().actors,
  });
  await accounts.stop();
  await journal.close();
}

/** Booked credits seq 2..events for every opened account, 100,000 rows per statement. */
async function setup(db: Database, count: number, events: number): Promise<void> {
  const t0 = performance.now();
  const perStatement = Math.max(1, Math.floor(100_000 / (events - 1)));
  for (let from = 0; from < count; from += perStatement) {
    await db.query(
      `INSERT INTO journal (actor, seq, message_id, type, payload)
       SELECT o.actor, s, 'bench/' || o.actor || '/' || s, 'BankEntryBooked',
              jsonb_build_object('entry', jsonb_build_object(
                'key', 'K' || s, 'amount', s || '.25', 'direction', 'CRDT', 'reversal', false,
                'endToEndId', 'E2E-' || s, 'uetr', NULL, 'accountServicerReference', 'K' || s, 'bookingDate', '2024-10-18'))
       FROM (SELECT actor FROM journal WHERE seq = 1 ORDER BY actor OFFSET $1 LIMIT $2) o, generate_series(2, $3::int) s`,
      [from, perStatement, events],
    );
  }
  await db.query('ANALYZE journal');
  const { rows } = await db.query<{ n: string }>('SELECT count(*) AS n FROM journal');
  print({ case: 'setup', journal_events: Number(rows[0]!.n), seconds: seconds(t0) });
}

async function restart(schema: string, count: number, events: number): Promise<void> {
  const script = join(import.meta.dirname, 'actors-restart.ts');
  const { stdout } = await promisify(execFile)(process.execPath, ['--import=tsx', script, schema, String(count), String(events)], {
    cwd: join(import.meta.dirname, '..'),
    maxBuffer: 1 << 20,
  });
  const result = JSON.parse(stdout.trim().split('\n').pop()!) as { process_start_to_ready_ms: number };
  print({ case: 'restart', accounts: count, journal_events: count * events, snapshot_every: 100, floor_ready_ms: 5_000, ...result });
}

const bench: Bench = {
  description: '100k account actors: spawn time, idle RSS, restart with 1M journaled events (ready, eager recovery)',
  async run(args) {
    const count = Number(args[0] ?? 100_000);
    const events = Number(args[1] ?? 10);
    const schema = `bench_actors_${process.pid}`;
    let db: Database | null = null;
    try {
      db = await openDatabase({ url: PG_URL, schema, poolSize: 4 });
      await open(db, count);
      await spawnRuntime(count);
      if (args[2] === 'memory') return;
      await setup(db, count, events);
      await db.close();
      db = null;
      await restart(schema, count, events);
    } finally {
      await db?.close();
      const admin = new pg.Client({ connectionString: PG_URL });
      await admin.connect().then(() => admin.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`), () => undefined);
      await admin.end().catch((e: unknown) => console.error('bench: closing the admin connection failed:', e));
    }
  },
};

export default bench;
