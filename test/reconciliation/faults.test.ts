// Goal (issue 4, "Tests"): two of the required reconciliation tests, on the running service (PGlite).
//
// 1. A fault-injected run. A MockBank on a ManualClock, with notification faults on (drop,
//    duplicate, reorder, delay; fixed seed), holds the same client_funds accounts deltran holds
//    (opened through POST /api/v1/accounts). The bank books credits to them: external pay-ins
//    (`fund`) and pacs.009 instructions submitted from a nostro deltran does not hold. Every
//    camt.054 the bank pushes (subscribe) goes into POST /api/v1/iso20022. Then the day closes
//    (the clock advanced a day) and each account's camt.053 (`statement()`) goes in the same way.
//    THE LEDGER FIGURE: a booking moves only the bank figure unless it matches an expected pay-in
//    (then PayInMatched moves the ledger by the same amount, in the same event). So every credit
//    here is announced first as an expected pay-in (POST /api/v1/accounts/{id}/expected-pay-ins,
//    EndToEndId + UETR) and the accounts see no other booking: an account that hears every
//    notification has ledger = bank after each one, in any order and any number of copies. That
//    is what makes "no false Critical" meaningful: the only way to a difference is a notification
//    that never arrived. A dropped credit moves neither figure at tier 1; the statement sets the
//    bank figure to the closing balance and lists the entry tier 1 never heard (MISSING_TXN, side
//    ledger), and the ledger stays short by exactly the dropped amounts (statements do not match
//    pay-ins: the mint waits for an operator). Asserted: every bank figure = the bank's closing;
//    the MISSING_TXN rows are exactly the dropped notifications (account, AcctSvcrRef, amount);
//    the only other rows are the tier-3 BALANCE_MISMATCH checks of accounts that lost a
//    notification, for exactly the dropped sum; duplicates are answered `duplicate` (identities)
//    and counted; an account whose only faults were duplicates, reorders and delays ends OK,
//    with no breaker and no row; a Critical appears only where a drop explains it.
// 2. All three tiers after a SIGKILL: the service as a child process (test/crash/child.ts), levels
//    Ok/Minor/Significant/Critical produced at tier 1 and a statement with discrepancies at tier 3;
//    killed right after the last message (its rows possibly not yet projected), restarted on the
//    same PGlite directory. After the restart: account figures, levels and breakers as before;
//    the discrepancy rows are the same set (source_key), none lost, none doubled (the catch-up);
//    the same statement redelivered is a duplicate and changes nothing; tier 2
//    (POST /api/v1/reconciliation/intraday/all) answers the same rows as before the kill.

import test, { type ExecutionContext } from 'ava';
import BigNumber from 'bignumber.js';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { BankAccountRef, BankNotification } from '../../adapters/bank/client.ts';
import { ManualClock } from '../../adapters/bank/clock.ts';
import { MockBank } from '../../adapters/bank/mock-bank.ts';
import { startService, type Service } from '../../adapters/service.ts';
import { instruction } from '../adapters/bank/fixtures.ts';
import { startChild, type RunningService } from '../crash/child.ts';
import { serviceEnv } from '../crash/verify.ts';
import { camt053 } from '../streams/ingest/camt.ts';
import { eventually as poll } from '../helpers/eventually.ts';

const eventually = <T>(probe: () => Promise<T | undefined>, what: string): Promise<T> => poll(probe, what, 20_000, 100);

const DAY_MS = 86_400_000;
const T0 = Date.parse('2025-03-10T08:00:00Z');
const DAY = '2025-03-10';
const SEED = 20_250_310;
const PARTICIPANT = 'BANKDEFFXXX';

/** A valid IBAN (mod 97) for `country` and `bban`: the mock bank keeps only real-looking accounts. */
function iban(country: string, bban: string): string {
  const digits = [...`${bban}${country}00`].map((c) => (/\d/.test(c) ? c : String(c.charCodeAt(0) - 55))).join('');
  let r = 0;
  for (const d of digits) r = (r * 10 + Number(d)) % 97;
  return `${country}${String(98 - r).padStart(2, '0')}${bban}`;
}

const ibanOf = (r: BankAccountRef): string => ('iban' in r ? r.iban : r.other.id);

function uuid(n: number): string {
  return `00000000-0000-4000-8000-${String(n).padStart(12, '0')}`;
}

async function inject(s: Service, method: 'GET' | 'POST', url: string, payload?: object) {
  const r = await s.app.inject({ method, url, ...(payload === undefined ? {} : { payload }) });
  return { status: r.statusCode, body: r.json() as any };
}

async function postXml(s: Service, xml: string) {
  const r = await s.app.inject({ method: 'POST', url: '/api/v1/iso20022', headers: { 'content-type': 'application/xml' }, payload: xml });
  return { status: r.statusCode, body: r.json() as any };
}

interface Held {
  readonly ref: { readonly iban: string; readonly currency: string };
  readonly id: string;
  readonly actor: string;
}

test('fault-injected run: every discrepancy explained by the fault log, no false Critical', async (t) => {
  t.timeout(60_000);
  const dir = mkdtempSync(join(tmpdir(), 'deltran-faults-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const s = await startService({ host: '127.0.0.1', port: 0, dataDir: dir, databaseUrl: '', logger: false, intake: { natsUrl: false, inboxDir: false, redisUrl: false } });
  try {
    t.is((await inject(s, 'POST', '/api/v1/participants', { bic: PARTICIPANT, name: 'Bank D', country: 'DE' })).status, 201);
    const clock = new ManualClock(T0);
    const bank = new MockBank({
      name: 'FAULTBANK-', clock,
      faults: { seed: SEED, notifications: { dropRate: 0.08, duplicateRate: 0.2, reorderRate: 0.2, delayRate: 0.3, delayMs: 100, delayJitterMs: 900, reorderMaxMs: 500 } },
    });
    const OPENING = '10000.00';
    const held: Held[] = [];
    for (let i = 0; i < 5; i++) {
      const ref = { iban: iban('DE', `37040044053201310${i}`), currency: 'EUR' };
      const r = await inject(s, 'POST', '/api/v1/accounts', {
        bank_id: 'FAULTBANK', account_number: `FB-${i}`, iban: ref.iban, currency: 'EUR', country_code: 'DE',
        account_type: 'client_funds', ledger_balance: OPENING, bank_reported_balance: OPENING,
      });
      t.is(r.status, 201, JSON.stringify(r.body));
      t.true(bank.openAccount(ref, { opening: new BigNumber(OPENING), notify: true }).ok);
      held.push({ ref, id: r.body.data.id, actor: `account:${ref.iban}:EUR` });
    }
    // The correspondent's nostro: at the bank, not held by deltran (never notified).
    const nostro = { iban: iban('DE', '370400440532099999'), currency: 'EUR' };
    t.true(bank.openAccount(nostro, { opening: new BigNumber('1000000.00'), notify: false }).ok);

    const answers: Promise<{ messageId: string; status: number; verdict: string }>[] = [];
    bank.subscribe((n: BankNotification) => {
      answers.push(postXml(s, n.xml).then((r) => ({ messageId: n.messageId, status: r.status, verdict: r.body.data?.messages?.[0]?.status ?? r.body.code })));
    });

    // 60 credits, round robin over the accounts: each announced as an expected pay-in, then booked
    // by the bank (even: an external pay-in; odd: an instruction from the nostro).
    for (let k = 0; k < 60; k++) {
      const h = held[k % held.length]!;
      const amount = new BigNumber(100 + ((k * 37) % 400)).plus(new BigNumber(k).div(100)).toFixed(2);
      const e2e = `PAYIN-${k}`;
      const expected = await inject(s, 'POST', `/api/v1/accounts/${h.id}/expected-pay-ins`, { pay_in_id: `pi-${k}`, participant: PARTICIPANT, amount, end_to_end_id: e2e, uetr: uuid(k) });
      t.is(expected.status, 201, JSON.stringify(expected.body));
      if (k % 2 === 0) {
        t.true(bank.fund(h.ref, new BigNumber(amount), { endToEndId: e2e, uetr: uuid(k) }).ok);
      } else {
        const r = await bank.submit(instruction(nostro, h.ref, amount, 'EUR', { endToEndId: e2e, uetr: uuid(k), idempotencyKey: `faults-${k}` }));
        t.like(r, { ok: true, value: { status: 'ACCEPTED' } });
      }
      await clock.advance(50);
    }
    await clock.advance(5_000); // every delayed or held notification falls due
    t.is(bank.pendingNotifications, 0);
    const delivered = await Promise.all(answers);
    t.true(delivered.every((d) => d.status === 200), JSON.stringify(delivered.filter((d) => d.status !== 200)));

    // The fault log, per account.
    const bookings = new Map(bank.bookings().map((b) => [`FAULTBANK-N${String(b.seq).padStart(10, '0')}`, b]));
    const notes = bank.faultLog.flatMap((r) => (r.stream === 'notification' ? [r] : []));
    t.is(notes.length, 60);
    const dropped = notes.filter((r) => r.drop).map((r) => bookings.get(r.messageId)!);
    const duplicated = notes.filter((r) => !r.drop && r.duplicate);
    t.is(delivered.length, 60 - dropped.length + duplicated.length);
    t.is(delivered.filter((d) => d.verdict === 'duplicate').length, duplicated.length, 'each second copy is a duplicate, nothing more');
    t.is(delivered.filter((d) => d.verdict === 'accepted').length, 60 - dropped.length);
    const faultsOf = (h: Held) => notes.filter((r) => ibanOf(bookings.get(r.messageId)!.account) === h.ref.iban);
    const lossy = held.filter((h) => faultsOf(h).some((r) => r.drop));
    const clean = held.filter((h) => !lossy.includes(h));
    // The seed must exercise what the test claims (a precondition, not luck).
    t.true(dropped.length > 0 && duplicated.length > 0 && notes.some((r) => !r.drop && r.reorder) && notes.some((r) => !r.drop && r.delayMs > 0), 'every fault kind occurs');
    t.true(lossy.length > 0, 'some account lost a notification');
    t.true(clean.some((h) => faultsOf(h).some((r) => r.duplicate || r.reorder || r.delayMs > 0)), 'some account saw only duplicates, reorders and delays');

    // Before the statements: every account ledger = bank (nothing heard is unmatched).
    for (const h of held) {
      const a = (await inject(s, 'GET', `/api/v1/accounts/${h.id}`)).body.data;
      t.is(a.ledger_balance, a.bank_reported_balance, `${h.actor} before the statement`);
      t.is(a.reconciliation_status, 'OK');
    }

    // The day closes; each account's camt.053 goes in.
    await clock.advance(DAY_MS);
    const closing = new Map<string, string>();
    for (const h of held) {
      const st = await bank.statement(h.ref, DAY);
      if (!st.ok) return void t.fail(JSON.stringify(st.error));
      const r = await postXml(s, st.value);
      t.is(r.status, 200, JSON.stringify(r.body));
      t.is(r.body.data.messages[0].status, 'accepted');
      const b = await bank.balance(h.ref);
      if (!b.ok) return void t.fail(JSON.stringify(b.error));
      closing.set(h.actor, b.value.amount.toFixed(2));
    }
    await s.records.flush();

    const rows = (await inject(s, 'GET', '/api/v1/reconciliation/discrepancies')).body.data as {
      actor_id: string; discrepancy_type: string; detail: string; tier: number; severity: string; expected_amount: string | null; actual_amount: string | null; difference: string | null;
    }[];
    // Each dropped notification is one MISSING_TXN on the ledger side, and nothing else is.
    const missing = rows.filter((r) => r.discrepancy_type === 'MISSING_TXN');
    t.true(missing.every((r) => r.detail.startsWith('ledger:') && r.tier === 3), JSON.stringify(missing));
    const describeDrop = (b: (typeof dropped)[0]) => `account:${ibanOf(b.account)}:EUR ${b.accountServicerReference} ${b.amount.toFixed(2)}`;
    const describeRow = (r: (typeof rows)[0]) => `${r.actor_id} ${/AcctSvcrRef (\S+?)[,)]/.exec(r.detail)?.[1]} ${r.expected_amount}`;
    t.deepEqual(missing.map(describeRow).sort(), dropped.map(describeDrop).sort());
    // The only other rows: the statement's check on accounts that lost a notification, short by
    // exactly what was dropped there.
    const others = rows.filter((r) => r.discrepancy_type !== 'MISSING_TXN');
    t.true(others.every((r) => r.discrepancy_type === 'BALANCE_MISMATCH' && r.tier === 3), JSON.stringify(others));
    t.deepEqual(others.map((r) => r.actor_id).sort(), lossy.map((h) => h.actor).sort());
    for (const h of held) {
      const a = (await inject(s, 'GET', `/api/v1/accounts/${h.id}`)).body.data;
      t.is(a.bank_reported_balance, closing.get(h.actor), `${h.actor}: the bank figure is the bank's closing`);
      const short = dropped.filter((b) => ibanOf(b.account) === h.ref.iban).reduce((sum, b) => sum.plus(b.amount), new BigNumber(0));
      t.is(new BigNumber(a.bank_reported_balance).minus(a.ledger_balance).toFixed(2), short.toFixed(2), `${h.actor}: the ledger is short by the dropped credits`);
      if (clean.includes(h)) {
        t.like(a, { reconciliation_status: 'OK', circuit_breaker_active: false }, `${h.actor}: no false alarm`);
      } else {
        const row = others.find((r) => r.actor_id === h.actor)!;
        t.is(row.difference, short.negated().toFixed(2), 'difference = actual (ledger) − expected (bank)');
        t.is(row.actual_amount, a.ledger_balance);
        t.is(row.expected_amount, closing.get(h.actor) ?? null);
        t.not(a.reconciliation_status, 'OK');
      }
    }
    const critical = rows.filter((r) => r.severity === 'CRITICAL').map((r) => r.actor_id);
    t.true(critical.every((actor) => lossy.some((h) => h.actor === actor)), 'a Critical only where a drop explains it');
    const breakers = (await inject(s, 'GET', '/api/v1/circuit-breakers')).body.data as { scope: string }[];
    t.true(breakers.every((b) => lossy.some((h) => b.scope === `account:${h.id}`)), JSON.stringify(breakers));
    t.log(`seed ${SEED}: ${dropped.length} dropped, ${duplicated.length} duplicated, ${notes.filter((r) => r.reorder).length} reordered, ${notes.filter((r) => r.delayMs > 0).length} delayed; clean ${clean.length}/${held.length}; rows ${rows.length}; breakers ${breakers.length}`);
  } finally {
    await s.stop();
  }
});

/** HTTP to the child, with its token. */
function client(url: string, token: string) {
  const call = async (method: 'GET' | 'POST', path: string, body?: object | string) => {
    const headers: Record<string, string> = { authorization: `Bearer ${token}` };
    if (body !== undefined) headers['content-type'] = typeof body === 'string' ? 'application/xml' : 'application/json';
    const res = await fetch(`${url}${path}`, { method, headers, ...(body === undefined ? {} : { body: typeof body === 'string' ? body : JSON.stringify(body) }), signal: AbortSignal.timeout(30_000) });
    return { status: res.status, body: (await res.json()) as any };
  };
  return { get: (p: string) => call('GET', p), post: (p: string, b: object | string) => call('POST', p, b) };
}

interface Row { id: string; source_key: string; actor_id: string; discrepancy_type: string; severity: string; tier: number; status: string; expected_amount: string | null; actual_amount: string | null }

test('all three tiers after a SIGKILL: levels, breakers, discrepancy rows, statement redelivery and tier 2 as before', async (t: ExecutionContext) => {
  t.timeout(90_000);
  const dataDir = mkdtempSync(join(tmpdir(), 'deltran-recon-crash-'));
  t.teardown(() => rmSync(dataDir, { recursive: true, force: true }));
  const { env, token } = serviceEnv({ DATA_DIR: dataDir });
  const childEnv = { ...env, RECON_TIER2_INTERVAL_MIN: 'off' };
  let child: RunningService | null = await startChild(childEnv);
  t.teardown(async () => void (await child?.kill('SIGKILL')));
  let api = client(child.url, token);

  // Six accounts of 1,000,000.00 EUR on both sides; tier 1 moves the bank figure of five of them
  // with credits nobody expected (ledger unchanged): 200.00 Minor, 1000.00 Significant,
  // 50000.00 Critical (breaker), 100.00 Minor (then its statement), 300.00 Minor; A stays Ok.
  const names = ['A', 'MINOR', 'SIGNIF', 'CRIT', 'STMT', 'LAST', 'KILLED'] as const;
  const ibans = Object.fromEntries(names.map((n, i) => [n, iban('NL', `INGB00012345${60 + i}`)])) as Record<(typeof names)[number], string>;
  const ids: Record<string, string> = {};
  for (const n of names) {
    const r = await api.post('/api/v1/accounts', {
      bank_id: 'BANK', account_number: `CR-${n}`, iban: ibans[n], currency: 'EUR', country_code: 'NL', account_type: 'settlement',
      ledger_balance: '1000000.00', bank_reported_balance: '1000000.00',
    });
    t.is(r.status, 201, JSON.stringify(r.body));
    ids[n] = r.body.data.id;
  }
  // The seed's JSON has no booking_date: its creation day stands in (regression: the booking was
  // once journaled without a day, and its statement reported it as a MISSING_TXN tier 1 had heard).
  const credit = (n: (typeof names)[number], amount: string, k: number) => api.post('/api/v1/reconciliation/camt054', {
    message_id: `CR-054-${k}`, account_id: ibans[n], currency: 'EUR', credit_debit_indicator: 'CRDT', amount,
    creation_date_time: '2024-05-01T10:00:00Z', bank_reference: `CR-REF-${k}`, end_to_end_id: `CR-E2E-${k}`,
  });
  const levels: [typeof names[number], string, string][] = [['MINOR', '200.00', 'Minor'], ['SIGNIF', '1000.00', 'Significant'], ['CRIT', '50000.00', 'Critical'], ['STMT', '100.00', 'Minor'], ['LAST', '300.00', 'Minor']];
  for (const [k, [n, amount, level]] of levels.entries()) {
    const r = await credit(n, amount, k);
    t.is(r.status, 200, JSON.stringify(r.body));
    t.is(r.body.data.threshold_level, level, n);
  }
  // Tier 3 on STMT: the bank booked CR-REF-3 (heard) and CR-REF-X (never heard): one MISSING_TXN
  // on the ledger side and the statement's own check (ledger 1,000,000.00, bank 1,000,102.00: Minor).
  const statement = camt053('CR-STMT-1', [{ id: 'CR-STMT-1', iban: ibans.STMT, seq: '1', date: '2024-05-01', currency: 'EUR', opening: '1000000.00', closing: '1000102.00', entries: [
    { amount: '100.00', currency: 'EUR', direction: 'CRDT', ref: 'CR-REF-3', e2e: 'CR-E2E-3' },
    { amount: '2.00', currency: 'EUR', direction: 'CRDT', ref: 'CR-REF-X', e2e: 'CR-E2E-X' },
  ] }]);
  const eod = await api.post('/api/v1/iso20022', statement);
  t.is(eod.status, 200, JSON.stringify(eod.body));
  t.is(eod.body.data.messages[0].status, 'accepted');

  // Expected rows: a tier-1 BALANCE_MISMATCH per account that left Ok (5), STMT's MISSING_TXN
  // and its tier-3 check: 7.
  const listed = async () => (await api.get('/api/v1/reconciliation/discrepancies')).body.data as Row[];
  const before = await eventually(async () => { const r = await listed(); return r.length >= 7 ? r : undefined; }, '7 discrepancy rows');
  t.is(before.length, 7, JSON.stringify(before.map((r) => [r.actor_id, r.discrepancy_type, r.tier, (r as Row & { detail: string }).detail])));
  t.deepEqual(before.filter((r) => r.tier === 3).map((r) => r.discrepancy_type).sort(), ['BALANCE_MISMATCH', 'MISSING_TXN']);

  const tier2 = async () => {
    const r = await api.post('/api/v1/reconciliation/intraday/all', {});
    t.is(r.status, 200, JSON.stringify(r.body));
    const pick = ({ account_id, account_number, currency, ledger_balance, bank_balance, difference, threshold_level }: Record<string, unknown>) =>
      ({ account_id, account_number, currency, ledger_balance, bank_balance, difference, threshold_level });
    return new Map((r.body.data as Record<string, unknown>[]).map((x) => [x['account_id'] as string, pick(x)]));
  };
  const tier2Before = await tier2();
  t.is(tier2Before.size, names.length);
  t.like(tier2Before.get(ids['CRIT']!), { threshold_level: 'Critical', bank_balance: '1050000.00' });
  t.like(tier2Before.get(ids['STMT']!), { threshold_level: 'Minor', bank_balance: '1000102.00' });
  const accountsOf = async () => new Map(((await api.get('/api/v1/accounts')).body.data as Record<string, unknown>[]).map((a) => [a['id'] as string,
    { ledger: a['ledger_balance'], bank: a['bank_reported_balance'], level: a['reconciliation_status'], breaker: a['circuit_breaker_active'] }]));
  const accountsBefore = await accountsOf();
  const breakersOf = async () => ((await api.get('/api/v1/circuit-breakers')).body.data as { scope: string }[]).map((b) => b.scope).sort();
  const breakersBefore = await breakersOf();
  t.deepEqual(breakersBefore, [`account:${ids['CRIT']}`]);

  // The last message (KILLED: 50,000.00, Critical) and the kill at once: its row and its breaker
  // may not be projected yet; the journal has the event (the 200 says so).
  const last = await credit('KILLED', '50000.00', 99);
  t.like(last.body.data, { threshold_level: 'Critical', circuit_breaker_active: true });
  t.like(await child.kill('SIGKILL'), { signal: 'SIGKILL' });

  child = await startChild(childEnv);
  api = client(child.url, token);
  // The projection's catch-up: the 7 rows as they were (same ids and source keys), KILLED's one
  // added once; waiting a while longer adds nothing.
  const after = await eventually(async () => { const r = await listed(); return r.length >= 8 ? r : undefined; }, '8 discrepancy rows');
  await new Promise((r) => setTimeout(r, 1_000));
  const settled = await listed();
  t.is(settled.length, 8);
  t.is(new Set(settled.map((r) => r.source_key)).size, 8, 'no source key twice');
  const key = (r: Row) => JSON.stringify([r.id, r.source_key, r.actor_id, r.discrepancy_type, r.severity, r.tier, r.status, r.expected_amount, r.actual_amount]);
  t.deepEqual(after.map(key).sort(), settled.map(key).sort());
  const kept = settled.filter((r) => before.some((b) => b.id === r.id));
  t.deepEqual(kept.map(key).sort(), before.map(key).sort(), 'none lost, none changed');
  t.like(settled.find((r) => !before.some((b) => b.id === r.id)), { actor_id: `account:${ibans.KILLED}:EUR`, discrepancy_type: 'BALANCE_MISMATCH', severity: 'CRITICAL', tier: 1 });

  // Levels and breakers: as before, plus KILLED's.
  const accountsAfter = await accountsOf();
  for (const [id, a] of accountsBefore) {
    if (id === ids['KILLED']) continue;
    t.deepEqual(accountsAfter.get(id), a, id);
  }
  t.deepEqual(accountsAfter.get(ids['KILLED']!), { ledger: '1000000.00', bank: '1050000.00', level: 'CRITICAL', breaker: true });
  t.deepEqual(await breakersOf(), [`account:${ids['CRIT']}`, `account:${ids['KILLED']}`].sort());

  // Tier 3: the statement redelivered is a duplicate and changes nothing.
  const again = await api.post('/api/v1/iso20022', statement);
  t.is(again.status, 200, JSON.stringify(again.body));
  t.is(again.body.data.messages[0].status, 'duplicate');
  t.is((await listed()).length, 8);
  t.deepEqual((await accountsOf()).get(ids['STMT']!), accountsBefore.get(ids['STMT']!));

  // Tier 2: the same rows as before the kill (KILLED's now with its credit).
  const tier2After = await tier2();
  for (const [id, row] of tier2Before) {
    if (id === ids['KILLED']) t.like(tier2After.get(id), { ledger_balance: '1000000.00', bank_balance: '1050000.00', threshold_level: 'Critical' });
    else t.deepEqual(tier2After.get(id), row, id);
  }
  t.is(tier2After.size, tier2Before.size);
  await child.kill('SIGTERM');
  child = null;
});
