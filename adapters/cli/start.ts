// `deltran serve` (alias `start`): runs the service (adapters/service.ts). With no configuration it
// uses embedded defaults (PGlite in DATA_DIR, default ./data, and the inbox directory
// DATA_DIR/inbox), so it works right after `npm ci` on a machine with no services; DATABASE_URL,
// NATS_URL and REDIS_URL bring in PostgreSQL, the JetStream intake and the shared fast-path dedupe.
// SIGTERM/SIGINT stop it gracefully (intake, drain, journal flush) and exit 0; a failed shutdown
// exits 1 so a supervisor notices.

import { Command } from 'commander';
import { startService } from '../service.ts';
import { TIER2_INTERVAL_MIN, tier2IntervalFromEnv } from '../reconciliation-service.ts';
import { DEFAULT_FROM_YEAR, fxImportFromEnv } from '../fx/import.ts';

export function serveCommand(): Command {
  return new Command('serve')
    // `start` was the first name; scripts and supervisors written against it keep working.
    .alias('start')
    .description('run the deltran service (HTTP API, live state, inbox, NATS with NATS_URL; embedded defaults, no external services needed)')
    .option('--host <host>', 'address to listen on', process.env['HOST'] ?? '127.0.0.1')
    .option('--port <port>', 'TCP port (0 picks a free one)', process.env['PORT'] ?? '8080')
    .option('--inbox <dir>', 'watched inbox directory, or "off" (default INBOX_DIR, else DATA_DIR/inbox with PGlite)')
    .option('--nats <url>', 'NATS server(s) for the JetStream intake (default NATS_URL; none when unset)')
    .option('--redis <url>', 'Redis for the fast-path dedupe shared between processes (default REDIS_URL; none when unset)')
    .action(async (opts: { host: string; port: string; inbox?: string; nats?: string; redis?: string }) => {
      const service = await startService({
        host: opts.host,
        port: Number(opts.port),
        intake: {
          inboxDir: opts.inbox === 'off' ? false : opts.inbox,
          natsUrl: opts.nats,
          redisUrl: opts.redis,
        },
        // The served process reconciles on a schedule by default; library callers (tests) opt in.
        reconciliation: { tier2IntervalMin: tier2IntervalFromEnv() ?? TIER2_INTERVAL_MIN.default },
        // Likewise the FX history: loaded in the background at first start (FX_IMPORT=off to skip).
        risk: { fxImport: fxImportFromEnv() ?? { fromYear: DEFAULT_FROM_YEAR } },
      });
      const stop = () => {
        service.stop().then(
          () => process.exit(0),
          (err: unknown) => {
            service.app.log.error({ err }, 'shutdown failed');
            process.exit(1);
          },
        );
      };
      process.once('SIGINT', stop);
      process.once('SIGTERM', stop);
    });
}
