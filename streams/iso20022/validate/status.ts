// Answers to a transfer: pacs.002 / pain.002 (status), pacs.004 (return), camt.056 / camt.029
// (cancellation request and its resolution). These rules are deliberately light: the ids a
// processor matches on must be there and readable, status codes must be codes, and money must be a
// valid amount. Transaction statuses are an external code list, so an unknown one is a warning.
//
// pain.002 transactions and camt.056/029 underlying transactions are not judged one by one: the
// model does not keep which OrgnlPmtInfAndSts / Undrlyg they sit in, so no exact path exists.

import type { Finding } from '../findings.ts';
import type { InvestigationMessage, ReturnMessage, ReturnTransaction, StatusReportMessage, TransactionStatus } from '../model.ts';
import { checkOptionalAmount } from './amount.ts';
import { CHARGE_BEARERS, checkClosedCode, checkExternalCode, TRANSACTION_STATUSES } from './codes.ts';
import { Tally } from './control.ts';
import { checkDate, checkDateTime } from './dates.ts';
import { checkHeader } from './header.ts';
import { checkAgent, checkUetr } from './identifiers.ts';
import { missing, requiredMissing, RETURN_TRANSACTION } from './required.ts';
import { join, ownPath, type Fold, type Scope } from './scope.ts';
import { checkLength, MAX35 } from './text.ts';
import { checkInterbankGroup } from './transfers.ts';

function checkOriginalIds(
  t: { originalInstructionId?: string; originalEndToEndId?: string; originalTransactionId?: string },
  path: string,
): readonly Finding[] {
  return [
    ...checkLength(t.originalInstructionId, MAX35, `${path}/OrgnlInstrId`),
    ...checkLength(t.originalEndToEndId, MAX35, `${path}/OrgnlEndToEndId`),
    ...checkLength(t.originalTransactionId, MAX35, `${path}/OrgnlTxId`),
  ];
}

// ---- pacs.002 / pain.002 ---------------------------------------------------------------------------

export function checkTransactionStatus(scope: Scope, t: TransactionStatus, path: string): readonly Finding[] {
  return [
    ...checkLength(t.statusId, MAX35, `${path}/StsId`),
    ...checkOriginalIds(t, path),
    ...checkExternalCode(t.status, TRANSACTION_STATUSES, join(path, ownPath(scope, 'transactionStatus', 'TxSts')), 'transaction status'),
    ...checkUetr(t.originalUetr, join(path, ownPath(scope, 'statusUetr', 'OrgnlUETR'))),
    ...checkOptionalAmount(t.originalAmount, `${path}/OrgnlTxRef/IntrBkSttlmAmt`),
    ...checkDateTime(t.acceptanceDateTime, `${path}/AccptncDtTm`),
    ...checkAgent(scope, t.instructingAgent, `${path}/InstgAgt`),
    ...checkAgent(scope, t.instructedAgent, `${path}/InstdAgt`),
  ];
}

function checkStatusMessage(scope: Scope, m: StatusReportMessage): readonly Finding[] {
  const groups = m.originalGroups ?? [];
  const out = [...checkHeader(scope, m.header)];
  // OrgnlGrpInfAndSts is 1..1 in pain.002 and 0..n in pacs.002 (from v06 each transaction may name its own).
  if (scope.type === 'pain.002' && groups.length === 0) out.push(requiredMissing(scope, 'OrgnlGrpInfAndSts'));
  groups.forEach((g, k) => {
    const path = scope.type === 'pain.002' ? 'OrgnlGrpInfAndSts' : `OrgnlGrpInfAndSts[${k}]`;
    if (g.messageId === undefined) out.push(requiredMissing(scope, `${path}/OrgnlMsgId`));
    if (g.messageType === undefined) out.push(requiredMissing(scope, `${path}/OrgnlMsgNmId`));
    out.push(...checkExternalCode(g.status, TRANSACTION_STATUSES, `${path}/GrpSts`, 'group status'));
  });
  (m.paymentStatuses ?? []).forEach((p, j) => {
    const path = `OrgnlPmtInfAndSts[${j}]`;
    if (p.originalPaymentInformationId === undefined) out.push(requiredMissing(scope, `${path}/OrgnlPmtInfId`));
    out.push(...checkExternalCode(p.status, TRANSACTION_STATUSES, `${path}/PmtInfSts`, 'payment information status'));
  });
  return out;
}

export function statusFold(scope: Scope): Fold {
  return {
    record(rec, path) {
      scope.findings.push(...checkTransactionStatus(scope, rec as TransactionStatus, path));
    },
    finish(message) {
      scope.findings.push(...checkStatusMessage(scope, message as StatusReportMessage));
    },
  };
}

// ---- pacs.004 ------------------------------------------------------------------------------------

export function checkReturnTransaction(scope: Scope, t: ReturnTransaction, path: string): readonly Finding[] {
  return [
    ...missing(scope, RETURN_TRANSACTION, t, path),
    ...checkLength(t.returnId, MAX35, `${path}/RtrId`),
    ...checkOriginalIds(t, path),
    ...checkUetr(t.originalUetr, join(path, ownPath(scope, 'returnUetr', 'OrgnlUETR'))),
    ...checkOptionalAmount(t.returnedAmount, `${path}/RtrdIntrBkSttlmAmt`),
    ...checkOptionalAmount(t.returnedInstructedAmount, `${path}/RtrdInstdAmt`),
    ...checkOptionalAmount(t.originalAmount, `${path}/OrgnlIntrBkSttlmAmt`),
    ...checkDate(t.interbankSettlementDate, `${path}/IntrBkSttlmDt`),
    ...checkDate(t.originalInterbankSettlementDate, `${path}/OrgnlIntrBkSttlmDt`),
    ...checkClosedCode(t.chargeBearer, CHARGE_BEARERS, `${path}/ChrgBr`, 'ChrgBr'),
    ...checkAgent(scope, t.instructingAgent, `${path}/InstgAgt`),
    ...checkAgent(scope, t.instructedAgent, `${path}/InstdAgt`),
  ];
}

export function returnFold(scope: Scope): Fold {
  const tally = new Tally();
  return {
    record(rec, path) {
      const t = rec as ReturnTransaction;
      scope.findings.push(...checkReturnTransaction(scope, t, path));
      tally.add(t.returnedAmount);
    },
    finish(message) {
      const h = (message as ReturnMessage).header;
      scope.findings.push(...checkInterbankGroup(scope, h, tally, 'returned transactions', 'returned amounts'));
    },
  };
}

// ---- camt.056 / camt.029 ---------------------------------------------------------------------------

function checkInvestigation(scope: Scope, m: InvestigationMessage): readonly Finding[] {
  return [
    ...(m.assignmentId === undefined ? [requiredMissing(scope, 'Assgnmt/Id')] : []),
    ...(m.creationDateTime === undefined ? [requiredMissing(scope, 'Assgnmt/CreDtTm')] : []),
    ...(m.assigner === undefined ? [requiredMissing(scope, 'Assgnmt/Assgnr')] : []),
    ...(m.assignee === undefined ? [requiredMissing(scope, 'Assgnmt/Assgne')] : []),
    ...checkLength(m.assignmentId, MAX35, 'Assgnmt/Id'),
    ...checkDateTime(m.creationDateTime, 'Assgnmt/CreDtTm'),
    ...checkAgent(scope, m.assigner?.agent, 'Assgnmt/Assgnr/Agt'),
    ...checkAgent(scope, m.assignee?.agent, 'Assgnmt/Assgne/Agt'),
  ];
}

export function investigationFold(scope: Scope): Fold {
  return {
    record() {},
    finish(message) {
      scope.findings.push(...checkInvestigation(scope, message as InvestigationMessage));
    },
  };
}
