// pacs.008 / pacs.009 / pain.001 rules. Transfers are the streamed records: each is judged as it
// passes, and the fold keeps only the counts and exact sums the control totals need (per message,
// and per PmtInf in a pain.001).
//
// Control totals: NbOfTxs counts CdtTrfTxInf; CtrlSum is the sum of the transaction amounts whatever
// their currency (that is how ISO defines it); TtlIntrBkSttlmAmt is compared only when every
// transaction settles in its currency. pain.001 amounts are Amt/InstdAmt, or Amt/EqvtAmt/Amt.

import { finding, type Finding } from '../findings.ts';
import type { Amount, CreditTransfer, GroupHeader, CreditTransferMessage, PaymentInformation, PaymentInitiationMessage } from '../model.ts';
import { checkOptionalAmount, shownLike, usable } from './amount.ts';
import { chargePath, checkCharge } from './charges.ts';
import { CHARGE_BEARERS, checkClosedCode, PAYMENT_METHODS, SETTLEMENT_METHODS } from './codes.ts';
import { checkCount, checkSum, Tally } from './control.ts';
import { checkDate, checkDateValue } from './dates.ts';
import { checkHeader } from './header.ts';
import { checkAccount, checkAgent, checkBic, checkParty, checkUetr } from './identifiers.ts';
import { INITIATION_TRANSFER, INTERBANK_TRANSFER, missing, PAYMENT_INFORMATION, requiredMissing } from './required.ts';
import { join, NONE, ownPath, type Fold, type Scope } from './scope.ts';
import { checkLength, checkRemittance, MAX35 } from './text.ts';

// ---- shared by both families ----------------------------------------------------------------------

function checkRefs(scope: Scope, t: CreditTransfer, path: string): readonly Finding[] {
  const refs = t.refs ?? {};
  return [
    ...checkLength(refs.instructionId, MAX35, `${path}/PmtId/InstrId`),
    ...checkLength(refs.endToEndId, MAX35, `${path}/PmtId/EndToEndId`),
    ...checkLength(refs.transactionId, MAX35, `${path}/PmtId/TxId`),
    ...checkUetr(refs.uetr, join(path, ownPath(scope, 'uetr', 'PmtId/UETR'))),
  ];
}

function checkCommon(scope: Scope, t: CreditTransfer, path: string): readonly Finding[] {
  return [
    ...checkRefs(scope, t, path),
    ...checkClosedCode(t.chargeBearer, CHARGE_BEARERS, `${path}/ChrgBr`, 'ChrgBr'),
    ...(t.charges ?? []).flatMap((c, i) => checkCharge(scope, c, chargePath(scope, path, i))),
    ...checkAccount(t.creditorAccount, `${path}/CdtrAcct`),
    ...checkAgent(scope, t.creditorAgent, `${path}/CdtrAgt`),
    ...checkParty(scope, t.ultimateDebtor, `${path}/UltmtDbtr`),
    ...checkParty(scope, t.ultimateCreditor, `${path}/UltmtCdtr`),
    ...checkRemittance(t.remittance, path),
  ];
}

// ---- pacs.008 / pacs.009 -------------------------------------------------------------------------

/** In pacs.009 debtor and creditor are institutions: their BIC is an agent BIC (FinInstnId/BICFI). */
function checkDebtorCreditor(scope: Scope, t: CreditTransfer, path: string): readonly Finding[] {
  if (scope.type !== 'pacs.009') {
    return [...checkParty(scope, t.debtor, `${path}/Dbtr`), ...checkParty(scope, t.creditor, `${path}/Cdtr`)];
  }
  const bicPath = ownPath(scope, 'agentBic', 'FinInstnId/BICFI');
  return [
    ...(t.debtor?.bic === undefined ? [] : checkBic(t.debtor.bic, `${path}/Dbtr/${bicPath}`)),
    ...(t.creditor?.bic === undefined ? [] : checkBic(t.creditor.bic, `${path}/Cdtr/${bicPath}`)),
  ];
}

export function checkInterbankTransfer(scope: Scope, t: CreditTransfer, path: string): readonly Finding[] {
  return [
    ...missing(scope, INTERBANK_TRANSFER, t, path),
    ...checkOptionalAmount(t.amount, `${path}/IntrBkSttlmAmt`),
    ...checkOptionalAmount(t.instructedAmount, `${path}/InstdAmt`),
    ...checkDate(t.interbankSettlementDate, `${path}/IntrBkSttlmDt`),
    ...checkCommon(scope, t, path),
    ...checkDebtorCreditor(scope, t, path),
    ...checkAccount(t.debtorAccount, `${path}/DbtrAcct`),
    ...checkAgent(scope, t.debtorAgent, `${path}/DbtrAgt`),
    ...checkAgent(scope, t.instructingAgent, `${path}/InstgAgt`),
    ...checkAgent(scope, t.instructedAgent, `${path}/InstdAgt`),
    ...(t.intermediaryAgents ?? []).flatMap((a, i) => checkAgent(scope, a, `${path}/IntrmyAgt${i + 1}`)),
  ];
}

export function interbankFold(scope: Scope): Fold {
  const tally = new Tally(true);
  return {
    record(rec, path) {
      const t = rec as CreditTransfer;
      scope.findings.push(...checkInterbankTransfer(scope, t, path));
      tally.add(t.amount);
    },
    finish(message) {
      const h = (message as CreditTransferMessage).header;
      const out = scope.findings;
      if (tally.count === 0) out.push(requiredMissing(scope, 'CdtTrfTxInf', true));
      out.push(...checkInterbankGroup(scope, h, tally, 'transactions', 'transaction amounts'));
      out.push(...checkTotalSettlement(h.totalInterbankSettlementAmount, tally));
    },
  };
}

/**
 * The group header of an interbank message (pacs.004, pacs.008, pacs.009): its own fields, the
 * settlement method, and NbOfTxs/CtrlSum against the records tallied.
 */
export function checkInterbankGroup(scope: Scope, h: GroupHeader, tally: Tally, counted: string, summed: string): readonly Finding[] {
  return [
    ...checkHeader(scope, h),
    ...checkClosedCode(h.settlementMethod, SETTLEMENT_METHODS, 'GrpHdr/SttlmInf/SttlmMtd', 'SttlmMtd'),
    ...checkCount(h.numberOfTransactions, tally.count, 'GrpHdr/NbOfTxs', counted),
    ...checkSum(h.controlSum, tally.total(), 'GrpHdr/CtrlSum', summed),
  ];
}

function checkTotalSettlement(total: Amount | undefined, tally: Tally): readonly Finding[] {
  if (!usable(total) || !tally.known) return NONE;
  const currencies = [...tally.byCurrency.keys()];
  if (currencies.some((c) => c !== total.currency)) return NONE;
  const sum = tally.byCurrency.get(total.currency);
  if (sum === undefined || sum.eq(total.value)) return NONE;
  return [finding('CONTROL_SUM', 'GrpHdr/TtlIntrBkSttlmAmt', `says ${total.lexical} ${total.currency}, the settlement amounts add up to ${shownLike(sum, total.lexical)}`)];
}

// ---- pain.001 ------------------------------------------------------------------------------------

/** Amt holds InstdAmt, or EqvtAmt/Amt when the debtor fixes the amount in the other currency. */
function initiationAmountPath(t: CreditTransfer, path: string): string {
  return t.instructedAmount !== undefined ? `${path}/Amt/InstdAmt` : `${path}/Amt/EqvtAmt/Amt`;
}

export function checkInitiationTransfer(scope: Scope, t: CreditTransfer, path: string): readonly Finding[] {
  return [
    ...missing(scope, INITIATION_TRANSFER, t, path),
    ...checkOptionalAmount(t.amount, initiationAmountPath(t, path)),
    ...checkCommon(scope, t, path),
    ...checkParty(scope, t.creditor, `${path}/Cdtr`),
  ];
}

function checkPaymentInformation(scope: Scope, p: PaymentInformation, path: string, tally: Tally | undefined): readonly Finding[] {
  const count = tally?.count ?? 0;
  return [
    ...missing(scope, PAYMENT_INFORMATION, p, path),
    ...(count === 0 ? [requiredMissing(scope, `${path}/CdtTrfTxInf`, true)] : []),
    ...checkLength(p.id, MAX35, `${path}/PmtInfId`),
    ...checkClosedCode(p.method, PAYMENT_METHODS, `${path}/PmtMtd`, 'PmtMtd'),
    ...checkClosedCode(p.chargeBearer, CHARGE_BEARERS, `${path}/ChrgBr`, 'ChrgBr'),
    ...checkRequestedDate(scope, p, path),
    ...checkParty(scope, p.debtor, `${path}/Dbtr`),
    ...checkAccount(p.debtorAccount, `${path}/DbtrAcct`),
    ...checkAgent(scope, p.debtorAgent, `${path}/DbtrAgt`),
    ...checkCount(p.numberOfTransactions, count, `${path}/NbOfTxs`, 'transactions'),
    ...checkSum(p.controlSum, tally === undefined ? undefined : tally.total(), `${path}/CtrlSum`, 'transaction amounts'),
  ];
}

/** ReqdExctnDt is a bare ISODate until v07 and a Dt/DtTm choice from v08. */
function checkRequestedDate(scope: Scope, p: PaymentInformation, path: string): readonly Finding[] {
  const d = p.requestedExecutionDate;
  if (d === undefined) return NONE;
  const bare = ownPath(scope, 'requestedExecutionDate', 'ReqdExctnDt/Dt') === 'ReqdExctnDt';
  return bare ? checkDate(d.value, `${path}/ReqdExctnDt`) : checkDateValue(d, `${path}/ReqdExctnDt`);
}

export function initiationFold(scope: Scope): Fold {
  const all = new Tally();
  const perPayment = new Map<number, Tally>();
  return {
    record(rec, path, containerIndex) {
      const t = rec as CreditTransfer;
      scope.findings.push(...checkInitiationTransfer(scope, t, path));
      all.add(t.amount);
      let tally = perPayment.get(containerIndex);
      if (tally === undefined) perPayment.set(containerIndex, (tally = new Tally()));
      tally.add(t.amount);
    },
    finish(message) {
      const m = message as PaymentInitiationMessage;
      const out = scope.findings;
      out.push(...checkHeader(scope, m.header));
      if (m.payments.length === 0) out.push(requiredMissing(scope, 'PmtInf', true));
      for (const p of m.payments) out.push(...checkPaymentInformation(scope, p, `PmtInf[${p.index}]`, perPayment.get(p.index)));
      out.push(...checkCount(m.header.numberOfTransactions, all.count, 'GrpHdr/NbOfTxs', 'transactions'));
      out.push(...checkSum(m.header.controlSum, all.total(), 'GrpHdr/CtrlSum', 'transaction amounts'));
    },
  };
}
