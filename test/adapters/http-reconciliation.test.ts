// Goal: reconciliation tiers 1 and 2, the breakers, health and metrics on the running service, end
// to end over HTTP, on PGlite and on PostgreSQL:
// - the seed's walkthrough: 1,000,000.00 AED on both sides, an unexpected 50,000.00 credit as the
//   seed's JSON → ledger 1000000.00, bank 1050000.00, difference 50000.00, Critical, breaker
//   tripped; the same notification as camt.054 XML through POST /api/v1/iso20022 gives the same
//   state on a twin account; a duplicate message_id changes nothing;
// - the account breaker refuses a payout and a debit, accepts a credit, resets only when back in
//   range (409 before); health is 503 while a breaker or a critical discrepancy is open;
// - the currency breaker: a client_funds bank debit below the tokens outstanding trips it, a mint
//   is refused, reset is 409 until the fiat is back;
// - tier 2 against the mock bank: drift caught, a growing drift flagged while still Minor (before it
//   crosses into Significant), Critical trips the breaker; seeded timeouts and failures give
//   UNAVAILABLE rows and change no level;
// - the metrics under the seed's names.
// Method: the real service (startService) through fastify inject; figures computed by hand.

import type { ExecutionContext } from 'ava';
import BigNumber from 'bignumber.js';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MockBank } from '../../adapters/bank/mock-bank.ts';
import type { ReconciliationOptions } from '../../adapters/reconciliation-service.ts';
import { startService, type Service } from '../../adapters/service.ts';
import { writeCamt054 } from '../../streams/iso20022/writers/camt054.ts';
import { bothEngines, PG_URL, type Env } from './db/engines.ts';
import { eventually } from '../helpers/eventually.ts';

/** Starts the service on the test's database; every start of one test sees the same data. */
function starter(t: ExecutionContext, env: Env): (reconciliation?: ReconciliationOptions) => Promise<Service> {
  const intake = { natsUrl: false, inboxDir: false, redisUrl: false } as const;
  if (env.engine === 'postgres') {
    return (reconciliation) => startService({ host: '127.0.0.1', port: 0, databaseUrl: PG_URL, schema: env.schema, logger: false, intake, reconciliation });
  }
  const dir = mkdtempSync(join(tmpdir(), 'deltran-recon-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  return (reconciliation) => startService({ host: '127.0.0.1', port: 0, dataDir: dir, databaseUrl: '', logger: false, intake, reconciliation });
}

function start(t: ExecutionContext, env: Env, reconciliation?: ReconciliationOptions): Promise<Service> {
  return starter(t, env)(reconciliation);
}

function api(service: Service) {
  const call = async (method: 'GET' | 'POST', url: string, payload?: object | string, headers: Record<string, string> = {}) => {
    const res = await service.app.inject({ method, url, ...(payload === undefined ? {} : { payload }), headers });
    return { status: res.statusCode, body: res.json() as any, text: res.body };
  };
  return {
    get: (url: string) => call('GET', url),
    post: (url: string, payload: object, headers?: Record<string, string>) => call('POST', url, payload, headers),
    xml: (url: string, xml: string) => call('POST', url, xml, { 'content-type': 'application/xml' }),
    metrics: async () => (await service.app.inject({ method: 'GET', url: '/metrics' })).body,
  };
}

/** A valid IBAN (mod 97) for `country` and `bban`: the mock bank keeps only real-looking accounts. */
function iban(country: string, bban: string): string {
  const digits = [...`${bban}${country}00`].map((c) => (/\d/.test(c) ? c : String(c.charCodeAt(0) - 55))).join('');
  let r = 0;
  for (const d of digits) r = (r * 10 + Number(d)) % 97;
  return `${country}${String(98 - r).padStart(2, '0')}${bban}`;
}

async function open(service: Service, fields: Record<string, string>): Promise<string> {
  const res = await api(service).post('/api/v1/accounts', { bank_id: 'BANK', country_code: 'AE', account_type: 'settlement', ...fields });
  if (res.status !== 201) throw new Error(JSON.stringify(res.body));
  return res.body.data.id as string;
}

const camt054 = (fields: Record<string, string>) => ({
  message_id: 'CAMT054-001', currency: 'AED', credit_debit_indicator: 'CRDT', amount: '50000.00',
  creation_date_time: '2025-11-20T10:00:00Z', bank_reference: 'BANKREF-001', end_to_end_id: 'E2E-UNEXPECTED-1', ...fields,
});

bothEngines('tier 1: the seed walkthrough over HTTP (JSON and XML alike), duplicates, the account breaker, health, metrics', async (t, env) => {
  const service = await start(t, env);
  try {
    const { get, post, xml, metrics } = api(service);
    const ibanA = iban('AE', '0331234567890123456');
    const ibanB = iban('AE', '0331234567890654321');
    const a = await open(service, { account_number: 'ACC-A', iban: ibanA, currency: 'AED', ledger_balance: '1000000.00', bank_reported_balance: '1000000.00' });
    const b = await open(service, { account_number: 'ACC-B', iban: ibanB, currency: 'AED', ledger_balance: '1000000.00', bank_reported_balance: '1000000.00' });
    t.is((await get('/api/v1/reconciliation/health')).body.status, 'HEALTHY');

    // The walkthrough, by account number as the seed sends it.
    const first = await post('/api/v1/reconciliation/camt054', camt054({ account_id: 'ACC-A' }));
    t.is(first.status, 200, JSON.stringify(first.body));
    t.deepEqual(first.body.data, {
      account_id: a, account_number: 'ACC-A', currency: 'AED',
      ledger_balance: '1000000.00', bank_balance: '1050000.00', difference: '50000.00', ledger_minus_bank: '-50000.00',
      threshold_level: 'Critical', action_taken: 'CIRCUIT_BREAKER_TRIPPED', circuit_breaker_active: true, status: 'applied',
    });
    const seqAfter = (await get(`/api/v1/accounts/${a}`)).body.data.actor.seq;
    // The same message again: the same answer, nothing journaled.
    const again = await post('/api/v1/reconciliation/camt054', camt054({ account_id: ibanA }));
    t.like(again.body.data, { bank_balance: '1050000.00', difference: '50000.00', threshold_level: 'Critical', status: 'duplicate' });
    const viewA = (await get(`/api/v1/accounts/${a}`)).body.data;
    t.is(viewA.actor.seq, seqAfter);
    t.like(viewA, { ledger_balance: '1000000.00', bank_reported_balance: '1050000.00', reconciliation_status: 'CRITICAL', circuit_breaker_active: true });

    // The same notification as camt.054 XML, to the twin account: the same state.
    const written = writeCamt054({
      messageId: 'CAMT054-XML-001', creationDateTime: '2025-11-20T10:00:00Z', notificationId: 'N-1',
      account: { iban: ibanB, currency: 'AED' },
      entries: [{ amount: new BigNumber('50000.00'), currency: 'AED', direction: 'CRDT', status: 'BOOK', bookingDate: '2025-11-20', valueDate: '2025-11-20', accountServicerReference: 'BANKREF-001', endToEndId: 'E2E-UNEXPECTED-1' }],
    } as Parameters<typeof writeCamt054>[0]);
    if (!written.ok) throw new Error(JSON.stringify(written.errors));
    const viaXml = await xml('/api/v1/iso20022', written.xml);
    t.is(viaXml.status, 200, JSON.stringify(viaXml.body));
    const viewB = (await get(`/api/v1/accounts/${b}`)).body.data;
    for (const k of ['ledger_balance', 'bank_reported_balance', 'reconciliation_status', 'circuit_breaker_active']) t.is(viewB[k], viewA[k], k);

    // Validation and an unknown account.
    t.like((await post('/api/v1/reconciliation/camt054', camt054({ account_id: 'ACC-A', amount: '1e5' }))).body, { code: 'VALIDATION_FAILED', field: 'amount' });
    t.is((await post('/api/v1/reconciliation/camt054', camt054({ account_id: 'NOPE' }))).status, 404);

    // The breaker: listed, refuses money out, accepts a credit.
    const breakers = (await get('/api/v1/circuit-breakers')).body.data;
    const scopes = breakers.map((x: { scope: string }) => x.scope).sort();
    t.deepEqual(scopes, [`account:${a}`, `account:${b}`].sort());
    t.true(breakers.every((x: { reason: string; since: string }) => /Critical/.test(x.reason) && !Number.isNaN(Date.parse(x.since))));
    t.regex(await metrics(), new RegExp(`token_engine_circuit_breaker_active\\{scope="account:${a}"\\} 1`));
    const actorA = `account:${ibanA}:AED`;
    const debit = await service.accounts.send(actorA, { type: 'DebitLedger', messageId: 'payout-1', currency: 'AED', amount: new BigNumber('10.00'), reservationId: null, reference: 'payout', backingHeadroom: null });
    t.like(debit, { status: 'rejected', rejection: { code: 'BREAKER_OPEN' } });
    const reserve = await service.accounts.send(actorA, { type: 'Reserve', messageId: 'reserve-1', reservationId: 'r1', currency: 'AED', amount: new BigNumber('10.00') });
    t.like(reserve, { status: 'rejected', rejection: { code: 'BREAKER_OPEN' } });
    const credit = await post('/api/v1/reconciliation/camt054', camt054({ account_id: 'ACC-A', message_id: 'CAMT054-002', bank_reference: 'BANKREF-002', amount: '10.00' }));
    t.like(credit.body.data, { bank_balance: '1050010.00', status: 'applied' });

    // Health: a breaker is open.
    const sick = await get('/api/v1/reconciliation/health');
    t.is(sick.status, 503);
    t.like(sick.body, { status: 'CRITICAL', total_accounts: 2, accounts_ok: 0, accounts_mismatch: 2 });

    // Reset refused while Critical; the bank reverses the credits; reset accepted.
    const early = await post(`/api/v1/circuit-breakers/account:${a}/reset`, { reason: 'investigated' });
    t.is(early.status, 409);
    t.is(early.body.code, 'RECONCILIATION_OUT_OF_RANGE');
    const back = await post('/api/v1/reconciliation/camt054', camt054({ account_id: 'ACC-A', message_id: 'CAMT054-003', bank_reference: 'BANKREF-003', credit_debit_indicator: 'DBIT', amount: '50010.00' }));
    t.like(back.body.data, { bank_balance: '1000000.00', difference: '0.00', threshold_level: 'Ok', action_taken: 'NONE', circuit_breaker_active: true });
    const reset = await post(`/api/v1/circuit-breakers/account:${a}/reset`, { reason: 'bank reversed the unexpected credit' });
    t.is(reset.status, 200, JSON.stringify(reset.body));
    t.like((await get(`/api/v1/accounts/${a}`)).body.data, { circuit_breaker_active: false, reconciliation_status: 'OK' });
    t.like(await service.accounts.send(actorA, { type: 'Reserve', messageId: 'reserve-2', reservationId: 'r2', currency: 'AED', amount: new BigNumber('10.00') }), { status: 'appended' });
    t.is((await post(`/api/v1/circuit-breakers/account:${b}/reset`, { reason: 'no' })).status, 409);
    t.is((await post(`/api/v1/circuit-breakers/account:${b}/reset`, {})).status, 400);

    // Health follows the open critical discrepancies too (the discrepancy projection writes them;
    // one more, inserted here, must be counted).
    const before = (await get('/api/v1/reconciliation/summary')).body.data.critical_discrepancies as number;
    await service.db.query(
      `INSERT INTO reconciliation_discrepancies (account_id, discrepancy_type, expected_amount, actual_amount, difference, threshold_exceeded, status)
       VALUES ($1::uuid, 'BALANCE_MISMATCH', 1000000, 1050000, 50000, 'CRITICAL', 'OPEN')`, [b]);
    const summary = (await get('/api/v1/reconciliation/summary')).body.data;
    t.like(summary, { total_accounts: 2, critical_discrepancies: before + 1, open_breakers: 1, accounts_by_level: { OK: 1, CRITICAL: 1 } });
    t.like(summary.currencies[0], { currency: 'AED', accounts: 2, ledger_total: '2000000', bank_total: '2050000' });

    const text = await metrics();
    t.regex(text, /token_engine_reconciliation_checks_total\{tier="1",status="CRITICAL"\} [1-9]/);
    t.regex(text, /token_engine_reconciliation_checks_total\{tier="1",status="OK"\} 1/);
    t.regex(text, new RegExp(`token_engine_circuit_breaker_active\\{scope="account:${b}"\\} 1`));
    t.regex(text, new RegExp(`token_engine_circuit_breaker_active\\{scope="account:${a}"\\} 0`));
    t.regex(text, new RegExp(`token_engine_reconciliation_discrepancies\\{severity="CRITICAL"\\} ${before + 1}\n`));
    t.regex(text, /token_engine_reconciliation_duration_seconds_count\{tier="1"\} [1-9]/);
  } finally {
    await service.stop();
  }
});

bothEngines('currency breaker: a client_funds debit below the tokens outstanding trips it; mints refused; reset only with the backing whole', async (t, env) => {
  const service = await start(t, env);
  try {
    const { get, post, metrics } = api(service);
    t.is((await post('/api/v1/participants', { bic: 'BANKUS33', name: 'Bank U', country: 'US' })).status, 201);
    await open(service, { account_number: 'CF-USD', currency: 'USD', country_code: 'US', account_type: 'client_funds', ledger_balance: '1000.00', bank_reported_balance: '1000.00' });
    const mint = (key: string, amount: string) => post('/api/v1/tokens/mint', { participant: 'BANKUS33', currency: 'USD', reason: 'float', amount, message_id: key });
    t.is((await mint('m1', '1000.00')).status, 200);
    const debit = await post('/api/v1/reconciliation/camt054', camt054({ account_id: 'CF-USD', currency: 'USD', credit_debit_indicator: 'DBIT', amount: '300.00', message_id: 'D-1', bank_reference: 'R-1' }));
    t.like(debit.body.data, { bank_balance: '700.00', threshold_level: 'Critical' });
    await eventually(async () => ((await get('/api/v1/circuit-breakers')).body.data.some((x: { scope: string }) => x.scope === 'currency:USD') ? true : undefined), 'the USD breaker');
    const refused = await mint('m2', '1.00');
    t.is(refused.status, 422);
    t.is(refused.body.code, 'BREAKER_OPEN');
    const early = await post('/api/v1/circuit-breakers/currency:USD/reset', { reason: 'funded' });
    t.is(early.status, 409);
    t.is(early.body.code, 'BACKING_SHORT');
    const summary = (await get('/api/v1/reconciliation/summary')).body.data;
    t.like(summary.currencies.find((c: { currency: string }) => c.currency === 'USD').backing, { tokens_outstanding: '1000', fiat_by_bank: '700', fiat_by_ledger: '1000', backed_by_bank: false, breaker_open: true });
    t.regex(await metrics(), /token_engine_backing_ratio\{currency="USD",basis="bank"\} 1\.428/);
    await post('/api/v1/reconciliation/camt054', camt054({ account_id: 'CF-USD', currency: 'USD', amount: '300.00', message_id: 'C-1', bank_reference: 'R-2' }));
    const reset = await post('/api/v1/circuit-breakers/currency:USD/reset', { reason: 'bank refunded' });
    t.is(reset.status, 200, JSON.stringify(reset.body));
    t.false((await get('/api/v1/circuit-breakers')).body.data.some((x: { scope: string }) => x.scope === 'currency:USD'));
  } finally {
    await service.stop();
  }
});

bothEngines('tier 2 against the mock bank: drift, a trend flagged before the level is crossed, Critical trips, faults give UNAVAILABLE', async (t, env) => {
  const mock = new MockBank();
  const boot = starter(t, env);
  const service = await boot({ mockBank: mock });
  try {
    const { get, post } = api(service);
    const ids: string[] = [];
    for (let i = 0; i < 3; i++) {
      ids.push(await open(service, { account_number: `T2-${i}`, iban: iban('DE', `3704004405320130${String(i).padStart(2, '0')}`), currency: 'EUR', country_code: 'DE', ledger_balance: '1000000.00', bank_reported_balance: '1000000.00' }));
    }
    const ref = (i: number) => ({ iban: iban('DE', `3704004405320130${String(i).padStart(2, '0')}`), currency: 'EUR' });
    const run = async () => {
      const res = await post('/api/v1/reconciliation/intradey/all', {});
      t.is(res.status, 200);
      return new Map<string, any>(res.body.data.map((r: { account_id: string }) => [r.account_id, r]));
    };
    let rows = await run();
    t.like(rows.get(ids[0]!), { account_number: 'T2-0', currency: 'EUR', ledger_balance: '1000000.00', bank_balance: '1000000.00', difference: '0.00', threshold_level: 'Ok' });

    // Account 1 drifts by 100.00 per check: Minor throughout, flagged at the 4th check because
    // 400 + 3 × 100 = 700 > 0.05% of the bank (Significant ahead).
    const levels: string[] = [];
    for (let k = 1; k <= 4; k++) {
      mock.drift(ref(1), new BigNumber('100.00'));
      rows = await run();
      levels.push(rows.get(ids[1]!).threshold_level);
      if (k < 4) t.false(rows.get(ids[1]!).trend.drifting, `check ${k}`);
    }
    t.deepEqual(levels, ['Minor', 'Minor', 'Minor', 'Minor']);
    t.like(rows.get(ids[1]!).trend, { drifting: true, projected_level: 'Significant', step: '100.00' });
    t.like((await get(`/api/v1/accounts/${ids[1]}`)).body.data, { reconciliation_status: 'MINOR', circuit_breaker_active: false });

    // Account 2: the bank lost 20,000.00 deltran never heard of: Critical, the breaker trips.
    mock.drift(ref(2), new BigNumber('-20000.00'));
    const one = await post(`/api/v1/reconciliation/intraday/${ids[2]}`, {});
    t.like(one.body.data, { threshold_level: 'Critical', ledger_minus_bank: '20000.00', bank_balance: '980000.00' });
    t.like((await get(`/api/v1/accounts/${ids[2]}`)).body.data, { reconciliation_status: 'CRITICAL', circuit_breaker_active: true });
    t.true((await get('/api/v1/circuit-breakers')).body.data.some((x: { scope: string }) => x.scope === `account:${ids[2]}`));
    t.is((await get('/api/v1/reconciliation/health')).status, 503);
  } finally {
    await service.stop();
  }

  // Seeded faults: the rows say UNAVAILABLE where the fault log says the bank failed; no level moves.
  const faulty = new MockBank({ faults: { seed: 4242, failureRate: 0.25, timeoutRate: 0.25, timeoutMs: 10 } });
  const second = await boot({ mockBank: faulty });
  try {
    const res = await api(second).post('/api/v1/reconciliation/intraday/all', {});
    const rows = res.body.data as { threshold_level: string; error?: { code: string } }[];
    t.is(rows.length, 3);
    const faults = faulty.faultLog.filter((f) => f.stream === 'call' && f.operation === 'balance' && f.outcome !== 'ANSWER').length;
    t.is(rows.filter((r) => r.threshold_level === 'UNAVAILABLE').length, faults);
    for (const r of rows.filter((x) => x.threshold_level === 'UNAVAILABLE')) t.true(['TIMEOUT', 'UNAVAILABLE'].includes(r.error!.code));
    // A restart re-seeds the mock from the journal: the index survived it with the same levels.
    t.like((await api(second).get('/api/v1/reconciliation/summary')).body.data, { total_accounts: 3, accounts_by_level: { OK: 1, MINOR: 1, CRITICAL: 1 } });
    t.true(faults > 0, 'the seed injects at least one fault over 3 calls');
  } finally {
    await second.stop();
  }
});
