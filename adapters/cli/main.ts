// `deltran`: the command line. Each subcommand is a thin shell over a module that does the work.

import { Command, CommanderError } from 'commander';
import { ingestCommand } from './ingest.ts';
import { fxCommand } from '../fx/cli.ts';
import { demoCommand } from './demo.ts';
import { parseCommand } from './parse.ts';
import { serveCommand } from './start.ts';

const program = new Command('deltran')
  .description('ISO 20022 streaming processor for a cross-border payment rail')
  .exitOverride()
  .configureOutput({ writeErr: (s) => process.stderr.write(s) });

for (const sub of [parseCommand(), serveCommand(), ingestCommand(), fxCommand(), demoCommand()]) {
  // Subcommands added this way do not inherit the parent's settings.
  program.addCommand(sub.exitOverride().configureOutput({ writeErr: (s) => process.stderr.write(s) }));
}

try {
  await program.parseAsync(process.argv);
} catch (err) {
  if (err instanceof CommanderError) {
    // --help and --version end here too, with exit code 0; usage errors get 2.
    process.exit(err.exitCode === 0 ? 0 : 2);
  }
  throw err;
}
