// Many actors each append one event at a time; each of those as its own transaction would cap the
// whole system at one fsync per event (~2,000/s). GroupCommitter stands in front of a Journal and
// gathers the appends of all actors into shared batches: "natural batching". The first append
// after an idle moment is flushed on the next turn of the event loop (so appends issued in the same
// turn join it, and no fixed sleep adds latency); while flushes are in flight, later appends queue
// up and go together in the next one, up to `maxBatch` events. Under load batches grow by
// themselves; when idle, latency is one round trip.
//
// Pipelined flushes (`maxInFlight`, default what the inner journal says it can run at once: 2 on
// PostgreSQL, 1 on PGlite, which runs in this thread): with one flush at a time, an append that
// arrives during a flush waits for that flush to commit and then for its own, two round trips
// and fsyncs; tier-1 reconciliation's p99 was made of that. A further flush may start while
// others are in flight, but only with appends of actors that have nothing in flight: an actor's
// event N+1 must never be durable while its event N could still fail, or the journal would have
// a gap. An append of a busy actor stays queued (and every later append of that actor behind it)
// until the flush holding its actor settles. For the same reason, when a flush fails, the events
// still queued for the actors of that batch are rejected too (their actors are reset from the
// journal and append again).
//
// The queue is bounded (`maxQueued` events). When it is full, `append` rejects at once with
// JournalBackpressureError instead of buffering without limit: the caller does not acknowledge
// its source (JetStream redelivers, HTTP answers 503) and tries again later.

import type { AppendOutcome, Journal, PendingEvent, Snapshot, StoredEvent } from '../../actors/journal.ts';
import { encodeEvent, type EncodedRow } from './journal.ts';

export class JournalBackpressureError extends Error {
  override readonly name = 'JournalBackpressureError';
  readonly code = 'JOURNAL_QUEUE_FULL';
}

export class JournalClosedError extends Error {
  override readonly name = 'JournalClosedError';
  readonly code = 'JOURNAL_CLOSED';
}

export interface GroupCommitOptions {
  /** Flush as soon as this many events wait, and never put more in one batch (unless one append is larger). Default 1,000. */
  readonly maxBatch?: number;
  /** Events waiting at most; beyond, append rejects with JournalBackpressureError. Default 20,000. */
  readonly maxQueued?: number;
  /**
   * Flushes in flight at once, over disjoint actors. Default: the inner journal's
   * `concurrentAppends` (PgJournal: 2 on PostgreSQL, 1 on PGlite), else 1.
   */
  readonly maxInFlight?: number;
}

/** A journal that takes rows encodeEvent already checked and serialised (PgJournal). */
interface EncodedJournal extends Journal {
  appendEncoded(rows: readonly EncodedRow[]): Promise<AppendOutcome[]>;
}

interface Pending {
  readonly events: readonly PendingEvent[];
  /** The same events through encodeEvent: serialised once, here, not again by the inner journal. */
  readonly rows: readonly EncodedRow[];
  readonly resolve: (outcomes: AppendOutcome[]) => void;
  readonly reject: (err: unknown) => void;
}

export class GroupCommitter implements Journal {
  private readonly maxBatch: number;
  private readonly maxQueued: number;
  private readonly maxInFlight: number;
  private queue: Pending[] = [];
  private queuedEvents = 0;
  /** Flushes in flight (close waits for them). */
  private readonly flushes = new Set<Promise<void>>();
  /** Actors with events in a flush in flight: none of their later appends may start before it settles. */
  private readonly busy = new Set<string>();
  private scheduled = false;
  private closed = false;
  /** The inner journal when it takes encoded rows, so events are serialised once. */
  private readonly encoded: EncodedJournal | null;
  /** Batches flushed and their sizes: what /metrics reports and tests assert on. */
  readonly stats = { appendCalls: 0, batches: 0, events: 0, largestBatch: 0, rejectedFull: 0, mostInFlight: 0 };
  /** Told of every flush (size, seconds, ok): the journal histograms of /metrics. Must not throw. */
  onFlush: ((events: number, seconds: number, ok: boolean) => void) | undefined;

  constructor(
    private readonly inner: Journal,
    options: GroupCommitOptions = {},
  ) {
    this.encoded = typeof (inner as Partial<EncodedJournal>).appendEncoded === 'function' ? (inner as EncodedJournal) : null;
    this.maxBatch = options.maxBatch ?? 1_000;
    this.maxQueued = options.maxQueued ?? 20_000;
    this.maxInFlight = options.maxInFlight ?? (inner as { readonly concurrentAppends?: number }).concurrentAppends ?? 1;
    if (this.maxBatch < 1 || this.maxQueued < this.maxBatch) throw new RangeError('need 1 <= maxBatch <= maxQueued');
    if (!Number.isSafeInteger(this.maxInFlight) || this.maxInFlight < 1) throw new RangeError(`maxInFlight must be a positive integer, got ${this.maxInFlight}`);
  }

  /** Events waiting for a flush (mailbox-depth style metric). */
  get depth(): number {
    return this.queuedEvents;
  }

  append(events: readonly PendingEvent[]): Promise<AppendOutcome[]> {
    if (this.closed) return Promise.reject(new JournalClosedError('the journal is closed'));
    if (events.length === 0) return Promise.resolve([]);
    let rows: EncodedRow[];
    try {
      // Refused here, before queueing, so a bad event fails its own caller and not a whole batch.
      rows = events.map(encodeEvent);
    } catch (err) {
      return Promise.reject(err);
    }
    if (this.queuedEvents + events.length > this.maxQueued) {
      this.stats.rejectedFull++;
      return Promise.reject(
        new JournalBackpressureError(`journal queue full (${this.queuedEvents} events waiting, limit ${this.maxQueued}); retry later`),
      );
    }
    this.stats.appendCalls++;
    return new Promise<AppendOutcome[]>((resolve, reject) => {
      this.queue.push({ events, rows, resolve, reject });
      this.queuedEvents += events.length;
      this.kick();
    });
  }

  /**
   * Starts a flush if one may run now. `now`: after a flush settled, what waited during it goes at
   * once; a fresh append waits one turn of the event loop for the appends of that turn.
   */
  private kick(now = false): void {
    if (this.scheduled || this.queue.length === 0 || this.flushes.size >= this.maxInFlight) return;
    if (now || this.queuedEvents >= this.maxBatch) {
      this.startFlush();
      return;
    }
    // setImmediate, not a timer: appends made in this turn of the event loop join the batch.
    this.scheduled = true;
    setImmediate(() => {
      this.scheduled = false;
      if (this.flushes.size < this.maxInFlight) this.startFlush();
    });
  }

  /** Takes a batch (if any append can go now) and flushes it; when it settles, the next one may start. */
  private startFlush(): void {
    const batch = this.take();
    if (batch === null) return;
    const flush = this.flush(batch).finally(() => {
      this.flushes.delete(flush);
      for (const p of batch) for (const e of p.events) this.busy.delete(e.actor);
      this.kick(true);
    });
    this.flushes.add(flush);
    this.stats.mostInFlight = Math.max(this.stats.mostInFlight, this.flushes.size);
    // Several may go at once when the queue holds more than one batch.
    this.kick();
  }

  private async flush(batch: readonly Pending[]): Promise<void> {
    const events = batch.length === 1 ? batch[0]!.events : batch.flatMap((p) => p.events);
    this.stats.batches++;
    this.stats.events += events.length;
    this.stats.largestBatch = Math.max(this.stats.largestBatch, events.length);
    const started = process.hrtime.bigint();
    try {
      const outcomes = this.encoded !== null
        ? await this.encoded.appendEncoded(batch.length === 1 ? batch[0]!.rows : batch.flatMap((p) => p.rows))
        : await this.inner.append(events);
      this.onFlush?.(events.length, Number(process.hrtime.bigint() - started) / 1e9, true);
      let at = 0;
      for (const p of batch) {
        p.resolve(outcomes.slice(at, at + p.events.length));
        at += p.events.length;
      }
    } catch (err) {
      this.onFlush?.(events.length, Number(process.hrtime.bigint() - started) / 1e9, false);
      for (const p of batch) p.reject(err);
      this.rejectQueuedOf(new Set(events.map((e) => e.actor)), err);
    }
  }

  /**
   * Whole appends, oldest first, up to maxBatch events (at least one append, however large), of
   * actors with nothing in flight; marks their actors busy. An append that must wait keeps its
   * place, and so does every later append sharing an actor with it (per-actor order). Null when
   * nothing can go now.
   */
  private take(): Pending[] | null {
    const { queue, busy } = this;
    const batch: Pending[] = [];
    let held: Pending[] | null = null;
    /** Actors of held appends: later appends of theirs wait too. */
    let blocked: Set<string> | null = null;
    let count = 0;
    let i = 0;
    for (; i < queue.length; i++) {
      const p = queue[i]!;
      const size = p.events.length;
      if (batch.length > 0 && count + size > this.maxBatch) break;
      let waits = false;
      for (const e of p.events) {
        if (busy.has(e.actor) || (blocked !== null && blocked.has(e.actor))) {
          waits = true;
          break;
        }
      }
      if (waits) {
        (held ??= []).push(p);
        blocked ??= new Set();
        for (const e of p.events) blocked.add(e.actor);
        continue;
      }
      batch.push(p);
      count += size;
    }
    if (batch.length === 0) return null;
    this.queue = held === null ? queue.slice(i) : held.concat(queue.slice(i));
    this.queuedEvents -= count;
    for (const p of batch) for (const e of p.events) busy.add(e.actor);
    return batch;
  }

  private rejectQueuedOf(actors: ReadonlySet<string>, cause: unknown): void {
    const keep: Pending[] = [];
    for (const p of this.queue) {
      if (p.events.some((e) => actors.has(e.actor))) {
        this.queuedEvents -= p.events.length;
        p.reject(new Error('an earlier journal write of the same actor failed; reload the actor and retry', { cause }));
      } else keep.push(p);
    }
    this.queue = keep;
  }

  load(actor: string, afterSeq: number, limit: number): Promise<StoredEvent[]> {
    return this.inner.load(actor, afterSeq, limit);
  }

  seen(actor: string, messageId: string): Promise<boolean> {
    return this.inner.seen(actor, messageId);
  }

  latestSnapshot(actor: string): Promise<Snapshot | null> {
    return this.inner.latestSnapshot(actor);
  }

  saveSnapshot(snapshot: Snapshot): Promise<void> {
    return this.inner.saveSnapshot(snapshot);
  }

  /** Stops intake, makes everything already queued durable (graceful shutdown), closes the inner journal. */
  async close(): Promise<void> {
    this.closed = true;
    while (this.flushes.size > 0 || this.queue.length > 0 || this.scheduled) {
      if (this.flushes.size === 0 && !this.scheduled) this.startFlush();
      if (this.flushes.size > 0) await Promise.race(this.flushes);
      else await new Promise<void>((r) => setImmediate(r));
    }
    await this.inner.close();
  }
}
