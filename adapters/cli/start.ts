// `deltran start`: runs the service. With no configuration it uses embedded defaults, so it works
// right after `npm ci` on a machine with no services.

import { Command } from 'commander';
import { startServer } from '../http/server.ts';

export function startCommand(): Command {
  return new Command('start')
    .description('run the deltran service (HTTP API; embedded defaults, no external services needed)')
    .option('--host <host>', 'address to listen on', process.env['HOST'] ?? '127.0.0.1')
    .option('--port <port>', 'TCP port (0 picks a free one)', process.env['PORT'] ?? '8080')
    .action(async (opts: { host: string; port: string }) => {
      const server = await startServer({ host: opts.host, port: Number(opts.port) });
      const stop = () => void server.close().then(() => process.exit(0));
      process.once('SIGINT', stop);
      process.once('SIGTERM', stop);
    });
}
