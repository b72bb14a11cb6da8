// Goal: the clearing window's lifecycle as a pure decide/evolve pair, exhaustively: every command in
// every phase (events, nothing, or WINDOW_MISMATCH), instruction statuses only moving forward (stale
// and repeated updates decide nothing), the end of a window only when every instruction is final and
// what rolls over is carried (COMPLETED, or FAILED when an instruction failed), and a restart at any
// point: the journal (events through their codec) folds back to the same state, snapshots too.
// Method: the seed's example netted by WindowBook as the result; a table of phases × commands; a
// fast-check property over random command sequences.

import test from 'ava';
import fc from 'fast-check';
import { Participants, WindowBook } from '../../../actors/clearing/window-book.ts';
import { windowStateCodec } from '../../../actors/clearing/window/codec.ts';
import type { WindowCommand } from '../../../actors/clearing/window/commands.ts';
import { decideWindow } from '../../../actors/clearing/window/decide.ts';
import { windowEventCodec, type WindowEvent } from '../../../actors/clearing/window/events.ts';
import { evolveWindow } from '../../../actors/clearing/window/evolve.ts';
import { initialWindow, instructionId, parseWindowActorId, statusName, windowActorId, type NettingResult, type WindowPhase, type WindowState } from '../../../actors/clearing/window/model.ts';
import { hasApplied } from '../../../actors/applied.ts';
import { fromJournal, toJournal } from '../../../actors/journal-form.ts';
import type { InstructionStatus } from '../../../actors/clearing/ports.ts';

const W = 'W20261201T0600Z';
const AT = '2026-12-01T07:00:00.000Z';

/** The seed's example netted; `capacityOfA`: what its largest net debtor A can pay (minor units). */
function seedResult(capacityOfA = 10n ** 15n): NettingResult {
  const book = new WindowBook(W, new Participants());
  const rows = [['A', 'B', 100_000_000n], ['B', 'C', 50_000_000n], ['C', 'A', 75_000_000n], ['A', 'D', 30_000_000n], ['D', 'B', 20_000_000n], ['B', 'A', 10_000_000n]] as const;
  rows.forEach(([payer, payee, units], i) => book.add({ id: `o${i + 1}`, payer, payee, currency: 'USD', units, priority: 0, origin: null, submitted: i }));
  return book.net((p) => (p === 'A' ? capacityOfA : 10n ** 15n));
}

const RESULT = seedResult();
const EMPTY: NettingResult = { currencies: [], excluded: [] };
const IDS = [1, 2, 3].map((n) => instructionId(W, 'USD', n));

/** Replays `events` through the journal form (codec encode → decode), as a restart does. */
function replay(events: readonly WindowEvent[]): WindowState {
  let s = initialWindow(W);
  for (const e of events) {
    const form = JSON.parse(JSON.stringify(toJournal(windowEventCodec, e)));
    s = evolveWindow(s, fromJournal(windowEventCodec, form));
  }
  return s;
}

interface Run {
  state: WindowState;
  events: WindowEvent[];
}

function apply(run: Run, command: WindowCommand): readonly WindowEvent[] | string {
  const d = decideWindow(run.state, command);
  if ('rejection' in d) return d.rejection.code;
  for (const e of d.events) {
    run.state = evolveWindow(run.state, e);
    run.events.push(e);
  }
  return d.events;
}

const cmd = {
  open: (): WindowCommand => ({ type: 'OpenWindow', messageId: `open:${W}`, at: AT }),
  close: (net = false): WindowCommand => ({ type: 'CloseWindow', messageId: net ? `close:${W}` : `cutoff:${W}`, at: AT, net }),
  start: (): WindowCommand => ({ type: 'StartNetting', messageId: `netting:${W}`, at: AT }),
  record: (result: NettingResult = RESULT): WindowCommand => ({ type: 'RecordNetting', messageId: `net:${W}`, at: AT, result }),
  update: (changes: [string, InstructionStatus][], tag = 'u'): WindowCommand => ({
    type: 'RecordInstructions', messageId: `upd:${tag}:${changes.map((c) => c.join('=')).join(',')}`, at: AT,
    changes: changes.map(([instructionId, status]) => ({ instructionId, status, bankReference: status === 'CONFIRMED' ? `REF-${instructionId}` : null, reason: status === 'FAILED' ? 'bank said no' : null })),
  }),
  rollOver: (instructions: string[], excluded: boolean): WindowCommand => ({ type: 'RecordRollOver', messageId: `rollover:${instructions.join(',')}:${excluded}`, at: AT, into: 'W20261201T1200Z', instructions, excluded }),
  fail: (): WindowCommand => ({ type: 'FailWindow', messageId: `fail:${W}`, at: AT, reason: 'operator' }),
  touch: (): WindowCommand => ({ type: 'Touch', messageId: 'touch:1', at: AT }),
};

/** A run brought to `phase` by the lifecycle's own commands. */
function at(phase: WindowPhase): Run {
  const run: Run = { state: initialWindow(W), events: [] };
  const steps: Record<WindowPhase, WindowCommand[]> = {
    NEW: [],
    OPEN: [cmd.open()],
    CLOSING: [cmd.open(), cmd.close()],
    NETTING: [cmd.open(), cmd.close(), cmd.start()],
    SETTLING: [cmd.open(), cmd.close(), cmd.start(), cmd.record()],
    COMPLETED: [cmd.open(), cmd.close(), cmd.start(), cmd.record(), cmd.update(IDS.map((i) => [i, 'CONFIRMED']))],
    FAILED: [cmd.open(), cmd.fail()],
  };
  for (const c of steps[phase]) {
    const out = apply(run, c);
    if (typeof out === 'string') throw new Error(`fixture ${phase}: ${c.type} refused ${out}`);
  }
  if (run.state.phase !== phase) throw new Error(`fixture reached ${run.state.phase}, not ${phase}`);
  return run;
}

test('ids: window actor ids read back; instruction ids are deterministic', (t) => {
  t.is(windowActorId(W), 'window:W20261201T0600Z');
  t.is(parseWindowActorId('window:W20261201T0600Z'), W);
  t.is(parseWindowActorId('window:W2026'), null);
  t.is(parseWindowActorId('corridor:USD-USD'), null);
  t.deepEqual(IDS, ['W20261201T0600Z-USD-1', 'W20261201T0600Z-USD-2', 'W20261201T0600Z-USD-3']);
});

test('the whole lifecycle: OPEN → CLOSING → NETTING → SETTLING → COMPLETED, with times and the result', (t) => {
  const run = at('COMPLETED');
  t.deepEqual(run.events.map((e) => e.type), ['WindowOpened', 'WindowClosing', 'NettingStarted', 'WindowNetted', 'InstructionsUpdated', 'WindowCompleted']);
  const s = run.state;
  t.is(s.phase, 'COMPLETED');
  t.is(s.openedAt, AT);
  t.is(s.closedAt, AT);
  t.is(s.nettedAt, AT);
  t.is(s.endedAt, AT);
  t.is(s.failure, null);
  t.deepEqual([...s.statuses].map(statusName), ['CONFIRMED', 'CONFIRMED', 'CONFIRMED']);
  // The result: the seed's positions, 3 instructions moving 700,000.00 (minor units).
  const usd = s.result!.currencies[0]!;
  t.deepEqual(Object.fromEntries(usd.participants.map((p, i) => [p, usd.net[i]])), { A: -45_000_000n, B: 60_000_000n, C: -25_000_000n, D: 10_000_000n });
  t.is(usd.units.reduce((a, b) => a + b, 0n), 70_000_000n);
  t.deepEqual([usd.gross, usd.bilateral, usd.multilateral, usd.obligations], [285_000_000n, 265_000_000n, 70_000_000n, 6]);
  t.true(hasApplied(s.applied, 'end:W20261201T0600Z'));
});

const PHASES: WindowPhase[] = ['NEW', 'OPEN', 'CLOSING', 'NETTING', 'SETTLING', 'COMPLETED', 'FAILED'];

/** phase × command → event types, [] for nothing, or the rejection code. */
const TABLE: Record<string, Record<WindowPhase, string[] | string>> = {
  open: { NEW: ['WindowOpened'], OPEN: [], CLOSING: [], NETTING: [], SETTLING: [], COMPLETED: [], FAILED: [] },
  cutoff: { NEW: ['WindowOpened', 'WindowClosing'], OPEN: ['WindowClosing'], CLOSING: [], NETTING: [], SETTLING: [], COMPLETED: [], FAILED: [] },
  closeAndNet: {
    NEW: ['WindowOpened', 'WindowClosing', 'NettingStarted'], OPEN: ['WindowClosing', 'NettingStarted'], CLOSING: ['NettingStarted'],
    NETTING: [], SETTLING: [], COMPLETED: [], FAILED: [],
  },
  start: { NEW: 'WINDOW_MISMATCH', OPEN: 'WINDOW_MISMATCH', CLOSING: ['NettingStarted'], NETTING: [], SETTLING: [], COMPLETED: [], FAILED: [] },
  record: { NEW: 'WINDOW_MISMATCH', OPEN: 'WINDOW_MISMATCH', CLOSING: 'WINDOW_MISMATCH', NETTING: ['WindowNetted'], SETTLING: [], COMPLETED: [], FAILED: [] },
  update: { NEW: 'WINDOW_MISMATCH', OPEN: 'WINDOW_MISMATCH', CLOSING: 'WINDOW_MISMATCH', NETTING: 'WINDOW_MISMATCH', SETTLING: ['InstructionsUpdated'], COMPLETED: [], FAILED: [] },
  rollOver: { NEW: 'WINDOW_MISMATCH', OPEN: 'WINDOW_MISMATCH', CLOSING: 'WINDOW_MISMATCH', NETTING: 'WINDOW_MISMATCH', SETTLING: [], COMPLETED: [], FAILED: [] },
  fail: { NEW: ['WindowFailed'], OPEN: ['WindowFailed'], CLOSING: ['WindowFailed'], NETTING: ['WindowFailed'], SETTLING: ['WindowFailed'], COMPLETED: [], FAILED: [] },
  touch: { NEW: [], OPEN: [], CLOSING: [], NETTING: [], SETTLING: [], COMPLETED: [], FAILED: [] },
};

const COMMANDS: Record<string, () => WindowCommand> = {
  open: cmd.open, cutoff: () => cmd.close(false), closeAndNet: () => cmd.close(true), start: cmd.start, record: () => cmd.record(),
  update: () => cmd.update([[IDS[0]!, 'SENT']], 'table'), rollOver: () => cmd.rollOver([], true), fail: cmd.fail, touch: cmd.touch,
};

test('every command in every phase: events, nothing (already satisfied or stale), or WINDOW_MISMATCH', (t) => {
  for (const [name, make] of Object.entries(COMMANDS)) {
    for (const phase of PHASES) {
      const run = at(phase);
      const out = apply(run, make());
      const got = typeof out === 'string' ? out : out.map((e) => e.type);
      t.deepEqual(got, TABLE[name]![phase], `${name} in ${phase}`);
      // Whatever happened, the journal folds back to the same state.
      t.deepEqual(windowStateCodec.encode(replay(run.events)), windowStateCodec.encode(run.state), `${name} in ${phase}: replay`);
    }
  }
});

test('instruction statuses only move forward: PENDING < SENT < final; the first final status wins', (t) => {
  const run = at('SETTLING');
  t.deepEqual(apply(run, cmd.update([[IDS[0]!, 'SENT'], [IDS[1]!, 'CONFIRMED']])), [run.events.at(-1)]);
  t.deepEqual([...run.state.statuses].map(statusName), ['SENT', 'CONFIRMED', 'PENDING']);
  // Stale (SENT after CONFIRMED, PENDING after SENT) and repeated updates decide nothing.
  t.deepEqual(apply(run, cmd.update([[IDS[1]!, 'SENT'], [IDS[0]!, 'PENDING'], [IDS[0]!, 'SENT']], 'stale')), []);
  // A later final status does not replace the first one.
  t.deepEqual(apply(run, cmd.update([[IDS[1]!, 'FAILED']], 'late')), []);
  // In one update, only the changes that move count, in order: SENT then CONFIRMED for the same one.
  const out = apply(run, cmd.update([[IDS[2]!, 'SENT'], [IDS[2]!, 'CONFIRMED'], [IDS[2]!, 'SENT']], 'mixed'));
  t.true(Array.isArray(out));
  t.deepEqual((out as WindowEvent[])[0]!.type === 'InstructionsUpdated' ? (out as any)[0].changes.map((c: any) => c.status) : [], ['SENT', 'CONFIRMED']);
  t.is(apply(run, cmd.update([['W20261201T0600Z-EUR-1', 'CONFIRMED']], 'unknown')), 'WINDOW_MISMATCH');
  t.deepEqual(windowStateCodec.encode(replay(run.events)), windowStateCodec.encode(run.state));
});

test('the end: any FAILED instruction fails the window with the ids; RETRY_NEXT_WINDOW completes only once carried', (t) => {
  const failing = at('SETTLING');
  const out = apply(failing, cmd.update([[IDS[0]!, 'CONFIRMED'], [IDS[1]!, 'FAILED'], [IDS[2]!, 'CONFIRMED']]));
  t.deepEqual((out as WindowEvent[]).map((e) => e.type), ['InstructionsUpdated', 'WindowFailed']);
  t.is(failing.state.phase, 'FAILED');
  t.is(failing.state.failure, `1 settlement instruction(s) failed: ${IDS[1]}`);

  const retry = at('SETTLING');
  apply(retry, cmd.update([[IDS[0]!, 'CONFIRMED'], [IDS[1]!, 'RETRY_NEXT_WINDOW'], [IDS[2]!, 'CONFIRMED']]));
  t.is(retry.state.phase, 'SETTLING', 'waits for the roll-over');
  t.is(apply(retry, cmd.rollOver([IDS[0]!], false)), 'WINDOW_MISMATCH', 'a confirmed instruction does not roll over');
  const rolled = apply(retry, cmd.rollOver([IDS[1]!], false));
  t.deepEqual((rolled as WindowEvent[]).map((e) => e.type), ['RolledOver', 'WindowCompleted']);
  t.deepEqual([...retry.state.statuses].map(statusName), ['CONFIRMED', 'RETRY_NEXT_WINDOW', 'CONFIRMED']);
  t.deepEqual(windowStateCodec.encode(replay(retry.events)), windowStateCodec.encode(retry.state));
});

test('excluded obligations: the window ends only after they are carried; a window with nothing to pay completes at once', (t) => {
  const limited = seedResult(0n);
  t.true(limited.excluded.length > 0);
  const run = at('NETTING');
  apply(run, cmd.record(limited));
  const n = run.state.statuses.length;
  if (n > 0) apply(run, cmd.update(Array.from({ length: n }, (_, i) => [instructionId(W, 'USD', i + 1), 'CONFIRMED'] as [string, InstructionStatus])));
  t.is(run.state.phase, 'SETTLING');
  t.true(run.state.statuses.every((c) => c === 2));
  t.deepEqual((apply(run, cmd.rollOver([], true)) as WindowEvent[]).map((e) => e.type), ['RolledOver', 'WindowCompleted']);
  t.deepEqual(apply(run, cmd.rollOver([], true)), [], 'carried twice: nothing');

  const empty = at('NETTING');
  t.deepEqual((apply(empty, cmd.record(EMPTY)) as WindowEvent[]).map((e) => e.type), ['WindowNetted', 'WindowCompleted']);
  t.is(RESULT.excluded.length, 0);
});

test('restart at each phase: the journal (through the codec) and the snapshot give the same state', (t) => {
  for (const phase of PHASES) {
    const run = at(phase);
    const encoded = windowStateCodec.encode(run.state);
    t.deepEqual(windowStateCodec.encode(replay(run.events)), encoded, phase);
    t.deepEqual(windowStateCodec.encode(windowStateCodec.decode(JSON.parse(JSON.stringify(encoded)))), encoded, `${phase} snapshot`);
  }
});

test('property: any command sequence keeps the phase order, never moves a final status, and replays to the same state', (t) => {
  const order: Record<WindowPhase, number> = { NEW: 0, OPEN: 1, CLOSING: 2, NETTING: 3, SETTLING: 4, COMPLETED: 5, FAILED: 5 };
  const status = fc.constantFrom<InstructionStatus>('PENDING', 'SENT', 'CONFIRMED', 'FAILED', 'RETRY_NEXT_WINDOW');
  const command = fc.oneof(
    fc.constant(cmd.open()), fc.boolean().map((net) => cmd.close(net)), fc.constant(cmd.start()), fc.constant(cmd.record()),
    fc.tuple(fc.array(fc.tuple(fc.integer({ min: 0, max: 2 }), status), { minLength: 1, maxLength: 3 }), fc.nat(5))
      .map(([cs, tag]) => cmd.update(cs.map(([i, s]) => [IDS[i]!, s]), `p${tag}`)),
    fc.tuple(fc.subarray([0, 1, 2]), fc.boolean()).map(([is, ex]) => cmd.rollOver(is.map((i) => IDS[i]!), ex)),
    fc.constant(cmd.fail()),
  );
  fc.assert(fc.property(fc.array(command, { maxLength: 25 }), (commands) => {
    const run: Run = { state: initialWindow(W), events: [] };
    for (const c of commands) {
      const before = run.state;
      apply(run, c);
      const after = run.state;
      if (order[after.phase] < order[before.phase]) return false;
      if (before.phase === 'COMPLETED' || before.phase === 'FAILED') if (after !== before) return false;
      for (let i = 0; i < before.statuses.length; i++) {
        const b = before.statuses[i]!;
        const a = after.statuses[i]!;
        if (b >= 2 && a !== b && !(b === 4 && a === 5)) return false;
        if (a < b) return false;
      }
    }
    return JSON.stringify(windowStateCodec.encode(replay(run.events))) === JSON.stringify(windowStateCodec.encode(run.state));
  }), { numRuns: 300 });
  t.pass();
});

test('WindowNetted journal form: compact (one participant list, no net column) and smaller; the earlier form still decodes to the same result', (t) => {
  // Two currencies sharing participants, one instruction party index per side.
  const book = new WindowBook(W, new Participants());
  const rows = [['A', 'B', 'USD', 100n], ['B', 'C', 'USD', 50n], ['C', 'A', 'USD', 75n], ['B', 'A', 'EUR', 7n], ['C', 'B', 'EUR', 3n]] as const;
  rows.forEach(([payer, payee, currency, units], i) => book.add({ id: `c${i}`, payer, payee, currency, units, priority: 0, origin: null, submitted: i }));
  const result = book.net(() => 10n ** 15n);
  const event: WindowEvent = { type: 'WindowNetted', messageId: 'net:x', at: AT, result };
  const compact = windowEventCodec.encode(event) as any;
  t.deepEqual(compact.result.participants, 'A B C');
  t.deepEqual(compact.result.currencies.map((c: any) => [c.currency, c.members, 'net' in c, 'participants' in c]), [['EUR', '0 1 2', false, false], ['USD', '0 1 2', false, false]]);
  t.deepEqual(windowEventCodec.decode(JSON.parse(JSON.stringify(compact))), event);
  // The first form, as written before: participants and net per currency.
  const j = (v: readonly (bigint | number | string)[]) => v.join(' ');
  const v1 = {
    ...compact,
    result: {
      currencies: result.currencies.map((c) => ({
        currency: c.currency, participants: j(c.participants), net: j(c.net), grossIn: j(c.grossIn), grossOut: j(c.grossOut), from: j(c.from), to: j(c.to), units: j(c.units),
        gross: String(c.gross), bilateral: String(c.bilateral), multilateral: String(c.multilateral), obligations: c.obligations, exact: c.exact,
      })),
      excluded: [],
    },
  };
  t.deepEqual(windowEventCodec.decode(v1), event);
  t.true(JSON.stringify(compact).length < JSON.stringify(v1).length);
  // A member index beyond the list is a corrupt journal, refused.
  const bad = JSON.parse(JSON.stringify(compact));
  bad.result.currencies[0].members = '0 1 7';
  t.throws(() => windowEventCodec.decode(bad), { message: /beyond 3 participants/ });
});
