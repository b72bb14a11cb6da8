// The participant API: the banks and EMIs on the rail, by BIC, with their debit caps per currency.
// They live in the `participants` and `participant_debit_caps` tables (no actor: a participant's
// registration is reference data, not a balance). Tokens may only be held by a registered
// participant, so the token routes ask `unknownParticipants` before they send anything.
//
// A participant and its caps are written in one transaction: a participant without the caps it was
// registered with would clear without limits. A second POST of the same BIC is a 409, not an
// update: changing a cap is a decision of its own, which this API does not offer yet.

import BigNumber from 'bignumber.js';
import type { FastifyInstance } from 'fastify';
import { formatAmount, minorUnits } from '../../streams/iso20022/money.ts';
import type { Database, Queryable } from '../db/database.ts';
import { isCountryCode } from './country-codes.ts';
import { fail, ok } from './envelope.ts';

/** ISO 9362 (2014 form: the bank code may hold digits); the country part is checked apart. */
const BIC = /^[A-Z0-9]{4}[A-Z]{2}[A-Z0-9]{2}(?:[A-Z0-9]{3})?$/;
/** A non-negative decimal string; the currency's minor units are checked apart. */
const DECIMAL = /^\d{1,18}(?:\.\d{1,18})?$/;
const LIST_MAX = 1_000;
const CAPS_MAX = 200;

interface ParticipantRow {
  bic: string;
  name: string;
  country: string;
  settlement_account: string | null;
  status: string;
  created_at: Date;
  caps: { currency: string; cap: string }[] | null;
}

interface Registration {
  readonly bic: string;
  readonly name: string;
  readonly country: string;
  readonly settlementAccount: string | null;
  readonly caps: ReadonlyMap<string, BigNumber>;
}

type Invalid = { readonly field: string; readonly message: string };

/** `onRegistered`: told after a participant is durable (the clearing engine's registry reloads). */
export function participantRoutes(app: FastifyInstance, db: Database, onRegistered?: () => Promise<void>): void {
  app.post('/api/v1/participants', async (req, reply) => {
    const input = validate(req.body);
    if ('field' in input) return fail(reply, 400, 'VALIDATION_FAILED', input.message, input.field);
    const created = await db.transaction(async (tx) => {
      const { rows } = await tx.query(
        `INSERT INTO participants (bic, name, country, settlement_account) VALUES ($1, $2, $3, $4)
         ON CONFLICT (bic) DO NOTHING RETURNING bic`,
        [input.bic, input.name, input.country, input.settlementAccount],
      );
      if (rows.length === 0) return false;
      for (const [currency, cap] of input.caps) {
        await tx.query('INSERT INTO participant_debit_caps (bic, currency, cap) VALUES ($1, $2, $3::numeric)', [input.bic, currency, cap.toFixed()]);
      }
      return true;
    });
    if (!created) return fail(reply, 409, 'PARTICIPANT_EXISTS', `participant ${input.bic} is already registered`, 'bic');
    await onRegistered?.();
    return reply.code(201).send(ok(view((await participantRows(db, input.bic))[0]!)));
  });

  app.get('/api/v1/participants', async () => ok((await participantRows(db, null)).map(view)));

  app.get<{ Params: { bic: string } }>('/api/v1/participants/:bic', async (req, reply) => {
    const bic = req.params.bic.trim().toUpperCase();
    const row = BIC.test(bic) ? (await participantRows(db, bic))[0] : undefined;
    if (row === undefined) return fail(reply, 404, 'PARTICIPANT_UNKNOWN', `no participant ${req.params.bic}`, 'bic');
    return ok(view(row));
  });
}

/** The BICs among `bics` that are not registered (in the order given, without repeats). */
export async function unknownParticipants(db: Queryable, bics: readonly string[]): Promise<string[]> {
  const wanted = [...new Set(bics)];
  const { rows } = await db.query<{ bic: string }>('SELECT bic FROM participants WHERE bic = ANY($1::text[])', [wanted]);
  const known = new Set(rows.map((r) => r.bic));
  return wanted.filter((b) => !known.has(b));
}

/** Upper case, no surrounding spaces: how BICs are stored and compared. */
export function normalBic(value: unknown): string | null {
  return typeof value === 'string' ? value.trim().toUpperCase() : null;
}

async function participantRows(db: Queryable, bic: string | null): Promise<ParticipantRow[]> {
  const { rows } = await db.query<ParticipantRow>(
    `SELECT p.bic, p.name, p.country, p.settlement_account, p.status, p.created_at,
            (SELECT json_agg(json_build_object('currency', c.currency, 'cap', c.cap::text) ORDER BY c.currency)
             FROM participant_debit_caps c WHERE c.bic = p.bic) AS caps
     FROM participants p WHERE ($1::text IS NULL OR p.bic = $1) ORDER BY p.created_at, p.bic LIMIT ${LIST_MAX}`,
    [bic],
  );
  return rows;
}

function view(row: ParticipantRow) {
  const caps: Record<string, string> = {};
  // Shown with the currency's minor units, as every amount of the API.
  for (const c of row.caps ?? []) caps[c.currency.trim()] = formatAmount(new BigNumber(c.cap), c.currency.trim());
  return {
    bic: row.bic,
    name: row.name,
    country: row.country.trim(),
    settlement_account: row.settlement_account,
    status: row.status,
    debit_caps: caps,
    created_at: row.created_at.toISOString(),
  };
}

function validate(body: unknown): Registration | Invalid {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) return { field: '', message: 'send a JSON object' };
  const b = body as Record<string, unknown>;
  const bic = normalBic(b['bic']);
  if (bic === null || !BIC.test(bic)) return { field: 'bic', message: 'bic must be a BIC: 8 or 11 letters and digits (bank, country, location, branch)' };
  if (!isCountryCode(bic.slice(4, 6))) return { field: 'bic', message: `bic ${bic}: ${bic.slice(4, 6)} is not an ISO 3166 country code` };
  const name = b['name'];
  if (typeof name !== 'string' || name.trim() === '' || name.length > 140) return { field: 'name', message: 'name must be a non-empty string of at most 140 characters' };
  const country = b['country'];
  if (typeof country !== 'string' || !isCountryCode(country)) return { field: 'country', message: 'country must be an ISO 3166 alpha-2 code, e.g. "AE"' };
  const account = b['settlement_account'];
  if (account !== undefined && account !== null && (typeof account !== 'string' || account.trim() === '' || account.length > 64)) {
    return { field: 'settlement_account', message: 'settlement_account must be a non-empty string of at most 64 characters' };
  }
  const caps = debitCaps(b['debit_caps']);
  if (!(caps instanceof Map)) return caps;
  return { bic, name: name.trim(), country, settlementAccount: typeof account === 'string' ? account.trim() : null, caps };
}

function debitCaps(value: unknown): Map<string, BigNumber> | Invalid {
  const caps = new Map<string, BigNumber>();
  if (value === undefined || value === null) return caps;
  if (typeof value !== 'object' || Array.isArray(value)) return { field: 'debit_caps', message: 'debit_caps must be an object such as {"AED": "1000000.00"}' };
  const entries = Object.entries(value as Record<string, unknown>);
  if (entries.length > CAPS_MAX) return { field: 'debit_caps', message: `at most ${CAPS_MAX} currencies` };
  for (const [currency, amount] of entries) {
    const field = `debit_caps.${currency}`;
    const digits = /^[A-Z]{3}$/.test(currency) ? minorUnits(currency) : undefined;
    if (digits === undefined) return { field, message: `${currency} is not an active ISO 4217 currency code` };
    // Strings only: a JSON number has already been through a float when we see it.
    if (typeof amount !== 'string' || !DECIMAL.test(amount)) return { field, message: 'a cap must be a decimal string, e.g. "1000000.00"' };
    const cap = new BigNumber(amount);
    if ((cap.decimalPlaces() ?? 0) > digits) return { field, message: `${amount} has more than ${digits} decimals for ${currency}` };
    caps.set(currency, cap);
  }
  return caps;
}
