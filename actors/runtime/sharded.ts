// Many named actors of one kind over nact, with the rules nact does not enforce itself:
//
// - Names: every actor is named from its id (names.ts); nact's random names collide at scale.
// - Fan-out: actors live under `shards` supervisor actors, placed by a stable hash of the id, at most
//   `childrenPerShardMax` per shard: nact copies a parent's children map for every message to it
//   (40-50 ms per message with 100k children, measured), so no parent may grow fat.
// - Routing: the registry (id → ref) is ours and sends go straight to the child's ref, never
//   through a parent's handler.
// - Replies: a `settle` callback inside the message, never nact `query` (32-bit reply ids, 15
//   wrong answers in 200,000 measured).
// - Bounded mailboxes: nact's are unbounded, so we count the messages sent to each actor and not
//   yet settled; at `mailboxDepthMax` a send is refused at once (MAILBOX_FULL), see `send`.
// - Lazy spawn on the first message; optional eviction of idle actors by one sweeper for all of
//   them (nact's shutdownAfter arms a timer per actor, and between its stop and its afterStop the
//   registry would point at a dead ref whose messages nact drops silently).
// - Stop: nact's stop(parent) leaves the children running, unreachable, with their timers; `stop`
//   drains, then stops every child explicitly, then the shards, then the system if it is ours.
// - A side index (published.ts) that the actors update after each apply, read by inspection: the
//   registry's cells are the side index's entries (one map, one object per actor).

import { retry, type Envelope, type Outcome } from './outcome.ts';
import { actorName, shardName, shardOf } from './names.ts';
import { dispatch, spawn, start, stop as stopActor, type ActorSystemRef, type Ref } from './nact.ts';
import { Entry, type Published } from './published.ts';

/** What runs inside one actor. Calls never overlap for one actor (nact serialises them). */
export interface Behaviour<C, E> {
  /** Must call `settle` exactly once; may keep working after it (the next message waits). */
  handle(command: C, settle: (outcome: Outcome<E>) => void): Promise<void>;
}

export interface ShardedOptions<S, C, E> {
  /** `account`, `corridor`, `tokens`: names the shards (`account-07`). */
  readonly kind: string;
  /** Builds an actor's behaviour at spawn; it publishes into `entry`. */
  readonly create: (id: string, entry: Entry<S>) => Behaviour<C, E>;
  /** Supervisor actors the children are spread over. Default 64. */
  readonly shards?: number | undefined;
  /** Children per shard at most. Default 1,000. */
  readonly childrenPerShardMax?: number | undefined;
  /** Messages accepted and not yet settled, per actor (mailbox_depth_max). Default 1,000. */
  readonly mailboxDepthMax?: number | undefined;
  /** Evict actors idle this long (no message, nothing in flight). Default: never. */
  readonly idleAfterMs?: number | undefined;
  /**
   * Passivate actors idle this long: their nact actor is stopped, their behaviour (the state) stays
   * in memory and the next message spawns a new nact actor for it, in order. Default: never.
   */
  readonly passivateAfterMs?: number | undefined;
  /** `stop` waits at most this long for messages in flight before settling them 'retry'. Default 10 s. */
  readonly drainTimeoutMs?: number | undefined;
  /** Share a nact system (several kinds); without it the runtime starts and stops its own. */
  readonly system?: ActorSystemRef | undefined;
}

interface Shard<S, C, E> {
  readonly name: string;
  readonly ref: Ref<never>;
  /** Its cells in no order (a cell knows its slot: removal swaps the last one in). */
  readonly cells: Cell<S, C, E>[];
  readonly stopped: Promise<void>;
}

/**
 * Milliseconds since the module loaded. Math.floor (a no-op on these integers) makes V8 return a
 * small integer, stored in the cell's field itself, for ~24 days; a plain subtraction returns a
 * boxed number and every cell would carry a 16-byte box.
 */
const T0 = Date.now();
const clock = (): number => Math.floor(Date.now() - T0);

// Memory: 100,000 idle accounts must fit in 300 MB, and a nact actor alone holds ~1.3 KB (its
// maps, mailbox, path, reference, logger) plus our closures around it. So a cell (the actor as we
// know it: id, behaviour with its state, side-index entry) outlives its nact actor: an actor idle
// for `passivateAfterMs` is passivated (nact actor stopped, ref null) and the next message spawns
// a new one under the same name. Nothing else an idle actor does not need is kept either: the cell
// IS the side-index entry (one object and one map entry per actor, not three), its nact name and
// path are derived from the id when needed, never stored, and the set of messages in flight exists
// only while there are some (bench/actors).
class Cell<S, C, E> extends Entry<S> {
  /** Set right after construction (the behaviour is built with its cell as its entry). */
  behaviour!: Behaviour<C, E>;
  /** The nact actor; null while passivated (or removed). */
  ref: Ref<Envelope<C, E>> | null = null;
  /**
   * Sent and not yet settled (the mailbox depth is their count): null when there are none, the
   * envelope itself when there is one (the usual case with many actors: no Set allocated and
   * dropped per message), a Set from two on.
   */
  pending: Envelope<C, E> | Set<Envelope<C, E>> | null = null;
  /** Inside its handler (including work after settling). */
  busy = false;
  /** `clock()` at spawn, then when its handler last finished. */
  lastActive = clock();
  /** Index in shard.cells; -1 once removed. */
  slot = -1;

  constructor(
    id: string,
    readonly shard: Shard<S, C, E>,
  ) {
    super(id);
  }

  get path(): string {
    return `${this.shard.name}/${actorName(this.id)}`;
  }

  override get mailboxDepth(): number {
    return depth(this);
  }
}

function depth<S, C, E>(cell: Cell<S, C, E>): number {
  const p = cell.pending;
  return p === null ? 0 : p instanceof Set ? p.size : 1;
}

function pendingOf<S, C, E>(cell: Cell<S, C, E>): Envelope<C, E>[] {
  const p = cell.pending;
  return p === null ? [] : p instanceof Set ? [...p] : [p];
}

function addPending<S, C, E>(cell: Cell<S, C, E>, envelope: Envelope<C, E>): void {
  const p = cell.pending;
  if (p === null) cell.pending = envelope;
  else if (p instanceof Set) p.add(envelope);
  else cell.pending = new Set([p, envelope]);
}

function removePending<S, C, E>(cell: Cell<S, C, E>, envelope: Envelope<C, E>): void {
  const p = cell.pending;
  if (p === envelope) cell.pending = null;
  else if (p instanceof Set) {
    p.delete(envelope);
    if (p.size === 0) cell.pending = null;
  }
}

export interface ShardView {
  readonly name: string;
  readonly children: number;
  readonly mailboxDepth: number;
}

export class ShardedActors<S, C, E> {
  readonly kind: string;
  private readonly system: ActorSystemRef;
  private readonly ownSystem: boolean;
  private readonly shards: Shard<S, C, E>[];
  /** The registry and the side index in one: id → cell. */
  private readonly cells = new Map<string, Cell<S, C, E>>();
  private readonly childrenPerShardMax: number;
  private readonly mailboxDepthMax: number;
  private readonly drainTimeoutMs: number;
  private readonly idleAfterMs: number | undefined;
  private readonly sweeper: NodeJS.Timeout | undefined;
  private readonly passivateAfterMs: number | undefined;
  private readonly passivator: NodeJS.Timeout | undefined;
  /** nact actors being stopped (removed or passivated), until nact has run their afterStop. */
  private readonly stoppingRefs = new Map<Ref<unknown>, { readonly done: Promise<void>; readonly resolve: () => void }>();
  private stopping: Promise<void> | null = null;
  readonly stats = { spawned: 0, evicted: 0, mailboxFull: 0, shardFull: 0, crashed: 0, passivated: 0, activated: 0 };

  constructor(private readonly options: ShardedOptions<S, C, E>) {
    this.kind = options.kind;
    const shards = options.shards ?? 64;
    this.childrenPerShardMax = options.childrenPerShardMax ?? 1_000;
    this.mailboxDepthMax = options.mailboxDepthMax ?? 1_000;
    this.drainTimeoutMs = options.drainTimeoutMs ?? 10_000;
    this.idleAfterMs = options.idleAfterMs;
    for (const [name, v] of Object.entries({ shards, childrenPerShardMax: this.childrenPerShardMax, mailboxDepthMax: this.mailboxDepthMax })) {
      if (!Number.isSafeInteger(v) || v < 1) throw new RangeError(`${name} must be a positive integer, got ${v}`);
    }
    this.ownSystem = options.system === undefined;
    this.system = options.system ?? start();
    this.shards = Array.from({ length: shards }, (_, i) => {
      const name = shardName(options.kind, i, shards);
      let stopped!: () => void;
      const done = new Promise<void>((resolve) => (stopped = resolve));
      // A shard is only a parent: it never receives a message (nothing is routed through it).
      const ref = spawn(this.system, (state: undefined) => state, name, { afterStop: () => stopped() }) as Ref<never>;
      return { name, ref, cells: [], stopped: done };
    });
    if (this.idleAfterMs !== undefined) {
      if (!(this.idleAfterMs > 0)) throw new RangeError(`idleAfterMs must be positive, got ${this.idleAfterMs}`);
      // One timer for all actors. Not unref'd on purpose: a runtime nobody stopped keeps the
      // process alive, which a test notices (a forgotten stop() also leaves actors running).
      this.sweeper = setInterval(() => this.sweep(), Math.max(10, this.idleAfterMs / 2));
    }
    this.passivateAfterMs = options.passivateAfterMs;
    if (this.passivateAfterMs !== undefined) {
      if (!(this.passivateAfterMs > 0)) throw new RangeError(`passivateAfterMs must be positive, got ${this.passivateAfterMs}`);
      // Unref'd: passivation only saves memory, it never holds work a process must wait for.
      this.passivator = setInterval(() => this.passivateIdle(), Math.max(10, this.passivateAfterMs / 2));
      this.passivator.unref();
    }
  }

  /**
   * Queues `command` for actor `id` (spawned on first use) and resolves with its outcome.
   *
   * Mailboxes are bounded: when `mailboxDepthMax` messages for this actor are already in flight,
   * the send is refused at once with `{status: 'mailbox_full', code: 'MAILBOX_FULL'}` and the
   * message is NOT queued. The caller must then not acknowledge its source, and should retry
   * later (JetStream: nak with a delay; HTTP: 503 with Retry-After). Never buffer it instead:
   * backpressure belongs at the source.
   */
  send(id: string, command: C): Promise<Outcome<E>> {
    if (this.stopping !== null) return Promise.resolve(retry('STOPPING', `the ${this.kind} runtime is stopping`));
    const cell = this.cells.get(id) ?? this.spawnCell(id);
    if (cell === null) {
      this.stats.shardFull++;
      return Promise.resolve(retry('SHARD_FULL', `every actor of shard ${this.shards[shardOf(id, this.shards.length)]!.name} is busy`));
    }
    if (depth(cell) >= this.mailboxDepthMax) {
      this.stats.mailboxFull++;
      return Promise.resolve({ status: 'mailbox_full', code: 'MAILBOX_FULL', depth: depth(cell) });
    }
    return new Promise<Outcome<E>>((resolve) => {
      let settled = false;
      const envelope: Envelope<C, E> = {
        command,
        settle: (outcome) => {
          if (settled) return;
          settled = true;
          removePending(cell, envelope);
          resolve(outcome);
        },
      };
      addPending(cell, envelope);
      dispatch(cell.ref ?? this.activate(cell), envelope);
    });
  }

  /** What actor `id` last published; undefined when it is not loaded (never sent to, or evicted). */
  published(id: string): Published<S> | undefined {
    return this.cells.get(id);
  }

  /** Every loaded actor's published entry (inspection). */
  publishedAll(): IterableIterator<Published<S>> {
    return this.cells.values();
  }

  /** The supervision tree as counts (GET /api/v1/actors). */
  tree(): { readonly kind: string; readonly actors: number; readonly shards: readonly ShardView[] } {
    return {
      kind: this.kind,
      actors: this.cells.size,
      shards: this.shards.map((s) => {
        let mailboxDepth = 0;
        for (const c of s.cells) mailboxDepth += depth(c);
        return { name: s.name, children: s.cells.length, mailboxDepth };
      }),
    };
  }

  /**
   * Graceful: refuses new sends ('retry', STOPPING), waits up to drainTimeoutMs for messages in
   * flight, then stops every child explicitly (nact's stop of a parent would not), settles
   * whatever is still queued with 'retry', stops the shards and, if it is ours, the system.
   * Resolves when nact has run every actor's afterStop: nothing of ours is left scheduled.
   */
  stop(): Promise<void> {
    this.stopping ??= this.shutdown();
    return this.stopping;
  }

  private async shutdown(): Promise<void> {
    if (this.sweeper !== undefined) clearInterval(this.sweeper);
    if (this.passivator !== undefined) clearInterval(this.passivator);
    const deadline = Date.now() + this.drainTimeoutMs;
    while (Date.now() < deadline && [...this.cells.values()].some((c) => c.busy || depth(c) > 0)) {
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
    for (const cell of [...this.cells.values()]) {
      this.remove(cell);
      for (const envelope of pendingOf(cell)) envelope.settle(retry('STOPPING', `the ${this.kind} runtime stopped before this message ran`));
    }
    await Promise.all([...this.stoppingRefs.values()].map((s) => s.done));
    for (const shard of this.shards) stopActor(shard.ref);
    await Promise.all(this.shards.map((s) => s.stopped));
    if (this.ownSystem) stopActor(this.system);
  }

  private spawnCell(id: string): Cell<S, C, E> | null {
    const shard = this.shards[shardOf(id, this.shards.length)]!;
    if (shard.cells.length >= this.childrenPerShardMax && !this.evictLongestIdle(shard)) return null;
    const cell = new Cell<S, C, E>(id, shard);
    cell.behaviour = this.options.create(id, cell);
    this.cells.set(id, cell);
    cell.slot = shard.cells.push(cell) - 1;
    this.stats.spawned++;
    return cell;
  }

  /** A nact actor for the cell (at its first message, or its first after passivation). */
  private activate(cell: Cell<S, C, E>): Ref<Envelope<C, E>> {
    const { id, behaviour } = cell;
    this.stats.activated++;
    // The closures below run only after spawn returned, so they see `ref`.
    const ref = spawn(
      cell.shard.ref,
      async (state: undefined, envelope: Envelope<C, E>) => {
        cell.busy = true;
        try {
          await behaviour.handle(envelope.command, envelope.settle);
        } finally {
          cell.busy = false;
          cell.lastActive = clock();
        }
        return state;
      },
      actorName(id),
      {
        afterStop: () => this.stoppingRefs.get(ref)?.resolve(),
        // Behaviours settle and never throw; if one does anyway, the actor is dropped and the
        // next message spawns a fresh one, which recovers from the journal (a reset).
        onCrash: (_msg, _err, ctx) => {
          this.stats.crashed++;
          if (this.cells.get(id) === cell) this.remove(cell);
          for (const envelope of pendingOf(cell)) envelope.settle(retry('ACTOR_FAILED', `actor ${id} crashed`));
          return ctx.stop;
        },
      },
    ) as Ref<Envelope<C, E>>;
    cell.ref = ref;
    return ref;
  }

  /** Stops the nact actors of cells idle for passivateAfterMs; their state stays. */
  private passivateIdle(): void {
    const horizon = clock() - this.passivateAfterMs!;
    for (const c of this.cells.values()) {
      if (c.ref !== null && !c.busy && depth(c) === 0 && c.lastActive <= horizon) {
        this.stats.passivated++;
        this.stopNact(c);
      }
    }
  }

  /** nact removes the child from its parent at once (the name is free again); afterStop comes later. */
  private stopNact(cell: Cell<S, C, E>): void {
    const ref = cell.ref;
    if (ref === null) return;
    cell.ref = null;
    let resolve!: () => void;
    const done = new Promise<void>((r) => (resolve = r)).then(() => {
      this.stoppingRefs.delete(ref);
    });
    this.stoppingRefs.set(ref, { done, resolve });
    stopActor(ref);
  }

  /** Makes room in a full shard; false when every child there has work. */
  private evictLongestIdle(shard: Shard<S, C, E>): boolean {
    let oldest: Cell<S, C, E> | null = null;
    for (const c of shard.cells) {
      if (!c.busy && depth(c) === 0 && (oldest === null || c.lastActive < oldest.lastActive)) oldest = c;
    }
    if (oldest === null) return false;
    this.evict(oldest);
    return true;
  }

  private sweep(): void {
    const horizon = clock() - this.idleAfterMs!;
    for (const c of this.cells.values()) if (!c.busy && depth(c) === 0 && c.lastActive <= horizon) this.evict(c);
  }

  private evict(cell: Cell<S, C, E>): void {
    this.stats.evicted++;
    this.remove(cell);
  }

  /** Registry, shard and side index first, then nact: no send can reach a stopped ref. */
  private remove(cell: Cell<S, C, E>): void {
    if (cell.slot >= 0) {
      this.cells.delete(cell.id);
      const cells = cell.shard.cells;
      const last = cells.pop()!;
      if (last !== cell) {
        cells[cell.slot] = last;
        last.slot = cell.slot;
      }
      cell.slot = -1;
    }
    this.stopNact(cell);
  }
}
