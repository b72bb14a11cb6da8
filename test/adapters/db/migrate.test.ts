// Migrations: applied in order once, recorded with a checksum, refused when history and files
// disagree, and safe when two processes start at the same moment.

import { cpSync, mkdtempSync, appendFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MIGRATIONS_DIR, MigrationError, migrate, readMigrations } from '../../../adapters/db/migrate.ts';
import { bothEngines } from './engines.ts';

function copyOfMigrations(): string {
  const dir = mkdtempSync(join(tmpdir(), 'deltran-migrations-'));
  cpSync(MIGRATIONS_DIR, dir, { recursive: true });
  return dir;
}

bothEngines('migrations apply in order, are recorded, and a restart applies nothing', async (t, { db }) => {
  const files = readMigrations().map((f) => f.name);
  t.true(files.length >= 5);
  const first = await migrate(db);
  t.deepEqual(first.applied, files);
  t.deepEqual(first.skipped, []);
  const { rows } = await db.query<{ name: string; checksum: string }>('SELECT name, checksum FROM schema_migrations ORDER BY applied_at, name');
  t.deepEqual(rows.map((r) => r.name), files);
  t.true(rows.every((r) => /^[0-9a-f]{64}$/.test(r.checksum)));
  const again = await migrate(db);
  t.deepEqual(again, { applied: [], skipped: files });
  // The business tables exist and take exact decimals.
  await db.query(`INSERT INTO fx_rates (base, quote, rate, as_of, source) VALUES ('USD', 'AED', '3.672500000000000000001', '2026-11-24', 'test')`);
  const fx = await db.query<{ rate: string }>('SELECT rate FROM fx_rates');
  t.is(fx.rows[0]!.rate, '3.672500000000000000001');
});

bothEngines('a new migration file is applied on the next start, after the others', async (t, { db }) => {
  const dir = copyOfMigrations();
  try {
    await migrate(db, dir);
    writeFileSync(join(dir, '9999_later.sql'), 'CREATE TABLE later_thing (id int PRIMARY KEY);');
    t.deepEqual((await migrate(db, dir)).applied, ['9999_later.sql']);
    await db.query('INSERT INTO later_thing VALUES (1)');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

bothEngines('a changed applied file is refused with its name', async (t, { db }) => {
  const dir = copyOfMigrations();
  try {
    await migrate(db, dir);
    appendFileSync(join(dir, '0002_participants_and_fx.sql'), '\n-- an innocent-looking edit\n');
    const err = await t.throwsAsync(migrate(db, dir), { instanceOf: MigrationError });
    t.is(err.code, 'CHANGED');
    t.is(err.file, '0002_participants_and_fx.sql');
    t.regex(err.message, /0002_participants_and_fx\.sql: changed after it was applied/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

bothEngines('a missing applied file and an out-of-order new file are refused', async (t, { db }) => {
  const dir = copyOfMigrations();
  try {
    await migrate(db, dir);
    writeFileSync(join(dir, '0001_zz_late.sql'), 'SELECT 1;');
    const late = await t.throwsAsync(migrate(db, dir), { instanceOf: MigrationError });
    t.is(late.code, 'OUT_OF_ORDER');
    t.is(late.file, '0001_zz_late.sql');
    rmSync(join(dir, '0001_zz_late.sql'));
    rmSync(join(dir, '0005_tokens.sql'));
    const missing = await t.throwsAsync(migrate(db, dir), { instanceOf: MigrationError });
    t.is(missing.code, 'MISSING');
    t.is(missing.file, '0005_tokens.sql');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

bothEngines('a failing migration rolls back and names its file', async (t, { db }) => {
  const dir = copyOfMigrations();
  try {
    writeFileSync(join(dir, '9999_broken.sql'), 'CREATE TABLE half_done (id int); SELECT * FROM no_such_table;');
    const err = await t.throwsAsync(migrate(db, dir), { instanceOf: MigrationError });
    t.is(err.code, 'FAILED');
    t.is(err.file, '9999_broken.sql');
    const { rows } = await db.query(`SELECT 1 FROM information_schema.tables WHERE table_name = 'half_done' AND table_schema = current_schema()`);
    t.is(rows.length, 0);
    t.false((await db.query<{ name: string }>('SELECT name FROM schema_migrations')).rows.some((r) => r.name === '9999_broken.sql'));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

bothEngines('two processes migrating at once apply each file exactly once', async (t, { db, openAnother }) => {
  const other = await openAnother();
  const [a, b] = await Promise.all([migrate(db), migrate(other)]);
  const files = readMigrations().map((f) => f.name);
  t.deepEqual([...a.applied, ...b.applied].sort(), files);
  t.deepEqual([...a.skipped, ...b.skipped].sort(), files);
  const { rows } = await db.query<{ n: string }>('SELECT count(*) AS n FROM schema_migrations');
  t.is(rows[0]!.n, String(files.length));
});
