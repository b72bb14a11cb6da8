// StatusReports (actors/clearing/ports.ts) as pacs.002.001.10 documents in the outbox: one document
// per original message (sender + GrpHdr/MsgId) and per call, to that message's sender, with one
// TxInfAndSts per obligation:
//
//   accepted   ACCP  on arrival, the obligation is in a window
//   rejected   RJCT  on arrival, Rsn/Cd = OBLIGATION_REJECTIONS[code], AddtlInf = "<field>: <message>"
//   settled    ACSC  its window settled
//   failed     RJCT  its window failed, Rsn/Cd NARR, AddtlInf = the reason
//
// Obligations without an origin, or from the JSON bulk endpoint (`messageType: 'json'`), have no
// message to answer and get none (the HTTP answer was their report).
//
// Written to the outbox before anything is published: the row is the report. Each obligation of
// an original message is reported at most once per stage (outbox.ts writeOnce): the same call
// again (a redelivered message, a resumed window, the pipeline and the clearing service both
// reporting an arrival) writes nothing new, and a call covering partly reported obligations writes
// a report of the rest. An RJCT is never sent for an obligation of the same message already
// answered ACCP (its own message delivered again after a lost acknowledgement meets the intake's
// DUPLICATE): the first answer stands. The pacs.002 MsgId is derived from the stage, the original
// message and the obligation ids, so a retried write is the same document.

import { createHash } from 'node:crypto';
import { OBLIGATION_REJECTIONS, type ObligationInput, type ObligationVerdict, type StatusReports } from '../../actors/clearing/ports.ts';
import { isUetr } from '../../streams/iso20022/validate/identifiers.ts';
import { writePacs002, type Pacs002Transaction, type PaymentStatus } from '../../streams/iso20022/writers/index.ts';
import type { Database } from '../db/database.ts';
import { Outbox, type NewOutboundMessage, type OutboundMessage, type OutboundPublisher } from './outbox.ts';
import type { SettlementLog } from './settler.ts';

export interface Pacs002ReportsOptions {
  readonly db: Database;
  /** Publishes each new report on `deltran.out.<BIC>.pacs002` once it is durable. */
  readonly publisher?: OutboundPublisher | undefined;
  /** NATS namespace (adapters/nats/subjects.ts `ns`). */
  readonly namespace?: string | undefined;
  /** CreDtTm of the reports. Default Date.now. */
  readonly now?: (() => number) | undefined;
  readonly log?: SettlementLog | undefined;
}

type Rejection = { readonly obligation: ObligationInput; readonly verdict: Extract<ObligationVerdict, { status: 'REJECTED' }> };

interface Line {
  readonly obligation: ObligationInput;
  readonly status: PaymentStatus;
  readonly reason?: string;
  readonly info?: string;
}

const ADDTL_INF_MAX = 105;
const ADDTL_INF_LINES = 2;
const PUBLISH_BATCH = 200;

/** `deltran.out.<BIC>.pacs002`: where a participant's pacs.002 are published. */
export function outboundSubject(bic: string, namespace = ''): string {
  const s = `deltran.out.${bic}.pacs002`;
  return namespace === '' ? s : `${namespace}.${s}`;
}

export class Pacs002Reports implements StatusReports {
  readonly outbox: Outbox;
  private readonly log: SettlementLog;

  constructor(private readonly options: Pacs002ReportsOptions) {
    this.outbox = new Outbox(options.db);
    this.log = options.log ?? (() => {});
  }

  async accepted(obligations: readonly ObligationInput[], windowId: string): Promise<void> {
    await this.write('ACCP', obligations.map((obligation) => ({ obligation, status: 'ACCP' as const, info: `window ${windowId}` })));
  }

  async rejected(rejections: readonly Rejection[]): Promise<void> {
    await this.write('RJCT', rejections.map(({ obligation, verdict }) => ({
      obligation, status: 'RJCT' as const, reason: OBLIGATION_REJECTIONS[verdict.code], info: verdict.field === '' ? verdict.message : `${verdict.field}: ${verdict.message}`,
    })));
  }

  async settled(obligations: readonly ObligationInput[], windowId: string): Promise<void> {
    await this.write(`ACSC:${windowId}`, obligations.map((obligation) => ({ obligation, status: 'ACSC' as const, info: `settled in window ${windowId}` })));
  }

  async failed(obligations: readonly ObligationInput[], windowId: string, reason: string): Promise<void> {
    await this.write(`FAIL:${windowId}`, obligations.map((obligation) => ({ obligation, status: 'RJCT' as const, reason: 'NARR', info: `window ${windowId} failed: ${reason}` })));
  }

  /** Publishes the reports a publisher missed (it was down, or the process stopped in between). */
  async publishPending(): Promise<number> {
    if (this.options.publisher === undefined) return 0;
    let total = 0;
    for (;;) {
      const rows = await this.outbox.unpublished(PUBLISH_BATCH);
      if (rows.length === 0) return total;
      const done = await this.publish(rows);
      total += done;
      if (done < rows.length) return total;
    }
  }

  private async write(stage: string, lines: readonly Line[]): Promise<void> {
    const groups = new Map<string, Line[]>();
    for (const l of lines) {
      const o = l.obligation.origin;
      if (o === undefined || o.messageType === 'json' || o.sender === '') continue;
      const key = JSON.stringify([o.sender, o.messageId, o.messageType]);
      let g = groups.get(key);
      if (g === undefined) groups.set(key, (g = []));
      g.push(l);
    }
    const created = isoSeconds((this.options.now ?? Date.now)());
    // An obligation answered ACCP is never rejected afterwards for the same message.
    const blockedBy = stage === 'RJCT' ? ['ACCP', 'RJCT'] : [stage];
    for (const g of groups.values()) {
      const origin = g[0]!.obligation.origin!;
      const row = await this.outbox.writeOnce(origin.sender, origin.messageId, blockedBy, (reported) => {
        const left = dedupe(g).filter((l) => !reported.has(l.obligation.id));
        return left.length === 0 ? null : this.render(stage, created, left);
      });
      if (row !== null && this.options.publisher !== undefined) await this.publish([row]);
    }
  }

  private render(stage: string, created: string, lines: readonly Line[]): NewOutboundMessage | null {
    const origin = lines[0]!.obligation.origin!;
    const ids = lines.map((l) => l.obligation.id).sort();
    const dedupeKey = `pacs.002|${stage}|${origin.sender}|${origin.messageId}|${createHash('sha256').update(ids.join('\n')).digest('hex')}`;
    const messageId = `DT002${createHash('sha256').update(dedupeKey).digest('hex').slice(0, 30)}`;
    const statuses = new Set(lines.map((l) => l.status));
    const written = writePacs002({
      messageId,
      creationDateTime: created,
      originalMessageId: origin.messageId,
      originalMessageType: origin.messageType,
      ...(statuses.size === 1 ? { groupStatus: lines[0]!.status } : {}),
      transactions: lines.map((l) => transactionOf(l)),
    });
    if (!written.ok) {
      this.log('error', `pacs.002 to ${origin.sender} about ${origin.messageId} refused by the writer`, { errors: written.errors.map((e) => `${e.path}: ${e.code} ${e.message}`) });
      return null;
    }
    return {
      recipient: origin.sender, messageType: 'pacs.002', messageId, dedupeKey, originalMessageId: origin.messageId, stage,
      status: statuses.size === 1 ? lines[0]!.status : 'PART', subjects: ids, body: written.xml,
    };
  }

  /** Publishes and marks; a failure is logged and left for publishPending. Answers how many went out. */
  private async publish(rows: readonly OutboundMessage[]): Promise<number> {
    const done: string[] = [];
    try {
      for (const r of rows) {
        await this.options.publisher!.publish(outboundSubject(r.recipient, this.options.namespace ?? ''), r.body, { msgID: r.messageId });
        done.push(r.id);
      }
    } catch (err) {
      this.log('warn', `pacs.002 publish failed after ${done.length} of ${rows.length}; kept in the outbox`, { err: String(err) });
    }
    await this.outbox.markPublished(done);
    return done.length;
  }
}

/** One line per obligation id (the first), so a report never names an obligation twice. */
function dedupe(lines: readonly Line[]): Line[] {
  const seen = new Set<string>();
  return lines.filter((l) => !seen.has(l.obligation.id) && seen.add(l.obligation.id) !== undefined);
}

function transactionOf(l: Line): Pacs002Transaction {
  const o = l.obligation.origin!;
  const info = l.info === undefined ? [] : splitInfo(l.info);
  return {
    originalEndToEndId: o.endToEndId ?? 'NOTPROVIDED',
    ...(o.transactionId === undefined ? {} : { originalTxId: o.transactionId }),
    ...(o.uetr === undefined || !isUetr(o.uetr) ? {} : { originalUetr: o.uetr }),
    status: l.status,
    ...(l.reason === undefined ? {} : { reason: { code: l.reason } }),
    ...(info.length === 0 ? {} : { additionalInfo: info }),
  };
}

/** AddtlInf is Max105Text: a longer text goes on up to two lines, the rest cut with an ellipsis. */
function splitInfo(text: string): string[] {
  const chars = [...text];
  const lines: string[] = [];
  for (let i = 0; i < chars.length && lines.length < ADDTL_INF_LINES; i += ADDTL_INF_MAX) lines.push(chars.slice(i, i + ADDTL_INF_MAX).join(''));
  if (chars.length > ADDTL_INF_MAX * ADDTL_INF_LINES) lines[ADDTL_INF_LINES - 1] = lines[ADDTL_INF_LINES - 1]!.slice(0, ADDTL_INF_MAX - 1) + '…';
  return lines;
}

function isoSeconds(ms: number): string {
  return new Date(ms).toISOString().slice(0, 19) + 'Z';
}
