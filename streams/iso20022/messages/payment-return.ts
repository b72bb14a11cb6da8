// pacs.004 (payment return): funds sent back after settlement. Each TxInf is a streamed record
// that names the original transfer (UETR, end-to-end id, original message) and carries the
// returned amount, which may be lower than the original one when agents took charges.

import type { ReturnMessage, ReturnTransaction } from '../model.ts';
import { child, children, textAt, type XNode } from '../xml/tree.ts';
import { pick, type MapContext } from './context.ts';
import { groupHeader } from './group-header.ts';
import { bucket, type MessageMapper } from './mapper.ts';
import { agent, amountAt, compact, originalGroup, returnInfo } from './parts.ts';

export const paymentReturn: MessageMapper = {
  recordPath: (_container, _ci, ri) => `TxInf[${ri}]`,
  record: (ctx, node, path, index) => returnTransaction(ctx, node, path, index),
  message(ctx, root, records): ReturnMessage {
    const { kept, count } = bucket<ReturnTransaction>(records, 0);
    const group = originalGroup(child(root, 'OrgnlGrpInf'));
    return compact({
      type: 'pacs.004' as const,
      header: groupHeader(ctx, root),
      originalMessageId: group.messageId,
      originalMessageType: group.messageType,
      transactions: kept,
      transactionCount: count,
    });
  },
};

function returnTransaction(ctx: MapContext, t: XNode, path: string, index: number): ReturnTransaction {
  const group = originalGroup(child(t, 'OrgnlGrpInf'));
  const reasons = children(t, 'RtrRsnInf').map((r) => returnInfo(r) ?? {});
  return compact({
    index,
    returnId: textAt(t, 'RtrId'),
    originalMessageId: group.messageId,
    originalMessageType: group.messageType,
    originalInstructionId: textAt(t, 'OrgnlInstrId'),
    originalEndToEndId: textAt(t, 'OrgnlEndToEndId'),
    originalTransactionId: textAt(t, 'OrgnlTxId'),
    originalUetr: pick(ctx, t, 'returnUetr', path)?.text,
    originalAmount: amountAt(t, 'OrgnlIntrBkSttlmAmt'),
    originalInterbankSettlementDate: textAt(t, 'OrgnlIntrBkSttlmDt'),
    returnedAmount: amountAt(t, 'RtrdIntrBkSttlmAmt'),
    returnedInstructedAmount: amountAt(t, 'RtrdInstdAmt'),
    interbankSettlementDate: textAt(t, 'IntrBkSttlmDt'),
    chargeBearer: textAt(t, 'ChrgBr'),
    reason: reasons[0] ?? {},
    reasons,
    instructingAgent: agent(ctx, child(t, 'InstgAgt'), `${path}/InstgAgt`),
    instructedAgent: agent(ctx, child(t, 'InstdAgt'), `${path}/InstdAgt`),
  });
}
