// The side index: what each live actor last published about itself, for the inspection endpoint
// and for reads such as GET /accounts/{id}. Readers never ask an actor (no nact `query`, which
// cross-talks, and no message that would queue behind payments): the actor writes its entry after
// each apply, the runtime keeps the mailbox depth current. States are immutable values, so
// publishing one is storing a reference, not a copy.
//
// Memory (100,000 idle accounts in 300 MB, bench/actors): an entry is read rarely and kept for
// every live actor, so it stores only what cannot be derived. Its path is computed when read (the
// runtime's entries are its registry cells, sharded.ts), and the time of the last message is a
// small integer (ms since this module loaded, a V8 small integer for ~24 days; after that a
// boxed number, still exact), not a 40-byte ISO string.

export interface Published<S> {
  /** The actor's id, e.g. `account:DE89370400440532013000:EUR`. */
  readonly id: string;
  /** nact path below the system, e.g. `account-07/account$3aDE89...$3aEUR`. */
  readonly path: string;
  /** Last journal sequence number applied (0: nothing journaled yet). */
  readonly seq: number;
  /** When the actor last finished a message (ISO 8601), null before the first. */
  readonly lastMessageAt: string | null;
  /** Messages accepted for this actor and not yet settled (bounded by mailboxDepthMax). */
  readonly mailboxDepth: number;
  /** The state at `seq`; null until the actor has recovered. */
  readonly state: S | null;
  /** True while the actor must (re)load from the journal before its next command. */
  readonly stale: boolean;
}

const EPOCH = Date.now() - 1;

/**
 * Mutable on purpose: one object per actor, updated in place, no garbage per message. Subclasses
 * say where the path comes from (stored, or derived from the id as the runtime's cells do).
 */
export abstract class Entry<S> implements Published<S> {
  seq = 0;
  state: S | null = null;
  stale = true;
  /** ms since EPOCH of the last finished message; 0 before the first. */
  private lastMessage = 0;
  constructor(readonly id: string) {}

  abstract get path(): string;

  /** The runtime's cells count their messages in flight; a ledger's entry has no mailbox. */
  get mailboxDepth(): number {
    return 0;
  }

  /** Records that a message finished now (cheaper than assigning `lastMessageAt`). */
  touch(now: number = Date.now()): void {
    this.lastMessage = Math.floor(now - EPOCH); // a small integer, see sharded.ts `clock`
  }

  get lastMessageAt(): string | null {
    return this.lastMessage === 0 ? null : new Date(EPOCH + this.lastMessage).toISOString();
  }

  set lastMessageAt(at: string | null) {
    const t = at === null ? Number.NaN : Date.parse(at);
    this.lastMessage = Number.isNaN(t) ? 0 : Math.floor(t - EPOCH);
  }
}

/** An entry whose path is given (token ledgers, which are not actors of their own). */
class PathEntry<S> extends Entry<S> {
  constructor(
    id: string,
    readonly path: string,
  ) {
    super(id);
  }
}

export class SideIndex<S> {
  private readonly entries = new Map<string, Entry<S>>();

  /** The runtime's side: created at spawn, removed at eviction and stop. */
  open(id: string, path: string): Entry<S> {
    const entry = new PathEntry<S>(id, path);
    this.entries.set(id, entry);
    return entry;
  }

  remove(id: string): void {
    this.entries.delete(id);
  }

  clear(): void {
    this.entries.clear();
  }

  /** Live actors only: an evicted or never loaded actor has no entry. */
  get(id: string): Published<S> | undefined {
    return this.entries.get(id);
  }

  values(): IterableIterator<Published<S>> {
    return this.entries.values();
  }

  get size(): number {
    return this.entries.size;
  }
}
