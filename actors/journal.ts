// The port between the actors and the durable journal. Actors depend on this interface only; the
// PostgreSQL/PGlite adapter (adapters/db/) implements it. Every event is appended (and durable)
// before its effect is acknowledged; the message identity that caused an event is unique per actor,
// so a replayed message is refused by the database too, not only by the actor's memory.

/** An event about to be journaled. `payload` is JSON-safe: amounts are decimal strings. */
export interface PendingEvent {
  /** The actor's stable id, e.g. `account:DE89370400440532013000:EUR`, `tokens:AED`. */
  readonly actor: string;
  /** Strictly increasing per actor, starting at 1, with no gaps. */
  readonly seq: number;
  /** The identity of the message that caused the event (unique per actor). */
  readonly messageId: string;
  /** Event type, e.g. `BankEntryBooked`, `TokensMinted`. */
  readonly type: string;
  readonly payload: unknown;
}

export interface StoredEvent extends PendingEvent {
  /** When the journal made it durable (ISO 8601, UTC). */
  readonly recordedAt: string;
}

export type AppendOutcome =
  /** Durable. */
  | { readonly status: 'appended' }
  /** This messageId was already journaled for this actor: nothing was written, nothing changes. */
  | { readonly status: 'duplicate' }
  /** The actor's sequence moved on (another writer, or a stale actor): reload and retry. */
  | { readonly status: 'conflict' };

export interface Snapshot {
  readonly actor: string;
  readonly seq: number;
  readonly state: unknown;
}

export interface Journal {
  /**
   * Appends events of many actors in one transaction (group commit). Resolves once the whole batch
   * is durable, with one outcome per event in order. Duplicates and conflicts are outcomes, not
   * exceptions; an exception means nothing of the batch is known to be durable (retry it whole).
   */
  append(events: readonly PendingEvent[]): Promise<AppendOutcome[]>;
  /** Events of one actor after `afterSeq`, in sequence order, at most `limit` of them. */
  load(actor: string, afterSeq: number, limit: number): Promise<StoredEvent[]>;
  /** Whether this actor already journaled an event caused by `messageId`. */
  seen(actor: string, messageId: string): Promise<boolean>;
  latestSnapshot(actor: string): Promise<Snapshot | null>;
  saveSnapshot(snapshot: Snapshot): Promise<void>;
  close(): Promise<void>;
}
