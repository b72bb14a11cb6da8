// Prometheus metrics (prom-client), on a registry of the server's own so that several servers in
// one process (tests) do not collide. Counters are bumped where outcomes are known (the ingestion
// route today); actor gauges are read from the published side index at scrape time, so a scrape
// never asks an actor anything.

import type { FastifyInstance } from 'fastify';
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { KindTree } from '../../actors/runtime/journaled-actors.ts';
import type { GroupCommitter } from '../db/group-commit.ts';

export interface Metrics {
  readonly registry: Registry;
  /** Messages in, by source, ISO 20022 type and outcome (accepted, duplicate, rejected, retry). */
  readonly messages: Counter<'source' | 'type' | 'status'>;
  /** Refusals by code (reader/validator findings, entry rejections). */
  readonly rejections: Counter<'code'>;
}

export function createMetrics(kinds: readonly { tree(): KindTree }[], journal?: GroupCommitter): Metrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'deltran_' });
  const messages = new Counter({
    name: 'deltran_messages_total',
    help: 'ISO 20022 messages received, by source, type and outcome',
    labelNames: ['source', 'type', 'status'] as const,
    registers: [registry],
  });
  const rejections = new Counter({
    name: 'deltran_rejections_total',
    help: 'Refusals by code: findings that dead-lettered a message, entries an actor rejected',
    labelNames: ['code'] as const,
    registers: [registry],
  });
  new Gauge({
    name: 'deltran_actors',
    help: 'Live actors by kind',
    labelNames: ['kind'] as const,
    registers: [registry],
    collect() {
      for (const k of kinds) {
        const tree = k.tree();
        this.set({ kind: tree.kind }, tree.actors);
      }
    },
  });
  new Gauge({
    name: 'deltran_mailbox_depth',
    help: 'Messages accepted and not yet settled, summed over the actors of a kind, and the deepest shard',
    labelNames: ['kind', 'measure'] as const,
    registers: [registry],
    collect() {
      for (const k of kinds) {
        const tree = k.tree();
        let total = 0;
        let deepest = 0;
        for (const s of tree.shards) {
          total += s.mailboxDepth;
          deepest = Math.max(deepest, s.mailboxDepth);
        }
        this.set({ kind: tree.kind, measure: 'total' }, total);
        this.set({ kind: tree.kind, measure: 'deepest_shard' }, deepest);
      }
    },
  });
  if (journal !== undefined) journalMetrics(registry, journal);
  return { registry, messages, rejections };
}

/** Group commit as Prometheus sees it: batch sizes, flush latency, failures, the queue. */
function journalMetrics(registry: Registry, journal: GroupCommitter): void {
  const size = new Histogram({
    name: 'deltran_journal_batch_events',
    help: 'Events per journal transaction (group commit)',
    buckets: [1, 2, 5, 10, 25, 50, 100, 250, 500, 1000, 2500],
    registers: [registry],
  });
  const latency = new Histogram({
    name: 'deltran_journal_flush_seconds',
    help: 'Time to make one batch durable (one transaction), by result',
    labelNames: ['result'] as const,
    buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
    registers: [registry],
  });
  journal.onFlush = (events, seconds, ok) => {
    size.observe(events);
    latency.observe({ result: ok ? 'ok' : 'failed' }, seconds);
  };
  new Gauge({
    name: 'deltran_journal_queue_events',
    help: 'Events waiting for the next journal flush',
    registers: [registry],
    collect() {
      this.set(journal.depth);
    },
  });
  new Gauge({
    name: 'deltran_journal_refused_full_total',
    help: 'Appends refused because the journal queue was full (backpressure to the source)',
    registers: [registry],
    collect() {
      this.set(journal.stats.rejectedFull);
    },
  });
}

/** Where deliveries were read (reader-thread.ts): planned on the worker, or on the main thread. */
export function readerThreadMetrics(registry: Registry, stats: { readonly planned: number; readonly fellBack: number; readonly workerDeaths: number }): void {
  new Gauge({
    name: 'deltran_ingest_reader_deliveries_total',
    help: 'Deliveries offered to the reader thread, by where they were read (worker: planned there; main_thread: not a plain camt.054, or no worker)',
    labelNames: ['thread'] as const,
    registers: [registry],
    collect() {
      this.set({ thread: 'worker' }, stats.planned);
      this.set({ thread: 'main_thread' }, stats.fellBack);
    },
  });
  new Gauge({
    name: 'deltran_ingest_reader_worker_deaths_total',
    help: 'Times the reader thread died or could not take work (its deliveries were read on the main thread)',
    registers: [registry],
    collect() {
      this.set(stats.workerDeaths);
    },
  });
}

export function metricsRoute(app: FastifyInstance, metrics: Metrics): void {
  app.get('/metrics', async (_req, reply) => {
    return reply.header('content-type', metrics.registry.contentType).send(await metrics.registry.metrics());
  });
}
