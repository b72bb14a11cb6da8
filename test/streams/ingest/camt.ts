// Small camt.054.001.08 / camt.053.001.08 messages built inline for the ingestion tests, with the
// figures they carry kept beside them so the tests compute expected balances on their own.

export interface TestEntry {
  readonly amount: string;
  readonly currency: string;
  readonly direction: 'CRDT' | 'DBIT';
  readonly status?: 'BOOK' | 'PDNG';
  /** AcctSvcrRef; omitted when undefined, sent as is otherwise (e.g. NOTPROVIDED). */
  readonly ref?: string | undefined;
  /** EndToEndId of its one transaction; omitted when undefined. */
  readonly e2e?: string | undefined;
  /** Booking and value date, default 2024-05-01. */
  readonly date?: string | undefined;
}

export interface TestReport {
  readonly id: string;
  readonly iban: string;
  readonly entries: readonly TestEntry[];
}

function entryXml(e: TestEntry): string {
  return `<Ntry>${e.ref === undefined ? '' : ''}<Amt Ccy="${e.currency}">${e.amount}</Amt><CdtDbtInd>${e.direction}</CdtDbtInd>` +
    `<Sts><Cd>${e.status ?? 'BOOK'}</Cd></Sts><BookgDt><Dt>${e.date ?? '2024-05-01'}</Dt></BookgDt><ValDt><Dt>${e.date ?? '2024-05-01'}</Dt></ValDt>` +
    `${e.ref === undefined ? '' : `<AcctSvcrRef>${e.ref}</AcctSvcrRef>`}` +
    `<BkTxCd><Prtry><Cd>TEST</Cd></Prtry></BkTxCd>` +
    `${e.e2e === undefined ? '' : `<NtryDtls><TxDtls><Refs><EndToEndId>${e.e2e}</EndToEndId></Refs></TxDtls></NtryDtls>`}</Ntry>`;
}

/** A camt.054.001.08 with one Ntfctn per report. */
export function camt054(msgId: string, reports: readonly TestReport[]): string {
  const body = reports.map((r) => `<Ntfctn><Id>${r.id}</Id><CreDtTm>2024-05-01T10:00:00</CreDtTm>` +
    `<Acct><Id><IBAN>${r.iban}</IBAN></Id></Acct>${r.entries.map(entryXml).join('')}</Ntfctn>`).join('');
  return `<?xml version="1.0" encoding="UTF-8"?>
<Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.054.001.08"><BkToCstmrDbtCdtNtfctn>` +
    `<GrpHdr><MsgId>${msgId}</MsgId><CreDtTm>2024-05-01T10:00:00</CreDtTm></GrpHdr>${body}</BkToCstmrDbtCdtNtfctn></Document>`;
}

export interface TestStatement extends TestReport {
  readonly date: string;
  /** ElctrncSeqNb; omitted when undefined. */
  readonly seq?: string | undefined;
  readonly opening: string;
  readonly closing: string;
  readonly currency: string;
  /** CpyDplctInd (COPY, DUPL, CODU); omitted when undefined. */
  readonly copy?: string | undefined;
}

const balanceXml = (type: string, amount: string, currency: string, date: string): string => {
  const negative = amount.startsWith('-');
  return `<Bal><Tp><CdOrPrtry><Cd>${type}</Cd></CdOrPrtry></Tp><Amt Ccy="${currency}">${negative ? amount.slice(1) : amount}</Amt>` +
    `<CdtDbtInd>${negative ? 'DBIT' : 'CRDT'}</CdtDbtInd><Dt><Dt>${date}</Dt></Dt></Bal>`;
};

/** A camt.053.001.08 with one Stmt per statement; the balances must add up (the validator checks). */
export function camt053(msgId: string, statements: readonly TestStatement[]): string {
  const body = statements.map((s) => `<Stmt><Id>${s.id}</Id>${s.seq === undefined ? '' : `<ElctrncSeqNb>${s.seq}</ElctrncSeqNb>`}` +
    `<CreDtTm>${s.date}T20:00:00</CreDtTm>${s.copy === undefined ? '' : `<CpyDplctInd>${s.copy}</CpyDplctInd>`}` +
    `<Acct><Id><IBAN>${s.iban}</IBAN></Id></Acct>${balanceXml('OPBD', s.opening, s.currency, s.date)}${balanceXml('CLBD', s.closing, s.currency, s.date)}` +
    `${s.entries.map((e) => entryXml({ ...e, date: e.date ?? s.date })).join('')}</Stmt>`).join('');
  return `<?xml version="1.0" encoding="UTF-8"?>
<Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.053.001.08"><BkToCstmrStmt>` +
    `<GrpHdr><MsgId>${msgId}</MsgId><CreDtTm>2024-05-01T20:00:00</CreDtTm></GrpHdr>${body}</BkToCstmrStmt></Document>`;
}
