// The reads reconciliation needs beside the actors: the start-up scan that fills the balance index
// (actors/reconciliation/balance-index.ts) from the journal, the account directory (uuid, bank,
// account number) for the API's rows, when each open breaker tripped, and the open discrepancies
// by severity (the table the tier-3 projection fills). One SQL for PostgreSQL and PGlite.

import BigNumber from 'bignumber.js';
import { accountEventCodec } from '../../actors/account/events.ts';
import { ACCOUNT_TYPES, type AccountRef, type AccountType, type ReconciliationStatus } from '../../actors/account/model.ts';
import { fromJournal } from '../../actors/journal-form.ts';
import { applyFigures, type Figures } from '../../actors/reconciliation/balance-index.ts';
import type { Queryable } from './database.ts';

/** The event types that move a figure of the index (applyFigures); the others are skipped by the scan. */
const FIGURE_EVENTS = [
  'BankEntryBooked', 'PayInMatched', 'BankBalanceObserved', 'StatementReconciled', 'LedgerDebited', 'LedgerCredited',
  'BankBalanceSet', 'BreakerTripped', 'BreakerReset',
];

/**
 * Every opened account's figures as the journal has them now: its latest snapshot (else its
 * opening), then the later events that move a figure, folded by applyFigures. `seq` is the
 * account's last journal seq, so the onApplied hook continues exactly after it. The events read
 * per account are those after its latest snapshot: at most `snapshotEvery` for a busy account.
 */
export async function loadFigures(db: Queryable): Promise<Figures[]> {
  const { rows } = await db.query<{ actor: string; opened: Record<string, unknown>; snap_seq: string | null; snap: Record<string, unknown> | null; last_seq: string }>(
    `SELECT o.actor, o.payload AS opened, s.seq::text AS snap_seq, s.state AS snap,
            (SELECT max(m.seq) FROM journal m WHERE m.actor = o.actor)::text AS last_seq
     FROM journal o
     LEFT JOIN LATERAL (SELECT x.seq, x.state FROM snapshots x WHERE x.actor = o.actor ORDER BY x.seq DESC LIMIT 1) s ON true
     WHERE o.type = 'AccountOpened' AND o.seq = 1`,
  );
  const byActor = new Map<string, { figures: Figures; from: number }>();
  for (const r of rows) {
    const opened = r.opened as { ref: AccountRef; accountType: string; ledger: string; bank: string };
    const type = (ACCOUNT_TYPES as readonly string[]).includes(opened.accountType) ? opened.accountType as AccountType : 'settlement';
    const snap = r.snap as { status?: string; ledger?: string; bank?: string; reconciliation?: string; breaker?: { open?: boolean } } | null;
    const fromSnap = snap !== null && snap.status === 'open';
    const figures: Figures = {
      actor: r.actor,
      ref: opened.ref,
      type,
      ledger: new BigNumber(fromSnap ? snap.ledger! : opened.ledger),
      bank: new BigNumber(fromSnap ? snap.bank! : opened.bank),
      status: (fromSnap ? snap.reconciliation : 'UNCHECKED') as ReconciliationStatus,
      breakerOpen: fromSnap ? snap.breaker?.open === true : false,
      seq: Number(r.last_seq),
    };
    byActor.set(r.actor, { figures, from: fromSnap ? Number(r.snap_seq) : 1 });
  }
  const events = await db.query<{ actor: string; seq: string; type: string; message_id: string; payload: unknown }>(
    `SELECT j.actor, j.seq::text AS seq, j.type, j.message_id, j.payload FROM journal j
     WHERE j.actor LIKE 'account:%' AND j.seq > 1 AND j.type = ANY($1::text[])
       AND j.seq > coalesce((SELECT max(s.seq) FROM snapshots s WHERE s.actor = j.actor), 0)
     ORDER BY j.actor, j.seq`,
    [FIGURE_EVENTS],
  );
  for (const e of events.rows) {
    const held = byActor.get(e.actor);
    if (held === undefined || Number(e.seq) <= held.from) continue;
    applyFigures(held.figures, fromJournal(accountEventCodec, { type: e.type, messageId: e.message_id, payload: e.payload }));
  }
  return [...byActor.values()].map((h) => h.figures);
}

export interface DirectoryEntry {
  readonly id: string;
  readonly bankId: string;
  readonly accountNumber: string;
  readonly iban: string | null;
  readonly currency: string;
}

/** The account directory (emi_accounts), without balances: those live in the actors. */
export async function loadDirectory(db: Queryable): Promise<DirectoryEntry[]> {
  const { rows } = await db.query<{ id: string; bank_id: string; account_number: string; iban: string | null; currency: string }>(
    'SELECT id::text AS id, bank_id, account_number, iban, currency FROM emi_accounts',
  );
  return rows.map((r) => ({ id: r.id, bankId: r.bank_id, accountNumber: r.account_number, iban: r.iban, currency: r.currency.trim() }));
}

/**
 * When each of these actors' breakers last tripped (account or token ledger): the latest
 * BreakerTripped / TokenBreakerTripped or tripping check. Bounded by the primary key per actor.
 */
export async function breakerSince(db: Queryable, actors: readonly string[]): Promise<Map<string, Date>> {
  if (actors.length === 0) return new Map();
  const { rows } = await db.query<{ actor: string; since: Date | string }>(
    `SELECT actor, max(recorded_at) AS since FROM journal
     WHERE actor = ANY($1::text[])
       AND (type IN ('BreakerTripped', 'TokenBreakerTripped') OR (payload -> 'check' ->> 'trips') = 'true')
     GROUP BY actor`,
    [actors],
  );
  return new Map(rows.map((r) => [r.actor, new Date(r.since)]));
}

/** Open (OPEN or INVESTIGATING) discrepancies by threshold_exceeded (MINOR, SIGNIFICANT, CRITICAL, or NONE). */
export async function openDiscrepancies(db: Queryable): Promise<Map<string, number>> {
  const { rows } = await db.query<{ severity: string | null; n: string | number }>(
    `SELECT threshold_exceeded AS severity, count(*) AS n FROM reconciliation_discrepancies
     WHERE status IN ('OPEN', 'INVESTIGATING') GROUP BY threshold_exceeded`,
  );
  return new Map(rows.map((r) => [r.severity ?? 'NONE', Number(r.n)]));
}
