// The reads of the journal that the token wiring needs at start and for its outbox, in one SQL for
// PostgreSQL and PGlite. They read the journal and the snapshots only (the source of truth), never
// a read model that could lag it, and each is bounded by the partial indexes of migration 0006.

import { createRequire } from 'node:module';
import BigNumber from 'bignumber.js';
import { accountEventCodec, type PayInMatched } from '../../actors/account/events.ts';
import { fromJournal } from '../../actors/journal-form.ts';
import type { ClientFundsAccount } from '../../actors/tokens/backing.ts';
import type { OutboxPage, PayInCursor, PayInOutbox } from '../../actors/tokens/pay-in-mints.ts';
import type { Queryable } from './database.ts';

// currency-codes is CommonJS without named ESM exports.
const currencyCodes = createRequire(import.meta.url)('currency-codes') as typeof import('currency-codes');

/**
 * Every client_funds account with its bank-reported balance, as the journal has it now. Per
 * account: the latest of (its opening, its latest snapshot, its latest BankBalanceSet or
 * StatementReconciled closing) gives an absolute figure at some seq; the booked entries after that
 * seq move it by their CdtDbtInd unless the statement already held them (`bankMoved`), as
 * bankFigureAfter in actors/account/events.ts and the account's evolve do. The events read per account are
 * those after its latest snapshot, so at most `snapshotEvery` for a busy account.
 */
export async function loadClientFunds(db: Queryable): Promise<ClientFundsAccount[]> {
  const { rows } = await db.query<{ actor: string; currency: string; bank: string; seq: string }>(
    `SELECT o.actor,
            o.payload -> 'ref' ->> 'currency' AS currency,
            (b.bank + coalesce(d.delta, 0))::text AS bank,
            greatest(b.seq, coalesce(d.last_seq, 0))::text AS seq
     FROM journal o
     CROSS JOIN LATERAL (
       SELECT p.seq, p.bank FROM (
         SELECT o.seq, (o.payload ->> 'bank')::numeric AS bank
         UNION ALL
         (SELECT s.seq, (s.state ->> 'bank')::numeric FROM snapshots s
          WHERE s.actor = o.actor ORDER BY s.seq DESC LIMIT 1)
         UNION ALL
         (SELECT j.seq, (j.payload ->> 'balance')::numeric FROM journal j
          WHERE j.actor = o.actor AND j.type = 'BankBalanceSet' ORDER BY j.seq DESC LIMIT 1)
         UNION ALL
         (SELECT j.seq, (j.payload ->> 'closing')::numeric FROM journal j
          WHERE j.actor = o.actor AND j.type = 'StatementReconciled' ORDER BY j.seq DESC LIMIT 1)
       ) p ORDER BY p.seq DESC LIMIT 1
     ) b
     CROSS JOIN LATERAL (
       SELECT sum(CASE WHEN j.payload -> 'entry' ->> 'direction' = 'CRDT' THEN 1 ELSE -1 END
                  * (j.payload -> 'entry' ->> 'amount')::numeric)
                FILTER (WHERE j.type IN ('BankEntryBooked', 'PayInMatched')
                        AND coalesce((j.payload ->> 'bankMoved')::boolean, true)) AS delta,
              max(j.seq) AS last_seq
       FROM journal j WHERE j.actor = o.actor AND j.seq > b.seq
     ) d
     WHERE o.type = 'AccountOpened' AND (o.payload ->> 'accountType') = 'client_funds'`,
  );
  return rows.map((r) => ({ actor: r.actor, currency: r.currency, bank: new BigNumber(r.bank), seq: toSeq(r.seq) }));
}

/**
 * The pay-in outbox: PayInMatched events of client_funds accounts whose mint the token ledger has
 * not journaled. A page is the next `limit` PayInMatched events in (actor, seq) order, read along
 * their partial index and fenced (MATERIALIZED) so the planner cannot turn it into a join over
 * every account; each is then checked by two primary-key probes (the opening at seq 1 says
 * client_funds; the mint's (actor, message_id)). So a page costs `limit` index reads however large
 * the journal. The mint's message id is built here as `payInMintId` builds it
 * (`mint:<account>:<payInId>`, actors/tokens/model.ts), on the ledger `tokens:<the account's
 * currency>`; the outbox tests prove the two agree.
 */
export class JournalPayInOutbox implements PayInOutbox {
  constructor(private readonly db: Queryable) {}

  async unminted(after: PayInCursor | null, limit: number): Promise<OutboxPage> {
    const { rows } = await this.db.query<{ actor: string; seq: string; message_id: string; type: string; payload: unknown; wanted: boolean }>(
      `WITH page AS MATERIALIZED (
         SELECT actor, seq, message_id, type, payload FROM journal
         WHERE type = 'PayInMatched' AND (actor, seq) > ($1::text, $2::int8)
         ORDER BY actor, seq LIMIT $3)
       SELECT p.actor, p.seq::text AS seq, p.message_id, p.type, p.payload,
         coalesce((SELECT o.type = 'AccountOpened' AND (o.payload ->> 'accountType') = 'client_funds'
                   FROM journal o WHERE o.actor = p.actor AND o.seq = 1), false)
         AND NOT EXISTS (SELECT 1 FROM journal m
                         WHERE m.actor = 'tokens:' || substring(p.actor FROM '[^:]*$')
                           AND m.message_id = 'mint:' || p.actor || ':' || (p.payload -> 'payIn' ->> 'payInId')) AS wanted
       FROM page p ORDER BY p.actor, p.seq`,
      [after?.account ?? '', after?.seq ?? 0, limit],
    );
    const last = rows[rows.length - 1];
    return {
      items: rows.filter((r) => r.wanted).map((r) => ({
        account: r.actor,
        seq: toSeq(r.seq),
        event: fromJournal(accountEventCodec, { type: r.type, messageId: r.message_id, payload: r.payload }) as PayInMatched,
      })),
      next: rows.length < limit || last === undefined ? null : { account: last.actor, seq: toSeq(last.seq) },
    };
  }
}

/** The currencies whose token ledger has journaled anything (loaded at start for the reads). */
export async function journaledTokenLedgers(db: Queryable): Promise<string[]> {
  // One index probe per active ISO 4217 code (about 180) rather than a scan of the journal: the
  // primary key (actor, seq) answers "does tokens:XXX have an event" directly, whatever collation.
  const codes = currencyCodes.codes();
  const { rows } = await db.query<{ c: string }>(
    `SELECT c FROM unnest($1::text[]) AS c WHERE EXISTS (SELECT 1 FROM journal j WHERE j.actor = 'tokens:' || c) ORDER BY c`,
    [codes],
  );
  return rows.map((r) => r.c);
}

export interface StoredRate {
  readonly id: string;
  readonly rate: BigNumber;
  readonly asOf: string;
  readonly source: string;
}

/** The latest stored rate for 1 `base` = rate `quote` (fx_rates is history, never updated). */
export async function latestRate(db: Queryable, base: string, quote: string): Promise<StoredRate | null> {
  const { rows } = await db.query<{ id: string; rate: string; as_of: string; source: string }>(
    `SELECT id::text AS id, rate::text AS rate, to_char(as_of, 'YYYY-MM-DD') AS as_of, source FROM fx_rates
     WHERE base = $1 AND quote = $2 ORDER BY as_of DESC, recorded_at DESC, id DESC LIMIT 1`,
    [base, quote],
  );
  const r = rows[0];
  return r === undefined ? null : { id: r.id, rate: new BigNumber(r.rate), asOf: r.as_of, source: r.source };
}

function toSeq(text: string): number {
  const n = Number(text);
  if (!Number.isSafeInteger(n)) throw new Error(`journal seq ${text} is beyond 2^53`);
  return n;
}
