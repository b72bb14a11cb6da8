// POST /api/v1/reconciliation/eod: tier 3 on demand. The body is the seed's JSON statement or a
// camt.053 (Content-Type application/xml); both become `StatementInput`s and go through the same
// `statementCommand` (streams/ingest/statement.ts) as the ingestion pipeline's camt.053, so the
// same statement gives the same command identity, events and answer whichever way it came.
//
// The answer is built from the journaled StatementReconciled (for a duplicate, the one journaled
// the first time), after the reconciliation records are flushed, so the EOD snapshot it names
// exists. `difference` is |ledger − bank| as the seed reports it; amounts carry the currency's
// minor units. Statuses: 200 (also for a duplicate and for a COPY/DUPL, which changes nothing),
// 400 invalid JSON fields, 404 account not open, 415 neither JSON nor XML, 422 an XML the reader
// refuses or a refused statement, 503 retry.
//
// JSON entries: `entry_reference` is the bank's reference of the booking and is matched as the
// AcctSvcrRef (unless `account_servicer_reference` is given); `booking_date` defaults to the
// statement date; `status` to BOOK.

import BigNumber from 'bignumber.js';
import type { FastifyInstance, FastifyReply } from 'fastify';
import type { Accounts } from '../../actors/account/actor.ts';
import type { StatementReconciled } from '../../actors/account/events.ts';
import { accountActorId } from '../../actors/account/model.ts';
import { reconciledCleanly } from '../../actors/reconciliation/discrepancy-records.ts';
import { accountKey } from '../../streams/ingest/notification-plan.ts';
import {
  COPY_CODES, prepareStatement, statementFromReport, statementIdentity, type RecordedEntriesPort, type StatementEntry, type StatementInput,
} from '../../streams/ingest/statement.ts';
import type { ReportMessage } from '../../streams/iso20022/model.ts';
import { formatAmount } from '../../streams/iso20022/money.ts';
import { readBuffer } from '../../streams/iso20022/reader.ts';
import type { Database } from '../db/database.ts';
import type { ReconciliationRecords } from '../db/reconciliation-records.ts';
import { journaledStatement } from '../db/statement-queries.ts';
import { refused } from './accounts.ts';
import { fail, ok, RETRY_AFTER_S } from './envelope.ts';

export interface EodDeps {
  readonly db: Database;
  readonly accounts: Accounts;
  readonly statements: RecordedEntriesPort;
  readonly records: ReconciliationRecords;
}

const DECIMAL = /^-?\d{1,18}(\.\d{1,5})?$/;
const DAY = /^\d{4}-\d{2}-\d{2}$/;
const ENTRIES_MAX = 100_000;

type Invalid = { readonly field: string; readonly message: string };

export function eodRoutes(app: FastifyInstance, deps: EodDeps): void {
  app.post('/api/v1/reconciliation/eod', async (req, reply) => {
    if (Buffer.isBuffer(req.body)) return xmlStatements(deps, reply, req.body);
    const parsed = await fromJson(deps.db, req.body);
    if ('field' in parsed) return fail(reply, 400, 'VALIDATION_FAILED', parsed.message, parsed.field);
    const result = await reconcile(deps, parsed);
    return 'refuse' in result ? result.refuse(reply) : ok(result.view);
  });
}

async function xmlStatements(deps: EodDeps, reply: FastifyReply, body: Buffer) {
  const results = readBuffer(body, { summarize: false });
  const errors = results.flatMap((r) => r.findings.filter((f) => f.severity === 'error'));
  if (results.length === 0 || errors.length > 0) {
    return fail(reply, 422, errors[0]?.code ?? 'DOCUMENT_MISSING', `not a readable camt.053: ${errors.slice(0, 5).map((e) => `${e.code} at ${e.path}`).join('; ') || 'no Document'}`);
  }
  const views: unknown[] = [];
  for (const r of results) {
    if (r.type !== 'camt.053' || r.message === null) return fail(reply, 422, 'MESSAGE_UNSUPPORTED', `a ${r.type ?? 'unknown'} message is not an end-of-day statement (camt.053)`);
    const message = r.message as ReportMessage;
    const msgId = message.header.messageId?.trim() || r.messageId || `document#${r.index}`;
    for (const report of message.reports) {
      const account = accountKey(report);
      if (account === null) return fail(reply, 422, 'ACCOUNT_MISSING', `Stmt[${report.index}] names no IBAN or other account id`);
      const copy = report.copyDuplicate?.trim().toUpperCase();
      if (copy !== undefined && COPY_CODES.has(copy)) {
        views.push({ account_id: account.id, statement_id: report.id ?? null, status: 'copy', copy_duplicate: copy });
        continue;
      }
      const made = statementFromReport(msgId, report, account);
      if ('rejection' in made) return fail(reply, 422, made.rejection.code, made.rejection.message);
      const result = await reconcile(deps, made.input);
      if ('refuse' in result) return result.refuse(reply);
      views.push(result.view);
    }
  }
  // One statement answers the seed's object; a file of several answers one object per statement.
  return ok(views.length === 1 ? views[0] : views);
}

type Refusal = { readonly refuse: (reply: FastifyReply) => FastifyReply };

/** The one path of both bodies: prepare, send, then answer from the journaled event. */
async function reconcile(deps: EodDeps, input: StatementInput): Promise<{ readonly view: unknown } | Refusal> {
  const accountId = accountActorId({ ...input.account, currency: input.currency });
  const command = await prepareStatement(input, accountId, deps.statements);
  const outcome = await deps.accounts.send(accountId, command);
  let journaled: { readonly seq: number; readonly event: StatementReconciled } | null = null;
  if (outcome.status === 'appended') {
    journaled = { seq: outcome.seq, event: outcome.events[0] as StatementReconciled };
  } else if (outcome.status === 'duplicate') {
    journaled = await journaledStatement(deps.db, accountId, statementIdentity(input));
  } else if (outcome.status === 'rejected' && outcome.rejection.code === 'ACCOUNT_NOT_OPEN') {
    return { refuse: (r) => fail(r, 404, 'ACCOUNT_UNKNOWN', `no open account ${input.account.id} in ${input.currency}`) };
  } else {
    return { refuse: (r) => refused(r, outcome) };
  }
  // A duplicate whose first answer is not durable yet (still in the group commit): ask again.
  if (journaled === null) return { refuse: (r) => fail(r.header('retry-after', String(RETRY_AFTER_S)), 503, 'RETRY', 'the statement is being applied; send it again') };
  await deps.records.flush();
  return { view: await view(deps.db, accountId, input, journaled.event, outcome.status === 'appended' ? 'accepted' : 'duplicate') };
}

async function view(db: Database, accountId: string, input: StatementInput, event: StatementReconciled, status: string) {
  const { rows } = await db.query<{ account_id: string; snapshot_id: string | null }>(
    `SELECT a.id AS account_id, s.id AS snapshot_id FROM emi_accounts a
     LEFT JOIN emi_account_snapshots s ON s.account_id = a.id AND s.snapshot_date = $3::date
     WHERE a.currency = $2 AND (a.iban = $1 OR (a.iban IS NULL AND a.account_number = $1)) ORDER BY a.iban IS NULL LIMIT 1`,
    [input.account.id, input.currency, event.date],
  );
  const money = (v: BigNumber) => formatAmount(v, input.currency);
  const entryTypes = new Set(['MISSING_TXN', 'DUPLICATE_TXN', 'AMOUNT_MISMATCH']);
  return {
    snapshot_id: rows[0]?.snapshot_id ?? null,
    account_id: rows[0]?.account_id ?? input.account.id,
    actor_id: accountId,
    statement_id: event.statementId,
    statement_date: event.date,
    status,
    ledger_balance: money(event.check.ledger),
    bank_balance: money(event.check.bank),
    difference: money(event.check.difference.abs()),
    reconciled: reconciledCleanly(event),
    entries_matched: event.matched,
    entries_unmatched: event.discrepancies.filter((d) => entryTypes.has(d.type)).length,
    threshold_level: event.check.level,
    discrepancies: event.discrepancies.map((d) => ({
      type: d.type, detail: d.detail, reference: d.reference,
      expected: d.expected === null ? null : money(d.expected), actual: d.actual === null ? null : money(d.actual),
    })),
  };
}

// ---- the seed's JSON -----------------------------------------------------------------------------

async function fromJson(db: Database, body: unknown): Promise<StatementInput | Invalid> {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) return { field: '', message: 'send a JSON object or a camt.053 with Content-Type: application/xml' };
  const b = body as Record<string, unknown>;
  const messageId = text(b, 'message_id', 140);
  if (typeof messageId !== 'string') return messageId;
  const accountRaw = text(b, 'account_id', 64);
  if (typeof accountRaw !== 'string') return accountRaw;
  const currency = text(b, 'currency', 3);
  if (typeof currency !== 'string') return currency;
  if (!/^[A-Z]{3}$/.test(currency)) return { field: 'currency', message: 'currency must be an ISO 4217 code' };
  const date = text(b, 'statement_date', 10);
  if (typeof date !== 'string') return date;
  if (!DAY.test(date)) return { field: 'statement_date', message: 'statement_date must be YYYY-MM-DD' };
  const opening = amount(b['opening_balance'], 'opening_balance', true);
  if (!(opening instanceof BigNumber)) return opening;
  const closing = amount(b['closing_balance'], 'closing_balance', true);
  if (!(closing instanceof BigNumber)) return closing;
  const seqRaw = b['electronic_sequence_number'] ?? b['sequence_number'];
  const sequence = typeof seqRaw === 'number' || typeof seqRaw === 'string' ? String(seqRaw).trim() || null : null;
  const list = b['entries'] ?? [];
  if (!Array.isArray(list) || list.length > ENTRIES_MAX) return { field: 'entries', message: `entries must be an array of at most ${ENTRIES_MAX}` };
  const entries: StatementEntry[] = [];
  for (let i = 0; i < list.length; i++) {
    const e = entry(list[i], i, date, messageId);
    if ('field' in e) return e;
    entries.push(e);
  }
  return { account: await accountOf(db, accountRaw, currency), currency, messageId, statementId: messageId, date, from: date, to: date, sequence, opening, closing, entries };
}

/** account number or IBAN → the account as the actors know it (the directory first). */
async function accountOf(db: Database, raw: string, currency: string): Promise<StatementInput['account']> {
  const iban = raw.replace(/\s+/g, '').toUpperCase();
  const { rows } = await db.query<{ iban: string | null; account_number: string }>(
    `SELECT iban, account_number FROM emi_accounts WHERE currency = $3 AND (iban = $1 OR account_number = $2) ORDER BY iban = $1 DESC NULLS LAST LIMIT 1`,
    [iban, raw, currency],
  );
  const row = rows[0];
  if (row !== undefined) return row.iban !== null ? { scheme: 'IBAN', id: row.iban } : { scheme: 'OTHER', id: row.account_number };
  return /^[A-Z]{2}\d{2}[A-Z0-9]{11,30}$/.test(iban) ? { scheme: 'IBAN', id: iban } : { scheme: 'OTHER', id: raw };
}

function entry(raw: unknown, i: number, date: string, messageId: string): StatementEntry | Invalid {
  const field = (name: string) => `entries[${i}].${name}`;
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) return { field: `entries[${i}]`, message: 'an entry is an object' };
  const e = raw as Record<string, unknown>;
  const direction = e['credit_debit_indicator'];
  if (direction !== 'CRDT' && direction !== 'DBIT') return { field: field('credit_debit_indicator'), message: 'credit_debit_indicator must be CRDT or DBIT' };
  const value = amount(e['amount'], field('amount'), false);
  if (!(value instanceof BigNumber)) return value;
  const opt = (name: string): string | null => (typeof e[name] === 'string' && (e[name] as string).trim() !== '' ? (e[name] as string).trim() : null);
  const bookingDate = opt('booking_date') ?? date;
  if (!DAY.test(bookingDate.slice(0, 10))) return { field: field('booking_date'), message: 'booking_date must start with YYYY-MM-DD' };
  const reference = opt('account_servicer_reference') ?? opt('entry_reference');
  return {
    status: opt('status') ?? 'BOOK',
    valueDate: opt('value_date')?.slice(0, 10) ?? null,
    entry: {
      key: reference ?? `${messageId}/${i}`, amount: value, direction, reversal: e['reversal'] === true,
      endToEndId: opt('end_to_end_id'), uetr: opt('uetr'), accountServicerReference: reference, bookingDate,
    },
  };
}

function text(b: Record<string, unknown>, name: string, max: number): string | Invalid {
  const v = b[name];
  if (typeof v !== 'string' || v.trim() === '' || v.length > max) return { field: name, message: `${name} must be a non-empty string of at most ${max} characters` };
  return v.trim();
}

/** Decimal strings (JSON numbers only when their text is a plain decimal); balances may be negative. */
function amount(v: unknown, name: string, signed: boolean): BigNumber | Invalid {
  const s = typeof v === 'number' ? String(v) : v;
  if (typeof s !== 'string' || !DECIMAL.test(s) || (!signed && s.startsWith('-'))) {
    return { field: name, message: `${name} must be a ${signed ? '' : 'non-negative '}decimal string, e.g. "1250.00"` };
  }
  return new BigNumber(s);
}
