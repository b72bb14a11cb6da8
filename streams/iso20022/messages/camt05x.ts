// camt.052 (intraday report), camt.053 (statement), camt.054 (debit/credit notification): one
// shape, three roots. Entries (Ntry) are the streamed records; everything else of a Stmt/Rpt/Ntfctn
// is small and mapped when the Document ends.

import { decimal } from '../money.ts';
import type {
  Balance,
  Batch,
  Charge,
  Entry,
  References,
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
  dateValue,
  direction,
  directionAt,
  directionOf,
  party,
  returnInfo,
  type Mutable,
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

// entry() and txDetails() run for every record: they build the model directly (no compact copy)
// and look into optional parts only when the element is there.
function entry(ctx: MapContext, n: XNode, path: string, index: number): Entry {
  const batches: Batch[] = [];
  const details: TransactionDetails[] = [];
  const e: Mutable<Entry> = { index, reversal: false, charges: charges(ctx, n, path), batches, details };
  // One pass over the entry's children; the renamed status goes through the version table.
  for (const c of n.children) {
    switch (c.name) {
      case 'NtryRef': e.entryReference ??= c.text; break;
      case 'Amt': e.amount ??= amount(c)!; break;
      case 'CdtDbtInd': {
        const dir = directionOf(ctx, c.text, path);
        if (dir !== undefined) e.direction ??= dir;
        break;
      }
      case 'RvslInd': e.reversal = bool(c.text) ?? false; break;
      case 'BookgDt': {
        const d = dateValue(c);
        if (d !== undefined) e.bookingDate ??= d;
        break;
      }
      case 'ValDt': {
        const d = dateValue(c);
        if (d !== undefined) e.valueDate ??= d;
        break;
      }
      case 'AcctSvcrRef': e.accountServicerReference ??= c.text; break;
      case 'BkTxCd': e.bankTransactionCode ??= bankTransactionCode(c)!; break;
      case 'AddtlNtryInf': e.additionalInfo ??= c.text; break;
      case 'NtryDtls':
        for (const d of c.children) {
          if (d.name === 'Btch') batches.push(batch(d));
          else if (d.name === 'TxDtls') details.push(txDetails(ctx, d, `${path}/NtryDtls/TxDtls[${details.length}]`, details.length));
        }
        break;
    }
  }
  const status = pick(ctx, n, 'entryStatus', path)?.text;
  if (status !== undefined) e.status = status;
  return e;
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
  const remittance: string[] = [];
  const d: Mutable<TransactionDetails> = { index, refs: refsOf(ctx, t, path), charges: NO_CHARGES, remittance };
  // One pass over the details' children; renamed fields (amount, UETR, parties) go through the
  // version table.
  for (const c of t.children) {
    switch (c.name) {
      case 'CdtDbtInd': {
        const dir = directionOf(ctx, c.text, path);
        if (dir !== undefined) d.direction ??= dir;
        break;
      }
      case 'AmtDtls': amountDetails(d, c); break;
      case 'RltdPties': relatedParties(ctx, d, c, `${path}/RltdPties`); break;
      case 'RltdAgts': relatedAgents(ctx, d, c, `${path}/RltdAgts`); break;
      case 'RmtInf':
        for (const r of c.children) {
          if (r.name === 'Ustrd') remittance.push(r.text);
          else if (r.name === 'Strd' && d.creditorReference === undefined) {
            const ref = textAt(r, 'CdtrRefInf/Ref');
            if (ref !== undefined) d.creditorReference = ref;
          }
        }
        break;
      case 'Purp': {
        const purpose = textAt(c, 'Cd');
        if (purpose !== undefined) d.purpose ??= purpose;
        break;
      }
      case 'RtrInf': d.returnInfo ??= returnInfo(c)!; break;
      case 'BkTxCd': d.bankTransactionCode ??= bankTransactionCode(c)!; break;
      case 'Chrgs':
        // charges() collects every Chrgs of the details (v02 repeats the element) at once.
        if (d.charges === NO_CHARGES) d.charges = charges(ctx, t, path);
        break;
    }
  }
  const amt = amount(pick(ctx, t, 'detailsAmount', path));
  if (amt !== undefined) d.amount = amt;
  return d;
}

const NO_CHARGES: readonly Charge[] = Object.freeze([]);

function relatedAgents(ctx: MapContext, d: Mutable<TransactionDetails>, agents: XNode, path: string): void {
  const debtorAgent = agent(ctx, child(agents, 'DbtrAgt'), `${path}/DbtrAgt`);
  if (debtorAgent !== undefined) d.debtorAgent = debtorAgent;
  const creditorAgent = agent(ctx, child(agents, 'CdtrAgt'), `${path}/CdtrAgt`);
  if (creditorAgent !== undefined) d.creditorAgent = creditorAgent;
}

function refsOf(ctx: MapContext, t: XNode, path: string): References {
  const r: Mutable<References> = {};
  const refs = child(t, 'Refs');
  // One pass over Refs: it holds up to ten references and is read for every transaction.
  if (refs !== undefined) {
    for (const c of refs.children) {
      switch (c.name) {
        case 'MsgId': r.messageId ??= c.text; break;
        case 'AcctSvcrRef': r.accountServicerReference ??= c.text; break;
        case 'PmtInfId': r.paymentInformationId ??= c.text; break;
        case 'InstrId': r.instructionId ??= c.text; break;
        case 'EndToEndId': r.endToEndId ??= c.text; break;
        case 'TxId': r.transactionId ??= c.text; break;
        case 'MndtId': r.mandateId ??= c.text; break;
        case 'ClrSysRef': r.clearingSystemReference ??= c.text; break;
      }
    }
  }
  const uetr = pick(ctx, t, 'uetr', path)?.text;
  if (uetr !== undefined) r.uetr = uetr;
  return r;
}

function amountDetails(d: Mutable<TransactionDetails>, amtDtls: XNode): void {
  const instructed = amountAt(amtDtls, 'InstdAmt/Amt');
  if (instructed !== undefined) d.instructedAmount = instructed;
  const tx = amountAt(amtDtls, 'TxAmt/Amt');
  if (tx !== undefined) d.transactionAmount = tx;
  const counter = amountAt(amtDtls, 'CntrValAmt/Amt');
  if (counter !== undefined) d.counterValueAmount = counter;
  const xchg = at(amtDtls, 'TxAmt/CcyXchg') ?? at(amtDtls, 'InstdAmt/CcyXchg') ?? at(amtDtls, 'CntrValAmt/CcyXchg');
  if (xchg === undefined) return;
  const rate = textAt(xchg, 'XchgRate');
  d.exchange = compact({
    sourceCurrency: textAt(xchg, 'SrcCcy'),
    targetCurrency: textAt(xchg, 'TrgtCcy'),
    unitCurrency: textAt(xchg, 'UnitCcy'),
    rate: rate === undefined ? undefined : decimal(rate),
  });
}

/** RltdPties: the four parties (renamed across versions, see versions.ts) and the two accounts. */
function relatedParties(ctx: MapContext, d: Mutable<TransactionDetails>, parties: XNode, path: string): void {
  const debtor = party(ctx, pick(ctx, parties, 'relatedDebtor', path), `${path}/Dbtr`);
  if (debtor !== undefined) d.debtor = debtor;
  const debtorAccount = account(child(parties, 'DbtrAcct'));
  if (debtorAccount !== undefined) d.debtorAccount = debtorAccount;
  const creditor = party(ctx, pick(ctx, parties, 'relatedCreditor', path), `${path}/Cdtr`);
  if (creditor !== undefined) d.creditor = creditor;
  const creditorAccount = account(child(parties, 'CdtrAcct'));
  if (creditorAccount !== undefined) d.creditorAccount = creditorAccount;
  const ultimateDebtor = party(ctx, pick(ctx, parties, 'relatedUltimateDebtor', path), `${path}/UltmtDbtr`);
  if (ultimateDebtor !== undefined) d.ultimateDebtor = ultimateDebtor;
  const ultimateCreditor = party(ctx, pick(ctx, parties, 'relatedUltimateCreditor', path), `${path}/UltmtCdtr`);
  if (ultimateCreditor !== undefined) d.ultimateCreditor = ultimateCreditor;
}
