// From a read pacs.008 / pacs.009 / pain.001 to clearing obligations (actors/clearing/ports.ts
// ObligationInput), one per transaction, pure. What cannot be mapped is a rejection value per
// transaction (code, field path, message), with the obligation as far as it could be read, so the
// sender still gets a pacs.002 RJCT for it; the other transactions of the message go on.
//
// pacs.008 and pacs.009, per CdtTrfTxInf:
//   payer     DbtrAgt BIC; in a pacs.009 without DbtrAgt, the Dbtr's BIC (the debtor institution
//             is its own agent there: the schema makes DbtrAgt optional for that reason)
//   payee     CdtrAgt BIC; pacs.009 likewise falls back to the Cdtr's BIC
//   amount    IntrBkSttlmAmt, exact, in its currency
//   identity  the UETR (lower case), else `<EndToEndId>@<instructing agent BIC>`, else (EndToEndId
//             missing or NOTPROVIDED) `<MsgId>/<TxId or InstrId or #index>@<instructing agent>`;
//             instructing agent = the transaction's InstgAgt, else GrpHdr/InstgAgt, else the payer
//   sender    (to whom the pacs.002 goes) AppHdr/Fr BIC, else the instructing agent
// pain.001, per PmtInf/CdtTrfTxInf: a customer's instruction to its bank, cleared through the
// initiating participant, which is the payer:
//   payer     PmtInf/DbtrAgt BIC, else InitgPty's BIC (an EMI initiating for its customers)
//   payee     CdtTrfTxInf/CdtrAgt BIC
//   amount    Amt/InstdAmt; an EqvtAmt (the debtor fixes the other currency) is rejected: its
//             settlement amount needs an FX conversion clearing does not do
//   identity  the UETR, else `<EndToEndId>@<payer>`, else `<MsgId>/<PmtInfId>/<InstrId or #index>@<payer>`
//   sender    InitgPty's BIC, else the payer
// BICs are taken upper case and trimmed, otherwise as sent: a participant is registered under the
// BIC its messages carry (`BANKGB2LXXX` and `BANKGB2L` are two registrations).
// origin.messageType is the version's first four parts (`pain.001.001.03` for the SIX
// `pain.001.001.03.ch.02`), the form a pacs.002 quotes in OrgnlMsgNmId.

import BigNumber from 'bignumber.js';
import type { ObligationInput, ObligationOrigin, ObligationRejectCode, ObligationVerdict } from '../../actors/clearing/ports.ts';
import type { AgentRef, CreditTransfer, CreditTransferMessage, PartyRef, PaymentInitiationMessage } from '../iso20022/model.ts';
import type { ReadResult } from '../iso20022/reader.ts';
import { usable } from './identity.ts';

export const OBLIGATION_MESSAGE_TYPES: ReadonlySet<string> = new Set(['pacs.008', 'pacs.009', 'pain.001']);

export interface ObligationRejection {
  /** As far as it could be read: what the pacs.002 RJCT quotes. */
  readonly obligation: ObligationInput;
  readonly verdict: Extract<ObligationVerdict, { status: 'REJECTED' }>;
}

export interface MappedObligations {
  readonly obligations: ObligationInput[];
  readonly rejections: ObligationRejection[];
}

/** The obligations of one read Document; null when it is not a message clearing takes. */
export function obligationsOf(result: ReadResult): MappedObligations | null {
  if (result.type === null || !OBLIGATION_MESSAGE_TYPES.has(result.type) || result.message === null) return null;
  const out: MappedObligations = { obligations: [], rejections: [] };
  const messageType = (result.version ?? result.type).split('.').slice(0, 4).join('.');
  const from = bicOf(result.appHeader?.from);
  if (result.type === 'pain.001') {
    const m = result.message as PaymentInitiationMessage;
    const msgId = usable(m.header.messageId) ?? result.messageId ?? `document#${result.index}`;
    const initiator = bicOf(m.header.initiatingParty);
    for (const p of m.payments) {
      const payer = bicOf(p.debtorAgent) ?? initiator;
      for (const t of p.transfers) {
        const path = `PmtInf[${p.index}]/CdtTrfTxInf[${t.index}]`;
        const e2e = usable(t.refs.endToEndId);
        const uetr = usable(t.refs.uetr)?.toLowerCase() ?? null;
        const id = uetr ?? (payer === null ? null : e2e !== null ? `${e2e}@${payer}` : `${msgId}/${usable(p.id) ?? ''}/${usable(t.refs.instructionId) ?? `#${t.index}`}@${payer}`);
        const origin = originOf(msgId, messageType, initiator ?? payer ?? '', t, e2e, uetr);
        const amount = t.instructedAmount;
        const payee = bicOf(t.creditorAgent);
        const draft = { id: id ?? `${msgId}#${path}`, payer: payer ?? '', payee: payee ?? '', currency: (amount ?? t.amount)?.currency ?? '', amount: amount?.value ?? new BigNumber(0), origin };
        const problem =
          payer === null ? reject('INVALID', `PmtInf[${p.index}]/DbtrAgt/FinInstnId/BICFI`, 'neither the debtor agent nor the initiating party has a BIC: no participant to clear through')
          : payee === null ? reject('INVALID', `${path}/CdtrAgt/FinInstnId/BICFI`, `the creditor agent has no BIC${memberOnly(t.creditorAgent)}: no participant to pay`)
          : amount === undefined ? reject('AMOUNT_INVALID', `${path}/Amt/InstdAmt`, t.amount === undefined ? 'no instructed amount' : 'an equivalent amount needs an FX conversion before clearing; send InstdAmt')
          : amountProblem(amount.value, `${path}/Amt/InstdAmt`);
        push(out, draft, problem);
      }
    }
    return out;
  }
  const m = result.message as CreditTransferMessage;
  const msgId = usable(m.header.messageId) ?? result.messageId ?? `document#${result.index}`;
  const institutions = result.type === 'pacs.009';
  for (const t of m.transfers) {
    const path = `CdtTrfTxInf[${t.index}]`;
    const payer = bicOf(t.debtorAgent) ?? (institutions ? bicOf(t.debtor) : null);
    const payee = bicOf(t.creditorAgent) ?? (institutions ? bicOf(t.creditor) : null);
    const instructing = bicOf(t.instructingAgent) ?? bicOf(m.header.instructingAgent) ?? payer;
    const e2e = usable(t.refs.endToEndId);
    const uetr = usable(t.refs.uetr)?.toLowerCase() ?? null;
    const local = usable(t.refs.transactionId) ?? usable(t.refs.instructionId) ?? `#${t.index}`;
    const id = uetr ?? (instructing === null ? null : e2e !== null ? `${e2e}@${instructing}` : `${msgId}/${local}@${instructing}`);
    const origin = originOf(msgId, messageType, from ?? instructing ?? '', t, e2e, uetr);
    const draft = { id: id ?? `${msgId}#${path}`, payer: payer ?? '', payee: payee ?? '', currency: t.amount?.currency ?? '', amount: t.amount?.value ?? new BigNumber(0), origin };
    const problem =
      payer === null ? reject('INVALID', `${path}/DbtrAgt/FinInstnId/BICFI`, `the debtor agent has no BIC${memberOnly(t.debtorAgent)}: no participant to pay from`)
      : payee === null ? reject('INVALID', `${path}/CdtrAgt/FinInstnId/BICFI`, `the creditor agent has no BIC${memberOnly(t.creditorAgent)}: no participant to pay`)
      : t.amount === undefined ? reject('AMOUNT_INVALID', `${path}/IntrBkSttlmAmt`, 'no interbank settlement amount')
      : amountProblem(t.amount.value, `${path}/IntrBkSttlmAmt`);
    push(out, draft, problem);
  }
  return out;
}

type Problem = { readonly code: ObligationRejectCode; readonly field: string; readonly message: string };

function reject(code: ObligationRejectCode, field: string, message: string): Problem {
  return { code, field, message };
}

function amountProblem(v: BigNumber, field: string): Problem | undefined {
  return v.isFinite() && v.gt(0) ? undefined : reject('AMOUNT_INVALID', field, `the amount ${v.toFixed()} is not positive`);
}

function push(out: MappedObligations, obligation: ObligationInput, problem: Problem | undefined): void {
  if (problem === undefined) out.obligations.push(obligation);
  else out.rejections.push({ obligation, verdict: { id: obligation.id, status: 'REJECTED', ...problem } });
}

/** Participants are registered by BIC; an agent known only by its clearing member id (an ABA number) is named as such. */
function memberOnly(a: AgentRef | undefined): string {
  return a?.memberId === undefined ? '' : ` (only the clearing member id ${a.memberId}; participants are known by BIC)`;
}

function bicOf(a: AgentRef | PartyRef | undefined): string | null {
  const b = a?.bic?.trim().toUpperCase();
  return b === undefined || b === '' ? null : b;
}

function originOf(messageId: string, messageType: string, sender: string, t: CreditTransfer, e2e: string | null, uetr: string | null): ObligationOrigin {
  const instructionId = usable(t.refs.instructionId);
  const transactionId = usable(t.refs.transactionId);
  return {
    messageId,
    messageType,
    sender,
    ...(instructionId === null ? {} : { instructionId }),
    // The pacs.002 quotes the EndToEndId as sent, NOTPROVIDED included.
    ...(t.refs.endToEndId === undefined ? (e2e === null ? {} : { endToEndId: e2e }) : { endToEndId: t.refs.endToEndId.trim() }),
    ...(transactionId === null ? {} : { transactionId }),
    ...(uetr === null ? {} : { uetr }),
  };
}
