// `npm start` must work right after `npm ci` with no services: start the real command as a child
// process on a free port, wait for it to listen, ask /health, stop it with SIGTERM. It runs on
// embedded PGlite in a temp DATA_DIR (DATABASE_URL cleared), so it neither writes ./data in the
// repository nor depends on a PostgreSQL being up; PGlite's start takes seconds, hence 60 s.

import test from 'ava';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { REPO } from '../helpers/shared.ts';

test('deltran start serves /health and stops cleanly on SIGTERM', async (t) => {
  const dataDir = mkdtempSync(join(tmpdir(), 'deltran-start-'));
  t.teardown(() => rmSync(dataDir, { recursive: true, force: true }));
  const child = spawn(process.execPath, [join(REPO, 'adapters', 'cli', 'deltran.js'), 'start', '--port', '0'], {
    cwd: REPO,
    env: { ...process.env, DATA_DIR: dataDir, DATABASE_URL: '' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  try {
    const url = await new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('the service did not start within 60 s')), 60_000);
      let seen = '';
      child.stdout.on('data', (chunk: Buffer) => {
        seen += chunk.toString();
        const m = /Server listening at (http:\/\/[^"\s]+)/.exec(seen);
        if (m !== null) {
          clearTimeout(timer);
          resolve(m[1]!);
        }
      });
      child.once('exit', (code) => reject(new Error(`the service exited early with ${code}`)));
    });
    const res = await fetch(`${url}/health`);
    t.is(res.status, 200);
    t.deepEqual(await res.json(), { status: 'ok', checks: { database: 'ok', engine: 'pglite' } });
  } finally {
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    child.kill('SIGTERM');
    t.is(await exited, 0);
  }
});
