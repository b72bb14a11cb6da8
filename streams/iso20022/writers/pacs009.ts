// pacs.009.001.08 (FICdtTrf): the settlement instruction deltran sends when institutions move
// funds between themselves (funding, liquidity, net settlement legs). Debtor and creditor are
// institutions here (BranchAndFinancialInstitutionIdentification6), identified by BIC. Order of
// CreditTransferTransaction36: PmtId, IntrBkSttlmAmt, IntrBkSttlmDt, Dbtr, DbtrAcct, DbtrAgt,
// CdtrAgt, Cdtr, CdtrAcct. This version has no ChrgBr at all, so none is written.

import type { Checks } from './checks.ts';
import {
  account,
  agent,
  writeSettlementInstruction,
  type AccountInput,
  type SettlementInstructionInput,
  type SettlementTransactionBase,
} from './parts.ts';
import type { WriteOptions, WriteResult, XmlElement } from './xml.ts';

export const PACS009_VERSION = 'pacs.009.001.08';

export interface InstitutionInput {
  readonly bic: string;
  readonly name?: string;
  /** The account at the agent (e.g. a nostro); optional in the schema. */
  readonly account?: AccountInput;
}

export interface Pacs009Transaction extends SettlementTransactionBase {
  /** Optional in pacs.009 (the debtor is often its own agent); written when given. */
  readonly debtorAgentBic?: string;
  readonly creditorAgentBic?: string;
  readonly debtor: InstitutionInput;
  readonly creditor: InstitutionInput;
}

export type Pacs009Input = SettlementInstructionInput<Pacs009Transaction>;

export function writePacs009(input: Pacs009Input, options: WriteOptions = {}): WriteResult {
  return writeSettlementInstruction(input, PACS009_VERSION, 'FICdtTrf', (c, path, t) => [
    institution(c, `${path}.debtor`, 'Dbtr', 'DbtrAcct', t.debtor),
    t.debtorAgentBic === undefined ? undefined : agent(c, `${path}.debtorAgentBic`, 'DbtrAgt', t.debtorAgentBic),
    t.creditorAgentBic === undefined ? undefined : agent(c, `${path}.creditorAgentBic`, 'CdtrAgt', t.creditorAgentBic),
    institution(c, `${path}.creditor`, 'Cdtr', 'CdtrAcct', t.creditor),
  ], options);
}

function institution(c: Checks, path: string, name: string, accountName: string, i: InstitutionInput | undefined): XmlElement[] {
  if (i === undefined || i === null || typeof i !== 'object') {
    c.add('REQUIRED_MISSING', path, 'the institution is missing');
    return [];
  }
  return [
    agent(c, `${path}.bic`, name, i.bic, { path: `${path}.name`, value: i.name }),
    i.account === undefined ? undefined : account(c, `${path}.account`, accountName, i.account),
  ].filter((e): e is XmlElement => e !== undefined);
}
