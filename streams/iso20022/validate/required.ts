// Required elements, as one table per model piece, read off the official XSDs (the ones in
// shared/iso20022/xsd, and the published schemas for the versions in between): an element is listed
// when its minOccurs is 1 in the versions given. Only elements the model can see are listed: a
// group header that is entirely absent (a fragment) is reported once as `GrpHdr`, not per child.
//
// Version ranges that the schemas confirm:
// - camt Stmt/Rpt/Ntfctn CreDtTm: mandatory up to v06, optional from v07 (AccountStatement8).
// - camt Bal: 1..n in camt.053 only (0..n in camt.052; camt.054 has none before v04, 0..n after).
// - pacs.008/009 PmtId/TxId: mandatory up to v07, optional from v08 (when UETR arrived). UETR itself
//   is mandatory only in CBPR+, a usage guideline; base ISO does not require it, and neither do we.
// - pacs.009 has no mandatory ChrgBr, DbtrAgt or CdtrAgt (they are 0..1 there).
// - pain.001 Cdtr and CdtrAgt are 0..1 (cheques have neither), PmtInf/ReqdExctnDt is 1..1.

import type { MessageType } from '../catalogue.ts';
import { finding, type Finding } from '../findings.ts';
import type {
  Balance,
  CreditTransfer,
  Entry,
  GroupHeader,
  PaymentInformation,
  Report,
  ReturnTransaction,
} from '../model.ts';
import { join, NONE, type Scope } from './scope.ts';

export interface Requirement<T> {
  /** Path of the element relative to the piece, e.g. `PmtId/EndToEndId`. */
  readonly element: string;
  /** Messages the rule applies to; all users of the table when absent. */
  readonly types?: readonly MessageType[];
  /** Inclusive version range; all versions when absent. */
  readonly versions?: readonly [number, number];
  /** A repeated element (`Bal`): the sentence says "at least one". */
  readonly repeated?: boolean;
  readonly present: (piece: T) => boolean;
}

const has = (v: unknown): boolean => v !== undefined;
const PACS_TRANSFER: readonly MessageType[] = ['pacs.008', 'pacs.009'];
const BULK: readonly MessageType[] = ['pacs.008', 'pacs.009', 'pain.001', 'pacs.004'];

export const GROUP_HEADER: readonly Requirement<GroupHeader>[] = [
  { element: 'MsgId', present: (h) => has(h.messageId) },
  { element: 'CreDtTm', present: (h) => has(h.creationDateTime) },
  { element: 'NbOfTxs', types: BULK, present: (h) => has(h.numberOfTransactions) },
  { element: 'SttlmInf/SttlmMtd', types: [...PACS_TRANSFER, 'pacs.004'], present: (h) => has(h.settlementMethod) },
  { element: 'InitgPty', types: ['pain.001'], present: (h) => has(h.initiatingParty) },
];

export const REPORT: readonly Requirement<Report>[] = [
  { element: 'Id', present: (r) => has(r.id) },
  { element: 'CreDtTm', versions: [1, 6], present: (r) => has(r.creationDateTime) },
  // An absent Acct and an empty one look alike in the model (`{}`): both are reported as `Acct`.
  { element: 'Acct', present: (r) => Object.keys(r.account).length > 0 },
  { element: 'Acct/Id', present: (r) => Object.keys(r.account).length === 0 || has(r.account.iban) || has(r.account.other) },
  { element: 'Bal', types: ['camt.053'], repeated: true, present: (r) => r.balances.length > 0 },
];

export const BALANCE: readonly Requirement<Balance>[] = [
  { element: 'Tp', present: (b) => has(b.type) },
  { element: 'Amt', present: (b) => has(b.amount) },
  { element: 'Dt', present: (b) => has(b.date) },
];

export const ENTRY: readonly Requirement<Entry>[] = [
  { element: 'Amt', present: (e) => has(e.amount) },
  { element: 'Sts', present: (e) => has(e.status) },
  { element: 'BkTxCd', present: (e) => has(e.bankTransactionCode) },
];

/** pacs.008 / pacs.009 CdtTrfTxInf. */
export const INTERBANK_TRANSFER: readonly Requirement<CreditTransfer>[] = [
  { element: 'PmtId/EndToEndId', present: (t) => has(t.refs.endToEndId) },
  { element: 'PmtId/TxId', versions: [1, 7], present: (t) => has(t.refs.transactionId) },
  { element: 'IntrBkSttlmAmt', present: (t) => has(t.amount) },
  { element: 'ChrgBr', types: ['pacs.008'], present: (t) => has(t.chargeBearer) },
  { element: 'Dbtr', present: (t) => has(t.debtor) },
  { element: 'DbtrAgt', types: ['pacs.008'], present: (t) => has(t.debtorAgent) },
  { element: 'CdtrAgt', types: ['pacs.008'], present: (t) => has(t.creditorAgent) },
  { element: 'Cdtr', present: (t) => has(t.creditor) },
];

/** pain.001 PmtInf (its transfers are counted by the fold, not here). */
export const PAYMENT_INFORMATION: readonly Requirement<PaymentInformation>[] = [
  { element: 'PmtInfId', present: (p) => has(p.id) },
  { element: 'PmtMtd', present: (p) => has(p.method) },
  { element: 'ReqdExctnDt', present: (p) => has(p.requestedExecutionDate) },
  { element: 'Dbtr', present: (p) => has(p.debtor) },
  { element: 'DbtrAcct', present: (p) => has(p.debtorAccount) },
  { element: 'DbtrAgt', present: (p) => has(p.debtorAgent) },
];

/** pain.001 CdtTrfTxInf. */
export const INITIATION_TRANSFER: readonly Requirement<CreditTransfer>[] = [
  { element: 'PmtId/EndToEndId', present: (t) => has(t.refs.endToEndId) },
  { element: 'Amt', present: (t) => has(t.amount) },
];

/** pacs.004 TxInf. */
export const RETURN_TRANSACTION: readonly Requirement<ReturnTransaction>[] = [
  { element: 'RtrdIntrBkSttlmAmt', present: (t) => has(t.returnedAmount) },
];

function applies<T>(scope: Scope, r: Requirement<T>): boolean {
  if (r.types !== undefined && !r.types.includes(scope.type)) return false;
  return r.versions === undefined || (scope.version >= r.versions[0] && scope.version <= r.versions[1]);
}

/** One REQUIRED_MISSING per listed element this piece lacks; `base` is the piece's own path. */
export function missing<T>(scope: Scope, table: readonly Requirement<T>[], piece: T, base: string): readonly Finding[] {
  let out: Finding[] | undefined;
  for (const r of table) {
    if (applies(scope, r) && !r.present(piece)) (out ??= []).push(requiredMissing(scope, join(base, r.element), r.repeated === true));
  }
  return out ?? NONE;
}

export function requiredMissing(scope: Scope, path: string, repeated = false): Finding {
  const element = path.split('/').at(-1)!.replace(/\[\d+\]$/, '');
  const sentence = repeated
    ? `no ${element}: ${scope.id.id} requires at least one`
    : `${element} is missing; ${scope.id.id} requires it here`;
  return finding('REQUIRED_MISSING', path, sentence);
}
