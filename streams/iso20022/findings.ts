// Findings are values, never exceptions: every problem the reader or the validator sees becomes a
// Finding with a stable code, the path of the element it is about, and a sentence for a human.
// The severity of each code is decided once, in SEVERITY below, so that the grading is a single
// table a reviewer can read (and that README/ARCHITECTURE quote).

export type Severity = 'error' | 'warning';

export interface Finding {
  readonly code: FindingCode;
  readonly severity: Severity;
  /** Element path inside the message, e.g. `Stmt[0]/Ntry[3]/Amt`; '' for the whole input. */
  readonly path: string;
  readonly message: string;
}

/**
 * The catalogue. `error` means the message cannot be trusted and is rejected; `warning` means it
 * is kept and flagged (real bank files are often not schema-perfect, and rejecting a statement for a
 * 141-character remittance line would lose real money information).
 */
export const SEVERITY = {
  // Input that is not a readable ISO 20022 document at all.
  INPUT_UNREADABLE: 'error', // the file or stream could not be read
  INPUT_EMPTY: 'error', // zero bytes, or only whitespace
  ENCODING_INVALID: 'error', // bytes are not valid in the declared (or default UTF-8) encoding
  ENCODING_UNSUPPORTED: 'error', // an encoding other than UTF-8/16, ISO-8859-1/15, US-ASCII, windows-1252
  XML_MALFORMED: 'error', // not well-formed XML (includes truncated input)
  XML_DOCTYPE_FORBIDDEN: 'error', // ISO 20022 never uses a DTD; refusing it blocks entity expansion and XXE
  XML_TOO_DEEP: 'error', // nesting beyond the limit (ISO 20022 messages stay far below it)
  XML_TOO_LARGE: 'error', // one text node or one record beyond its limit
  DOCUMENT_MISSING: 'error', // well-formed XML without any ISO 20022 Document element
  DOCUMENT_EMPTY: 'error', // a Document element without a message inside
  NAMESPACE_MISSING: 'error', // Document without a namespace (e.g. a misspelt `Xmlns=`)
  NAMESPACE_UNVERSIONED: 'error', // `urn:iso:std:iso:20022:tech:xsd:camt` without message and version
  NAMESPACE_UNKNOWN: 'error', // a namespace that is not ISO 20022 (nor a known national variant)
  MESSAGE_UNSUPPORTED: 'error', // an ISO 20022 message deltran does not read (e.g. pacs.003)
  VERSION_UNSUPPORTED: 'error', // a known message in a version outside the supported range
  ROOT_MISMATCH: 'error', // the message root element does not belong to the namespace's message
  UNEXPECTED_ELEMENT: 'warning', // an element the schemas of this message do not define at that place
  VERSION_ELEMENT: 'warning', // an element name of another version (e.g. BIC inside a .04 document)
  APPHDR_MISMATCH: 'warning', // head.001 MsgDefIdr differs from the Document namespace (CBPR+ samples do this)
  // Content rules.
  REQUIRED_MISSING: 'error', // an element the message's schema requires, for this version
  AMOUNT_FORMAT: 'error', // not an unsigned decimal with at most 18 digits and 5 decimals
  AMOUNT_PRECISION: 'warning', // more decimals than the currency's ISO 4217 minor units (e.g. EUR 18.150)
  CURRENCY_UNKNOWN: 'error', // not an active ISO 4217 code
  CODE_INVALID: 'error', // a closed code list value that is not in the list (CdtDbtInd, Sts ...)
  CODE_UNKNOWN: 'warning', // a value outside an external code list as deltran knows it (those lists change quarterly)
  DATE_INVALID: 'error', // not an ISO date / date-time
  IBAN_INVALID: 'warning', // bad checksum or length; test IBANs in bank samples fail mod-97
  BIC_INVALID: 'warning', // neither the pre-2014 nor the 2014 BIC pattern
  UETR_INVALID: 'warning', // not a lowercase UUID v4
  TEXT_TOO_LONG: 'warning', // over the Max35Text / Max140Text ... facet
  CONTROL_COUNT: 'error', // NbOfTxs / TtlNtries / Btch NbOfTxs differs from the transactions counted
  CONTROL_SUM: 'error', // CtrlSum / TxsSummry Sum / Btch TtlAmt differs from the amounts added
  BALANCE_CONTINUITY: 'error', // opening + booked credits - booked debits differs from closing
  BATCH_DETAILS_MISMATCH: 'warning', // an entry's TxDtls amounts do not add up to the entry (often legitimate)
} as const satisfies Record<string, Severity>;

export type FindingCode = keyof typeof SEVERITY;

export function finding(code: FindingCode, path: string, message: string): Finding {
  return { code, severity: SEVERITY[code], path, message };
}

export function hasError(findings: readonly Finding[]): boolean {
  return findings.some((f) => f.severity === 'error');
}

/** `CODE at path: message`, the one-line form used in logs, dead letters and the CLI. */
export function formatFinding(f: Finding): string {
  return f.path === '' ? `${f.code}: ${f.message}` : `${f.code} at ${f.path}: ${f.message}`;
}
