// What "nothing lost, nothing doubled" means, checked two ways after the crashes:
// - live: every account's balances through the API (the actors' state, recovered from the journal
//   by the last incarnation) equal the independent figures of load.ts, to the cent;
// - durable: the journal itself, read with SQL after the service stopped: per account actor one
//   AccountOpened and one event per distinct entry, each AcctSvcrRef exactly once, seq 1..n with no
//   gap, no (actor, message_id) twice, the booked amounts in the payloads summing to the same
//   figure, no account actor nobody opened, gap-free seqs for any other actor, snapshots that agree
//   with the journal, and no dead letter.
// Each returns a list of problems (empty = pass) so one failure report shows all of them.

import { formatCents, type Plan } from './load.ts';

export type Query = <R>(sql: string) => Promise<R[]>;

interface AccountView {
  readonly currency: string;
  readonly ledger_balance: string | null;
  readonly bank_reported_balance: string | null;
  readonly pending_entries: number | null;
  readonly actor: { readonly id: string; readonly seq: number };
}

/** Reads every planned account through the API; returns the actor id per account and the problems. */
export async function checkBalances(url: string, plan: Plan): Promise<{ actors: string[]; problems: string[] }> {
  const problems: string[] = [];
  const actors: string[] = [];
  for (const [i, a] of plan.accounts.entries()) {
    const res = await fetch(`${url}/api/v1/accounts/${a.id}`, { signal: AbortSignal.timeout(30_000) });
    const text = await res.text();
    if (res.status !== 200) {
      problems.push(`account ${a.id}: HTTP ${res.status} ${text.slice(0, 300)}`);
      continue;
    }
    const view = (JSON.parse(text) as { data: AccountView }).data;
    const want = plan.expected[i]!;
    actors.push(view.actor.id);
    const diff = (what: string, got: unknown, expected: unknown) => {
      if (got !== expected) problems.push(`account ${a.id} (${a.iban} ${a.currency}): ${what} is ${String(got)}, expected ${String(expected)}`);
    };
    diff('currency', view.currency, a.currency);
    diff('bank_reported_balance', view.bank_reported_balance, formatCents(want.bankCents));
    diff('ledger_balance', view.ledger_balance, formatCents(want.ledgerCents));
    diff('pending_entries', view.pending_entries, want.pending);
    diff('actor seq', view.actor.seq, 1 + want.booked + want.pending);
  }
  return { actors, problems };
}

interface ActorRow {
  actor: string;
  n: number;
  lo: string;
  hi: string;
  opened: number;
  booked: number;
  pending: number;
  other: number;
  /** Σ booked credits − Σ booked debits from the payloads, as numeric text. */
  moved: string;
}

/** The journal and dead letters of a stopped service; `actors[i]` is plan.accounts[i]'s actor id. */
export async function checkJournal(query: Query, plan: Plan, actors: readonly string[]): Promise<string[]> {
  const problems: string[] = [];
  const doubled = await query<{ actor: string; message_id: string; n: number }>(
    `SELECT actor, message_id, count(*)::int AS n FROM journal GROUP BY actor, message_id HAVING count(*) > 1 LIMIT 20`);
  for (const d of doubled) problems.push(`journal: ${d.actor} holds message ${d.message_id} ${d.n} times`);

  const rows = await query<ActorRow>(`
    SELECT actor, count(*)::int AS n, min(seq)::text AS lo, max(seq)::text AS hi,
      count(*) FILTER (WHERE type = 'AccountOpened')::int AS opened,
      count(*) FILTER (WHERE type = 'BankEntryBooked')::int AS booked,
      count(*) FILTER (WHERE type = 'BankEntryPending')::int AS pending,
      count(*) FILTER (WHERE type NOT IN ('AccountOpened', 'BankEntryBooked', 'BankEntryPending'))::int AS other,
      coalesce(sum(CASE WHEN type <> 'BankEntryBooked' THEN 0
        WHEN payload->'entry'->>'direction' = 'CRDT' THEN (payload->'entry'->>'amount')::numeric
        ELSE -(payload->'entry'->>'amount')::numeric END), 0)::text AS moved
    FROM journal GROUP BY actor`);
  const byActor = new Map(rows.map((r) => [r.actor, r]));
  const known = new Set(actors);
  for (const r of rows) {
    if (known.has(r.actor)) continue;
    // Other kinds (tokens, corridors) may journal on their own; an account nobody opened may not.
    if (r.actor.startsWith('account:')) problems.push(`journal: unexpected account actor ${r.actor} (${r.n} events)`);
    if (r.lo !== '1' || r.hi !== String(r.n)) problems.push(`journal ${r.actor}: seq ${r.lo}..${r.hi} over ${r.n} events (a gap)`);
  }

  const refRows = await query<{ actor: string; message_id: string }>(
    `SELECT actor, message_id FROM journal WHERE type IN ('BankEntryBooked', 'BankEntryPending')`);
  const refs = new Map<string, string[]>();
  for (const r of refRows) {
    const list = refs.get(r.actor) ?? [];
    list.push(r.message_id.slice(r.message_id.lastIndexOf('#') + 1));
    refs.set(r.actor, list);
  }

  for (const [i, actor] of actors.entries()) {
    const want = plan.expected[i]!;
    const a = plan.accounts[i]!;
    const r = byActor.get(actor);
    if (r === undefined) {
      problems.push(`journal: no events for ${actor}`);
      continue;
    }
    const n = 1 + want.booked + want.pending;
    const diff = (what: string, got: unknown, expected: unknown) => {
      if (got !== expected) problems.push(`journal ${actor}: ${what} is ${String(got)}, expected ${String(expected)}`);
    };
    diff('event count', r.n, n);
    // With (actor, seq) the primary key, count = max and min = 1 means 1..n with no gap.
    diff('first seq', r.lo, '1');
    diff('last seq (gap-free)', r.hi, String(r.n));
    diff('AccountOpened events', r.opened, 1);
    diff('BankEntryBooked events', r.booked, want.booked);
    diff('BankEntryPending events', r.pending, want.pending);
    diff('other events', r.other, 0);
    diff('booked movement', normalise(r.moved), formatCents(want.bankCents - a.bankCents));
    const got = refs.get(actor) ?? [];
    const seen = new Set(got);
    if (seen.size !== got.length) problems.push(`journal ${actor}: an AcctSvcrRef is journaled twice`);
    const missing = [...want.refs].filter((x) => !seen.has(x));
    const extra = [...seen].filter((x) => !want.refs.has(x));
    if (missing.length > 0) problems.push(`journal ${actor}: ${missing.length} entries lost, e.g. ${missing.slice(0, 5).join(', ')}`);
    if (extra.length > 0) problems.push(`journal ${actor}: ${extra.length} unplanned entries, e.g. ${extra.slice(0, 5).join(', ')}`);
  }

  problems.push(...await checkSnapshots(query));
  const letters = await query<{ n: number }>(`SELECT count(*)::int AS n FROM dead_letters`);
  if (letters[0]?.n !== 0) problems.push(`dead_letters: ${letters[0]?.n} rows, expected none`);
  return problems;
}

/**
 * Snapshots (taken every 100 events, written apart from the journal) must never be ahead of the
 * journal and must hold the bank balance the journal gives at their seq: recovery starts from them,
 * so a snapshot written for events that a crash lost would resurrect money.
 */
async function checkSnapshots(query: Query): Promise<string[]> {
  const rows = await query<{ actor: string; seq: string; last: string | null; bank: string | null; computed: string | null; same: boolean | null }>(`
    SELECT s.actor, s.seq::text AS seq, last.seq::text AS last, s.state->>'bank' AS bank, sums.bank::text AS computed,
      (s.state->>'bank')::numeric = sums.bank AS same
    FROM snapshots s
    LEFT JOIN LATERAL (SELECT max(seq) AS seq FROM journal j WHERE j.actor = s.actor) last ON true
    LEFT JOIN LATERAL (
      SELECT sum(CASE WHEN j.type = 'AccountOpened' THEN (j.payload->>'bank')::numeric
        WHEN j.type <> 'BankEntryBooked' THEN 0
        WHEN j.payload->'entry'->>'direction' = 'CRDT' THEN (j.payload->'entry'->>'amount')::numeric
        ELSE -(j.payload->'entry'->>'amount')::numeric END) AS bank
      FROM journal j WHERE j.actor = s.actor AND j.seq <= s.seq) sums ON true`);
  const problems: string[] = [];
  for (const r of rows) {
    if (r.last === null || BigInt(r.seq) > BigInt(r.last)) problems.push(`snapshot ${r.actor}@${r.seq} is ahead of the journal (last seq ${r.last})`);
    else if (r.same !== true) problems.push(`snapshot ${r.actor}@${r.seq}: bank ${r.bank}, the journal up to it gives ${r.computed}`);
  }
  return problems;
}

/** The number of snapshots, for the log: the run should cross the snapshot interval. */
export async function countSnapshots(query: Query): Promise<number> {
  const rows = await query<{ n: number }>(`SELECT count(*)::int AS n FROM snapshots`);
  return rows[0]?.n ?? 0;
}

/** numeric text → two decimals ("-12.3" or "-12.300" → "-12.30"); the plan's amounts have two. */
function normalise(numeric: string): string {
  const negative = numeric.startsWith('-');
  const [whole = '0', frac = ''] = (negative ? numeric.slice(1) : numeric).split('.');
  // Anything finer than a cent cannot come from the plan: show it as it is, so it fails loudly.
  if (/[1-9]/.test(frac.slice(2))) return numeric;
  const cents = BigInt(whole) * 100n + BigInt((frac + '00').slice(0, 2));
  return formatCents(negative ? -cents : cents);
}
