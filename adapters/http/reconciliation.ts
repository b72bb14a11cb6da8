// The reconciliation API of tiers 1 and 2, the circuit breakers, health and summary (issue 4),
// over adapters/reconciliation-service.ts. Tier 3 (POST /reconciliation/eod) and the discrepancy
// lifecycle live in reconciliation-eod.ts and discrepancies.ts.
//
// Amounts are decimal strings with the currency's minor units, as the seed serialises them.
// `difference` is |ledger − bank|, as the seed computes it (its walkthrough shows an unexpected
// 50,000.00 credit as 50000.00); the sign is in `ledger_minus_bank`: negative when the bank holds
// more than deltran's books (an unexpected credit), positive when the books hold more than the
// bank (tokens not fully backed by fiat, the dangerous direction).

import BigNumber from 'bignumber.js';
import { randomUUID } from 'node:crypto';
import type { FastifyInstance, FastifyReply } from 'fastify';
import type { Tier2Row } from '../../actors/reconciliation/tier2.ts';
import type { Comparison } from '../../actors/reconciliation/thresholds.ts';
import { formatAmount } from '../../streams/iso20022/money.ts';
import type { Camt054Json, ReconciliationService } from '../reconciliation-service.ts';
import { actorOf } from '../reconciliation-service.ts';
import { fail, ok, RETRY_AFTER_S } from './envelope.ts';

const DECIMAL = /^\d{1,18}(\.\d{1,5})?$/;
const KEY = /^[\x21-\x7e]{1,128}$/;

class Invalid {
  constructor(readonly field: string, readonly message: string) {}
}

export function reconciliationRoutes(app: FastifyInstance, recon: ReconciliationService): void {
  app.post('/api/v1/reconciliation/camt054', async (req, reply) => {
    let input: Camt054Json;
    try {
      input = camt054Of(req.body);
    } catch (err) {
      if (err instanceof Invalid) return fail(reply, 400, 'VALIDATION_FAILED', err.message, err.field);
      throw err;
    }
    const answer = await recon.camt054(input);
    if (!answer.ok) {
      if (answer.status === 503) void reply.header('retry-after', String(RETRY_AFTER_S));
      return fail(reply, answer.status, answer.code, answer.message);
    }
    const { result } = answer;
    const ccy = result.account.currency;
    const body = ok({
      account_id: result.account.id,
      account_number: result.account.accountNumber,
      currency: ccy,
      ...figures(result.comparison, ccy),
      action_taken: result.actionTaken,
      circuit_breaker_active: result.breakerOpen,
      status: result.outcome === 'appended' ? 'applied' : 'duplicate',
    });
    // Arrival (fastify's onRequest) to result, body parsing included.
    recon.observeLatency('1', reply.elapsedTime / 1000);
    return body;
  });

  const all = async () => {
    const result = await recon.runTier2();
    return ok(result.rows.map((r) => row(recon, r)));
  };
  app.post('/api/v1/reconciliation/intradey/all', all);
  app.post('/api/v1/reconciliation/intraday/all', all);

  const one = async (req: { params: { account_id: string } }, reply: FastifyReply) => {
    const entry = await recon.resolveById(req.params.account_id);
    if (entry === undefined) return fail(reply, 404, 'ACCOUNT_UNKNOWN', `no account ${req.params.account_id}`);
    const actor = actorOf(entry);
    if (recon.index.get(actor) === undefined) return fail(reply, 404, 'ACCOUNT_UNKNOWN', `account ${entry.id} is not open`);
    const result = await recon.runTier2([actor]);
    const r = result.rows[0]!;
    return ok({ ...row(recon, r), timestamp: result.startedAt });
  };
  app.post<{ Params: { account_id: string } }>('/api/v1/reconciliation/intradey/:account_id', one);
  app.post<{ Params: { account_id: string } }>('/api/v1/reconciliation/intraday/:account_id', one);

  // Un-enveloped, as the seed answers it, so a load balancer's probe reads the status directly.
  app.get('/api/v1/reconciliation/health', async (_req, reply) => {
    const h = await recon.health();
    return reply.code(h.status === 'CRITICAL' ? 503 : 200).send(h);
  });

  app.get('/api/v1/reconciliation/summary', async () => ok(await recon.summary()));

  app.get('/api/v1/circuit-breakers', async () => ok(await recon.breakers()));

  app.post<{ Params: { scope: string } }>('/api/v1/circuit-breakers/:scope/reset', async (req, reply) => {
    const body = (typeof req.body === 'object' && req.body !== null ? req.body : {}) as Record<string, unknown>;
    const reason = body['reason'];
    if (typeof reason !== 'string' || reason.trim() === '' || reason.length > 500) {
      return fail(reply, 400, 'VALIDATION_FAILED', 'reason is required (why the breaker may close), at most 500 characters', 'reason');
    }
    const header = req.headers['idempotency-key'];
    const key = typeof header === 'string' ? header : undefined;
    if (key !== undefined && !KEY.test(key)) return fail(reply, 400, 'VALIDATION_FAILED', 'Idempotency-Key must be 1 to 128 visible ASCII characters', 'Idempotency-Key');
    const r = await recon.resetBreaker(decodeURIComponent(req.params.scope), reason.trim(), key ?? randomUUID());
    if (r.status === 200) return ok({ scope: req.params.scope, reset: true, changed: r.changed ?? false });
    if (r.status === 503) void reply.header('retry-after', String(RETRY_AFTER_S));
    return fail(reply, r.status, r.code ?? 'REFUSED', r.message ?? 'refused');
  });
}

function figures(c: Comparison, ccy: string) {
  const money = (v: BigNumber) => formatAmount(v, ccy);
  return {
    ledger_balance: money(c.ledger),
    bank_balance: money(c.bank),
    difference: money(c.diff),
    ledger_minus_bank: money(c.difference),
    threshold_level: c.level,
  };
}

function row(recon: ReconciliationService, r: Tier2Row) {
  const f = r.figures;
  const ccy = f.ref.currency;
  const d = recon.directoryOf(f.actor);
  const head = { account_id: d?.id ?? f.actor, account_number: d?.accountNumber ?? f.ref.id, currency: ccy };
  if (r.comparison === null) {
    return {
      ...head,
      ledger_balance: formatAmount(f.ledger, ccy),
      bank_balance: null,
      difference: null,
      threshold_level: 'UNAVAILABLE',
      trend: null,
      error: r.error,
    };
  }
  return {
    ...head,
    ...figures(r.comparison, ccy),
    trend: r.trend === null
      ? { drifting: false, projected_level: r.comparison.level, step: null }
      : { drifting: r.trend.drifting, projected_level: r.trend.projected, step: formatAmount(r.trend.stepAverage, ccy) },
    circuit_breaker_active: f.breakerOpen,
    command: r.command,
  };
}

function camt054Of(raw: unknown): Camt054Json {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) throw new Invalid('', 'send a JSON object');
  const b = raw as Record<string, unknown>;
  const text = (name: string, max: number, required: boolean): string | null => {
    const v = b[name];
    if (v === undefined || v === null) {
      if (required) throw new Invalid(name, `${name} is required`);
      return null;
    }
    if (typeof v !== 'string' || v.trim() === '' || v.length > max) throw new Invalid(name, `${name} must be a non-empty string of at most ${max} characters`);
    return v.trim();
  };
  const messageId = text('message_id', 140, true)!;
  const accountId = text('account_id', 64, true)!;
  const currency = text('currency', 3, true)!;
  if (!/^[A-Z]{3}$/.test(currency)) throw new Invalid('currency', 'currency must be an ISO 4217 code');
  const cdi = text('credit_debit_indicator', 4, true)!;
  if (cdi !== 'CRDT' && cdi !== 'DBIT') throw new Invalid('credit_debit_indicator', 'credit_debit_indicator must be CRDT or DBIT');
  const rawAmount = b['amount'];
  // A JSON number is taken only when its text is a plain decimal: 1e21 or 0.1+0.2 never become money.
  const amountText = typeof rawAmount === 'number' ? String(rawAmount) : rawAmount;
  if (typeof amountText !== 'string' || !DECIMAL.test(amountText)) throw new Invalid('amount', 'amount must be a positive decimal string, e.g. "50000.00"');
  const amount = new BigNumber(amountText);
  const creationDateTime = text('creation_date_time', 64, true)!;
  if (Number.isNaN(Date.parse(creationDateTime))) throw new Invalid('creation_date_time', 'creation_date_time must be an ISO 8601 date-time');
  const bookingDate = text('booking_date', 32, false);
  if (bookingDate !== null && Number.isNaN(Date.parse(bookingDate))) throw new Invalid('booking_date', 'booking_date must be an ISO 8601 date');
  // NOTPROVIDED is no reference (identity.ts): it must neither key the entry nor match a pay-in.
  const usable = (v: string | null) => (v === null || /^notprovided$/i.test(v) ? null : v);
  return {
    messageId, accountId, currency, direction: cdi, amount, creationDateTime,
    bankReference: usable(text('bank_reference', 35, false)),
    endToEndId: usable(text('end_to_end_id', 35, false)),
    // The seed's notification has no booking date: the day it was created on stands in (as sent,
    // in the bank's own offset), or tier 3 could never match the entry to its day's statement.
    bookingDate: bookingDate ?? creationDateTime.slice(0, 10),
  };
}
