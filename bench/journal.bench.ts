// What group commit buys on the journal: durable rows/s with one event per transaction against
// 1,000 events per transaction, and through GroupCommitter with many actors each appending one
// event at a time (the shape the actors produce). On PostgreSQL (DATABASE_URL, else the local
// postgres://root@127.0.0.1:5432/test, in a throw-away schema) and on PGlite in a temporary data
// directory on disk (the embedded mode's durability, not memory).
//
//   npm run bench -- journal [seconds-per-case, default 3] [pglite|postgres]
//
// One JSON line per (engine, case). Reference: shared/notes/building-block-speeds.md measured
// ~2,000 rows/s single-row and ~46,000 rows/s for 1,000-row INSERTs with pg on this machine.

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import type { PendingEvent } from '../actors/journal.ts';
import { openDatabase, type Database } from '../adapters/db/database.ts';
import { GroupCommitter } from '../adapters/db/group-commit.ts';
import { PgJournal } from '../adapters/db/journal.ts';
import { migrate } from '../adapters/db/migrate.ts';
import type { Bench } from './run.ts';

const PG_URL = process.env['DATABASE_URL'] || 'postgres://root@127.0.0.1:5432/test';

// About the size of a booked camt.054 entry event.
function payload(i: number): unknown {
  return {
    amount: `${(i % 100_000) + 1}.${String(i % 100).padStart(2, '0')}`,
    currency: 'EUR',
    direction: 'CRDT',
    endToEndId: `E2E-${i}`,
    acctSvcrRef: `REF-${i}-20261124`,
    bookingDate: '2026-11-24',
    valueDate: '2026-11-24',
    counterparty: { name: 'ACME Trading GmbH', iban: 'DE89370400440532013000', bic: 'COBADEFFXXX' },
  };
}

interface Result {
  readonly rows: number;
  readonly seconds: number;
  readonly transactions: number;
}

async function timed(seconds: number, body: (deadline: number) => Promise<{ rows: number; transactions: number }>): Promise<Result> {
  const start = performance.now();
  const { rows, transactions } = await body(start + seconds * 1000);
  return { rows, transactions, seconds: (performance.now() - start) / 1000 };
}

async function cases(engine: string, db: Database, seconds: number): Promise<void> {
  const journal = new PgJournal(db);
  let next = 0;
  const ev = (actor: string, seq: number): PendingEvent => ({ actor, seq, messageId: `m${next}`, type: 'BankEntryBooked', payload: payload(next++) });
  const print = (name: string, r: Result, extra: Record<string, unknown> = {}) =>
    console.log(
      JSON.stringify({
        bench: 'journal',
        engine,
        case: name,
        rows: r.rows,
        transactions: r.transactions,
        seconds: Number(r.seconds.toFixed(3)),
        rows_per_s: Math.round(r.rows / r.seconds),
        ...extra,
      }),
    );

  // Warm-up: connections, plans, WASM JIT.
  for (let i = 1; i <= 50; i++) await journal.append([ev('warmup', i)]);

  const single = await timed(seconds, async (deadline) => {
    let rows = 0;
    for (let seq = 1; performance.now() < deadline; seq++) {
      await journal.append([ev('single', seq)]);
      rows++;
    }
    return { rows, transactions: rows };
  });
  print('single-event-tx', single);

  const batched = await timed(seconds, async (deadline) => {
    let rows = 0;
    let transactions = 0;
    for (let b = 0; performance.now() < deadline; b++) {
      // 1,000 events of 100 actors, 10 each, as a batch of the group committer would hold.
      const events: PendingEvent[] = [];
      for (let k = 0; k < 10; k++) for (let a = 0; a < 100; a++) events.push(ev(`batch:${a}`, b * 10 + k + 1));
      await journal.append(events);
      rows += events.length;
      transactions++;
    }
    return { rows, transactions };
  });
  print('group-commit-1000', batched, { speedup: Number((batched.rows / batched.seconds / (single.rows / single.seconds)).toFixed(1)) });

  // The actors' shape: 2,000 actors, each appending one event at a time and awaiting it.
  const gc = new GroupCommitter(new PgJournal(db), { maxBatch: 1_000, maxQueued: 10_000 });
  const latencies: number[] = [];
  const concurrent = await timed(seconds, async (deadline) => {
    let rows = 0;
    await Promise.all(
      Array.from({ length: 2_000 }, async (_, a) => {
        for (let seq = 1; performance.now() < deadline; seq++) {
          const t0 = performance.now();
          await gc.append([ev(`gc:${a}`, seq)]);
          latencies.push(performance.now() - t0);
          rows++;
        }
      }),
    );
    return { rows, transactions: gc.stats.batches };
  });
  latencies.sort((x, y) => x - y);
  const pct = (p: number) => Number((latencies[Math.min(latencies.length - 1, Math.floor(latencies.length * p))] ?? 0).toFixed(2));
  print('group-committer-2000-actors', concurrent, {
    mean_batch: Math.round(concurrent.rows / Math.max(1, gc.stats.batches)),
    p50_ms: pct(0.5),
    p99_ms: pct(0.99),
  });
  await gc.close();
}

const bench: Bench = {
  description: 'journal rows/s: one event per transaction vs group commit of 1,000 (PostgreSQL and PGlite)',
  async run(args) {
    const seconds = Number(args[0] ?? 3);
    const only = args[1];

    if (only === undefined || only === 'postgres') {
      const schema = `bench_journal_${process.pid}`;
      let db: Database | null = null;
      try {
        db = await openDatabase({ url: PG_URL, schema, poolSize: 4 });
        await migrate(db);
        await cases('postgres', db, seconds);
      } catch (err) {
        console.log(JSON.stringify({ bench: 'journal', engine: 'postgres', error: (err as Error).message }));
      } finally {
        await db?.close();
        const admin = new pg.Client({ connectionString: PG_URL });
        await admin.connect().then(
          () => admin.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`),
          () => undefined,
        );
        await admin.end().catch((e: unknown) => console.error('bench: closing the admin connection failed:', e));
      }
    }

    if (only === undefined || only === 'pglite') {
      const dir = mkdtempSync(join(tmpdir(), 'deltran-bench-pglite-'));
      try {
        const db = await openDatabase({ dataDir: dir });
        await migrate(db);
        await cases('pglite', db, seconds);
        await db.close();
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    }
  },
};

export default bench;
