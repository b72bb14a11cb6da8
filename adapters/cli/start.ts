// `deltran start`: runs the service (adapters/service.ts). With no configuration it uses embedded
// defaults (PGlite in DATA_DIR, default ./data), so it works right after `npm ci` on a machine with
// no services. SIGTERM/SIGINT stop it gracefully (intake, drain, journal flush) and exit 0; a
// failed shutdown exits 1 so a supervisor notices.

import { Command } from 'commander';
import { startService } from '../service.ts';

export function startCommand(): Command {
  return new Command('start')
    .description('run the deltran service (HTTP API and live state; embedded defaults, no external services needed)')
    .option('--host <host>', 'address to listen on', process.env['HOST'] ?? '127.0.0.1')
    .option('--port <port>', 'TCP port (0 picks a free one)', process.env['PORT'] ?? '8080')
    .action(async (opts: { host: string; port: string }) => {
      const service = await startService({ host: opts.host, port: Number(opts.port) });
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
