// The discrepancy records and their lifecycle:
//
//   GET  /api/v1/reconciliation/discrepancies?status=&severity=   newest first, each with its history
//   POST /api/v1/reconciliation/discrepancies/{id}/investigate|resolve|escalate   {by, note}
//
//   OPEN ──investigate──► INVESTIGATING ──resolve──► RESOLVED
//     │                        └─────────escalate──► ESCALATED
//     ├──resolve──► RESOLVED
//     └──escalate─► ESCALATED
//
// Anything else is 409 ILLEGAL_TRANSITION (RESOLVED and ESCALATED are final: reopening a closed
// finding would rewrite what an auditor already signed). The step and the status change are one
// transaction, and the UPDATE is conditional on the status the step starts from, so two operators
// acting at once cannot both move the same discrepancy: the second gets 409.

import BigNumber from 'bignumber.js';
import type { FastifyInstance } from 'fastify';
import { formatAmount } from '../../streams/iso20022/money.ts';
import { SEVERITIES } from '../../actors/reconciliation/discrepancy-records.ts';
import type { Database } from '../db/database.ts';
import { UUID } from './accounts.ts';
import { fail, ok } from './envelope.ts';

export const STATUSES = ['OPEN', 'INVESTIGATING', 'RESOLVED', 'ESCALATED'] as const;
type Status = (typeof STATUSES)[number];

const STEPS = {
  investigate: { action: 'INVESTIGATE', to: 'INVESTIGATING', from: ['OPEN'] },
  resolve: { action: 'RESOLVE', to: 'RESOLVED', from: ['OPEN', 'INVESTIGATING'] },
  escalate: { action: 'ESCALATE', to: 'ESCALATED', from: ['OPEN', 'INVESTIGATING'] },
} as const satisfies Record<string, { action: string; to: Status; from: readonly Status[] }>;

const LIST_MAX = 1_000;
const BY_MAX = 128;
const NOTE_MAX = 4_000;

interface Row {
  id: string;
  account_id: string | null;
  actor: string | null;
  currency: string | null;
  tier: number | null;
  discrepancy_type: string;
  severity: string | null;
  threshold_exceeded: string | null;
  expected_amount: string | null;
  actual_amount: string | null;
  difference: string | null;
  status: string;
  detail: string | null;
  source_system: string | null;
  source_reference: string | null;
  statement_id: string | null;
  source_key: string | null;
  detected_at: Date;
  resolved_at: Date | null;
  resolution_notes: string | null;
  updated_at: Date;
}

interface EventRow {
  discrepancy_id: string;
  at: Date;
  actor: string;
  action: string;
  from_status: string | null;
  to_status: string;
  note: string | null;
}

export function discrepancyRoutes(app: FastifyInstance, db: Database): void {
  app.get<{ Querystring: { status?: string; severity?: string } }>('/api/v1/reconciliation/discrepancies', async (req, reply) => {
    const status = req.query.status?.trim().toUpperCase() || null;
    const severity = req.query.severity?.trim().toUpperCase() || null;
    if (status !== null && !(STATUSES as readonly string[]).includes(status)) return fail(reply, 400, 'VALIDATION_FAILED', `status must be one of ${STATUSES.join(', ')}`, 'status');
    if (severity !== null && !(SEVERITIES as readonly string[]).includes(severity)) return fail(reply, 400, 'VALIDATION_FAILED', `severity must be one of ${SEVERITIES.join(', ')}`, 'severity');
    const { rows } = await db.query<Row>(
      `SELECT * FROM reconciliation_discrepancies WHERE ($1::text IS NULL OR status = $1) AND ($2::text IS NULL OR severity = $2)
       ORDER BY detected_at DESC, source_key DESC LIMIT ${LIST_MAX}`,
      [status, severity],
    );
    const history = await historyOf(db, rows.map((r) => r.id));
    return ok(rows.map((r) => view(r, history.get(r.id) ?? [])));
  });

  app.get<{ Params: { id: string } }>('/api/v1/reconciliation/discrepancies/:id', async (req, reply) => {
    const row = UUID.test(req.params.id) ? await one(db, req.params.id) : null;
    if (row === null) return fail(reply, 404, 'DISCREPANCY_UNKNOWN', `no discrepancy ${req.params.id}`);
    return ok(view(row, (await historyOf(db, [row.id])).get(row.id) ?? []));
  });

  app.post<{ Params: { id: string; step: string } }>('/api/v1/reconciliation/discrepancies/:id/:step', async (req, reply) => {
    const step = STEPS[req.params.step as keyof typeof STEPS];
    if (step === undefined) return fail(reply, 404, 'NOT_FOUND', `no step ${req.params.step}: investigate, resolve or escalate`);
    if (!UUID.test(req.params.id)) return fail(reply, 404, 'DISCREPANCY_UNKNOWN', `no discrepancy ${req.params.id}`);
    const body = (typeof req.body === 'object' && req.body !== null && !Array.isArray(req.body) ? req.body : {}) as Record<string, unknown>;
    const by = body['by'];
    if (typeof by !== 'string' || by.trim() === '' || by.length > BY_MAX) return fail(reply, 400, 'VALIDATION_FAILED', `by (who takes the step) is required, at most ${BY_MAX} characters`, 'by');
    const note = body['note'];
    if (note !== undefined && note !== null && (typeof note !== 'string' || note.length > NOTE_MAX)) return fail(reply, 400, 'VALIDATION_FAILED', `note must be a string of at most ${NOTE_MAX} characters`, 'note');
    const noteText = typeof note === 'string' && note.trim() !== '' ? note.trim() : null;
    const moved = await db.transaction(async (tx) => {
      const { rows } = await tx.query<{ id: string; from_status: string }>(
        `UPDATE reconciliation_discrepancies d SET status = $2, updated_at = now(),
           resolved_at = CASE WHEN $2 = 'RESOLVED' THEN now() ELSE d.resolved_at END,
           resolution_notes = CASE WHEN $2 = 'RESOLVED' THEN $4 ELSE d.resolution_notes END
         FROM (SELECT id, status AS from_status FROM reconciliation_discrepancies WHERE id = $1::uuid FOR UPDATE) old
         WHERE d.id = old.id AND old.from_status = ANY($3::text[])
         RETURNING d.id, old.from_status`,
        [req.params.id, step.to, step.from, noteText],
      );
      const r = rows[0];
      if (r === undefined) return null;
      await tx.query(
        `INSERT INTO reconciliation_discrepancy_events (discrepancy_id, actor, action, from_status, to_status, note) VALUES ($1::uuid, $2, $3, $4, $5, $6)`,
        [r.id, by.trim(), step.action, r.from_status, step.to, noteText],
      );
      return r;
    });
    if (moved === null) {
      const row = await one(db, req.params.id);
      if (row === null) return fail(reply, 404, 'DISCREPANCY_UNKNOWN', `no discrepancy ${req.params.id}`);
      return fail(reply, 409, 'ILLEGAL_TRANSITION', `a ${row.status} discrepancy cannot ${req.params.step} (from ${step.from.join(' or ')} only)`);
    }
    const row = (await one(db, req.params.id))!;
    return ok(view(row, (await historyOf(db, [row.id])).get(row.id) ?? []));
  });
}

async function one(db: Database, id: string): Promise<Row | null> {
  const { rows } = await db.query<Row>('SELECT * FROM reconciliation_discrepancies WHERE id = $1::uuid', [id]);
  return rows[0] ?? null;
}

async function historyOf(db: Database, ids: readonly string[]): Promise<Map<string, EventRow[]>> {
  const out = new Map<string, EventRow[]>();
  if (ids.length === 0) return out;
  const { rows } = await db.query<EventRow>(
    `SELECT discrepancy_id, at, actor, action, from_status, to_status, note FROM reconciliation_discrepancy_events
     WHERE discrepancy_id = ANY($1::uuid[]) ORDER BY id`,
    [ids],
  );
  for (const r of rows) out.set(r.discrepancy_id, [...(out.get(r.discrepancy_id) ?? []), r]);
  return out;
}

/** With the currency's minor units, as every amount of the API. */
function money(v: string | null, currency: string | null): string | null {
  return v === null || currency === null ? v : formatAmount(new BigNumber(v), currency.trim());
}

function view(r: Row, history: readonly EventRow[]) {
  return {
    id: r.id,
    account_id: r.account_id,
    actor_id: r.actor,
    currency: r.currency?.trim() ?? null,
    tier: r.tier,
    discrepancy_type: r.discrepancy_type,
    severity: r.severity,
    threshold_exceeded: r.threshold_exceeded,
    expected_amount: money(r.expected_amount, r.currency),
    actual_amount: money(r.actual_amount, r.currency),
    difference: money(r.difference, r.currency),
    status: r.status,
    detail: r.detail,
    source_system: r.source_system,
    source_reference: r.source_reference,
    statement_id: r.statement_id,
    source_key: r.source_key,
    detected_at: r.detected_at.toISOString(),
    resolved_at: r.resolved_at?.toISOString() ?? null,
    resolution_notes: r.resolution_notes,
    history: history.map((h) => ({ at: h.at.toISOString(), by: h.actor, action: h.action, from: h.from_status, to: h.to_status, note: h.note })),
  };
}
