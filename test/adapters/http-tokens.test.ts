// Goal: the participants and tokens APIs on the running service, end to end, on PGlite and on
// PostgreSQL: registration and its validation; operator mint, burn, transfer and convert (rate in
// the request or from fx_rates) against the backing of client_funds accounts opened through the
// accounts API; refusals as 422 with their code; idempotency by message_id or Idempotency-Key;
// balances and the proof of backing identical after a restart; a camt.054 booked credit matched to
// an expected pay-in mints the pay-in's participant once; a PayInMatched journaled without its mint
// (a crash between the two appends) is minted at the next start, once.
// Method: the real service (startService) through fastify inject; PGlite in a temp directory,
// PostgreSQL in the test's own schema; figures computed by hand beside each step.

import type { ExecutionContext } from 'ava';
import BigNumber from 'bignumber.js';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { accountEventCodec } from '../../actors/account/events.ts';
import { toJournal } from '../../actors/journal-form.ts';
import { payInMintId } from '../../actors/tokens/model.ts';
import { openDatabase, type Database } from '../../adapters/db/database.ts';
import { PgJournal } from '../../adapters/db/journal.ts';
import { startService, type Service } from '../../adapters/service.ts';
import { bothEngines, PG_URL, type Env } from './db/engines.ts';
import { eventually } from '../helpers/eventually.ts';

const A = 'BANKAEAAXXX';
const U = 'BANKUS33';
const AED_IBAN = 'AE070331234567890123456';

interface Place {
  start(): Promise<Service>;
  /** The database while the service is stopped (close it before starting again). */
  open(): Promise<Database>;
}

function placeOf(t: ExecutionContext, env: Env): Place {
  const intake = { natsUrl: false, inboxDir: false, redisUrl: false } as const;
  if (env.engine === 'postgres') {
    return {
      start: () => startService({ host: '127.0.0.1', port: 0, databaseUrl: PG_URL, schema: env.schema, logger: false, intake }),
      open: () => openDatabase({ url: PG_URL, schema: env.schema, poolSize: 1 }),
    };
  }
  const dir = mkdtempSync(join(tmpdir(), 'deltran-tokens-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  return {
    start: () => startService({ host: '127.0.0.1', port: 0, dataDir: dir, databaseUrl: '', logger: false, intake }),
    open: () => openDatabase({ dataDir: dir }),
  };
}

function api(service: Service) {
  const call = async (method: 'GET' | 'POST', url: string, payload?: object, headers: Record<string, string> = {}) => {
    const res = await service.app.inject({ method, url, ...(payload === undefined ? {} : { payload }), headers });
    return { status: res.statusCode, body: res.json() as { success: boolean; data: any; error: string | null; code?: string; field?: string } };
  };
  return {
    get: (url: string) => call('GET', url),
    post: (url: string, payload: object, headers?: Record<string, string>) => call('POST', url, payload, headers),
  };
}

async function register(service: Service): Promise<void> {
  const { post } = api(service);
  for (const p of [{ bic: A, name: 'Bank A', country: 'AE' }, { bic: U, name: 'Bank U', country: 'US' }]) {
    const res = await post('/api/v1/participants', p);
    if (res.status !== 201) throw new Error(JSON.stringify(res.body));
  }
}

async function openAccount(service: Service, fields: Record<string, string>): Promise<string> {
  const res = await api(service).post('/api/v1/accounts', { bank_id: 'BANK', country_code: 'AE', account_type: 'client_funds', ...fields });
  if (res.status !== 201) throw new Error(JSON.stringify(res.body));
  return res.body.data.id as string;
}

bothEngines('participants: registration, validation, duplicates, reads', async (t, env) => {
  const service = await placeOf(t, env).start();
  try {
    const { get, post } = api(service);
    const created = await post('/api/v1/participants', {
      bic: 'emiraeadxxx', name: ' EMI One ', country: 'AE', settlement_account: 'AE070331234567890123456', debit_caps: { AED: '1000000.5', JPY: '250000' },
    });
    t.is(created.status, 201, JSON.stringify(created.body));
    t.like(created.body.data, { bic: 'EMIRAEADXXX', name: 'EMI One', country: 'AE', status: 'ACTIVE', debit_caps: { AED: '1000000.50', JPY: '250000' } });
    t.like((await post('/api/v1/participants', { bic: 'EMIRAEADXXX', name: 'again', country: 'AE' })).body, { code: 'PARTICIPANT_EXISTS', field: 'bic' });
    t.is((await post('/api/v1/participants', { bic: 'EMIRAEADXXX', name: 'again', country: 'AE' })).status, 409);
    const bad = async (body: object, field: string) => {
      const res = await post('/api/v1/participants', { bic: 'BANKGB2L', name: 'n', country: 'GB', ...body });
      t.is(res.status, 400, JSON.stringify(body));
      t.like(res.body, { success: false, code: 'VALIDATION_FAILED', field });
    };
    await bad({ bic: 'BANK GB2L' }, 'bic');
    await bad({ bic: 'BANKQQ2L' }, 'bic');
    await bad({ country: 'EU' }, 'country');
    await bad({ country: 'gb' }, 'country');
    await bad({ name: '' }, 'name');
    await bad({ debit_caps: { XXY: '1.00' } }, 'debit_caps.XXY');
    await bad({ debit_caps: { JPY: '1.5' } }, 'debit_caps.JPY');
    await bad({ debit_caps: { EUR: 100 } }, 'debit_caps.EUR');
    await bad({ debit_caps: { EUR: '-1.00' } }, 'debit_caps.EUR');
    t.is((await post('/api/v1/participants', { bic: 'BANKGB2L', name: 'Bank GB', country: 'GB' })).status, 201);
    const list = await get('/api/v1/participants');
    t.deepEqual(list.body.data.map((p: { bic: string }) => p.bic), ['EMIRAEADXXX', 'BANKGB2L']);
    t.like((await get('/api/v1/participants/bankgb2l')).body.data, { bic: 'BANKGB2L', debit_caps: {} });
    t.is((await get('/api/v1/participants/NOPEGB2L')).status, 404);
  } finally {
    await service.stop();
  }
});

bothEngines('tokens: backing from client funds, operations, refusals, idempotency, the same after a restart', async (t, env) => {
  const place = placeOf(t, env);
  let service = await place.start();
  const before: { balances: unknown[]; ledgers: unknown } = { balances: [], ledgers: null };
  try {
    const { get, post } = api(service);
    await register(service);
    const mint = (body: object, key?: string) => post('/api/v1/tokens/mint', { participant: A, currency: 'AED', reason: 'float', ...body }, key === undefined ? {} : { 'idempotency-key': key });

    t.like((await mint({ amount: '1.00' }, 'early')).body, { code: 'BACKING_EXCEEDED' });
    t.is((await mint({ amount: '1.00' }, 'early2')).status, 422);
    t.like((await mint({ amount: '1.00' })).body, { code: 'VALIDATION_FAILED', field: 'message_id' });
    t.like((await mint({ amount: '1.00', message_id: 'a' }, 'b')).body, { code: 'VALIDATION_FAILED' });
    t.like((await mint({ amount: 1 }, 'num')).body, { code: 'VALIDATION_FAILED', field: 'amount' });
    t.like((await mint({ amount: '1.00', participant: 'NOPEAEAA' }, 'x')).body, { code: 'PARTICIPANT_UNKNOWN' });

    // Backing: Σ bank-reported balances of client_funds accounts only.
    await openAccount(service, { account_number: '1', iban: AED_IBAN, currency: 'AED', bank_reported_balance: '1000.00', ledger_balance: '1000.00' });
    await openAccount(service, { account_number: '2', currency: 'USD', country_code: 'US', bank_reported_balance: '500.00' });
    await openAccount(service, { account_number: '3', currency: 'AED', account_type: 'settlement', bank_reported_balance: '999.00' });
    t.like((await get('/api/v1/tokens/ledgers')).body.data, [
      { currency: 'AED', token: 'xAED', outstanding: '0.00', backing: '1000.00', backed: true },
      { currency: 'USD', outstanding: '0.00', backing: '500.00' },
    ]);

    const first = await mint({ amount: '600.00' }, 'k1');
    t.is(first.status, 200, JSON.stringify(first.body));
    t.like(first.body.data, { status: 'applied', message_id: 'k1', operation: 'mint', events: [{ type: 'TokensMinted', currency: 'AED', participant: A, amount: '600.00' }] });
    t.like((await mint({ amount: '600.00' }, 'k1')).body.data, { status: 'duplicate', message_id: 'k1' });
    t.like((await mint({ amount: '600.00', message_id: 'k1' })).body.data, { status: 'duplicate' });
    t.like((await mint({ amount: '400.01' }, 'k2')).body, { code: 'BACKING_EXCEEDED', success: false });
    t.like((await mint({ amount: '1.001' }, 'k3')).body, { code: 'AMOUNT_PRECISION' });

    t.like((await post('/api/v1/tokens/transfer', { from: A, to: U, currency: 'AED', amount: '100.00', message_id: 't1' })).body.data, { status: 'applied' });
    t.like((await post('/api/v1/tokens/burn', { participant: A, currency: 'AED', amount: '700.00', reference: 'payout-1', message_id: 'b1' })).body, { code: 'INSUFFICIENT_TOKENS' });
    t.is((await post('/api/v1/tokens/burn', { participant: A, currency: 'AED', amount: '700.00', reference: 'payout-1', message_id: 'b1' })).status, 422);
    t.like((await post('/api/v1/tokens/burn', { participant: A, currency: 'AED', amount: '50.00', reference: 'payout-1', message_id: 'b2' })).body.data, { status: 'applied' });

    // Convert with the rate in the request: 100.00 USD × 3.6725 = 367.25 AED.
    t.like((await mint({ participant: U, currency: 'USD', amount: '100.00' }, 'k4')).body.data, { status: 'applied' });
    const byRequest = await post('/api/v1/tokens/convert', {
      participant: U, source_currency: 'USD', target_currency: 'AED', amount: '100.00', rate: '3.6725', rate_id: 'desk-42', message_id: 'c1',
    });
    t.like(byRequest.body.data, { status: 'applied', events: [
      { type: 'TokensConvertedOut', currency: 'USD', amount: '100.00', target_amount: '367.25', rate: '3.6725', rate_id: 'request:desk-42' },
      { type: 'TokensConvertedIn', currency: 'AED', amount: '367.25', source_amount: '100.00' },
    ] });
    // Convert with the stored rate: 100.00 AED × 0.2723 = 27.23 USD.
    const { rows } = await service.db.query<{ id: string }>(
      `INSERT INTO fx_rates (base, quote, rate, as_of, source) VALUES ('AED', 'USD', 0.2723, '2024-05-01', 'ecb') RETURNING id::text AS id`);
    const byTable = await post('/api/v1/tokens/convert', { participant: A, source_currency: 'AED', target_currency: 'USD', amount: '100.00', message_id: 'c2' });
    t.like(byTable.body.data, { status: 'applied', events: [{ target_amount: '27.23', rate: '0.2723', rate_id: `fx_rates:${rows[0]!.id}` }, { amount: '27.23' }] });
    t.like((await post('/api/v1/tokens/convert', { participant: A, source_currency: 'AED', target_currency: 'EUR', amount: '1.00', message_id: 'c3' })).body, { code: 'RATE_UNKNOWN' });
    t.like((await post('/api/v1/tokens/convert', { participant: A, source_currency: 'AED', target_currency: 'USD', amount: '1000.00', message_id: 'c4' })).body, { code: 'INSUFFICIENT_TOKENS' });

    // A: 600 − 100 − 50 − 100 = 350.00 AED, 27.23 USD. U: 100 + 367.25 = 467.25 AED, 0 USD.
    const balances = [(await get(`/api/v1/tokens/balances/${A}`)).body.data, (await get(`/api/v1/tokens/balances/${U}`)).body.data];
    t.deepEqual(balances, [{ participant: A, balances: { AED: '350.00', USD: '27.23' } }, { participant: U, balances: { AED: '467.25' } }]);
    const ledgers = (await get('/api/v1/tokens/ledgers')).body.data;
    t.like(ledgers, [
      { currency: 'AED', outstanding: '817.25', backing: '1000.00', headroom: '182.75', shortfall: '0.00', backed: true, holders: 2 },
      { currency: 'USD', outstanding: '27.23', backing: '500.00', backed: true, holders: 1 },
    ]);
    t.is((await get('/api/v1/tokens/balances/NOPEAEAA')).status, 404);
    before.balances = balances;
    before.ledgers = ledgers;
  } finally {
    await service.stop();
  }

  service = await place.start();
  try {
    const { get, post } = api(service);
    t.deepEqual([(await get(`/api/v1/tokens/balances/${A}`)).body.data, (await get(`/api/v1/tokens/balances/${U}`)).body.data], before.balances);
    t.deepEqual((await get('/api/v1/tokens/ledgers')).body.data, before.ledgers);
    t.like((await post('/api/v1/tokens/mint', { participant: A, currency: 'AED', reason: 'float', amount: '600.00' }, { 'idempotency-key': 'k1' })).body.data, { status: 'duplicate' });
    t.like((await post('/api/v1/tokens/convert', { participant: U, source_currency: 'USD', target_currency: 'AED', amount: '100.00', rate: '3.6725', rate_id: 'desk-42', message_id: 'c1' })).body.data, { status: 'duplicate' });
    t.deepEqual((await get('/api/v1/tokens/ledgers')).body.data, before.ledgers);
    // Inspection sees the token actor and each ledger by its journal id, from the side index.
    const kinds = (await get('/api/v1/actors')).body.data.kinds as { kind: string; actors: number }[];
    t.deepEqual(kinds.map((k) => k.kind), ['account', 'corridor', 'tokens']);
    const ledger = (await get('/api/v1/actors/tokens%3AAED')).body.data;
    t.like(ledger, { id: 'tokens:AED', kind: 'tokens', stale: false, state: { currency: 'AED' } });
    t.true(ledger.seq >= 1);
    t.is((await get('/api/v1/actors/tokens%3AXYZ')).status, 404);
  } finally {
    await service.stop();
  }
});

/** A camt.054.001.08 with one booked credit carrying an EndToEndId (what a pay-in matches on). */
function payInNotification(msgId: string, amount: string, endToEndId: string): string {
  return `<?xml version="1.0" encoding="UTF-8"?>
<Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.054.001.08"><BkToCstmrDbtCdtNtfctn><GrpHdr><MsgId>${msgId}</MsgId>` +
    `<CreDtTm>2024-05-01T10:00:00</CreDtTm></GrpHdr><Ntfctn><Id>N-${msgId}</Id><CreDtTm>2024-05-01T10:00:00</CreDtTm>` +
    `<Acct><Id><IBAN>${AED_IBAN}</IBAN></Id></Acct><Ntry><Amt Ccy="AED">${amount}</Amt><CdtDbtInd>CRDT</CdtDbtInd>` +
    `<Sts><Cd>BOOK</Cd></Sts><BookgDt><Dt>2024-05-01</Dt></BookgDt><ValDt><Dt>2024-05-01</Dt></ValDt><AcctSvcrRef>REF-${msgId}</AcctSvcrRef>` +
    `<BkTxCd><Prtry><Cd>TEST</Cd></Prtry></BkTxCd><NtryDtls><TxDtls><Refs><EndToEndId>${endToEndId}</EndToEndId></Refs>` +
    `<Amt Ccy="AED">${amount}</Amt><CdtDbtInd>CRDT</CdtDbtInd></TxDtls></NtryDtls></Ntry></Ntfctn></BkToCstmrDbtCdtNtfctn></Document>`;
}

const ACCOUNT_ACTOR = `account:${AED_IBAN}:AED`;

async function expectPayIn(service: Service, payInId: string, amount: string, endToEndId: string): Promise<void> {
  const o = await service.accounts.send(ACCOUNT_ACTOR, {
    type: 'ExpectPayIn', messageId: `expect:${payInId}`, payInId, participant: A, currency: 'AED', amount: new BigNumber(amount), endToEndId, uetr: null,
  });
  if (o.status !== 'appended') throw new Error(JSON.stringify(o));
}

async function mintRows(db: Database, payInId: string): Promise<number> {
  const { rows } = await db.query<{ n: string }>('SELECT count(*)::text AS n FROM journal WHERE actor = $1 AND message_id = $2', ['tokens:AED', payInMintId(ACCOUNT_ACTOR, payInId)]);
  return Number(rows[0]!.n);
}

bothEngines('pay-in → mint end to end: a camt.054 booked credit matched to an expected pay-in mints once', async (t, env) => {
  const service = await placeOf(t, env).start();
  try {
    const { get } = api(service);
    await register(service);
    const accountId = await openAccount(service, { account_number: '1', iban: AED_IBAN, currency: 'AED' });
    // The expectation through its HTTP route: validated, registered participant, retry-safe.
    const { post } = api(service);
    const expect = (body: object) => post(`/api/v1/accounts/${accountId}/expected-pay-ins`, body);
    const payIn = { pay_in_id: 'PI-1', participant: A.toLowerCase(), amount: '2500.00', end_to_end_id: 'E2E-PAYIN-1' };
    t.like(await expect({ ...payIn, participant: 'NOTABANK1' }), { status: 400, body: { code: 'VALIDATION_FAILED', field: 'participant' } });
    t.like(await expect({ ...payIn, participant: 'ZZZZAEAD' }), { status: 422, body: { code: 'PARTICIPANT_UNKNOWN' } });
    t.like(await expect({ ...payIn, amount: 2500 }), { status: 400, body: { field: 'amount' } });
    t.like(await expect({ ...payIn, end_to_end_id: undefined }), { status: 400, body: { code: 'REFERENCE_MISSING' } });
    t.like(await expect(payIn), { status: 201, body: { data: { pay_in_id: 'PI-1', participant: A, amount: '2500.00', status: 'expected' } } });
    t.like(await expect(payIn), { status: 200, body: { data: { status: 'duplicate' } } });
    t.like(await expect({ ...payIn, pay_in_id: 'PI-OTHER' }), { status: 400, body: { code: 'REFERENCE_IN_USE' } });
    t.like((await get(`/api/v1/accounts/${accountId}/expected-pay-ins`)).body.data, [{ pay_in_id: 'PI-1', end_to_end_id: 'E2E-PAYIN-1', amount: '2500.00' }]);
    t.is((await post('/api/v1/accounts/00000000-0000-4000-8000-000000000000/expected-pay-ins', payIn)).status, 404);
    const xml = payInNotification('PAYIN-1', '2499.50', 'E2E-PAYIN-1');
    const sent = await service.app.inject({ method: 'POST', url: '/api/v1/iso20022', headers: { 'content-type': 'application/xml' }, payload: xml });
    t.is(sent.statusCode, 200, sent.body);
    t.is(sent.json().data.messages[0].status, 'accepted');
    // The booked amount (not the expected one) is minted, to the pay-in's participant.
    const minted = await eventually(async () => {
      const b = (await get(`/api/v1/tokens/balances/${A}`)).body.data.balances;
      return b.AED === undefined ? undefined : b;
    }, 'the pay-in mint');
    t.deepEqual(minted, { AED: '2499.50' });
    t.like((await get('/api/v1/tokens/ledgers')).body.data, [{ currency: 'AED', outstanding: '2499.50', backing: '2499.50', backed: true }]);
    const again = await service.app.inject({ method: 'POST', url: '/api/v1/iso20022', headers: { 'content-type': 'application/xml' }, payload: xml });
    t.is(again.json().data.messages[0].status, 'duplicate');
    t.is((await service.tokens.minter.catchUp()).minted, 0);
    t.is(await mintRows(service.db, 'PI-1'), 1);
    t.deepEqual((await get(`/api/v1/tokens/balances/${A}`)).body.data.balances, { AED: '2499.50' });
    t.deepEqual((await get(`/api/v1/accounts/${accountId}/expected-pay-ins`)).body.data, [], 'a matched pay-in is no longer expected');
  } finally {
    await service.stop();
  }
});

bothEngines('outbox catch-up: a PayInMatched journaled without its mint is minted at the next start, once', async (t, env) => {
  const place = placeOf(t, env);
  let service = await place.start();
  try {
    await register(service);
    await openAccount(service, { account_number: '1', iban: AED_IBAN, currency: 'AED' });
    await expectPayIn(service, 'PI-9', '700.00', 'E2E-9');
  } finally {
    await service.stop();
  }
  // The crash: the account's PayInMatched is durable, the process dies before the mint.
  const db = await place.open();
  try {
    const { rows } = await db.query<{ seq: string }>('SELECT max(seq)::text AS seq FROM journal WHERE actor = $1', [ACCOUNT_ACTOR]);
    const event = {
      type: 'PayInMatched' as const, check: null, bankMoved: true, messageId: 'camt054:lost-mint', method: 'END_TO_END_ID' as const,
      entry: { key: 'K9', amount: new BigNumber('700'), direction: 'CRDT' as const, reversal: false, endToEndId: 'E2E-9', uetr: null, accountServicerReference: 'K9', bookingDate: '2024-05-01' },
      payIn: { payInId: 'PI-9', participant: A, amount: new BigNumber('700'), endToEndId: 'E2E-9', uetr: null },
    };
    const outcome = await new PgJournal(db).append([{ actor: ACCOUNT_ACTOR, seq: Number(rows[0]!.seq) + 1, ...toJournal(accountEventCodec, event) }]);
    t.deepEqual(outcome, [{ status: 'appended' }]);
    t.is(await mintRows(db, 'PI-9'), 0);
  } finally {
    await db.close();
  }

  service = await place.start();
  try {
    const { get } = api(service);
    t.like(await service.tokens.firstCatchUp, { minted: 1, duplicate: 0, rejected: 0, retry: 0 });
    t.is(await mintRows(service.db, 'PI-9'), 1, 'minted by the catch-up at start');
    t.deepEqual((await get(`/api/v1/tokens/balances/${A}`)).body.data.balances, { AED: '700.00' });
    t.like((await get('/api/v1/tokens/ledgers')).body.data, [{ currency: 'AED', outstanding: '700.00', backing: '700.00' }]);
    t.like(await service.tokens.minter.catchUp(), { minted: 0 });
  } finally {
    await service.stop();
  }
  service = await place.start();
  try {
    t.like(await service.tokens.firstCatchUp, { minted: 0 });
    t.is(await mintRows(service.db, 'PI-9'), 1, 'a second start mints nothing more');
    t.deepEqual((await api(service).get(`/api/v1/tokens/balances/${A}`)).body.data.balances, { AED: '700.00' });
  } finally {
    await service.stop();
  }
});
