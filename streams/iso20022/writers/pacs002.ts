// pacs.002.001.10 (FIToFIPmtStsRpt): the status report deltran answers every received pacs.008 or
// pain.001 with (accepted, settled, pending, rejected and why). Version .10 because that is what
// CBPR+ and Fedwire exchange. The original message is named twice on purpose: once in
// OrgnlGrpInfAndSts (where the group status lives, and where clearing-house style receivers match)
// and once per TxInfAndSts/OrgnlGrpInf (where CBPR+ and Fedwire receivers match), so each
// transaction status stands on its own whatever the receiver's software reads.
// Order, PaymentTransaction110: OrgnlGrpInf, OrgnlEndToEndId, OrgnlTxId, OrgnlUETR, TxSts, StsRsnInf.

import { Checks } from './checks.ts';
import { eachTransaction } from './parts.ts';
import { el, isoNamespace, leaf, optLeaf, renderDocument, type WriteOptions, type WriteResult, type XmlChild, type XmlElement } from './xml.ts';

export const PACS002_VERSION = 'pacs.002.001.10';

/** ExternalPaymentTransactionStatus1Code values (ISO external code set); the schema only says 1-4 characters. */
export const PAYMENT_STATUSES = [
  'ACCC', 'ACCP', 'ACFC', 'ACIS', 'ACPD', 'ACSC', 'ACSP', 'ACTC', 'ACWC', 'ACWP',
  'BLCK', 'CANC', 'PART', 'PATC', 'PDNG', 'PRES', 'RCVD', 'RJCT',
] as const;
export type PaymentStatus = (typeof PAYMENT_STATUSES)[number];

/** StatusReason6Choice: an ISO external reason code (AC01, AM04, NARR ...) or a proprietary one (Fedwire E433). */
export type StatusReasonInput = { readonly code: string } | { readonly proprietary: string };

/** What was received, as `<area>.<nnn>.<variant>.<version>`: 'pacs.008.001.08', 'pain.001.001.09' ... */
export type OriginalMessageType = 'pacs.008.001.08' | 'pacs.009.001.08' | 'pain.001.001.09' | 'pain.001.001.03' | (string & {});

export interface Pacs002Transaction {
  readonly originalEndToEndId: string;
  readonly originalTxId?: string;
  readonly originalUetr?: string;
  readonly status: PaymentStatus;
  readonly reason?: StatusReasonInput;
  /** AddtlInf, each at most 105 characters (Max105Text); several lines are several elements. */
  readonly additionalInfo?: string | readonly string[];
}

export interface Pacs002Input {
  readonly messageId: string;
  readonly creationDateTime: string;
  readonly originalMessageId: string;
  readonly originalMessageType: OriginalMessageType;
  readonly originalCreationDateTime?: string;
  /** GrpSts: for the original message as a whole (e.g. RJCT of an unreadable file, or PART). */
  readonly groupStatus?: PaymentStatus;
  readonly groupReason?: StatusReasonInput;
  /** May be empty only with a group status. */
  readonly transactions: readonly Pacs002Transaction[];
}

const MESSAGE_NAME = /^[a-z]{4}\.\d{3}\.\d{3}\.\d{2}$/;

export function writePacs002(input: Pacs002Input, options: WriteOptions = {}): WriteResult {
  const c = new Checks();
  const orgnlMsgId = c.id('originalMessageId', input.originalMessageId);
  const orgnlMsgNmId = c.text('originalMessageType', input.originalMessageType, 35);
  if (orgnlMsgNmId !== '' && !MESSAGE_NAME.test(orgnlMsgNmId)) {
    c.add('CODE_INVALID', 'originalMessageType', `${JSON.stringify(orgnlMsgNmId)} is not a message name such as pacs.008.001.08`);
  }
  const orgnlCreDtTm = input.originalCreationDateTime === undefined ? undefined : c.dateTime('originalCreationDateTime', input.originalCreationDateTime);
  const original = (name: string, ...rest: XmlChild[]): XmlElement =>
    el(name, leaf('OrgnlMsgId', orgnlMsgId), leaf('OrgnlMsgNmId', orgnlMsgNmId), optLeaf('OrgnlCreDtTm', orgnlCreDtTm), rest);

  const groupStatus = input.groupStatus === undefined ? undefined : c.code('groupStatus', input.groupStatus, PAYMENT_STATUSES);
  const groupReason = input.groupReason === undefined ? undefined : reasonInfo(c, 'groupReason', '', input.groupReason, undefined);
  const list = groupStatus !== undefined && Array.isArray(input.transactions) && input.transactions.length === 0
    ? []
    : c.list('transactions', input.transactions);

  const txs = eachTransaction(c, list).map(({ t, path }) =>
    el(
      'TxInfAndSts',
      original('OrgnlGrpInf'),
      leaf('OrgnlEndToEndId', c.id(`${path}.originalEndToEndId`, t.originalEndToEndId)),
      optLeaf('OrgnlTxId', c.optId(`${path}.originalTxId`, t.originalTxId)),
      optLeaf('OrgnlUETR', c.optUetr(`${path}.originalUetr`, t.originalUetr)),
      leaf('TxSts', c.code(`${path}.status`, t.status, PAYMENT_STATUSES)),
      reasonInfo(c, `${path}.reason`, `${path}.additionalInfo`, t.reason, t.additionalInfo),
    ),
  );

  const root = el(
    'FIToFIPmtStsRpt',
    el('GrpHdr', leaf('MsgId', c.id('messageId', input.messageId)), leaf('CreDtTm', c.dateTime('creationDateTime', input.creationDateTime))),
    original('OrgnlGrpInfAndSts', optLeaf('GrpSts', groupStatus), groupReason),
    txs,
  );
  if (c.errors.length > 0) return { ok: false, errors: c.errors };
  return renderDocument(isoNamespace(PACS002_VERSION), root, options);
}

/** StatusReasonInformation12: Rsn (Cd | Prtry), then AddtlInf lines; absent when there is neither. */
function reasonInfo(
  c: Checks,
  rPath: string,
  infoPath: string,
  reason: StatusReasonInput | undefined,
  info: string | readonly string[] | undefined,
): XmlElement | undefined {
  let rsn: XmlElement | undefined;
  if (reason !== undefined) {
    if (reason !== null && typeof reason === 'object' && 'code' in reason) {
      rsn = el('Rsn', leaf('Cd', c.externalCode(`${rPath}.code`, reason.code)));
    } else if (reason !== null && typeof reason === 'object' && 'proprietary' in reason) {
      rsn = el('Rsn', leaf('Prtry', c.text(`${rPath}.proprietary`, reason.proprietary, 35)));
    } else {
      c.add('REQUIRED_MISSING', `${rPath}.code`, 'a reason needs a code or a proprietary code');
    }
  }
  const many = Array.isArray(info);
  const lines: readonly unknown[] = info === undefined ? [] : Array.isArray(info) ? (info as readonly unknown[]) : [info];
  const addtl = lines.map((l, i) => leaf('AddtlInf', c.text(many ? `${infoPath}[${i}]` : infoPath, l, 105)));
  return rsn === undefined && addtl.length === 0 ? undefined : el('StsRsnInf', rsn, addtl);
}
