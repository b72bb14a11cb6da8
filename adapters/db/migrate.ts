// Brings the database to the schema of `migrations/*.sql` at start. Files are applied once, in name
// order, each in its own transaction, and recorded with a SHA-256 of their bytes. A recorded file
// that changed, disappeared, or a new file sorted before one already applied means this code and
// that database disagree about history: we refuse to start rather than guess.
//
// Two processes starting at once (several deltran instances on one PostgreSQL) are serialised by a
// transaction-scoped advisory lock, taken again for each file, so the loser sees the winner's row
// and skips. The same SQL runs on PGlite, where it is simply uncontended.

import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { openDatabase, type Database, type OpenOptions, type Queryable } from './database.ts';

export const MIGRATIONS_DIR = resolve(import.meta.dirname, '..', '..', 'migrations');

export type MigrationErrorCode = 'CHANGED' | 'MISSING' | 'OUT_OF_ORDER' | 'BAD_NAME' | 'FAILED';

export class MigrationError extends Error {
  override readonly name = 'MigrationError';
  constructor(
    readonly code: MigrationErrorCode,
    /** The migration file concerned, e.g. `0003_emi_accounts.sql`. */
    readonly file: string,
    message: string,
    options?: { cause: unknown },
  ) {
    super(`${file}: ${message}`, options);
  }
}

export interface MigrationFile {
  readonly name: string;
  readonly checksum: string;
  readonly sql: string;
}

export interface MigrateResult {
  /** Files applied by this call, in order. */
  readonly applied: string[];
  /** Files that were already applied (by an earlier start or a concurrent process). */
  readonly skipped: string[];
}

const NAME = /^\d{4}_[a-z0-9_]+\.sql$/;

export function readMigrations(dir: string = MIGRATIONS_DIR): MigrationFile[] {
  return readdirSync(dir)
    .filter((f) => f.endsWith('.sql'))
    .sort()
    .map((name) => {
      // A typo (`003_x.sql`, `0003-x.sql`) would otherwise sort somewhere unexpected or be skipped.
      if (!NAME.test(name)) throw new MigrationError('BAD_NAME', name, 'migration files are named NNNN_lower_snake.sql');
      const bytes = readFileSync(join(dir, name));
      return { name, checksum: createHash('sha256').update(bytes).digest('hex'), sql: bytes.toString('utf8') };
    });
}

// One lock per schema: test runs in separate schemas of one database do not wait for each other.
const LOCK = `SELECT pg_advisory_xact_lock(hashtext('deltran.migrate:' || current_schema()))`;

export async function migrate(db: Database, dir: string = MIGRATIONS_DIR): Promise<MigrateResult> {
  const files = readMigrations(dir);
  const applied: string[] = [];
  const skipped: string[] = [];

  await db.transaction(async (tx) => {
    await tx.query(LOCK);
    await tx.exec(`CREATE TABLE IF NOT EXISTS schema_migrations (
      name       text        PRIMARY KEY,
      checksum   text        NOT NULL,
      applied_at timestamptz NOT NULL DEFAULT now()
    )`);
    verify(files, await recorded(tx));
  });

  for (const file of files) {
    const done = await db.transaction(async (tx) => {
      await tx.query(LOCK);
      const history = await recorded(tx);
      // Checked again under the lock: another process may have applied files meanwhile.
      verify(files, history);
      if (history.has(file.name)) return false;
      try {
        await tx.exec(file.sql);
      } catch (err) {
        throw new MigrationError('FAILED', file.name, `failed to apply: ${(err as Error).message}`, { cause: err });
      }
      await tx.query('INSERT INTO schema_migrations (name, checksum) VALUES ($1, $2)', [file.name, file.checksum]);
      return true;
    });
    (done ? applied : skipped).push(file.name);
  }
  return { applied, skipped };
}

async function recorded(tx: Queryable): Promise<Map<string, string>> {
  const { rows } = await tx.query<{ name: string; checksum: string }>('SELECT name, checksum FROM schema_migrations ORDER BY name');
  return new Map(rows.map((r) => [r.name, r.checksum]));
}

function verify(files: readonly MigrationFile[], history: ReadonlyMap<string, string>): void {
  const byName = new Map(files.map((f) => [f.name, f]));
  let lastApplied = '';
  for (const [name, checksum] of history) {
    const file = byName.get(name);
    if (file === undefined) throw new MigrationError('MISSING', name, 'applied to this database but no longer in migrations/');
    if (file.checksum !== checksum) {
      throw new MigrationError('CHANGED', name, `changed after it was applied (recorded sha256 ${checksum}, file ${file.checksum}); add a new migration instead`);
    }
    if (name > lastApplied) lastApplied = name;
  }
  // A new file that sorts before the last applied one would run here after its successors, and in
  // a fresh database before them: two histories. Rename it to come last.
  for (const f of files) {
    if (!history.has(f.name) && f.name < lastApplied) {
      throw new MigrationError('OUT_OF_ORDER', f.name, `not applied yet but sorts before ${lastApplied}, which is; give it a later number`);
    }
  }
}

/**
 * For a CLI command: the database opened and migrated, or null after saying why on `out` (the
 * command then exits 2).
 */
export async function openMigrated(db: OpenOptions, out: (line: string) => void): Promise<Database | null> {
  let database: Database | undefined;
  try {
    database = await openDatabase(db);
    await migrate(database);
    return database;
  } catch (err) {
    out(`error: database: ${(err as Error).message}`);
    // The open failed already; a failing close adds nothing the user can act on, but say it.
    await database?.close().catch((e: unknown) => out(`warning: closing the database failed too: ${(e as Error).message}`));
    return null;
  }
}
