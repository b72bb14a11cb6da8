// Building blocks shared by the writers: accounts, agents, and the group header and payment
// identification that pacs.008.001.08 and pacs.009.001.08 have in common (both use GroupHeader93
// and PaymentIdentification7). Each builder checks its input through Checks and returns elements
// in the exact order of the XSD sequence it fills, so the order lives next to the type it belongs to.

import BigNumber from 'bignumber.js';
import { Checks } from './checks.ts';
import { el, isoNamespace, leaf, optLeaf, renderDocument, type WriteOptions, type WriteResult, type XmlChild, type XmlElement } from './xml.ts';

/** `AccountIdentification4Choice`: an IBAN, or another identifier (Fedwire, Japanese accounts ...). */
export type AccountInput =
  | { readonly iban: string; readonly currency?: string }
  | { readonly other: { readonly id: string; /** ExternalAccountIdentification1Code, e.g. BBAN. */ readonly schemeCode?: string }; readonly currency?: string };

/** CashAccount38/39: Id, then Ccy (Tp sits between them and is not written). */
export function account(c: Checks, path: string, name: string, a: AccountInput | undefined): XmlElement {
  if (a === undefined || a === null || typeof a !== 'object') {
    c.add('REQUIRED_MISSING', path, 'the account is missing');
    return el(name);
  }
  let id: XmlElement;
  if ('iban' in a) {
    id = leaf('IBAN', c.iban(`${path}.iban`, a.iban));
  } else if ('other' in a && a.other !== undefined) {
    const o = a.other;
    id = el(
      'Othr',
      leaf('Id', c.text(`${path}.other.id`, o?.id, 34)),
      o?.schemeCode === undefined ? undefined : el('SchmeNm', leaf('Cd', c.externalCode(`${path}.other.schemeCode`, o.schemeCode))),
    );
  } else {
    c.add('REQUIRED_MISSING', `${path}.iban`, 'an account needs an IBAN or another identifier');
    id = el('Othr');
  }
  const ccy = a.currency === undefined ? undefined : c.currency(`${path}.currency`, a.currency);
  return el(name, el('Id', id), optLeaf('Ccy', ccy));
}

/** BranchAndFinancialInstitutionIdentification6 with FinInstnId: BICFI, then Nm (schema order). */
export function agent(c: Checks, bicPath: string, name: string, bic: unknown, instName?: { readonly path: string; readonly value: unknown }): XmlElement {
  const nm = instName === undefined || instName.value === undefined ? undefined : leaf('Nm', c.text(instName.path, instName.value, 140));
  return el(name, el('FinInstnId', leaf('BICFI', c.bic(bicPath, bic)), nm));
}

export function amountElement(name: string, text: string, currency: unknown): XmlElement {
  return leaf(name, text, { Ccy: typeof currency === 'string' ? currency : '' });
}

// ---- pacs.008.001.08 / pacs.009.001.08 -----------------------------------------------------------

/** COVE is left out on purpose: a cover payment is a pacs.009 COV variant deltran does not send. */
export const SETTLEMENT_METHODS = ['CLRG', 'INDA', 'INGA'] as const;
export type SettlementMethod = (typeof SETTLEMENT_METHODS)[number];

export interface SettlementInstructionInput<T> {
  readonly messageId: string;
  /** ISODateTime; keep the offset (`2025-03-10T09:00:00+01:00`): without one it means local time. */
  readonly creationDateTime: string;
  readonly settlementMethod: SettlementMethod;
  readonly transactions: readonly T[];
}

/** What every pacs.008/pacs.009 transaction has: identification, amount and settlement date. */
export interface SettlementTransactionBase {
  readonly instructionId?: string;
  readonly endToEndId: string;
  readonly txId?: string;
  /** Mandatory here although optional in the XSD: SWIFT gpi, CBPR+ and Fedwire correlate on it. */
  readonly uetr: string;
  readonly amount: BigNumber;
  readonly currency: string;
  /** IntrBkSttlmDt, ISODate. */
  readonly settlementDate: string;
}

// CtrlSum is a DecimalNumber: totalDigits 18, fractionDigits 17.
const CTRL_SUM_DIGITS = 18;

/**
 * GroupHeader93: MsgId, CreDtTm, NbOfTxs, CtrlSum, SttlmInf. CtrlSum is the plain sum of the
 * transaction amounts whatever their currency (the schema's definition); TtlIntrBkSttlmAmt is not
 * written, because it needs one currency and CBPR+ forbids it.
 */
export function groupHeader93(c: Checks, input: SettlementInstructionInput<SettlementTransactionBase>, transactions: readonly unknown[]): XmlElement {
  let sum = new BigNumber(0);
  for (const t of transactions) {
    const a = (t as Partial<SettlementTransactionBase> | undefined)?.amount;
    if (BigNumber.isBigNumber(a) && a.isFinite()) sum = sum.plus(a);
  }
  if (sum.sd(true) > CTRL_SUM_DIGITS) c.add('AMOUNT_FORMAT', 'transactions', `the control sum ${sum.toFixed()} has more than ${CTRL_SUM_DIGITS} digits`);
  return el(
    'GrpHdr',
    leaf('MsgId', c.id('messageId', input.messageId)),
    leaf('CreDtTm', c.dateTime('creationDateTime', input.creationDateTime)),
    leaf('NbOfTxs', String(transactions.length)),
    leaf('CtrlSum', sum.toFixed()),
    el('SttlmInf', leaf('SttlmMtd', c.code('settlementMethod', input.settlementMethod, SETTLEMENT_METHODS))),
  );
}

/** PaymentIdentification7: InstrId, EndToEndId, TxId, UETR (UETR after TxId here, unlike camt). */
export function paymentId(c: Checks, path: string, t: SettlementTransactionBase): XmlElement {
  return el(
    'PmtId',
    optLeaf('InstrId', c.optId(`${path}.instructionId`, t.instructionId)),
    leaf('EndToEndId', c.id(`${path}.endToEndId`, t.endToEndId)),
    optLeaf('TxId', c.optId(`${path}.txId`, t.txId)),
    leaf('UETR', c.uetr(`${path}.uetr`, t.uetr)),
  );
}

/** IntrBkSttlmAmt and IntrBkSttlmDt, adjacent in both CreditTransferTransaction39 and 36. */
export function settlementAmountAndDate(c: Checks, path: string, t: SettlementTransactionBase): XmlElement[] {
  return [
    amountElement('IntrBkSttlmAmt', c.amount(`${path}.amount`, t.amount, t.currency), t.currency),
    leaf('IntrBkSttlmDt', c.date(`${path}.settlementDate`, t.settlementDate)),
  ];
}

/** Transactions as given, each with its input path; a non-object is reported and skipped. */
export function eachTransaction<T>(c: Checks, list: readonly T[], base = 'transactions'): { t: T; path: string }[] {
  const out: { t: T; path: string }[] = [];
  list.forEach((t, i) => {
    const path = `${base}[${i}]`;
    if (t === null || typeof t !== 'object') c.add('REQUIRED_MISSING', path, 'expected an object');
    else out.push({ t, path });
  });
  return out;
}

/**
 * The frame pacs.008 and pacs.009 share: GrpHdr, then one CdtTrfTxInf per transaction opening with
 * PmtId, IntrBkSttlmAmt and IntrBkSttlmDt; `rest` writes what follows in that message's sequence.
 */
export function writeSettlementInstruction<T extends SettlementTransactionBase>(
  input: SettlementInstructionInput<T>,
  version: string,
  rootName: string,
  rest: (c: Checks, path: string, t: T) => XmlChild[],
  options: WriteOptions,
): WriteResult {
  const c = new Checks();
  const list = c.list('transactions', input.transactions);
  const txs = eachTransaction(c, list).map(({ t, path }) =>
    el('CdtTrfTxInf', paymentId(c, path, t), settlementAmountAndDate(c, path, t), rest(c, path, t)),
  );
  const root = el(rootName, groupHeader93(c, input, list), txs);
  if (c.errors.length > 0) return { ok: false, errors: c.errors };
  return renderDocument(isoNamespace(version), root, options);
}
