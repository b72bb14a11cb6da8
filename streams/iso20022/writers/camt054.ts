// camt.054.001.08 (BkToCstmrDbtCdtNtfctn): how deltran tells a participant that its account was
// credited or debited (or will be: PDNG). Version .08 because it is the first with Refs/UETR, which
// lets a participant match the notification to its own pacs.008 without guessing. One Ntfctn per
// message (one account); each entry carries a single TxDtls with the references and the same amount.
// Orders: ReportEntry10 is Amt, CdtDbtInd, Sts, BookgDt, ValDt, AcctSvcrRef, BkTxCd, NtryDtls;
// TransactionReferences6 is AcctSvcrRef, EndToEndId, UETR (UETR before TxId, unlike pacs).

import type BigNumber from 'bignumber.js';
import { Checks } from './checks.ts';
import { account, amountElement, eachTransaction, type AccountInput } from './parts.ts';
import { el, isoNamespace, leaf, optLeaf, renderDocument, type WriteOptions, type WriteResult, type XmlElement } from './xml.ts';

export const CAMT054_VERSION = 'camt.054.001.08';

export const DIRECTIONS = ['CRDT', 'DBIT'] as const;
export type EntryDirection = (typeof DIRECTIONS)[number];
/** BOOK or PDNG only: INFO and the newer external codes are not something deltran reports. */
export const ENTRY_STATUSES = ['BOOK', 'PDNG'] as const;
export type EntryStatus = (typeof ENTRY_STATUSES)[number];

export interface BankTransactionCodeInput {
  readonly domain: string;
  readonly family: string;
  readonly subFamily: string;
}

/** Payments / received (or issued) credit transfers / cross-border credit transfer. */
export const DEFAULT_CREDIT_CODE: BankTransactionCodeInput = { domain: 'PMNT', family: 'RCDT', subFamily: 'ESCT' };
export const DEFAULT_DEBIT_CODE: BankTransactionCodeInput = { domain: 'PMNT', family: 'ICDT', subFamily: 'ESCT' };

export interface Camt054Entry {
  readonly amount: BigNumber;
  readonly currency: string;
  readonly direction: EntryDirection;
  readonly status: EntryStatus;
  /** Required for BOOK; for PDNG, the expected booking date if known. ISODate, or ISODateTime (written as DtTm). */
  readonly bookingDate?: string;
  readonly valueDate: string;
  readonly accountServicerReference: string;
  readonly endToEndId?: string;
  readonly uetr?: string;
  /** Defaults to PMNT/RCDT/ESCT for credits and PMNT/ICDT/ESCT for debits. */
  readonly bankTransactionCode?: BankTransactionCodeInput;
}

export type Camt054Account = AccountInput & { readonly currency: string };

export interface Camt054Input {
  readonly messageId: string;
  readonly creationDateTime: string;
  /** Ntfctn/Id. */
  readonly notificationId: string;
  readonly account: Camt054Account;
  readonly entries: readonly Camt054Entry[];
}

export function writeCamt054(input: Camt054Input, options: WriteOptions = {}): WriteResult {
  const c = new Checks();
  const creDtTm = c.dateTime('creationDateTime', input.creationDateTime);
  if (input.account !== undefined && input.account !== null && input.account.currency === undefined) {
    c.add('REQUIRED_MISSING', 'account.currency', 'the account currency is missing');
  }
  const entries = eachTransaction(c, c.list('entries', input.entries), 'entries').map(({ t, path }) => reportEntry(c, path, t));
  const root = el(
    'BkToCstmrDbtCdtNtfctn',
    el('GrpHdr', leaf('MsgId', c.id('messageId', input.messageId)), leaf('CreDtTm', creDtTm)),
    el(
      'Ntfctn',
      leaf('Id', c.id('notificationId', input.notificationId)),
      leaf('CreDtTm', creDtTm),
      account(c, 'account', 'Acct', input.account),
      entries,
    ),
  );
  if (c.errors.length > 0) return { ok: false, errors: c.errors };
  return renderDocument(isoNamespace(CAMT054_VERSION), root, options);
}

/** One ReportEntry10 with a single TxDtls; camt.053 (adapters/bank) writes its entries with it too. */
export function reportEntry(c: Checks, path: string, e: Camt054Entry, statuses: readonly EntryStatus[] = ENTRY_STATUSES): XmlElement {
  const amt = c.amount(`${path}.amount`, e.amount, e.currency);
  const dir = c.code(`${path}.direction`, e.direction, DIRECTIONS);
  const sts = c.code(`${path}.status`, e.status, statuses);
  if (sts === 'BOOK' && e.bookingDate === undefined) c.add('REQUIRED_MISSING', `${path}.bookingDate`, 'a booked entry needs its booking date');
  const dated = (name: string, field: 'bookingDate' | 'valueDate'): XmlElement => {
    const d = c.dateOrDateTime(`${path}.${field}`, e[field]);
    return el(name, leaf(d.kind, d.value));
  };
  const acctSvcrRef = c.id(`${path}.accountServicerReference`, e.accountServicerReference);
  const endToEndId = c.optId(`${path}.endToEndId`, e.endToEndId);
  const uetr = c.optUetr(`${path}.uetr`, e.uetr);
  return el(
    'Ntry',
    amountElement('Amt', amt, e.currency),
    leaf('CdtDbtInd', dir),
    el('Sts', leaf('Cd', sts)),
    e.bookingDate === undefined ? undefined : dated('BookgDt', 'bookingDate'),
    dated('ValDt', 'valueDate'),
    leaf('AcctSvcrRef', acctSvcrRef),
    bankTransactionCode(c, `${path}.bankTransactionCode`, e.bankTransactionCode ?? (dir === 'DBIT' ? DEFAULT_DEBIT_CODE : DEFAULT_CREDIT_CODE)),
    el(
      'NtryDtls',
      el(
        'TxDtls',
        el('Refs', leaf('AcctSvcrRef', acctSvcrRef), optLeaf('EndToEndId', endToEndId), optLeaf('UETR', uetr)),
        amountElement('Amt', amt, e.currency),
        leaf('CdtDbtInd', dir),
      ),
    ),
  );
}

/** BankTransactionCodeStructure4/Domn: Cd, Fmly (Cd, SubFmlyCd). */
function bankTransactionCode(c: Checks, path: string, b: BankTransactionCodeInput): XmlElement {
  return el(
    'BkTxCd',
    el(
      'Domn',
      leaf('Cd', c.externalCode(`${path}.domain`, b?.domain)),
      el('Fmly', leaf('Cd', c.externalCode(`${path}.family`, b?.family)), leaf('SubFmlyCd', c.externalCode(`${path}.subFamily`, b?.subFamily))),
    ),
  );
}
