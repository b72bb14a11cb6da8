// Shared fixtures for the bank tests: accounts with valid IBANs, pacs.009/pacs.008 instructions
// built by the project's own writers (what settlement will send), and a reader of what the bank
// sends back that fails loudly on any finding.

import type { ExecutionContext } from 'ava';
import BigNumber from 'bignumber.js';
import { randomUUID } from 'node:crypto';
import type { BankAccountRef, SettlementInstruction } from '../../../adapters/bank/client.ts';
import { ManualClock } from '../../../adapters/bank/clock.ts';
import { MockBank, type MockBankOptions } from '../../../adapters/bank/mock-bank.ts';
import type { Entry, Report, ReportMessage } from '../../../streams/iso20022/model.ts';
import { readBuffer } from '../../../streams/iso20022/reader.ts';
import { writePacs008, writePacs009 } from '../../../streams/iso20022/writers/index.ts';

export const bn = (s: string): BigNumber => new BigNumber(s);

export const SETTLEMENT_EUR = { iban: 'DE89370400440532013000', currency: 'EUR' } satisfies BankAccountRef;
export const CLIENT_FUNDS_EUR = { iban: 'FR1420041010050500013M02606', currency: 'EUR' } satisfies BankAccountRef;
export const PARTICIPANT_GBP = { iban: 'GB29NWBK60161331926819', currency: 'GBP' } satisfies BankAccountRef;
export const NOSTRO_AED = { iban: 'AE070331234567890123456', currency: 'AED' } satisfies BankAccountRef;
/** An account at another bank: instructions to it only debit our side. */
export const ELSEWHERE_EUR = { iban: 'BH67BMAG00001299123456' } as const;

/** 2025-03-10T08:00:00Z, a Monday. */
export const T0 = Date.parse('2025-03-10T08:00:00Z');
export const DAY_MS = 86_400_000;

export function bankAt(options: Omit<MockBankOptions, 'clock'> = {}): { bank: MockBank; clock: ManualClock } {
  const clock = new ManualClock(T0);
  return { bank: new MockBank({ ...options, clock }), clock };
}

export function open(t: ExecutionContext, bank: MockBank, ref: BankAccountRef, opening = '0', notify = true): void {
  const r = bank.openAccount(ref, { opening: bn(opening), notify });
  if (!r.ok) t.fail(JSON.stringify(r.error));
}

let n = 0;

/** A settlement instruction whose document (written by writers/) agrees with its fields. */
export function instruction(
  from: SettlementInstruction['from'],
  to: SettlementInstruction['to'],
  amount: string,
  currency: string,
  over: Partial<SettlementInstruction> = {},
): SettlementInstruction {
  const id = ++n;
  const uetr = over.uetr ?? randomUUID();
  const endToEndId = over.endToEndId ?? `E2E-${id}`;
  const messageType = over.messageType ?? 'pacs.009';
  const tx = { endToEndId, uetr, amount: bn(amount), currency, settlementDate: '2025-03-10' };
  const header = { messageId: `DLT-SETTLE-${id}`, creationDateTime: '2025-03-10T09:00:00Z', settlementMethod: 'INDA' as const };
  const w =
    messageType === 'pacs.009'
      ? writePacs009({ ...header, transactions: [{ ...tx, debtor: { bic: 'DELTAEADXXX' }, creditor: { bic: 'NWBKGB2LXXX' } }] })
      : writePacs008({
          ...header,
          transactions: [
            { ...tx, debtorAgentBic: 'DELTAEADXXX', creditorAgentBic: 'NWBKGB2LXXX', debtor: { name: 'Alpha', account: from }, creditor: { name: 'Beta', account: to } },
          ],
        });
  if (!w.ok) throw new Error(JSON.stringify(w.errors));
  return { idempotencyKey: `settle-${id}`, messageType, xml: w.xml, from, to, currency, amount: bn(amount), endToEndId, uetr, ...over };
}

/** The one report of a camt.05x document, asserting it reads back with no finding at all. */
export function readReport(t: ExecutionContext, xml: string, type: 'camt.053' | 'camt.054'): Report {
  const results = readBuffer(Buffer.from(xml, 'utf8'));
  t.is(results.length, 1);
  const r = results[0]!;
  t.deepEqual(r.findings, [], `findings reading back the ${type}`);
  t.is(r.type, type);
  const message = r.message as ReportMessage;
  t.is(message.reports.length, 1);
  return message.reports[0]!;
}

export function entryFigures(e: Entry): { amount: string; direction: string | undefined; ref: string | undefined; e2e: string | undefined; uetr: string | undefined } {
  return {
    amount: e.amount!.value.toFixed(),
    direction: e.direction,
    ref: e.accountServicerReference,
    e2e: e.details[0]?.refs.endToEndId,
    uetr: e.details[0]?.refs.uetr,
  };
}
