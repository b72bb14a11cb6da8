// camt.052 / camt.053 / camt.054 rules. Entries are judged one at a time as they stream past, and
// what the end of the message needs from them (counts, sums, the booked movement per currency) is
// kept as running totals per Stmt/Rpt/Ntfctn, so a 100 MB statement is validated without its entries.
//
// Decisions worth knowing:
// - Balance continuity: opening (OPBD, else PRCD) + booked credits - booked debits = closing (CLBD),
//   with balance signs from their CdtDbtInd. It runs only when both balances are present,
//   unambiguous (one of each type), in one currency, and every booked entry is readable and in that
//   currency; reversals are not flipped (CdtDbtInd is the direction of the booking).
//   Some banks (PostFinance) report CLBD value-dated: a booked entry whose value date is after the
//   closing balance date is left out of it (it shows in FWAV). Both readings are accepted; the
//   check fails only when neither adds up.
//   camt.052: only a CLBD is checked. The interim booked balance ITBD is a snapshot taken at a time
//   the entries cannot be placed against (PostFinance's sample reports an entry booked after its
//   ITBD), so a difference there is no evidence of an error. Notifications (camt.054) carry a
//   selection of entries and are never checked.
// - TxsSummry counts and sums cover all entries of the block, booked or not, whatever their currency.
// - Batches: one Ntry may book N transactions. Btch/NbOfTxs and Btch/TtlAmt, and the entry amount
//   itself, are compared with the TxDtls only when there is more than one TxDtls (a single TxDtls
//   often carries the whole batch, and details may arrive later in a camt.054), only with one Btch
//   (several NtryDtls cannot be told apart in the model), and only in the entry's currency. A
//   difference is a warning: charges and FX legitimately make them differ.

import BigNumber from 'bignumber.js';
import type { MessageType } from '../catalogue.ts';
import { finding, type Finding } from '../findings.ts';
import type { Amount, Balance, Batch, Direction, Entry, Report, ReportMessage, TransactionDetails } from '../model.ts';
import { formatAmount } from '../money.ts';
import { checkOptionalAmount, fromScaled, scaledUnits, shownLike, usable } from './amount.ts';
import { chargePath, checkCharge } from './charges.ts';
import { checkDirection, checkEntryStatus, isDirection } from './codes.ts';
import { checkCount, checkSum, Tally } from './control.ts';
import { checkDateTime, checkDateValue } from './dates.ts';
import { checkHeader } from './header.ts';
import { checkAccount, checkAgent, checkParty, checkUetr } from './identifiers.ts';
import { BALANCE, ENTRY, missing, REPORT, requiredMissing } from './required.ts';
import { join, NONE, ownPath, type Fold, type Scope } from './scope.ts';
import { checkLength, checkRemittance, MAX35 } from './text.ts';

const ELEMENT = { 'camt.052': 'Rpt', 'camt.053': 'Stmt', 'camt.054': 'Ntfctn' } as const;
const OPENING = ['OPBD', 'PRCD'];
const CLOSING: Partial<Record<MessageType, readonly string[]>> = { 'camt.053': ['CLBD'], 'camt.052': ['CLBD'] };

/** What the end of the message needs to know about one block's entries. */
class BlockTally {
  readonly all = new Tally();
  readonly credits = new Tally();
  readonly debits = new Tally();
  directionsKnown = true;
  /** Booked credits and debits, in `bookedCurrencies` (one, when continuity can run). */
  private bookedCreditUnits = 0n;
  private bookedDebitUnits = 0n;
  readonly bookedCurrencies = new Set<string>();
  bookedKnown = true;
  /** Booked credits minus debits per value date (YYYY-MM-DD); few keys, whatever the entry count. */
  readonly bookedByValueDate = new Map<string, bigint>();

  add(e: Entry): void {
    this.all.add(e.amount);
    if (e.direction === 'CRDT') this.credits.add(e.amount);
    else if (e.direction === 'DBIT') this.debits.add(e.amount);
    else this.directionsKnown = false;
    if (e.status === 'BOOK') this.addBooked(e.amount, e.direction, e.valueDate?.value.slice(0, 10));
    else if (e.status === undefined) this.bookedKnown = false;
  }

  private addBooked(a: Amount | undefined, d: Direction | undefined, valueDate: string | undefined): void {
    if (!usable(a) || !isDirection(d)) {
      this.bookedKnown = false;
      return;
    }
    this.bookedCurrencies.add(a.currency);
    const units = scaledUnits(a);
    if (d === 'CRDT') this.bookedCreditUnits += units;
    else this.bookedDebitUnits += units;
    if (valueDate !== undefined) {
      const net = d === 'CRDT' ? units : -units;
      this.bookedByValueDate.set(valueDate, (this.bookedByValueDate.get(valueDate) ?? 0n) + net);
    }
  }

  /** Booked credits minus booked debits. */
  get booked(): BigNumber {
    return fromScaled(this.bookedCreditUnits - this.bookedDebitUnits);
  }

  get bookedCredits(): BigNumber {
    return fromScaled(this.bookedCreditUnits);
  }

  get bookedDebits(): BigNumber {
    return fromScaled(this.bookedDebitUnits);
  }

  /** The booked movement without entries value-dated after `date` (the value-dated reading). */
  bookedUntil(date: string): BigNumber {
    let late = 0n;
    for (const [d, net] of this.bookedByValueDate) if (d > date) late += net;
    return fromScaled(this.bookedCreditUnits - this.bookedDebitUnits - late);
  }
}

export function reportFold(scope: Scope): Fold {
  const tallies = new Map<number, BlockTally>();
  const tallyOf = (i: number) => {
    let t = tallies.get(i);
    if (t === undefined) tallies.set(i, (t = new BlockTally()));
    return t;
  };
  return {
    record(rec, path, containerIndex) {
      const e = rec as Entry;
      scope.findings.push(...checkEntry(scope, e, path));
      tallyOf(containerIndex).add(e);
    },
    finish(message) {
      const m = message as ReportMessage;
      const element = ELEMENT[m.type];
      scope.findings.push(...checkHeader(scope, m.header));
      if (m.reports.length === 0) scope.findings.push(requiredMissing(scope, element, true));
      for (const r of m.reports) {
        scope.findings.push(...checkReport(scope, r, `${element}[${r.index}]`, tallyOf(r.index)));
      }
    },
  };
}

// ---- entries ------------------------------------------------------------------------------------

// The two functions below run for every entry and every TxDtls of every statement: they append to
// one list instead of spreading dozens of small ones, and build a path only for what is present.
export function checkEntry(scope: Scope, e: Entry, path: string): readonly Finding[] {
  const out: Finding[] = [];
  add(out, missing(scope, ENTRY, e, path));
  add(out, checkDirection(e.direction, `${path}/CdtDbtInd`, true));
  if (e.amount !== undefined) add(out, checkOptionalAmount(e.amount, `${path}/Amt`));
  if (e.status !== undefined) add(out, checkEntryStatus(scope, e.status, join(path, ownPath(scope, 'entryStatus', 'Sts'))));
  if (e.bookingDate !== undefined) add(out, checkDateValue(e.bookingDate, `${path}/BookgDt`));
  if (e.valueDate !== undefined) add(out, checkDateValue(e.valueDate, `${path}/ValDt`));
  add(out, checkLength(e.entryReference, MAX35, `${path}/NtryRef`));
  add(out, checkLength(e.accountServicerReference, MAX35, `${path}/AcctSvcrRef`));
  const charges = e.charges ?? [];
  for (let i = 0; i < charges.length; i++) add(out, checkCharge(scope, charges[i]!, chargePath(scope, path, i)));
  const batches = e.batches ?? [];
  for (let i = 0; i < batches.length; i++) add(out, checkBatch(batches[i]!, batchPath(e, path, i)));
  const details = e.details ?? [];
  for (const d of details) add(out, checkDetails(scope, d, `${path}/NtryDtls/TxDtls[${d.index}]`));
  add(out, checkBatchTotals(e, path));
  return out.length === 0 ? NONE : out;
}

function add(out: Finding[], found: readonly Finding[]): void {
  for (let i = 0; i < found.length; i++) out.push(found[i]!);
}

/** Btch is 0..1 per NtryDtls; the model flattens NtryDtls, so several batches get an ordinal. */
function batchPath(e: Entry, base: string, i: number): string {
  return e.batches.length === 1 ? `${base}/NtryDtls/Btch` : `${base}/NtryDtls/Btch[${i}]`;
}

function checkBatch(b: Batch, path: string): readonly Finding[] {
  return [
    ...checkOptionalAmount(b.totalAmount, `${path}/TtlAmt`),
    ...checkDirection(b.direction, `${path}/CdtDbtInd`, false),
    ...checkLength(b.messageId, MAX35, `${path}/MsgId`),
    ...checkLength(b.paymentInformationId, MAX35, `${path}/PmtInfId`),
  ];
}

function checkDetails(scope: Scope, d: TransactionDetails, path: string): readonly Finding[] {
  const out: Finding[] = [];
  const refs = d.refs ?? {};
  if (d.amount !== undefined) add(out, checkOptionalAmount(d.amount, `${path}/${ownPath(scope, 'detailsAmount', 'Amt')}`));
  add(out, checkDirection(d.direction, `${path}/CdtDbtInd`, false));
  if (d.instructedAmount !== undefined) add(out, checkOptionalAmount(d.instructedAmount, `${path}/AmtDtls/InstdAmt/Amt`));
  // In v02 the details amount is AmtDtls/TxAmt/Amt itself: judge it once.
  if (d.transactionAmount !== undefined && ownPath(scope, 'detailsAmount', 'Amt') !== 'AmtDtls/TxAmt/Amt') {
    add(out, checkOptionalAmount(d.transactionAmount, `${path}/AmtDtls/TxAmt/Amt`));
  }
  if (d.counterValueAmount !== undefined) add(out, checkOptionalAmount(d.counterValueAmount, `${path}/AmtDtls/CntrValAmt/Amt`));
  checkRefLength(out, refs.messageId, path, 'Refs/MsgId');
  checkRefLength(out, refs.accountServicerReference, path, 'Refs/AcctSvcrRef');
  checkRefLength(out, refs.paymentInformationId, path, 'Refs/PmtInfId');
  checkRefLength(out, refs.instructionId, path, 'Refs/InstrId');
  checkRefLength(out, refs.endToEndId, path, 'Refs/EndToEndId');
  checkRefLength(out, refs.transactionId, path, 'Refs/TxId');
  checkRefLength(out, refs.mandateId, path, 'Refs/MndtId');
  if (refs.uetr !== undefined) add(out, checkUetr(refs.uetr, join(path, ownPath(scope, 'uetr', 'Refs/UETR'))));
  const parties = `${path}/RltdPties`;
  if (d.debtor !== undefined) add(out, checkParty(scope, d.debtor, join(parties, ownPath(scope, 'relatedDebtor', 'Dbtr'))));
  if (d.debtorAccount !== undefined) add(out, checkAccount(d.debtorAccount, `${parties}/DbtrAcct`));
  if (d.ultimateDebtor !== undefined) add(out, checkParty(scope, d.ultimateDebtor, join(parties, ownPath(scope, 'relatedUltimateDebtor', 'UltmtDbtr'))));
  if (d.creditor !== undefined) add(out, checkParty(scope, d.creditor, join(parties, ownPath(scope, 'relatedCreditor', 'Cdtr'))));
  if (d.creditorAccount !== undefined) add(out, checkAccount(d.creditorAccount, `${parties}/CdtrAcct`));
  if (d.ultimateCreditor !== undefined) add(out, checkParty(scope, d.ultimateCreditor, join(parties, ownPath(scope, 'relatedUltimateCreditor', 'UltmtCdtr'))));
  if (d.debtorAgent !== undefined) add(out, checkAgent(scope, d.debtorAgent, `${path}/RltdAgts/DbtrAgt`));
  if (d.creditorAgent !== undefined) add(out, checkAgent(scope, d.creditorAgent, `${path}/RltdAgts/CdtrAgt`));
  const charges = d.charges ?? [];
  for (let i = 0; i < charges.length; i++) add(out, checkCharge(scope, charges[i]!, chargePath(scope, path, i)));
  add(out, checkRemittance(d.remittance, path));
  return out.length === 0 ? NONE : out;
}

/** A Max35Text reference: the path is built only for a value that is too long. */
function checkRefLength(out: Finding[], text: string | undefined, path: string, rel: string): void {
  if (text !== undefined && text.length > MAX35) add(out, checkLength(text, MAX35, `${path}/${rel}`));
}

/**
 * The TxDtls amounts, signed relative to `direction` (a detail booked the other way subtracts; one
 * without CdtDbtInd counts with the batch), or undefined when one is unreadable or in another currency.
 */
export function detailsTotal(details: readonly TransactionDetails[], currency: string, direction: unknown): BigNumber | undefined {
  let sum = new BigNumber(0);
  for (const d of details) {
    if (!usable(d.amount) || d.amount.currency !== currency) return undefined;
    const opposite = isDirection(direction) && isDirection(d.direction) && d.direction !== direction;
    sum = opposite ? sum.minus(d.amount.value) : sum.plus(d.amount.value);
  }
  return sum;
}

function checkBatchTotals(e: Entry, path: string): readonly Finding[] {
  const details = e.details ?? [];
  if (details.length <= 1) return NONE;
  const out: Finding[] = [];
  const n = details.length;
  if (usable(e.amount)) {
    const total = detailsTotal(details, e.amount.currency, e.direction);
    if (total !== undefined && !total.eq(e.amount.value)) {
      out.push(finding('BATCH_DETAILS_MISMATCH', `${path}/Amt`, `the entry books ${e.amount.lexical} ${e.amount.currency}, its ${n} TxDtls add up to ${shownLike(total, e.amount.lexical)}`));
    }
  }
  const batches = e.batches ?? [];
  if (batches.length !== 1) return out;
  const b = batches[0]!;
  const bp = `${path}/NtryDtls/Btch`;
  if (b.numberOfTransactions !== undefined && /^[0-9]+$/.test(b.numberOfTransactions) && Number(b.numberOfTransactions) !== n) {
    out.push(finding('BATCH_DETAILS_MISMATCH', `${bp}/NbOfTxs`, `the batch says ${b.numberOfTransactions} transactions, the entry has ${n} TxDtls`));
  }
  if (usable(b.totalAmount)) {
    const total = detailsTotal(details, b.totalAmount.currency, b.direction ?? e.direction);
    if (total !== undefined && !total.eq(b.totalAmount.value)) {
      out.push(finding('BATCH_DETAILS_MISMATCH', `${bp}/TtlAmt`, `the batch total is ${b.totalAmount.lexical} ${b.totalAmount.currency}, its ${n} TxDtls add up to ${shownLike(total, b.totalAmount.lexical)}`));
    }
  }
  return out;
}

// ---- statement blocks -----------------------------------------------------------------------------

function checkReport(scope: Scope, r: Report, path: string, tally: BlockTally): readonly Finding[] {
  return [
    ...missing(scope, REPORT, r, path),
    ...checkLength(r.id, MAX35, `${path}/Id`),
    ...checkDateTime(r.creationDateTime, `${path}/CreDtTm`),
    ...checkDateTime(r.fromDateTime, `${path}/FrToDt/FrDtTm`),
    ...checkDateTime(r.toDateTime, `${path}/FrToDt/ToDtTm`),
    ...checkAccount(r.account, `${path}/Acct`),
    ...checkAgent(scope, r.accountServicer, `${path}/Acct/Svcr`),
    ...r.balances.flatMap((b) => checkBalance(scope, b, `${path}/Bal[${b.index}]`)),
    ...checkSummary(r, `${path}/TxsSummry`, tally),
    ...checkContinuity(scope, r, path, tally),
  ];
}

function checkBalance(scope: Scope, b: Balance, path: string): readonly Finding[] {
  return [
    ...missing(scope, BALANCE, b, path),
    ...checkDirection(b.direction, `${path}/CdtDbtInd`, true),
    ...checkOptionalAmount(b.amount, `${path}/Amt`),
    ...checkDateValue(b.date, `${path}/Dt`),
  ];
}

function checkSummary(r: Report, path: string, t: BlockTally): readonly Finding[] {
  const s = r.summary;
  if (s === undefined) return NONE;
  const out = [
    ...checkCount(s.count, t.all.count, `${path}/TtlNtries/NbOfNtries`, 'entries'),
    ...checkSum(s.sum?.lexical, t.all.total(), `${path}/TtlNtries/Sum`, 'entry amounts'),
  ];
  if (!t.directionsKnown) return out;
  out.push(
    ...checkCount(s.credits?.count, t.credits.count, `${path}/TtlCdtNtries/NbOfNtries`, 'credit entries'),
    ...checkSum(s.credits?.sum?.lexical, t.credits.total(), `${path}/TtlCdtNtries/Sum`, 'credit entries'),
    ...checkCount(s.debits?.count, t.debits.count, `${path}/TtlDbtNtries/NbOfNtries`, 'debit entries'),
    ...checkSum(s.debits?.sum?.lexical, t.debits.total(), `${path}/TtlDbtNtries/Sum`, 'debit entries'),
  );
  const credits = t.credits.total();
  const debits = t.debits.total();
  if (s.net !== undefined && credits !== undefined && debits !== undefined) {
    out.push(...checkNet(s.net.amount, s.net.direction, credits.minus(debits), `${path}/TtlNtries/TtlNetNtry/Amt`));
  }
  return out;
}

/** TtlNetNtry: an unsigned amount with a CdtDbtInd, against credits minus debits. */
function checkNet(amount: Amount, direction: unknown, actual: BigNumber, path: string): readonly Finding[] {
  const declared = usable(amount) ? amount.value : undefined;
  if (declared === undefined || !isDirection(direction)) return NONE;
  const signed = direction === 'DBIT' ? declared.negated() : declared;
  if (signed.eq(actual)) return NONE;
  return [finding('CONTROL_SUM', path, `says ${amount.lexical} ${direction}, credit minus debit entries give ${shownLike(actual, amount.lexical)}`)];
}

/** The one balance of the first type present, null when that type occurs more than once. */
export function balanceOf(balances: readonly Balance[], types: readonly string[]): Balance | null | undefined {
  for (const t of types) {
    const found = balances.filter((b) => b.type === t);
    if (found.length === 1) return found[0]!;
    if (found.length > 1) return null;
  }
  return undefined;
}

/** A balance as a signed amount (DBIT is negative), when its amount and CdtDbtInd are readable. */
function signed(b: Balance): { value: BigNumber; currency: string } | undefined {
  if (!usable(b.amount) || !isDirection(b.direction)) return undefined;
  return { value: b.direction === 'DBIT' ? b.amount.value.negated() : b.amount.value, currency: b.amount.currency };
}

function checkContinuity(scope: Scope, r: Report, path: string, t: BlockTally): readonly Finding[] {
  const closingTypes = CLOSING[scope.type];
  if (closingTypes === undefined) return NONE;
  const opening = balanceOf(r.balances, OPENING);
  const closing = balanceOf(r.balances, closingTypes);
  if (opening == null || closing == null) return NONE;
  const o = signed(opening);
  const c = signed(closing);
  if (o === undefined || c === undefined || o.currency !== c.currency) return NONE;
  const { currency } = c;
  if (!t.bookedKnown || [...t.bookedCurrencies].some((x) => x !== currency)) return NONE;
  const open = o.value;
  const close = c.value;
  const expected = open.plus(t.booked);
  if (expected.eq(close)) return NONE;
  const closingDate = closing.date?.value.slice(0, 10);
  if (closingDate !== undefined && open.plus(t.bookedUntil(closingDate)).eq(close)) return NONE;
  const show = (v: BigNumber) => formatAmount(v, currency);
  return [
    finding(
      'BALANCE_CONTINUITY',
      `${path}/Bal[${closing.index}]`,
      `opening ${opening.type} ${show(open)} + booked credits ${show(t.bookedCredits)} - booked debits ${show(t.bookedDebits)} = ${show(expected)} ${currency}, but the closing ${closing.type} balance is ${show(close)}`,
    ),
  ];
}
