// Reconciliation (issue 4): tier-1 latency and tier 2 over 100,000 accounts.
//
//   npm run bench -- reconciliation [rate=5000] [seconds=4] [accounts=100000] [pglite|postgres]
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

import BigNumber from 'bignumber.js';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { accountActorId } from '../actors/account/model.ts';
import type { Figures } from '../actors/reconciliation/balance-index.ts';
import { bankRefOf, Tier2 } from '../actors/reconciliation/tier2.ts';
import { MockBank } from '../adapters/bank/mock-bank.ts';
import { startService, type Service } from '../adapters/service.ts';
import { PG_URL, postgresProblem } from '../test/helpers/postgres.ts';
import type { Bench } from './run.ts';

function quantile(sorted: readonly number[], q: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;
}

const r3 = (n: number) => Math.round(n * 1000) / 1000;

async function tier1(rate: number, seconds: number, engine: string): Promise<void> {
  const intake = { natsUrl: false, inboxDir: false, redisUrl: false } as const;
  const dir = engine === 'pglite' ? mkdtempSync(join(tmpdir(), 'deltran-bench-recon-')) : null;
  const schema = `bench_recon_${Date.now().toString(36)}`;
  const service: Service = dir !== null
    ? await startService({ host: '127.0.0.1', port: 0, dataDir: dir, databaseUrl: '', logger: false, intake })
    : await startService({ host: '127.0.0.1', port: 0, databaseUrl: PG_URL, schema, logger: false, intake });
  try {
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
    // Warm-up: the directory cache, the actors' first turns, the JIT.
    for (let i = 0; i < 2 * ACCOUNTS; i += 200) await Promise.all(Array.from({ length: 200 }, send));
    const latencies: number[] = [];
    const pending: Promise<void>[] = [];
    const started = performance.now();
    const total = rate * seconds;
    let sent = 0;
    while (sent < total) {
      const due = Math.min(total, Math.floor(((performance.now() - started) / 1000) * rate) + 1);
      for (; sent < due; sent++) pending.push(send().then((ms) => { latencies.push(ms); }));
      await new Promise((r) => setTimeout(r, 1));
    }
    await Promise.all(pending);
    const elapsed = (performance.now() - started) / 1000;
    latencies.sort((a, b) => a - b);
    console.log(JSON.stringify({
      bench: 'reconciliation', part: 'tier1', engine: service.db.engine, accounts: ACCOUNTS, target_rate: rate,
      messages: latencies.length, achieved_rate: Math.round(latencies.length / elapsed),
      p50_ms: r3(quantile(latencies, 0.5)), p99_ms: r3(quantile(latencies, 0.99)), max_ms: r3(latencies.at(-1)!),
    }));
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

const bench: Bench = {
  description: 'tier-1 camt.054 latency p50/p99 at a paced rate; tier 2 over 100,000 accounts against the mock bank',
  async run(args) {
    const rate = Number(args[0] ?? 5_000);
    const seconds = Number(args[1] ?? 4);
    const accounts = Number(args[2] ?? 100_000);
    const asked = args[3];
    const engine = asked ?? ((await postgresProblem()) === null ? 'postgres' : 'pglite');
    await tier2(accounts);
    await tier1(rate, seconds, engine);
  },
};

export default bench;
