// Live events of actors, for watchers (the SSE stream of the inspection endpoint). The loop calls
// `emit` after the events are durable and applied, so a watcher never sees an event the journal
// could still lose. Watching costs the actors nothing: with no watcher of an actor, `emit` is one
// map lookup; a watcher is called synchronously and must not block (the SSE route only writes to
// a socket and drops itself when the client reads too slowly).

export interface FedEvent<E> {
  readonly actor: string;
  /** The event's journal sequence number. */
  readonly seq: number;
  readonly event: E;
}

export type Watcher<E> = (fed: FedEvent<E>) => void;

export class EventFeed<E> {
  private readonly watchers = new Map<string, Set<Watcher<E>>>();

  /** Calls `watcher` with every event of `actor` from now on; returns the unsubscribe. */
  watch(actor: string, watcher: Watcher<E>): () => void {
    let set = this.watchers.get(actor);
    if (set === undefined) this.watchers.set(actor, (set = new Set()));
    set.add(watcher);
    return () => {
      const current = this.watchers.get(actor);
      if (current === undefined) return;
      current.delete(watcher);
      if (current.size === 0) this.watchers.delete(actor);
    };
  }

  /** `seq` is the sequence number of the last of `events` (as the journaled loop reports it). */
  emit(actor: string, seq: number, events: readonly E[]): void {
    const set = this.watchers.get(actor);
    if (set === undefined) return;
    const first = seq - events.length + 1;
    for (const watcher of [...set]) {
      events.forEach((event, i) => {
        try {
          watcher({ actor, seq: first + i, event });
        } catch {
          // A broken watcher must not break the actor that emitted: it is dropped.
          set.delete(watcher);
        }
      });
    }
  }

  /** Watchers in all (inspection and tests). */
  get size(): number {
    let n = 0;
    for (const set of this.watchers.values()) n += set.size;
    return n;
  }
}
