// When clearing windows open and close. A schedule is a list of UTC cut-off times of day (by
// default 00:00, 06:00, 12:00, 18:00); a window runs from one cut-off to the next, and an
// obligation belongs to the window that is open when it arrives (start ≤ t < end). One id scheme
// everywhere (API, journal, NATS subjects, pacs.002 references): `W` + the window's start in UTC,
// `W20261201T0600Z`, which sorts in time order and names the same window in every process.
//
// After its cut-off a window waits `graceMs` before it is netted, so obligations that arrived
// before the cut-off and are still in a mailbox or the journal queue land in it; anything
// arriving at or after the cut-off goes to the next window.

export interface Schedule {
  /** Minutes after 00:00 UTC, ascending, distinct, each in [0, 1440). */
  readonly cutoffs: readonly number[];
  readonly graceMs: number;
}

export const DEFAULT_SCHEDULE: Schedule = { cutoffs: [0, 360, 720, 1080], graceMs: 30_000 };

const MINUTE = 60_000;
const DAY = 1_440 * MINUTE;

/** "00:00,06:00,12:00,18:00" → a schedule; throws with the offending entry. */
export function parseSchedule(text: string, graceMs = DEFAULT_SCHEDULE.graceMs): Schedule {
  const cutoffs = text.split(',').map((part) => {
    const m = /^\s*([01]\d|2[0-3]):([0-5]\d)\s*$/.exec(part);
    if (m === null) throw new RangeError(`clearing cut-off "${part.trim()}" is not HH:MM (UTC)`);
    return Number(m[1]) * 60 + Number(m[2]);
  });
  const sorted = [...new Set(cutoffs)].sort((a, b) => a - b);
  if (sorted.length === 0) throw new RangeError('a clearing schedule needs at least one cut-off');
  if (!Number.isSafeInteger(graceMs) || graceMs < 0) throw new RangeError(`grace period ${graceMs} ms`);
  return { cutoffs: sorted, graceMs };
}

export interface WindowBounds {
  readonly id: string;
  /** ms since the epoch, inclusive. */
  readonly start: number;
  /** The cut-off, exclusive. */
  readonly end: number;
}

/** The window open at time `t` (ms since the epoch). */
export function windowAt(t: number, schedule: Schedule = DEFAULT_SCHEDULE): WindowBounds {
  const day = Math.floor(t / DAY) * DAY;
  const minute = (t - day) / MINUTE;
  const { cutoffs } = schedule;
  // The last cut-off at or before t (yesterday's last one when t is before today's first).
  let startIndex = -1;
  for (let i = 0; i < cutoffs.length; i++) if (cutoffs[i]! <= minute) startIndex = i;
  const start = startIndex === -1 ? day - DAY + cutoffs.at(-1)! * MINUTE : day + cutoffs[startIndex]! * MINUTE;
  const end = startIndex + 1 < cutoffs.length ? day + cutoffs[startIndex + 1]! * MINUTE : day + DAY + cutoffs[0]! * MINUTE;
  return { id: windowId(start), start, end };
}

/** The window after `w`. */
export function nextWindow(w: WindowBounds, schedule: Schedule = DEFAULT_SCHEDULE): WindowBounds {
  return windowAt(w.end, schedule);
}

export function windowId(start: number): string {
  const iso = new Date(start).toISOString(); // 2026-12-01T06:00:00.000Z
  return `W${iso.slice(0, 4)}${iso.slice(5, 7)}${iso.slice(8, 10)}T${iso.slice(11, 13)}${iso.slice(14, 16)}Z`;
}

/** The start of the window an id names; null for anything else. */
export function parseWindowId(id: string): number | null {
  const m = /^W(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})Z$/.exec(id);
  if (m === null) return null;
  const t = Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]), Number(m[4]), Number(m[5]));
  return Number.isNaN(t) || windowId(t) !== id ? null : t;
}

/** When the window is netted: its cut-off plus the grace period. */
export function nettingAt(w: WindowBounds, schedule: Schedule = DEFAULT_SCHEDULE): number {
  return w.end + schedule.graceMs;
}
