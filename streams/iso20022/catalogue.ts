// Which messages deltran reads: for each message type, its root element under Document, the
// versions accepted, and the repeating "record" elements that are streamed one at a time (so a
// 100 MB statement never sits in memory as a whole). The version of a message always comes from
// the Document namespace, parsed by `parseNamespace`, never from a hard-coded string.

export type MessageType =
  | 'camt.052'
  | 'camt.053'
  | 'camt.054'
  | 'camt.056'
  | 'camt.029'
  | 'pacs.002'
  | 'pacs.004'
  | 'pacs.008'
  | 'pacs.009'
  | 'pain.001'
  | 'pain.002';

export interface MessageSpec {
  readonly root: string;
  /** Accepted versions per variant (001 is ISO's global variant; 002/003 are old SEPA ones). */
  readonly versions: Readonly<Record<number, readonly [number, number]>>;
  /** Streamed record element → the parent element names it is a record under. */
  readonly records: Readonly<Record<string, readonly string[]>>;
}

const CAMT_REPORT = { versions: { 1: [1, 13] }, records: { Ntry: ['Stmt', 'Rpt', 'Ntfctn'] } } as const;

export const MESSAGES: Readonly<Record<MessageType, MessageSpec>> = {
  'camt.052': { root: 'BkToCstmrAcctRpt', ...CAMT_REPORT },
  'camt.053': { root: 'BkToCstmrStmt', ...CAMT_REPORT },
  'camt.054': { root: 'BkToCstmrDbtCdtNtfctn', ...CAMT_REPORT },
  'camt.056': { root: 'FIToFIPmtCxlReq', versions: { 1: [1, 12] }, records: {} },
  'camt.029': { root: 'RsltnOfInvstgtn', versions: { 1: [3, 14] }, records: {} },
  'pacs.002': { root: 'FIToFIPmtStsRpt', versions: { 1: [3, 15] }, records: { TxInfAndSts: ['FIToFIPmtStsRpt'] } },
  'pacs.004': { root: 'PmtRtr', versions: { 1: [2, 14] }, records: { TxInf: ['PmtRtr'] } },
  'pacs.008': { root: 'FIToFICstmrCdtTrf', versions: { 1: [2, 13] }, records: { CdtTrfTxInf: ['FIToFICstmrCdtTrf'] } },
  'pacs.009': { root: 'FICdtTrf', versions: { 1: [2, 12] }, records: { CdtTrfTxInf: ['FICdtTrf'] } },
  'pain.001': {
    root: 'CstmrCdtTrfInitn',
    versions: { 1: [3, 12], 2: [3, 3], 3: [3, 3] },
    records: { CdtTrfTxInf: ['PmtInf'] },
  },
  'pain.002': { root: 'CstmrPmtStsRpt', versions: { 1: [3, 14], 2: [3, 3], 3: [3, 3] }, records: {} },
};

const BY_ROOT = new Map<string, MessageType>(
  Object.entries(MESSAGES).map(([type, spec]) => [spec.root, type as MessageType]),
);

export function typeOfRoot(root: string): MessageType | undefined {
  return BY_ROOT.get(root);
}

/** `camt.053.001.02`, split. `national` holds a suffix such as `ch.02` (SIX). */
export interface MessageId {
  readonly id: string;
  readonly type: string;
  readonly variant: number;
  readonly version: number;
  readonly national?: string;
}

export type NamespaceResult =
  | { readonly ok: true; readonly message: MessageId }
  | { readonly ok: false; readonly code: 'NAMESPACE_MISSING' | 'NAMESPACE_UNVERSIONED' | 'NAMESPACE_UNKNOWN' };

const ISO_NS = /^urn:iso:std:iso:20022:tech:xsd:([a-z]{4}\.\d{3}\.\d{3}\.\d{2}(?:\.[a-z]{2}\.\d{2})?)$/;
const ISO_UNVERSIONED = /^urn:iso:std:iso:20022:tech:xsd:[a-z]{4}(?:\.\d{3})?$/;
// National variants published outside ISO's URN space, e.g. SIX's Swiss pain.001.001.03.ch.02.
const URL_NS = /^https?:\/\/[^ ]*\/([a-z]{4}\.\d{3}\.\d{3}\.\d{2}(?:\.[a-z]{2}\.\d{2})?)\.xsd$/;

const parsed = new Map<string, NamespaceResult>();

export function parseNamespace(uri: string | undefined): NamespaceResult {
  if (uri === undefined || uri === '') return { ok: false, code: 'NAMESPACE_MISSING' };
  let r = parsed.get(uri);
  if (r === undefined) {
    r = parseUri(uri);
    // Bounded: a stream of messages with random namespaces must not grow the cache forever.
    if (parsed.size < 1024) parsed.set(uri, r);
  }
  return r;
}

function parseUri(uri: string): NamespaceResult {
  const m = ISO_NS.exec(uri) ?? URL_NS.exec(uri);
  if (m === null) {
    return { ok: false, code: ISO_UNVERSIONED.test(uri) ? 'NAMESPACE_UNVERSIONED' : 'NAMESPACE_UNKNOWN' };
  }
  return { ok: true, message: parseMessageId(m[1]!) };
}

/** Parses an identifier such as `pacs.008.001.08` (BAH MsgDefIdr uses the same form). */
export function parseMessageId(id: string): MessageId {
  const [area, num, variant, version, c1, c2] = id.split('.');
  const national = c1 !== undefined && c2 !== undefined ? `${c1}.${c2}` : undefined;
  return {
    id,
    type: `${area}.${num}`,
    variant: Number(variant),
    version: Number(version),
    ...(national === undefined ? {} : { national }),
  };
}

export function isSupported(type: string): type is MessageType {
  return Object.hasOwn(MESSAGES, type);
}

export function versionSupported(type: MessageType, m: MessageId): boolean {
  const range = MESSAGES[type].versions[m.variant];
  return range !== undefined && m.version >= range[0] && m.version <= range[1];
}
