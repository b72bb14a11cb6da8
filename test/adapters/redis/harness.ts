// Runs the Redis tests against the real Redis of this machine (REDIS_URL_TEST, else
// redis://127.0.0.1:6379). Every test gets a key prefix of its own (`deltran-test:<random>:`), and
// its keys are deleted afterwards, so runs and concurrent test files never see each other's keys.
//
// Redis unreachable: in CI (CI set) every test fails, saying why; elsewhere they are skipped with a
// loud warning, so a laptop without Redis can still run the rest (as the NATS and PostgreSQL
// harnesses do).

import { randomBytes } from 'node:crypto';
import test, { type ExecutionContext } from 'ava';
import { Redis } from 'ioredis';

export const REDIS_URL = process.env['REDIS_URL_TEST'] || 'redis://127.0.0.1:6379';

async function reachable(): Promise<string | null> {
  const r = new Redis(REDIS_URL, { lazyConnect: true, connectTimeout: 2_000, maxRetriesPerRequest: 0, retryStrategy: () => null });
  r.on('error', () => {});
  try {
    await r.connect();
    await r.ping();
    return null;
  } catch (err) {
    return (err as Error).message;
  } finally {
    r.disconnect();
  }
}

const problem = await reachable();
if (problem !== null && !process.env['CI']) {
  console.warn(`\n*** Redis at ${REDIS_URL} is unreachable (${problem}): the Redis tests are SKIPPED. Set CI=1 to make that a failure. ***\n`);
}

export interface Env {
  /** A plain client for looking at keys. */
  readonly redis: Redis;
  /** `deltran-test:<random>:`, deleted after the test. */
  readonly prefix: string;
}

export function redisTest(title: string, body: (t: ExecutionContext, env: Env) => Promise<void>): void {
  if (problem !== null && !process.env['CI']) {
    test.skip(title, () => {});
    return;
  }
  test.serial(title, async (t) => {
    if (problem !== null) {
      t.fail(`Redis at ${REDIS_URL} is unreachable in CI: ${problem}`);
      return;
    }
    const prefix = `deltran-test:${randomBytes(5).toString('hex')}:`;
    const redis = new Redis(REDIS_URL, { maxRetriesPerRequest: 1 });
    t.teardown(async () => {
      const keys = await redis.keys(`${prefix}*`);
      if (keys.length > 0) await redis.del(...keys);
      redis.disconnect();
    });
    await body(t, { redis, prefix });
  });
}

/** Polls `check` until true or `ms` elapsed. */
export async function eventually(check: () => boolean | Promise<boolean>, ms = 5_000): Promise<boolean> {
  const until = Date.now() + ms;
  while (Date.now() < until) {
    if (await check()) return true;
    await new Promise((r) => setTimeout(r, 25));
  }
  return check();
}
