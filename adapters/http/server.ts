// The HTTP edge: health, and ISO 20022 parsing as a service (POST a file, get the same JSON as
// `deltran parse --json`). Later issues add the ledger, reconciliation and clearing APIs here.

import Fastify, { type FastifyInstance } from 'fastify';
import { readBuffer } from '../../streams/iso20022/reader.ts';

export interface ServerOptions {
  readonly host: string;
  readonly port: number;
  readonly logger?: boolean;
}

/** Largest XML body accepted over HTTP; bigger files go through `deltran parse` or a stream. */
const BODY_BYTES_MAX = 32 * 1024 * 1024;

export function buildServer(logger = true): FastifyInstance {
  const app = Fastify({ logger, bodyLimit: BODY_BYTES_MAX });
  app.addContentTypeParser(['application/xml', 'text/xml'], { parseAs: 'buffer' }, (_req, body, done) => done(null, body));
  app.get('/health', async () => ({ status: 'ok' }));
  app.post('/api/v1/messages/parse', async (req, reply) => {
    if (!Buffer.isBuffer(req.body)) {
      return reply.code(415).send({ success: false, error: { code: 'UNSUPPORTED_MEDIA_TYPE', message: 'send the XML with Content-Type: application/xml' } });
    }
    const results = readBuffer(req.body, { keepRecords: false });
    return {
      success: true,
      data: results.map((r) => ({
        type: r.type,
        version: r.version,
        messageId: r.messageId,
        ok: r.ok,
        errors: r.findings.filter((f) => f.severity === 'error'),
        warnings: r.findings.filter((f) => f.severity === 'warning'),
        summary: r.summary,
      })),
    };
  });
  return app;
}

export async function startServer(opts: ServerOptions): Promise<FastifyInstance> {
  const app = buildServer(opts.logger ?? true);
  await app.listen({ host: opts.host, port: opts.port });
  return app;
}
