// camt.056 (FI-to-FI payment cancellation request, also the "return request" of Fedwire and
// CBPR+) and camt.029 (resolution of investigation, the answer to it). Both are case messages:
// an assignment instead of a GrpHdr, a case id, and a few underlying transactions. They are
// small, so nothing is streamed and everything is mapped when the Document ends.

import type { CancellationTransaction, InvestigationMessage } from '../model.ts';
import type { Field } from '../versions.ts';
import { at, child, children, textAt, type XNode } from '../xml/tree.ts';
import { pick, type MapContext } from './context.ts';
import { groupHeader } from './group-header.ts';
import type { MessageMapper } from './mapper.ts';
import { agent, amountAt, compact, originalGroup, originalTransactionAmount, party, reasonsOf } from './parts.ts';

/** Where the two messages keep the same things under different names. */
const SHAPE = {
  'camt.056': {
    caseElement: 'Case',
    container: 'Undrlyg',
    transaction: 'TxInf',
    idElement: 'CxlId',
    txCaseElement: 'Case',
    reasonElement: 'CxlRsnInf',
    uetr: 'cancellationUetr',
  },
  'camt.029': {
    caseElement: 'RslvdCase',
    container: 'CxlDtls',
    transaction: 'TxInfAndSts',
    idElement: 'CxlStsId',
    txCaseElement: 'RslvdCase',
    reasonElement: 'CxlStsRsnInf',
    uetr: 'resolutionUetr',
  },
} as const satisfies Record<InvestigationMessage['type'], { uetr: Field } & Record<string, string>>;

type Shape = (typeof SHAPE)[keyof typeof SHAPE];

export const investigation: MessageMapper = {
  // Neither message streams records (catalogue: records {}), so this path is never asked for.
  recordPath: (_container, _ci, ri) => `TxInf[${ri}]`,
  record: (_ctx, _node, _path, index) => ({ index }),
  message(ctx, root): InvestigationMessage {
    const type: InvestigationMessage['type'] = ctx.type === 'camt.029' ? 'camt.029' : 'camt.056';
    const shape: Shape = SHAPE[type];
    const assignment = child(root, 'Assgnmt');
    const transactions: CancellationTransaction[] = [];
    children(root, shape.container).forEach((u, i) => {
      children(u, shape.transaction).forEach((t, j) => {
        const path = `${shape.container}[${i}]/${shape.transaction}[${j}]`;
        transactions.push(cancellation(ctx, shape, t, path, transactions.length));
      });
    });
    return compact({
      type,
      header: groupHeader(ctx, root),
      assignmentId: textAt(assignment, 'Id'),
      creationDateTime: textAt(assignment, 'CreDtTm'),
      assigner: agentOrParty(ctx, child(assignment, 'Assgnr'), 'Assgnmt/Assgnr'),
      assignee: agentOrParty(ctx, child(assignment, 'Assgne'), 'Assgnmt/Assgne'),
      caseId: textAt(root, `${shape.caseElement}/Id`),
      confirmation: textAt(root, 'Sts/Conf'),
      transactions,
    });
  },
};

function cancellation(ctx: MapContext, shape: Shape, t: XNode, path: string, index: number): CancellationTransaction {
  const group = originalGroup(child(t, 'OrgnlGrpInf'));
  const reasons = reasonsOf(t, shape.reasonElement);
  const first = reasons[0];
  return compact({
    index,
    cancellationId: textAt(t, shape.idElement),
    caseId: textAt(t, `${shape.txCaseElement}/Id`),
    originalMessageId: group.messageId,
    originalMessageType: group.messageType,
    originalInstructionId: textAt(t, 'OrgnlInstrId'),
    originalEndToEndId: textAt(t, 'OrgnlEndToEndId'),
    originalTransactionId: textAt(t, 'OrgnlTxId'),
    originalUetr: pick(ctx, t, shape.uetr, path)?.text,
    originalAmount: amountAt(t, 'OrgnlIntrBkSttlmAmt') ?? originalTransactionAmount(child(t, 'OrgnlTxRef')),
    originalInterbankSettlementDate: textAt(t, 'OrgnlIntrBkSttlmDt'),
    reasonCode: first?.code,
    reasonProprietary: first?.proprietary,
    additionalInfo: first?.additionalInfo ?? [],
    reasons,
    // camt.056 has no status of its own; it is the request.
    status: textAt(t, 'TxCxlSts'),
  });
}

/** `Party40Choice` (and its predecessors): `Agt` for a bank, `Pty` for anyone else. */
function agentOrParty(ctx: MapContext, n: XNode | undefined, path: string) {
  if (n === undefined) return undefined;
  const a = agent(ctx, child(n, 'Agt'), `${path}/Agt`);
  const p = party(ctx, at(n, 'Pty'), `${path}/Pty`);
  return a === undefined && p === undefined ? undefined : compact({ agent: a, party: p });
}
