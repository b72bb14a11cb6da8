// A Source over files and directories (`deltran ingest PATH...`). Each file is one Delivery whose id
// is the sha256 of its content: the same bytes under another name, or ingested again tomorrow, are
// the same delivery, and their entries come back from the account actors as duplicates.
// Directories are walked recursively in name order (dot files skipped), so a run is repeatable.
// Files are read one at a time, only when a slot is free (`maxUnsettled`), so a directory of
// 100,000 files never sits in memory. There is no broker behind it: a nak cannot be redelivered
// here, so it is recorded in `outcomes` and the caller reports the file as "retry later".

import { createHash } from 'node:crypto';
import { readdir, readFile, stat } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { SlotBound, settleOnce, type Delivery, type Outcome, type Source } from '../source.ts';

export interface FileSourceOptions {
  /** Files read and not yet settled (default 8). */
  readonly maxUnsettled?: number | undefined;
}

export class FileSource implements Source {
  readonly name = 'file';
  readonly maxUnsettled: number;
  /** How each file was settled, by its path, in settle order. */
  readonly outcomes = new Map<string, Outcome>();
  readonly #bound: SlotBound;
  #closed = false;

  constructor(private readonly paths: readonly string[], options: FileSourceOptions = {}) {
    this.maxUnsettled = options.maxUnsettled ?? 8;
    this.#bound = new SlotBound(this.maxUnsettled);
  }

  get unsettled(): number {
    return this.#bound.held;
  }

  async close(): Promise<void> {
    this.#closed = true;
    this.#bound.close();
  }

  async *[Symbol.asyncIterator](): AsyncIterator<Delivery> {
    for (const path of await listFiles(this.paths)) {
      await this.#bound.waitFree();
      if (this.#closed) return;
      this.#bound.reserve(1);
      let data: Uint8Array;
      try {
        data = new Uint8Array(await readFile(path));
      } catch (err) {
        this.#bound.release();
        throw err;
      }
      yield this.#delivery(path, data);
    }
  }

  #delivery(path: string, data: Uint8Array): Delivery {
    const id = createHash('sha256').update(data).digest('hex');
    const settle = settleOnce(id, () => this.#bound.release(), async (outcome) => {
      this.outcomes.set(path, outcome);
    });
    return {
      id,
      source: `file:${path}`,
      subject: '',
      headers: new Map([['path', path]]),
      data,
      receivedAt: new Date(),
      deliveryCount: 1,
      redelivered: false,
      settle,
    };
  }
}

/** Every file under `paths` (absolute), directories expanded in name order. Throws for a missing path. */
export async function listFiles(paths: readonly string[]): Promise<string[]> {
  const out: string[] = [];
  const walk = async (path: string): Promise<void> => {
    const info = await stat(path);
    if (!info.isDirectory()) {
      out.push(path);
      return;
    }
    const names = (await readdir(path)).filter((n) => !n.startsWith('.')).sort();
    for (const name of names) await walk(join(path, name));
  };
  for (const path of paths) await walk(resolve(path));
  return out;
}
