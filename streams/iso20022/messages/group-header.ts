// GrpHdr: the same shape across all messages, with a few message-specific members.

import type { GroupHeader } from '../model.ts';
import { child, textAt, type XNode } from '../xml/tree.ts';
import type { MapContext } from './context.ts';
import { agent, amountAt, bool, compact, party } from './parts.ts';

export function groupHeader(ctx: MapContext, root: XNode): GroupHeader {
  const g = child(root, 'GrpHdr');
  if (g === undefined) return {};
  const page = child(g, 'MsgPgntn');
  return compact({
    messageId: textAt(g, 'MsgId'),
    creationDateTime: textAt(g, 'CreDtTm'),
    numberOfTransactions: textAt(g, 'NbOfTxs'),
    controlSum: textAt(g, 'CtrlSum'),
    totalInterbankSettlementAmount: amountAt(g, 'TtlIntrBkSttlmAmt'),
    interbankSettlementDate: textAt(g, 'IntrBkSttlmDt'),
    settlementMethod: textAt(g, 'SttlmInf/SttlmMtd'),
    clearingSystem: textAt(g, 'SttlmInf/ClrSys/Cd') ?? textAt(g, 'SttlmInf/ClrSys/Prtry'),
    initiatingParty: party(ctx, child(g, 'InitgPty'), 'GrpHdr/InitgPty'),
    instructingAgent: agent(ctx, child(g, 'InstgAgt'), 'GrpHdr/InstgAgt'),
    instructedAgent: agent(ctx, child(g, 'InstdAgt'), 'GrpHdr/InstdAgt'),
    page:
      page === undefined
        ? undefined
        : compact({ number: textAt(page, 'PgNb'), last: bool(textAt(page, 'LastPgInd')) }),
  });
}
