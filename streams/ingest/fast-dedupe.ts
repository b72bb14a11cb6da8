// The fast-path dedupe port: a shared memory (Redis, in adapters/redis/) of deliveries whose effect
// is already durable, so a redelivered or re-sent message is acknowledged before it is routed,
// without waking (or recovering) account actors and without journal lookups. It is an
// optimisation only: the journal's unique (actor, message_id) stays the authority, so a store
// that is down, flushed or expired changes nothing but speed. Two rules keep it that way:
//
// - The key is the sha256 of the delivery's bytes, not the publisher's id (Nats-Msg-Id, a bank's
//   MsgId): a publisher may reuse an id for other content, and skipping that would lose a message.
//   The same bytes always yield the same entry identities (identity.ts), so a delivery whose bytes
//   were fully applied can only come back as duplicates.
// - A key is written only after the effect is durable and only when it was complete: applied or
//   duplicate, no entry rejected (an operator repairs a rejection by replaying the same bytes,
//   which must then reach the actors), nothing retried, not unrouted (a later version may route
//   that type). Writing before the journal commit would lose the message on a crash in between.

import { createHash } from 'node:crypto';
import type { IngestReport } from './pipeline.ts';

/** What a durable delivery is remembered with, so a fast-path duplicate still names its messages. */
export interface Remembered {
  readonly messages: IngestReport['messages'];
  /** Entries the delivery carried (all of them appended or duplicates). */
  readonly entries: number;
}

export interface FastDedupePort {
  /** What was remembered for these bytes; null when unknown, expired or the store is unreachable. Never rejects. */
  recall(digest: string): Promise<Remembered | null>;
  /** Called only once the delivery's effect is durable. Never rejects: a lost write costs speed only. */
  remember(digest: string, what: Remembered): Promise<void>;
}

export function digestOf(data: Uint8Array): string {
  return createHash('sha256').update(data).digest('base64url');
}

/** The report of a delivery skipped as a duplicate of something durable (settled 'ack' by the caller). */
export function fastDuplicate(
  delivery: { readonly id: string; readonly source: string },
  what: Remembered,
): Omit<IngestReport, 'settleError' | 'detail'> {
  return {
    id: delivery.id,
    source: delivery.source,
    verdict: 'duplicate',
    outcome: 'ack',
    messages: what.messages,
    entries: { appended: 0, duplicate: what.entries, rejected: 0, retry: 0 },
    rejections: [],
    codes: [],
    deadLetterId: null,
  };
}

/** Whether a settled report may be remembered (see the rules above). */
export function rememberable(report: Pick<IngestReport, 'verdict' | 'outcome' | 'rejections' | 'entries'>): boolean {
  return (report.verdict === 'applied' || report.verdict === 'duplicate') && report.outcome === 'ack' &&
    report.rejections.length === 0 && report.entries.rejected === 0 && report.entries.retry === 0;
}
