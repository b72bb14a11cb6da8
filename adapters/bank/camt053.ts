// camt.053.001.08 (BkToCstmrStmt), the end-of-day statement the mock bank produces for
// reconciliation tier 3. Version .08 to match the camt.054.001.08 notifications (Refs/UETR in both),
// so one entry reads the same in either message. Same contract as the writers in
// streams/iso20022/writers: a pure function to `{ok, xml}` or `{ok: false, errors}` with input paths,
// and a refusal for anything the XSD or arithmetic would reject; in particular a statement whose
// opening plus entries is not its closing is never written (a bank that sends one is broken, and
// the mock must not be, or tier 3 would report the mock's bugs as discrepancies).
// Orders: AccountStatement9 is Id, ElctrncSeqNb, CreDtTm, FrToDt, CpyDplctInd, Acct, Bal, TxsSummry,
// Ntry; CashBalance8 is Tp, Amt, CdtDbtInd, Dt; ReportEntry10 as in camt.054.001.08.
// The entry builder repeats the one in writers/camt054.ts, which is not exported; exporting it
// there would let both share it.

import BigNumber from 'bignumber.js';
import { Checks } from '../../streams/iso20022/writers/checks.ts';
import {
  reportEntry,
  type Camt054Account,
  type Camt054Entry,
} from '../../streams/iso20022/writers/camt054.ts';
import { account, amountElement, eachTransaction } from '../../streams/iso20022/writers/parts.ts';
import { el, isoNamespace, leaf, optLeaf, renderDocument, type WriteOptions, type WriteResult, type XmlElement } from '../../streams/iso20022/writers/xml.ts';

export const CAMT053_VERSION = 'camt.053.001.08';

export const COPY_DUPLICATE = ['CODU', 'COPY', 'DUPL'] as const;

export interface Camt053Balance {
  /** Signed: a negative balance is written as its absolute value with CdtDbtInd DBIT. */
  readonly amount: BigNumber;
  /** ISODate. */
  readonly date: string;
}

export interface Camt053Input {
  readonly messageId: string;
  readonly creationDateTime: string;
  /** Stmt/Id. */
  readonly statementId: string;
  /** ElctrncSeqNb: consecutive per account, so a missing statement is visible. */
  readonly electronicSequenceNumber: number;
  /** FrToDt, ISODateTimes; both or neither. */
  readonly period?: { readonly from: string; readonly to: string };
  readonly copyDuplicate?: (typeof COPY_DUPLICATE)[number];
  readonly account: Camt054Account;
  /** OPBD. */
  readonly opening: Camt053Balance;
  /** CLBD. */
  readonly closing: Camt053Balance;
  /** Booked entries of the period; may be empty (a day without movements still has a statement). */
  readonly entries: readonly Camt054Entry[];
}

export function writeCamt053(input: Camt053Input, options: WriteOptions = {}): WriteResult {
  const c = new Checks();
  const ccy = input.account?.currency;
  const seq = input.electronicSequenceNumber;
  if (!(Number.isSafeInteger(seq) && seq >= 0)) c.add('AMOUNT_FORMAT', 'electronicSequenceNumber', `${seq} is not a whole number ≥ 0`);
  const list = Array.isArray(input.entries) ? input.entries : [];
  const entries = eachTransaction(c, list, 'entries').map(({ t, path }) => entry(c, path, t, ccy));
  const stmt = el(
    'Stmt',
    leaf('Id', c.id('statementId', input.statementId)),
    leaf('ElctrncSeqNb', String(seq)),
    leaf('CreDtTm', c.dateTime('creationDateTime', input.creationDateTime)),
    input.period === undefined
      ? undefined
      : el('FrToDt', leaf('FrDtTm', c.dateTime('period.from', input.period.from)), leaf('ToDtTm', c.dateTime('period.to', input.period.to))),
    optLeaf('CpyDplctInd', input.copyDuplicate === undefined ? undefined : c.code('copyDuplicate', input.copyDuplicate, COPY_DUPLICATE)),
    account(c, 'account', 'Acct', input.account),
    balance(c, 'opening', 'OPBD', input.opening, ccy),
    balance(c, 'closing', 'CLBD', input.closing, ccy),
    summary(c, list, ccy),
    entries,
  );
  checkContinuity(c, input, list);
  const root = el('BkToCstmrStmt', el('GrpHdr', leaf('MsgId', c.id('messageId', input.messageId)), leaf('CreDtTm', c.dateTime('creationDateTime', input.creationDateTime))), stmt);
  if (c.errors.length > 0) return { ok: false, errors: c.errors };
  return renderDocument(isoNamespace(CAMT053_VERSION), root, options);
}

function balance(c: Checks, path: string, code: string, b: Camt053Balance | undefined, currency: unknown): XmlElement {
  if (b === undefined || !BigNumber.isBigNumber(b.amount)) {
    c.add('REQUIRED_MISSING', `${path}.amount`, 'the balance amount is missing or not a BigNumber');
    return el('Bal');
  }
  const negative = b.amount.isNegative() && !b.amount.isZero();
  return el(
    'Bal',
    el('Tp', el('CdOrPrtry', leaf('Cd', code))),
    amountElement('Amt', c.amount(`${path}.amount`, b.amount.abs(), currency), currency),
    leaf('CdtDbtInd', negative ? 'DBIT' : 'CRDT'),
    el('Dt', leaf('Dt', c.date(`${path}.date`, b.date))),
  );
}

/** TotalTransactions6: count, sum and net of all entries, then credits and debits apart. */
function summary(c: Checks, entries: readonly Camt054Entry[], currency: unknown): XmlElement {
  const sum = (dir?: string) => entries.filter((e) => dir === undefined || e?.direction === dir).reduce((s, e) => s.plus(finite(e?.amount)), new BigNumber(0));
  const count = (dir?: string) => String(entries.filter((e) => dir === undefined || e?.direction === dir).length);
  const net = sum('CRDT').minus(sum('DBIT'));
  const money = (path: string, v: BigNumber) => c.amount(path, v, currency);
  return el(
    'TxsSummry',
    el(
      'TtlNtries',
      leaf('NbOfNtries', count()),
      leaf('Sum', money('entries(sum)', sum())),
      el('TtlNetNtry', leaf('Amt', money('entries(net)', net.abs())), leaf('CdtDbtInd', net.isNegative() ? 'DBIT' : 'CRDT')),
    ),
    el('TtlCdtNtries', leaf('NbOfNtries', count('CRDT')), leaf('Sum', money('entries(credits)', sum('CRDT')))),
    el('TtlDbtNtries', leaf('NbOfNtries', count('DBIT')), leaf('Sum', money('entries(debits)', sum('DBIT')))),
  );
}

function checkContinuity(c: Checks, input: Camt053Input, entries: readonly Camt054Entry[]): void {
  if (!BigNumber.isBigNumber(input.opening?.amount) || !BigNumber.isBigNumber(input.closing?.amount)) return;
  const moved = entries.reduce((s, e) => (e?.direction === 'DBIT' ? s.minus(finite(e.amount)) : s.plus(finite(e?.amount))), new BigNumber(0));
  const expected = input.opening.amount.plus(moved);
  if (!expected.eq(input.closing.amount)) {
    c.add('BALANCE_CONTINUITY', 'closing.amount', `opening ${input.opening.amount.toFixed()} + entries ${moved.toFixed()} = ${expected.toFixed()}, not ${input.closing.amount.toFixed()}`);
  }
}

function finite(v: unknown): BigNumber {
  return BigNumber.isBigNumber(v) && (v as BigNumber).isFinite() ? (v as BigNumber) : new BigNumber(0);
}

/** A booked entry in the account's currency, written as camt.054 writes its entries. */
function entry(c: Checks, path: string, e: Camt054Entry, currency: unknown): XmlElement {
  if (e.currency !== currency) c.add('CODE_INVALID', `${path}.currency`, `${JSON.stringify(e.currency)} differs from the account currency ${JSON.stringify(currency)}`);
  return reportEntry(c, path, e, ['BOOK']);
}
