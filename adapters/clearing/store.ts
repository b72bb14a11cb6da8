// The clearing engine's SQL, one dialect for PostgreSQL and PGlite: the netting input of a window
// read back from the journal (after a restart), the duplicate lookup of obligation ids in windows
// already projected, and the read models (clearing_windows, net_positions, settlement_instructions,
// obligations) written from the window actors' state. Every write is an idempotent upsert, so a
// projection can be redone after a crash (the catch-up at start) without doubling anything.

import { corridorEventCodec, type ObligationsBatched } from '../../actors/corridor/events.ts';
import { fromJournal } from '../../actors/journal-form.ts';
import { instructionId, statusName, type WindowState } from '../../actors/clearing/window/model.ts';
import { nextWindow, parseWindowId, windowAt, type Schedule } from '../../actors/clearing/schedule.ts';
import type { BookedObligation } from '../../actors/clearing/window-book.ts';
import type { Database, Queryable } from '../db/database.ts';
import { excludedView, metricsView, showUnits } from './view.ts';

/** Every ObligationsBatched event naming `window` (partial index of migration 0008). */
export async function loadBatches(db: Queryable, window: string): Promise<(ObligationsBatched & { readonly corridor: string })[]> {
  const { rows } = await db.query<{ actor: string; message_id: string; type: string; payload: unknown }>(
    `SELECT actor, message_id, type, payload FROM journal WHERE type = 'ObligationsBatched' AND (payload ->> 'window') = $1 ORDER BY actor, seq`,
    [window],
  );
  return rows.map((r) => ({ ...(fromJournal(corridorEventCodec, { type: r.type, messageId: r.message_id, payload: r.payload }) as ObligationsBatched), corridor: r.actor }));
}

/** The ids among `ids` already in `obligations` (windows projected, forever). */
export async function projectedIds(db: Queryable, ids: readonly string[]): Promise<Set<string>> {
  if (ids.length === 0) return new Set();
  // One text parameter split by the server: pg serialises a 10,000-element array parameter
  // element by element (escaping each), a measurable part of the accept path (bench/netting).
  const { rows } = await db.query<{ source_message: string }>(
    "SELECT source_message FROM obligations WHERE source_message = ANY(string_to_array($1::text, E'\\n'))", [ids.join('\n')],
  );
  return new Set(rows.map((r) => r.source_message));
}

export interface WindowRow {
  readonly name: string;
  readonly status: string;
  readonly projected: boolean;
  readonly startTime: string;
  readonly closedAt: string | null;
  readonly obligations: number;
}

/** Windows whose lifecycle or projection is not finished: what a restart must resume. */
export async function unfinishedWindows(db: Queryable): Promise<{ name: string; projected: boolean }[]> {
  const { rows } = await db.query<{ name: string; obligations_projected: boolean }>(
    `SELECT name, obligations_projected FROM clearing_windows
     WHERE name LIKE 'W%' AND (status NOT IN ('COMPLETED', 'FAILED') OR NOT obligations_projected) ORDER BY name`,
  );
  return rows.map((r) => ({ name: r.name, projected: r.obligations_projected }));
}

/** The latest window whose row is past OPEN (the row of a window closing now may still say OPEN: its actor tells). */
export async function lastClosedWindow(db: Queryable): Promise<string | null> {
  const { rows } = await db.query<{ name: string | null }>(`SELECT max(name) AS name FROM clearing_windows WHERE name LIKE 'W%' AND status <> 'OPEN'`);
  return rows[0]?.name ?? null;
}

export async function listWindows(db: Queryable, limit: number): Promise<WindowRow[]> {
  const { rows } = await db.query<{ name: string; status: string; obligations_projected: boolean; start_time: Date; closed_at: Date | null; obligations_count: number }>(
    `SELECT name, status, obligations_projected, start_time, closed_at, obligations_count FROM clearing_windows
     WHERE name LIKE 'W%' ORDER BY name DESC LIMIT ${Math.max(1, Math.min(limit, 1_000))}`,
  );
  return rows.map((r) => ({
    name: r.name, status: r.status, projected: r.obligations_projected, startTime: new Date(r.start_time).toISOString(),
    closedAt: r.closed_at === null ? null : new Date(r.closed_at).toISOString(), obligations: Number(r.obligations_count),
  }));
}

function bounds(window: string, schedule: Schedule): { start: Date; end: Date } {
  const start = parseWindowId(window);
  if (start === null) throw new Error(`${window} is not a window id`);
  const w = windowAt(start, schedule);
  // A window id of another schedule (the schedule changed): it ends where that schedule's next starts.
  return { start: new Date(start), end: new Date(w.start === start ? w.end : nextWindow(w, schedule).start) };
}

/** The row a window needs before any of its obligations is accepted (the restart finds it from here). */
export async function ensureWindowRow(db: Queryable, window: string, schedule: Schedule): Promise<void> {
  const b = bounds(window, schedule);
  await db.query(
    `INSERT INTO clearing_windows (name, start_time, end_time, cutoff_time, grace_period_seconds, status)
     VALUES ($1, $2, $3, $3, $4, 'OPEN') ON CONFLICT (name) DO NOTHING`,
    [window, b.start.toISOString(), b.end.toISOString(), Math.round(schedule.graceMs / 1000)],
  );
}

const STATUS_ROW: Record<WindowState['phase'], string> = {
  NEW: 'OPEN', OPEN: 'OPEN', CLOSING: 'CLOSING', NETTING: 'NETTING', SETTLING: 'SETTLING', COMPLETED: 'COMPLETED', FAILED: 'FAILED',
};

/**
 * The window row, its net positions and its instructions, from the actor's state. Positions and
 * instructions are written once (the result never changes); statuses are upserted every time.
 */
export async function projectWindow(db: Database, state: WindowState, schedule: Schedule, count: number | null): Promise<void> {
  await ensureWindowRow(db, state.id, schedule);
  const { result } = state;
  await db.transaction(async (tx) => {
    const gross: Record<string, string> = {};
    const net: Record<string, string> = {};
    if (result !== null) {
      for (const c of result.currencies) {
        gross[c.currency] = showUnits(c.gross, c.currency);
        net[c.currency] = showUnits(c.multilateral, c.currency);
      }
    }
    const { rows } = await tx.query<{ id: string }>(
      `UPDATE clearing_windows SET status = $2, closed_at = $3, completed_at = $4, failure = $5,
         gross_by_currency = $6::jsonb, net_by_currency = $7::jsonb, metrics = $8::jsonb, excluded = $9::jsonb,
         obligations_count = coalesce($10::int, obligations_count)
       WHERE name = $1 RETURNING id::text AS id`,
      [state.id, STATUS_ROW[state.phase], state.closedAt, state.endedAt, state.failure, JSON.stringify(gross), JSON.stringify(net),
        JSON.stringify(result === null ? {} : metricsView(result)), JSON.stringify(result === null ? [] : excludedView(result)), count],
    );
    if (result === null) return;
    const windowId = rows[0]!.id;
    const p = { bic: [] as string[], ccy: [] as string[], gin: [] as string[], gout: [] as string[], net: [] as string[] };
    const s = { key: [] as string[], from: [] as string[], to: [] as string[], ccy: [] as string[], amount: [] as string[], status: [] as string[] };
    let ordinal = 0;
    for (const c of result.currencies) {
      c.participants.forEach((bic, i) => {
        p.bic.push(bic);
        p.ccy.push(c.currency);
        p.gin.push(showUnits(c.grossIn[i]!, c.currency));
        p.gout.push(showUnits(c.grossOut[i]!, c.currency));
        p.net.push(showUnits(c.net[i]!, c.currency));
      });
      for (let i = 0; i < c.units.length; i++, ordinal++) {
        s.key.push(instructionId(state.id, c.currency, i + 1));
        s.from.push(c.participants[c.from[i]!]!);
        s.to.push(c.participants[c.to[i]!]!);
        s.ccy.push(c.currency);
        s.amount.push(showUnits(c.units[i]!, c.currency));
        // CANCELLED is the table's word for nothing; CARRIED shows as RETRY_NEXT_WINDOW.
        s.status.push(statusName(state.statuses[ordinal]!));
      }
    }
    await tx.query(
      `INSERT INTO net_positions (window_id, bic, currency, gross_in, gross_out, net)
       SELECT $1::bigint, b, c, gi::numeric, go::numeric, n::numeric
       FROM unnest($2::text[], $3::text[], $4::text[], $5::text[], $6::text[]) AS t (b, c, gi, go, n)
       ON CONFLICT (window_id, bic, currency) DO NOTHING`,
      [windowId, p.bic, p.ccy, p.gin, p.gout, p.net],
    );
    await tx.query(
      `INSERT INTO settlement_instructions (window_id, instruction_key, payer_bic, payee_bic, currency, amount, status)
       SELECT $1::bigint, k, f, t, c, a::numeric, s
       FROM unnest($2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[]) AS x (k, f, t, c, a, s)
       ON CONFLICT (instruction_key) DO UPDATE SET status = excluded.status, updated_at = now()
         WHERE settlement_instructions.status IS DISTINCT FROM excluded.status`,
      [windowId, s.key, s.from, s.to, s.ccy, s.amount, s.status],
    );
  });
}

/** Instruction statuses and bank references as the settler reports them. */
export async function projectChanges(db: Queryable, changes: readonly { instructionId: string; status: string; bankReference: string | null }[]): Promise<void> {
  if (changes.length === 0) return;
  await db.query(
    `UPDATE settlement_instructions s SET status = x.st, external_reference = coalesce(x.ref, s.external_reference), updated_at = now()
     FROM unnest($1::text[], $2::text[], $3::text[]) AS x (k, st, ref) WHERE s.instruction_key = x.k`,
    [changes.map((c) => c.instructionId), changes.map((c) => c.status), changes.map((c) => c.bankReference)],
  );
}

/**
 * Rows per statement. Small on purpose: on PGlite a statement runs on this thread and blocks the
 * event loop while it runs (~150 µs a row here: 2,000 rows held the journal and the API ~300 ms),
 * so a million rows go in short slices with a pause between them.
 */
const CHUNK = 500;

/**
 * The window's obligations into `obligations` (kept: NETTED; excluded: PENDING, they belong to the
 * next window), in chunks; an obligation carried from an earlier window moves to this one. Then the
 * window is marked projected: from now on its ids answer duplicates from the table.
 */
export async function projectObligations(db: Database, window: string, obligations: Iterable<BookedObligation>, excluded: ReadonlySet<string>, busy: () => boolean = () => false): Promise<number> {
  const { rows } = await db.query<{ id: string }>('SELECT id::text AS id FROM clearing_windows WHERE name = $1', [window]);
  if (rows.length === 0) throw new Error(`no clearing_windows row for ${window}`);
  const windowId = rows[0]!.id;
  let n = 0;
  let chunk: BookedObligation[] = [];
  const flush = async () => {
    if (chunk.length === 0) return;
    const c = chunk;
    chunk = [];
    const started = performance.now();
    await db.query(
      `INSERT INTO obligations (window_id, source_message, payer_bic, payee_bic, currency, amount, status, uetr, end_to_end_id)
       SELECT $1::bigint, i, p, q, c, a::numeric, s, u::uuid, e
       FROM unnest($2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::text[], $9::text[]) AS x (i, p, q, c, a, s, u, e)
       ON CONFLICT (source_message) DO UPDATE SET window_id = excluded.window_id, status = excluded.status`,
      [windowId, c.map((o) => o.id), c.map((o) => o.payer), c.map((o) => o.payee), c.map((o) => o.currency),
        c.map((o) => showUnits(o.units, o.currency)), c.map((o) => (excluded.has(o.id) ? 'PENDING' : 'NETTED')),
        c.map((o) => (o.origin?.uetr !== undefined && UUID.test(o.origin.uetr) ? o.origin.uetr : null)), c.map((o) => o.origin?.endToEndId ?? null)],
    );
    n += c.length;
    // While obligations are arriving the copy yields, to a quarter of the time: on PGlite each
    // chunk holds the one thread the journal and the API run in (the engine is in-process); on
    // PostgreSQL it competes with the journal's inserts for the server's CPU (half the time still
    // halved the accept path on 2 cores, bench/netting). Idle, it runs flat out. Either way well
    // inside the hours between two windows.
    const took = performance.now() - started;
    if (busy()) await new Promise<void>((r) => setTimeout(r, took * 3));
    else await new Promise<void>((r) => setImmediate(r));
  };
  for (const o of obligations) {
    chunk.push(o);
    if (chunk.length >= CHUNK) await flush();
  }
  await flush();
  await db.query('UPDATE clearing_windows SET obligations_projected = true WHERE name = $1', [window]);
  return n;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** The final status of a window's netted obligations (SETTLED or FAILED). */
export async function finishObligations(db: Queryable, window: string, status: 'SETTLED' | 'FAILED'): Promise<void> {
  await db.query(
    `UPDATE obligations SET status = $2 WHERE status = 'NETTED' AND window_id = (SELECT id FROM clearing_windows WHERE name = $1)`,
    [window, status],
  );
}
