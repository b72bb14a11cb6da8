// The clearing engine under the issue-5 load: 1,000,000 obligations among 1,000 participants in 20
// currencies (seeded), through the path of POST /api/v1/clearing/obligations: JSON batches parsed
// (JSON.parse of the request bodies, 10,000 obligations each) and given to ClearingService.acceptJson
// (validation, duplicate lookup, one ObligationsBatched event per corridor per batch through the
// GroupCommitter, the window's book moved), then the window closed: cut-off → instructions durable
// (the WindowNetted event appended). The read-model projection that follows (1,000,000 obligation
// rows) runs in the background in the service: a tenth of the load is accepted again meanwhile
// (into the next window) to show what it costs the accept path, then the projection is timed
// to its end. BENCH_WARM=0: no netting warm-up at start (adapters/clearing/warm-up.ts).
//
//   npm run bench -- netting [obligations, default 1000000] [batch, default 10000] [in flight, default 4]
//
// Participants are spread over BENCH_COUNTRIES (default AE,GB,US,IN,SG): a single-currency
// obligation between two countries goes to the corridor of that country pair, so five countries
// make 21 corridors per currency: ~420 corridor shares per 10,000-obligation batch, fewer journal
// rows (`journal_events`) because the shares of requests waiting for the same corridor go as one.
//
// `cpu_us_per_obligation` and `close_cpu_ms` are this process's CPU (PGlite runs inside it): on a
// shared machine they compare runs better than the wall-clock figures, which follow `cpu_share`.
// BENCH_JOURNAL_STORAGE=external stores journal payloads uncompressed (weighs pglz; it did not pay).
//
// Journal: PGlite in a temporary directory, or PostgreSQL when DATABASE_URL is set (own schema,
// dropped at the end); the `engine` field says which. JSON lines; the floors of issue 5:
// accumulation ≥ 100,000 obligations/s, close < 200 ms. The machine has 2 shared cores: ±30 %.

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { seededRng } from '../adapters/bank/rng.ts';
import { ClearingService } from '../adapters/clearing-service.ts';
import { openDatabase, type Database } from '../adapters/db/database.ts';
import { GroupCommitter } from '../adapters/db/group-commit.ts';
import { PgJournal } from '../adapters/db/journal.ts';
import { migrate } from '../adapters/db/migrate.ts';
import { parseSchedule } from '../actors/clearing/schedule.ts';
import { efficiency } from '../actors/clearing/window-book.ts';
import { profiled } from './profile.ts';
import type { Bench } from './run.ts';

const print = (line: Record<string, unknown>): void => console.log(JSON.stringify({ bench: 'netting', ...line }));
const round = (x: number, digits = 2): number => Number(x.toFixed(digits));

const CURRENCIES = ['USD', 'EUR', 'GBP', 'JPY', 'CHF', 'AED', 'INR', 'SGD', 'HKD', 'CAD', 'AUD', 'MXN', 'BRL', 'ZAR', 'SEK', 'NOK', 'KWD', 'BHD', 'CNY', 'SAR'];
const COUNTRIES = (process.env['BENCH_COUNTRIES'] ?? 'AE,GB,US,IN,SG').split(',');
const PARTICIPANTS = 1_000;
const FLOOR_PER_S = 100_000;
const FLOOR_CLOSE_MS = 200;

function bicOf(i: number): string {
  // 4 letters of bank code from the index, then the country: unique and valid.
  const letters = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ';
  let code = '';
  let n = i;
  for (let k = 0; k < 4; k++) {
    code += letters[n % 26];
    n = Math.floor(n / 26);
  }
  return `${code}${COUNTRIES[i % COUNTRIES.length]}XX`;
}

async function database(): Promise<{ db: Database; engine: string; cleanup: () => Promise<void> }> {
  const url = process.env['DATABASE_URL'];
  if (url !== undefined && url !== '') {
    const schema = `bench_netting_${process.pid}`;
    const db = await openDatabase({ url, schema, poolSize: 8 });
    return {
      db, engine: 'postgres',
      cleanup: async () => {
        await db.close();
        const admin = new pg.Client({ connectionString: url });
        await admin.connect();
        await admin.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
        await admin.end();
      },
    };
  }
  const dir = mkdtempSync(join(tmpdir(), 'deltran-netting-'));
  const db = await openDatabase({ dataDir: dir });
  return { db, engine: 'pglite', cleanup: async () => { await db.close(); rmSync(dir, { recursive: true, force: true }); } };
}

/** Request bodies as a client would send them (JSON text), built before the clock starts. */
function bodies(total: number, batch: number, seed: number): string[] {
  const rng = seededRng(seed);
  const out: string[] = [];
  let n = 0;
  while (n < total) {
    const items: object[] = [];
    for (let k = 0; k < batch && n < total; k++, n++) {
      const payer = Math.floor(rng() * PARTICIPANTS);
      let payee = Math.floor(rng() * (PARTICIPANTS - 1));
      if (payee >= payer) payee++;
      const currency = CURRENCIES[Math.floor(rng() * CURRENCIES.length)]!;
      // 1.00 to 1,000,000.00 (whole units for JPY, three decimals for KWD/BHD).
      const whole = 1 + Math.floor(rng() * 1_000_000);
      const amount = currency === 'JPY' ? String(whole) : currency === 'KWD' || currency === 'BHD' ? `${whole}.${String(Math.floor(rng() * 1000)).padStart(3, '0')}` : `${whole}.${String(Math.floor(rng() * 100)).padStart(2, '0')}`;
      items.push({ id: `ob-${seed}-${n}`, payer: bicOf(payer), payee: bicOf(payee), currency, amount });
    }
    out.push(JSON.stringify(items));
  }
  return out;
}

const bench: Bench = {
  description: 'clearing: 1M obligations (1,000 participants, 20 currencies) through acceptJson, then the window close',
  // The young generation `npm start` runs with (as bench/ingest).
  nodeFlags: ['--max-semi-space-size=64'],
  async run(args) {
    const total = Number(args[0] ?? 1_000_000);
    const batch = Number(args[1] ?? 10_000);
    const inFlight = Number(args[2] ?? 4);
    const { db, engine, cleanup } = await database();
    try {
      await migrate(db);
      // BENCH_JOURNAL_STORAGE=external: journal payloads stored uncompressed (what a migration
      // `ALTER TABLE journal ALTER COLUMN payload SET STORAGE EXTERNAL` would do), to weigh pglz.
      if (process.env['BENCH_JOURNAL_STORAGE'] === 'external') await db.exec('ALTER TABLE journal ALTER COLUMN payload SET STORAGE EXTERNAL');
      // Participants straight into the tables (registration is not what is measured); caps large
      // enough that nobody is over its limit, so the close is the fast path of the book.
      const bics = Array.from({ length: PARTICIPANTS }, (_, i) => bicOf(i));
      await db.query(
        `INSERT INTO participants (bic, name, country) SELECT b, b, substr(b, 5, 2) FROM unnest($1::text[]) AS t (b)`, [bics],
      );
      await db.query(
        `INSERT INTO participant_debit_caps (bic, currency, cap) SELECT b, c, 1000000000000 FROM unnest($1::text[]) AS t (b) CROSS JOIN unnest($2::text[]) AS u (c)`,
        [bics, CURRENCIES],
      );
      const journal = new GroupCommitter(new PgJournal(db));
      const clock = { t: Date.UTC(2026, 11, 1, 7, 0) };
      const clearing = await ClearingService.open({ db, journal, now: () => clock.t, timers: false, schedule: parseSchedule('00:00,06:00,12:00,18:00', 0), refreshEveryMs: 0, warmUp: process.env['BENCH_WARM'] !== '0' });
      clearing.log = (level, msg, fields) => { if (level !== 'info') console.error(msg, fields); };
      const texts = bodies(total, batch, 42);
      const rss0 = process.memoryUsage().rss;

      // Accumulation: parse each body and accept it, `inFlight` requests at a time.
      let next = 0;
      let accepted = 0;
      let rejected = 0;
      const cpu0 = process.cpuUsage();
      const t0 = performance.now();
      await profiled('netting-accumulate', () => Promise.all(Array.from({ length: inFlight }, async () => {
        while (next < texts.length) {
          const body = texts[next++]!;
          const verdicts = await clearing.acceptJson(JSON.parse(body));
          for (const v of verdicts) if (v.status === 'ACCEPTED') accepted++; else rejected++;
        }
      })));
      const seconds = (performance.now() - t0) / 1000;
      const cpu = process.cpuUsage(cpu0);
      const perS = accepted / seconds;
      const mem = process.memoryUsage();
      print({
        case: 'accumulate', engine, obligations: total, accepted, rejected, batch, in_flight: inFlight, seconds: round(seconds),
        obligations_per_s: Math.round(perS), floor_per_s: FLOOR_PER_S, met: perS >= FLOOR_PER_S,
        journal_events: journal.stats.events, journal_batches: journal.stats.batches,
        cpu_share: round((cpu.user + cpu.system) / 1e6 / seconds), cpu_us_per_obligation: round((cpu.user + cpu.system) / accepted, 1), rss_mb: Math.round(mem.rss / 1e6), rss_growth_mb: Math.round((mem.rss - rss0) / 1e6), heap_used_mb: Math.round(mem.heapUsed / 1e6),
      });

      // Close: cut-off → netting → WindowNetted durable (instructions persisted).
      const cc0 = process.cpuUsage();
      const c0 = performance.now();
      const closed = await profiled('netting-close', () => clearing.closeCurrent());
      const closeMs = performance.now() - c0;
      const closeCpu = process.cpuUsage(cc0);
      const found = await clearing.window(closed.id);
      const result = found!.state.result!;
      let instructions = 0;
      for (const c of result.currencies) instructions += c.units.length;
      const usd = result.currencies.find((c) => c.currency === 'USD');
      print({
        case: 'close', engine, window: closed.id, state: closed.state, close_ms: round(closeMs), close_cpu_ms: round((closeCpu.user + closeCpu.system) / 1000), floor_ms: FLOOR_CLOSE_MS, met: closeMs < FLOOR_CLOSE_MS,
        currencies: result.currencies.length, instructions, excluded: result.excluded.length,
        efficiency_usd: usd === undefined ? null : efficiency(usd.multilateral, usd.gross).toNumber(),
      });

      // The next window fills while the read models of the closed one are written (the service's
      // situation after every cut-off): accumulation again, over a tenth of the obligations.
      const during = bodies(Math.min(total, Math.max(batch, Math.round(total / 10))), batch, 43);
      let nextDuring = 0;
      let acceptedDuring = 0;
      const d0 = performance.now();
      await Promise.all(Array.from({ length: inFlight }, async () => {
        while (nextDuring < during.length) {
          const verdicts = await clearing.acceptJson(JSON.parse(during[nextDuring++]!));
          for (const v of verdicts) if (v.status === 'ACCEPTED') acceptedDuring++;
        }
      }));
      const dSeconds = (performance.now() - d0) / 1000;
      print({ case: 'accumulate_during_projection', engine, accepted: acceptedDuring, seconds: round(dSeconds), obligations_per_s: Math.round(acceptedDuring / dSeconds), ratio_to_first: round(acceptedDuring / dSeconds / perS) });

      // The background read models (window row, positions, instructions, 1M obligation rows).
      const p0 = performance.now();
      await clearing.flushed();
      print({ case: 'projection', engine, obligation_rows: total, seconds: round((performance.now() - p0) / 1000) });
      await clearing.stop();
      await journal.close();
    } finally {
      await cleanup();
    }
  },
};

export default bench;
