// The token API: operator mint, burn, transfer and convert, balances, and the proof of backing.
// Every mutation goes to the token actor (actors/tokens/actor.ts) and answers from its outcome;
// every read comes from the ledgers' side index and the in-memory backing figure, never from
// asking the actor, so reads do not queue behind payments.
//
// Idempotency: a mutation needs a message identity, `message_id` in the body or the
// Idempotency-Key header (the same value if both). It becomes the journal's message id
// (`http:<key>`, so an operator cannot pre-empt a pay-in's `mint:...` id), unique per ledger: the
// same request again answers `duplicate` and changes nothing, after a restart too.
//
// Statuses: 200 applied or duplicate; 400 a malformed request; 422 a refusal with its code
// (BACKING_EXCEEDED, INSUFFICIENT_TOKENS, PARTICIPANT_UNKNOWN, RATE_UNKNOWN, ...); 503 with
// Retry-After when nothing is known to be applied (journal busy, mailbox full): send it again.

import BigNumber from 'bignumber.js';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { TokenOutcome, Tokens, TokensRequest } from '../../actors/tokens/actor.ts';
import type { BackingPort } from '../../actors/tokens/backing.ts';
import type { TokenEvent } from '../../actors/tokens/events.ts';
import { tokenSymbol } from '../../actors/tokens/model.ts';
import { formatAmount } from '../../streams/iso20022/money.ts';
import type { Database } from '../db/database.ts';
import { conversionRate } from '../fx/conversion-rate.ts';
import { fail, ok, RETRY_AFTER_S } from './envelope.ts';
import { normalBic, unknownParticipants } from './participants.ts';

export interface TokenRouteDeps {
  readonly tokens: Tokens;
  readonly backing: BackingPort & { currencies(): string[] };
}

const DECIMAL = /^\d{1,18}(?:\.\d{1,18})?$/;
const CURRENCY = /^[A-Z]{3}$/;
const KEY = /^[\x21-\x7e]{1,128}$/;

type Body = Record<string, unknown>;
class Invalid {
  constructor(readonly field: string, readonly message: string) {}
}

export function tokenRoutes(app: FastifyInstance, db: Database, deps: TokenRouteDeps): void {
  const { tokens } = deps;

  app.post('/api/v1/tokens/mint', (req, reply) => mutate(req, reply, db, tokens, (b, messageId) => {
    const currency = currencyOf(b, 'currency');
    return {
      participants: [bicOf(b, 'participant')],
      request: {
        type: 'Mint', messageId, participant: bicOf(b, 'participant'), currency, amount: amountOf(b, 'amount'),
        source: { kind: 'OPERATOR', operator: optionalText(b, 'operator') ?? 'api', reason: textOf(b, 'reason') },
      },
    };
  }));

  app.post('/api/v1/tokens/burn', (req, reply) => mutate(req, reply, db, tokens, (b, messageId) => ({
    participants: [bicOf(b, 'participant')],
    request: {
      type: 'Burn', messageId, participant: bicOf(b, 'participant'), currency: currencyOf(b, 'currency'),
      amount: amountOf(b, 'amount'), reference: textOf(b, 'reference'),
    },
  })));

  app.post('/api/v1/tokens/transfer', (req, reply) => mutate(req, reply, db, tokens, (b, messageId) => ({
    participants: [bicOf(b, 'from'), bicOf(b, 'to')],
    request: { type: 'Transfer', messageId, from: bicOf(b, 'from'), to: bicOf(b, 'to'), currency: currencyOf(b, 'currency'), amount: amountOf(b, 'amount') },
  })));

  app.post('/api/v1/tokens/convert', (req, reply) => mutate(req, reply, db, tokens, async (b, messageId) => {
    const sourceCurrency = currencyOf(b, 'source_currency');
    const targetCurrency = currencyOf(b, 'target_currency');
    const amount = amountOf(b, 'amount');
    const participant = bicOf(b, 'participant');
    const rate = await rateOf(db, b, sourceCurrency, targetCurrency);
    if ('rejection' in rate) return rate;
    return {
      participants: [participant],
      request: { type: 'Convert', messageId, participant, sourceCurrency, targetCurrency, amount, rate: rate.rate, rateId: rate.rateId },
    };
  }));

  app.get<{ Params: { participant: string } }>('/api/v1/tokens/balances/:participant', async (req, reply) => {
    const bic = normalBic(req.params.participant)!;
    if ((await unknownParticipants(db, [bic])).length > 0) return fail(reply, 404, 'PARTICIPANT_UNKNOWN', `no participant ${bic}`, 'participant');
    const balances: Record<string, string> = {};
    const held = tokens.balancesOf(bic);
    for (const currency of [...held.keys()].sort()) balances[currency] = formatAmount(held.get(currency)!, currency);
    return ok({ participant: bic, balances });
  });

  // The proof of backing: per currency, tokens outstanding against the client funds the bank
  // reports. `backed: false` means a bank debit took the fiat below the tokens (see backing.ts).
  app.get('/api/v1/tokens/ledgers', async () => {
    const currencies = new Set(deps.backing.currencies());
    for (const p of tokens.ledgers()) if (p.state !== null) currencies.add(p.state.currency);
    return ok([...currencies].sort().map((currency) => {
      const published = tokens.ledger(currency);
      const state = published?.state ?? null;
      const backing = deps.backing.of(currency);
      const outstanding = state?.outstanding ?? new BigNumber(0);
      const money = (v: BigNumber) => formatAmount(v, currency);
      return {
        currency,
        token: tokenSymbol(currency),
        outstanding: money(outstanding),
        backing: money(backing),
        headroom: money(BigNumber.max(backing.minus(outstanding), 0)),
        shortfall: money(BigNumber.max(outstanding.minus(backing), 0)),
        backed: outstanding.isLessThanOrEqualTo(backing),
        holders: state?.balances.size ?? 0,
        breaker_open: state?.breaker.open ?? false,
        seq: published?.seq ?? 0,
        stale: published?.stale ?? false,
      };
    }));
  });
}

type Built = { readonly participants: readonly string[]; readonly request: TokensRequest };
type Refusal = { readonly rejection: { readonly code: string; readonly message: string; readonly field?: string } };

async function mutate(
  req: FastifyRequest,
  reply: FastifyReply,
  db: Database,
  tokens: Tokens,
  build: (body: Body, messageId: string) => Built | Refusal | Promise<Built | Refusal>,
): Promise<FastifyReply> {
  let built: Built | Refusal;
  let key: string;
  try {
    const body = objectOf(req.body);
    key = identityOf(req, body);
    built = await build(body, `http:${key}`);
  } catch (err) {
    if (err instanceof Invalid) return fail(reply, 400, 'VALIDATION_FAILED', err.message, err.field);
    throw err;
  }
  if ('rejection' in built) return fail(reply, 422, built.rejection.code, built.rejection.message, built.rejection.field);
  const unknown = await unknownParticipants(db, built.participants);
  if (unknown.length > 0) return fail(reply, 422, 'PARTICIPANT_UNKNOWN', `not registered: ${unknown.join(', ')}`);
  return answer(reply, key, built.request, await tokens.send(built.request));
}

function answer(reply: FastifyReply, key: string, request: TokensRequest, outcome: TokenOutcome): FastifyReply {
  switch (outcome.status) {
    case 'appended':
      return reply.send(ok({ status: 'applied', message_id: key, operation: request.type.toLowerCase(), events: outcome.events.map((e) => eventView(e, ledgerOf(request, e))) }));
    case 'duplicate':
      return reply.send(ok({ status: 'duplicate', message_id: key, operation: request.type.toLowerCase(), events: [] }));
    case 'rejected':
      return fail(reply, 422, outcome.rejection.code, outcome.rejection.message);
    default:
      // retry / mailbox_full: nothing is known to be applied; the same request is safe to resend.
      void reply.header('retry-after', String(RETRY_AFTER_S));
      return fail(reply, 503, outcome.code, `not applied, send the same request again (${outcome.status === 'retry' ? outcome.message : 'mailbox full'})`);
  }
}

/** The currency of the ledger an event of `request` was journaled on. */
function ledgerOf(request: TokensRequest, e: TokenEvent): string {
  if (request.type !== 'Convert') return request.currency;
  return e.type === 'TokensConvertedIn' ? request.targetCurrency : request.sourceCurrency;
}

/** One journaled event as the API shows it, amounts with the ledger currency's minor units. */
function eventView(e: TokenEvent, currency: string) {
  const money = (v: BigNumber) => formatAmount(v, currency);
  switch (e.type) {
    case 'TokensMinted':
      return { type: e.type, currency, participant: e.participant, amount: money(e.amount), source: e.source.kind };
    case 'TokensBurned':
      return { type: e.type, currency, participant: e.participant, amount: money(e.amount), reference: e.reference };
    case 'TokensTransferred':
      return { type: e.type, currency, from: e.from, to: e.to, amount: money(e.amount) };
    case 'TokensConvertedOut':
      return {
        type: e.type, currency, participant: e.participant, amount: money(e.amount), target_currency: e.targetCurrency,
        target_amount: formatAmount(e.targetAmount, e.targetCurrency), rate: e.rate.toFixed(), rate_id: e.rateId,
      };
    case 'TokensConvertedIn':
      return {
        type: e.type, currency, participant: e.participant, amount: money(e.amount), source_currency: e.sourceCurrency,
        source_amount: formatAmount(e.sourceAmount, e.sourceCurrency), rate: e.rate.toFixed(), rate_id: e.rateId,
      };
    default:
      return { type: e.type, currency, reason: e.reason };
  }
}

/**
 * The rate of a conversion, and which one: given in the request (`rate`, `rate_id`, recorded as
 * `request:<rate_id>`), else the stored rate as of now, direct, inverted or via USD
 * (adapters/fx/conversion-rate.ts; `fx_rates:<id>`, `fx_rates:1/<id>`, `fx_rates:usd(..)`). The
 * event keeps the rate and this id, so a conversion can always be explained later.
 */
async function rateOf(db: Database, b: Body, source: string, target: string): Promise<{ rate: BigNumber; rateId: string } | Refusal> {
  if (b['rate'] !== undefined && b['rate'] !== null) {
    const given = b['rate'];
    if (typeof given !== 'string' || !DECIMAL.test(given)) throw new Invalid('rate', 'rate must be a decimal string (target units per source unit), e.g. "3.6725"');
    return { rate: new BigNumber(given), rateId: `request:${optionalText(b, 'rate_id') ?? 'unnamed'}` };
  }
  if (b['rate_id'] !== undefined && b['rate_id'] !== null) throw new Invalid('rate', 'rate_id without rate: send the rate it names');
  const stored = await conversionRate(db, source, target);
  if ('rejection' in stored) return stored;
  return { rate: stored.rate, rateId: stored.rateId };
}

function objectOf(body: unknown): Body {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) throw new Invalid('', 'send a JSON object');
  return body as Body;
}

function identityOf(req: FastifyRequest, b: Body): string {
  const header = req.headers['idempotency-key'];
  const fromHeader = typeof header === 'string' ? header : undefined;
  const fromBody = b['message_id'];
  if (fromBody !== undefined && (typeof fromBody !== 'string' || !KEY.test(fromBody))) {
    throw new Invalid('message_id', 'message_id must be 1 to 128 printable ASCII characters without spaces');
  }
  if (fromHeader !== undefined && !KEY.test(fromHeader)) throw new Invalid('Idempotency-Key', 'the Idempotency-Key must be 1 to 128 printable ASCII characters without spaces');
  if (fromBody !== undefined && fromHeader !== undefined && fromBody !== fromHeader) {
    throw new Invalid('message_id', 'message_id and the Idempotency-Key header differ');
  }
  const key = (fromBody as string | undefined) ?? fromHeader;
  if (key === undefined) throw new Invalid('message_id', 'a message identity is required: message_id in the body or the Idempotency-Key header');
  return key;
}

function bicOf(b: Body, field: string): string {
  const bic = normalBic(b[field]);
  if (bic === null || bic === '' || bic.length > 11) throw new Invalid(field, `${field} must be a participant's BIC`);
  return bic;
}

function currencyOf(b: Body, field: string): string {
  const v = b[field];
  if (typeof v !== 'string' || !CURRENCY.test(v)) throw new Invalid(field, `${field} must be an ISO 4217 code, e.g. "AED"`);
  return v;
}

/** A decimal string; its precision against the currency is the ledger's check (AMOUNT_PRECISION). */
function amountOf(b: Body, field: string): BigNumber {
  const v = b[field];
  // Strings only: a JSON number has already been through a float when we see it.
  if (typeof v !== 'string' || !DECIMAL.test(v)) throw new Invalid(field, `${field} must be a decimal string, e.g. "1250.00"`);
  return new BigNumber(v);
}

function textOf(b: Body, field: string): string {
  const v = optionalText(b, field);
  if (v === null) throw new Invalid(field, `${field} is required`);
  return v;
}

function optionalText(b: Body, field: string): string | null {
  const v = b[field];
  if (v === undefined || v === null) return null;
  if (typeof v !== 'string' || v.trim() === '' || v.length > 140) throw new Invalid(field, `${field} must be a non-empty string of at most 140 characters`);
  return v.trim();
}
