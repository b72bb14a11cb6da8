// The outbox of messages to participants (migration 0009 `outbound_messages`): a message is a row
// before it is published or read, and each obligation is reported at most once per stage, however
// often and by whomever it is asked for (the pipeline and the clearing service both report
// arrivals; a redelivered pacs.008, a window resumed after a crash). Participants page through their
// own messages by id; a publisher (NATS) gets each row once it is durable, and the rows it missed
// (the broker was down) are published again by `publishPending`.

import type { Database } from '../db/database.ts';

export interface OutboundMessage {
  readonly id: string;
  readonly recipient: string;
  readonly messageType: string;
  readonly messageId: string;
  readonly originalMessageId: string | null;
  readonly status: string | null;
  readonly subjects: readonly string[];
  readonly body: string;
  readonly createdAt: Date;
  readonly publishedAt: Date | null;
}

export interface NewOutboundMessage {
  readonly recipient: string;
  readonly messageType: string;
  readonly messageId: string;
  readonly dedupeKey: string;
  readonly originalMessageId: string | null;
  readonly stage: string;
  readonly status: string | null;
  readonly subjects: readonly string[];
  readonly body: string;
}

/** What the outbox needs of a broker (adapters/nats/jetstream-publisher.ts `JetStreamPublisher` fits). */
export interface OutboundPublisher {
  publish(subject: string, data: Uint8Array | string, options: { readonly msgID: string }): Promise<unknown>;
}

interface Raw {
  id: string;
  recipient: string;
  message_type: string;
  message_id: string;
  original_message_id: string | null;
  status: string | null;
  subjects: string[];
  body: string;
  created_at: Date;
  published_at: Date | null;
}

const COLUMNS = 'id, recipient, message_type, message_id, original_message_id, status, subjects, body, created_at, published_at';

function rowOf(r: Raw): OutboundMessage {
  return {
    id: String(r.id), recipient: r.recipient, messageType: r.message_type, messageId: r.message_id,
    originalMessageId: r.original_message_id, status: r.status, subjects: r.subjects, body: r.body,
    createdAt: r.created_at, publishedAt: r.published_at,
  };
}

export const OUTBOX_PAGE_MAX = 500;

export class Outbox {
  constructor(private readonly db: Database) {}

  /**
   * Writes one report about an original message, exactly once per subject and stage: under an
   * advisory lock per (recipient, original message), `render` is handed the subjects already
   * reported in any of `blockedBy` stages and answers the message for the rest (null: nothing left
   * to say). Answers the new row, or null.
   */
  async writeOnce(
    recipient: string,
    originalMessageId: string,
    blockedBy: readonly string[],
    render: (reported: ReadonlySet<string>) => NewOutboundMessage | null,
  ): Promise<OutboundMessage | null> {
    return this.db.transaction(async (tx) => {
      await tx.query('SELECT pg_advisory_xact_lock(hashtext($1))', [`deltran.outbox:${recipient}:${originalMessageId}`]);
      const { rows: seen } = await tx.query<{ subject: string }>(
        `SELECT unnest(subjects) AS subject FROM outbound_messages WHERE recipient = $1 AND original_message_id = $2 AND stage = ANY($3::text[])`,
        [recipient, originalMessageId, blockedBy],
      );
      const m = render(new Set(seen.map((r) => r.subject)));
      if (m === null) return null;
      const { rows } = await tx.query<Raw>(
        `INSERT INTO outbound_messages (recipient, message_type, message_id, dedupe_key, original_message_id, stage, status, subjects, body)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8::text[], $9) ON CONFLICT DO NOTHING RETURNING ${COLUMNS}`,
        [m.recipient, m.messageType, m.messageId, m.dedupeKey, m.originalMessageId, m.stage, m.status, m.subjects, m.body],
      );
      return rows[0] === undefined ? null : rowOf(rows[0]);
    });
  }

  /** A participant's messages of one type after `after` (an id), oldest first. */
  async list(recipient: string, messageType: string | null, after: string, limit: number): Promise<OutboundMessage[]> {
    const { rows } = await this.db.query<Raw>(
      `SELECT ${COLUMNS} FROM outbound_messages WHERE recipient = $1 AND ($2::text IS NULL OR message_type = $2) AND id > $3::bigint
       ORDER BY id LIMIT $4`,
      [recipient, messageType, after, Math.min(Math.max(1, limit), OUTBOX_PAGE_MAX)],
    );
    return rows.map(rowOf);
  }

  async unpublished(limit: number): Promise<OutboundMessage[]> {
    const { rows } = await this.db.query<Raw>(`SELECT ${COLUMNS} FROM outbound_messages WHERE published_at IS NULL ORDER BY id LIMIT $1`, [limit]);
    return rows.map(rowOf);
  }

  async markPublished(ids: readonly string[]): Promise<void> {
    if (ids.length === 0) return;
    await this.db.query('UPDATE outbound_messages SET published_at = now() WHERE id = ANY($1::bigint[]) AND published_at IS NULL', [ids]);
  }
}
