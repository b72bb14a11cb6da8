// pacs.002 (FI-to-FI payment status report) and pain.002 (customer payment status report): the
// answers to a transfer, at group, payment-information (pain.002 only) and transaction level. In
// pacs.002 the transaction statuses (TxInfAndSts) are the streamed records, because a clearing
// house may answer a whole file at once; pain.002 nests them under OrgnlPmtInfAndSts, where they
// are read with the rest of the message.

import type { StatusReportMessage, TransactionStatus } from '../model.ts';
import { child, children, textAt, type XNode } from '../xml/tree.ts';
import { pick, type MapContext } from './context.ts';
import { groupHeader } from './group-header.ts';
import { bucket, type MessageMapper } from './mapper.ts';
import { agent, compact, originalGroup, originalTransactionAmount, statusReasons } from './parts.ts';

export const statusReport: MessageMapper = {
  recordPath: (_container, _ci, ri) => `TxInfAndSts[${ri}]`,
  record: (ctx, node, path, index) => transactionStatus(ctx, node, path, index, undefined),
  message(ctx, root, records): StatusReportMessage {
    const originalGroups = children(root, 'OrgnlGrpInfAndSts').map((g) => {
      const og = originalGroup(g);
      return compact({ messageId: og.messageId, messageType: og.messageType, status: textAt(g, 'GrpSts'), reasons: statusReasons(g) });
    });
    const first = originalGroups[0];
    const base = {
      header: groupHeader(ctx, root),
      originalMessageId: first?.messageId,
      originalMessageType: first?.messageType,
      groupStatus: first?.status,
      groupReasons: first?.reasons ?? [],
      originalGroups,
    };
    if (ctx.type === 'pacs.002') {
      const { kept, count } = bucket<TransactionStatus>(records, 0);
      return compact({ type: 'pacs.002' as const, ...base, paymentStatuses: [], transactions: kept, transactionCount: count });
    }
    const transactions: TransactionStatus[] = [];
    const paymentStatuses = children(root, 'OrgnlPmtInfAndSts').map((p, i) => {
      const id = textAt(p, 'OrgnlPmtInfId');
      children(p, 'TxInfAndSts').forEach((t, j) => {
        transactions.push(transactionStatus(ctx, t, `OrgnlPmtInfAndSts[${i}]/TxInfAndSts[${j}]`, transactions.length, id));
      });
      return compact({ originalPaymentInformationId: id, status: textAt(p, 'PmtInfSts'), reasons: statusReasons(p) });
    });
    return compact({ type: 'pain.002' as const, ...base, paymentStatuses, transactions, transactionCount: transactions.length });
  },
};

function transactionStatus(
  ctx: MapContext,
  t: XNode,
  path: string,
  index: number,
  paymentInformationId: string | undefined,
): TransactionStatus {
  // Only the transaction's own OrgnlGrpInf is used: before pacs.002.001.06 there is none, and the
  // root's OrgnlGrpInfAndSts (mapped with the message) is the reference for every transaction.
  const group = originalGroup(pick(ctx, t, 'statusOriginalGroup', path));
  return compact({
    index,
    statusId: textAt(t, 'StsId'),
    originalMessageId: group.messageId,
    originalMessageType: group.messageType,
    originalInstructionId: textAt(t, 'OrgnlInstrId'),
    originalEndToEndId: textAt(t, 'OrgnlEndToEndId'),
    originalTransactionId: textAt(t, 'OrgnlTxId'),
    originalUetr: pick(ctx, t, 'statusUetr', path)?.text,
    status: pick(ctx, t, 'transactionStatus', path)?.text,
    reasons: statusReasons(t),
    originalAmount: originalTransactionAmount(child(t, 'OrgnlTxRef')),
    originalPaymentInformationId: paymentInformationId,
    acceptanceDateTime: textAt(t, 'AccptncDtTm'),
    accountServicerReference: textAt(t, 'AcctSvcrRef'),
    clearingSystemReference: textAt(t, 'ClrSysRef'),
    instructingAgent: agent(ctx, child(t, 'InstgAgt'), `${path}/InstgAgt`),
    instructedAgent: agent(ctx, child(t, 'InstdAgt'), `${path}/InstdAgt`),
  });
}
