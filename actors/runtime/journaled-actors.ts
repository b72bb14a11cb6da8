// One kind of journaled actor, wired: the pure decide/evolve of a kind (account, corridor) run in
// the journaled loop (journaled.ts), one nact actor per id, sharded (sharded.ts). This is what the
// rest of deltran talks to: send a command and act on the outcome (acknowledge the source only on
// appended/duplicate/rejected), read live state from the side index, watch events through `feed`.
// The kinds' own facades (`Accounts`, `Corridors`) only fix the kind and its defaults.

import type { Journaled } from '../journal-form.ts';
import type { Journal } from '../journal.ts';
import { EventFeed } from './event-feed.ts';
import { JournaledActor, type JournaledKind } from './journaled.ts';
import type { Outcome } from './outcome.ts';
import type { Published } from './published.ts';
import { Semaphore } from './semaphore.ts';
import { ShardedActors, type ShardedOptions, type ShardView } from './sharded.ts';

export interface KindTree {
  readonly kind: string;
  readonly actors: number;
  readonly shards: readonly ShardView[];
}

/** The sharding options are the runtime's own (documented in sharded.ts). */
export interface JournaledActorsOptions<S, C, E>
  extends Pick<ShardedOptions<S, C, E>, 'shards' | 'childrenPerShardMax' | 'mailboxDepthMax' | 'idleAfterMs' | 'passivateAfterMs' | 'drainTimeoutMs' | 'system'> {
  /** Pass the process's shared GroupCommitter, so every kind's appends batch together. */
  readonly journal: Journal;
  /** Events between snapshots. Default 100. */
  readonly snapshotEvery?: number | undefined;
  /** Events per journal read during recovery. Default 1,000. */
  readonly loadBatch?: number | undefined;
  /** Actors recovering at once. Default 32. */
  readonly recoveriesMax?: number | undefined;
  readonly onError?: ((actorId: string, what: string, err: unknown) => void) | undefined;
  readonly onApplied?: ((actorId: string, seq: number, events: readonly E[]) => void) | undefined;
}

const PASSIVATE_AFTER_MS_DEFAULT = 30_000;

export class JournaledActors<S, C extends { readonly messageId: string }, E extends Journaled> {
  private readonly actors: ShardedActors<S, C, E>;
  /** Every appended event, after it is durable (SSE, mints, read models). */
  readonly feed = new EventFeed<E>();

  constructor(kind: JournaledKind<S, C, E>, options: JournaledActorsOptions<S, C, E>, defaultShards = 64) {
    const loop = {
      journal: options.journal,
      snapshotEvery: options.snapshotEvery ?? 100,
      loadBatch: options.loadBatch ?? 1_000,
      recoveries: new Semaphore(options.recoveriesMax ?? 32),
      onError: options.onError,
      onApplied: (actorId: string, seq: number, events: readonly E[]) => {
        this.feed.emit(actorId, seq, events);
        options.onApplied?.(actorId, seq, events);
      },
    };
    this.actors = new ShardedActors<S, C, E>({
      kind: kind.kind,
      create: (id, entry) => new JournaledActor(id, kind, loop, entry),
      shards: options.shards ?? defaultShards,
      childrenPerShardMax: options.childrenPerShardMax,
      mailboxDepthMax: options.mailboxDepthMax,
      idleAfterMs: options.idleAfterMs,
      // An idle actor keeps its state but not its nact actor (~1.5 KB): 100,000 idle accounts in
      // under 300 MB (bench/actors). 'passivateAfterMs: undefined' in the options keeps them all.
      passivateAfterMs: 'passivateAfterMs' in options ? options.passivateAfterMs : PASSIVATE_AFTER_MS_DEFAULT,
      drainTimeoutMs: options.drainTimeoutMs,
      system: options.system,
    });
  }

  get kind(): string {
    return this.actors.kind;
  }

  /**
   * Applies `command` to actor `id`; the message identity is `command.messageId`. Resolves (never
   * rejects) with: appended | duplicate | rejected → acknowledge the source; retry |
   * mailbox_full → do not acknowledge, redeliver later (see outcome.ts).
   */
  send(id: string, command: C): Promise<Outcome<E>> {
    return this.actors.send(id, command);
  }

  /** The actor's live state as it last published it; undefined when not loaded (or evicted). */
  state(id: string): Published<S> | undefined {
    return this.actors.published(id);
  }

  all(): IterableIterator<Published<S>> {
    return this.actors.publishedAll();
  }

  tree(): KindTree {
    return this.actors.tree();
  }

  get stats(): ShardedActors<S, C, E>['stats'] {
    return this.actors.stats;
  }

  /** Drains, then stops every actor of the kind, their shards and (if ours) the nact system. */
  stop(): Promise<void> {
    return this.actors.stop();
  }
}
