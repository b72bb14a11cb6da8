// Fault injection for the mock bank, decided by a seeded generator so a run can be replayed:
// the same seed and the same sequence of calls and bookings give the same faults, in the same
// places. Calls (balance, submit, statement) and notifications draw from separate streams, and
// every decision draws the same count of numbers whatever the outcome, so one fault never shifts
// the ones after it. `faults: 'off'` draws nothing: every answer is exact and immediate.
//
// What each fault means for the caller:
// - latency (fixed + jitter): the answer comes later; nothing else changes.
// - failure: UNAVAILABLE after the latency, and nothing was done (a retry is safe).
// - timeout: TIMEOUT after `timeoutMs`; for a submit, the bank had booked it before the answer was
//   lost with probability `timeoutBookedRate` (the case the idempotency key exists for).
// - balance lag: balance() reports the books as they were `balanceLagMs` ago.
// - notifications: dropped (never sent; the booking still shows in balance and statements),
//   duplicated (the same bytes twice), reordered (held until the next one has gone out, or at most
//   `reorderMaxMs`), delayed (fixed + jitter).

import { derivedRng, type Rng } from './rng.ts';

export interface NotificationFaultOptions {
  readonly dropRate?: number;
  readonly duplicateRate?: number;
  readonly reorderRate?: number;
  readonly delayRate?: number;
  readonly delayMs?: number;
  readonly delayJitterMs?: number;
  /** A reordered notification waits for the next one, but never longer than this. */
  readonly reorderMaxMs?: number;
}

export interface FaultOptions {
  readonly seed: number;
  readonly latencyMs?: number;
  readonly jitterMs?: number;
  readonly failureRate?: number;
  readonly timeoutRate?: number;
  /** How long the caller waited before giving up; the TIMEOUT answer comes after this. */
  readonly timeoutMs?: number;
  readonly timeoutBookedRate?: number;
  readonly balanceLagMs?: number;
  readonly notifications?: NotificationFaultOptions;
}

export type FaultConfig = 'off' | FaultOptions;

export type CallOperation = 'balance' | 'submit' | 'statement';

export interface CallFault {
  readonly outcome: 'ANSWER' | 'UNAVAILABLE' | 'TIMEOUT';
  readonly latencyMs: number;
  /** TIMEOUT of a submit only: the bank processed it before the answer was lost. */
  readonly processedBeforeTimeout: boolean;
}

export interface NotificationFault {
  readonly drop: boolean;
  readonly duplicate: boolean;
  readonly reorder: boolean;
  readonly delayMs: number;
}

export type FaultRecord =
  | ({ readonly stream: 'call'; readonly seq: number; readonly operation: CallOperation } & CallFault)
  | ({ readonly stream: 'notification'; readonly seq: number; readonly messageId: string } & NotificationFault);

const NO_CALL_FAULT: CallFault = { outcome: 'ANSWER', latencyMs: 0, processedBeforeTimeout: false };
const NO_NOTIFICATION_FAULT: NotificationFault = { drop: false, duplicate: false, reorder: false, delayMs: 0 };
const DEFAULT_TIMEOUT_MS = 5_000;
const DEFAULT_REORDER_MAX_MS = 1_000;
/** The log is for tests and post-mortems; past this many records it stops growing. */
export const FAULT_LOG_MAX = 100_000;

export class Faults {
  readonly log: FaultRecord[] = [];
  private readonly calls: Rng | null;
  private readonly notes: Rng | null;
  private callSeq = 0;
  private noteSeq = 0;

  constructor(readonly config: FaultConfig) {
    if (config === 'off') {
      this.calls = this.notes = null;
      return;
    }
    checkOptions(config);
    this.calls = derivedRng(config.seed, 1);
    this.notes = derivedRng(config.seed, 2);
  }

  get balanceLagMs(): number {
    return this.config === 'off' ? 0 : (this.config.balanceLagMs ?? 0);
  }

  get timeoutMs(): number {
    return this.config === 'off' ? 0 : (this.config.timeoutMs ?? DEFAULT_TIMEOUT_MS);
  }

  get reorderMaxMs(): number {
    return this.config === 'off' ? 0 : (this.config.notifications?.reorderMaxMs ?? DEFAULT_REORDER_MAX_MS);
  }

  call(operation: CallOperation): CallFault {
    const c = this.config;
    if (c === 'off' || this.calls === null) return NO_CALL_FAULT;
    const [jitter, outcome, processed] = [this.calls(), this.calls(), this.calls()];
    const failureRate = c.failureRate ?? 0;
    const timeoutRate = c.timeoutRate ?? 0;
    const kind = outcome < failureRate ? 'UNAVAILABLE' : outcome < failureRate + timeoutRate ? 'TIMEOUT' : 'ANSWER';
    const fault: CallFault = {
      outcome: kind,
      latencyMs: (c.latencyMs ?? 0) + Math.floor(jitter * ((c.jitterMs ?? 0) + 1)),
      // Only a submit changes the books, so only its timeout leaves the caller in doubt.
      processedBeforeTimeout: kind === 'TIMEOUT' && operation === 'submit' && processed < (c.timeoutBookedRate ?? 0.5),
    };
    this.record({ stream: 'call', seq: this.callSeq++, operation, ...fault });
    return fault;
  }

  notification(messageId: string): NotificationFault {
    const c = this.config;
    if (c === 'off' || this.notes === null) return NO_NOTIFICATION_FAULT;
    const n = c.notifications ?? {};
    const [drop, duplicate, reorder, delay, jitter] = [this.notes(), this.notes(), this.notes(), this.notes(), this.notes()];
    const delayed = delay < (n.delayRate ?? 0);
    const fault: NotificationFault = {
      drop: drop < (n.dropRate ?? 0),
      duplicate: duplicate < (n.duplicateRate ?? 0),
      reorder: reorder < (n.reorderRate ?? 0),
      delayMs: delayed ? (n.delayMs ?? 0) + Math.floor(jitter * ((n.delayJitterMs ?? 0) + 1)) : 0,
    };
    this.record({ stream: 'notification', seq: this.noteSeq++, messageId, ...fault });
    return fault;
  }

  private record(r: FaultRecord): void {
    if (this.log.length < FAULT_LOG_MAX) this.log.push(r);
  }
}

function checkOptions(o: FaultOptions): void {
  const rates: [string, number | undefined][] = [
    ['failureRate', o.failureRate],
    ['timeoutRate', o.timeoutRate],
    ['timeoutBookedRate', o.timeoutBookedRate],
    ['notifications.dropRate', o.notifications?.dropRate],
    ['notifications.duplicateRate', o.notifications?.duplicateRate],
    ['notifications.reorderRate', o.notifications?.reorderRate],
    ['notifications.delayRate', o.notifications?.delayRate],
  ];
  for (const [name, r] of rates) {
    if (r !== undefined && !(r >= 0 && r <= 1)) throw new RangeError(`fault ${name} must be within [0, 1], got ${r}`);
  }
  if ((o.failureRate ?? 0) + (o.timeoutRate ?? 0) > 1) throw new RangeError('failureRate + timeoutRate must not exceed 1');
  const durations: [string, number | undefined][] = [
    ['latencyMs', o.latencyMs],
    ['jitterMs', o.jitterMs],
    ['timeoutMs', o.timeoutMs],
    ['balanceLagMs', o.balanceLagMs],
    ['notifications.delayMs', o.notifications?.delayMs],
    ['notifications.delayJitterMs', o.notifications?.delayJitterMs],
    ['notifications.reorderMaxMs', o.notifications?.reorderMaxMs],
  ];
  for (const [name, ms] of durations) {
    if (ms !== undefined && !(Number.isInteger(ms) && ms >= 0)) throw new RangeError(`fault ${name} must be a whole number of ms ≥ 0, got ${ms}`);
  }
}
