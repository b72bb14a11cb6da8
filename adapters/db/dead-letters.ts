// Messages that failed reading or validation. They are kept with their exact bytes (the evidence,
// including whatever broke decoding), their source and the findings, then acknowledged: retrying
// would not make them better, and the stream must go on. Listing leaves the bytes out (a dead
// letter can be a 100 MB statement); `get` returns them.

import type { Database } from './database.ts';

export interface DeadLetterInput {
  /** Where it came from, e.g. `http`, `file:/inbox/x.xml`, `nats:iso20022.camt.054`. */
  readonly source: string;
  readonly raw: Uint8Array;
  readonly contentType?: string | undefined;
  /** The findings or error descriptions (JSON-safe). */
  readonly errors: readonly unknown[];
  readonly messageType?: string | undefined;
  readonly messageId?: string | undefined;
}

export interface DeadLetterSummary {
  /** bigserial as a decimal string, as the database returns int8. */
  readonly id: string;
  readonly receivedAt: Date;
  readonly source: string;
  readonly size: number;
  readonly contentType: string | null;
  readonly errors: unknown[];
  readonly messageType: string | null;
  readonly messageId: string | null;
}

export interface DeadLetter extends DeadLetterSummary {
  readonly raw: Uint8Array;
}

interface Row {
  id: string;
  received_at: Date;
  source: string;
  size: number;
  content_type: string | null;
  errors: unknown[];
  message_type: string | null;
  message_id: string | null;
  raw?: Uint8Array;
}

const COLUMNS = 'id, received_at, source, octet_length(raw) AS size, content_type, errors, message_type, message_id';

export class DeadLetters {
  constructor(private readonly db: Database) {}

  /** Stores one dead letter; resolves with its id once durable. */
  async record(d: DeadLetterInput): Promise<string> {
    const { rows } = await this.db.query<{ id: string }>(
      `INSERT INTO dead_letters (source, raw, content_type, errors, message_type, message_id)
       VALUES ($1, $2::bytea, $3, $4::jsonb, $5, $6) RETURNING id`,
      [d.source, d.raw, d.contentType ?? null, JSON.stringify(d.errors), d.messageType ?? null, d.messageId ?? null],
    );
    return rows[0]!.id;
  }

  /** Newest first; pass the last id seen as `beforeId` for the next page (keyset, stable under inserts). */
  async list(options: { limit?: number; beforeId?: string } = {}): Promise<DeadLetterSummary[]> {
    const limit = Math.min(Math.max(options.limit ?? 100, 1), 1_000);
    const { rows } = await this.db.query<Row>(
      `SELECT ${COLUMNS} FROM dead_letters WHERE ($1::int8 IS NULL OR id < $1::int8) ORDER BY id DESC LIMIT $2`,
      [options.beforeId ?? null, limit],
    );
    return rows.map(toSummary);
  }

  async get(id: string): Promise<DeadLetter | null> {
    const { rows } = await this.db.query<Row>(`SELECT ${COLUMNS}, raw FROM dead_letters WHERE id = $1::int8`, [id]);
    const r = rows[0];
    return r === undefined ? null : { ...toSummary(r), raw: new Uint8Array(r.raw!) };
  }
}

function toSummary(r: Row): DeadLetterSummary {
  return {
    id: r.id,
    receivedAt: r.received_at,
    source: r.source,
    size: Number(r.size),
    contentType: r.content_type,
    errors: r.errors,
    messageType: r.message_type,
    messageId: r.message_id,
  };
}
