// One small seam over the two engines deltran runs on: real PostgreSQL through `pg` (a pool) when a
// DATABASE_URL is given, and embedded PGlite (Postgres in WASM) in a data directory otherwise, so
// `npm start` needs no service. Everything above this file writes one SQL for both; the few places
// where the engines' drivers differ (how int8 comes back, how a schema is selected, how a
// transaction holds its connection) are settled here and nowhere else.
//
// Values as they come back, identical on both engines: int8 and numeric as decimal strings (money and
// sequence numbers never pass through a float), timestamptz as Date, bytea as Uint8Array (a Buffer
// on pg, which is one), json/jsonb parsed.

import { mkdirSync } from 'node:fs';
import pg from 'pg';
import { PGlite } from '@electric-sql/pglite';

export interface QueryResult<R> {
  readonly rows: R[];
  /** Rows the statement touched (INSERT/UPDATE/DELETE) or returned. */
  readonly rowCount: number;
}

export interface Queryable {
  /**
   * One statement, with `$1..$n` parameters. `prepared`: a name for a statement run again and again
   * with the same text (the journal's inserts): PostgreSQL parses and plans it once per connection
   * instead of per call (a batch insert went from ~0.55 to ~0.25 ms). PGlite ignores it.
   */
  query<R = Record<string, unknown>>(sql: string, params?: readonly unknown[], prepared?: string): Promise<QueryResult<R>>;
  /** Several statements, no parameters (migrations). */
  exec(sql: string): Promise<void>;
}

export interface Database extends Queryable {
  readonly engine: 'postgres' | 'pglite';
  /** Runs `fn` in one transaction on one connection: COMMIT when it resolves, ROLLBACK when it throws. */
  transaction<T>(fn: (tx: Queryable) => Promise<T>): Promise<T>;
  close(): Promise<void>;
}

export interface OpenOptions {
  /** postgres://... selects PostgreSQL; without it PGlite is used. */
  readonly url?: string | undefined;
  /** PGlite's directory (default `./data`); `memory://` keeps everything in memory (tests). */
  readonly dataDir?: string | undefined;
  /** Use (and create) this schema instead of `public`: tests get a fresh one each run. */
  readonly schema?: string | undefined;
  /** PostgreSQL pool size (default 4). */
  readonly poolSize?: number | undefined;
}

/** From the environment: DATABASE_URL selects PostgreSQL, DATA_DIR the PGlite directory. */
export function optionsFromEnv(env: NodeJS.ProcessEnv = process.env): OpenOptions {
  return { url: env['DATABASE_URL'] || undefined, dataDir: env['DATA_DIR'] || undefined };
}

export async function openDatabase(options: OpenOptions = {}): Promise<Database> {
  if (options.schema !== undefined) checkIdentifier(options.schema);
  return options.url ? openPostgres(options.url, options) : openPglite(options.dataDir ?? './data', options);
}

/** Schema names are interpolated into SQL (search_path cannot be a parameter), so only plain ones. */
function checkIdentifier(name: string): void {
  if (!/^[a-z_][a-z0-9_]{0,62}$/.test(name)) throw new Error(`not a plain lower-case SQL identifier: "${name}"`);
}

const INT8 = 20;
const NUMERIC = 1700;
const identity = (text: string): string => text;

async function openPostgres(url: string, options: OpenOptions): Promise<Database> {
  // pg already returns int8 and numeric as strings; saying so keeps it true if its defaults change.
  const types = {
    getTypeParser: ((oid: number, format?: 'text' | 'binary') =>
      oid === INT8 || oid === NUMERIC ? identity : pg.types.getTypeParser(oid, format ?? 'text')) as typeof pg.types.getTypeParser,
  };
  if (options.schema !== undefined) {
    // Created before the pool exists, because every pooled connection starts with it in search_path.
    const admin = new pg.Client({ connectionString: url });
    await admin.connect();
    try {
      await admin.query(`CREATE SCHEMA IF NOT EXISTS ${options.schema}`);
    } finally {
      await admin.end();
    }
  }
  const pool = new pg.Pool({
    connectionString: url,
    // Small on purpose: the journal writes through one connection at a time (group commit), the
    // rest serve reads; more connections on a 2-core machine only add contention.
    max: options.poolSize ?? 4,
    connectionTimeoutMillis: 10_000,
    types,
    ...(options.schema !== undefined ? { options: `-c search_path=${options.schema}` } : {}),
  });
  // An idle client losing its connection would otherwise crash the process with an unhandled
  // 'error'; the pool drops that client and the next query opens a fresh one.
  pool.on('error', (err) => process.emitWarning(`PostgreSQL idle connection error: ${err.message}`));

  const wrap = (c: pg.Pool | pg.PoolClient): Queryable => ({
    async query<R>(sql: string, params?: readonly unknown[], prepared?: string) {
      const r = prepared === undefined
        ? await c.query(sql, params as unknown[] | undefined)
        : await c.query({ name: prepared, text: sql, values: (params ?? []) as unknown[] });
      return { rows: r.rows as R[], rowCount: r.rowCount ?? r.rows.length };
    },
    async exec(sql: string) {
      await c.query(sql); // no parameters: the simple protocol, which accepts several statements
    },
  });

  return {
    engine: 'postgres',
    ...wrap(pool),
    async transaction<T>(fn: (tx: Queryable) => Promise<T>): Promise<T> {
      const client = await pool.connect();
      let broken = false;
      try {
        await client.query('BEGIN');
        const result = await fn(wrap(client));
        await client.query('COMMIT');
        return result;
      } catch (err) {
        // A connection whose ROLLBACK fails is in an unknown state: destroy it, never reuse it.
        await client.query('ROLLBACK').catch(() => {
          broken = true;
        });
        throw err;
      } finally {
        client.release(broken);
      }
    },
    async close() {
      await pool.end();
    },
  };
}

async function openPglite(dataDir: string, options: OpenOptions): Promise<Database> {
  if (!dataDir.includes('://')) mkdirSync(dataDir, { recursive: true });
  // int8 as a string as on pg: PGlite's default turns it into a JS number (or a bigint past 2^53).
  const db = await PGlite.create({ dataDir, parsers: { [INT8]: identity } });
  if (options.schema !== undefined) {
    // PGlite is one session, so setting search_path once holds for everything after.
    await db.exec(`CREATE SCHEMA IF NOT EXISTS ${options.schema}; SET search_path TO ${options.schema}`);
  }
  return pgliteDatabase(db, { owned: true });
}

/**
 * Wraps an already open PGlite (tests share one per file because each instance costs seconds and
 * hundreds of MB to start). `owned: false` leaves it open on close().
 */
export function pgliteDatabase(db: PGlite, { owned }: { owned: boolean }): Database {
  type Tx = { query: PGlite['query']; exec: PGlite['exec'] };
  const wrap = (c: Tx): Queryable => ({
    async query<R>(sql: string, params?: readonly unknown[]) {
      const r = await c.query<R>(sql, params as unknown[] | undefined);
      // PGlite reports affectedRows 0 for a SELECT; pg counts the rows returned.
      return { rows: r.rows, rowCount: Math.max(r.affectedRows ?? 0, r.rows.length) };
    },
    async exec(sql: string) {
      await c.exec(sql);
    },
  });
  return {
    engine: 'pglite',
    ...wrap(db),
    // PGlite's own transaction() holds its exclusive lock, so other queries wait until it ends.
    transaction: <T>(fn: (tx: Queryable) => Promise<T>) => db.transaction((tx) => fn(wrap(tx))),
    async close() {
      if (owned && !db.closed) await db.close();
    },
  };
}
