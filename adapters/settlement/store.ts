// The settler's durable side (migration 0009): one row per instruction with its status, written
// PENDING before the first call to the bank, and every change with a history row in the same
// transaction. Transitions are conditional on the status found under a row lock, so a duplicate,
// late or reordered confirmation cannot regress a status or confirm twice, in this process or in
// another one sharing the database.

import BigNumber from 'bignumber.js';
import type { InstructionStatus } from '../../actors/clearing/ports.ts';
import type { BankAccountId, InstructionMessageType } from '../bank/client.ts';
import type { Database, Queryable } from '../db/database.ts';

export type TokenState = 'NONE' | 'PENDING' | 'MOVED' | 'SHORT' | 'REFUSED';

export interface InstructionRow {
  readonly instructionId: string;
  readonly windowId: string;
  readonly payer: string;
  readonly payee: string;
  readonly currency: string;
  readonly amount: BigNumber;
  readonly messageType: InstructionMessageType;
  readonly uetr: string;
  readonly endToEndId: string;
  readonly bank: string | null;
  readonly payerAccount: BankAccountId | null;
  readonly payeeAccount: BankAccountId | null;
  readonly document: string | null;
  readonly status: InstructionStatus;
  readonly bankReference: string | null;
  readonly reason: string | null;
  readonly attempts: number;
  readonly inDoubt: boolean;
  readonly tokenState: TokenState;
  readonly tokenAmount: BigNumber | null;
  readonly tokenNote: string | null;
  readonly createdAt: Date;
}

export type NewInstructionRow = Omit<InstructionRow, 'status' | 'bankReference' | 'attempts' | 'inDoubt' | 'tokenState' | 'tokenAmount' | 'tokenNote' | 'createdAt'> & {
  /** FAILED at once when it cannot be built (no settlement account, a document the writer refuses). */
  readonly status: 'PENDING' | 'FAILED';
};

export interface TransitionPatch {
  readonly bankReference?: string | undefined;
  readonly reason?: string | undefined;
  /** Added to the attempts so far. */
  readonly attempts?: number | undefined;
  readonly inDoubt?: boolean | undefined;
}

interface Raw {
  instruction_id: string;
  window_id: string;
  payer_bic: string;
  payee_bic: string;
  currency: string;
  amount: string;
  message_type: InstructionMessageType;
  uetr: string;
  end_to_end_id: string;
  bank: string | null;
  payer_account: BankAccountId | null;
  payee_account: BankAccountId | null;
  document: string | null;
  status: InstructionStatus;
  bank_reference: string | null;
  reason: string | null;
  attempts: number;
  in_doubt: boolean;
  token_state: TokenState;
  token_amount: string | null;
  token_note: string | null;
  created_at: Date;
}

const COLUMNS = `instruction_id, window_id, payer_bic, payee_bic, currency, amount::text AS amount, message_type, uetr::text AS uetr,
  end_to_end_id, bank, payer_account, payee_account, document, status, bank_reference, reason, attempts, in_doubt,
  token_state, token_amount::text AS token_amount, token_note, created_at`;

function rowOf(r: Raw): InstructionRow {
  return {
    instructionId: r.instruction_id,
    windowId: r.window_id,
    payer: r.payer_bic,
    payee: r.payee_bic,
    currency: r.currency.trim(),
    amount: new BigNumber(r.amount),
    messageType: r.message_type,
    uetr: r.uetr,
    endToEndId: r.end_to_end_id,
    bank: r.bank,
    payerAccount: r.payer_account,
    payeeAccount: r.payee_account,
    document: r.document,
    status: r.status,
    bankReference: r.bank_reference,
    reason: r.reason,
    attempts: Number(r.attempts),
    inDoubt: r.in_doubt,
    tokenState: r.token_state,
    tokenAmount: r.token_amount === null ? null : new BigNumber(r.token_amount),
    tokenNote: r.token_note,
    createdAt: r.created_at,
  };
}

const INSERT_CHUNK = 200;

export class SettlementStore {
  constructor(private readonly db: Database) {}

  /**
   * Stores the rows not stored yet (one transaction) and answers every row under those ids as
   * stored, the earlier ones included: a plan given again keeps its first row.
   */
  async insert(
    rows: readonly NewInstructionRow[],
    /** Throw from it to roll the whole insert back (plans that disagree with stored ones). */
    check: (stored: readonly InstructionRow[]) => void = () => {},
  ): Promise<{ readonly rows: InstructionRow[]; readonly inserted: ReadonlySet<string> }> {
    return this.db.transaction(async (tx) => {
      const fresh = new Set<string>();
      for (let i = 0; i < rows.length; i += INSERT_CHUNK) {
        const chunk = rows.slice(i, i + INSERT_CHUNK);
        const params: unknown[] = [];
        const values = chunk.map((r) => {
          const p = (v: unknown) => `$${params.push(v)}`;
          return `(${p(r.instructionId)}, ${p(r.windowId)}, ${p(r.payer)}, ${p(r.payee)}, ${p(r.currency)}, ${p(r.amount.toFixed())}::numeric,
            ${p(r.messageType)}, ${p(r.uetr)}::uuid, ${p(r.endToEndId)}, ${p(r.bank)}, ${p(r.payerAccount === null ? null : JSON.stringify(r.payerAccount))}::jsonb,
            ${p(r.payeeAccount === null ? null : JSON.stringify(r.payeeAccount))}::jsonb, ${p(r.document)}, ${p(r.status)}, ${p(r.reason)})`;
        });
        // The history rows are written by the same statement, only for the rows it inserted.
        const { rows: inserted } = await tx.query<{ instruction_id: string }>(
          `WITH ins AS (
             INSERT INTO settlement_instruction_status (instruction_id, window_id, payer_bic, payee_bic, currency, amount, message_type, uetr,
               end_to_end_id, bank, payer_account, payee_account, document, status, reason)
             VALUES ${values.join(', ')} ON CONFLICT (instruction_id) DO NOTHING RETURNING instruction_id, status, reason)
           INSERT INTO settlement_instruction_events (instruction_id, from_status, to_status, reason)
           SELECT instruction_id, NULL, status, reason FROM ins RETURNING instruction_id`,
          params,
        );
        for (const r of inserted) fresh.add(r.instruction_id);
      }
      const { rows: stored } = await tx.query<Raw>(`SELECT ${COLUMNS} FROM settlement_instruction_status WHERE instruction_id = ANY($1::text[])`, [rows.map((r) => r.instructionId)]);
      const all = stored.map(rowOf);
      check(all);
      return { rows: all, inserted: fresh };
    });
  }

  /**
   * Moves an instruction to `to` when its status is one of `from`; null (and nothing written) when
   * it is not, or the row does not exist. Confirming also marks its token movement as due.
   */
  async transition(instructionId: string, to: InstructionStatus, from: readonly InstructionStatus[], patch: TransitionPatch = {}): Promise<(InstructionRow & { readonly previous: InstructionStatus }) | null> {
    return this.db.transaction(async (tx) => {
      const { rows } = await tx.query<{ status: InstructionStatus }>('SELECT status FROM settlement_instruction_status WHERE instruction_id = $1 FOR UPDATE', [instructionId]);
      const before = rows[0]?.status;
      if (before === undefined || !from.includes(before)) return null;
      const { rows: after } = await tx.query<Raw>(
        `UPDATE settlement_instruction_status SET status = $2,
           bank_reference = COALESCE($3, bank_reference), reason = COALESCE($4, reason),
           attempts = attempts + $5, in_doubt = in_doubt OR $6, updated_at = now(),
           token_state = CASE WHEN $2 = 'CONFIRMED' AND token_state = 'NONE' THEN 'PENDING' ELSE token_state END
         WHERE instruction_id = $1 RETURNING ${COLUMNS}`,
        [instructionId, to, patch.bankReference ?? null, patch.reason ?? null, patch.attempts ?? 0, patch.inDoubt ?? false],
      );
      await event(tx, instructionId, before, to, patch.bankReference ?? null, patch.reason ?? null);
      return { ...rowOf(after[0]!), previous: before };
    });
  }

  /** Attempts and doubt of a call that changed no status (the row was confirmed meanwhile). */
  async recordAttempts(instructionId: string, attempts: number, inDoubt: boolean): Promise<void> {
    await this.db.query('UPDATE settlement_instruction_status SET attempts = attempts + $2, in_doubt = in_doubt OR $3, updated_at = now() WHERE instruction_id = $1', [instructionId, attempts, inDoubt]);
  }

  async ofWindow(windowId: string): Promise<InstructionRow[]> {
    const { rows } = await this.db.query<Raw>(`SELECT ${COLUMNS} FROM settlement_instruction_status WHERE window_id = $1 ORDER BY instruction_id`, [windowId]);
    return rows.map(rowOf);
  }

  async get(instructionId: string): Promise<InstructionRow | undefined> {
    const { rows } = await this.db.query<Raw>(`SELECT ${COLUMNS} FROM settlement_instruction_status WHERE instruction_id = $1`, [instructionId]);
    return rows[0] === undefined ? undefined : rowOf(rows[0]);
  }

  /**
   * What may still change: PENDING and SENT, FAILED or RETRY_NEXT_WINDOW of the last `finalDays`
   * (a late booking still confirms those), confirmed with tokens still to move.
   */
  async unfinished(finalDays = 7): Promise<InstructionRow[]> {
    const { rows } = await this.db.query<Raw>(
      `SELECT ${COLUMNS} FROM settlement_instruction_status
       WHERE status IN ('PENDING', 'SENT') OR token_state = 'PENDING'
          OR (status IN ('FAILED', 'RETRY_NEXT_WINDOW') AND updated_at > now() - make_interval(days => $1::int))
       ORDER BY instruction_id`,
      [finalDays],
    );
    return rows.map(rowOf);
  }

  /** Fixes the token amount to move, once (the first plan stands, so a resend moves the same). */
  async planTokens(instructionId: string, amount: BigNumber, replan: boolean): Promise<BigNumber | null> {
    const { rows } = await this.db.query<{ token_amount: string | null }>(
      `UPDATE settlement_instruction_status SET token_amount = CASE WHEN $3 THEN $2::numeric ELSE COALESCE(token_amount, $2::numeric) END, updated_at = now()
       WHERE instruction_id = $1 AND token_state = 'PENDING' RETURNING token_amount::text AS token_amount`,
      [instructionId, amount.toFixed(), replan],
    );
    const t = rows[0]?.token_amount;
    return t === undefined || t === null ? null : new BigNumber(t);
  }

  async finishTokens(instructionId: string, state: Exclude<TokenState, 'NONE' | 'PENDING'>, note: string | null): Promise<void> {
    await this.db.query(
      `UPDATE settlement_instruction_status SET token_state = $2, token_note = $3, updated_at = now() WHERE instruction_id = $1 AND token_state = 'PENDING'`,
      [instructionId, state, note],
    );
  }

  /**
   * Bookings journaled on these account actors since `since` (the account actors' own journal
   * streams, read through the primary key's actor prefix: no index on the hot path is needed).
   * For confirmations whose onApplied hook ran in a process that died before it recorded them.
   */
  async bookingsSince(actors: readonly string[], since: Date): Promise<{ actor: string; seq: number; type: string; messageId: string; payload: unknown }[]> {
    if (actors.length === 0) return [];
    const { rows } = await this.db.query<{ actor: string; seq: string; type: string; message_id: string; payload: unknown }>(
      `SELECT actor, seq, type, message_id, payload FROM journal WHERE actor = ANY($1::text[]) AND type IN ('BankEntryBooked', 'PayInMatched') AND recorded_at >= $2
       ORDER BY actor, seq`,
      [[...new Set(actors)], since],
    );
    return rows.map((r) => ({ actor: r.actor, seq: Number(r.seq), type: r.type, messageId: r.message_id, payload: r.payload }));
  }
}

async function event(tx: Queryable, id: string, from: InstructionStatus | null, to: InstructionStatus, bankReference: string | null, reason: string | null): Promise<void> {
  await tx.query(
    'INSERT INTO settlement_instruction_events (instruction_id, from_status, to_status, bank_reference, reason) VALUES ($1, $2, $3, $4, $5)',
    [id, from, to, bankReference, reason],
  );
}
