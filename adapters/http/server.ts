// The HTTP edge: health, and ISO 20022 parsing as a service (POST a file, get the same JSON as
// `deltran parse --json`). With the live state (`ServiceDeps`, wired by adapters/service.ts) it
// also serves the account, ingestion and dead-letter routes, each in its own file; without them
// (tests, parse-only use) it stays the stateless parser it was.

import Fastify, { type FastifyInstance } from 'fastify';
import type { Accounts } from '../../actors/account/actor.ts';
import type { Corridors } from '../../actors/corridor/actor.ts';
import { readBuffer } from '../../streams/iso20022/reader.ts';
import type { IngestOptions } from '../../streams/ingest/pipeline.ts';
import type { Database } from '../db/database.ts';
import type { DeadLetters } from '../db/dead-letters.ts';
import type { GroupCommitter } from '../db/group-commit.ts';
import { accountRoutes } from './accounts.ts';
import { accountEventCodec } from '../../actors/account/events.ts';
import { corridorEventCodec } from '../../actors/corridor/events.ts';
import { tokenEventCodec } from '../../actors/tokens/events.ts';
import { actorEventRoutes, eventSource, type EventSource } from './actor-events.ts';
import { installBearerAuth } from './auth.ts';
import { actorRoutes } from './actors.ts';
import { deadLetterRoutes } from './dead-letters.ts';
import { installErrorHandling } from './envelope.ts';
import { iso20022Routes } from './iso20022.ts';
import { createMetrics, metricsRoute, readerThreadMetrics } from './metrics.ts';
import { participantRoutes } from './participants.ts';
import { payInRoutes } from './pay-ins.ts';
import { tokenRoutes, type TokenRouteDeps } from './tokens.ts';
import { discrepancyRoutes } from './discrepancies.ts';
import { eodRoutes, type EodDeps } from './reconciliation-eod.ts';
import { reconciliationRoutes } from './reconciliation.ts';
import type { ReconciliationService } from '../reconciliation-service.ts';
import type { ClearingService } from '../clearing-service.ts';
import { clearingRoutes } from './clearing.ts';
import type { RiskService } from '../risk-service.ts';
import { fxRoutes } from './fx.ts';
import { riskRoutes } from './risk.ts';
import { outboundRoutes } from './outbound.ts';
import type { Registry } from 'prom-client';

/** The live state the stateful routes need; adapters/service.ts owns their lifecycle. */
export interface ServiceDeps {
  readonly db: Database;
  readonly accounts: Accounts;
  /** Optional so that parse-only and older callers build a server without them. */
  readonly corridors?: Corridors | undefined;
  readonly deadLetters: DeadLetters;
  readonly ingest: IngestOptions;
  /** The shared group committer, for the journal metrics. */
  readonly journal?: GroupCommitter | undefined;
  /** The token actor and the backing figure (adapters/token-service.ts); without it no token routes. */
  readonly tokens?: TokenRouteDeps | undefined;
  /** Tier 3 on demand (POST /api/v1/reconciliation/eod) and the discrepancy records; without it neither. */
  readonly eod?: Pick<EodDeps, 'records' | 'statements'> | undefined;
  /** Reconciliation tiers 1–2, breakers, health (adapters/reconciliation-service.ts); without it no such routes. */
  readonly reconciliation?: ReconciliationService | undefined;
  /** The intakes beyond HTTP (NATS, Redis; adapters/intake.ts): readiness for /health, their metrics. */
  readonly intake?: { readiness(): Readonly<Record<string, string>>; instrument(metrics: ReturnType<typeof createMetrics>): void } | undefined;
  /** The clearing engine (adapters/clearing-service.ts); without it no clearing routes. */
  readonly clearing?: ClearingService | undefined;
  /** FX rates, exposure, limits, alerts and VaR (adapters/risk-service.ts); without it no fx/risk routes. */
  readonly risk?: RiskService | undefined;
  /** The settler's metrics (adapters/settlement/settler.ts). */
  readonly settlement?: { instrument(registry: Registry): void } | undefined;
}

export interface ServerOptions {
  readonly host: string;
  readonly port: number;
  readonly logger?: boolean;
}

/** Every kind whose events can be watched over SSE. */
function eventSources(deps: ServiceDeps): EventSource[] {
  const sources = [eventSource(deps.accounts.kind, deps.accounts.feed, accountEventCodec)];
  if (deps.corridors !== undefined) sources.push(eventSource(deps.corridors.kind, deps.corridors.feed, corridorEventCodec));
  if (deps.tokens !== undefined) sources.push(eventSource(deps.tokens.tokens.kind, deps.tokens.tokens.feed, tokenEventCodec));
  return sources;
}

/** Largest XML body accepted over HTTP; bigger files go through `deltran parse` or a stream. */
const BODY_BYTES_MAX = 32 * 1024 * 1024;

/** `apiToken`: required on mutating requests when set (adapters/http/auth.ts). */
export function buildServer(logger = true, deps?: ServiceDeps, security: { readonly apiToken?: string | undefined } = {}): FastifyInstance {
  const app = Fastify({ logger, bodyLimit: BODY_BYTES_MAX });
  app.addContentTypeParser(['application/xml', 'text/xml'], { parseAs: 'buffer' }, (_req, body, done) => done(null, body));
  installErrorHandling(app);
  installBearerAuth(app, security.apiToken);
  app.get('/health', async (req, reply) => {
    if (deps === undefined) return { status: 'ok' };
    // Readiness per adapter: a load balancer should stop sending when the database is gone.
    let database = 'ok';
    try {
      await deps.db.query('SELECT 1');
    } catch (err) {
      req.log.warn({ err }, 'health: database check failed');
      database = 'down';
    }
    const intake = deps.intake?.readiness() ?? {};
    const status = database === 'ok' && Object.values(intake).every((s) => s === 'ok') ? 'ok' : 'degraded';
    // Only the database makes the API unusable; a broker or cache that is down is reported, not refused.
    return reply.code(database === 'ok' ? 200 : 503).send({ status, checks: { database, engine: deps.db.engine, ...intake } });
  });
  if (deps !== undefined) {
    const kinds = [deps.accounts, deps.corridors, deps.tokens?.tokens].filter((k) => k !== undefined);
    const metrics = createMetrics(kinds, deps.journal);
    deps.intake?.instrument(metrics);
    if (deps.ingest.reader?.stats !== undefined) readerThreadMetrics(metrics.registry, deps.ingest.reader.stats);
    metricsRoute(app, metrics);
    accountRoutes(app, deps);
    payInRoutes(app, deps);
    actorRoutes(app, kinds);
    actorEventRoutes(app, eventSources(deps));
    iso20022Routes(app, deps.ingest, metrics);
    deadLetterRoutes(app, deps.deadLetters);
    participantRoutes(app, deps.db, deps.clearing === undefined ? undefined : () => deps.clearing!.refreshRegistry());
    if (deps.clearing !== undefined) {
      deps.clearing.instrument(metrics.registry);
      clearingRoutes(app, deps.db, deps.clearing);
      // The pacs.002 reports the clearing engine sends back, per participant.
      outboundRoutes(app, deps.db);
    }
    deps.settlement?.instrument(metrics.registry);
    if (deps.tokens !== undefined) tokenRoutes(app, deps.db, deps.tokens);
    if (deps.eod !== undefined) {
      eodRoutes(app, { db: deps.db, accounts: deps.accounts, ...deps.eod });
      discrepancyRoutes(app, deps.db);
    }
    if (deps.risk !== undefined) {
      deps.risk.instrument(metrics.registry);
      fxRoutes(app, deps.risk.fx);
      riskRoutes(app, deps.risk);
    }
    if (deps.reconciliation !== undefined) {
      deps.reconciliation.instrument(metrics.registry);
      reconciliationRoutes(app, deps.reconciliation);
    }
  }
  app.post('/api/v1/messages/parse', async (req, reply) => {
    if (!Buffer.isBuffer(req.body)) {
      return reply.code(415).send({ success: false, error: { code: 'UNSUPPORTED_MEDIA_TYPE', message: 'send the XML with Content-Type: application/xml' } });
    }
    const results = readBuffer(req.body, { keepRecords: false });
    return {
      success: true,
      data: results.map((r) => ({
        type: r.type,
        version: r.version,
        messageId: r.messageId,
        ok: r.ok,
        errors: r.findings.filter((f) => f.severity === 'error'),
        warnings: r.findings.filter((f) => f.severity === 'warning'),
        summary: r.summary,
      })),
    };
  });
  return app;
}

export async function startServer(opts: ServerOptions): Promise<FastifyInstance> {
  const app = buildServer(opts.logger ?? true);
  await app.listen({ host: opts.host, port: opts.port });
  return app;
}
