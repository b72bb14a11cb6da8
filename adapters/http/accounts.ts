// The account API. Balances live in the account actors (the journal is the truth); `emi_accounts`
// is the directory that maps the seed's account id to the actor and keeps the descriptive fields
// the actor does not need (bank_id, account_number, country_code). Reads come from the actors' side
// index, never from asking an actor and never from balance columns that could drift.
//
// Opening is one OpenAccount command (it carries both opening balances) whose message id is derived
// from the account id, so a retried POST is a duplicate in the journal, never a second opening or a
// double credit. Order: the actor first, the directory row after it is durable; a crash in between
// leaves an opened actor without a row, which the retried POST repairs.

import BigNumber from 'bignumber.js';
import { createHash } from 'node:crypto';
import type { FastifyInstance, FastifyReply } from 'fastify';
import type { Accounts, AccountOutcome } from '../../actors/account/actor.ts';
import type { OpenAccountCommand } from '../../actors/account/commands.ts';
import { ACCOUNT_TYPES, accountActorId, type AccountRef, type AccountState, type AccountType } from '../../actors/account/model.ts';
import type { Published } from '../../actors/runtime/published.ts';
import { formatAmount } from '../../streams/iso20022/money.ts';
import type { Database } from '../db/database.ts';
import { fail, ok, RETRY_AFTER_S } from './envelope.ts';

export interface AccountDeps {
  readonly accounts: Accounts;
  readonly db: Database;
}

export interface DirectoryRow {
  id: string;
  bank_id: string;
  account_number: string;
  iban: string | null;
  currency: string;
  country_code: string;
  account_type: string;
  created_at: Date;
}

export const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const DECIMAL = /^-?\d{1,18}(\.\d{1,5})?$/;
const LIST_MAX = 1_000;

export function accountRoutes(app: FastifyInstance, deps: AccountDeps): void {
  app.post('/api/v1/accounts', async (req, reply) => {
    const input = validate(req.body);
    if ('field' in input) return fail(reply, 400, 'VALIDATION_FAILED', input.message, input.field);
    const outcome = await deps.accounts.send(input.actorId, input.command);
    if (outcome.status !== 'appended' && outcome.status !== 'duplicate') return refused(reply, outcome);
    await deps.db.query(
      `INSERT INTO emi_accounts (id, bank_id, account_number, iban, currency, country_code, account_type)
       VALUES ($1::uuid, $2, $3, $4, $5, $6, $7) ON CONFLICT DO NOTHING`,
      [input.id, input.bankId, input.accountNumber, input.iban, input.command.ref.currency, input.countryCode, input.command.accountType],
    );
    const row = await directoryRow(deps.db, input.id);
    // Another id already holds (bank_id, account_number, currency): this actor was opened (or was
    // open) under our id's message, but the directory names the other one; refuse rather than alias.
    if (row === null || actorIdOf(row) !== input.actorId) {
      return fail(reply, 409, 'ACCOUNT_CONFLICT', 'an account with this bank_id, account_number and currency exists under another id');
    }
    return reply.code(201).send(ok(await view(deps, row)));
  });

  app.get<{ Params: { id: string } }>('/api/v1/accounts/:id', async (req, reply) => {
    const row = UUID.test(req.params.id) ? await directoryRow(deps.db, req.params.id) : null;
    if (row === null) return fail(reply, 404, 'ACCOUNT_UNKNOWN', `no account ${req.params.id}`);
    return ok(await view(deps, row));
  });

  app.get('/api/v1/accounts', async () => {
    const { rows } = await deps.db.query<DirectoryRow>(`SELECT * FROM emi_accounts ORDER BY created_at, id LIMIT ${LIST_MAX}`);
    return ok(await Promise.all(rows.map((r) => view(deps, r))));
  });
}

export function refused(reply: FastifyReply, outcome: AccountOutcome): FastifyReply {
  if (outcome.status === 'rejected') {
    const { code, message } = outcome.rejection;
    if (code === 'ACCOUNT_ALREADY_OPEN') return fail(reply, 409, code, `${message} (under another id)`);
    return fail(reply, 400, code, message, FIELD_OF[code]);
  }
  // retry / mailbox_full: nothing is known to be applied; the same POST is safe to send again.
  void reply.header('retry-after', String(RETRY_AFTER_S));
  const code = outcome.status === 'retry' || outcome.status === 'mailbox_full' ? outcome.code : 'RETRY';
  return fail(reply, 503, code, 'busy, send the same request again');
}

/** The actor's rejections that are about one request field. */
const FIELD_OF: Record<string, string> = {
  CURRENCY_UNKNOWN: 'currency',
  AMOUNT_INVALID: 'ledger_balance',
  AMOUNT_PRECISION: 'ledger_balance',
};

interface ValidInput {
  readonly id: string;
  readonly actorId: string;
  readonly bankId: string;
  readonly accountNumber: string;
  readonly iban: string | null;
  readonly countryCode: string;
  readonly command: OpenAccountCommand;
}

function validate(body: unknown): ValidInput | { readonly field: string; readonly message: string } {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) return { field: '', message: 'send a JSON object' };
  const b = body as Record<string, unknown>;
  const text = (name: string, max: number, required: boolean): string | null | { field: string; message: string } => {
    const v = b[name];
    if (v === undefined || v === null) return required ? { field: name, message: `${name} is required` } : null;
    if (typeof v !== 'string' || v.trim() === '' || v.length > max) return { field: name, message: `${name} must be a non-empty string of at most ${max} characters` };
    return v.trim();
  };
  const bankId = text('bank_id', 64, true);
  if (typeof bankId !== 'string') return bankId!;
  const accountNumber = text('account_number', 64, true);
  if (typeof accountNumber !== 'string') return accountNumber!;
  const ibanRaw = text('iban', 64, false);
  if (ibanRaw !== null && typeof ibanRaw !== 'string') return ibanRaw;
  // The electronic form (ISO 13616), as the ingestion pipeline keys reports, so entries find it.
  const iban = ibanRaw === null ? null : ibanRaw.replace(/\s+/g, '').toUpperCase();
  if (iban !== null && !/^[A-Z]{2}\d{2}[A-Z0-9]{11,30}$/.test(iban)) return { field: 'iban', message: 'iban is not an IBAN' };
  const currency = text('currency', 3, true);
  if (typeof currency !== 'string') return currency!;
  if (!/^[A-Z]{3}$/.test(currency)) return { field: 'currency', message: 'currency must be an ISO 4217 code' };
  const countryCode = text('country_code', 2, true);
  if (typeof countryCode !== 'string') return countryCode!;
  if (!/^[A-Z]{2}$/.test(countryCode)) return { field: 'country_code', message: 'country_code must be an ISO 3166 alpha-2 code' };
  const accountType = b['account_type'];
  if (typeof accountType !== 'string' || !(ACCOUNT_TYPES as readonly string[]).includes(accountType)) {
    return { field: 'account_type', message: `account_type must be one of ${ACCOUNT_TYPES.join(', ')}` };
  }
  const ledger = amount(b, 'ledger_balance');
  if (!(ledger instanceof BigNumber)) return ledger;
  const bank = amount(b, 'bank_reported_balance');
  if (!(bank instanceof BigNumber)) return bank;
  const ref: AccountRef = iban !== null ? { scheme: 'IBAN', id: iban, currency } : { scheme: 'OTHER', id: accountNumber, currency };
  const actorId = accountActorId(ref);
  const idRaw = b['id'];
  if (idRaw !== undefined && idRaw !== null && (typeof idRaw !== 'string' || !UUID.test(idRaw))) return { field: 'id', message: 'id must be a UUID' };
  // Without an id, one is derived from the account itself, so a retried POST still lands on the
  // same id (and the same OpenAccount message id) instead of opening a twin.
  const id = typeof idRaw === 'string' ? idRaw.toLowerCase() : uuidFrom(actorId);
  const command: OpenAccountCommand = { type: 'OpenAccount', messageId: `http:open:${id}`, ref, accountType: accountType as AccountType, ledger, bank };
  return { id, actorId, bankId, accountNumber, iban, countryCode, command };
}

/** Decimal strings (the seed's way); JSON numbers are taken only when their text is a plain decimal. */
function amount(b: Record<string, unknown>, name: string): BigNumber | { field: string; message: string } {
  const v = b[name];
  if (v === undefined || v === null) return new BigNumber(0);
  const s = typeof v === 'number' ? String(v) : v;
  if (typeof s !== 'string' || !DECIMAL.test(s)) return { field: name, message: `${name} must be a decimal string, e.g. "1250.00"` };
  return new BigNumber(s);
}

/** A stable UUID-shaped id from the account's actor id (sha256, version nibble 5-style). */
function uuidFrom(actorId: string): string {
  const h = createHash('sha256').update(actorId).digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-5${h.slice(13, 16)}-a${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

export async function directoryRow(db: Database, id: string): Promise<DirectoryRow | null> {
  const { rows } = await db.query<DirectoryRow>('SELECT * FROM emi_accounts WHERE id = $1::uuid', [id]);
  return rows[0] ?? null;
}

export function actorIdOf(row: DirectoryRow): string {
  const currency = row.currency.trim();
  return accountActorId(row.iban !== null ? { scheme: 'IBAN', id: row.iban, currency } : { scheme: 'OTHER', id: row.account_number, currency });
}

/**
 * The live state of an account. An actor that is not loaded (after a restart, or evicted when
 * idle) has no side-index entry; it is loaded by sending it a command that can change nothing (a
 * Release of a reservation id no one can hold: refused, never journaled), which makes the runtime
 * recover it from the journal. The state is then read from the side index as usual.
 */
export async function live(accounts: Accounts, actorId: string): Promise<Published<AccountState> | undefined> {
  const now = accounts.state(actorId);
  if (now !== undefined && now.state !== null && !now.stale) return now;
  await accounts.send(actorId, { type: 'Release', messageId: 'http:load', reservationId: '\u0000load' });
  return accounts.state(actorId);
}

async function view(deps: AccountDeps, row: DirectoryRow) {
  const actorId = actorIdOf(row);
  const published = await live(deps.accounts, actorId);
  const s = published?.state;
  const open = s !== undefined && s !== null && s.status === 'open' ? s : null;
  // Amounts are shown with the currency's minor units ("1000000.00"), as the seed's API does.
  const ccy = row.currency.trim();
  const money = (v: BigNumber) => formatAmount(v, ccy);
  return {
    id: row.id,
    bank_id: row.bank_id,
    account_number: row.account_number,
    iban: row.iban,
    currency: row.currency.trim(),
    country_code: row.country_code.trim(),
    account_type: row.account_type,
    ledger_balance: open === null ? null : money(open.ledger),
    bank_reported_balance: open === null ? null : money(open.bank),
    reserved_balance: open === null ? null : money(open.reserved),
    available_balance: open === null ? null : money(open.ledger.minus(open.reserved)),
    pending_entries: open?.pending.size ?? null,
    reconciliation_status: open?.reconciliation ?? null,
    circuit_breaker_active: open?.breaker.open ?? null,
    created_at: row.created_at.toISOString(),
    actor: { id: actorId, seq: published?.seq ?? 0, last_message_at: published?.lastMessageAt ?? null },
  };
}
