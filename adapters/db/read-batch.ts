// Natural batching of the journal's recovery reads, as GroupCommitter does for writes. A restarted
// process recovers each actor lazily with two reads (latest snapshot, events after it); one
// statement per read capped eager recovery of 100,000 accounts at ~1,300 accounts/s here (a round
// trip each, through a pool of 4). Reads requested in the same turn of the event loop go out as one
// statement per kind: `ANY($1)` for snapshots, a LATERAL join with a per-actor LIMIT for events,
// each answer the same rows the single-actor statement returns. The batch size is bounded by its
// callers (the runtime's cap on concurrent recoveries), so nothing here queues without limit.

import type { Snapshot, StoredEvent } from '../../actors/journal.ts';
import type { Queryable } from './database.ts';

interface Waiter<K, R> {
  readonly key: K;
  readonly resolve: (value: R) => void;
  readonly reject: (err: unknown) => void;
}

/** Collects requests made in one event-loop turn and answers them with one `run` call. */
class Batcher<K, R> {
  private queue: Waiter<K, R>[] | null = null;

  constructor(private readonly run: (keys: readonly K[]) => Promise<R[]>) {}

  request(key: K): Promise<R> {
    return new Promise<R>((resolve, reject) => {
      if (this.queue === null) {
        this.queue = [];
        setImmediate(() => void this.flush());
      }
      this.queue.push({ key, resolve, reject });
    });
  }

  private async flush(): Promise<void> {
    const batch = this.queue!;
    this.queue = null;
    try {
      const results = await this.run(batch.map((w) => w.key));
      batch.forEach((w, i) => w.resolve(results[i]!));
    } catch (err) {
      for (const w of batch) w.reject(err);
    }
  }
}

export interface LoadRequest {
  readonly actor: string;
  readonly afterSeq: number;
  readonly limit: number;
}

type EventRow = { ord: string; seq: string; message_id: string; type: string; payload: unknown; recorded_at: string };

export class RecoveryReads {
  private readonly snapshots: Batcher<string, Snapshot | null>;
  private readonly events: Batcher<LoadRequest, StoredEvent[]>;

  constructor(db: Queryable, toSeq: (text: string) => number) {
    this.snapshots = new Batcher(async (actors) => {
      const { rows } = await db.query<{ actor: string; seq: string; state: unknown }>(
        `SELECT DISTINCT ON (actor) actor, seq, state FROM snapshots WHERE actor = ANY($1::text[]) ORDER BY actor, seq DESC`,
        [[...new Set(actors)]],
      );
      const latest = new Map(rows.map((r) => [r.actor, r]));
      return actors.map((actor) => {
        const r = latest.get(actor);
        return r === undefined ? null : { actor, seq: toSeq(r.seq), state: r.state };
      });
    });
    this.events = new Batcher(async (requests) => {
      const { rows } = await db.query<EventRow>(
        // to_char rather than a Date: microseconds survive and both engines print the same text.
        `SELECT k.ord, j.seq, j.message_id, j.type, j.payload,
                to_char(j.recorded_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') AS recorded_at
         FROM unnest($1::text[], $2::int8[], $3::int4[]) WITH ORDINALITY AS k (actor, after_seq, lim, ord)
         CROSS JOIN LATERAL (
           SELECT seq, message_id, type, payload, recorded_at FROM journal
           WHERE journal.actor = k.actor AND journal.seq > k.after_seq ORDER BY seq LIMIT k.lim
         ) j
         ORDER BY k.ord, j.seq`,
        [requests.map((r) => r.actor), requests.map((r) => r.afterSeq), requests.map((r) => r.limit)],
      );
      const out: StoredEvent[][] = requests.map(() => []);
      for (const r of rows) {
        const i = Number(r.ord) - 1;
        out[i]!.push({ actor: requests[i]!.actor, seq: toSeq(r.seq), messageId: r.message_id, type: r.type, payload: r.payload, recordedAt: r.recorded_at });
      }
      return out;
    });
  }

  latestSnapshot(actor: string): Promise<Snapshot | null> {
    return this.snapshots.request(actor);
  }

  load(request: LoadRequest): Promise<StoredEvent[]> {
    return this.events.request(request);
  }
}
