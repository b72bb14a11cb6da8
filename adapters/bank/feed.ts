// A bank's camt.054 notifications into deltran's normal ingestion path, as if they had arrived on
// a stream: each becomes a Delivery (identity = content hash, so a doubled notification is a
// duplicate) handed to the same pipeline as HTTP, NATS and the inbox. A 'retry' verdict (the
// journal was busy) is retried with backoff; a notification is only given up on after that, and
// then reported, since reconciliation (tier 2, tier 3) will still see the booking.

import { createHash } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { ingestDelivery, type IngestOptions, type IngestReport } from '../../streams/ingest/pipeline.ts';
import type { Delivery } from '../../streams/source.ts';
import type { BankClient, BankNotification } from './client.ts';

export interface NotificationFeed {
  /** Resolves when every notification received so far has been ingested (or given up). */
  idle(): Promise<void>;
  stop(): Promise<void>;
}

const ATTEMPTS = 6;

export function feedNotifications(
  bank: BankClient,
  bankName: string,
  ingest: IngestOptions,
  report: (what: string, detail: unknown) => void = () => {},
): NotificationFeed {
  const inFlight = new Set<Promise<unknown>>();
  let stopped = false;
  const one = async (n: BankNotification): Promise<void> => {
    const data = new TextEncoder().encode(n.xml);
    for (let attempt = 1; attempt <= ATTEMPTS; attempt++) {
      if (stopped) return;
      const r: IngestReport = await ingestDelivery(delivery(bankName, data, attempt), ingest);
      if (r.verdict !== 'retry') {
        if (r.verdict === 'dead_lettered' || r.rejections.length > 0) report(`bank notification ${n.messageId} from ${bankName} not applied`, { codes: r.codes, rejections: r.rejections });
        return;
      }
      await sleep(10 * 2 ** attempt);
    }
    report(`bank notification ${n.messageId} from ${bankName} still busy after ${ATTEMPTS} attempts`, null);
  };
  const unsubscribe = bank.subscribe((n) => {
    if (stopped) return;
    const p = one(n).catch((err: unknown) => report(`bank notification ${n.messageId} from ${bankName} failed`, err));
    inFlight.add(p);
    void p.finally(() => inFlight.delete(p));
  });
  return {
    idle: async () => {
      while (inFlight.size > 0) await Promise.all([...inFlight]);
    },
    stop: async () => {
      unsubscribe();
      stopped = true;
      await Promise.all([...inFlight]);
    },
  };
}

function delivery(bankName: string, data: Uint8Array, attempt: number): Delivery {
  return {
    id: createHash('sha256').update(data).digest('hex'),
    source: `bank:${bankName}`,
    subject: '',
    headers: new Map(),
    data,
    receivedAt: new Date(),
    deliveryCount: attempt,
    redelivered: attempt > 1,
    settle: async () => {},
  };
}
