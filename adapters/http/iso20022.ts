// POST /api/v1/iso20022: an XML body through the same ingestion pipeline as files, NATS and Kafka,
// as one in-memory Delivery. Its id is the sha256 of the body, like a file's, so re-sending the
// same bytes is recognised as the same delivery and its entries come back as duplicates. The HTTP
// status is the settle verdict: ack → 200, term (dead-lettered) → 422, nak → 503 + Retry-After
// (nothing is known to be applied; the client sends it again, which is safe).

import { createHash } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { ingestDelivery, type IngestOptions, type IngestReport } from '../../streams/ingest/pipeline.ts';
import type { Delivery, Outcome } from '../../streams/source.ts';
import { fail, ok, RETRY_AFTER_S } from './envelope.ts';
import type { Metrics } from './metrics.ts';

const SOURCE = 'http:/api/v1/iso20022';

export function iso20022Routes(app: FastifyInstance, ingest: IngestOptions, metrics: Metrics): void {
  app.post('/api/v1/iso20022', async (req, reply) => {
    if (!Buffer.isBuffer(req.body)) {
      return fail(reply, 415, 'UNSUPPORTED_MEDIA_TYPE', 'send the XML with Content-Type: application/xml or text/xml');
    }
    const data = new Uint8Array(req.body);
    let settled: Outcome | null = null;
    const delivery: Delivery = {
      id: createHash('sha256').update(data).digest('hex'),
      source: SOURCE,
      subject: '',
      headers: new Map(),
      data,
      receivedAt: new Date(),
      deliveryCount: 1,
      redelivered: false,
      // The request is the broker here: the verdict becomes the response, so settling only records it.
      settle: async (outcome) => {
        if (settled !== null) throw new Error(`delivery ${delivery.id} settled twice`);
        settled = outcome;
      },
    };
    const report = await ingestDelivery(delivery, ingest);
    const viewed = view(report);
    count(metrics, report, viewed.messages);
    const body = ok(viewed);
    if (report.verdict === 'retry') {
      return reply.code(503).header('retry-after', String(RETRY_AFTER_S)).send({ ...body, success: false, error: `not applied, send it again (${report.codes.join(', ')})`, code: report.codes[0] ?? 'RETRY' });
    }
    if (rejectedAll(report)) {
      return reply.code(422).send({ ...body, success: false, error: `rejected: ${report.codes.join(', ')}`, code: report.codes[0] ?? 'REJECTED' });
    }
    return body;
  });
}

function count(metrics: Metrics, r: IngestReport, messages: readonly { type: string | null; status: string }[]): void {
  for (const m of messages) metrics.messages.inc({ source: 'http', type: m.type ?? 'unknown', status: m.status });
  if (r.verdict === 'dead_lettered') for (const code of r.codes) metrics.rejections.inc({ code });
  for (const x of r.rejections) metrics.rejections.inc({ code: x.code });
}

/** Dead-lettered as a whole, or every entry refused (e.g. an unknown account): nothing was taken. */
function rejectedAll(r: IngestReport): boolean {
  return r.verdict === 'dead_lettered' || (r.entries.rejected > 0 && r.entries.appended === 0 && r.entries.duplicate === 0);
}

function view(r: IngestReport) {
  const status = r.verdict === 'retry' ? 'retry' : rejectedAll(r) ? 'rejected' : r.verdict === 'duplicate' ? 'duplicate' : 'accepted';
  // The pipeline reports codes and entry rejections per delivery, not per Document; a body is
  // almost always one Document, so each message carries the delivery's errors.
  const errors = r.verdict === 'dead_lettered' || r.verdict === 'retry'
    ? r.codes.map((code) => ({ code }))
    : r.rejections.map((x) => ({ code: x.code, path: x.path, message: x.message, account: x.accountId }));
  return {
    delivery_id: r.id,
    dead_letter_id: r.deadLetterId,
    entries: r.entries,
    // An unreadable body has no Document to name; it still gets one line saying why it was refused.
    messages: (r.messages.length > 0 ? r.messages : [{ type: null, messageId: null, routed: false }]).map((m) => ({ type: m.type, messageId: m.messageId, routed: m.routed, status, errors })),
  };
}
