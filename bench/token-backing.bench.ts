// What the token wiring adds to a start: the backing figure's scan of every client_funds account
// (loadClientFunds: latest snapshot or statement balance + later booked entries, per account), the
// pay-in outbox's pass over every matched pay-in, and the probe for journaled token ledgers; plus
// the memory the figure holds per account. The journal is generated in SQL (generate_series):
// `accounts` accounts (3 in 4 client_funds) with `events` events each (booked entries, 1 in 5 a
// debit, 1 in 10 a matched pay-in whose mint is journaled for half of them), and a snapshot every
// 100 events as the account actors take them. The figure is checked against an independent SQL sum.
//
//   node --expose-gc --import=tsx bench/run.ts token-backing [accounts=100000] [events=10] [pglite|postgres|both]
//
// One JSON line per engine.

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import BigNumber from 'bignumber.js';
import { ClientFundsBacking } from '../actors/tokens/backing.ts';
import { openDatabase, type Database } from '../adapters/db/database.ts';
import { migrate } from '../adapters/db/migrate.ts';
import { JournalPayInOutbox, journaledTokenLedgers, loadClientFunds } from '../adapters/db/token-queries.ts';
import type { Bench } from './run.ts';

const PG_URL = process.env['DATABASE_URL'] || 'postgres://root@127.0.0.1:5432/test';
const SNAPSHOT_EVERY = 100;
const CHUNK = 10_000;

async function generate(db: Database, accounts: number, events: number): Promise<void> {
  for (let from = 1; from <= accounts; from += CHUNK) {
    const to = Math.min(accounts, from + CHUNK - 1);
    await db.query(
      `INSERT INTO journal (actor, seq, message_id, type, payload)
       SELECT 'account:ACC' || a || ':AED', 1, 'open', 'AccountOpened', jsonb_build_object(
         'ref', jsonb_build_object('scheme', 'OTHER', 'id', 'ACC' || a, 'currency', 'AED'),
         'accountType', CASE WHEN a % 4 = 0 THEN 'settlement' ELSE 'client_funds' END, 'ledger', '0', 'bank', '1000')
       FROM generate_series($1::int, $2::int) a`, [from, to]);
    await db.query(
      `INSERT INTO journal (actor, seq, message_id, type, payload)
       SELECT 'account:ACC' || a || ':AED', s, 'e' || s,
         CASE WHEN s % 10 = 0 THEN 'PayInMatched' ELSE 'BankEntryBooked' END,
         jsonb_build_object('entry', jsonb_build_object('key', 'K' || s, 'amount', (s % 100 + 1)::text || '.25',
           'direction', CASE WHEN s % 5 = 1 AND s % 10 <> 0 THEN 'DBIT' ELSE 'CRDT' END, 'reversal', false,
           'endToEndId', 'E' || s, 'uetr', null, 'accountServicerReference', 'K' || s, 'bookingDate', '2024-05-01'))
         || CASE WHEN s % 10 = 0 THEN jsonb_build_object('method', 'END_TO_END_ID', 'payIn', jsonb_build_object(
              'payInId', 'PI' || s, 'participant', 'BANKAEAA', 'amount', (s % 100 + 1)::text || '.25', 'endToEndId', 'E' || s, 'uetr', null))
            ELSE '{}'::jsonb END
       FROM generate_series($1::int, $2::int) a, generate_series(2, $3::int) s`, [from, to, events]);
    // Half the pay-ins already minted (one token stream, seq = a running number).
    await db.query(
      `INSERT INTO journal (actor, seq, message_id, type, payload)
       SELECT 'tokens:AED', row_number() OVER () + coalesce((SELECT max(seq) FROM journal WHERE actor = 'tokens:AED'), 0),
         'mint:account:ACC' || a || ':AED:PI' || s, 'TokensMinted', '{}'::jsonb
       FROM generate_series($1::int, $2::int) a, generate_series(20, $3::int, 20) s WHERE a % 4 <> 0`, [from, to, events]);
    // Snapshots as the actors take them, with the bank figure at that seq.
    await db.query(
      `INSERT INTO snapshots (actor, seq, state)
       SELECT j.actor, k, jsonb_build_object('status', 'open', 'bank', (1000 + sum(
           CASE WHEN j.payload -> 'entry' ->> 'direction' = 'CRDT' THEN 1 ELSE -1 END * (j.payload -> 'entry' ->> 'amount')::numeric))::text)
       FROM generate_series($1::int, $2::int) a CROSS JOIN generate_series(${SNAPSHOT_EVERY}, $3::int, ${SNAPSHOT_EVERY}) k
       JOIN journal j ON j.actor = 'account:ACC' || a || ':AED' AND j.seq BETWEEN 2 AND k
       GROUP BY j.actor, k`, [from, to, events]);
  }
  await db.query('ANALYZE journal');
  await db.query('ANALYZE snapshots');
}

async function expected(db: Database): Promise<BigNumber> {
  const { rows } = await db.query<{ total: string }>(
    `SELECT (sum((o.payload ->> 'bank')::numeric) + coalesce((SELECT sum(CASE WHEN j.payload -> 'entry' ->> 'direction' = 'CRDT' THEN 1 ELSE -1 END
              * (j.payload -> 'entry' ->> 'amount')::numeric) FROM journal j
            WHERE j.type IN ('BankEntryBooked', 'PayInMatched') AND j.actor IN (
              SELECT actor FROM journal WHERE type = 'AccountOpened' AND payload ->> 'accountType' = 'client_funds')), 0))::text AS total
     FROM journal o WHERE o.type = 'AccountOpened' AND o.payload ->> 'accountType' = 'client_funds'`);
  return new BigNumber(rows[0]!.total);
}

async function measure(engine: string, db: Database, accounts: number, events: number): Promise<Record<string, unknown>> {
  await migrate(db);
  let t = performance.now();
  await generate(db, accounts, events);
  const generateS = (performance.now() - t) / 1000;

  // Run with --expose-gc for a meaningful heap figure (the runner passes node flags through).
  globalThis.gc?.();
  const heapBefore = process.memoryUsage().heapUsed;
  t = performance.now();
  const loaded = await loadClientFunds(db);
  const scanMs = performance.now() - t;
  const backing = new ClientFundsBacking(loaded);
  const loadMs = performance.now() - t;
  globalThis.gc?.();
  const heapMb = (process.memoryUsage().heapUsed - heapBefore) / 2 ** 20;
  if (backing.size === 0) throw new Error('nothing loaded');
  const want = await expected(db);
  if (!backing.of('AED').isEqualTo(want)) throw new Error(`${engine}: backing ${backing.of('AED').toFixed()} ≠ ${want.toFixed()}`);

  t = performance.now();
  const outbox = new JournalPayInOutbox(db);
  let unminted = 0;
  let cursor = null as { account: string; seq: number } | null;
  do {
    const page = await outbox.unminted(cursor, 256);
    unminted += page.items.length;
    cursor = page.next;
  } while (cursor !== null);
  const outboxMs = performance.now() - t;
  t = performance.now();
  const ledgers = await journaledTokenLedgers(db);
  const ledgersMs = performance.now() - t;
  const { rows } = await db.query<{ n: string }>('SELECT count(*)::text AS n FROM journal');
  return {
    bench: 'token-backing', engine, accounts, events_per_account: events, journal_rows: Number(rows[0]!.n),
    client_funds_accounts: backing.size, generate_s: +generateS.toFixed(1),
    backing_scan_ms: Math.round(scanMs), backing_ready_ms: Math.round(loadMs), backing_heap_mb: +heapMb.toFixed(1),
    unminted_pay_ins: unminted, outbox_pass_ms: Math.round(outboxMs), ledger_probe_ms: Math.round(ledgersMs), ledgers,
    node: process.version,
  };
}

const bench: Bench = {
  description: 'start-up cost of the token wiring: backing scan, pay-in outbox pass, ledger probe',
  async run(args) {
    const accounts = Number(args[0] ?? 100_000);
    const events = Number(args[1] ?? 10);
    const which = args[2] ?? 'both';
    if (which !== 'pglite') {
      const schema = `bench_tokens_${process.pid}`;
      const db = await openDatabase({ url: PG_URL, schema, poolSize: 2 });
      try {
        console.log(JSON.stringify(await measure('postgres', db, accounts, events)));
      } finally {
        await db.close();
        const admin = new pg.Client({ connectionString: PG_URL });
        await admin.connect();
        await admin.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
        await admin.end();
      }
    }
    if (which !== 'postgres') {
      const dir = mkdtempSync(join(tmpdir(), 'deltran-bench-tokens-'));
      const db = await openDatabase({ dataDir: dir });
      try {
        console.log(JSON.stringify(await measure('pglite', db, accounts, events)));
      } finally {
        await db.close();
        rmSync(dir, { recursive: true, force: true });
      }
    }
  },
};

export default bench;
