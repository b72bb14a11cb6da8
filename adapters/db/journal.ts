// The journal the actors write to, on PostgreSQL or PGlite. Its whole point is throughput with
// durability: a single-row INSERT per transaction reaches about 2,000 rows/s here (one fsync each),
// a 1,000-row INSERT about 46,000. So `append` turns any number of events, of any actors, into one
// multi-row `INSERT ... ON CONFLICT DO NOTHING RETURNING` and derives each event's outcome from
// what came back: appended, duplicate (the actor already journaled that message) or conflict (the
// actor's seq is taken by another message). In the common case that is one statement, one round
// trip, atomic without BEGIN/COMMIT.
//
// Many concurrent callers are gathered into such batches by GroupCommitter (group-commit.ts).

import type { AppendOutcome, Journal, PendingEvent, Snapshot, StoredEvent } from '../../actors/journal.ts';
import type { Database, Queryable } from './database.ts';
import { RecoveryReads } from './read-batch.ts';

/** Rows per statement at most (the rows travel as five array parameters); larger batches use several statements in one transaction. */
const ROWS_PER_STATEMENT = 5_000;

export class JournalInputError extends Error {
  override readonly name = 'JournalInputError';
}

export class PgJournal implements Journal {
  /** Statements and transactions issued by append (group-commit tests and metrics read them). */
  readonly stats = { appendCalls: 0, statements: 0, events: 0 };

  /** Snapshot and event reads of many recovering actors, one statement per event-loop turn. */
  private readonly reads: RecoveryReads;

  constructor(private readonly db: Database) {
    this.reads = new RecoveryReads(db, toSeq);
  }

  /**
   * Appends that may usefully run at once (GroupCommitter's default for pipelined flushes): on
   * PostgreSQL a second batch's INSERT overlaps the first one's commit on another pooled
   * connection (2 of the pool's 4, leaving room for recovery reads and read models); PGlite runs
   * in this thread, one statement at a time, so overlapping only queues.
   */
  get concurrentAppends(): number {
    return this.db.engine === 'postgres' ? 2 : 1;
  }

  append(events: readonly PendingEvent[]): Promise<AppendOutcome[]> {
    if (events.length === 0) return Promise.resolve([]);
    let rows: EncodedRow[];
    try {
      rows = events.map(encodeEvent);
    } catch (err) {
      return Promise.reject(err);
    }
    return this.appendEncoded(rows);
  }

  /** `append` for rows already checked and serialised by encodeEvent (GroupCommitter encodes once, at its door). */
  async appendEncoded(rows: readonly EncodedRow[]): Promise<AppendOutcome[]> {
    if (rows.length === 0) return [];
    this.stats.appendCalls++;
    this.stats.events += rows.length;
    const passes = planPasses(rows);
    if (passes.length === 1 && rows.length <= ROWS_PER_STATEMENT) {
      // One statement is atomic on its own: no BEGIN/COMMIT round trips.
      const outcomes = new Array<AppendOutcome>(rows.length);
      await this.insertPass(this.db, rows, passes[0]!, outcomes);
      return outcomes;
    }
    return this.db.transaction(async (tx) => {
      const outcomes = new Array<AppendOutcome>(rows.length);
      for (const pass of passes) {
        for (let i = 0; i < pass.length; i += ROWS_PER_STATEMENT) {
          await this.insertPass(tx, rows, pass.slice(i, i + ROWS_PER_STATEMENT), outcomes);
        }
      }
      return outcomes;
    });
  }

  /** Inserts rows whose keys are unique within the statement, filling `outcomes` at their indexes. */
  private async insertPass(q: Queryable, rows: readonly EncodedRow[], indexes: readonly number[], outcomes: AppendOutcome[]): Promise<void> {
    if (indexes.length === 1) return this.insertOne(q, rows, indexes[0]!, outcomes);
    const n = indexes.length;
    const actors = new Array<string>(n);
    const seqs = new Array<number>(n);
    const messageIds = new Array<string>(n);
    const types = new Array<string>(n);
    const payloads = new Array<string>(n);
    for (let k = 0; k < n; k++) {
      const r = rows[indexes[k]!]!;
      actors[k] = r.actor;
      seqs[k] = r.seq;
      messageIds[k] = r.messageId;
      types[k] = r.type;
      payloads[k] = r.payload;
    }
    // Five array parameters, one statement text whatever the batch size: PostgreSQL parses and
    // plans one fixed statement instead of a VALUES list of 5 × n parameters (~15% less backend
    // CPU per row, measured with 300-row batches). The payloads, already JSON text, travel as one
    // JSON array joined here, not as a text[]: in a text[] literal pg escapes every quote of every
    // payload (~2% of the ingestion's CPU per message), and neither driver serialises them again.
    // Keys are unique within the statement (planPasses), so the returned (actor, seq) identifies
    // the input row. Rows not returned hit an existing row: a duplicate if the actor already has
    // this message id (read from the statement's snapshot), a conflict otherwise.
    const sql = `WITH input AS (
        SELECT t.actor, t.seq, t.message_id, t.type, p.payload, t.ord
        FROM unnest($1::text[], $2::int8[], $3::text[], $4::text[]) WITH ORDINALITY AS t (actor, seq, message_id, type, ord)
        JOIN jsonb_array_elements($5::jsonb) WITH ORDINALITY AS p (payload, ord) ON p.ord = t.ord
      ),
      ins AS (
        INSERT INTO journal (actor, seq, message_id, type, payload)
        SELECT actor, seq, message_id, type, payload FROM input ORDER BY ord
        ON CONFLICT DO NOTHING
        RETURNING actor, seq
      )
      SELECT i.ord::int4 AS ord,
        CASE WHEN ins.seq IS NOT NULL THEN 'a'
             WHEN EXISTS (SELECT 1 FROM journal j WHERE j.actor = i.actor AND j.message_id = i.message_id) THEN 'd'
             ELSE 'c' END AS outcome
      FROM input i LEFT JOIN ins ON ins.actor = i.actor AND ins.seq = i.seq`;
    const params = [actors, seqs, messageIds, types, `[${payloads.join(',')}]`];
    this.stats.statements++;
    const { rows: result } = await q.query<{ ord: number; outcome: 'a' | 'd' | 'c' }>(sql, params, 'deltran_journal_append_batch');
    const conflicts: number[] = [];
    for (const r of result) {
      // ord counts from 1 over this pass's rows.
      const i = indexes[r.ord - 1]!;
      outcomes[i] = r.outcome === 'a' ? APPENDED : r.outcome === 'd' ? DUPLICATE : CONFLICT;
      if (r.outcome === 'c') conflicts.push(i);
    }
    if (conflicts.length > 0) await this.recheckConflicts(q, rows, conflicts, outcomes);
  }

  /** One event: a plain INSERT is about a third cheaper than the batch statement (measured). */
  private async insertOne(q: Queryable, rows: readonly EncodedRow[], i: number, outcomes: AppendOutcome[]): Promise<void> {
    const r = rows[i]!;
    this.stats.statements++;
    const { rows: inserted } = await q.query(
      `INSERT INTO journal (actor, seq, message_id, type, payload) VALUES ($1, $2::int8, $3, $4, $5::jsonb)
       ON CONFLICT DO NOTHING RETURNING seq`,
      [r.actor, r.seq, r.messageId, r.type, r.payload],
      'deltran_journal_append_one',
    );
    if (inserted.length === 1) {
      outcomes[i] = APPENDED;
      return;
    }
    outcomes[i] = CONFLICT;
    await this.recheckConflicts(q, rows, [i], outcomes);
  }

  /**
   * A conflicting row may have lost to a concurrent writer that committed the same message id after
   * the statement's snapshot was taken: that is a duplicate, not a conflict. Rare, so it costs a
   * second round trip only then.
   */
  private async recheckConflicts(q: Queryable, rows: readonly EncodedRow[], conflicts: readonly number[], outcomes: AppendOutcome[]): Promise<void> {
    const actors = conflicts.map((i) => rows[i]!.actor);
    const ids = conflicts.map((i) => rows[i]!.messageId);
    this.stats.statements++;
    const { rows: found } = await q.query<{ actor: string; message_id: string }>(
      `SELECT j.actor, j.message_id FROM journal j
       JOIN unnest($1::text[], $2::text[]) AS k (actor, message_id) ON j.actor = k.actor AND j.message_id = k.message_id`,
      [actors, ids],
    );
    const seen = new Set(found.map((f) => `${f.actor}\u0000${f.message_id}`));
    for (const i of conflicts) if (seen.has(`${rows[i]!.actor}\u0000${rows[i]!.messageId}`)) outcomes[i] = DUPLICATE;
  }

  load(actor: string, afterSeq: number, limit: number): Promise<StoredEvent[]> {
    return this.reads.load({ actor, afterSeq, limit });
  }

  async seen(actor: string, messageId: string): Promise<boolean> {
    const { rows } = await this.db.query('SELECT 1 FROM journal WHERE actor = $1 AND message_id = $2', [actor, messageId]);
    return rows.length > 0;
  }

  latestSnapshot(actor: string): Promise<Snapshot | null> {
    return this.reads.latestSnapshot(actor);
  }

  async saveSnapshot(snapshot: Snapshot): Promise<void> {
    checkText('actor', snapshot.actor);
    if (!Number.isSafeInteger(snapshot.seq) || snapshot.seq < 0) throw new JournalInputError(`snapshot seq must be an integer >= 0, got ${snapshot.seq}`);
    // Re-saving the state at the same seq replaces it: it describes the same point of the journal.
    await this.db.query(
      `INSERT INTO snapshots (actor, seq, state) VALUES ($1, $2, $3::jsonb)
       ON CONFLICT (actor, seq) DO UPDATE SET state = excluded.state, saved_at = now()`,
      [snapshot.actor, snapshot.seq, toJson('snapshot state', snapshot.state)],
    );
  }

  /** The database belongs to whoever opened it (it also serves dead letters and read models). */
  async close(): Promise<void> {}
}

const APPENDED: AppendOutcome = Object.freeze({ status: 'appended' });
const DUPLICATE: AppendOutcome = Object.freeze({ status: 'duplicate' });
const CONFLICT: AppendOutcome = Object.freeze({ status: 'conflict' });

export interface EncodedRow {
  readonly actor: string;
  readonly seq: number;
  readonly messageId: string;
  readonly type: string;
  /** JSON text, serialised once by the caller's side so a bad payload fails only its own append. */
  readonly payload: string;
}

/**
 * Checks and serialises one event. Throws JournalInputError for what PostgreSQL would refuse (and so
 * fail a whole batch of other actors' events with it) or silently alter.
 */
export function encodeEvent(e: PendingEvent): EncodedRow {
  if (!Number.isSafeInteger(e.seq) || e.seq < 1) throw new JournalInputError(`seq must be an integer >= 1, got ${e.seq} (actor ${e.actor})`);
  checkText('actor', e.actor);
  checkText('messageId', e.messageId);
  checkText('type', e.type);
  return { actor: e.actor, seq: e.seq, messageId: e.messageId, type: e.type, payload: toJson('payload', e.payload) };
}

// NUL cannot be stored in text or jsonb; a lone surrogate is refused by jsonb and silently turned
// into U+FFFD by pg's UTF-8 encoding of text parameters.
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;
// In JSON.stringify output (which escapes lone surrogates), a \u0000 or \udXXX escape not itself
// preceded by an escaped backslash.
const BAD_JSON_ESCAPE = /(?<!\\)(?:\\\\)*\\u(?:0000|d[89a-f][0-9a-f]{2})/i;

// The full checks run only when a cheap scan finds what they look for (a surrogate at all, a \u
// escape at all): that is never the case for the usual ASCII ids and payloads, and the regexes
// with lookarounds cost ~1 µs per event otherwise (bench/ingest).
const SURROGATE = /[\ud800-\udfff]/;

function checkText(what: string, s: string): void {
  if (typeof s !== 'string' || s.length === 0) throw new JournalInputError(`${what} must be a non-empty string`);
  if (s.includes('\u0000') || (SURROGATE.test(s) && LONE_SURROGATE.test(s))) throw new JournalInputError(`${what} holds NUL or a lone surrogate: ${JSON.stringify(s)}`);
}

function toJson(what: string, value: unknown): string {
  let json: string | undefined;
  try {
    json = JSON.stringify(value);
  } catch (err) {
    throw new JournalInputError(`${what} is not JSON-serialisable: ${(err as Error).message}`);
  }
  if (json === undefined) throw new JournalInputError(`${what} is not JSON-serialisable`);
  if (json.includes('\\u') && BAD_JSON_ESCAPE.test(json)) throw new JournalInputError(`${what} holds NUL or a lone surrogate, which jsonb refuses`);
  return json;
}

function toSeq(text: string): number {
  const n = Number(text);
  if (!Number.isSafeInteger(n)) throw new Error(`journal seq ${text} is beyond 2^53`);
  return n;
}

/**
 * Splits a batch into passes whose (actor, seq) and (actor, message id) keys are unique within each
 * pass. An event that shares a key with an earlier event of the batch goes to a later pass, so it is
 * judged after that event: the outcomes are exactly those of appending the events one by one in
 * order. Almost every batch is a single pass.
 */
export function planPasses(rows: readonly EncodedRow[]): number[][] {
  const lastPassOf = new Map<string, number>();
  const passes: number[][] = [];
  rows.forEach((r, i) => {
    const bySeq = `${r.actor}\u0000s${r.seq}`;
    const byId = `${r.actor}\u0000m${r.messageId}`;
    const pass = Math.max(lastPassOf.get(bySeq) ?? -1, lastPassOf.get(byId) ?? -1) + 1;
    lastPassOf.set(bySeq, pass);
    lastPassOf.set(byId, pass);
    (passes[pass] ??= []).push(i);
  });
  return passes;
}
