// pacs.008 (FI-to-FI customer credit transfer) and pacs.009 (FI credit transfer): CdtTrfTxInf is
// the streamed record. In pacs.009 the debtor and creditor are institutions, read into the same
// party shape (name, BIC, LEI).

import { decimal } from '../money.ts';
import type { AgentRef, CreditTransfer, CreditTransferMessage, PartyRef, References } from '../model.ts';
import { child, textAt, type XNode } from '../xml/tree.ts';
import { pick, type MapContext } from './context.ts';
import { groupHeader } from './group-header.ts';
import { bucket, type MessageMapper } from './mapper.ts';
import {
  account,
  agent,
  amountAt,
  charges,
  compact,
  creditorReference,
  party,
  remittanceLines,
  setText,
  type Mutable,
} from './parts.ts';

export const creditTransfer: MessageMapper = {
  recordPath: (_container, _ci, ri) => `CdtTrfTxInf[${ri}]`,
  record: (ctx, node, path, index) => transfer(ctx, node, path, index),
  message(ctx, root, records): CreditTransferMessage {
    const { kept, count } = bucket<CreditTransfer>(records, 0);
    return { type: ctx.type as CreditTransferMessage['type'], header: groupHeader(ctx, root), transfers: kept, transferCount: count };
  },
};

// Runs for every transaction: the model is built directly, optional parts only when present.
function transfer(ctx: MapContext, t: XNode, path: string, index: number): CreditTransfer {
  const intermediaryAgents: AgentRef[] = [];
  for (const name of INTERMEDIARIES) {
    const a = agent(ctx, child(t, name), `${path}/${name}`);
    if (a !== undefined) intermediaryAgents.push(a);
  }
  const x: Mutable<CreditTransfer> = {
    index,
    refs: references(ctx, t, path),
    charges: charges(ctx, t, path),
    intermediaryAgents,
    remittance: remittanceLines(t),
  };
  const amount = amountAt(t, 'IntrBkSttlmAmt');
  if (amount !== undefined) x.amount = amount;
  const instructed = amountAt(t, 'InstdAmt');
  if (instructed !== undefined) x.instructedAmount = instructed;
  setText(x, 'interbankSettlementDate', t, 'IntrBkSttlmDt');
  const rate = textAt(t, 'XchgRate');
  if (rate !== undefined) x.exchangeRate = decimal(rate);
  setText(x, 'chargeBearer', t, 'ChrgBr');
  setAgent(ctx, x, 'instructingAgent', t, 'InstgAgt', path);
  setAgent(ctx, x, 'instructedAgent', t, 'InstdAgt', path);
  setAgent(ctx, x, 'debtorAgent', t, 'DbtrAgt', path);
  setAgent(ctx, x, 'creditorAgent', t, 'CdtrAgt', path);
  const debtor = partyOrInstitution(ctx, child(t, 'Dbtr'), `${path}/Dbtr`);
  if (debtor !== undefined) x.debtor = debtor;
  const debtorAccount = account(child(t, 'DbtrAcct'));
  if (debtorAccount !== undefined) x.debtorAccount = debtorAccount;
  const creditor = partyOrInstitution(ctx, child(t, 'Cdtr'), `${path}/Cdtr`);
  if (creditor !== undefined) x.creditor = creditor;
  const creditorAccount = account(child(t, 'CdtrAcct'));
  if (creditorAccount !== undefined) x.creditorAccount = creditorAccount;
  const ultimateDebtor = party(ctx, child(t, 'UltmtDbtr'), `${path}/UltmtDbtr`);
  if (ultimateDebtor !== undefined) x.ultimateDebtor = ultimateDebtor;
  const ultimateCreditor = party(ctx, child(t, 'UltmtCdtr'), `${path}/UltmtCdtr`);
  if (ultimateCreditor !== undefined) x.ultimateCreditor = ultimateCreditor;
  const purpose = codeOrProprietary(t, 'Purp');
  if (purpose !== undefined) x.purpose = purpose;
  const reference = creditorReference(t);
  if (reference !== undefined) x.creditorReference = reference;
  const typeInfo = child(t, 'PmtTpInf');
  if (typeInfo !== undefined) paymentType(x, typeInfo);
  return x;
}

const INTERMEDIARIES = ['IntrmyAgt1', 'IntrmyAgt2', 'IntrmyAgt3'] as const;

function references(ctx: MapContext, t: XNode, path: string): References {
  const r: Mutable<References> = {};
  const pmtId = child(t, 'PmtId');
  setText(r, 'instructionId', pmtId, 'InstrId');
  setText(r, 'endToEndId', pmtId, 'EndToEndId');
  setText(r, 'transactionId', pmtId, 'TxId');
  const uetr = pick(ctx, t, 'uetr', path)?.text;
  if (uetr !== undefined) r.uetr = uetr;
  setText(r, 'clearingSystemReference', pmtId, 'ClrSysRef');
  return r;
}

type AgentKey = 'instructingAgent' | 'instructedAgent' | 'debtorAgent' | 'creditorAgent';

function setAgent(ctx: MapContext, x: Mutable<CreditTransfer>, key: AgentKey, t: XNode, name: string, path: string): void {
  const node = child(t, name);
  if (node === undefined) return;
  const a = agent(ctx, node, `${path}/${name}`);
  if (a !== undefined) x[key] = a;
}

/** PmtTpInf: each of service level, local instrument and category purpose is a Cd or a Prtry. */
function paymentType(x: Mutable<CreditTransfer>, info: XNode): void {
  const service = codeOrProprietary(info, 'SvcLvl');
  if (service !== undefined) x.serviceLevel = service;
  const local = codeOrProprietary(info, 'LclInstrm');
  if (local !== undefined) x.localInstrument = local;
  const category = codeOrProprietary(info, 'CtgyPurp');
  if (category !== undefined) x.categoryPurpose = category;
}

function codeOrProprietary(parent: XNode, name: string): string | undefined {
  const n = child(parent, name);
  return n === undefined ? undefined : (textAt(n, 'Cd') ?? textAt(n, 'Prtry'));
}

function partyOrInstitution(ctx: MapContext, n: XNode | undefined, path: string): PartyRef | undefined {
  if (n === undefined || child(n, 'FinInstnId') === undefined) return party(ctx, n, path);
  const a = agent(ctx, n, path);
  return a === undefined ? undefined : compact({ name: a.name, bic: a.bic, lei: a.lei, otherId: a.other ?? a.memberId });
}
