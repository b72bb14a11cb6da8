// Issue 5's full flow on the running service, with the mock bank's faults switched on: seeded
// obligations among six participants, the window closed, instructions to a bank that answers late,
// refuses calls now and then and sends some notifications twice; the service is stopped in the
// middle of SETTLING and started again on the same data; the window completes without a double
// payment (one debit and one credit per instruction in the bank's log), and every settlement
// account ends with deltran's ledger, deltran's bank figure and the bank's balance equal.

import test from 'ava';
import BigNumber from 'bignumber.js';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { composeIBAN } from 'ibantools';
import { MockBank } from '../../adapters/bank/mock-bank.ts';
import { seededRng } from '../../adapters/bank/rng.ts';
import { startService, type Service } from '../../adapters/service.ts';
import { eventually } from '../helpers/eventually.ts';

const CCY = 'USD';
const OPENING = '5000000.00';
const PARTICIPANTS = ['ALFAAEAD', 'BRAVGB2L', 'CHRLUS33', 'DLTAINBB', 'ECHOFRPP', 'FXTRDEFF'];

function start(dataDir: string, bank: MockBank): Promise<Service> {
  return startService({
    host: '127.0.0.1', port: 0, dataDir, databaseUrl: '', logger: false, apiToken: '',
    intake: { natsUrl: false, inboxDir: false, redisUrl: false },
    reconciliation: { tier2IntervalMin: 'off', mockBank: bank },
    risk: { fxImport: false },
    clearing: { timers: false },
  });
}

async function call(s: Service, method: string, path: string, body?: unknown): Promise<any> {
  const res = await fetch(`${s.url}${path}`, body === undefined ? { method } : { method, body: JSON.stringify(body), headers: { 'content-type': 'application/json' } });
  const json = await res.json() as { success?: boolean; data?: unknown };
  if (!res.ok || json.success === false) throw new Error(`${method} ${path}: ${res.status} ${JSON.stringify(json)}`);
  return json.data ?? json;
}

test('faults on, a restart in SETTLING: the window completes, nothing is paid twice, books and bank agree', async (t) => {
  const dataDir = mkdtempSync(join(tmpdir(), 'deltran-flow-'));
  const bank = new MockBank({
    faults: { seed: 7, latencyMs: 15, jitterMs: 25, failureRate: 0.25, notifications: { duplicateRate: 0.4 } },
  });
  let service: Service | undefined;
  try {
    service = await start(dataDir, bank);
    const ibans = new Map<string, string>();
    const accountIds = new Map<string, string>();
    for (const [i, bic] of PARTICIPANTS.entries()) {
      const iban = composeIBAN({ countryCode: 'GB', bban: `SETL4000000000000${i}` })!;
      ibans.set(bic, iban);
      await call(service, 'POST', '/api/v1/participants', { bic, name: `Bank ${bic}`, country: bic.slice(4, 6), settlement_account: iban, debit_caps: { [CCY]: OPENING } });
      const id = randomUUID();
      accountIds.set(bic, id);
      await call(service, 'POST', '/api/v1/accounts', {
        id, bank_id: bank.name, account_number: iban, iban, currency: CCY, country_code: 'GB',
        account_type: 'settlement', ledger_balance: OPENING, bank_reported_balance: OPENING,
      });
    }
    // Seeded obligations, and their positions computed here, apart from the engine.
    const rng = seededRng(11);
    const expected = new Map<string, BigNumber>(PARTICIPANTS.map((p) => [p, new BigNumber(0)]));
    const obligations = [];
    for (let i = 0; i < 40; i++) {
      const payer = PARTICIPANTS[Math.floor(rng() * PARTICIPANTS.length)]!;
      let payee = PARTICIPANTS[Math.floor(rng() * PARTICIPANTS.length)]!;
      if (payee === payer) payee = PARTICIPANTS[(PARTICIPANTS.indexOf(payer) + 1) % PARTICIPANTS.length]!;
      const amount = new BigNumber(Math.floor(rng() * 5_000_000) + 1).shiftedBy(-2);
      expected.set(payer, expected.get(payer)!.minus(amount));
      expected.set(payee, expected.get(payee)!.plus(amount));
      obligations.push({ id: `flow-${i}`, payer, payee, currency: CCY, amount: amount.toFixed(2) });
    }
    const { verdicts } = await call(service, 'POST', '/api/v1/clearing/obligations', obligations) as { verdicts: { status: string }[] };
    t.true(verdicts.every((v) => v.status === 'ACCEPTED'), JSON.stringify(verdicts.filter((v) => v.status !== 'ACCEPTED')));
    const closed = await call(service, 'POST', '/api/v1/clearing/windows/current/close', {}) as { id: string };
    const netted = await eventually(async () => {
      const w = await call(service!, 'GET', `/api/v1/clearing/windows/${closed.id}`);
      return w.instructions.length > 0 ? w : undefined;
    }, 'netted', 30_000);
    for (const p of netted.positions) t.is(p.net, expected.get(p.participant)!.toFixed(2), p.participant);
    const moved = netted.instructions.reduce((sum: BigNumber, i: { amount: string }) => sum.plus(i.amount), new BigNumber(0));
    const owed = [...expected.values()].filter((v) => v.isPositive()).reduce((a, b) => a.plus(b), new BigNumber(0));
    t.is(moved.toFixed(2), owed.toFixed(2), 'instructions move exactly the multilateral net');
    // Stopped while instructions are in flight (the bank answers after 15–40 ms, and refuses some).
    const before = await call(service, 'GET', `/api/v1/clearing/windows/${closed.id}`);
    t.is(before.state, 'SETTLING');
    t.true(before.instructions.some((i: { status: string }) => i.status !== 'CONFIRMED'), 'the restart comes in the middle of settlement');
    await service.stop();
    service = undefined;

    service = await start(dataDir, bank);
    const done = await eventually(async () => {
      const w = await call(service!, 'GET', `/api/v1/clearing/windows/${closed.id}`);
      return w.state === 'COMPLETED' || w.state === 'FAILED' ? w : undefined;
    }, 'window completed after the restart', 90_000, 100);
    t.is(done.state, 'COMPLETED', JSON.stringify(done.instructions));
    t.true(done.instructions.every((i: { status: string }) => i.status === 'CONFIRMED'));

    const legs = bank.bookings().filter((b) => b.kind === 'instruction');
    t.is(legs.length, done.instructions.length * 2, 'one debit and one credit per instruction, none twice');
    t.is(new Set(legs.map((b) => `${b.uetr}/${b.direction}`)).size, legs.length);
    for (const bic of PARTICIPANTS) {
      const a = await call(service, 'GET', `/api/v1/accounts/${accountIds.get(bic)}`);
      const atBank = await bank.balance({ iban: ibans.get(bic)!, currency: CCY });
      const figure = new BigNumber(OPENING).plus(expected.get(bic)!).toFixed(2);
      t.is(a.ledger_balance, figure, `${bic} ledger`);
      t.is(a.bank_reported_balance, figure, `${bic} bank figure`);
      t.true(atBank.ok && atBank.value.amount.eq(figure), `${bic} at the bank`);
      t.false(a.circuit_breaker_active, `${bic} breaker`);
    }
  } finally {
    await service?.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
});
