// pacs.008.001.08 (FIToFICstmrCdtTrf): the settlement instruction deltran sends for a customer
// credit transfer. Version .08 because it is the interbank baseline (CBPR+, Fedwire, FedNow, the
// SEPA 2019 schemes all use it). Only what a settlement needs is written, in the order of
// CreditTransferTransaction39: PmtId, IntrBkSttlmAmt, IntrBkSttlmDt, ChrgBr, Dbtr, DbtrAcct, DbtrAgt,
// CdtrAgt, Cdtr, CdtrAcct. ChrgBr is mandatory in this version and is SLEV: on a clearing rail the
// charges follow the scheme's service level, not a per-payment choice.

import type { Checks } from './checks.ts';
import {
  account,
  agent,
  writeSettlementInstruction,
  type AccountInput,
  type SettlementInstructionInput,
  type SettlementTransactionBase,
} from './parts.ts';
import { el, leaf, type WriteOptions, type WriteResult, type XmlElement } from './xml.ts';

export const PACS008_VERSION = 'pacs.008.001.08';

/** A customer: PartyIdentification135 `Nm` (Max140Text) and the account (CashAccount38). */
export interface CustomerInput {
  readonly name: string;
  readonly account: AccountInput;
}

export interface Pacs008Transaction extends SettlementTransactionBase {
  readonly debtorAgentBic: string;
  readonly creditorAgentBic: string;
  readonly debtor: CustomerInput;
  readonly creditor: CustomerInput;
}

export type Pacs008Input = SettlementInstructionInput<Pacs008Transaction>;

export function writePacs008(input: Pacs008Input, options: WriteOptions = {}): WriteResult {
  return writeSettlementInstruction(input, PACS008_VERSION, 'FIToFICstmrCdtTrf', (c, path, t) => [
    leaf('ChrgBr', 'SLEV'),
    customer(c, `${path}.debtor`, 'Dbtr', 'DbtrAcct', t.debtor),
    agent(c, `${path}.debtorAgentBic`, 'DbtrAgt', t.debtorAgentBic),
    agent(c, `${path}.creditorAgentBic`, 'CdtrAgt', t.creditorAgentBic),
    customer(c, `${path}.creditor`, 'Cdtr', 'CdtrAcct', t.creditor),
  ], options);
}

/** Dbtr then DbtrAcct (or Cdtr then CdtrAcct): the party and its account are siblings. */
function customer(c: Checks, path: string, partyName: string, accountName: string, p: CustomerInput | undefined): XmlElement[] {
  if (p === undefined || p === null || typeof p !== 'object') {
    c.add('REQUIRED_MISSING', path, 'the party is missing');
    return [];
  }
  return [el(partyName, leaf('Nm', c.text(`${path}.name`, p.name, 140))), account(c, `${path}.account`, accountName, p.account)];
}
