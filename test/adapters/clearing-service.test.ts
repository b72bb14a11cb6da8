// Goal: the clearing engine on both engines, end to end through the JSON endpoint: the seed's
// example and Banco de México's matrix give their published figures after a window close; a
// window whose largest net debtor cannot pay at all still settles (its obligations excluded and
// rolled into the next window); duplicates are refused in the same and in a later window; unknown
// participants and currencies are refused with their codes; an obligation arriving after the
// cut-off lands in the next window (injected clock); a restart in NETTING and in SETTLING resumes
// where the window was, and the settler never sees two different plans for one window.
// Method: ClearingService on the test's schema (migrations, the GroupCommitter over PgJournal), a
// small fastify app with the participant and clearing routes, a fake Settler that records calls.

import type { ExecutionContext } from 'ava';
import BigNumber from 'bignumber.js';
import Fastify, { type FastifyInstance } from 'fastify';
import type { InstructionPlan, InstructionUpdate, ObligationInput, Settler, StatusReports } from '../../actors/clearing/ports.ts';
import { parseSchedule } from '../../actors/clearing/schedule.ts';
import { ClearingService } from '../../adapters/clearing-service.ts';
import { loadBatches } from '../../adapters/clearing/store.ts';
import type { Database } from '../../adapters/db/database.ts';
import { GroupCommitter } from '../../adapters/db/group-commit.ts';
import { PgJournal } from '../../adapters/db/journal.ts';
import { migrate } from '../../adapters/db/migrate.ts';
import { clearingRoutes } from '../../adapters/http/clearing.ts';
import { installErrorHandling } from '../../adapters/http/envelope.ts';
import { participantRoutes } from '../../adapters/http/participants.ts';
import { eventually } from '../helpers/eventually.ts';
import { bothEngines } from './db/engines.ts';

const A = 'AAAAAEAAXXX';
const B = 'BBBBAEAAXXX';
const C = 'CCCCAEAAXXX';
const D = 'DDDDAEAAXXX';
const SCHEDULE = parseSchedule('00:00,06:00,12:00,18:00', 1_000);
/** 2026-12-01 07:00 UTC: inside W20261201T0600Z. */
const SEVEN = Date.UTC(2026, 11, 1, 7, 0);

class FakeSettler implements Settler {
  readonly calls: { windowId: string; plans: string }[] = [];
  private listeners: ((u: InstructionUpdate) => void)[] = [];
  readonly known = new Map<string, Map<string, InstructionUpdate>>();

  async settle(windowId: string, instructions: readonly InstructionPlan[]): Promise<void> {
    this.calls.push({ windowId, plans: JSON.stringify(instructions.map((p) => [p.id, p.from, p.to, p.currency, p.amount.toFixed()])) });
  }

  onUpdate(listener: (u: InstructionUpdate) => void): void {
    this.listeners.push(listener);
  }

  async statuses(windowId: string): Promise<ReadonlyMap<string, InstructionUpdate>> {
    return this.known.get(windowId) ?? new Map();
  }

  report(u: InstructionUpdate): void {
    let m = this.known.get(u.windowId);
    if (m === undefined) this.known.set(u.windowId, (m = new Map()));
    m.set(u.instructionId, u);
    for (const l of this.listeners) l(u);
  }
}

interface World {
  readonly clearing: ClearingService;
  readonly app: FastifyInstance;
  readonly clock: { t: number };
  post(url: string, payload: unknown): Promise<{ status: number; body: any }>;
  get(url: string): Promise<{ status: number; body: any }>;
  stop(): Promise<void>;
}

async function world(db: Database, options: { settler?: Settler; at?: number; reports?: StatusReports; tokens?: Map<string, BigNumber> } = {}): Promise<World> {
  await migrate(db);
  const journal = new GroupCommitter(new PgJournal(db));
  const clock = { t: options.at ?? SEVEN };
  const tokens = options.tokens;
  const clearing = await ClearingService.open({
    db, journal, now: () => clock.t, timers: false, schedule: SCHEDULE, refreshEveryMs: 0, settler: options.settler, reports: options.reports,
    tokenBalance: tokens === undefined ? undefined : (p, ccy) => tokens.get(`${p}/${ccy}`),
  });
  const app = Fastify({ logger: false });
  installErrorHandling(app);
  participantRoutes(app, db, () => clearing.refreshRegistry());
  clearingRoutes(app, db, clearing);
  const call = async (method: 'GET' | 'POST', url: string, payload?: unknown) => {
    const res = await app.inject({ method, url, ...(payload === undefined ? {} : { payload: payload as object }) });
    return { status: res.statusCode, body: res.json() };
  };
  return {
    clearing, app, clock,
    post: (url, payload) => call('POST', url, payload),
    get: (url) => call('GET', url),
    stop: async () => {
      await app.close();
      await clearing.stop();
      await journal.close();
    },
  };
}

async function register(w: World, bic: string, caps: Record<string, string> = { USD: '100000000.00', MXN: '1000.00' }, country = 'AE'): Promise<void> {
  const res = await w.post('/api/v1/participants', { bic, name: bic, country, debit_caps: caps });
  if (res.status !== 201 && res.status !== 409) throw new Error(JSON.stringify(res.body));
}

const SEED = [
  [A, B, '1000000'], [B, C, '500000'], [C, A, '750000'], [A, D, '300000'], [D, B, '200000'], [B, A, '100000'],
] as const;

function obligations(prefix: string, rows: readonly (readonly [string, string, string])[], currency = 'USD') {
  return rows.map(([payer, payee, amount], i) => ({ id: `${prefix}-${i + 1}`, payer, payee, currency, amount }));
}

async function sendAll(t: ExecutionContext, w: World, items: unknown[]) {
  const res = await w.post('/api/v1/clearing/obligations', items);
  t.is(res.status, 200, JSON.stringify(res.body));
  return res.body.data as { accepted: number; rejected: number; verdicts: any[] };
}

function positionsOf(view: any): Record<string, string> {
  return Object.fromEntries(view.positions.map((p: any) => [p.participant.slice(0, 1), p.net]));
}

bothEngines("the seed's example through the JSON endpoint: positions, 3 instructions moving 700,000, efficiency 0.7544; read models written", async (t, env) => {
  const w = await world(env.db);
  try {
    for (const p of [A, B, C, D]) await register(w, p);
    const sent = await sendAll(t, w, obligations('seed', SEED));
    t.is(sent.accepted, 6);
    t.true(sent.verdicts.every((v) => v.status === 'ACCEPTED' && v.window === 'W20261201T0600Z'));
    const live = await w.get('/api/v1/clearing/windows/W20261201T0600Z');
    t.is(live.body.data.state, 'OPEN');
    t.deepEqual(positionsOf(live.body.data), { A: '-450000.00', B: '600000.00', C: '-250000.00', D: '100000.00' });

    const closed = await w.post('/api/v1/clearing/windows/current/close', {});
    t.deepEqual(closed.body.data, { id: 'W20261201T0600Z', state: 'SETTLING' });
    const view = (await w.get('/api/v1/clearing/windows/W20261201T0600Z')).body.data;
    t.is(view.state, 'SETTLING');
    t.deepEqual(positionsOf(view), { A: '-450000.00', B: '600000.00', C: '-250000.00', D: '100000.00' });
    t.is(view.instructions.length, 3);
    t.is(view.instructions.reduce((s: BigNumber, i: any) => s.plus(i.amount), new BigNumber(0)).toFixed(2), '700000.00');
    t.true(view.instructions.every((i: any) => i.status === 'PENDING' && i.currency === 'USD' && /^W20261201T0600Z-USD-\d$/.test(i.id)));
    t.deepEqual(view.metrics.USD, {
      gross: '2850000.00', bilateral_net: '2650000.00', multilateral_net: '700000.00', efficiency: 0.7544,
      bilateral_efficiency: 0.0702, obligations: 6, instructions: 3,
    });
    t.deepEqual(view.excluded, []);
    t.truthy(view.opened_at);
    t.truthy(view.closed_at);

    // Read models, in the background.
    await w.clearing.flushed();
    const { rows: win } = await env.db.query<{ status: string; obligations_projected: boolean; obligations_count: number }>(
      "SELECT status, obligations_projected, obligations_count FROM clearing_windows WHERE name = 'W20261201T0600Z'");
    t.deepEqual(win.map((r) => [r.status, r.obligations_projected, Number(r.obligations_count)]), [['SETTLING', true, 6]]);
    const { rows: pos } = await env.db.query<{ bic: string; net: string }>('SELECT bic, net::text AS net FROM net_positions ORDER BY bic');
    t.deepEqual(pos.map((r) => [r.bic, new BigNumber(r.net).toFixed(2)]), [[A, '-450000.00'], [B, '600000.00'], [C, '-250000.00'], [D, '100000.00']]);
    const { rows: ins } = await env.db.query<{ n: string; s: string }>("SELECT count(*)::text AS n, sum(amount)::text AS s FROM settlement_instructions WHERE instruction_key LIKE 'W20261201T0600Z-%'");
    t.deepEqual([ins[0]!.n, new BigNumber(ins[0]!.s).toFixed(2)], ['3', '700000.00']);
    const { rows: obl } = await env.db.query<{ n: string }>("SELECT count(*)::text AS n FROM obligations WHERE status = 'NETTED'");
    t.is(obl[0]!.n, '6');
    const list = (await w.get('/api/v1/clearing/windows')).body.data;
    t.is(list.current, 'W20261201T1200Z');
    t.deepEqual(list.windows.map((x: any) => [x.id, x.state]), [['W20261201T0600Z', 'SETTLING']]);
  } finally {
    await w.stop();
  }
});

bothEngines('Banco de México (2000): nets −4, +13, −9; G 83, B 17, M 13, E 0.8434', async (t, env) => {
  const w = await world(env.db);
  try {
    const [Cb, Co, M] = ['BANCMXMMXXX', 'BANOMXMMXXX', 'BAMXMXMMXXX'];
    for (const p of [Cb, Co, M]) await register(w, p, { MXN: '100.00' }, 'MX');
    const rows = [[Cb, Co, '25'], [Cb, M, '7'], [Co, Cb, '17'], [Co, M, '9'], [M, Cb, '11'], [M, Co, '14']] as const;
    const sent = await sendAll(t, w, obligations('bdm', rows, 'MXN'));
    t.is(sent.accepted, 6, JSON.stringify(sent.verdicts));
    await w.post('/api/v1/clearing/windows/current/close', {});
    const view = (await w.get('/api/v1/clearing/windows/W20261201T0600Z')).body.data;
    t.deepEqual(Object.fromEntries(view.positions.map((p: any) => [p.participant, p.net])), { [Cb]: '-4.00', [Co]: '13.00', [M]: '-9.00' });
    t.deepEqual(view.metrics.MXN, { gross: '83.00', bilateral_net: '17.00', multilateral_net: '13.00', efficiency: 0.8434, bilateral_efficiency: 0.7952, obligations: 6, instructions: 2 });
  } finally {
    await w.stop();
  }
});

bothEngines('limits: the largest net debtor cannot pay at all; the window still settles, its obligations excluded and rolled into the next window', async (t, env) => {
  const settler = new FakeSettler();
  const w = await world(env.db, { settler });
  try {
    // A owes the most and has no cap and no tokens; the others can pay what they owe.
    await register(w, A, {});
    for (const p of [B, C, D]) await register(w, p);
    t.is((await sendAll(t, w, obligations('lim', SEED))).accepted, 6);
    await w.post('/api/v1/clearing/windows/current/close', {});
    const view = (await w.get('/api/v1/clearing/windows/W20261201T0600Z')).body.data;
    t.is(view.state, 'SETTLING');
    // A's payments (to B 1,000,000 and D 300,000) are out; what is left is within every limit.
    t.deepEqual(view.excluded.map((e: any) => [e.id, e.payer, e.amount, e.reason]).sort(), [
      ['lim-1', A, '1000000.00', 'LIMIT_EXCEEDED'], ['lim-4', A, '300000.00', 'LIMIT_EXCEEDED'],
    ]);
    t.deepEqual(positionsOf(view), { A: '850000.00', B: '-400000.00', C: '-250000.00', D: '-200000.00' });
    t.true(view.instructions.length > 0 && view.instructions.every((i: any) => i.to === A));
    t.is(settler.calls.length, 1);
    // The excluded obligations rolled into the next window (an alert), as carried obligations.
    await eventually(async () => ((await w.clearing.window('W20261201T0600Z'))?.state.excludedCarried === true ? true : undefined), 'roll-over');
    const next = (await w.get('/api/v1/clearing/windows/W20261201T1200Z')).body.data;
    t.deepEqual(positionsOf(next), { A: '-1300000.00', B: '1000000.00', D: '300000.00' });
    t.is(w.clearing.counters.rolledOver.excluded, 2);
    // Confirmations complete the window.
    for (const i of view.instructions) settler.report({ windowId: 'W20261201T0600Z', instructionId: i.id, status: 'CONFIRMED', bankReference: `REF-${i.id}` });
    await eventually(async () => ((await w.get('/api/v1/clearing/windows/W20261201T0600Z')).body.data.state === 'COMPLETED' ? true : undefined), 'window completed');
  } finally {
    await w.stop();
  }
});

/** pacs.002 as the service would send them: one line per obligation and report. */
class FakeReports implements StatusReports {
  readonly sent: string[] = [];
  private note(status: string, obligations: readonly ObligationInput[], windowId: string): void {
    for (const o of obligations) this.sent.push(`${status} ${o.id} ${windowId} ${o.origin?.messageId ?? '-'} ${o.amount.toFixed(2)}`);
  }
  async accepted(obligations: readonly ObligationInput[], windowId: string): Promise<void> { this.note('ACCP', obligations, windowId); }
  async rejected(): Promise<void> {}
  async settled(obligations: readonly ObligationInput[], windowId: string): Promise<void> { this.note('ACSC', obligations, windowId); }
  async failed(obligations: readonly ObligationInput[], windowId: string): Promise<void> { this.note('RJCT', obligations, windowId); }
}

bothEngines('limits: excluded obligations keep their origin when carried; their pacs.002 ACSC goes out when the window they land in settles', async (t, env) => {
  const settler = new FakeSettler();
  const reports = new FakeReports();
  const tokens = new Map<string, BigNumber>();
  const w = await world(env.db, { settler, reports, tokens });
  try {
    await register(w, A, {});
    for (const p of [B, C, D]) await register(w, p);
    const verdicts = await w.clearing.accept(SEED.map(([payer, payee, amount], i) => ({
      id: `org-${i + 1}`, payer, payee, currency: 'USD', amount: new BigNumber(amount),
      origin: { messageId: `MSG-${i + 1}`, messageType: 'pacs.008.001.08', sender: payer, endToEndId: `E2E-${i + 1}` },
    })));
    t.true(verdicts.every((v) => v.status === 'ACCEPTED'));
    const confirmAll = async (window: string) => {
      const view = (await w.get(`/api/v1/clearing/windows/${window}`)).body.data;
      for (const i of view.instructions) settler.report({ windowId: window, instructionId: i.id, status: 'CONFIRMED', bankReference: `REF-${i.id}` });
      await eventually(async () => ((await w.get(`/api/v1/clearing/windows/${window}`)).body.data.state === 'COMPLETED' ? true : undefined), `${window} completed`);
    };
    await w.post('/api/v1/clearing/windows/current/close', {});
    await eventually(async () => ((await w.clearing.window('W20261201T0600Z'))?.state.excludedCarried === true ? true : undefined), 'roll-over');
    await confirmAll('W20261201T0600Z');
    await w.clearing.flushed();
    // The first window settles without A's two payments; they are reported with the window that pays them.
    t.deepEqual(reports.sent.filter((l) => l.startsWith('ACSC')).sort(), [
      'ACSC org-2 W20261201T0600Z MSG-2 500000.00', 'ACSC org-3 W20261201T0600Z MSG-3 750000.00',
      'ACSC org-5 W20261201T0600Z MSG-5 200000.00', 'ACSC org-6 W20261201T0600Z MSG-6 100000.00',
    ]);
    // A is funded; the next window nets the carried obligations and settles them.
    tokens.set(`${A}/USD`, new BigNumber('2000000'));
    const closed = await w.post('/api/v1/clearing/windows/current/close', {});
    t.is(closed.body.data.id, 'W20261201T1200Z');
    t.deepEqual((await w.get('/api/v1/clearing/windows/W20261201T1200Z')).body.data.excluded, []);
    await confirmAll('W20261201T1200Z');
    await w.clearing.flushed();
    t.deepEqual(reports.sent.filter((l) => l.includes('W20261201T1200Z')).sort(), [
      'ACSC org-1 W20261201T1200Z MSG-1 1000000.00', 'ACSC org-4 W20261201T1200Z MSG-4 300000.00',
    ]);
  } finally {
    await w.stop();
  }
});

bothEngines('instructions still PENDING/SENT at the next cut-off stay with their window (never rolled twice-payable), with an alert', async (t, env) => {
  const settler = new FakeSettler();
  const w = await world(env.db, { settler });
  const alerts: string[] = [];
  w.clearing.log = (level, msg) => { if (level === 'warn' && msg.includes('ALERT')) alerts.push(msg); };
  try {
    for (const p of [A, B, C, D]) await register(w, p);
    t.is((await sendAll(t, w, obligations('pend', SEED))).accepted, 6);
    await w.post('/api/v1/clearing/windows/current/close', {});
    const view = (await w.get('/api/v1/clearing/windows/W20261201T0600Z')).body.data;
    t.is(view.instructions.length, 3);
    settler.report({ windowId: 'W20261201T0600Z', instructionId: view.instructions[0].id, status: 'SENT', bankReference: 'B1' });
    await eventually(async () => ((await w.get('/api/v1/clearing/windows/W20261201T0600Z')).body.data.instructions[0].status === 'SENT' ? true : undefined), 'sent');
    // The next window closes: nothing of the first is carried into it, the first is still paying.
    const closed = await w.post('/api/v1/clearing/windows/current/close', {});
    t.is(closed.body.data.id, 'W20261201T1200Z');
    t.deepEqual((await w.get('/api/v1/clearing/windows/W20261201T1200Z')).body.data.positions, []);
    const first = (await w.get('/api/v1/clearing/windows/W20261201T0600Z')).body.data;
    t.is(first.state, 'SETTLING');
    t.deepEqual(first.instructions.map((i: any) => i.status), ['SENT', 'PENDING', 'PENDING']);
    t.is(alerts.length, 1);
    t.regex(alerts[0]!, /window W20261201T0600Z still SETTLING at the cut-off of W20261201T1200Z: 3 instruction/);
    for (const i of view.instructions) settler.report({ windowId: 'W20261201T0600Z', instructionId: i.id, status: 'CONFIRMED', bankReference: `REF-${i.id}` });
    await eventually(async () => ((await w.get('/api/v1/clearing/windows/W20261201T0600Z')).body.data.state === 'COMPLETED' ? true : undefined), 'completed');
  } finally {
    await w.stop();
  }
});

bothEngines('concurrent requests: their shares of a corridor are journaled together, every obligation once, numbered without gaps; positions exact', async (t, env) => {
  const w = await world(env.db);
  try {
    for (const p of [A, B, C, D]) await register(w, p);
    const bics = [A, B, C, D];
    const expected = new Map<string, bigint>();
    const requests = Array.from({ length: 12 }, (_, r) => Array.from({ length: 25 }, (_, k) => {
      const payer = bics[(r + k) % 4]!;
      const payee = bics[(r + 2 * k + 1) % 4 === (r + k) % 4 ? (r + k + 1) % 4 : (r + 2 * k + 1) % 4]!;
      const cents = BigInt(100 + r * 37 + k * 11);
      expected.set(payer, (expected.get(payer) ?? 0n) - cents);
      expected.set(payee, (expected.get(payee) ?? 0n) + cents);
      return { id: `cc-${r}-${k}`, payer, payee, currency: 'USD', amount: new BigNumber(cents.toString()).shiftedBy(-2).toFixed(2) };
    }));
    const answers = await Promise.all(requests.map((items) => w.clearing.acceptJson(items)));
    t.true(answers.flat().every((v) => v.status === 'ACCEPTED'));
    const batches = await loadBatches(env.db, 'W20261201T0600Z');
    // One corridor (every participant is in AE): fewer events than requests, each obligation once.
    t.true(batches.length < requests.length, `${batches.length} events for ${requests.length} requests`);
    const ids = batches.flatMap((b) => b.ids);
    t.is(ids.length, 300);
    t.is(new Set(ids).size, 300);
    const numbers = batches.flatMap((b) => b.ids.map((_, i) => b.first + i)).sort((a, b) => a - b);
    t.deepEqual(numbers, Array.from({ length: 300 }, (_, i) => i));
    const view = (await w.get('/api/v1/clearing/windows/W20261201T0600Z')).body.data;
    const live = Object.fromEntries(view.positions.map((p: any) => [p.participant, p.net]));
    t.deepEqual(live, Object.fromEntries([...expected].filter(([, v]) => v !== 0n).map(([p, v]) => [p, new BigNumber(v.toString()).shiftedBy(-2).toFixed(2)])));
  } finally {
    await w.stop();
  }
});

bothEngines('validation: unknown participant and currency, bad amounts, self-obligations, duplicates in the same and a later window', async (t, env) => {
  const w = await world(env.db);
  try {
    for (const p of [A, B]) await register(w, p);
    const first = await sendAll(t, w, [
      { id: 'v-1', payer: A, payee: B, currency: 'USD', amount: '10.00' },
      { id: 'v-2', payer: A, payee: 'NOBANKXXXXX', currency: 'USD', amount: '10.00' },
      { id: 'v-3', payer: A, payee: B, currency: 'XYZ', amount: '10.00' },
      { id: 'v-4', payer: A, payee: B, currency: 'USD', amount: '10.001' },
      { id: 'v-5', payer: A, payee: B, currency: 'JPY', amount: '10.5' },
      { id: 'v-6', payer: A, payee: B, currency: 'USD', amount: 10 },
      { id: 'v-7', payer: A, payee: A, currency: 'USD', amount: '1.00' },
      { id: 'v-8', payer: A, payee: B, currency: 'USD', amount: '0.00' },
      { id: 'v-1', payer: B, payee: A, currency: 'USD', amount: '1.00' },
      { id: '', payer: A, payee: B, currency: 'USD', amount: '1.00' },
      { id: 'v-9', payer: B, payee: A, currency: 'JPY', amount: '79255.00' },
    ]);
    t.deepEqual(first.verdicts.map((v) => (v.status === 'ACCEPTED' ? 'ACCEPTED' : `${v.code}:${v.field}`)), [
      'ACCEPTED', 'PARTICIPANT_UNKNOWN:payee', 'CURRENCY_UNKNOWN:currency', 'AMOUNT_INVALID:amount', 'AMOUNT_INVALID:amount',
      'AMOUNT_INVALID:amount', 'SAME_PARTICIPANT:payee', 'AMOUNT_INVALID:amount', 'DUPLICATE:id', 'INVALID:id', 'ACCEPTED',
    ]);
    // Again in the same window, then in the next one after the first was netted and projected.
    t.is((await sendAll(t, w, [{ id: 'v-1', payer: A, payee: B, currency: 'USD', amount: '10.00' }])).verdicts[0].code, 'DUPLICATE');
    await w.post('/api/v1/clearing/windows/current/close', {});
    await w.clearing.flushed();
    const later = await sendAll(t, w, [{ id: 'v-1', payer: A, payee: B, currency: 'USD', amount: '10.00' }, { id: 'v-9', payer: A, payee: B, currency: 'USD', amount: '1.00' }, { id: 'v-10', payer: A, payee: B, currency: 'USD', amount: '1.00' }]);
    t.deepEqual(later.verdicts.map((v) => v.code ?? v.window), ['DUPLICATE', 'DUPLICATE', 'W20261201T1200Z']);
    t.is((await w.post('/api/v1/clearing/obligations', { not: 'an array' })).status, 400);
  } finally {
    await w.stop();
  }
  // After a restart too (the earlier window's ids come from the obligations table).
  const again = await world(env.db);
  try {
    const v = await sendAll(t, again, [
      { id: 'v-1', payer: A, payee: B, currency: 'USD', amount: '10.00' }, { id: 'v-10', payer: A, payee: B, currency: 'USD', amount: '1.00' },
      { id: 'v-11', payer: A, payee: B, currency: 'USD', amount: '1.00' },
    ]);
    t.deepEqual(v.verdicts.map((x) => x.code ?? x.window), ['DUPLICATE', 'DUPLICATE', 'W20261201T1200Z'], 'the window closed on demand stays closed after a restart');
  } finally {
    await again.stop();
  }
});

bothEngines('cut-off: an obligation arriving after it lands in the next window; the schedule closes and nets by the clock', async (t, env) => {
  const w = await world(env.db, { at: Date.UTC(2026, 11, 1, 11, 59, 59, 999) });
  try {
    for (const p of [A, B]) await register(w, p);
    t.is((await sendAll(t, w, [{ id: 'c-1', payer: A, payee: B, currency: 'USD', amount: '5.00' }])).verdicts[0].window, 'W20261201T0600Z');
    w.clock.t = Date.UTC(2026, 11, 1, 12, 0, 0, 0);
    t.is((await sendAll(t, w, [{ id: 'c-2', payer: A, payee: B, currency: 'USD', amount: '7.00' }])).verdicts[0].window, 'W20261201T1200Z');
    await w.clearing.tick();
    t.is((await w.get('/api/v1/clearing/windows/W20261201T0600Z')).body.data.state, 'CLOSING');
    w.clock.t += SCHEDULE.graceMs;
    await w.clearing.tick();
    const view = (await w.get('/api/v1/clearing/windows/W20261201T0600Z')).body.data;
    t.is(view.state, 'SETTLING');
    t.deepEqual(view.metrics.USD.gross, '5.00');
    t.deepEqual(positionsOf((await w.get('/api/v1/clearing/windows/W20261201T1200Z')).body.data), { A: '-7.00', B: '7.00' });
  } finally {
    await w.stop();
  }
});

bothEngines('restart in NETTING and in SETTLING: resumed from the journal; the settler gets the same plans again, never others', async (t, env) => {
  const settler = new FakeSettler();
  let w = await world(env.db, { settler });
  for (const p of [A, B, C, D]) await register(w, p);
  await sendAll(t, w, obligations('r', SEED));
  // A crash in NETTING: the window recorded CLOSING and NETTING, its result not yet.
  await w.clearing.windows.send('window:W20261201T0600Z', { type: 'CloseWindow', messageId: 'close:W20261201T0600Z', at: new Date(SEVEN).toISOString(), net: false });
  await w.clearing.windows.send('window:W20261201T0600Z', { type: 'StartNetting', messageId: 'netting:W20261201T0600Z', at: new Date(SEVEN).toISOString() });
  await w.stop();
  t.is(settler.calls.length, 0);

  w = await world(env.db, { settler });
  await w.clearing.resumed;
  let view = (await w.get('/api/v1/clearing/windows/W20261201T0600Z')).body.data;
  t.is(view.state, 'SETTLING');
  t.deepEqual(positionsOf(view), { A: '-450000.00', B: '600000.00', C: '-250000.00', D: '100000.00' });
  t.is(settler.calls.length, 1);
  // Arrivals after the restart go to the next window, not into the netted one.
  t.is((await sendAll(t, w, [{ id: 'r-late', payer: A, payee: B, currency: 'USD', amount: '1.00' }])).verdicts[0].window, 'W20261201T1200Z');
  const first = view.instructions[0];
  settler.report({ windowId: 'W20261201T0600Z', instructionId: first.id, status: 'CONFIRMED', bankReference: 'B1' });
  await eventually(async () => ((await w.get('/api/v1/clearing/windows/W20261201T0600Z')).body.data.instructions[0].status === 'CONFIRMED' ? true : undefined), 'first confirmed');
  await w.stop();

  // A crash in SETTLING: the same plans again; the rest confirmed while we were down is caught up.
  for (const i of view.instructions.slice(1)) settler.known.get('W20261201T0600Z')!.set(i.id, { windowId: 'W20261201T0600Z', instructionId: i.id, status: 'CONFIRMED' });
  w = await world(env.db, { settler });
  try {
    await w.clearing.resumed;
    await eventually(async () => ((await w.get('/api/v1/clearing/windows/W20261201T0600Z')).body.data.state === 'COMPLETED' ? true : undefined), 'completed after restart');
    t.is(settler.calls.length, 2);
    t.is(new Set(settler.calls.map((c) => c.plans)).size, 1, 'never two different plans for one window');
    view = (await w.get('/api/v1/clearing/windows/W20261201T0600Z')).body.data;
    t.true(view.instructions.every((i: any) => i.status === 'CONFIRMED'));
    await w.clearing.flushed();
    const { rows } = await env.db.query<{ status: string; n: string }>("SELECT status, count(*)::text AS n FROM obligations GROUP BY status ORDER BY status");
    t.deepEqual(rows.map((r) => [r.status, r.n]), [['SETTLED', '6']]);
  } finally {
    await w.stop();
  }
});
