// The side index: what each live actor last published about itself, for the inspection endpoint
// and for reads such as GET /accounts/{id}. Readers never ask an actor (no nact `query`, which
// cross-talks, and no message that would queue behind payments): the actor writes its entry after
// each apply, the runtime keeps the mailbox depth current. States are immutable values, so
// publishing one is storing a reference, not a copy.

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

/** Mutable on purpose: one object per actor, updated in place, no garbage per message. */
export class Entry<S> implements Published<S> {
  seq = 0;
  lastMessageAt: string | null = null;
  mailboxDepth = 0;
  state: S | null = null;
  stale = true;
  constructor(
    readonly id: string,
    readonly path: string,
  ) {}
}

export class SideIndex<S> {
  private readonly entries = new Map<string, Entry<S>>();

  /** The runtime's side: created at spawn, removed at eviction and stop. */
  open(id: string, path: string): Entry<S> {
    const entry = new Entry<S>(id, path);
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
