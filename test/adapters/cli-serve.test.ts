// Goal: `deltran serve` is the service's command, `npm start` runs it, and `start` (its first name)
// still works for scripts and supervisors written against it. Method: the real command's --help as
// a child process, and package.json as npm reads it. (start.test.ts runs the service itself.)

import test from 'ava';
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { REPO } from '../helpers/shared.ts';

function help(command: string): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(process.execPath, [join(REPO, 'adapters', 'cli', 'deltran.js'), command, '--help'], { cwd: REPO }, (err, stdout) => (err ? reject(err) : resolve(stdout)));
  });
}

test('serve and its alias start show the same command, with the intake options', async (t) => {
  const [serve, start] = await Promise.all([help('serve'), help('start')]);
  t.regex(serve, /Usage: deltran serve\|start/);
  t.is(start, serve);
  for (const option of ['--host', '--port', '--inbox', '--nats', '--redis']) t.true(serve.includes(option), option);
});

test('npm start is deltran serve', (t) => {
  const pkg = JSON.parse(readFileSync(join(REPO, 'package.json'), 'utf8')) as { scripts: Record<string, string> };
  // With a 64 MB young generation: the ingest bench measured ×0.83 CPU per message (fewer scavenges
  // promoting in-flight deliveries); `npx deltran serve` runs without it, at the default.
  t.is(pkg.scripts['start'], 'node --max-semi-space-size=64 adapters/cli/deltran.js serve');
});
