// The seed's response envelope, `{success, data, error}`, in one place so every route answers the
// same shape, and the error and not-found handlers that keep stack traces and internals out of
// responses (they go to the log instead, where an operator can read them).

import type { FastifyInstance, FastifyReply } from 'fastify';

export interface Envelope<T> {
  readonly success: boolean;
  readonly data: T | null;
  readonly error: string | null;
  /** Machine-readable reason on failures (a decision.ts or finding code, VALIDATION_FAILED, ...). */
  readonly code?: string;
  /** The request field a validation error is about. */
  readonly field?: string;
}

export function ok<T>(data: T): Envelope<T> {
  return { success: true, data, error: null };
}

export function fail(reply: FastifyReply, status: number, code: string, error: string, field?: string): FastifyReply {
  const body: Envelope<null> = field === undefined ? { success: false, data: null, error, code } : { success: false, data: null, error, code, field };
  return reply.code(status).send(body);
}

/** Retry-After for 503s: the journal or a mailbox is busy, a second is a fair first wait. */
export const RETRY_AFTER_S = 1;

export function installErrorHandling(app: FastifyInstance): void {
  app.setErrorHandler((thrown, req, reply) => {
    const err = (typeof thrown === 'object' && thrown !== null ? thrown : { message: String(thrown) }) as { statusCode?: unknown; code?: unknown; message?: unknown };
    const status = typeof err.statusCode === 'number' && err.statusCode >= 400 ? err.statusCode : 500;
    // A 4xx from fastify (bad JSON, body too large) is the client's to fix and safe to echo; a 5xx
    // message may carry internals, so the client gets a generic line and the log gets the details.
    if (status >= 500) req.log.error({ err: thrown }, 'request failed');
    const code = typeof err.code === 'string' && err.code !== '' ? err.code : status >= 500 ? 'INTERNAL' : 'BAD_REQUEST';
    return fail(reply, status, code, status >= 500 ? 'internal error' : String(err.message));
  });
  app.setNotFoundHandler((req, reply) => fail(reply, 404, 'NOT_FOUND', `no route ${req.method} ${req.url}`));
}
