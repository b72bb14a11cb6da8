// Where the tests' PostgreSQL is and whether it answers. No side effects: the crash tests import
// it without the database test harness (test/adapters/db/engines.ts) and its ava hooks.

import pg from 'pg';

export const PG_URL = process.env['DATABASE_URL_TEST'] || 'postgres://root@127.0.0.1:5432/test';

/** null when PostgreSQL answers, else why not. */
export async function postgresProblem(): Promise<string | null> {
  const c = new pg.Client({ connectionString: PG_URL, connectionTimeoutMillis: 3_000 });
  try {
    await c.connect();
    await c.query('SELECT 1');
    return null;
  } catch (err) {
    return (err as Error).message;
  } finally {
    await c.end().catch(() => {});
  }
}
