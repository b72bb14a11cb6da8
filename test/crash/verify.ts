// What every crash run shares, whatever carried the messages (HTTP or NATS): the child's
// environment, opening the accounts, and the verdict at the end: balances through the API, then a
// graceful stop (SIGTERM must exit 0), then the journal read with SQL (checks.ts).

import type { ExecutionContext } from 'ava';
import { randomBytes } from 'node:crypto';
import { checkBalances, checkJournal, countSnapshots, type Query } from './checks.ts';
import type { RunningService } from './child.ts';
import { sleep } from './http-sender.ts';
import { openingBody, type Plan } from './load.ts';

export interface Engine {
  readonly name: 'pglite' | 'postgres';
  /** The child's environment that selects this database. */
  readonly env: Readonly<Record<string, string>>;
  /** Opens the service's database once the service has stopped. */
  openDatabase(): Promise<{ readonly query: Query; close(): Promise<void> }>;
}

export interface RunOptions {
  readonly seed: number;
  readonly accounts: number;
  readonly messages: number;
  readonly kills: number;
  /** Restarts (after the first kills) killed again while starting; HTTP runs only. */
  readonly startKills: number;
  /** HTTP: requests in flight; NATS: publishes in flight. */
  readonly inflight: number;
  readonly engine: Engine;
}

export interface RunReport {
  readonly plan: Plan;
  readonly timings: Record<string, number>;
}

/**
 * The child's environment: the engine's, plus nothing this machine's environment could slip in
 * (a NATS or Redis of the developer's, an inbox directory), plus an API token of its own, so the
 * run also goes through the bearer check a real deployment has.
 */
export function serviceEnv(engine: Readonly<Record<string, string>>): { env: Record<string, string>; token: string } {
  const token = randomBytes(16).toString('hex');
  return {
    token,
    env: { NATS_URL: '', REDIS_URL: '', INBOX_DIR: 'off', DATA_DIR: '', DATABASE_URL: '', ...engine, DELTRAN_API_TOKEN: token },
  };
}

/** POST every account until 201 (a retried opening is a duplicate, never a second one). */
export async function openAccounts(url: string, token: string, plan: Plan): Promise<void> {
  for (const a of plan.accounts) {
    for (let attempt = 1; ; attempt++) {
      const res = await fetch(`${url}/api/v1/accounts`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
        body: JSON.stringify(openingBody(a)),
        signal: AbortSignal.timeout(30_000),
      });
      const text = await res.text();
      if (res.status === 201) break;
      if (res.status !== 503 || attempt >= 50) throw new Error(`opening ${a.id}: HTTP ${res.status} ${text.slice(0, 500)}`);
      await sleep(100);
    }
  }
}

/** Balances live, graceful stop, journal durable: one assertion over all the problems found. */
export async function verify(t: ExecutionContext, service: RunningService, plan: Plan, engine: Engine, where: string): Promise<void> {
  const live = await checkBalances(service.url, plan);
  const exit = await service.kill('SIGTERM');
  t.deepEqual(exit, { code: 0, signal: null }, `graceful stop, ${where}:\n${service.tail()}`);
  const db = await engine.openDatabase();
  try {
    // One assertion over both lists: ava reports only a test's first failed assertion.
    const problems = [...live.problems, ...await checkJournal(db.query, plan, live.actors)];
    t.deepEqual(problems, [], `balances and journal, ${where}`);
    t.log(`balances and journal checked; ${await countSnapshots(db.query)} snapshots checked against the journal`);
  } finally {
    await db.close();
  }
}
