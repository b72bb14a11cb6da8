// The risk API (issue 6):
//   GET    /api/v1/risk/exposures?participant=     open positions (tokens + open window) valued in
//                                                  the reporting currency, breaches, rail totals
//   GET    /api/v1/risk/limits?participant=
//   POST   /api/v1/risk/limits                      [{participant, currency, kind: absolute|share,
//                                                  limit: "decimal", hard: bool}] (upsert), then a check
//   DELETE /api/v1/risk/limits/:participant/:currency/:kind
//   POST   /api/v1/risk/check                       compare limits with positions now (also periodic)
//   GET    /api/v1/risk/alerts?status=open|cleared|all&kind=&participant=
//   POST   /api/v1/risk/var                         {positions, base_currency, as_of, method,
//                                                  confidence, horizon_days, window_days}
//   POST   /api/v1/risk/backtest                    the same plus days (one-day VaR: horizon_days 1)
//   GET    /api/v1/risk/window-var/:windowId        the VaR stored at that window's close
// Validation errors are 400 VALIDATION_FAILED with the field; what the data cannot answer
// (RATE_UNKNOWN, HISTORY_SHORT) is 422 with the field; the history import still running is 503.

import BigNumber from 'bignumber.js';
import type { FastifyInstance } from 'fastify';
import { LIMIT_KINDS, type LimitKind, type RiskLimit } from '../../actors/risk/limits.ts';
import { minorUnits } from '../../streams/iso20022/money.ts';
import { todayUtc } from '../fx/fx-service.ts';
import { isCalendarDate } from '../fx/live-rates.ts';
import type { RiskService, VarQuery } from '../risk-service.ts';
import { fail, ok } from './envelope.ts';
import { importing } from './fx.ts';
import { normalBic, unknownParticipants } from './participants.ts';

const CURRENCY = /^[A-Z]{3}$/;
const SIGNED_DECIMAL = /^-?\d{1,18}(?:\.\d{1,18})?$/;
const DECIMAL = /^\d{1,18}(?:\.\d{1,18})?$/;
const POSITIONS_MAX = 50;
const LIMITS_MAX = 1_000;

type Body = Record<string, unknown>;
class Invalid {
  constructor(readonly field: string, readonly message: string) {}
}

export function riskRoutes(app: FastifyInstance, risk: RiskService): void {
  app.get<{ Querystring: { participant?: string } }>('/api/v1/risk/exposures', async (req, reply) => {
    const p = req.query.participant === undefined ? undefined : normalBic(req.query.participant);
    if (p === null) return fail(reply, 400, 'VALIDATION_FAILED', 'participant must be a BIC', 'participant');
    return ok(await risk.exposures(p));
  });

  app.get<{ Querystring: { participant?: string } }>('/api/v1/risk/limits', async (req) => {
    const p = req.query.participant === undefined ? undefined : normalBic(req.query.participant) ?? '';
    return ok(risk.limits(p).map(limitView));
  });

  app.post('/api/v1/risk/limits', async (req, reply) => {
    let limits: RiskLimit[];
    try {
      limits = limitsOf(req.body);
    } catch (err) {
      if (err instanceof Invalid) return fail(reply, 400, 'VALIDATION_FAILED', err.message, err.field);
      throw err;
    }
    const unknown = await unknownParticipants(risk.db, limits.map((l) => l.participant));
    if (unknown.length > 0) return fail(reply, 422, 'PARTICIPANT_UNKNOWN', `not registered: ${unknown.join(', ')}`, 'participant');
    await risk.setLimits(limits);
    return ok(limits.map((l) => limitView(risk.limits(l.participant).find((x) => x.currency === l.currency && x.kind === l.kind)!)));
  });

  app.delete<{ Params: { participant: string; currency: string; kind: string } }>('/api/v1/risk/limits/:participant/:currency/:kind', async (req, reply) => {
    const kind = req.params.kind.toUpperCase() as LimitKind;
    if (!LIMIT_KINDS.includes(kind)) return fail(reply, 400, 'VALIDATION_FAILED', 'kind must be absolute or share', 'kind');
    const removed = await risk.removeLimit(normalBic(req.params.participant) ?? '', req.params.currency.toUpperCase(), kind);
    if (!removed) return fail(reply, 404, 'LIMIT_UNKNOWN', 'no such limit');
    return ok({ removed: true });
  });

  app.post('/api/v1/risk/check', async () => ok(await risk.check()));

  app.get<{ Querystring: Record<string, string | undefined> }>('/api/v1/risk/alerts', async (req, reply) => {
    const { status, kind, participant } = req.query;
    if (status !== undefined && !['open', 'cleared', 'all'].includes(status)) return fail(reply, 400, 'VALIDATION_FAILED', 'status must be open, cleared or all', 'status');
    if (kind !== undefined && !['LIMIT_BREACH', 'FX_MOVE'].includes(kind.toUpperCase())) return fail(reply, 400, 'VALIDATION_FAILED', 'kind must be LIMIT_BREACH or FX_MOVE', 'kind');
    return ok(await risk.alerts({
      ...(status === undefined ? {} : { status: status as 'open' | 'cleared' | 'all' }),
      ...(kind === undefined ? {} : { kind: kind.toUpperCase() }),
      ...(participant === undefined ? {} : { participant: normalBic(participant) ?? participant }),
    }));
  });

  app.post('/api/v1/risk/var', async (req, reply) => {
    let query: VarQuery;
    try {
      query = varQueryOf(req.body);
    } catch (err) {
      if (err instanceof Invalid) return fail(reply, 400, 'VALIDATION_FAILED', err.message, err.field);
      throw err;
    }
    return importing(reply, async () => {
      const r = await risk.valueAtRisk(query);
      return 'code' in r ? fail(reply, 422, r.code, r.message, r.field) : ok(r);
    });
  });

  app.post('/api/v1/risk/backtest', async (req, reply) => {
    let query: VarQuery & { days: number };
    try {
      const base = varQueryOf(req.body);
      const b = req.body as Body;
      // Each day's loss is a one-day loss: comparing it with an h-day VaR would test nothing.
      if (base.horizonDays !== 1) throw new Invalid('horizon_days', 'a backtest compares one-day losses with one-day VaR: horizon_days must be 1');
      query = { ...base, days: integerOf(b, 'days', 250, 1, 5_000) };
    } catch (err) {
      if (err instanceof Invalid) return fail(reply, 400, 'VALIDATION_FAILED', err.message, err.field);
      throw err;
    }
    return importing(reply, async () => {
      const r = await risk.backtest(query);
      return 'code' in r ? fail(reply, 422, r.code, r.message, r.field) : ok(r);
    });
  });

  app.get<{ Params: { windowId: string }; Querystring: { participant?: string } }>('/api/v1/risk/window-var/:windowId', async (req) =>
    ok(await risk.windowVars(req.params.windowId, req.query.participant === undefined ? undefined : normalBic(req.query.participant) ?? undefined)));
}

function limitView(l: RiskLimit) {
  return { participant: l.participant, currency: l.currency, kind: l.kind.toLowerCase(), limit: l.limit.toFixed(), hard: l.hard };
}

function limitsOf(body: unknown): RiskLimit[] {
  const items = Array.isArray(body) ? body : typeof body === 'object' && body !== null ? [body] : null;
  if (items === null || items.length === 0) throw new Invalid('', 'send a limit {participant, currency, kind, limit, hard} or an array of them');
  if (items.length > LIMITS_MAX) throw new Invalid('', `at most ${LIMITS_MAX} limits per request`);
  return items.map((raw, i) => {
    const at = (f: string) => (Array.isArray(body) ? `[${i}].${f}` : f);
    if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) throw new Invalid(`[${i}]`, 'each limit is an object');
    const b = raw as Body;
    const participant = normalBic(b['participant']);
    if (participant === null || participant === '' || participant.length > 11) throw new Invalid(at('participant'), "participant must be a participant's BIC");
    const currency = b['currency'];
    if (typeof currency !== 'string' || !CURRENCY.test(currency) || minorUnits(currency) === undefined) throw new Invalid(at('currency'), 'currency must be an ISO 4217 code, e.g. "AED"');
    const kind = typeof b['kind'] === 'string' ? (b['kind'].toUpperCase() as LimitKind) : undefined;
    if (kind === undefined || !LIMIT_KINDS.includes(kind)) throw new Invalid(at('kind'), 'kind must be "absolute" (currency units) or "share" (of gross exposure, 0 to 1)');
    const limit = b['limit'];
    if (typeof limit !== 'string' || !DECIMAL.test(limit)) throw new Invalid(at('limit'), 'limit must be a non-negative decimal string, e.g. "1000000.00" or "0.4"');
    const value = new BigNumber(limit);
    if (kind === 'SHARE' && value.isGreaterThan(1)) throw new Invalid(at('limit'), 'a share limit is a fraction between 0 and 1');
    if (kind === 'ABSOLUTE' && (value.decimalPlaces() ?? 0) > minorUnits(currency)!) throw new Invalid(at('limit'), `more decimals than ${currency} has`);
    const hard = b['hard'] ?? false;
    if (typeof hard !== 'boolean') throw new Invalid(at('hard'), 'hard must be true or false');
    return { participant, currency, kind, limit: value, hard };
  });
}

export function varQueryOf(body: unknown): VarQuery {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) throw new Invalid('', 'send a JSON object');
  const b = body as Body;
  const raw = b['positions'];
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) throw new Invalid('positions', 'positions must be an object {"EUR": "1000000.00", ...}');
  const entries = Object.entries(raw as Body);
  if (entries.length === 0) throw new Invalid('positions', 'positions must hold at least one currency');
  if (entries.length > POSITIONS_MAX) throw new Invalid('positions', `at most ${POSITIONS_MAX} currencies`);
  const positions = new Map<string, BigNumber>();
  for (const [ccy, amount] of entries) {
    if (!CURRENCY.test(ccy)) throw new Invalid(`positions.${ccy}`, `${ccy} is not an ISO 4217 code`);
    // Strings only: a JSON number has already been through a float.
    if (typeof amount !== 'string' || !SIGNED_DECIMAL.test(amount)) throw new Invalid(`positions.${ccy}`, 'each amount must be a decimal string (negative for a short position), e.g. "-250000.00"');
    positions.set(ccy, new BigNumber(amount));
  }
  const baseCurrency = b['base_currency'] ?? 'USD';
  if (typeof baseCurrency !== 'string' || !CURRENCY.test(baseCurrency) || minorUnits(baseCurrency) === undefined) throw new Invalid('base_currency', 'base_currency must be an ISO 4217 code, e.g. "USD"');
  const asOf = b['as_of'] ?? todayUtc();
  if (!isCalendarDate(asOf)) throw new Invalid('as_of', 'as_of must be a date YYYY-MM-DD');
  const method = b['method'] ?? 'historical';
  if (method !== 'historical' && method !== 'ewma') throw new Invalid('method', 'method must be "historical" or "ewma"');
  const c = b['confidence'] ?? 0.99;
  // A JSON number prints back as the text it was sent as (0.99 → "0.99"), which is then decimal.
  const confidence = typeof c === 'number' ? String(c) : c;
  if (typeof confidence !== 'string' || !/^0\.\d{1,10}$/.test(confidence) || new BigNumber(confidence).isZero()) {
    throw new Invalid('confidence', 'confidence must be strictly between 0 and 1, e.g. 0.99');
  }
  return {
    positions, baseCurrency, asOf, method, confidence,
    horizonDays: integerOf(b, 'horizon_days', 1, 1, 250),
    windowDays: integerOf(b, 'window_days', 250, 2, 5_000),
  };
}

function integerOf(b: Body, field: string, fallback: number, min: number, max: number): number {
  const v = b[field] ?? fallback;
  if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < min || v > max) throw new Invalid(field, `${field} must be an integer from ${min} to ${max}`);
  return v;
}
