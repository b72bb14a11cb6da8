// The document deltran sends for one settlement instruction: a pacs.009.001.08 (institutions
// moving their own funds: the default, a net settlement leg is exactly that) or a pacs.008.001.08
// where the rail requires a customer credit transfer, built by the writers and refused by them
// when any field would not pass the schema. One transaction per document, so the bank's answer
// and its camt.054 are about this instruction alone.
//
// Settlement method INDA: the bank holding both settlement accounts settles by moving funds across
// its own books (no clearing system between). No agents are written in the pacs.009: the
// institutions are their own agents at their settlement bank, whose BIC deltran does not keep.

import type BigNumber from 'bignumber.js';
import type { BankAccountId, InstructionMessageType } from '../bank/client.ts';
import { writePacs008, writePacs009, type AccountInput } from '../../streams/iso20022/writers/index.ts';

export interface InstructionDocumentInput {
  readonly messageType: InstructionMessageType;
  /** MsgId, InstrId and EndToEndId (references.ts). */
  readonly reference: string;
  readonly uetr: string;
  readonly payer: { readonly bic: string; readonly name: string; readonly account: BankAccountId };
  readonly payee: { readonly bic: string; readonly name: string; readonly account: BankAccountId };
  readonly currency: string;
  readonly amount: BigNumber;
  /** ISODateTime of creation (UTC, seconds). */
  readonly createdAt: string;
}

export type InstructionDocument = { readonly ok: true; readonly xml: string } | { readonly ok: false; readonly message: string };

export function instructionDocument(i: InstructionDocumentInput): InstructionDocument {
  const base = {
    messageId: i.reference,
    creationDateTime: i.createdAt,
    settlementMethod: 'INDA' as const,
  };
  const tx = {
    instructionId: i.reference,
    endToEndId: i.reference,
    uetr: i.uetr,
    amount: i.amount,
    currency: i.currency,
    settlementDate: i.createdAt.slice(0, 10),
  };
  const account = (a: BankAccountId): AccountInput => ('iban' in a ? { iban: a.iban } : { other: { id: a.other.id, ...(a.other.schemeCode === undefined ? {} : { schemeCode: a.other.schemeCode }) } });
  const written = i.messageType === 'pacs.008'
    ? writePacs008({
        ...base,
        transactions: [{
          ...tx,
          debtorAgentBic: i.payer.bic,
          creditorAgentBic: i.payee.bic,
          debtor: { name: i.payer.name, account: account(i.payer.account) },
          creditor: { name: i.payee.name, account: account(i.payee.account) },
        }],
      })
    : writePacs009({
        ...base,
        transactions: [{
          ...tx,
          debtor: { bic: i.payer.bic, name: i.payer.name, account: account(i.payer.account) },
          creditor: { bic: i.payee.bic, name: i.payee.name, account: account(i.payee.account) },
        }],
      });
  if (written.ok) return { ok: true, xml: written.xml };
  return { ok: false, message: written.errors.map((e) => `${e.path}: ${e.code} ${e.message}`).join('; ') };
}
