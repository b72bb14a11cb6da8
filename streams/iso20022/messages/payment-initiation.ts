// pain.001 (customer credit transfer initiation): three levels. GrpHdr, then PmtInf blocks that
// carry the debtor side, then CdtTrfTxInf transfers, the streamed records, under each PmtInf.

import { decimal } from '../money.ts';
import type { CreditTransfer, PaymentInformation, PaymentInitiationMessage } from '../model.ts';
import { child, children, textAt, type XNode } from '../xml/tree.ts';
import { pick, type MapContext } from './context.ts';
import { groupHeader } from './group-header.ts';
import { bucket, type MessageMapper } from './mapper.ts';
import {
  account,
  agent,
  amountAt,
  bool,
  charges,
  compact,
  creditorReference,
  dateValue,
  party,
  remittanceLines,
} from './parts.ts';

export const paymentInitiation: MessageMapper = {
  recordPath: (_container, ci, ri) => `PmtInf[${ci}]/CdtTrfTxInf[${ri}]`,
  record: (ctx, node, path, index) => transfer(ctx, node, path, index),
  message(ctx, root, records): PaymentInitiationMessage {
    const payments = children(root, 'PmtInf').map((p, i) => {
      const { kept, count } = bucket<CreditTransfer>(records, i);
      return payment(ctx, p, `PmtInf[${i}]`, i, kept, count);
    });
    return { type: 'pain.001', header: groupHeader(ctx, root), payments };
  },
};

function payment(
  ctx: MapContext,
  p: XNode,
  path: string,
  index: number,
  transfers: CreditTransfer[],
  count: number,
): PaymentInformation {
  return compact({
    index,
    id: textAt(p, 'PmtInfId'),
    method: textAt(p, 'PmtMtd'),
    batchBooking: bool(textAt(p, 'BtchBookg')),
    numberOfTransactions: textAt(p, 'NbOfTxs'),
    controlSum: textAt(p, 'CtrlSum'),
    requestedExecutionDate: dateValue(pick(ctx, p, 'requestedExecutionDate', path)),
    debtor: party(ctx, child(p, 'Dbtr'), `${path}/Dbtr`),
    debtorAccount: account(child(p, 'DbtrAcct')),
    debtorAgent: agent(ctx, child(p, 'DbtrAgt'), `${path}/DbtrAgt`),
    chargeBearer: textAt(p, 'ChrgBr'),
    serviceLevel: textAt(p, 'PmtTpInf/SvcLvl/Cd') ?? textAt(p, 'PmtTpInf/SvcLvl/Prtry'),
    transfers,
    transferCount: count,
  });
}

function transfer(ctx: MapContext, t: XNode, path: string, index: number): CreditTransfer {
  const pmtId = child(t, 'PmtId');
  const rate = textAt(t, 'XchgRateInf/XchgRate');
  const amt = child(t, 'Amt');
  return compact({
    index,
    refs: compact({
      instructionId: textAt(pmtId, 'InstrId'),
      endToEndId: textAt(pmtId, 'EndToEndId'),
      uetr: pick(ctx, t, 'uetr', path)?.text,
    }),
    // The instructed amount, or the equivalent amount when the debtor fixes the other currency.
    amount: amountAt(amt, 'InstdAmt') ?? amountAt(amt, 'EqvtAmt/Amt'),
    instructedAmount: amountAt(amt, 'InstdAmt'),
    exchangeRate: rate === undefined ? undefined : decimal(rate),
    chargeBearer: textAt(t, 'ChrgBr'),
    charges: charges(ctx, t, path),
    intermediaryAgents: [],
    creditor: party(ctx, child(t, 'Cdtr'), `${path}/Cdtr`),
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


