// One crash run over HTTP, engine-agnostic (the engine is only the child's environment and a way
// to read its database afterwards):
//   start → open the accounts → send with `inflight` POSTs at once; after a random number of
//   acknowledgements (seeded) plus a random 0-40 ms, SIGKILL → restart on the same database →
//   carry on with what was not acknowledged, `kills` times → finish → send EVERYTHING once more
//   (at-least-once: each must now be a pure duplicate) → verify (verify.ts).
//   Variations on the way: from the second kill on, `startKills` restarts are killed again while
//   starting; the last kill interrupts a graceful stop (SIGTERM, then SIGKILL).
// The kill moments come from the seed, but they land on whatever the service is doing at that
// instant (parsing, mid group commit, between two actors' appends of one message, answering), and
// that part differs run to run: the seed pins the load and the schedule, not the interleaving.

import type { ExecutionContext } from 'ava';
import { spawnChild, startChild, type RunningService } from './child.ts';
import { sendPhase, sleep, type IngestBody } from './http-sender.ts';
import { plan as makePlan, rng, type Plan, type Rng } from './load.ts';
import { openAccounts, serviceEnv, verify, type RunOptions, type RunReport } from './verify.ts';

/** What one run's phases share. */
interface Run {
  readonly t: ExecutionContext;
  readonly o: RunOptions;
  readonly plan: Plan;
  readonly schedule: Rng;
  readonly where: string;
  readonly env: Record<string, string>;
  readonly token: string;
  /** Send positions not yet acknowledged. */
  readonly queue: number[];
  readonly body: (position: number) => string;
  readonly acknowledged: (position: number, b: IngestBody) => void;
}

export async function runHttpScenario(t: ExecutionContext, o: RunOptions): Promise<RunReport> {
  const started = Date.now();
  const timings: Record<string, number> = {};
  const lap = (name: string) => {
    timings[name] = Date.now() - started;
  };
  const plan = makePlan(o.seed, { accounts: o.accounts, messages: o.messages });
  const where = `seed ${o.seed} (CRASH_SEED=${o.seed} replays the load and kill schedule)`;
  t.log(`${where}: ${plan.accounts.length} accounts, ${plan.messages.length} messages, ${plan.sends.length} sends, ${o.kills} kills`);
  const tally = { accepted: 0, duplicate: 0 };
  const run: Run = {
    t, o, plan, where, ...serviceEnv(o.engine.env),
    schedule: rng(o.seed ^ 0x5bd1e995),
    queue: plan.sends.map((_, i) => i),
    body: (position) => plan.messages[plan.sends[position]!]!.xml,
    acknowledged: (position, b) => {
      const m = plan.messages[plan.sends[position]!]!;
      assertWhole(b, m.entries.length, `send #${position} (${m.msgId}), ${where}`);
      if (b.data.entries.appended > 0) tally.accepted++;
      else tally.duplicate++;
    },
  };

  let service = await startChild(run.env);
  let lastStartMs = Date.now() - started;
  lap('first start');
  try {
    await openAccounts(service.url, run.token, plan);
    for (let k = 0; k < o.kills; k++) {
      await sendUntilKilled(run, service, k);
      // A crash loop: from the second kill on, `startKills` restarts are killed again while
      // starting (opening the database, its crash recovery, the migration check). The moment is
      // drawn from the last restart's duration, so it falls into the database work at the end of a
      // start (loading the runtime and PGlite's WASM comes first) more often than before it.
      if (k >= 1 && k - 1 < o.startKills) {
        await killWhileStarting(run, run.schedule.int(Math.round(lastStartMs * 0.3), lastStartMs));
      }
      const restartAt = Date.now();
      service = await startChild(run.env);
      lastStartMs = Date.now() - restartAt;
      lap(`restart ${k + 1}`);
    }
    await finish(run, service, run.queue, run.acknowledged);
    lap('all sends acknowledged');
    t.log(`acknowledged: ${tally.accepted} with appended entries, ${tally.duplicate} pure duplicates`);

    // At-least-once, the last round: every send again; each must change nothing.
    await finish(run, service, plan.sends.map((_, i) => i), (position, b) => {
      const m = plan.messages[plan.sends[position]!]!;
      assertWhole(b, m.entries.length, `re-send #${position} (${m.msgId}), ${where}`);
      if (b.data.entries.appended !== 0) throw new Error(`re-send of ${m.msgId} appended ${b.data.entries.appended} entries again, ${where}`);
    });
    lap('full re-send');

    await verify(t, service, plan, o.engine, where);
    lap('verified');
    t.log(`timings (ms since start): ${JSON.stringify(timings)}`);
    return { plan, timings };
  } finally {
    await service.kill('SIGKILL');
  }
}

/**
 * Sends until the k-th kill: after a random number of acknowledgements of this incarnation
 * (spread so the kills cover the sends: about 1/(kills+1) of them each, ±50 %) plus 0-40 ms.
 * The last kill interrupts a graceful stop instead, as a supervisor whose stop timeout runs out
 * does: SIGTERM, then SIGKILL 0-300 ms later (if the stop has not finished by then).
 */
async function sendUntilKilled(run: Run, target: RunningService, k: number): Promise<void> {
  const { o, schedule, where } = run;
  const share = Math.max(1, Math.round(run.plan.sends.length / (o.kills + 1)));
  const threshold = schedule.int(Math.ceil(share / 2), Math.ceil(share * 1.5));
  const delayMs = schedule.int(0, 40);
  const interrupted = k === o.kills - 1 && o.kills >= 2;
  const graceMs = schedule.int(0, 300);
  let killing = false;
  let acks = 0;
  const crash = () => {
    killing = true;
    if (!interrupted) {
      void target.kill('SIGKILL');
      return;
    }
    void target.kill('SIGTERM');
    setTimeout(() => void target.kill('SIGKILL'), graceMs);
  };
  const stats = await sendPhase({
    url: target.url, token: run.token, queue: run.queue, body: run.body, inflight: o.inflight, dead: () => killing,
    acknowledged: (position, b) => {
      run.acknowledged(position, b);
      if (++acks === threshold) setTimeout(crash, delayMs);
    },
  });
  // Everything was acknowledged before the threshold: still a crash, just an idle one.
  if (!killing) crash();
  const exit = await target.exited;
  if (exit.signal !== 'SIGKILL' && !(interrupted && exit.code === 0)) {
    throw new Error(`incarnation ${k} ended by itself (${JSON.stringify(exit)}), ${where}:\n${target.tail()}`);
  }
  const how = interrupted ? `SIGTERM, SIGKILL ${graceMs} ms later (${exit.signal ?? `exit ${exit.code}`})` : 'SIGKILL';
  run.t.log(`kill ${k + 1}: ${how} after ${acks} acks (+${delayMs} ms), ${run.queue.length} sends left; ` +
    `503s ${stats.retries503}, broken connections ${stats.connectionErrors}`);
}

async function killWhileStarting(run: Run, delayMs: number): Promise<void> {
  const starting = spawnChild(run.env);
  const first = await Promise.race([
    starting.ready.then(() => 'listening', (err: unknown) => {
      throw new Error(`a restart failed by itself, ${run.where}: ${(err as Error).message}`);
    }),
    sleep(delayMs).then(() => 'timer'),
  ]);
  const exit = await starting.kill('SIGKILL');
  if (exit.signal !== 'SIGKILL') throw new Error(`a restart ended by itself (${JSON.stringify(exit)}), ${run.where}:\n${starting.tail()}`);
  run.t.log(`kill during start: ${delayMs} ms after spawn, ${first === 'listening' ? 'after it listened' : 'before it listened'}`);
}

/** Sends until the queue is empty on a service that must stay up. */
async function finish(run: Run, service: RunningService, queue: number[], acknowledged: Run['acknowledged']): Promise<void> {
  let exited = false;
  void service.exited.then(() => {
    exited = true;
  });
  await sendPhase({ url: service.url, token: run.token, queue, body: run.body, inflight: run.o.inflight, dead: () => exited, acknowledged });
  if (exited) throw new Error(`the service died on its own, ${run.where}:\n${service.tail()}`);
  if (queue.length !== 0) throw new Error(`${queue.length} sends never acknowledged, ${run.where}`);
}

/** A 200 must account for every entry: appended or duplicate, none rejected or left to retry. */
function assertWhole(b: IngestBody, entries: number, what: string): void {
  const e = b.data.entries;
  if (!b.success || e.rejected !== 0 || e.retry !== 0 || e.appended + e.duplicate !== entries) {
    throw new Error(`${what}: 200 but not whole: ${JSON.stringify(b).slice(0, 1_000)}`);
  }
}
