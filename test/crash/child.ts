// The service as a separate process, the way an operator runs it (`deltran start`), so that a
// SIGKILL really is a crash: no finally blocks, no flush, no graceful anything. The child's stdout
// (pino, one JSON line per event) is read for the "Server listening at" line and otherwise only its
// tail is kept, for the failure message.

import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const REPO = fileURLToPath(new URL('../../', import.meta.url));

const TAIL_CHARS_MAX = 8_000;
const START_TIMEOUT_MS = 60_000;

export interface Exit {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
}

export interface RunningService {
  readonly url: string;
  readonly exited: Promise<Exit>;
  /** The last few KB of the child's stdout and stderr. */
  tail(): string;
  kill(signal: NodeJS.Signals): Promise<Exit>;
}

/** Children still running, killed if this test process exits first (a timeout, a crash). */
const live = new Set<ChildProcess>();
process.once('exit', () => {
  for (const c of live) c.kill('SIGKILL');
});

export interface StartingService {
  /** Resolves with the URL once it listens; rejects if it exits (or is killed) before. */
  readonly ready: Promise<string>;
  readonly exited: Promise<Exit>;
  tail(): string;
  kill(signal: NodeJS.Signals): Promise<Exit>;
}

/** Spawns `deltran start --port 0` with `env` added to ours; does not wait for it. */
export function spawnChild(env: Readonly<Record<string, string>>): StartingService {
  const child = spawn(process.execPath, [join(REPO, 'adapters', 'cli', 'deltran.js'), 'start', '--host', '127.0.0.1', '--port', '0'], {
    cwd: REPO,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  live.add(child);
  let tail = '';
  const keep = (chunk: Buffer) => {
    tail = (tail + chunk.toString()).slice(-TAIL_CHARS_MAX);
  };
  child.stdout!.on('data', keep);
  child.stderr!.on('data', keep);
  const exited = new Promise<Exit>((resolve) => child.once('exit', (code, signal) => {
    live.delete(child);
    resolve({ code, signal });
  }));
  const ready = listening(child, exited, () => tail);
  // A start that is killed on purpose rejects `ready`; whoever does that awaits `exited` instead.
  ready.catch(() => undefined);
  return {
    ready,
    exited,
    tail: () => tail,
    kill: async (signal) => {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      return exited;
    },
  };
}

/** Starts `deltran start --port 0` with `env` added to ours and resolves once it listens. */
export async function startChild(env: Readonly<Record<string, string>>): Promise<RunningService> {
  const starting = spawnChild(env);
  const url = await starting.ready;
  return { ...starting, url };
}

function listening(child: ChildProcess, exited: Promise<Exit>, tail: () => string): Promise<string> {
  return new Promise<string>((resolve, reject) => {
    let seen = '';
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`the service did not listen within ${START_TIMEOUT_MS} ms:\n${tail()}`));
    }, START_TIMEOUT_MS);
    const onData = (chunk: Buffer) => {
      seen = (seen + chunk.toString()).slice(-TAIL_CHARS_MAX);
      const m = /Server listening at (http:\/\/[^"\s]+)/.exec(seen);
      if (m === null) return;
      clearTimeout(timer);
      child.stdout!.off('data', onData);
      resolve(m[1]!);
    };
    child.stdout!.on('data', onData);
    void exited.then((e) => {
      clearTimeout(timer);
      reject(new Error(`the service exited before listening (code ${e.code}, signal ${e.signal}):\n${tail()}`));
    });
  });
}
