// What a delivery of camt.054 notifications asks of the account actors, decided from the read
// documents alone: per entry, the actor, the entry's identity, its path and its RecordBankEntry
// command, or why it cannot be booked. It is a pure function of the documents, so it can be made
// where the bytes were read, in the reader thread (reader-thread.ts), and handed over as plain
// data: the main thread then only sends. The pipeline's own route() uses the same function for the
// camt.054 documents it reads itself, so both paths plan an entry the same way.
//
// Only the common case is planned: every document a valid camt.054. Anything else (errors to
// dead-letter, statements that need the journal first, obligations, other types) is left to the
// pipeline's full path.

import { bankEntryCommand } from '../../actors/account/bank-entry.ts';
import type { RecordBankEntryCommand } from '../../actors/account/commands.ts';
import { accountActorId, type Direction } from '../../actors/account/model.ts';
import BigNumber from 'bignumber.js';
import type { Report, ReportMessage } from '../iso20022/model.ts';
import type { ReadOptions, ReadResult } from '../iso20022/reader.ts';
import { entryIdentity, usable } from './identity.ts';

/** How the pipeline reads (on either thread): the records and the findings, not the per-currency summary. */
export const READ_OPTIONS: ReadOptions = Object.freeze({ summarize: false });

/** One entry for one account actor. */
export interface PlannedEntry {
  readonly accountId: string;
  readonly messageId: string;
  /** `Ntfctn[0]/Ntry[3]` style: report and entry ordinals in the document. */
  readonly path: string;
  readonly command: RecordBankEntryCommand;
}

/** An entry refused before any actor saw it (the pipeline's EntryRejection). */
export interface PlannedRejection {
  readonly accountId: null;
  readonly messageId: string;
  readonly path: string;
  readonly code: string;
  readonly message: string;
}

/** One per Document, as the pipeline's report lists them. */
export interface PlannedMessage {
  readonly type: ReadResult['type'];
  readonly messageId: string | null;
  readonly routed: boolean;
}

export interface NotificationPlan {
  readonly messages: PlannedMessage[];
  /** In document order: the order the actors receive them. */
  readonly entries: PlannedEntry[];
  readonly rejections: PlannedRejection[];
}

/** The plan of a delivery whose documents are all valid camt.054, else null (the full path). */
export function planNotifications(results: readonly ReadResult[]): NotificationPlan | null {
  if (results.length === 0) return null;
  for (const r of results) if (r.type !== 'camt.054' || !r.ok || r.message === null) return null;
  const plan: NotificationPlan = { messages: [], entries: [], rejections: [] };
  for (const r of results) {
    plan.messages.push({ type: r.type, messageId: r.messageId, routed: true });
    const message = r.message as ReportMessage;
    const msgId = usable(message.header.messageId) ?? r.messageId ?? `document#${r.index}`;
    for (const report of message.reports) planReportEntries(msgId, 'Ntfctn', report, plan.entries, plan.rejections);
  }
  return plan;
}

/** Each entry of one report (Ntfctn or Rpt/Stmt container) as a RecordBankEntry, or its rejection. */
export function planReportEntries(msgId: string, container: string, report: Report, entries: PlannedEntry[], rejections: { push(r: PlannedRejection): unknown }): void {
  const account = accountKey(report);
  for (const entry of report.entries) {
    const messageId = entryIdentity(msgId, report, entry);
    const path = `${container}[${report.index}]/Ntry[${entry.index}]`;
    const made = bankEntryCommand(entry, messageId);
    if (account === null || 'rejection' in made) {
      const rejection = 'rejection' in made ? made.rejection : { code: 'ACCOUNT_MISSING', message: 'the report names no IBAN or other account id' };
      rejections.push({ accountId: null, messageId, path, code: rejection.code, message: rejection.message });
      continue;
    }
    const accountId = accountActorId({ scheme: account.scheme, id: account.id, currency: made.command.currency });
    entries.push({ accountId, messageId, path, command: made.command });
  }
}

/**
 * The account a report is about. IBANs are compared in their electronic form (no spaces, upper
 * case), as ISO 13616 defines them; other ids are taken as sent.
 */
export function accountKey(report: Report): { readonly scheme: 'IBAN' | 'OTHER'; readonly id: string } | null {
  const iban = report.account.iban?.replace(/\s+/g, '').toUpperCase();
  if (iban !== undefined && iban !== '') return { scheme: 'IBAN', id: iban };
  const other = report.account.other?.id.trim();
  return other !== undefined && other !== '' ? { scheme: 'OTHER', id: other } : null;
}

// ---- between threads ------------------------------------------------------------------------------
// A BigNumber does not survive structured cloning (its prototype is lost), and a nested object per
// entry costs the receiving thread more to rebuild than a flat row: an entry travels as one array.

/** A planned entry as a flat row: accountId, messageId, path, currency, status, then the BankEntry. */
export type WireEntry = [
  accountId: string, messageId: string, path: string, currency: string, status: string,
  key: string, amount: string, direction: Direction, reversal: boolean,
  endToEndId: string | null, uetr: string | null, accountServicerReference: string | null, bookingDate: string | null,
];

export interface WirePlan {
  readonly messages: PlannedMessage[];
  readonly entries: WireEntry[];
  readonly rejections: PlannedRejection[];
}

export function encodePlan(plan: NotificationPlan): WirePlan {
  const entries = new Array<WireEntry>(plan.entries.length);
  for (let i = 0; i < entries.length; i++) {
    const { accountId, messageId, path, command } = plan.entries[i]!;
    const e = command.entry;
    // toFixed: every digit, never an exponent, so the BigNumber rebuilt from it is the same value.
    entries[i] = [accountId, messageId, path, command.currency, command.status, e.key, e.amount.toFixed(), e.direction, e.reversal, e.endToEndId, e.uetr, e.accountServicerReference, e.bookingDate];
  }
  return { messages: plan.messages, entries, rejections: plan.rejections };
}

export function decodePlan(wire: WirePlan): NotificationPlan {
  const entries = new Array<PlannedEntry>(wire.entries.length);
  for (let i = 0; i < entries.length; i++) {
    const [accountId, messageId, path, currency, status, key, amount, direction, reversal, endToEndId, uetr, accountServicerReference, bookingDate] = wire.entries[i]!;
    entries[i] = {
      accountId,
      messageId,
      path,
      command: {
        type: 'RecordBankEntry',
        messageId,
        currency,
        status,
        entry: { key, amount: new BigNumber(amount), direction, reversal, endToEndId, uetr, accountServicerReference, bookingDate },
      },
    };
  }
  return { messages: wire.messages, entries, rejections: wire.rejections };
}
