// pacs.008 (FI-to-FI customer credit transfer) and pacs.009 (FI credit transfer): CdtTrfTxInf is
// the streamed record. In pacs.009 the debtor and creditor are institutions, read into the same
// party shape (name, BIC, LEI).

import { decimal } from '../money.ts';
import type { CreditTransfer, CreditTransferMessage, PartyRef } from '../model.ts';
import { child, textAt, type XNode } from '../xml/tree.ts';
import { pick, type MapContext } from './context.ts';
import { groupHeader } from './group-header.ts';
import { bucket, type MessageMapper } from './mapper.ts';
import { account, agent, amountAt, charges, compact, creditorReference, party, remittanceLines } from './parts.ts';

export const creditTransfer: MessageMapper = {
  recordPath: (_container, _ci, ri) => `CdtTrfTxInf[${ri}]`,
  record: (ctx, node, path, index) => transfer(ctx, node, path, index),
  message(ctx, root, records): CreditTransferMessage {
    const { kept, count } = bucket<CreditTransfer>(records, 0);
    return { type: ctx.type as CreditTransferMessage['type'], header: groupHeader(ctx, root), transfers: kept, transferCount: count };
  },
};

function transfer(ctx: MapContext, t: XNode, path: string, index: number): CreditTransfer {
  const pmtId = child(t, 'PmtId');
  const rate = textAt(t, 'XchgRate');
  const intermediaries = ['IntrmyAgt1', 'IntrmyAgt2', 'IntrmyAgt3'].flatMap((n) => {
    const a = agent(ctx, child(t, n), `${path}/${n}`);
    return a === undefined ? [] : [a];
  });
  return compact({
    index,
    refs: compact({
      instructionId: textAt(pmtId, 'InstrId'),
      endToEndId: textAt(pmtId, 'EndToEndId'),
      transactionId: textAt(pmtId, 'TxId'),
      uetr: pick(ctx, t, 'uetr', path)?.text,
      clearingSystemReference: textAt(pmtId, 'ClrSysRef'),
    }),
    amount: amountAt(t, 'IntrBkSttlmAmt'),
    instructedAmount: amountAt(t, 'InstdAmt'),
    interbankSettlementDate: textAt(t, 'IntrBkSttlmDt'),
    exchangeRate: rate === undefined ? undefined : decimal(rate),
    chargeBearer: textAt(t, 'ChrgBr'),
    charges: charges(ctx, t, path),
    instructingAgent: agent(ctx, child(t, 'InstgAgt'), `${path}/InstgAgt`),
    instructedAgent: agent(ctx, child(t, 'InstdAgt'), `${path}/InstdAgt`),
    intermediaryAgents: intermediaries,
    debtor: partyOrInstitution(ctx, child(t, 'Dbtr'), `${path}/Dbtr`),
    debtorAccount: account(child(t, 'DbtrAcct')),
    debtorAgent: agent(ctx, child(t, 'DbtrAgt'), `${path}/DbtrAgt`),
    creditor: partyOrInstitution(ctx, child(t, 'Cdtr'), `${path}/Cdtr`),
    creditorAccount: account(child(t, 'CdtrAcct')),
    creditorAgent: agent(ctx, child(t, 'CdtrAgt'), `${path}/CdtrAgt`),
    ultimateDebtor: party(ctx, child(t, 'UltmtDbtr'), `${path}/UltmtDbtr`),
    ultimateCreditor: party(ctx, child(t, 'UltmtCdtr'), `${path}/UltmtCdtr`),
    purpose: textAt(t, 'Purp/Cd') ?? textAt(t, 'Purp/Prtry'),
    remittance: remittanceLines(t),
    creditorReference: creditorReference(t),
    serviceLevel: textAt(t, 'PmtTpInf/SvcLvl/Cd') ?? textAt(t, 'PmtTpInf/SvcLvl/Prtry'),
    localInstrument: textAt(t, 'PmtTpInf/LclInstrm/Cd') ?? textAt(t, 'PmtTpInf/LclInstrm/Prtry'),
    categoryPurpose: textAt(t, 'PmtTpInf/CtgyPurp/Cd') ?? textAt(t, 'PmtTpInf/CtgyPurp/Prtry'),
  });
}

function partyOrInstitution(ctx: MapContext, n: XNode | undefined, path: string): PartyRef | undefined {
  if (n === undefined || child(n, 'FinInstnId') === undefined) return party(ctx, n, path);
  const a = agent(ctx, n, path);
  return a === undefined ? undefined : compact({ name: a.name, bic: a.bic, lei: a.lei, otherId: a.other ?? a.memberId });
}
