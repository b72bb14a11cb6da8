// What the mock bank checks before it books an instruction, as a real bank's payment engine would:
// the fields, then the document itself, read through deltran's own reader. The document must be a
// valid pacs.009/pacs.008 of the declared type, with exactly one transaction whose UETR,
// EndToEndId, amount and currency are those of the instruction: a disagreement means deltran built
// one thing and asked for another, which must surface as a refusal, not be booked on either reading.
// Refusals carry ISO 20022 status reason codes, as a pacs.002 RJCT from the bank would.

import { readBuffer } from '../../streams/iso20022/reader.ts';
import type { CreditTransferMessage } from '../../streams/iso20022/model.ts';
import { isWritableCurrency } from '../../streams/iso20022/writers/xml.ts';
import { amountProblem } from './books.ts';
import { MESSAGE_TYPES, accountKey, type SettlementInstruction } from './client.ts';

export interface RejectReason {
  readonly code: string;
  readonly message: string;
}

/** AM03 not allowed currency, AM12 invalid amount, FF01 invalid file format, RC01 ... */
export function instructionProblem(i: SettlementInstruction): RejectReason | undefined {
  if (!(MESSAGE_TYPES as readonly string[]).includes(i.messageType)) return { code: 'FF01', message: `message type ${JSON.stringify(i.messageType)} is not pacs.009 or pacs.008` };
  if (!isWritableCurrency(i.currency)) return { code: 'AM03', message: `${JSON.stringify(i.currency)} is not an active ISO 4217 currency code` };
  const amount = amountProblem(i.amount, i.currency);
  if (amount !== undefined) return { code: 'AM12', message: amount };
  if (accountKey(i.from, i.currency) === accountKey(i.to, i.currency)) return { code: 'AC01', message: 'the debtor and creditor accounts are the same account' };
  return documentProblem(i);
}

function documentProblem(i: SettlementInstruction): RejectReason | undefined {
  const results = readBuffer(i.xml ?? '');
  if (results.length !== 1) return { code: 'FF01', message: `expected one Document, found ${results.length}` };
  const r = results[0]!;
  const errors = r.findings.filter((f) => f.severity === 'error');
  if (!r.ok) return { code: 'FF01', message: `the document does not read cleanly: ${errors.map((f) => `${f.code} ${f.path}`).join('; ')}` };
  if (r.type !== i.messageType) return { code: 'FF01', message: `the document is a ${r.type}, the instruction says ${i.messageType}` };
  const message = r.message as CreditTransferMessage | null;
  const txs = message?.transfers ?? [];
  if (txs.length !== 1) return { code: 'FF01', message: `expected one transaction in the document, found ${txs.length}` };
  const t = txs[0]!;
  const mismatches: string[] = [];
  if (t.refs.uetr !== i.uetr) mismatches.push(`UETR ${t.refs.uetr} ≠ ${i.uetr}`);
  if (t.refs.endToEndId !== i.endToEndId) mismatches.push(`EndToEndId ${t.refs.endToEndId} ≠ ${i.endToEndId}`);
  if (t.amount?.currency !== i.currency) mismatches.push(`currency ${t.amount?.currency} ≠ ${i.currency}`);
  if (t.amount === undefined || !t.amount.value.eq(i.amount)) mismatches.push(`amount ${t.amount?.lexical} ≠ ${i.amount.toFixed()}`);
  return mismatches.length === 0 ? undefined : { code: 'FF01', message: `the document disagrees with the instruction: ${mismatches.join('; ')}` };
}

/**
 * What makes two submissions the same instruction. The document is left out on purpose: a retry
 * may rebuild it with a new MsgId and CreDtTm, and that is still the same payment.
 */
export function fingerprint(i: SettlementInstruction): string {
  return JSON.stringify([i.messageType, accountKey(i.from, i.currency), accountKey(i.to, i.currency), i.currency, i.amount?.toFixed?.(), i.endToEndId, i.uetr]);
}
