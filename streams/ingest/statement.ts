// Tier 3's input side: from an end-of-day statement (a camt.053 Stmt, or the seed's EOD JSON, both
// turned into one `StatementInput` first) to the `ReconcileStatement` command of its account. Both
// paths end in `statementCommand`, so the JSON and the XML of the same statement give the same
// command, the same events and the same answer.
//
// Why a statement's entries are not booked one by one (as camt.054 entries are): a bank that sends
// a camt.054 per booking and then the camt.053 with the same bookings would double the bank balance,
// because the two messages give the same booking two identities (different MsgIds). The statement
// instead sets the bank figure to its closing balance, and its entries are MATCHED against what
// tier 1 recorded for the same account and days (actors/reconciliation/statement-match.ts): what
// is on one side only becomes a discrepancy, not a second booking. An account that only ever gets
// statements still ends with the bank's exact figure (the closing balance).
//
// Decisions:
// - COPY, DUPL and CODU (a copy of a duplicate) are re-sends of a statement already sent: they
//   change nothing and are reported as duplicates (field guide: not new data).
// - Opening is OPBD, else PRCD (German banks); closing is CLBD; each signed by its CdtDbtInd.
// - The statement's day is the CLBD date, else the ToDtTm day, else the CreDtTm day. The recorded
//   entries it is matched against are those booked on that day, or within FrToDt when given.
// - bookedSum: Σ of the signed BOOK entries in the statement's currency. When that does not add
//   up but the sum without entries value-dated after the closing date does, the latter is used:
//   PostFinance reports CLBD value-dated, and the validator accepts that reading too
//   (validate/reports.ts), so it must not become a BALANCE_MISMATCH here.
// - The command's identity is `statement:<MsgId>/<Stmt Id>/<day>`: a redelivery (same bytes) is
//   a duplicate; a bank reusing MsgId and Stmt Id on another day is not.

import BigNumber from 'bignumber.js';
import { bankEntryCommand } from '../../actors/account/bank-entry.ts';
import type { ObserveBankBalanceCommand, ReconcileStatementCommand, StatementDiscrepancy } from '../../actors/account/commands.ts';
import type { BankEntry } from '../../actors/account/model.ts';
import { reject, type Rejection } from '../../actors/decision.ts';
import { formatAmount } from '../../actors/money.ts';
import { matchStatement, signed, type EntryDiscrepancy } from '../../actors/reconciliation/statement-match.ts';
import type { Balance, Report } from '../iso20022/model.ts';
import { entryIdentity, usable } from './identity.ts';

export const COPY_CODES: ReadonlySet<string> = new Set(['COPY', 'DUPL', 'CODU']);

/** One statement entry, normalized (the account's BankEntry plus its booking status). */
export interface StatementEntry {
  readonly status: string;
  readonly entry: BankEntry;
  /** The entry's value date (YYYY-MM-DD), for the value-dated reading of the closing balance. */
  readonly valueDate: string | null;
}

/** A statement as both paths give it, before any entry matching. */
export interface StatementInput {
  readonly account: { readonly scheme: 'IBAN' | 'OTHER'; readonly id: string };
  readonly currency: string;
  /** GrpHdr/MsgId (JSON: message_id). */
  readonly messageId: string;
  /** Stmt/Id (JSON: message_id). */
  readonly statementId: string;
  /** The statement's day, YYYY-MM-DD. */
  readonly date: string;
  /** The booking days (inclusive, YYYY-MM-DD) whose tier-1 entries it is matched against. */
  readonly from: string;
  readonly to: string;
  readonly sequence: string | null;
  readonly opening: BigNumber;
  readonly closing: BigNumber;
  readonly entries: readonly StatementEntry[];
}

/** What tier 1 recorded for an account (adapters/db/statement-queries.ts reads it from the journal). */
export interface RecordedEntriesPort {
  /** BankEntryBooked and PayInMatched entries of `accountId` booked from `from` to `to` (days, inclusive). */
  recorded(accountId: string, from: string, to: string): Promise<readonly BankEntry[]>;
}

export function statementIdentity(input: Pick<StatementInput, 'messageId' | 'statementId' | 'date'>): string {
  return `statement:${input.messageId}/${input.statementId}/${input.date}`;
}

const day = (value: string | undefined): string | null => (value !== undefined && /^\d{4}-\d{2}-\d{2}/.test(value) ? value.slice(0, 10) : null);

function signedBalance(b: Balance): BigNumber | null {
  if (b.amount === undefined || !b.amount.value.isFinite()) return null;
  return b.direction === 'DBIT' ? b.amount.value.negated() : b.amount.value;
}

/** The balance of the first type present, in order of preference. */
export function balanceOf(report: Report, types: readonly string[]): Balance | null {
  for (const type of types) {
    const found = report.balances.find((b) => b.type === type && signedBalance(b) !== null);
    if (found !== undefined) return found;
  }
  return null;
}

/** A camt.053 Stmt as a StatementInput; `account` is the report's (notification-plan.ts accountKey). */
export function statementFromReport(
  msgId: string, report: Report, account: StatementInput['account'],
): { readonly input: StatementInput } | { readonly rejection: Rejection } {
  const opening = balanceOf(report, ['OPBD', 'PRCD']);
  const closing = balanceOf(report, ['CLBD']);
  if (opening === null || closing === null) return reject('STATEMENT_BALANCE_MISSING', 'the statement has no usable opening (OPBD/PRCD) or closing (CLBD) balance');
  const currency = closing.amount!.currency;
  const date = day(closing.date?.value) ?? day(report.toDateTime) ?? day(report.creationDateTime);
  if (date === null) return reject('STATEMENT_DATE_MISSING', 'no CLBD date, ToDtTm or CreDtTm to place the statement on a day');
  const statementId = usable(report.id) ?? `#${report.index}`;
  const entries: StatementEntry[] = [];
  for (const entry of report.entries) {
    const made = bankEntryCommand(entry, entryIdentity(msgId, report, entry));
    if ('rejection' in made) return made;
    // Another currency cannot be part of this account's balance (one account actor per currency).
    if (made.command.currency !== currency) continue;
    entries.push({ status: made.command.status, entry: made.command.entry, valueDate: day(entry.valueDate?.value) });
  }
  const from = day(report.fromDateTime);
  const to = day(report.toDateTime);
  return {
    input: {
      account, currency, messageId: msgId, statementId, date,
      from: from !== null && to !== null && from <= to ? from : date,
      to: from !== null && to !== null && from <= to ? to : date,
      sequence: usable(report.electronicSequenceNumber),
      opening: signedBalance(opening)!, closing: signedBalance(closing)!, entries,
    },
  };
}

/** Σ signed booked entries, in the reading that adds up (see the header). */
export function bookedSum(input: StatementInput): BigNumber {
  let all = new BigNumber(0);
  let late = new BigNumber(0);
  for (const e of input.entries) {
    if (e.status !== 'BOOK') continue;
    all = all.plus(signed(e.entry));
    if (e.valueDate !== null && e.valueDate > input.date) late = late.plus(signed(e.entry));
  }
  if (!input.opening.plus(all).isEqualTo(input.closing) && !late.isZero() && input.opening.plus(all).minus(late).isEqualTo(input.closing)) return all.minus(late);
  return all;
}

/**
 * The command for `input`, its booked entries matched against `recorded` (null: not matched, when
 * the caller has no journal to read; the chain checks and the closing balance still apply).
 */
export function statementCommand(input: StatementInput, recorded: readonly BankEntry[] | null): ReconcileStatementCommand {
  const booked = input.entries.filter((e) => e.status === 'BOOK').map((e) => e.entry);
  const result = recorded === null ? { matched: [], discrepancies: [] } : matchStatement(booked, recorded);
  return {
    type: 'ReconcileStatement',
    messageId: statementIdentity(input),
    currency: input.currency,
    statementId: input.statementId,
    date: input.date,
    sequence: input.sequence,
    opening: input.opening,
    closing: input.closing,
    bookedSum: bookedSum(input),
    matched: result.matched.length,
    discrepancies: result.discrepancies.map((d) => discrepancyOf(d, input.currency)),
  };
}

/** Reads what tier 1 recorded, then builds the command. */
export async function prepareStatement(input: StatementInput, accountId: string, port: RecordedEntriesPort | undefined): Promise<ReconcileStatementCommand> {
  const recorded = port === undefined ? null : await port.recorded(accountId, input.from, input.to);
  return statementCommand(input, recorded);
}

function describe(e: BankEntry, currency: string): string {
  const refs = [
    e.accountServicerReference === null ? null : `AcctSvcrRef ${e.accountServicerReference}`,
    e.endToEndId === null ? null : `EndToEndId ${e.endToEndId}`,
    e.uetr === null ? null : `UETR ${e.uetr}`,
  ].filter((x) => x !== null);
  return `${e.direction} ${formatAmount(e.amount, currency)} booked ${e.bookingDate ?? 'on an unknown day'}${refs.length > 0 ? ` (${refs.join(', ')})` : ''}`;
}

/** Signed amounts: expected is what the bank's side says, actual what deltran recorded. */
function discrepancyOf(d: EntryDiscrepancy, currency: string): StatementDiscrepancy {
  switch (d.type) {
    case 'MISSING_TXN':
      return d.side === 'ledger'
        ? { type: 'MISSING_TXN', detail: `ledger: on the statement, never recorded by tier 1: ${describe(d.entry, currency)}`, reference: d.entry.accountServicerReference ?? d.entry.key, expected: signed(d.entry), actual: null }
        : { type: 'MISSING_TXN', detail: `bank: recorded by tier 1, absent from the statement: ${describe(d.entry, currency)}`, reference: d.entry.accountServicerReference ?? d.entry.key, expected: null, actual: signed(d.entry) };
    case 'DUPLICATE_TXN':
      return { type: 'DUPLICATE_TXN', detail: `booked twice on the statement: ${describe(d.entry, currency)}`, reference: d.entry.accountServicerReference ?? d.entry.key, expected: signed(d.first), actual: signed(d.entry) };
    case 'AMOUNT_MISMATCH':
      return {
        type: 'AMOUNT_MISMATCH',
        detail: `matched by ${d.method}: statement ${describe(d.statement, currency)}, tier 1 ${describe(d.recorded, currency)}`,
        reference: d.statement.accountServicerReference ?? d.statement.key, expected: signed(d.statement), actual: signed(d.recorded),
      };
  }
}

/**
 * Tier 2 from a camt.052 Rpt: its latest booked balance (ITBD, else CLBD) as the bank's live
 * figure; null when it has neither. Its entries are not booked: they come again by camt.054 or
 * camt.053, and booking them here too would count them twice.
 */
export function intradayObservation(msgId: string, report: Report): ObserveBankBalanceCommand | null {
  const b = balanceOf(report, ['ITBD', 'CLBD']);
  if (b === null) return null;
  const reportId = usable(report.id) ?? `#${report.index}`;
  return {
    type: 'ObserveBankBalance',
    messageId: `intraday:${msgId}/${reportId}/${b.type}`,
    currency: b.amount!.currency,
    balance: signedBalance(b)!,
    asOf: b.date?.value ?? report.creationDateTime ?? '',
  };
}

/** A camt.053 Stmt made ready to send: the command, a copy (nothing to send), or why not. */
export type PreparedStatement =
  | { readonly kind: 'command'; readonly accountId: string; readonly command: ReconcileStatementCommand }
  | { readonly kind: 'copy'; readonly accountId: string | null; readonly messageId: string; readonly code: string }
  | { readonly kind: 'rejected'; readonly messageId: string; readonly rejection: Rejection };

/** A journal read for the matching failed: nothing was sent, the delivery is retried. */
export class StatementQueryError extends Error {
  override readonly name = 'StatementQueryError';
  readonly code = 'STATEMENT_QUERY_FAILED';
}

interface StatementDocument {
  readonly index: number;
  readonly type: string | null;
  readonly messageId: string | null;
  readonly message: unknown;
}

/** The key of a Stmt in `prepareStatements`' map: document index / Stmt index. */
export const statementKey = (document: number, report: number): string => `${document}/${report}`;

/**
 * Every camt.053 Stmt of a delivery, prepared: the journal reads run concurrently, and nothing is
 * sent here, so the caller still sends everything in document order.
 */
export async function prepareStatements(
  results: readonly StatementDocument[],
  port: RecordedEntriesPort | undefined,
  keyOf: (report: Report) => StatementInput['account'] | null,
  accountIdOf: (account: StatementInput['account'], currency: string) => string,
): Promise<Map<string, PreparedStatement>> {
  const out = new Map<string, PreparedStatement>();
  const pending: Promise<void>[] = [];
  for (const r of results) {
    if (r.type !== 'camt.053' || r.message === null) continue;
    const message = r.message as { readonly header: { readonly messageId?: string }; readonly reports: readonly Report[] };
    const msgId = usable(message.header.messageId) ?? r.messageId ?? `document#${r.index}`;
    for (const report of message.reports) {
      const key = statementKey(r.index, report.index);
      const account = keyOf(report);
      const fallbackId = `statement:${msgId}/${usable(report.id) ?? `#${report.index}`}`;
      const copy = report.copyDuplicate?.trim().toUpperCase();
      if (copy !== undefined && COPY_CODES.has(copy)) {
        const ccy = balanceOf(report, ['CLBD'])?.amount?.currency ?? report.account.currency;
        out.set(key, { kind: 'copy', accountId: account === null || ccy === undefined ? null : accountIdOf(account, ccy), messageId: fallbackId, code: copy });
        continue;
      }
      if (account === null) {
        out.set(key, { kind: 'rejected', messageId: fallbackId, rejection: reject('ACCOUNT_MISSING', 'the statement names no IBAN or other account id').rejection });
        continue;
      }
      const made = statementFromReport(msgId, report, account);
      if ('rejection' in made) {
        out.set(key, { kind: 'rejected', messageId: fallbackId, rejection: made.rejection });
        continue;
      }
      const accountId = accountIdOf(account, made.input.currency);
      pending.push(prepareStatement(made.input, accountId, port).then(
        (command) => void out.set(key, { kind: 'command', accountId, command }),
        (err: unknown) => {
          throw new StatementQueryError(`recorded entries of ${accountId}: ${err instanceof Error ? err.message : String(err)}`, { cause: err });
        },
      ));
    }
  }
  await Promise.all(pending);
  return out;
}
