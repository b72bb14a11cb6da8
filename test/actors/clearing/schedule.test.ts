// Goal: every instant belongs to exactly one clearing window, windows tile time without gaps or
// overlaps (across midnight, month and year ends), the id names the window's start in UTC and
// parses back, and schedules are validated. Method: fixed instants at and around each cut-off,
// and a property over random instants and schedules.

import test from 'ava';
import fc from 'fast-check';
import { DEFAULT_SCHEDULE, nettingAt, nextWindow, parseSchedule, parseWindowId, windowAt, windowId } from '../../../actors/clearing/schedule.ts';

const at = (iso: string) => Date.parse(iso);

test('the default windows: 00, 06, 12, 18 UTC, cut-off exclusive', (t) => {
  t.is(windowAt(at('2026-12-01T06:00:00.000Z')).id, 'W20261201T0600Z');
  t.is(windowAt(at('2026-12-01T05:59:59.999Z')).id, 'W20261201T0000Z');
  t.is(windowAt(at('2026-12-01T23:59:59.999Z')).id, 'W20261201T1800Z');
  t.is(windowAt(at('2026-12-01T00:00:00.000Z')).id, 'W20261201T0000Z');
  const w = windowAt(at('2026-12-01T13:14:15Z'));
  t.deepEqual([new Date(w.start).toISOString(), new Date(w.end).toISOString()], ['2026-12-01T12:00:00.000Z', '2026-12-01T18:00:00.000Z']);
  t.is(new Date(nettingAt(w)).toISOString(), '2026-12-01T18:00:30.000Z');
});

test('across midnight, month and year ends, with a one-cut-off schedule', (t) => {
  const daily = parseSchedule('16:00');
  t.is(windowAt(at('2026-12-31T15:59:59Z'), daily).id, 'W20261230T1600Z');
  const w = windowAt(at('2026-12-31T16:00:00Z'), daily);
  t.is(w.id, 'W20261231T1600Z');
  t.is(new Date(w.end).toISOString(), '2027-01-01T16:00:00.000Z');
  t.is(nextWindow(w, daily).id, 'W20270101T1600Z');
  const odd = parseSchedule('23:30, 08:15');
  t.deepEqual(odd.cutoffs, [495, 1410]);
  t.is(windowAt(at('2026-03-01T00:10:00Z'), odd).id, 'W20260228T2330Z');
});

test('ids parse back; anything else is refused', (t) => {
  t.is(parseWindowId('W20261201T0600Z'), at('2026-12-01T06:00:00Z'));
  for (const bad of ['W20261301T0600Z', 'W20260230T0000Z', 'W20261201T0600', '20261201T0600Z', 'W20261201T2460Z']) t.is(parseWindowId(bad), null, bad);
  t.is(windowId(at('2027-01-01T00:00:00Z')), 'W20270101T0000Z');
});

test('schedules are validated', (t) => {
  t.throws(() => parseSchedule('6:00'), { message: /"6:00" is not HH:MM/ });
  t.throws(() => parseSchedule('24:00'), { message: /HH:MM/ });
  t.throws(() => parseSchedule('06:00', -1), { message: /grace/ });
  t.deepEqual(parseSchedule('18:00,06:00,06:00').cutoffs, [360, 1080]);
  t.deepEqual(DEFAULT_SCHEDULE.cutoffs, [0, 360, 720, 1080]);
});

test('property: windows tile time', (t) => {
  const cutoffs = fc.uniqueArray(fc.integer({ min: 0, max: 1439 }), { minLength: 1, maxLength: 8 });
  fc.assert(fc.property(fc.integer({ min: 0, max: 4_102_444_800_000 }), cutoffs, (instant, cs) => {
    const schedule = { cutoffs: [...cs].sort((a, b) => a - b), graceMs: 0 };
    const w = windowAt(instant, schedule);
    const next = nextWindow(w, schedule);
    return w.start <= instant && instant < w.end && next.start === w.end && windowAt(w.end - 1, schedule).id === w.id
      && windowAt(w.start, schedule).id === w.id && parseWindowId(w.id) === w.start && next.id > w.id;
  }), { numRuns: 2_000 });
  t.pass();
});
