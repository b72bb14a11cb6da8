// `deltran ingest PATH...`: files and directories through the ingestion pipeline into the journal
// (PostgreSQL with DATABASE_URL, else PGlite in DATA_DIR, default ./data). Prints one line per
// file as it settles. Exit status: 0 when every file was applied, a duplicate or unrouted with no
// rejected entry; 1 when any file was dead-lettered, had rejected entries or must be retried
// (nothing of it is lost: ingesting it again applies what is missing); 2 on a usage error, a
// missing path or a database that cannot be opened.

import { Command } from 'commander';
import { lastValueFrom, tap } from 'rxjs';
import { Accounts } from '../../actors/account/actor.ts';
import { optionsFromEnv, type OpenOptions } from '../db/database.ts';
import { DeadLetters } from '../db/dead-letters.ts';
import { GroupCommitter } from '../db/group-commit.ts';
import { PgJournal } from '../db/journal.ts';
import { openMigrated } from '../db/migrate.ts';
import { JournalRecordedEntries } from '../db/statement-queries.ts';
import { FileSource, listFiles } from '../../streams/ingest/file-source.ts';
import { ingest, type IngestReport } from '../../streams/ingest/pipeline.ts';

export function ingestCommand(): Command {
  return new Command('ingest')
    .description('ingest ISO 20022 files or directories into the journal (camt.052/053/054 to the account actors)')
    .argument('<paths...>', 'files or directories (walked recursively)')
    .action(async (paths: string[]) => {
      process.exitCode = await ingestPaths(paths, optionsFromEnv(), (line) => process.stdout.write(line + '\n'));
    });
}

export async function ingestPaths(paths: readonly string[], db: OpenOptions, out: (line: string) => void): Promise<number> {
  try {
    await listFiles(paths);
  } catch (err) {
    out(`error: ${(err as Error).message}`);
    return 2;
  }
  const database = await openMigrated(db, out);
  if (database === null) return 2;
  const journal = new GroupCommitter(new PgJournal(database));
  const accounts = new Accounts({ journal });
  let status = 0;
  try {
    const source = new FileSource(paths);
    const reports = ingest(source, { accounts, deadLetters: new DeadLetters(database), statements: new JournalRecordedEntries(database), concurrency: 4 });
    await lastValueFrom(reports.pipe(tap((r) => {
      out(line(r));
      if (r.verdict === 'dead_lettered' || r.verdict === 'retry' || r.rejections.length > 0) status = 1;
    })), { defaultValue: null });
  } catch (err) {
    out(`error: ${(err as Error).message}`);
    status = 2;
  } finally {
    await accounts.stop();
    await journal.close();
    await database.close();
  }
  return status;
}

function line(r: IngestReport): string {
  const path = r.source.replace(/^file:/, '');
  const what = r.messages.map((m) => `${m.type ?? '?'} ${m.messageId ?? '?'}`).join(', ');
  const { appended, duplicate, rejected } = r.entries;
  const rejectedText = rejected > 0 ? `, ${rejected} rejected (${r.codes.join(', ')}) → dead letter ${r.deadLetterId}` : '';
  switch (r.verdict) {
    case 'applied':
      return `ok ${path}: ${what}: ${appended} appended, ${duplicate} duplicate entries${rejectedText}`;
    case 'duplicate':
      return `duplicate ${path}: ${what}: ${duplicate} duplicate entries${rejectedText}`;
    case 'unrouted':
      return `unrouted ${path}: ${what}: acknowledged, not routed yet`;
    case 'dead_lettered':
      return `dead-lettered ${path}: ${r.codes.join(', ')} → dead letter ${r.deadLetterId}`;
    case 'retry':
      return `retry ${path}: ${r.codes.join(', ')}${r.detail === null ? '' : ` (${r.detail})`}: nothing lost, ingest it again`;
  }
}
