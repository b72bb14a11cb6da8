// Reconciliation (issue 4): tier-1 latency and tier 2 over 100,000 accounts.
//
//   npm run bench -- reconciliation [rate=5000] [seconds=4] [accounts=100000] [pglite|postgres] [entries=10000]
//   BENCH_RECON_PARTS=tier1 npm run bench -- reconciliation 5000 4   (only tier 1; default all three)
//
// tier1: the running service (startService) on PostgreSQL (PGlite when it is unreachable or asked
//   for), 1,000 accounts; the seed's camt.054 JSON sent in process (ReconciliationService.camt054,
//   what the HTTP route calls after parsing) at `rate` per second, paced per millisecond, each
//   timed from its arrival to its result (the command journaled, the comparison on the new state).
//   Credits and debits of 1.00 alternate so every account changes level now and then (a check
//   journaled). One JSON line: p50/p99/max, achieved rate.
// tier2: the tier-2 loop (actors/reconciliation/tier2.ts) over `accounts` figures as the balance
//   index holds them, against the mock bank (faults off), 1% of the accounts drifted Significant:
//   the steady run (levels already known; only the changed accounts cost a command, here counted by
//   a stub that answers appended at once, as the actors' sends are measured in bench/actors) and the
//   first run after a start (every account UNCHECKED, so every one is told). One JSON line.
// tier3: the running service as tier1, one account (EUR 1,000,000,000.00 on both sides), 10,000
//   camt.054 bookings journaled first through the account actor (RecordBankEntry, as the pipeline
//   sends them; 5,000 credits then the 5,000 debits of the same amounts, so the bank figure ends
//   where it began), then ONE camt.053.001.08 statement of those entries through the pipeline
//   (ingestDelivery with the service's ingest ports), altered: 5 bookings left out, 5 with another
//   amount, 2 booked twice, the changed amounts chosen so the closing still equals the ledger (no
//   BALANCE_MISMATCH). Timed: read+validate of the statement alone (readBuffer, the pipeline's
//   first step; first in the process, then again), the journal read of what tier 1 recorded alone,
//   then arrival to StatementReconciled durable and to its discrepancy rows written (records.flush). The discrepancies, in the event
//   and in the rows, must be exactly the planted ones, or the bench throws. One JSON line.

import BigNumber from 'bignumber.js';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { monitorEventLoopDelay, performance } from 'node:perf_hooks';
import { accountActorId } from '../actors/account/model.ts';
import type { Figures } from '../actors/reconciliation/balance-index.ts';
import { bankRefOf, Tier2 } from '../actors/reconciliation/tier2.ts';
import { writeCamt053 } from '../adapters/bank/camt053.ts';
import { MockBank } from '../adapters/bank/mock-bank.ts';
import { DeadLetters } from '../adapters/db/dead-letters.ts';
import { journaledStatement, JournalRecordedEntries } from '../adapters/db/statement-queries.ts';
import { startService, type Service } from '../adapters/service.ts';
import { profiled } from './profile.ts';
import { ingestDelivery, type IngestOptions } from '../streams/ingest/pipeline.ts';
import { statementIdentity } from '../streams/ingest/statement.ts';
import type { Camt054Entry } from '../streams/iso20022/writers/camt054.ts';
import { readBuffer } from '../streams/iso20022/reader.ts';
import type { Delivery } from '../streams/source.ts';
import { PG_URL, postgresProblem } from '../test/helpers/postgres.ts';
import type { Bench } from './run.ts';

function quantile(sorted: readonly number[], q: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;
}

const r3 = (n: number) => Math.round(n * 1000) / 1000;

/** The running service on `engine` for `fn`, then stopped and its schema or directory removed. */
async function withService(engine: string, fn: (service: Service) => Promise<void>): Promise<void> {
  const intake = { natsUrl: false, inboxDir: false, redisUrl: false } as const;
  const dir = engine === 'pglite' ? mkdtempSync(join(tmpdir(), 'deltran-bench-recon-')) : null;
  const schema = `bench_recon_${Date.now().toString(36)}`;
  const service: Service = dir !== null
    ? await startService({ host: '127.0.0.1', port: 0, dataDir: dir, databaseUrl: '', logger: false, intake })
    : await startService({ host: '127.0.0.1', port: 0, databaseUrl: PG_URL, schema, logger: false, intake });
  try {
    await fn(service);
  } finally {
    await service.stop();
    if (dir !== null) rmSync(dir, { recursive: true, force: true });
    else {
      const pg = (await import('pg')).default;
      const admin = new pg.Client({ connectionString: PG_URL });
      await admin.connect();
      await admin.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
      await admin.end();
    }
  }
}

async function tier1(rate: number, seconds: number, engine: string): Promise<void> {
  await withService(engine, async (service) => {
    const ACCOUNTS = 1_000;
    const one = new BigNumber('1000000.00');
    await Promise.all(Array.from({ length: ACCOUNTS }, (_, i) => {
      const ref = { scheme: 'OTHER' as const, id: `R${i}`, currency: 'AED' };
      return service.accounts.send(accountActorId(ref), { type: 'OpenAccount', messageId: 'open', ref, accountType: 'settlement', ledger: one, bank: one });
    }));
    await service.db.query(
      `INSERT INTO emi_accounts (bank_id, account_number, currency, country_code, account_type)
       SELECT 'BANK', 'R' || i, 'AED', 'AE', 'settlement' FROM generate_series(0, $1::int - 1) i`, [ACCOUNTS]);
    const recon = service.reconciliation;
    let seq = 0;
    const send = async (): Promise<number> => {
      const n = seq++;
      const t0 = performance.now();
      const a = await recon.camt054({
        messageId: `B${n}`, accountId: `R${n % ACCOUNTS}`, currency: 'AED', direction: Math.floor(n / ACCOUNTS) % 2 === 0 ? 'CRDT' : 'DBIT',
        amount: new BigNumber('1.00'), creationDateTime: '2025-11-20T10:00:00Z', bankReference: `REF${n}`, endToEndId: null, bookingDate: null,
      });
      if (!a.ok) throw new Error(`${a.code}: ${a.message}`);
      return performance.now() - t0;
    };
    // Warm-up: the directory cache, the actors' first turns, the JIT. Then quiet until what the
    // warm-up queued is written (discrepancy rows): otherwise the timed phase starts by paying for it.
    for (let i = 0; i < 2 * ACCOUNTS; i += 200) await Promise.all(Array.from({ length: 200 }, send));
    await service.records.flush();
    await new Promise((r) => setTimeout(r, 500));
    const latencies: number[] = [];
    const pending: Promise<void>[] = [];
    // On the shared 2-core machine the tail follows CPU starvation: the process's CPU per message,
    // its share of a core and the event loop's delay say whether a run measured the code or the load.
    const loopDelay = monitorEventLoopDelay({ resolution: 1 });
    loopDelay.enable();
    const cpu0 = process.cpuUsage();
    const started = performance.now();
    const total = rate * seconds;
    let sent = 0;
    await profiled('reconciliation-tier1', async () => {
      while (sent < total) {
        const due = Math.min(total, Math.floor(((performance.now() - started) / 1000) * rate) + 1);
        for (; sent < due; sent++) pending.push(send().then((ms) => { latencies.push(ms); }));
        await new Promise((r) => setTimeout(r, 1));
      }
      await Promise.all(pending);
    });
    const elapsed = (performance.now() - started) / 1000;
    const cpu = process.cpuUsage(cpu0);
    loopDelay.disable();
    latencies.sort((a, b) => a - b);
    console.log(JSON.stringify({
      bench: 'reconciliation', part: 'tier1', engine: service.db.engine, accounts: ACCOUNTS, target_rate: rate,
      messages: latencies.length, achieved_rate: Math.round(latencies.length / elapsed),
      p50_ms: r3(quantile(latencies, 0.5)), p99_ms: r3(quantile(latencies, 0.99)), max_ms: r3(latencies.at(-1)!),
      cpu_share: r3((cpu.user + cpu.system) / 1e6 / elapsed), cpu_us_per_msg: Math.round((cpu.user + cpu.system) / latencies.length),
      loop_delay_p99_ms: r3(loopDelay.percentile(99) / 1e6),
    }));
  });
}

async function tier2(accounts: number): Promise<void> {
  const mock = new MockBank();
  const one = new BigNumber('1000000.00');
  const figures: Figures[] = [];
  for (let i = 0; i < accounts; i++) {
    const ref = { scheme: 'OTHER' as const, id: `T${i}`, currency: 'EUR' };
    figures.push({ actor: accountActorId(ref), ref, type: 'settlement', ledger: one, bank: one, status: 'OK', breakerOpen: false, seq: 1 });
    mock.openAccount(bankRefOf(ref), { opening: one, notify: false });
  }
  for (let i = 0; i < accounts; i += 100) mock.drift(bankRefOf(figures[i]!.ref), new BigNumber('-1000.00'));
  let commands = 0;
  const ports = {
    bankOf: () => mock,
    observe: async () => {
      commands++;
      return { status: 'appended' as const, seq: 2, events: [] };
    },
  };
  const loop = new Tier2();
  await loop.run(figures.slice(0, 1_000), ports); // JIT warm-up
  commands = 0;
  const heap0 = process.memoryUsage().heapUsed;
  const steady = await loop.run(figures, ports);
  const steadyCommands = commands;
  for (const f of figures) f.status = 'UNCHECKED';
  commands = 0;
  const first = await new Tier2().run(figures, ports);
  console.log(JSON.stringify({
    bench: 'reconciliation', part: 'tier2', accounts, bank: 'mock (faults off)', drifted: Math.ceil(accounts / 100),
    steady_run_ms: steady.durationMs, steady_commands: steadyCommands, steady_counts: steady.counts,
    first_run_ms: first.durationMs, first_run_commands: commands,
    history_heap_mb: Math.round((process.memoryUsage().heapUsed - heap0) / 1e5) / 10,
  }));
}

/** Planted in the tier-3 statement: the discrepancies it must yield, by type. */
const PLANTED = { MISSING_TXN: 5, AMOUNT_MISMATCH: 5, DUPLICATE_TXN: 2 } as const;

function countTypes(types: Iterable<string>): Record<string, number> {
  const out: Record<string, number> = {};
  for (const t of types) out[t] = (out[t] ?? 0) + 1;
  return out;
}

function samePlanted(found: Record<string, number>): boolean {
  const keys = new Set([...Object.keys(found), ...Object.keys(PLANTED)]);
  return [...keys].every((k) => found[k] === (PLANTED as Record<string, number>)[k]);
}

async function tier3(entries: number, engine: string): Promise<void> {
  if (entries % 2 !== 0 || entries < 100) throw new Error('tier3: entries must be even and at least 100');
  await withService(engine, async (service) => {
    const DAY = '2025-11-20';
    const CCY = 'EUR';
    const MSG_ID = 'STMT-T3-20251120';
    const STMT_ID = 'STMT-T3-20251120-1';
    const ref = { scheme: 'OTHER' as const, id: 'RECON-T3-0001', currency: CCY };
    const actor = accountActorId(ref);
    const figure = new BigNumber('1000000000.00');
    const opened = await service.accounts.send(actor, { type: 'OpenAccount', messageId: 'open', ref, accountType: 'settlement', ledger: figure, bank: figure });
    if (opened.status !== 'appended') throw new Error(`tier3: OpenAccount ${opened.status}`);
    await service.db.query(
      `INSERT INTO emi_accounts (bank_id, account_number, currency, country_code, account_type) VALUES ('BANK', $1, $2, 'DE', 'settlement')`, [ref.id, CCY]);

    // Credits first, then debits of the same amounts: the bank figure ends where it began.
    const half = entries / 2;
    const amountOf = (i: number) => new BigNumber(100 + ((i % half) * 7919) % 90_000).shiftedBy(-2);
    const booked: Camt054Entry[] = Array.from({ length: entries }, (_, i) => ({
      amount: amountOf(i), currency: CCY, direction: i < half ? 'CRDT' as const : 'DBIT' as const, status: 'BOOK' as const,
      bookingDate: DAY, valueDate: DAY, accountServicerReference: `ASR${String(i).padStart(6, '0')}`, endToEndId: `E2E-T3-${i}`,
    }));

    // Tier 1: each booking as the pipeline sends a camt.054 entry (RecordBankEntry), 500 in flight.
    const t1 = performance.now();
    for (let i = 0; i < entries; i += 500) {
      const outcomes = await Promise.all(booked.slice(i, i + 500).map((e, j) => service.accounts.send(actor, {
        type: 'RecordBankEntry', messageId: `camt054:N${i + j}`, currency: CCY, status: 'BOOK',
        entry: {
          key: e.accountServicerReference, amount: e.amount, direction: e.direction, reversal: false,
          endToEndId: e.endToEndId ?? null, uetr: null, accountServicerReference: e.accountServicerReference, bookingDate: DAY,
        },
      })));
      const bad = outcomes.find((o) => o.status !== 'appended');
      if (bad !== undefined) throw new Error(`tier3: a booking was ${bad.status}: ${JSON.stringify(bad)}`);
    }
    const tier1Ms = performance.now() - t1;
    await service.records.flush();

    // The statement: 5 left out, 2 twice, 5 with another amount (the changes sum to what the other
    // two alterations moved, so opening + entries = closing = the ledger).
    const missing = [10, 11, 12, 13, 14];
    const twice = [20, 21];
    const changed = [30, 31, 32, 33, 34];
    const sumOf = (ix: number[]) => ix.reduce((s, i) => s.plus(booked[i]!.amount), new BigNumber(0));
    const deltas = [1, 2, 3, 4].map((d) => new BigNumber(d));
    const last = sumOf(missing).minus(sumOf(twice)).minus(10);
    deltas.push(last);
    if (last.isZero() || booked[34]!.amount.plus(last).lte(0)) throw new Error(`tier3: the fifth amount change (${last.toFixed()}) does not work for these amounts`);
    const onStatement: Camt054Entry[] = [];
    for (let i = 0; i < entries; i++) {
      if (missing.includes(i)) continue;
      const c = changed.indexOf(i);
      const e = c < 0 ? booked[i]! : { ...booked[i]!, amount: booked[i]!.amount.plus(deltas[c]!) };
      onStatement.push(e);
      if (twice.includes(i)) onStatement.push(e);
    }
    const written = writeCamt053({
      messageId: MSG_ID, creationDateTime: `${DAY}T23:30:00Z`, statementId: STMT_ID, electronicSequenceNumber: 1,
      account: { other: { id: ref.id }, currency: CCY },
      opening: { amount: figure, date: DAY }, closing: { amount: figure, date: DAY }, entries: onStatement,
    });
    if (!written.ok) throw new Error(`tier3: writeCamt053 refused: ${JSON.stringify(written.errors.slice(0, 3))}`);
    const data = Buffer.from(written.xml, 'utf8');

    // The parts alone (the pipeline does them inside ingestDelivery): read+validate, journal read.
    const r0 = performance.now();
    const read = readBuffer(data, { summarize: false });
    const readMs = performance.now() - r0;
    const r1 = performance.now();
    readBuffer(data, { summarize: false });
    const readWarmMs = performance.now() - r1;
    if (read.length !== 1 || !read[0]!.ok || read[0]!.type !== 'camt.053') {
      throw new Error(`tier3: the statement does not read cleanly: ${JSON.stringify(read.map((r) => ({ type: r.type, findings: r.findings.slice(0, 3) })))}`);
    }
    const statements = new JournalRecordedEntries(service.db);
    const q0 = performance.now();
    const recorded = await statements.recorded(actor, DAY, DAY);
    const journalReadMs = performance.now() - q0;
    if (recorded.length !== entries) throw new Error(`tier3: the journal holds ${recorded.length} bookings of the day, not ${entries}`);

    // The pipeline's path, with the service's ingest ports.
    const options: IngestOptions = { accounts: service.accounts, deadLetters: new DeadLetters(service.db), statements, ...service.intakes.ingestExtras };
    let settled: unknown = null;
    const delivery: Delivery = {
      id: 'bench-tier3', source: 'bench', subject: 'camt.053', headers: new Map(), data, receivedAt: new Date(),
      deliveryCount: 1, redelivered: false, settle: async (o) => { settled = o; },
    };
    const a0 = performance.now();
    const report = await ingestDelivery(delivery, options);
    const durableMs = performance.now() - a0;
    await service.records.flush();
    const rowsMs = performance.now() - a0;
    if (report.verdict !== 'applied' || settled !== 'ack' || report.entries.appended !== 1) {
      throw new Error(`tier3: the statement was not applied: ${JSON.stringify({ ...report, settled })}`);
    }

    const journaled = await journaledStatement(service.db, actor, statementIdentity({ messageId: MSG_ID, statementId: STMT_ID, date: DAY }));
    if (journaled === null) throw new Error('tier3: no StatementReconciled journaled');
    const { event } = journaled;
    const inEvent = countTypes(event.discrepancies.map((d) => d.type));
    const { rows } = await service.db.query<{ discrepancy_type: string }>(
      `SELECT discrepancy_type FROM reconciliation_discrepancies WHERE source_key LIKE $1`, [`${actor}:${journaled.seq}:%`]);
    const inRows = countTypes(rows.map((r) => r.discrepancy_type));
    const line = {
      bench: 'reconciliation', part: 'tier3', engine: service.db.engine, entries_booked_tier1: entries, statement_entries: onStatement.length,
      statement_mb: Math.round(data.length / 1e5) / 10, tier1_journal_ms: Math.round(tier1Ms),
      read_validate_ms: r3(readMs), read_validate_again_ms: r3(readWarmMs), journal_read_ms: r3(journalReadMs),
      arrival_to_durable_ms: r3(durableMs), arrival_to_rows_ms: r3(rowsMs),
      entries_matched: event.matched, entries_unmatched: event.discrepancies.filter((d) => d.type !== 'BALANCE_MISMATCH' && d.type !== 'SEQUENCE_GAP').length,
      level: event.check.level, discrepancies_event: inEvent, discrepancies_rows: inRows, planted: PLANTED,
    };
    console.log(JSON.stringify(line));
    const matchedExpected = entries - missing.length - changed.length;
    if (!samePlanted(inEvent) || !samePlanted(inRows) || event.matched !== matchedExpected) {
      throw new Error(`tier3: FAILED: the discrepancies are not the planted ones (or matched ${event.matched} ≠ ${matchedExpected}): ${JSON.stringify(line)}`);
    }
  });
}

const bench: Bench = {
  description: 'tier-1 camt.054 latency p50/p99 at a paced rate; tier 2 over 100,000 accounts against the mock bank; tier 3 of a 10,000-entry camt.053',
  // The service as `npm start` runs it: its young generation is 64 MB, so scavenges come ~4x less
  // often (each one stops the loop for a few ms, which is what a tier-1 p99 is made of).
  nodeFlags: ['--max-semi-space-size=64'],
  async run(args) {
    const rate = Number(args[0] ?? 5_000);
    const seconds = Number(args[1] ?? 4);
    const accounts = Number(args[2] ?? 100_000);
    const asked = args[3];
    const statementEntries = Number(args[4] ?? 10_000);
    const engine = asked ?? ((await postgresProblem()) === null ? 'postgres' : 'pglite');
    // BENCH_RECON_PARTS=tier1 (or tier1,tier3 ...): only those parts, e.g. to repeat tier 1 alone.
    const parts = new Set((process.env['BENCH_RECON_PARTS'] ?? 'tier1,tier2,tier3').split(',').map((x) => x.trim()));
    if (parts.has('tier2')) await tier2(accounts);
    if (parts.has('tier1')) await tier1(rate, seconds, engine);
    if (parts.has('tier3')) await tier3(statementEntries, engine);
  },
};

export default bench;
