// A watched inbox directory as a Source: files dropped into `dir` are ingested, then moved to
// `dir/processed/` once their effect is durable (settled 'ack'), or to `dir/rejected/` once they
// are dead-lettered ('term'). A nak leaves the file where it is and takes it again after the delay.
// A crash anywhere leaves the file in the inbox (a rename is atomic), so the next start ingests it
// again and its entries come back as duplicates: the move is the acknowledgement, never the other
// way round.
//
// Writers should write elsewhere (or under a temporary name) and rename into the inbox. Names that
// look unfinished are ignored: dot files, `*.tmp`, `*.part`, `*.partial`, `*.crdownload`, `*.swp`,
// `*~`. A file is also left alone until it has not been modified for `quietMs`, which catches most
// writers that write in place. The directory is rescanned every `pollMs` and, sooner, when
// fs.watch reports a change; fs.watch alone is not enough (it drops events under load and on some
// file systems reports nothing), the rescan is what makes pickup certain.
//
// A file is taken when a slot is free (`maxUnsettled`), read whole (one file is one Delivery, id =
// sha256 of its bytes, as FileSource does), and not taken again while in flight. Before the move the
// file is checked to be the one that was read (inode, size, mtime): one replaced under the same
// name while in flight is left for the next scan. One deltran process per inbox directory.

import { createHash } from 'node:crypto';
import { watch, type FSWatcher } from 'node:fs';
import { mkdir, readdir, readFile, rename, stat } from 'node:fs/promises';
import { extname, join, resolve } from 'node:path';
import { SlotBound, settleOnce, type Delivery, type Outcome, type Source } from '../source.ts';

export interface InboxOptions {
  /** Files read and not yet settled (default 8). */
  readonly maxUnsettled?: number | undefined;
  /** Rescan period, ms (default 2,000). */
  readonly pollMs?: number | undefined;
  /** A file younger than this (by mtime), ms, is not taken yet (default 500). */
  readonly quietMs?: number | undefined;
  /** After a file could not be read or moved, ms before it is tried again (default 5,000). */
  readonly retryMs?: number | undefined;
  /** fs.watch as a hint to rescan early (default true). */
  readonly watch?: boolean | undefined;
  /** A file could not be listed, read or moved (it is tried again later). */
  readonly onError?: ((err: unknown, path: string) => void) | undefined;
  /** A file was moved after its delivery settled. */
  readonly onMoved?: ((from: string, to: string, outcome: Outcome) => void) | undefined;
}

const UNFINISHED = /^\.|\.(tmp|part|partial|crdownload|swp)$|~$/i;

interface Taken {
  readonly path: string;
  readonly ino: number;
  readonly size: number;
  readonly mtimeMs: number;
}

export class InboxSource implements Source {
  readonly name: string;
  readonly maxUnsettled: number;
  readonly dir: string;
  readonly processedDir: string;
  readonly rejectedDir: string;
  readonly #bound: SlotBound;
  readonly #opts: InboxOptions;
  /** Names in flight (read, not settled). */
  readonly #inFlight = new Set<string>();
  /** Names not to take before a time (nak delay, failed read or move). */
  readonly #notBefore = new Map<string, number>();
  #watcher: FSWatcher | undefined;
  #wake: (() => void) | undefined;
  #kicked = false;
  #closed = false;

  /** Creates the directory and its processed/ and rejected/ folders when missing. */
  static async open(dir: string, options: InboxOptions = {}): Promise<InboxSource> {
    const source = new InboxSource(resolve(dir), options);
    for (const d of [source.dir, source.processedDir, source.rejectedDir]) await mkdir(d, { recursive: true });
    return source;
  }

  private constructor(dir: string, options: InboxOptions) {
    this.dir = dir;
    this.processedDir = join(dir, 'processed');
    this.rejectedDir = join(dir, 'rejected');
    this.name = `inbox:${dir}`;
    this.maxUnsettled = options.maxUnsettled ?? 8;
    this.#bound = new SlotBound(this.maxUnsettled);
    this.#opts = options;
  }

  get unsettled(): number {
    return this.#inFlight.size;
  }

  async close(): Promise<void> {
    this.#closed = true;
    this.#watcher?.close();
    this.#bound.close();
    this.#kick();
  }

  async *[Symbol.asyncIterator](): AsyncIterator<Delivery> {
    this.#startWatching();
    while (!this.#closed) {
      const { ready, nextAt } = await this.#scan();
      for (const file of ready) {
        await this.#bound.waitFree();
        if (this.#closed) return;
        const delivery = await this.#take(file);
        if (delivery !== null) yield delivery;
      }
      // Files already taken this round are in flight; a rescan right away would only skip them.
      if (ready.length === 0 || this.#bound.free === 0) await this.#sleep(nextAt);
    }
  }

  /** Files that may be taken now, oldest first, and when the next one (young or delayed) will be. */
  async #scan(): Promise<{ ready: string[]; nextAt: number }> {
    const now = Date.now();
    const quietMs = this.#opts.quietMs ?? 500;
    let nextAt = now + (this.#opts.pollMs ?? 2_000);
    let names: string[];
    try {
      names = (await readdir(this.dir, { withFileTypes: true })).filter((e) => e.isFile() && !UNFINISHED.test(e.name)).map((e) => e.name);
    } catch (err) {
      this.#opts.onError?.(err, this.dir);
      return { ready: [], nextAt };
    }
    const ready: { name: string; mtimeMs: number }[] = [];
    for (const name of names) {
      if (this.#inFlight.has(name)) continue;
      const at = this.#notBefore.get(name) ?? 0;
      const info = await stat(join(this.dir, name)).catch(() => null);
      if (info === null) continue; // gone since the listing (moved by its writer, or by us)
      const readyAt = Math.max(at, info.mtimeMs + quietMs);
      if (readyAt > now) nextAt = Math.min(nextAt, readyAt);
      else ready.push({ name, mtimeMs: info.mtimeMs });
    }
    const present = new Set(names);
    for (const name of this.#notBefore.keys()) if (!present.has(name)) this.#notBefore.delete(name);
    ready.sort((a, b) => a.mtimeMs - b.mtimeMs || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    return { ready: ready.map((r) => r.name), nextAt };
  }

  /** Reads one file into a Delivery holding a slot; null when it is gone or unreadable. */
  async #take(name: string): Promise<Delivery | null> {
    if (this.#inFlight.has(name)) return null;
    const path = join(this.dir, name);
    this.#bound.reserve(1);
    try {
      const info = await stat(path);
      const data = new Uint8Array(await readFile(path));
      this.#inFlight.add(name);
      return this.#delivery(name, data, { path, ino: info.ino, size: info.size, mtimeMs: info.mtimeMs });
    } catch (err) {
      this.#bound.release();
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') {
        this.#notBefore.set(name, Date.now() + (this.#opts.retryMs ?? 5_000));
        this.#opts.onError?.(err, path);
      }
      return null;
    }
  }

  #delivery(name: string, data: Uint8Array, taken: Taken): Delivery {
    const id = createHash('sha256').update(data).digest('hex');
    const release = (): void => {
      this.#inFlight.delete(name);
      this.#bound.release();
      // The slot may unblock a file seen in the last scan; look again now rather than at the next poll.
      this.#kick();
    };
    return {
      id,
      source: `${this.name}/${name}`,
      subject: '',
      headers: new Map([['path', taken.path]]),
      data,
      receivedAt: new Date(),
      deliveryCount: 1,
      redelivered: false,
      settle: settleOnce(id, release, (outcome) => this.#settle(name, id, taken, outcome)),
    };
  }

  async #settle(name: string, id: string, taken: Taken, outcome: Outcome): Promise<void> {
    if (typeof outcome === 'object') {
      this.#notBefore.set(name, Date.now() + outcome.nak);
      return;
    }
    const now = await stat(taken.path).catch(() => null);
    // Replaced under the same name while in flight: that is a new file, to be ingested on its own.
    if (now === null || now.ino !== taken.ino || now.size !== taken.size || now.mtimeMs !== taken.mtimeMs) return;
    const target = await freeName(outcome === 'ack' ? this.processedDir : this.rejectedDir, name, id);
    try {
      await rename(taken.path, target);
    } catch (err) {
      this.#notBefore.set(name, Date.now() + (this.#opts.retryMs ?? 5_000));
      this.#opts.onError?.(err, taken.path);
      throw err;
    }
    this.#opts.onMoved?.(taken.path, target, outcome);
  }

  #startWatching(): void {
    if (this.#opts.watch === false) return;
    try {
      this.#watcher = watch(this.dir, { persistent: false }, () => this.#kick());
      // A watcher error (the directory removed, too many watches) leaves the poll to do the work.
      this.#watcher.on('error', (err) => this.#opts.onError?.(err, this.dir));
    } catch (err) {
      this.#opts.onError?.(err, this.dir);
    }
  }

  #kick(): void {
    this.#kicked = true;
    this.#wake?.();
  }

  /** Until `at`, a change in the directory, a freed slot or close, whichever comes first. */
  async #sleep(at: number): Promise<void> {
    if (this.#kicked || this.#closed) {
      this.#kicked = false;
      return;
    }
    await new Promise<void>((done) => {
      const timer = setTimeout(done, Math.max(0, at - Date.now()));
      this.#wake = () => {
        clearTimeout(timer);
        done();
      };
    });
    this.#wake = undefined;
    this.#kicked = false;
  }
}

/**
 * `dir/name`, or, when a file of that name is there already (the same name dropped twice),
 * `dir/<base>.<12 hex of the content hash><ext>`: never overwrite evidence of another file.
 */
async function freeName(dir: string, name: string, id: string): Promise<string> {
  const plain = join(dir, name);
  if ((await stat(plain).catch(() => null)) === null) return plain;
  const ext = extname(name);
  return join(dir, `${name.slice(0, name.length - ext.length)}.${id.slice(0, 12)}${ext}`);
}
