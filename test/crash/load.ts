// The crash test's load and its answer key. From one seed it builds the accounts, a few thousand
// camt.054.001.08 notifications (1 to 3 entries each, credits and debits, a few pending entries,
// unique MsgId and AcctSvcrRef, some messages sent twice on purpose) and, independently of
// deltran's code, the figures every account must end with: integer cents as bigint, nothing from
// bignumber.js or deltran's reader, so a shared bug cannot make both sides agree.
//
// What the figures follow (actors/account/evolve.ts): a booked entry moves the bank-reported balance
// by its CdtDbtInd only; the ledger balance is not touched by bank entries (only a matched pay-in
// would move it, and these messages expect none); a pending entry moves nothing and is counted in
// `pending_entries`. The journal holds, per account actor, one AccountOpened plus one event per
// distinct entry, and every entry's message id ends in `#<AcctSvcrRef>` (streams/ingest/identity.ts).

import { seededRng } from '../../adapters/bank/rng.ts';

export interface Rng {
  /** Uniform in [0, 1). */
  next(): number;
  /** Uniform integer in [min, max]. */
  int(min: number, max: number): number;
}

/** mulberry32 (adapters/bank/rng.ts): the seed is printed so any failure can be replayed. */
export function rng(seed: number): Rng {
  const next = seededRng(Math.trunc(seed));
  return { next, int: (min, max) => min + Math.floor(next() * (max - min + 1)) };
}

export interface CrashAccount {
  readonly id: string;
  readonly iban: string;
  readonly currency: string;
  readonly bankId: string;
  readonly accountNumber: string;
  readonly ledgerCents: bigint;
  readonly bankCents: bigint;
}

export interface PlannedEntry {
  /** Index into Plan.accounts. */
  readonly account: number;
  readonly cents: bigint;
  readonly direction: 'CRDT' | 'DBIT';
  readonly status: 'BOOK' | 'PDNG';
  /** AcctSvcrRef, unique in the whole plan. */
  readonly ref: string;
}

export interface PlannedMessage {
  readonly msgId: string;
  readonly xml: string;
  readonly entries: readonly PlannedEntry[];
}

export interface Expected {
  readonly ledgerCents: bigint;
  readonly bankCents: bigint;
  readonly booked: number;
  readonly pending: number;
  /** AcctSvcrRefs of every entry this account must have journaled exactly once. */
  readonly refs: ReadonlySet<string>;
}

export interface Plan {
  readonly seed: number;
  readonly accounts: readonly CrashAccount[];
  /** Distinct messages. */
  readonly messages: readonly PlannedMessage[];
  /** Send order: indexes into `messages`; a repeated message appears twice. */
  readonly sends: readonly number[];
  /** Per account, same order as `accounts`. */
  readonly expected: readonly Expected[];
}

export interface PlanOptions {
  readonly accounts: number;
  readonly messages: number;
  /** Share of messages sent a second time, identical bytes (default 0.05). */
  readonly repeatShare?: number;
  /** Share of entries that are pending, not booked (default 0.05). */
  readonly pendingShare?: number;
}

const CURRENCIES = ['EUR', 'USD', 'GBP', 'CHF'] as const;

export function plan(seed: number, options: PlanOptions): Plan {
  const r = rng(seed);
  const tag = seed.toString(36);
  const accounts = Array.from({ length: options.accounts }, (_, i) => account(r, i));
  const messages: PlannedMessage[] = [];
  for (let m = 0; m < options.messages; m++) {
    const msgId = `C${tag}-${m}`;
    const entries = plannedEntries(r, options, accounts.length, `R${tag}-${m}`);
    messages.push({ msgId, entries, xml: camt054(msgId, accounts, entries) });
  }
  const sends = messages.map((_, i) => i);
  const repeats = Math.round(options.messages * (options.repeatShare ?? 0.05));
  for (let k = 0; k < repeats; k++) {
    // Later than the original, anywhere after it: sometimes right behind it, sometimes much later.
    const original = r.int(0, messages.length - 1);
    sends.splice(r.int(original + 1, sends.length), 0, original);
  }
  return { seed, accounts, messages, sends, expected: expectedFigures(accounts, messages) };
}

function plannedEntries(r: Rng, options: PlanOptions, accountCount: number, refBase: string): PlannedEntry[] {
  const count = r.int(1, 3);
  // One report (one account) usually; sometimes each entry for an account of its own, so one
  // message touches several actors and a crash can fall between their appends.
  const spread = count > 1 && r.next() < 0.25;
  const first = r.int(0, accountCount - 1);
  return Array.from({ length: count }, (_, j) => ({
    account: spread ? r.int(0, accountCount - 1) : first,
    cents: BigInt(r.int(1, 2_500_000)),
    direction: r.next() < 0.55 ? 'CRDT' : 'DBIT',
    status: r.next() < (options.pendingShare ?? 0.05) ? 'PDNG' : 'BOOK',
    ref: `${refBase}-${j}`,
  }));
}

/** The independent answer: opening figures plus booked credits minus booked debits, in cents. */
export function expectedFigures(accounts: readonly CrashAccount[], messages: readonly PlannedMessage[]): Expected[] {
  const acc = accounts.map((a) => ({ ledgerCents: a.ledgerCents, bankCents: a.bankCents, booked: 0, pending: 0, refs: new Set<string>() }));
  for (const m of messages) {
    for (const e of m.entries) {
      const x = acc[e.account]!;
      if (x.refs.has(e.ref)) throw new Error(`AcctSvcrRef ${e.ref} planned twice`);
      x.refs.add(e.ref);
      if (e.status === 'PDNG') {
        x.pending++;
        continue;
      }
      x.booked++;
      x.bankCents += e.direction === 'CRDT' ? e.cents : -e.cents;
    }
  }
  return acc;
}

function account(r: Rng, i: number): CrashAccount {
  const bank = String(r.int(10_000_000, 99_999_999));
  const accountNumber = String(1_000_000_000 + i * 7_919 + r.int(0, 7_000));
  return {
    id: uuid(r),
    iban: germanIban(bank, accountNumber),
    currency: CURRENCIES[i % CURRENCIES.length]!,
    bankId: `CRASH${bank}`,
    accountNumber,
    ledgerCents: BigInt(r.int(0, 50_000_000)),
    bankCents: BigInt(r.int(0, 50_000_000)),
  };
}

/** A DE IBAN with correct mod-97 check digits, so ingestion has no IBAN warnings to carry. */
export function germanIban(bank: string, accountNumber: string): string {
  const bban = `${bank.padStart(8, '0')}${accountNumber.padStart(10, '0')}`;
  // D = 13, E = 14; the country code and "00" move to the end for the check.
  const check = 98n - (BigInt(`${bban}131400`) % 97n);
  return `DE${String(check).padStart(2, '0')}${bban}`;
}

function uuid(r: Rng): string {
  const hex = Array.from({ length: 32 }, () => r.int(0, 15).toString(16));
  hex[12] = '4';
  hex[16] = '8';
  const h = hex.join('');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}

/** Cents as the API shows an amount with two minor units: "-12.30", "0.05", "1250.00". */
export function formatCents(cents: bigint): string {
  const sign = cents < 0n ? '-' : '';
  const abs = cents < 0n ? -cents : cents;
  return `${sign}${abs / 100n}.${String(abs % 100n).padStart(2, '0')}`;
}

/** One camt.054.001.08: a Ntfctn per run of consecutive entries for the same account. */
export function camt054(msgId: string, accounts: readonly CrashAccount[], entries: readonly PlannedEntry[]): string {
  const reports: { account: number; entries: PlannedEntry[] }[] = [];
  for (const e of entries) {
    const last = reports[reports.length - 1];
    if (last !== undefined && last.account === e.account) last.entries.push(e);
    else reports.push({ account: e.account, entries: [e] });
  }
  const body = reports.map((rep, i) => {
    const a = accounts[rep.account]!;
    return `<Ntfctn><Id>${msgId}-N${i}</Id><CreDtTm>2024-05-01T10:00:00</CreDtTm>` +
      `<Acct><Id><IBAN>${a.iban}</IBAN></Id></Acct>${rep.entries.map((e) => entryXml(a.currency, e)).join('')}</Ntfctn>`;
  }).join('');
  return '<?xml version="1.0" encoding="UTF-8"?>\n' +
    '<Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.054.001.08"><BkToCstmrDbtCdtNtfctn>' +
    `<GrpHdr><MsgId>${msgId}</MsgId><CreDtTm>2024-05-01T10:00:00</CreDtTm></GrpHdr>${body}` +
    '</BkToCstmrDbtCdtNtfctn></Document>';
}

function entryXml(currency: string, e: PlannedEntry): string {
  return `<Ntry><Amt Ccy="${currency}">${formatCents(e.cents)}</Amt><CdtDbtInd>${e.direction}</CdtDbtInd>` +
    `<Sts><Cd>${e.status}</Cd></Sts><BookgDt><Dt>2024-05-01</Dt></BookgDt><ValDt><Dt>2024-05-01</Dt></ValDt>` +
    `<AcctSvcrRef>${e.ref}</AcctSvcrRef><BkTxCd><Prtry><Cd>TEST</Cd></Prtry></BkTxCd></Ntry>`;
}

/** The body of POST /api/v1/accounts for one planned account. */
export function openingBody(a: CrashAccount): Record<string, string> {
  return {
    id: a.id, bank_id: a.bankId, account_number: a.accountNumber, iban: a.iban, currency: a.currency,
    country_code: 'DE', account_type: 'client_funds',
    ledger_balance: formatCents(a.ledgerCents), bank_reported_balance: formatCents(a.bankCents),
  };
}
