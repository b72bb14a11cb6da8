// The two databases a crash run can sit on, as the child sees them (environment) and as the test
// reads them back after the child stopped:
// - PGlite: DATA_DIR in a fresh temp directory, opened with PGlite itself once the child exited
//   (PGlite is one process's: never both at once).
// - PostgreSQL: a fresh schema on the shared test server (DATABASE_URL_TEST, else
//   postgres://root@127.0.0.1:5432/test, as test/adapters/db/engines.ts), dropped afterwards. The
//   service takes no schema from its environment; libpq's `options` in the URL sets the search_path
//   of every connection of its pool, which is what openDatabase's `schema` option does too.

import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { PGlite } from '@electric-sql/pglite';
import type { Engine } from './verify.ts';

import { PG_URL, postgresProblem } from '../helpers/postgres.ts';

export { PG_URL, postgresProblem };

export interface Disposable<T> {
  readonly value: T;
  dispose(): Promise<void>;
}

export function pgliteEngine(): Disposable<Engine> {
  const dataDir = mkdtempSync(join(tmpdir(), 'deltran-crash-'));
  return {
    value: {
      name: 'pglite',
      env: { DATA_DIR: dataDir },
      openDatabase: async () => {
        const db = await PGlite.create({ dataDir });
        return {
          query: async <R>(sql: string) => (await db.query<R>(sql)).rows,
          close: () => db.close(),
        };
      },
    },
    dispose: async () => rmSync(dataDir, { recursive: true, force: true }),
  };
}

export async function postgresEngine(): Promise<Disposable<Engine>> {
  const schema = `crash_${process.pid}_${randomBytes(4).toString('hex')}`;
  await admin(`CREATE SCHEMA ${schema}`);
  const url = new URL(PG_URL);
  url.searchParams.set('options', `-c search_path=${schema}`);
  return {
    value: {
      name: 'postgres',
      env: { DATABASE_URL: url.toString() },
      openDatabase: async () => {
        const c = new pg.Client({ connectionString: url.toString() });
        await c.connect();
        return {
          query: async <R>(sql: string) => (await c.query(sql)).rows as R[],
          close: () => c.end(),
        };
      },
    },
    dispose: () => admin(`DROP SCHEMA IF EXISTS ${schema} CASCADE`),
  };
}

async function admin(sql: string): Promise<void> {
  const c = new pg.Client({ connectionString: PG_URL });
  await c.connect();
  try {
    await c.query(sql);
  } finally {
    await c.end();
  }
}
