// Runs each database test twice: on embedded PGlite and on the real PostgreSQL of this machine
// (DATABASE_URL_TEST, else postgres://root@127.0.0.1:5432/test). Every test gets a schema of its
// own, created fresh and dropped after, so test runs and concurrent tests never see each other.
//
// PGlite costs seconds and hundreds of MB per instance, so one instance serves a whole test file and
// its tests run one after another (test.serial), each in its own schema.
//
// PostgreSQL unreachable: in CI (CI set) the tests fail, saying why; elsewhere they are skipped
// with a loud warning, so a laptop without PostgreSQL can still run the rest.

import test, { type ExecutionContext } from 'ava';
import pg from 'pg';
import { PGlite } from '@electric-sql/pglite';
import { openDatabase, pgliteDatabase, type Database } from '../../../adapters/db/database.ts';
import { PG_URL, postgresProblem } from '../../helpers/postgres.ts';

export { PG_URL };

const pgProblem = await postgresProblem();
if (pgProblem !== null && !process.env['CI']) {
  console.warn(`\n*** PostgreSQL at ${PG_URL} is unreachable (${pgProblem}): its database tests are SKIPPED. Set CI=1 to make that a failure. ***\n`);
}

let sharedPglite: Promise<PGlite> | null = null;
function pglite(): Promise<PGlite> {
  // int8 as text, as openDatabase configures it.
  sharedPglite ??= PGlite.create({ dataDir: 'memory://', parsers: { 20: (s: string) => s } });
  return sharedPglite;
}
test.after.always(async () => {
  if (sharedPglite !== null) await (await sharedPglite).close();
});

let counter = 0;
export function uniqueSchema(): string {
  return `t_${process.pid}_${Date.now().toString(36)}_${(counter++).toString(36)}`;
}

export type Engine = 'pglite' | 'postgres';

export interface Env {
  readonly engine: Engine;
  readonly schema: string;
  /** A Database on the test's schema. */
  readonly db: Database;
  /** Another Database on the same schema (PostgreSQL: a second pool, as a second process would have). */
  openAnother(): Promise<Database>;
}

type Body = (t: ExecutionContext, env: Env) => Promise<void>;

/** Registers `title [pglite]` and `title [postgres]`. */
export function bothEngines(title: string, body: Body): void {
  test.serial(`${title} [pglite]`, async (t) => {
    const instance = await pglite();
    const schema = uniqueSchema();
    await instance.exec(`CREATE SCHEMA ${schema}; SET search_path TO ${schema}`);
    const db = pgliteDatabase(instance, { owned: false });
    try {
      // PGlite is one session: a second "connection" is the same instance.
      await body(t, { engine: 'pglite', schema, db, openAnother: async () => pgliteDatabase(instance, { owned: false }) });
    } finally {
      await instance.exec(`SET search_path TO public; DROP SCHEMA ${schema} CASCADE`);
    }
  });

  if (pgProblem !== null && !process.env['CI']) {
    test.skip(`${title} [postgres] (unreachable: ${pgProblem})`, () => {});
    return;
  }
  test(`${title} [postgres]`, async (t) => {
    if (pgProblem !== null) {
      t.fail(`PostgreSQL at ${PG_URL} is unreachable in CI: ${pgProblem}`);
      return;
    }
    const schema = uniqueSchema();
    const opened: Database[] = [];
    const open = async () => {
      const d = await openDatabase({ url: PG_URL, schema, poolSize: 4 });
      opened.push(d);
      return d;
    };
    try {
      const db = await open();
      await body(t, { engine: 'postgres', schema, db, openAnother: open });
    } finally {
      for (const d of opened) await d.close();
      const admin = new pg.Client({ connectionString: PG_URL });
      await admin.connect();
      await admin.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
      await admin.end();
    }
  });
}
