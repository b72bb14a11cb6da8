// The token ledgers, wired: `Tokens` is what the rest of deltran talks to (the HTTP API, the pay-in
// minter). Every ledger lives in ONE nact actor (ledgers.ts), because a conversion must decide over
// two ledgers at once; the actor is the runtime's (sharded.ts with one shard and one child), so it
// is named, its mailbox is bounded (a send beyond `mailboxDepthMax` settles `mailbox_full` at once
// and is not queued), it never answers through nact `query`, and `stop` drains and stops it.
// Each ledger publishes its state into a side index of its own (`tokens:AED`), so reads (balances,
// the proof of backing) never queue behind payments.
//
// The price of one mailbox is throughput: token operations are serial, one journal round trip
// each (group commit still batches them with the accounts' appends). Token operations are far
// rarer than bank entries, and correctness of convert needs the single decision.

import type BigNumber from 'bignumber.js';
import { APPLIED_IDS_MAX_DEFAULT } from '../applied.ts';
import type { Journal } from '../journal.ts';
import { ZERO } from '../money.ts';
import { EventFeed } from '../runtime/event-feed.ts';
import { actorName, shardName } from '../runtime/names.ts';
import type { ActorSystemRef } from '../runtime/nact.ts';
import type { Outcome } from '../runtime/outcome.ts';
import { SideIndex, type Published } from '../runtime/published.ts';
import { ShardedActors, type ShardView } from '../runtime/sharded.ts';
import type { BackingPort } from './backing.ts';
import type { TokenEvent } from './events.ts';
import { TokenLedgers, type LedgersMessage, type TokensRequest } from './ledgers.ts';
import { tokenActorId, type TokenLedgerState } from './model.ts';

export type { TokensRequest } from './ledgers.ts';
export type TokenOutcome = Outcome<TokenEvent>;

/** The one actor's id (and nact name). */
export const TOKENS_ACTOR = 'tokens';

export interface TokensOptions {
  /** Pass the process's shared GroupCommitter, so token appends batch with the accounts'. */
  readonly journal: Journal;
  /** The backing figure per currency (ClientFundsBacking in the service). */
  readonly backing: BackingPort;
  /** Messages accepted and not yet settled. Default 10,000: one mailbox serves every currency. */
  readonly mailboxDepthMax?: number | undefined;
  /** Events between snapshots, per ledger. Default 100. */
  readonly snapshotEvery?: number | undefined;
  /** Events per journal read during recovery. Default 1,000. */
  readonly loadBatch?: number | undefined;
  /** Applied-window size of a new ledger. Default 64. */
  readonly appliedIdsMax?: number | undefined;
  readonly drainTimeoutMs?: number | undefined;
  readonly system?: ActorSystemRef | undefined;
  readonly onError?: ((actorId: string, what: string, err: unknown) => void) | undefined;
  readonly onApplied?: ((actorId: string, seq: number, events: readonly TokenEvent[]) => void) | undefined;
}

export class Tokens {
  private readonly actors: ShardedActors<ReadonlyMap<string, TokenLedgerState>, LedgersMessage, TokenEvent>;
  private readonly index = new SideIndex<TokenLedgerState>();
  /** Every appended token event, once durable (SSE, read models). */
  readonly feed = new EventFeed<TokenEvent>();
  private loads = 0;

  constructor(options: TokensOptions) {
    const snapshotEvery = options.snapshotEvery ?? 100;
    const loadBatch = options.loadBatch ?? 1_000;
    const appliedIdsMax = options.appliedIdsMax ?? APPLIED_IDS_MAX_DEFAULT;
    for (const [name, v] of Object.entries({ snapshotEvery, loadBatch, appliedIdsMax })) {
      if (!Number.isSafeInteger(v) || v < 1) throw new RangeError(`${name} must be a positive integer, got ${v}`);
    }
    const actorPath = `${shardName(TOKENS_ACTOR, 0, 1)}/${actorName(TOKENS_ACTOR)}`;
    this.actors = new ShardedActors({
      kind: TOKENS_ACTOR,
      shards: 1,
      childrenPerShardMax: 1,
      mailboxDepthMax: options.mailboxDepthMax ?? 10_000,
      drainTimeoutMs: options.drainTimeoutMs,
      system: options.system,
      create: (_id, entry) => new TokenLedgers({
        journal: options.journal,
        backing: options.backing,
        snapshotEvery,
        loadBatch,
        appliedIdsMax,
        index: this.index,
        // A ledger is not an actor of its own; its path says which actor holds it.
        pathOf: (ledgerId) => `${actorPath}/${actorName(ledgerId)}`,
        onError: options.onError,
        onApplied: (actorId, seq, events) => {
          this.feed.emit(actorId, seq, events);
          options.onApplied?.(actorId, seq, events);
        },
      }, entry),
    });
  }

  /**
   * Applies a token operation; its message identity is `request.messageId` (unique per ledger in
   * the journal). Resolves (never rejects) with appended | duplicate | rejected, or retry |
   * mailbox_full (nothing is known to be applied: send the same request again later).
   */
  send(request: TokensRequest): Promise<TokenOutcome> {
    return this.actors.send(TOKENS_ACTOR, request);
  }

  /** Recovers these ledgers now (the service loads every journaled ledger at start). */
  load(currencies: readonly string[]): Promise<TokenOutcome> {
    return this.actors.send(TOKENS_ACTOR, { type: 'Load', messageId: `load:${++this.loads}`, currencies });
  }

  /** A ledger as it last published itself; undefined until it is loaded. */
  ledger(currency: string): Published<TokenLedgerState> | undefined {
    const published = this.index.get(tokenActorId(currency));
    return published === undefined ? undefined : this.view(published);
  }

  /** Every loaded ledger. */
  ledgers(): Published<TokenLedgerState>[] {
    return [...this.index.values()].map((p) => this.view(p));
  }

  /** The participant's balance in every loaded ledger where it holds tokens. */
  balancesOf(participant: string): Map<string, BigNumber> {
    const out = new Map<string, BigNumber>();
    for (const p of this.index.values()) {
      const held = p.state?.balances.get(participant) ?? ZERO;
      if (!held.isZero()) out.set(p.state!.currency, held);
    }
    return out;
  }

  tree(): { readonly kind: string; readonly actors: number; readonly shards: readonly ShardView[] } {
    return this.actors.tree();
  }

  get kind(): string {
    return TOKENS_ACTOR;
  }

  /** Inspection: one ledger by its journal id (`tokens:AED`). */
  state(id: string): Published<TokenLedgerState> | undefined {
    return id.startsWith(`${TOKENS_ACTOR}:`) ? this.ledger(id.slice(TOKENS_ACTOR.length + 1)) : undefined;
  }

  get stats(): ShardedActors<ReadonlyMap<string, TokenLedgerState>, LedgersMessage, TokenEvent>['stats'] {
    return this.actors.stats;
  }

  /** Drains the mailbox, then stops the actor, its shard and (if ours) the nact system. */
  stop(): Promise<void> {
    return this.actors.stop();
  }

  /** The ledgers share one mailbox: its depth is theirs. */
  private view(p: Published<TokenLedgerState>): Published<TokenLedgerState> {
    const mailboxDepth = this.actors.published(TOKENS_ACTOR)?.mailboxDepth ?? 0;
    return { id: p.id, path: p.path, seq: p.seq, lastMessageAt: p.lastMessageAt, mailboxDepth, state: p.state, stale: p.stale };
  }
}
