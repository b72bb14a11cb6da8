// Many actors each append one event at a time; each of those as its own transaction would cap the
// whole system at one fsync per event (~2,000/s). GroupCommitter stands in front of a Journal and
// gathers the appends of all actors into shared batches: "natural batching". The first append
// after an idle moment is flushed on the next turn of the event loop (so appends issued in the same
// turn join it, and no fixed sleep adds latency); while a flush is in flight, later appends queue
// up and all go together in the next one, up to `maxBatch` events. Under load batches grow by
// themselves; when idle, latency is one round trip.
//
// One flush at a time, on purpose: an actor's event N+1 must never be durable while its event N
// could still fail, or the journal would have a gap. For the same reason, when a flush fails, the
// events still queued for the actors of that batch are rejected too (their actors are reset from
// the journal and append again).
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
  private queue: Pending[] = [];
  private queuedEvents = 0;
  private flushing: Promise<void> | null = null;
  private scheduled = false;
  private closed = false;
  /** The inner journal when it takes encoded rows, so events are serialised once. */
  private readonly encoded: EncodedJournal | null;
  /** Batches flushed and their sizes: what /metrics reports and tests assert on. */
  readonly stats = { appendCalls: 0, batches: 0, events: 0, largestBatch: 0, rejectedFull: 0 };
  /** Told of every flush (size, seconds, ok): the journal histograms of /metrics. Must not throw. */
  onFlush: ((events: number, seconds: number, ok: boolean) => void) | undefined;

  constructor(
    private readonly inner: Journal,
    options: GroupCommitOptions = {},
  ) {
    this.encoded = typeof (inner as Partial<EncodedJournal>).appendEncoded === 'function' ? (inner as EncodedJournal) : null;
    this.maxBatch = options.maxBatch ?? 1_000;
    this.maxQueued = options.maxQueued ?? 20_000;
    if (this.maxBatch < 1 || this.maxQueued < this.maxBatch) throw new RangeError('need 1 <= maxBatch <= maxQueued');
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

  private kick(): void {
    if (this.flushing !== null || this.scheduled) return;
    if (this.queuedEvents >= this.maxBatch) {
      this.flushing = this.flushLoop();
      return;
    }
    // setImmediate, not a timer: appends made in this turn of the event loop join the batch.
    this.scheduled = true;
    setImmediate(() => {
      this.scheduled = false;
      if (this.flushing === null && this.queue.length > 0) this.flushing = this.flushLoop();
    });
  }

  private async flushLoop(): Promise<void> {
    while (this.queue.length > 0) {
      const batch = this.take();
      const events = batch.flatMap((p) => p.events);
      this.stats.batches++;
      this.stats.events += events.length;
      this.stats.largestBatch = Math.max(this.stats.largestBatch, events.length);
      const started = process.hrtime.bigint();
      try {
        const outcomes = this.encoded !== null ? await this.encoded.appendEncoded(batch.flatMap((p) => p.rows)) : await this.inner.append(events);
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
    this.flushing = null;
  }

  /** Whole appends, oldest first, up to maxBatch events (at least one append, however large). */
  private take(): Pending[] {
    let n = 0;
    let count = 0;
    while (n < this.queue.length) {
      const size = this.queue[n]!.events.length;
      if (n > 0 && count + size > this.maxBatch) break;
      count += size;
      n++;
    }
    const batch = this.queue.splice(0, n);
    this.queuedEvents -= count;
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
    while (this.flushing !== null || this.queue.length > 0 || this.scheduled) {
      if (this.flushing === null && !this.scheduled) this.flushing = this.flushLoop();
      if (this.flushing !== null) await this.flushing;
      else await new Promise<void>((r) => setImmediate(r));
    }
    await this.inner.close();
  }
}
