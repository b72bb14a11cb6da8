// camt.052 (intraday report), camt.053 (statement), camt.054 (debit/credit notification): one
// shape, three roots. Entries (Ntry) are the streamed records; everything else of a Stmt/Rpt/Ntfctn
// is small and mapped when the Document ends.

import { decimal } from '../money.ts';
import type {
  Balance,
  Batch,
  Entry,
  Report,
  ReportMessage,
  TransactionDetails,
  TransactionsSummary,
} from '../model.ts';
import { at, child, children, textAt, type XNode } from '../xml/tree.ts';
import { pick, type MapContext } from './context.ts';
import { groupHeader } from './group-header.ts';
import { bucket, type MessageMapper } from './mapper.ts';
import {
  account,
  agent,
  amount,
  amountAt,
  bankTransactionCode,
  bool,
  charges,
  compact,
  creditorReference,
  dateValue,
  direction,
  directionAt,
  party,
  remittanceLines,
  returnInfo,
} from './parts.ts';

/** Element name of the per-account part, by message. */
export const REPORT_ELEMENT = { 'camt.052': 'Rpt', 'camt.053': 'Stmt', 'camt.054': 'Ntfctn' } as const;

export const camt05x: MessageMapper = {
  recordPath: (container, ci, ri) => `${container.name}[${ci}]/Ntry[${ri}]`,
  record: (ctx, node, path, index) => entry(ctx, node, path, index),
  message(ctx, root, records): ReportMessage {
    const type = ctx.type as ReportMessage['type'];
    const element = REPORT_ELEMENT[type];
    const reports = children(root, element).map((r, i) => {
      const { kept, count } = bucket<Entry>(records, i);
      return report(ctx, r, `${element}[${i}]`, i, kept, count);
    });
    return { type, header: groupHeader(ctx, root), reports };
  },
};

function report(ctx: MapContext, r: XNode, path: string, index: number, entries: Entry[], count: number): Report {
  const acct = child(r, 'Acct');
  return compact({
    index,
    id: textAt(r, 'Id'),
    electronicSequenceNumber: textAt(r, 'ElctrncSeqNb'),
    legalSequenceNumber: textAt(r, 'LglSeqNb'),
    creationDateTime: textAt(r, 'CreDtTm'),
    fromDateTime: textAt(r, 'FrToDt/FrDtTm'),
    toDateTime: textAt(r, 'FrToDt/ToDtTm'),
    copyDuplicate: textAt(r, 'CpyDplctInd'),
    account: account(acct) ?? {},
    accountServicer: agent(ctx, child(acct, 'Svcr'), `${path}/Acct/Svcr`),
    balances: children(r, 'Bal').map((b, i) => balance(ctx, b, `${path}/Bal[${i}]`, i)),
    summary: summary(child(r, 'TxsSummry')),
    entries,
    entryCount: count,
  });
}

function balance(ctx: MapContext, b: XNode, path: string, index: number): Balance {
  const tp = child(b, 'Tp');
  return compact({
    index,
    type: textAt(tp, 'CdOrPrtry/Cd') ?? textAt(tp, 'CdOrPrtry/Prtry'),
    subType: textAt(tp, 'SubTp/Cd') ?? textAt(tp, 'SubTp/Prtry'),
    amount: amountAt(b, 'Amt'),
    direction: directionAt(ctx, b, path),
    date: dateValue(child(b, 'Dt')),
  });
}

function summary(s: XNode | undefined): TransactionsSummary | undefined {
  if (s === undefined) return undefined;
  const side = (n: XNode | undefined) =>
    n === undefined ? undefined : compact({ count: textAt(n, 'NbOfNtries'), sum: sumAmount(n) });
  const net = child(child(s, 'TtlNtries'), 'TtlNetNtry');
  const netAmount = sumAmount(net, 'Amt');
  return compact({
    count: textAt(s, 'TtlNtries/NbOfNtries'),
    sum: sumAmount(child(s, 'TtlNtries')),
    net: net === undefined || netAmount === undefined
      ? undefined
      : compact({ amount: netAmount, direction: direction(textAt(net, 'CdtDbtInd')) }),
    credits: side(child(s, 'TtlCdtNtries')),
    debits: side(child(s, 'TtlDbtNtries')),
  });
}

/** Summary sums carry no currency: they are in the account's currency, unknown here. */
function sumAmount(n: XNode | undefined, name = 'Sum') {
  const a = amount(child(n, name));
  return a === undefined ? undefined : a;
}

function entry(ctx: MapContext, n: XNode, path: string, index: number): Entry {
  const dtls = children(n, 'NtryDtls');
  const batches: Batch[] = [];
  const details: TransactionDetails[] = [];
  for (const d of dtls) {
    for (const b of children(d, 'Btch')) batches.push(batch(b));
    for (const t of children(d, 'TxDtls')) details.push(txDetails(ctx, t, `${path}/NtryDtls/TxDtls[${details.length}]`, details.length));
  }
  return compact({
    index,
    entryReference: textAt(n, 'NtryRef'),
    amount: amountAt(n, 'Amt'),
    direction: directionAt(ctx, n, path),
    reversal: bool(textAt(n, 'RvslInd')) ?? false,
    status: pick(ctx, n, 'entryStatus', path)?.text,
    bookingDate: dateValue(child(n, 'BookgDt')),
    valueDate: dateValue(child(n, 'ValDt')),
    accountServicerReference: textAt(n, 'AcctSvcrRef'),
    bankTransactionCode: bankTransactionCode(child(n, 'BkTxCd')),
    charges: charges(ctx, n, path),
    batches,
    details,
    additionalInfo: textAt(n, 'AddtlNtryInf'),
  });
}

function batch(b: XNode): Batch {
  return compact({
    messageId: textAt(b, 'MsgId'),
    paymentInformationId: textAt(b, 'PmtInfId'),
    numberOfTransactions: textAt(b, 'NbOfTxs'),
    totalAmount: amountAt(b, 'TtlAmt'),
    direction: direction(textAt(b, 'CdtDbtInd')),
  });
}

function txDetails(ctx: MapContext, t: XNode, path: string, index: number): TransactionDetails {
  const refs = child(t, 'Refs');
  const parties = child(t, 'RltdPties');
  const agents = child(t, 'RltdAgts');
  const amtDtls = child(t, 'AmtDtls');
  const xchg = at(amtDtls, 'TxAmt/CcyXchg') ?? at(amtDtls, 'InstdAmt/CcyXchg') ?? at(amtDtls, 'CntrValAmt/CcyXchg');
  const rate = textAt(xchg, 'XchgRate');
  return compact({
    index,
    refs: compact({
      messageId: textAt(refs, 'MsgId'),
      accountServicerReference: textAt(refs, 'AcctSvcrRef'),
      paymentInformationId: textAt(refs, 'PmtInfId'),
      instructionId: textAt(refs, 'InstrId'),
      endToEndId: textAt(refs, 'EndToEndId'),
      transactionId: textAt(refs, 'TxId'),
      uetr: pick(ctx, t, 'uetr', path)?.text,
      mandateId: textAt(refs, 'MndtId'),
      clearingSystemReference: textAt(refs, 'ClrSysRef'),
    }),
    amount: amount(pick(ctx, t, 'detailsAmount', path)),
    direction: directionAt(ctx, t, path),
    instructedAmount: amountAt(amtDtls, 'InstdAmt/Amt'),
    transactionAmount: amountAt(amtDtls, 'TxAmt/Amt'),
    counterValueAmount: amountAt(amtDtls, 'CntrValAmt/Amt'),
    exchange:
      xchg === undefined
        ? undefined
        : compact({
            sourceCurrency: textAt(xchg, 'SrcCcy'),
            targetCurrency: textAt(xchg, 'TrgtCcy'),
            unitCurrency: textAt(xchg, 'UnitCcy'),
            rate: rate === undefined ? undefined : decimal(rate),
          }),
    debtor: party(ctx, pick(ctx, parties, 'relatedDebtor', `${path}/RltdPties`), `${path}/RltdPties/Dbtr`),
    debtorAccount: account(child(parties, 'DbtrAcct')),
    creditor: party(ctx, pick(ctx, parties, 'relatedCreditor', `${path}/RltdPties`), `${path}/RltdPties/Cdtr`),
    creditorAccount: account(child(parties, 'CdtrAcct')),
    ultimateDebtor: party(ctx, pick(ctx, parties, 'relatedUltimateDebtor', `${path}/RltdPties`), `${path}/RltdPties/UltmtDbtr`),
    ultimateCreditor: party(ctx, pick(ctx, parties, 'relatedUltimateCreditor', `${path}/RltdPties`), `${path}/RltdPties/UltmtCdtr`),
    debtorAgent: agent(ctx, child(agents, 'DbtrAgt'), `${path}/RltdAgts/DbtrAgt`),
    creditorAgent: agent(ctx, child(agents, 'CdtrAgt'), `${path}/RltdAgts/CdtrAgt`),
    charges: charges(ctx, t, path),
    remittance: remittanceLines(t),
    creditorReference: creditorReference(t),
    purpose: textAt(t, 'Purp/Cd'),
    returnInfo: returnInfo(child(t, 'RtrInf')),
    bankTransactionCode: bankTransactionCode(child(t, 'BkTxCd')),
  });
}
