// `deltran demo`: the whole rail in one run, for a newcomer. It starts the service on a fresh
// embedded database (a temporary directory) with the mock bank, and drives it only through the
// public HTTP API, the way a participant's systems would:
//
//   1. four participants (banks) with their settlement accounts at the mock bank;
//   2. funding: each EMI expects a pay-in, the bank's camt.054 credit arrives, tokens are minted;
//   3. payments: one pacs.008 with the seed's six interbank payments → obligations, pacs.002 ACCP;
//   4. the clearing window is closed: multilateral netting, positions, settlement instructions;
//   5. settlement: pacs.009 to the mock bank, its camt.054 confirmations come back through
//      ingestion, tokens move, the window completes, pacs.002 ACSC goes out;
//   6. end of day: the bank's camt.053 for a settlement account is reconciled (tier 3).
//
// It prints what happened at each step and returns the figures, so a test can hold it to them.

import BigNumber from 'bignumber.js';
import { Command } from 'commander';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { composeIBAN } from 'ibantools';
import { ManualClock } from '../bank/clock.ts';
import { MockBank } from '../bank/mock-bank.ts';
import { startService, type Service } from '../service.ts';
import { writeCamt054 } from '../../streams/iso20022/writers/camt054.ts';
import { writePacs008 } from '../../streams/iso20022/writers/pacs008.ts';

export interface DemoOptions {
  /** Default: a fresh temporary directory, removed at the end unless `keep`. */
  readonly dataDir?: string | undefined;
  readonly keep?: boolean | undefined;
  /** Where the story goes (default stdout). */
  readonly print?: ((line: string) => void) | undefined;
}

export interface DemoResult {
  readonly windowId: string;
  readonly windowState: string;
  readonly positions: readonly { participant: string; currency: string; net: string }[];
  readonly instructions: readonly { from: string; to: string; amount: string; status: string }[];
  readonly efficiency: string;
  readonly tokens: Readonly<Record<string, string>>;
  readonly pacs002: Readonly<Record<string, readonly string[]>>;
  readonly statement: { readonly status: string; readonly account: string };
  readonly health: string;
}

interface Bank {
  readonly key: string;
  readonly bic: string;
  readonly name: string;
  readonly country: string;
  readonly iban: string;
}

const BANKS: readonly Bank[] = [
  { key: 'A', bic: 'ALFAAEAD', name: 'Alfa Bank (Dubai)', country: 'AE', iban: composeIBAN({ countryCode: 'AE', bban: '0330000010000000001' })! },
  { key: 'B', bic: 'BRAVGB2L', name: 'Bravo Bank (London)', country: 'GB', iban: composeIBAN({ countryCode: 'GB', bban: 'BRAV40000000000002' })! },
  { key: 'C', bic: 'CHRLUS33', name: 'Charlie Bank (New York)', country: 'US', iban: composeIBAN({ countryCode: 'DE', bban: '370400440000000003' })! },
  { key: 'D', bic: 'DLTAINBB', name: 'Delta Bank (Mumbai)', country: 'IN', iban: composeIBAN({ countryCode: 'FR', bban: '20041010050500013M02606' })! },
];
const CURRENCY = 'USD';
/** The seed's own netting example (issue 5): A→B 1,000,000; B→C 500,000; C→A 750,000; A→D 300,000; D→B 200,000; B→A 100,000. */
const PAYMENTS: readonly [string, string, string][] = [
  ['A', 'B', '1000000.00'], ['B', 'C', '500000.00'], ['C', 'A', '750000.00'],
  ['A', 'D', '300000.00'], ['D', 'B', '200000.00'], ['B', 'A', '100000.00'],
];
/** What each EMI pays into the rail's client-funds account and gets as tokens. */
const FUNDING = '600000.00';
const SETTLEMENT_OPENING = '5000000.00';
const CLIENT_FUNDS_IBAN = composeIBAN({ countryCode: 'GB', bban: 'DLTR40000000000099' })!;

export function demoCommand(): Command {
  return new Command('demo')
    .description('run a self-contained scenario (participants, funding, payments, netting, settlement through the mock bank, EOD) on a fresh embedded database')
    .option('--data-dir <dir>', 'embedded database directory (default: a fresh temporary one, removed afterwards)')
    .option('--keep', 'keep the temporary database directory')
    .action(async (opts: { dataDir?: string; keep?: boolean }) => {
      await runDemo({ dataDir: opts.dataDir, keep: opts.keep });
    });
}

export async function runDemo(options: DemoOptions = {}): Promise<DemoResult> {
  const print = options.print ?? ((line: string) => process.stdout.write(`${line}\n`));
  const temporary = options.dataDir === undefined;
  const dataDir = options.dataDir ?? mkdtempSync(join(tmpdir(), 'deltran-demo-'));
  // Self-contained: whatever the environment points at, the demo runs embedded and alone.
  const clock = new ManualClock(Date.now());
  const mock = new MockBank({ name: 'MOCKBANK-', clock });
  let service: Service | undefined;
  try {
    print(`deltran demo — embedded database in ${dataDir}`);
    service = await startService({
      host: '127.0.0.1',
      port: 0,
      dataDir,
      databaseUrl: '',
      logger: false,
      apiToken: '',
      intake: { natsUrl: false, inboxDir: false, redisUrl: false },
      reconciliation: { tier2IntervalMin: 'off', mockBank: mock },
      risk: { fxImport: false },
      clearing: { timers: false },
    });
    const api = client(service.url);
    const byKey = new Map(BANKS.map((b) => [b.key, b]));

    step(print, 1, 'participants and their settlement accounts at the mock bank');
    for (const b of BANKS) {
      await api.post('/api/v1/participants', { bic: b.bic, name: b.name, country: b.country, settlement_account: b.iban });
      await api.post('/api/v1/accounts', {
        id: randomUUID(), bank_id: mock.name, account_number: b.iban, iban: b.iban, currency: CURRENCY, country_code: b.iban.slice(0, 2),
        account_type: 'settlement', ledger_balance: SETTLEMENT_OPENING, bank_reported_balance: SETTLEMENT_OPENING,
      });
      print(`   ${b.key}  ${b.bic}  ${b.name.padEnd(24)} settlement ${b.iban}  ${SETTLEMENT_OPENING} ${CURRENCY}`);
    }
    const clientFunds = await api.post('/api/v1/accounts', {
      id: randomUUID(), bank_id: mock.name, account_number: CLIENT_FUNDS_IBAN, iban: CLIENT_FUNDS_IBAN, currency: CURRENCY, country_code: 'GB',
      account_type: 'client_funds', ledger_balance: '0.00', bank_reported_balance: '0.00',
    }) as { id: string };
    print(`   the rail's client-funds account ${CLIENT_FUNDS_IBAN} (${CURRENCY}), empty`);

    step(print, 2, 'funding: expected pay-ins, the bank\'s camt.054 credits, tokens minted 1:1');
    const entries = [];
    for (const b of BANKS) {
      const reference = `FUND-${b.bic}`;
      await api.post(`/api/v1/accounts/${clientFunds.id}/expected-pay-ins`, { pay_in_id: reference, participant: b.bic, amount: FUNDING, end_to_end_id: reference });
      entries.push({
        amount: new BigNumber(FUNDING), currency: CURRENCY, direction: 'CRDT' as const, status: 'BOOK' as const,
        bookingDate: today(clock), valueDate: today(clock), accountServicerReference: `FUNDREF-${b.key}`, endToEndId: reference,
      });
    }
    const camt054 = writeCamt054({
      messageId: 'DEMO-CAMT054-1', creationDateTime: new Date(clock.now()).toISOString().slice(0, 19), notificationId: 'DEMO-NTFCTN-1',
      account: { iban: CLIENT_FUNDS_IBAN, currency: CURRENCY }, entries,
    });
    if (!camt054.ok) throw new Error(`camt.054: ${JSON.stringify(camt054.errors)}`);
    await api.xml('/api/v1/iso20022', camt054.xml);
    for (const b of BANKS) print(`   ${b.key}  ${FUNDING} ${CURRENCY} booked with EndToEndId FUND-${b.bic} → ${await tokensOf(api, b.bic)} x${CURRENCY}`);

    step(print, 3, 'payments: one pacs.008 with six interbank credit transfers → obligations');
    const pacs008 = writePacs008({
      messageId: 'DEMO-PACS008-1', creationDateTime: new Date(clock.now()).toISOString().slice(0, 19), settlementMethod: 'CLRG',
      transactions: PAYMENTS.map(([from, to, amount], i) => ({
        instructionId: `DEMO-INSTR-${i + 1}`, endToEndId: `DEMO-E2E-${i + 1}`, uetr: randomUUID(),
        amount: new BigNumber(amount), currency: CURRENCY, settlementDate: today(clock),
        debtorAgentBic: byKey.get(from)!.bic, creditorAgentBic: byKey.get(to)!.bic,
        debtor: { name: `${byKey.get(from)!.name} customer`, account: { other: { id: `CUST-${from}-${i + 1}` } } },
        creditor: { name: `${byKey.get(to)!.name} customer`, account: { other: { id: `CUST-${to}-${i + 1}` } } },
      })),
    });
    if (!pacs008.ok) throw new Error(`pacs.008: ${JSON.stringify(pacs008.errors)}`);
    await api.xml('/api/v1/iso20022', pacs008.xml);
    for (const [from, to, amount] of PAYMENTS) print(`   ${from} → ${to}  ${amount.padStart(12)} ${CURRENCY}`);

    step(print, 4, 'the clearing window closes: multilateral netting');
    const closed = await api.post('/api/v1/clearing/windows/current/close', {}) as { id: string; state: string };
    print(`   window ${closed.id}: ${closed.state}`);
    const netted = await waitFor(api, closed.id, (w) => w.instructions.length > 0 || w.state === 'COMPLETED' || w.state === 'FAILED');
    print('   net positions (received − paid):');
    for (const p of netted.positions) print(`     ${label(p.participant)}  ${p.net.padStart(14)} ${p.currency}`);
    const m = netted.metrics[CURRENCY]!;
    print('');
    print('   | currency | gross        | bilateral net | multilateral net | efficiency | obligations | instructions |');
    print('   |----------|--------------|---------------|------------------|------------|-------------|--------------|');
    print(`   | ${CURRENCY}      | ${m.gross.padStart(12)} | ${m.bilateral_net.padStart(13)} | ${m.multilateral_net.padStart(16)} | ${String(m.efficiency).padStart(10)} | ${String(m.obligations).padStart(11)} | ${String(m.instructions).padStart(12)} |`);
    print('');
    print('   settlement instructions:');
    for (const i of netted.instructions) print(`     ${label(i.from)} → ${label(i.to)}  ${i.amount.padStart(12)} ${i.currency}`);

    step(print, 5, 'settlement: pacs.009 to the mock bank, camt.054 confirmations back through ingestion');
    const done = await waitFor(api, closed.id, (w) => w.state === 'COMPLETED' || w.state === 'FAILED', 60_000);
    for (const i of done.instructions) print(`     ${i.id}  ${label(i.from)} → ${label(i.to)}  ${i.amount.padStart(12)}  ${i.status}`);
    print(`   window ${done.id}: ${done.state}`);
    const tokens: Record<string, string> = {};
    for (const b of BANKS) {
      tokens[b.bic] = await tokensOf(api, b.bic);
      print(`   ${b.key}  tokens ${tokens[b.bic]!.padStart(12)} x${CURRENCY}`);
    }
    const pacs002: Record<string, string[]> = {};
    for (const b of BANKS) {
      const out = await api.get(`/api/v1/participants/${b.bic}/messages?type=pacs.002`) as { messages: { status?: string; statuses?: string[]; xml?: string }[] };
      pacs002[b.bic] = out.messages.map((msg) => statusOf(msg));
    }
    const sender = BANKS[0]!.bic;
    print(`   pacs.002 to ${sender} (the sender of the pacs.008): ${pacs002[sender]!.join(', ') || 'none'}`);

    step(print, 6, 'end of day: the bank\'s camt.053 for a settlement account, reconciled (tier 3)');
    // The mock bank's day closes when its clock passes midnight; its statement is then final.
    const day = today(clock);
    await clock.advance(msToNextDay(clock.now()) + 60_000);
    const a = BANKS[0]!;
    const statement = await mock.statement({ iban: a.iban, currency: CURRENCY }, day);
    if (!statement.ok) throw new Error(`statement: ${statement.error.message}`);
    const eod = await api.xml('/api/v1/reconciliation/eod', statement.value) as Record<string, unknown>;
    const statementStatus = `${String(eod['threshold_level'])}${eod['reconciled'] === true ? ', reconciled' : ', NOT reconciled'}`;
    print(`   camt.053 of ${day} for ${a.iban}: ledger ${String(eod['ledger_balance'])}, bank ${String(eod['bank_balance'])}, ` +
      `${String(eod['entries_matched'])} entries matched, ${String(eod['entries_unmatched'])} unmatched → ${statementStatus}`);
    const health = await api.get('/api/v1/reconciliation/health') as { status: string; open_breakers: number };
    print(`   reconciliation health: ${health.status}, ${health.open_breakers} open breaker(s)`);
    print('');
    print('done: every figure above came through the public API; see ARCHITECTURE.md for the flow.');
    return {
      windowId: done.id,
      windowState: done.state,
      positions: done.positions,
      instructions: done.instructions,
      efficiency: String(m.efficiency),
      tokens,
      pacs002,
      statement: { status: statementStatus, account: a.iban },
      health: health.status,
    };

    function label(bic: string): string {
      return BANKS.find((b) => b.bic === bic)?.key ?? bic;
    }
  } finally {
    await service?.stop();
    if (temporary && options.keep !== true) rmSync(dataDir, { recursive: true, force: true });
  }
}

interface WindowView {
  id: string;
  state: string;
  positions: { participant: string; currency: string; net: string }[];
  instructions: { id: string; from: string; to: string; currency: string; amount: string; status: string }[];
  metrics: Record<string, { gross: string; bilateral_net: string; multilateral_net: string; efficiency: number; obligations: number; instructions: number }>;
}

async function waitFor(api: ReturnType<typeof client>, id: string, done: (w: WindowView) => boolean, timeoutMs = 30_000): Promise<WindowView> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const w = await api.get(`/api/v1/clearing/windows/${id}`) as WindowView;
    if (done(w)) return w;
    if (Date.now() > until) throw new Error(`window ${id} is still ${w.state} after ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

async function tokensOf(api: ReturnType<typeof client>, bic: string): Promise<string> {
  const b = await api.get(`/api/v1/tokens/balances/${bic}`) as { balances?: Record<string, string> | { currency: string; balance: string }[] };
  const balances = b.balances;
  if (Array.isArray(balances)) return balances.find((x) => x.currency === CURRENCY)?.balance ?? '0.00';
  return balances?.[CURRENCY] ?? '0.00';
}

function statusOf(msg: { status?: string; statuses?: string[]; xml?: string }): string {
  if (msg.status !== undefined) return msg.status;
  if (msg.statuses !== undefined) return msg.statuses.join('/');
  return /<TxSts>([A-Z]{4})<\/TxSts>/.exec(msg.xml ?? '')?.[1] ?? '?';
}

function step(print: (line: string) => void, n: number, what: string): void {
  print('');
  print(`${n}. ${what}`);
}

function today(clock: ManualClock): string {
  return new Date(clock.now()).toISOString().slice(0, 10);
}

function msToNextDay(now: number): number {
  const day = 86_400_000;
  return Math.floor(now / day) * day + day - now;
}

/** The seed envelope: `{success, data}`; anything else is an error naming the call. */
function client(base: string) {
  const call = async (method: string, path: string, body: string | undefined, type: string | undefined): Promise<unknown> => {
    const res = await fetch(`${base}${path}`, body === undefined ? { method } : { method, body, headers: { 'content-type': type ?? 'application/json' } });
    const json = await res.json() as { success?: boolean; data?: unknown; error?: unknown; code?: unknown };
    if (!res.ok || json.success === false) throw new Error(`${method} ${path}: ${res.status} ${String(json.code ?? '')} ${JSON.stringify(json.error ?? json)}`);
    return json.data ?? json;
  };
  return {
    get: (path: string) => call('GET', path, undefined, undefined),
    post: (path: string, body: unknown) => call('POST', path, JSON.stringify(body), 'application/json'),
    xml: (path: string, xml: string) => call('POST', path, xml, 'application/xml'),
  };
}
