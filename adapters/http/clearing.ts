// The clearing API (issue 5), over the clearing service (adapters/clearing-service.ts):
//   POST /api/v1/clearing/obligations             [{id, payer, payee, currency, amount}] → a verdict per item, in order
//   POST /api/v1/clearing/windows/current/close   closes the open window now → {id, state}
//   GET  /api/v1/clearing/windows                 the windows, newest first
//   GET  /api/v1/clearing/windows/{id}            {id, state, opened_at, closed_at, positions, instructions, metrics, excluded}
// Amounts are decimal strings with the currency's minor units; efficiency is a fraction.
// Bearer auth for the POSTs is global (auth.ts).

import type { FastifyInstance } from 'fastify';
import { parseWindowId } from '../../actors/clearing/schedule.ts';
import { ClearingUnavailableError, type ClearingService } from '../clearing-service.ts';
import { listWindows } from '../clearing/store.ts';
import { windowView } from '../clearing/view.ts';
import type { Database } from '../db/database.ts';
import { fail, ok, RETRY_AFTER_S } from './envelope.ts';

/** One request's obligations at most; a bulk load sends several. */
export const OBLIGATIONS_PER_REQUEST_MAX = 100_000;

export function clearingRoutes(app: FastifyInstance, db: Database, clearing: ClearingService): void {
  app.post('/api/v1/clearing/obligations', async (req, reply) => {
    const body = req.body;
    if (!Array.isArray(body)) return fail(reply, 400, 'VALIDATION_FAILED', 'send a JSON array [{id, payer, payee, currency, amount}]', '');
    if (body.length > OBLIGATIONS_PER_REQUEST_MAX) return fail(reply, 413, 'TOO_MANY_OBLIGATIONS', `at most ${OBLIGATIONS_PER_REQUEST_MAX} obligations per request`, '');
    try {
      const verdicts = await clearing.acceptJson(body);
      let accepted = 0;
      for (const v of verdicts) if (v.status === 'ACCEPTED') accepted++;
      return ok({
        accepted,
        rejected: verdicts.length - accepted,
        verdicts: verdicts.map((v) => (v.status === 'ACCEPTED'
          ? { id: v.id, status: v.status, window: v.windowId }
          : { id: v.id, status: v.status, code: v.code, field: v.field, message: v.message })),
      });
    } catch (err) {
      if (err instanceof ClearingUnavailableError) {
        void reply.header('retry-after', String(RETRY_AFTER_S));
        return fail(reply, 503, err.code, err.message);
      }
      throw err;
    }
  });

  app.post('/api/v1/clearing/windows/current/close', async (_req, reply) => {
    try {
      return ok(await clearing.closeCurrent());
    } catch (err) {
      if (err instanceof ClearingUnavailableError) {
        void reply.header('retry-after', String(RETRY_AFTER_S));
        return fail(reply, 503, err.code, err.message);
      }
      throw err;
    }
  });

  app.get<{ Querystring: { limit?: string } }>('/api/v1/clearing/windows', async (req) => {
    const limit = Number(req.query.limit ?? 100);
    const rows = await listWindows(db, Number.isInteger(limit) ? limit : 100);
    const current = clearing.currentWindowId();
    const out = [];
    for (const r of rows) {
      // The actor's phase when loaded (the row may lag the events by a moment).
      const live = clearing.windows.state(`window:${r.name}`)?.state;
      out.push({ id: r.name, state: live !== undefined && live !== null && live.phase !== 'NEW' ? live.phase : r.status, opened_at: r.startTime, closed_at: live?.closedAt ?? r.closedAt, obligations: r.obligations });
    }
    return ok({ current, windows: out });
  });

  app.get<{ Params: { id: string } }>('/api/v1/clearing/windows/:id', async (req, reply) => {
    const id = req.params.id === 'current' ? clearing.currentWindowId() : req.params.id;
    if (parseWindowId(id) === null) return fail(reply, 404, 'WINDOW_UNKNOWN', `${req.params.id} is not a window id (W20261201T0600Z)`, 'id');
    const found = await clearing.window(id);
    if (found === null) return fail(reply, 404, 'WINDOW_UNKNOWN', `no window ${id}`, 'id');
    return ok(windowView(found.state, found.live));
  });
}
