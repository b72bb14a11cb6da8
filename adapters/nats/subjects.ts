// deltran's JetStream streams, their subjects and the durable pull consumers deltran reads them
// with: one table, so `ensureStreams()`, the publishers and ARCHITECTURE.md ("Streams and
// subjects") cannot disagree. Inbound ISO 20022 is split by message type in the subject
// (`deltran.in.camt054`), so a consumer can filter on it and an operator can see the mix with
// `nats stream subjects`; the type list comes from the reader's catalogue, so a message type the
// reader learns gets its subject here by construction.
//
// `namespace` exists for tests and side-by-side installs: it prefixes every stream name
// (`T1A2B_DELTRAN_IN`) and every subject (`t1a2b.deltran.in.>`), so a test run never touches the
// production streams and can delete its own afterwards.

import type { MessageType } from '../../streams/iso20022/catalogue.ts';

const MESSAGE_TYPES = [
  'camt.052', 'camt.053', 'camt.054', 'camt.056', 'camt.029',
  'pacs.002', 'pacs.004', 'pacs.008', 'pacs.009', 'pain.001', 'pain.002',
] as const satisfies readonly MessageType[];

// A compile-time check that the list above is the whole catalogue: a new MessageType fails here.
type Missing = Exclude<MessageType, (typeof MESSAGE_TYPES)[number]>;
const complete: [Missing] extends [never] ? true : Missing = true;
void complete;

const DAY_MS = 86_400_000;

export interface ConsumerSpec {
  /** Durable name. */
  readonly durable: string;
  /** Subject filter inside the stream (one: 2.9.10 has no multiple filter_subjects). */
  readonly filter: string;
  readonly description: string;
}

export interface StreamSpec {
  /** Stream name without namespace. */
  readonly name: string;
  /** Subjects without namespace. */
  readonly subjects: readonly string[];
  readonly description: string;
  /** Messages older than this are dropped (they are in the journal or dead letters long before). */
  readonly maxAgeMs: number;
  readonly consumers: readonly ConsumerSpec[];
}

/** `camt.054` → `camt054`: a dot inside a subject token would make it two tokens. */
export function typeToken(type: MessageType): string {
  return type.replace('.', '');
}

/** The subject an inbound ISO 20022 message of this type is published on. */
export function inboundSubject(type: MessageType, namespace = ''): string {
  return ns(namespace, `deltran.in.${typeToken(type)}`);
}

export const INBOUND_SUBJECTS: readonly string[] = MESSAGE_TYPES.map((t) => `deltran.in.${typeToken(t)}`);

export const STREAMS: readonly StreamSpec[] = [
  {
    name: 'DELTRAN_IN',
    subjects: ['deltran.in.>'],
    description: 'Inbound ISO 20022 messages, one subject per message type: deltran.in.<camt054|pacs008|...>',
    maxAgeMs: 7 * DAY_MS,
    consumers: [{ durable: 'ingest', filter: 'deltran.in.>', description: 'Ingestion pipeline: read, validate, dedupe, apply to actors' }],
  },
  {
    name: 'DELTRAN_BANK',
    subjects: ['deltran.bank.>'],
    description: 'Bank notifications outside ISO 20022 (API webhooks, balance pushes): deltran.bank.<bic>.<event>',
    maxAgeMs: 7 * DAY_MS,
    consumers: [{ durable: 'bank-notifications', filter: 'deltran.bank.>', description: 'Bank events into account actors' }],
  },
  {
    name: 'DELTRAN_CLEARING',
    subjects: ['deltran.clearing.>'],
    description: 'Accepted obligations and window events: deltran.clearing.<obligation|window>.<corridor>',
    maxAgeMs: 30 * DAY_MS,
    consumers: [{ durable: 'clearing', filter: 'deltran.clearing.>', description: 'Corridor actors: netting per clearing window' }],
  },
  {
    name: 'DELTRAN_SETTLEMENT',
    subjects: ['deltran.settlement.>'],
    description: 'Settlement instructions out and confirmations back: deltran.settlement.<instruction|confirmation>.<ccy>',
    maxAgeMs: 30 * DAY_MS,
    consumers: [{ durable: 'settlement-confirmations', filter: 'deltran.settlement.confirmation.>', description: 'Bank confirmations of settlement instructions' }],
  },
  {
    name: 'DELTRAN_RECON',
    subjects: ['deltran.recon.>'],
    description: 'Reconciliation results and discrepancies: deltran.recon.<result|discrepancy>.<account>',
    maxAgeMs: 30 * DAY_MS,
    consumers: [{ durable: 'reconciliation', filter: 'deltran.recon.>', description: 'Reconciliation supervisor' }],
  },
  {
    name: 'DELTRAN_ALERTS',
    subjects: ['deltran.alerts.>'],
    description: 'Operator alerts (breaker trips, backing violations refused, poison): deltran.alerts.<severity>.<kind>',
    maxAgeMs: 30 * DAY_MS,
    // Alerts are for operators' tools; deltran publishes them and reads none back.
    consumers: [],
  },
];

/** Applies a namespace to a stream name: `t1a2b` + `DELTRAN_IN` → `T1A2B_DELTRAN_IN`. */
export function streamName(name: string, namespace = ''): string {
  return namespace === '' ? name : `${namespace.toUpperCase()}_${name}`;
}

/** Applies a namespace to a subject: `t1a2b` + `deltran.in.>` → `t1a2b.deltran.in.>`. */
export function ns(namespace: string, subject: string): string {
  return namespace === '' ? subject : `${namespace}.${subject}`;
}

/** The stream spec by its un-namespaced name (throws on a typo: streams are a closed set). */
export function streamSpec(name: string): StreamSpec {
  const spec = STREAMS.find((s) => s.name === name);
  if (spec === undefined) throw new Error(`unknown deltran stream ${name}`);
  return spec;
}
