// Goal: `deltran ingest` as a user runs it: a child process over a PGlite data directory. Method:
// open the accounts in that directory first (the CLI has no command for it yet), ingest two files
// twice, and check the lines, the exit statuses and that the second run only finds duplicates.

import test from 'ava';
import BigNumber from 'bignumber.js';
import { execFile } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Accounts } from '../../actors/account/actor.ts';
import { accountActorId } from '../../actors/account/model.ts';
import { openDatabase } from '../../adapters/db/database.ts';
import { GroupCommitter } from '../../adapters/db/group-commit.ts';
import { PgJournal } from '../../adapters/db/journal.ts';
import { migrate } from '../../adapters/db/migrate.ts';
import { REPO } from '../helpers/shared.ts';
import { camt054 } from '../streams/ingest/camt.ts';
import { open, ref } from '../streams/ingest/support.ts';

const BIN = join(REPO, 'adapters', 'cli', 'deltran.js');

function run(args: string[], env: NodeJS.ProcessEnv): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [BIN, ...args], { cwd: REPO, env: { ...process.env, DATABASE_URL: '', ...env } }, (err, stdout, stderr) => {
      resolve({ code: err === null ? 0 : ((err as { code?: number }).code ?? -1), stdout, stderr });
    });
  });
}

test('ingest two files twice: applied, then duplicates, exit 0; a bad file exits 1', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'deltran-ingest-'));
  const dataDir = join(dir, 'data');
  const iban = 'DE89370400440532013000';
  {
    const db = await openDatabase({ dataDir });
    await migrate(db);
    const journal = new GroupCommitter(new PgJournal(db));
    const accounts = new Accounts({ journal, shards: 2 });
    await open(accounts, ref(iban, 'EUR'));
    await accounts.stop();
    await journal.close();
    await db.close();
  }
  const f1 = join(dir, 'a.xml');
  const f2 = join(dir, 'b.xml');
  writeFileSync(f1, camt054('CLI1', [{ id: 'N1', iban, entries: [{ amount: '10.00', currency: 'EUR', direction: 'CRDT', ref: 'C1' }, { amount: '2.50', currency: 'EUR', direction: 'DBIT', ref: 'C2' }] }]));
  writeFileSync(f2, camt054('CLI2', [{ id: 'N1', iban, entries: [{ amount: '1.25', currency: 'EUR', direction: 'CRDT', ref: 'C3' }] }]));

  const first = await run(['ingest', f1, f2], { DATA_DIR: dataDir });
  t.is(first.code, 0, first.stdout + first.stderr);
  const lines1 = first.stdout.trim().split('\n').sort();
  t.is(lines1.length, 2);
  t.regex(lines1[0]!, /^ok .*a\.xml: camt\.054 CLI1: 2 appended, 0 duplicate entries$/);
  t.regex(lines1[1]!, /^ok .*b\.xml: camt\.054 CLI2: 1 appended, 0 duplicate entries$/);

  const second = await run(['ingest', dir.concat('/a.xml'), f2], { DATA_DIR: dataDir });
  t.is(second.code, 0, second.stdout + second.stderr);
  const lines2 = second.stdout.trim().split('\n').sort();
  t.regex(lines2[0]!, /^duplicate .*a\.xml: camt\.054 CLI1: 2 duplicate entries$/);
  t.regex(lines2[1]!, /^duplicate .*b\.xml: camt\.054 CLI2: 1 duplicate entries$/);

  const bad = join(dir, 'bad.xml');
  writeFileSync(bad, '<Document><broken');
  const third = await run(['ingest', bad], { DATA_DIR: dataDir });
  t.is(third.code, 1);
  t.regex(third.stdout, /^dead-lettered .*bad\.xml: .*XML_MALFORMED.* → dead letter \d+/);
  t.is((await run(['ingest', join(dir, 'missing.xml')], { DATA_DIR: dataDir })).code, 2);

  // The balance, read back from the journal by a fresh runtime: 10.00 − 2.50 + 1.25, once.
  const db = await openDatabase({ dataDir });
  const journal = new GroupCommitter(new PgJournal(db));
  const accounts = new Accounts({ journal, shards: 2 });
  await open(accounts, ref(iban, 'EUR')); // a duplicate: recovers the actor
  const s = accounts.state(accountActorId(ref(iban, 'EUR')))?.state;
  t.is(s?.status === 'open' ? s.bank.toFixed() : 'unopened', new BigNumber('10.00').minus('2.50').plus('1.25').toFixed());
  await accounts.stop();
  await journal.close();
  await db.close();
});
