// The reconciliation read models, written from the account events: `reconciliation_discrepancies`
// (with the DETECTED step of its history) and the EOD `emi_account_snapshots` row per statement.
// The rows are derived by actors/reconciliation/discrepancy-records.ts; this file only queues and
// writes them.
//
//   live      `observe` is (part of) the accounts' onApplied hook. It runs inside the account's
//             turn, so it only derives and queues; a writer drains the queue in batches (one
//             transaction, one multi-row INSERT per table) without ever blocking an account.
//   catch-up  `catchUp` pages through the journal events that can yield a row (partial index of
//             migration 0007) and writes their rows again: at start (what a crash left unwritten)
//             and after a failed write or a full queue. Every discrepancy row carries its event's
//             `source_key` (unique), so a row is inserted once however often it is derived; a
//             snapshot is replaced only by a later statement of the same account and day.
//
// Snapshots need the account's directory row (emi_accounts, by IBAN or account number and
// currency); an account without one gets discrepancy rows (named by actor) and no snapshot.

import type { AccountEvent } from '../../actors/account/events.ts';
import { accountEventCodec } from '../../actors/account/events.ts';
import { fromJournal } from '../../actors/journal-form.ts';
import { recordsOf, type DiscrepancyRecord, type SnapshotRecord } from '../../actors/reconciliation/discrepancy-records.ts';
import { THRESHOLDS_DEFAULT, type Thresholds } from '../../actors/reconciliation/thresholds.ts';
import type { Database, Queryable } from './database.ts';

export interface ReconciliationRecordsOptions {
  readonly thresholds?: Thresholds | undefined;
  /** Rows per write. Default 500. */
  readonly batchMax?: number | undefined;
  /** Rows queued at most; beyond it rows are dropped and the catch-up writes them. Default 100,000. */
  readonly queueMax?: number | undefined;
  /** Delay before the catch-up after a failed write or a full queue. Default 5,000 ms. */
  readonly retryAfterMs?: number | undefined;
  readonly onError?: ((what: string, err: unknown) => void) | undefined;
}

export interface CatchUpReport {
  /** Journal events read. */
  readonly events: number;
  /** Discrepancy rows newly inserted (already present ones are not counted). */
  readonly inserted: number;
}

type Item = { readonly kind: 'discrepancy'; readonly row: DiscrepancyRecord } | { readonly kind: 'snapshot'; readonly row: SnapshotRecord };

const CATCH_UP_PAGE = 500;

export class ReconciliationRecords {
  private readonly thresholds: Thresholds;
  private readonly batchMax: number;
  private readonly queueMax: number;
  private readonly retryAfterMs: number;
  private queue: Item[] = [];
  private writing: Promise<void> | null = null;
  private retryTimer: NodeJS.Timeout | undefined;
  private catchingUp: Promise<CatchUpReport> | null = null;
  private stopped = false;
  readonly stats = { queued: 0, written: 0, dropped: 0, failedWrites: 0 };
  /** Problems it survives (the catch-up repairs them); the service points it at its logger. */
  report: (what: string, err: unknown) => void;

  constructor(private readonly db: Database, options: ReconciliationRecordsOptions = {}) {
    this.thresholds = options.thresholds ?? THRESHOLDS_DEFAULT;
    this.batchMax = options.batchMax ?? 500;
    this.queueMax = options.queueMax ?? 100_000;
    this.retryAfterMs = options.retryAfterMs ?? 5_000;
    this.report = options.onError ?? (() => {});
  }

  /** The accounts' onApplied hook: `events` are at seqs `seq - events.length + 1 .. seq`. Never throws. */
  readonly observe = (actorId: string, seq: number, events: readonly AccountEvent[]): void => {
    try {
      if (this.stopped) return;
      const first = seq - events.length + 1;
      for (let i = 0; i < events.length; i++) {
        const derived = recordsOf(actorId, first + i, events[i]!, this.thresholds);
        for (const row of derived.discrepancies) this.enqueue({ kind: 'discrepancy', row });
        if (derived.snapshot !== null) this.enqueue({ kind: 'snapshot', row: derived.snapshot });
      }
      if (this.queue.length > 0) this.kick();
    } catch (err) {
      this.report(`reconciliation records of ${actorId} at seq ${seq}`, err);
    }
  };

  private enqueue(item: Item): void {
    if (this.queue.length >= this.queueMax) {
      // Dropped here, written by the catch-up from the journal: memory stays bounded.
      this.stats.dropped++;
      this.scheduleCatchUp();
      return;
    }
    this.queue.push(item);
    this.stats.queued++;
  }

  private kick(): void {
    this.writing ??= this.drain().finally(() => {
      this.writing = null;
      if (this.queue.length > 0 && !this.stopped) this.kick();
    });
  }

  private async drain(): Promise<void> {
    while (this.queue.length > 0) {
      const batch = this.queue.splice(0, this.batchMax);
      try {
        await this.write(batch);
        this.stats.written += batch.length;
      } catch (err) {
        this.stats.failedWrites++;
        this.report(`writing ${batch.length} reconciliation records failed; the catch-up writes them`, err);
        this.scheduleCatchUp();
      }
    }
  }

  /** Resolves once everything queued so far is written (or handed to the catch-up). */
  async flush(): Promise<void> {
    while (this.writing !== null || this.queue.length > 0) {
      if (this.writing === null) this.kick();
      await this.writing;
    }
  }

  private scheduleCatchUp(): void {
    if (this.stopped || this.retryTimer !== undefined) return;
    this.retryTimer = setTimeout(() => {
      this.retryTimer = undefined;
      this.catchUp().catch((err: unknown) => this.report('reconciliation records catch-up', err));
    }, this.retryAfterMs);
    this.retryTimer.unref();
  }

  /** One pass over the journal's reconciliation events; passes never overlap (a call joins it). */
  catchUp(): Promise<CatchUpReport> {
    this.catchingUp ??= this.pass().finally(() => {
      this.catchingUp = null;
    });
    return this.catchingUp;
  }

  private async pass(): Promise<CatchUpReport> {
    let events = 0;
    let inserted = 0;
    let after = { actor: '', seq: 0 };
    for (;;) {
      const { rows } = await this.db.query<{ actor: string; seq: string; type: string; message_id: string; payload: unknown }>(
        `SELECT actor, seq::text AS seq, type, message_id, payload FROM journal
         WHERE (type = 'StatementReconciled' OR (payload -> 'check' ->> 'level') IN ('Minor', 'Significant', 'Critical'))
           AND (actor, seq) > ($1::text, $2::int8) AND actor LIKE 'account:%'
         ORDER BY actor, seq LIMIT ${CATCH_UP_PAGE}`,
        [after.actor, after.seq],
      );
      const items: Item[] = [];
      for (const r of rows) {
        const event = fromJournal(accountEventCodec, { type: r.type, messageId: r.message_id, payload: r.payload });
        const derived = recordsOf(r.actor, Number(r.seq), event, this.thresholds);
        for (const row of derived.discrepancies) items.push({ kind: 'discrepancy', row });
        if (derived.snapshot !== null) items.push({ kind: 'snapshot', row: derived.snapshot });
      }
      events += rows.length;
      for (let i = 0; i < items.length; i += this.batchMax) inserted += await this.write(items.slice(i, i + this.batchMax));
      const last = rows[rows.length - 1];
      if (last === undefined || rows.length < CATCH_UP_PAGE) break;
      after = { actor: last.actor, seq: Number(last.seq) };
    }
    return { events, inserted };
  }

  /** Writes a batch in one transaction; returns the discrepancy rows newly inserted. */
  private async write(items: readonly Item[]): Promise<number> {
    const discrepancies: DiscrepancyRecord[] = [];
    // One snapshot per account and day per statement (ON CONFLICT cannot touch a row twice): the latest.
    const snapshots = new Map<string, SnapshotRecord>();
    for (const item of items) {
      if (item.kind === 'discrepancy') discrepancies.push(item.row);
      else {
        const key = `${item.row.actor}|${item.row.date}`;
        const had = snapshots.get(key);
        if (had === undefined || had.seq < item.row.seq) snapshots.set(key, item.row);
      }
    }
    return this.db.transaction(async (tx) => {
      const n = discrepancies.length === 0 ? 0 : await insertDiscrepancies(tx, discrepancies);
      if (snapshots.size > 0) await upsertSnapshots(tx, [...snapshots.values()]);
      return n;
    });
  }

  /** The catch-up run by `start` (tests and the start-up log wait for it). */
  firstCatchUp: Promise<CatchUpReport> | null = null;

  /** The catch-up at start, in the background: rows are idempotent, traffic need not wait for it. */
  start(): Promise<CatchUpReport> {
    this.firstCatchUp = this.catchUp();
    this.firstCatchUp.catch((err: unknown) => {
      this.report('reconciliation records catch-up at start', err);
      this.scheduleCatchUp();
    });
    return this.firstCatchUp;
  }

  /** Stops the retries and writes what is queued (call after the accounts stopped). */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.retryTimer !== undefined) clearTimeout(this.retryTimer);
    this.retryTimer = undefined;
    await this.flush();
    await this.catchingUp?.catch(() => undefined);
  }
}

const decimal = (v: { toFixed(): string } | null): string | null => (v === null ? null : v.toFixed());

// The directory row of an account: IBAN first, else the account number of an account without one.
const DIRECTORY = `(SELECT a.id FROM emi_accounts a WHERE a.currency = i.currency
                    AND (a.iban = i.account_key OR (a.iban IS NULL AND a.account_number = i.account_key))
                    ORDER BY a.iban IS NULL LIMIT 1)`;


async function insertDiscrepancies(tx: Queryable, rows: readonly DiscrepancyRecord[]): Promise<number> {
  const input = rows.map((r) => ({
    source_key: r.sourceKey, actor: r.actor, account_key: r.accountKey, currency: r.currency, tier: r.tier,
    discrepancy_type: r.type, severity: r.severity, threshold_exceeded: r.thresholdExceeded,
    expected_amount: decimal(r.expected), actual_amount: decimal(r.actual), difference: decimal(r.difference),
    detail: r.detail, source_system: `tier ${r.tier}`, source_reference: r.messageId, statement_id: r.statementId,
  }));
  const { rowCount } = await tx.query(
    `WITH i AS (
       SELECT * FROM jsonb_to_recordset($1::jsonb) AS x(source_key text, actor text, account_key text, currency text, tier int,
         discrepancy_type text, severity text, threshold_exceeded text, expected_amount numeric, actual_amount numeric,
         difference numeric, detail text, source_system text, source_reference text, statement_id text)
     ), ins AS (
       INSERT INTO reconciliation_discrepancies (account_id, source_key, actor, currency, tier, discrepancy_type, severity,
         threshold_exceeded, expected_amount, actual_amount, difference, detail, source_system, source_reference, statement_id)
       SELECT ${DIRECTORY}, i.source_key, i.actor, i.currency, i.tier, i.discrepancy_type, i.severity, i.threshold_exceeded,
         i.expected_amount, i.actual_amount, i.difference, i.detail, i.source_system, i.source_reference, i.statement_id
       FROM i
       ON CONFLICT (source_key) DO NOTHING
       RETURNING id, detected_at
     )
     INSERT INTO reconciliation_discrepancy_events (discrepancy_id, at, actor, action, from_status, to_status)
     SELECT id, detected_at, 'deltran', 'DETECTED', NULL, 'OPEN' FROM ins`,
    [JSON.stringify(input)],
  );
  return rowCount;
}

async function upsertSnapshots(tx: Queryable, rows: readonly SnapshotRecord[]): Promise<void> {
  const input = rows.map((r) => ({
    account_key: r.accountKey, currency: r.currency, snapshot_date: r.date, ledger: r.ledger.toFixed(), bank: r.bank.toFixed(),
    reserved: r.reserved.toFixed(), available: r.available.toFixed(), difference: r.difference.toFixed(), reconciled: r.reconciled,
    statement_reference: r.statementId,
    data: { actor: r.actor, seq: r.seq, message_id: r.messageId, level: r.level, matched: r.matched, discrepancies: r.discrepancies },
  }));
  // A later statement of the same day (a correction) replaces the row; the same event again, or an
  // older one replayed by the catch-up, does not.
  await tx.query(
    `INSERT INTO emi_account_snapshots (account_id, snapshot_date, ledger_balance, bank_reported_balance, reserved_balance,
       available_balance, difference, reconciled, statement_reference, snapshot_data)
     SELECT d.id, i.snapshot_date, i.ledger, i.bank, i.reserved, i.available, i.difference, i.reconciled, i.statement_reference, i.data
     FROM jsonb_to_recordset($1::jsonb) AS i(account_key text, currency text, snapshot_date date, ledger numeric, bank numeric,
       reserved numeric, available numeric, difference numeric, reconciled boolean, statement_reference text, data jsonb)
     CROSS JOIN LATERAL ${DIRECTORY} AS d
     ON CONFLICT (account_id, snapshot_date) DO UPDATE SET
       ledger_balance = EXCLUDED.ledger_balance, bank_reported_balance = EXCLUDED.bank_reported_balance,
       reserved_balance = EXCLUDED.reserved_balance, available_balance = EXCLUDED.available_balance,
       difference = EXCLUDED.difference, reconciled = EXCLUDED.reconciled,
       statement_reference = EXCLUDED.statement_reference, snapshot_data = EXCLUDED.snapshot_data
     WHERE (emi_account_snapshots.snapshot_data ->> 'seq')::bigint < (EXCLUDED.snapshot_data ->> 'seq')::bigint`,
    [JSON.stringify(input)],
  );
}
