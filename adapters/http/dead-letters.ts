// GET /api/v1/dead-letters: what could not be processed, newest first, for an operator to look at
// and replay. The raw bytes stay out of the listing (a dead letter can be a 100 MB statement).

import type { FastifyInstance } from 'fastify';
import type { DeadLetters } from '../db/dead-letters.ts';
import { fail, ok } from './envelope.ts';

export function deadLetterRoutes(app: FastifyInstance, deadLetters: DeadLetters): void {
  app.get<{ Querystring: { limit?: string; before?: string } }>('/api/v1/dead-letters', async (req, reply) => {
    const { limit, before } = req.query;
    if (limit !== undefined && !/^\d{1,4}$/.test(limit)) return fail(reply, 400, 'VALIDATION_FAILED', 'limit must be a whole number', 'limit');
    // The id is interpolated as int8 by the database; refuse anything else before it gets there.
    if (before !== undefined && !/^\d{1,18}$/.test(before)) return fail(reply, 400, 'VALIDATION_FAILED', 'before must be a dead letter id', 'before');
    const options: { limit?: number; beforeId?: string } = {};
    if (limit !== undefined) options.limit = Number(limit);
    if (before !== undefined) options.beforeId = before;
    const rows = await deadLetters.list(options);
    return ok(rows.map((d) => ({
      id: d.id,
      received_at: d.receivedAt.toISOString(),
      source: d.source,
      size: d.size,
      content_type: d.contentType,
      message_type: d.messageType,
      message_id: d.messageId,
      errors: d.errors,
    })));
  });
}
