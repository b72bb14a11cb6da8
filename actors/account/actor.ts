// The account actors, wired: the pure decide/evolve of decide.ts and evolve.ts run in the journaled
// loop (runtime/journaled.ts), one nact actor per account, sharded (runtime/sharded.ts). `Accounts`
// is what the rest of deltran talks to: the ingestion pipeline and the HTTP API send commands and
// act on the outcome (acknowledge the source only on appended/duplicate/rejected), and read live
// state from the side index, never by asking an actor.

import { accountStateCodec } from './codec.ts';
import type { AccountCommand } from './commands.ts';
import { decideAccount } from './decide.ts';
import { accountEventCodec, type AccountEvent } from './events.ts';
import { evolveAccount } from './evolve.ts';
import { ACCOUNT_LIMITS_DEFAULT, accountActorId, initialAccount, type AccountLimits, type AccountState } from './model.ts';
import type { Journal } from '../journal.ts';
import { EventFeed } from '../runtime/event-feed.ts';
import { JournaledActor, type JournaledKind } from '../runtime/journaled.ts';
import type { Outcome } from '../runtime/outcome.ts';
import type { Published } from '../runtime/published.ts';
import { Semaphore } from '../runtime/semaphore.ts';
import { ShardedActors, type ShardedOptions, type ShardView } from '../runtime/sharded.ts';

export type AccountOutcome = Outcome<AccountEvent>;

export function accountKind(limits: AccountLimits = ACCOUNT_LIMITS_DEFAULT): JournaledKind<AccountState, AccountCommand, AccountEvent> {
  return {
    kind: 'account',
    // The limits (and applied-window size) of a new account; a recovered account keeps those of
    // its snapshot or opening, so changing them does not rewrite history.
    initial: () => initialAccount(limits),
    decide: decideAccount,
    evolve: evolveAccount,
    applied: (s) => s.applied,
    eventCodec: accountEventCodec,
    stateCodec: accountStateCodec,
  };
}

/**
 * The sharding options are the runtime's own (documented in runtime/sharded.ts); only the shard
 * count has another default here: 128, so 100,000 accounts make about 780 children per shard.
 */
export interface AccountsOptions
  extends Pick<
    ShardedOptions<AccountState, AccountCommand, AccountEvent>,
    'shards' | 'childrenPerShardMax' | 'mailboxDepthMax' | 'idleAfterMs' | 'drainTimeoutMs' | 'system'
  > {
  /** Pass the process's shared GroupCommitter, so accounts, corridors and tokens batch together. */
  readonly journal: Journal;
  readonly limits?: AccountLimits | undefined;
  /** Events between snapshots. Default 100. */
  readonly snapshotEvery?: number | undefined;
  /** Events per journal read during recovery. Default 1,000. */
  readonly loadBatch?: number | undefined;
  /** Accounts recovering at once. Default 32. */
  readonly recoveriesMax?: number | undefined;
  readonly onError?: ((actorId: string, what: string, err: unknown) => void) | undefined;
  readonly onApplied?: ((actorId: string, seq: number, events: readonly AccountEvent[]) => void) | undefined;
}

export class Accounts {
  private readonly actors: ShardedActors<AccountState, AccountCommand, AccountEvent>;
  /** Every appended account event, after it is durable: the SSE stream of /api/v1/actors/{id}/events. */
  readonly feed = new EventFeed<AccountEvent>();

  constructor(options: AccountsOptions) {
    const kind = accountKind(options.limits);
    const recoveries = new Semaphore(options.recoveriesMax ?? 32);
    const loop = {
      journal: options.journal,
      snapshotEvery: options.snapshotEvery ?? 100,
      loadBatch: options.loadBatch ?? 1_000,
      recoveries,
      onError: options.onError,
      onApplied: (actorId: string, seq: number, events: readonly AccountEvent[]) => {
        this.feed.emit(actorId, seq, events);
        options.onApplied?.(actorId, seq, events);
      },
    };
    this.actors = new ShardedActors<AccountState, AccountCommand, AccountEvent>({
      kind: 'account',
      create: (id, entry) => new JournaledActor(id, kind, loop, entry),
      shards: options.shards ?? 128,
      childrenPerShardMax: options.childrenPerShardMax,
      mailboxDepthMax: options.mailboxDepthMax,
      idleAfterMs: options.idleAfterMs,
      drainTimeoutMs: options.drainTimeoutMs,
      system: options.system,
    });
  }

  /**
   * Applies `command` to account `accountId` (the journal's actor id, `accountActorId(ref)`); the
   * message identity is `command.messageId`. Resolves (never rejects) with:
   * appended | duplicate | rejected → acknowledge the source;
   * retry | mailbox_full → do not acknowledge, redeliver later (see runtime/outcome.ts).
   * Throws at once only for a wiring bug: an OpenAccount whose ref is another account's.
   */
  send(accountId: string, command: AccountCommand): Promise<AccountOutcome> {
    // A misrouted opening would create account X under the id of account Y: a wiring bug.
    if (command.type === 'OpenAccount' && accountActorId(command.ref) !== accountId) {
      throw new Error(`OpenAccount for ${accountActorId(command.ref)} sent to ${accountId}`);
    }
    return this.actors.send(accountId, command);
  }

  /** The account's live state as it last published it; undefined when not loaded (or evicted). */
  state(accountId: string): Published<AccountState> | undefined {
    return this.actors.published(accountId);
  }

  all(): IterableIterator<Published<AccountState>> {
    return this.actors.publishedAll();
  }

  tree(): { readonly kind: string; readonly actors: number; readonly shards: readonly ShardView[] } {
    return this.actors.tree();
  }

  get stats(): ShardedActors<AccountState, AccountCommand, AccountEvent>['stats'] {
    return this.actors.stats;
  }

  /** Drains, then stops every account actor, their shards and (if ours) the nact system. */
  stop(): Promise<void> {
    return this.actors.stop();
  }
}
