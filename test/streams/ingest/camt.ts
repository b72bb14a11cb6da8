// Small camt.054.001.08 / camt.053.001.08 messages built inline for the ingestion tests, with the
// figures they carry kept beside them so the tests compute expected balances on their own.

export interface TestEntry {
  readonly amount: string;
  readonly currency: string;
  readonly direction: 'CRDT' | 'DBIT';
  readonly status?: 'BOOK' | 'PDNG';
  /** AcctSvcrRef; omitted when undefined, sent as is otherwise (e.g. NOTPROVIDED). */
  readonly ref?: string | undefined;
}

export interface TestReport {
  readonly id: string;
  readonly iban: string;
  readonly entries: readonly TestEntry[];
}

function entryXml(e: TestEntry): string {
  return `<Ntry>${e.ref === undefined ? '' : ''}<Amt Ccy="${e.currency}">${e.amount}</Amt><CdtDbtInd>${e.direction}</CdtDbtInd>` +
    `<Sts><Cd>${e.status ?? 'BOOK'}</Cd></Sts><BookgDt><Dt>2024-05-01</Dt></BookgDt><ValDt><Dt>2024-05-01</Dt></ValDt>` +
    `${e.ref === undefined ? '' : `<AcctSvcrRef>${e.ref}</AcctSvcrRef>`}` +
    `<BkTxCd><Prtry><Cd>TEST</Cd></Prtry></BkTxCd></Ntry>`;
}

/** A camt.054.001.08 with one Ntfctn per report. */
export function camt054(msgId: string, reports: readonly TestReport[]): string {
  const body = reports.map((r) => `<Ntfctn><Id>${r.id}</Id><CreDtTm>2024-05-01T10:00:00</CreDtTm>` +
    `<Acct><Id><IBAN>${r.iban}</IBAN></Id></Acct>${r.entries.map(entryXml).join('')}</Ntfctn>`).join('');
  return `<?xml version="1.0" encoding="UTF-8"?>
<Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.054.001.08"><BkToCstmrDbtCdtNtfctn>` +
    `<GrpHdr><MsgId>${msgId}</MsgId><CreDtTm>2024-05-01T10:00:00</CreDtTm></GrpHdr>${body}</BkToCstmrDbtCdtNtfctn></Document>`;
}
