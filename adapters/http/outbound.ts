// What deltran sends to participants, readable by them: `GET /api/v1/participants/{bic}/messages
// ?type=pacs.002&after=<id>&limit=<n>` pages through the outbox (adapters/settlement/outbox.ts)
// oldest first. A participant keeps the last id it processed and asks for what comes after it, so
// it reads each message once whatever else it also listens to (NATS `deltran.out.<BIC>.pacs002`
// carries the same documents under the same MsgId). Reads are open like every GET of the API.

import type { FastifyInstance } from 'fastify';
import type { Database } from '../db/database.ts';
import { Outbox, OUTBOX_PAGE_MAX } from '../settlement/outbox.ts';
import { fail, ok } from './envelope.ts';

const BIC = /^[A-Z0-9]{4}[A-Z]{2}[A-Z0-9]{2}(?:[A-Z0-9]{3})?$/;
const TYPE = /^[a-z]{4}\.\d{3}$/;
const ID = /^\d{1,18}$/;
const LIMIT_DEFAULT = 100;

export function outboundRoutes(app: FastifyInstance, db: Database): void {
  const outbox = new Outbox(db);
  app.get<{ Params: { bic: string }; Querystring: { type?: string; after?: string; limit?: string } }>(
    '/api/v1/participants/:bic/messages',
    async (req, reply) => {
      const bic = req.params.bic.trim().toUpperCase();
      if (!BIC.test(bic)) return fail(reply, 400, 'VALIDATION_FAILED', `${req.params.bic} is not a BIC`, 'bic');
      const type = req.query.type ?? null;
      if (type !== null && !TYPE.test(type)) return fail(reply, 400, 'VALIDATION_FAILED', 'type is a message type such as pacs.002', 'type');
      const after = req.query.after ?? '0';
      if (!ID.test(after)) return fail(reply, 400, 'VALIDATION_FAILED', 'after is the id of the last message read (digits)', 'after');
      const limit = req.query.limit === undefined ? LIMIT_DEFAULT : Number(req.query.limit);
      if (!Number.isSafeInteger(limit) || limit < 1 || limit > OUTBOX_PAGE_MAX) return fail(reply, 400, 'VALIDATION_FAILED', `limit is 1 to ${OUTBOX_PAGE_MAX}`, 'limit');
      const rows = await outbox.list(bic, type, after, limit);
      return ok({
        messages: rows.map((r) => ({
          id: r.id,
          type: r.messageType,
          message_id: r.messageId,
          original_message_id: r.originalMessageId,
          status: r.status,
          created_at: r.createdAt.toISOString(),
          xml: r.body,
        })),
        // The cursor for the next page: the last id returned, or `after` when nothing new.
        next_after: rows.at(-1)?.id ?? after,
      });
    },
  );
}
