// Outbound calls to the settlement banks, through cockatiel: per attempt a timeout, around it a
// circuit breaker per bank, around that a retry with exponential backoff and jitter.
//
//   retry (≤ `retries` more attempts, only UNAVAILABLE, TIMEOUT and our own timeout)
//     └ breaker of that bank (opens after `consecutiveFailures` such failures in a row,
//       half-opens after `halfOpenAfterMs`: one trial call, which closes or re-opens it)
//         └ timeout (`timeoutMs`, aggressive: the late answer is dropped and counts as TIMEOUT)
//             └ BankClient.submit
//
// What is retried is what the bank port says is safe (client.ts BANK_ERRORS): UNAVAILABLE (nothing
// was done) and TIMEOUT (maybe done: retried with the SAME idempotency key, so the bank answers the
// stored result instead of booking again). Every other answer is final for this call: ACCEPTED or
// REJECTED, and the errors a retry cannot fix (ACCOUNT_UNKNOWN, IDEMPOTENCY_CONFLICT,
// INVALID_REQUEST). An open breaker is not retried: the bank is down, the instruction waits for
// the next window. The jitter is drawn from a seeded generator (adapters/bank/rng.ts) so a run
// can be replayed; the delays are options, so tests run in milliseconds.

import {
  BrokenCircuitError,
  CircuitState,
  ConsecutiveBreaker,
  ExponentialBackoff,
  TaskCancelledError,
  TimeoutStrategy,
  circuitBreaker,
  handleWhen,
  retry,
  timeout,
  wrap,
  type CircuitBreakerPolicy,
  type IPolicy,
} from 'cockatiel';
import { seededRng, type Rng } from '../bank/rng.ts';
import type { BankClient, BankError, BankErrorCode, SettlementInstruction, SubmitAnswer } from '../bank/client.ts';

export interface BankCallOptions {
  /** Per attempt. Default 10 s. */
  readonly timeoutMs?: number;
  /** Retries after the first attempt. Default 3 (the maximum). */
  readonly retries?: number;
  /** First backoff, doubled per retry, capped by `backoffMaxMs`; the wait is drawn in [d/2, d]. Defaults 200 ms, 5 s. */
  readonly backoffInitialMs?: number;
  readonly backoffMaxMs?: number;
  /** Failures in a row that open a bank's breaker. Default 5. */
  readonly consecutiveFailures?: number;
  /** Cool-down before an open breaker lets one trial call through. Default 30 s. */
  readonly halfOpenAfterMs?: number;
  /** Seed of the jitter. Default 1. */
  readonly seed?: number;
}

export type BreakerState = 'closed' | 'open' | 'half-open' | 'isolated';

export type SubmitOutcome =
  | { readonly kind: 'answered'; readonly answer: SubmitAnswer; readonly attempts: number; readonly inDoubt: boolean }
  /** An answer no retry changes (ACCOUNT_UNKNOWN, IDEMPOTENCY_CONFLICT, INVALID_REQUEST). */
  | { readonly kind: 'refused'; readonly error: BankError; readonly attempts: number; readonly inDoubt: boolean }
  /** Retries used up, or the breaker open: not final; `inDoubt` when a TIMEOUT may have booked it. */
  | { readonly kind: 'exhausted'; readonly code: 'UNAVAILABLE' | 'TIMEOUT' | 'BREAKER_OPEN' | 'BANK_UNKNOWN'; readonly message: string; readonly attempts: number; readonly inDoubt: boolean };

const RETRYABLE: ReadonlySet<BankErrorCode> = new Set(['UNAVAILABLE', 'TIMEOUT']);

/** A retryable bank answer, thrown inside the policy so cockatiel can count and retry it. */
class RetryableBankError extends Error {
  constructor(readonly bankError: BankError) {
    super(`${bankError.code}: ${bankError.message}`);
  }
}

const isTransient = (e: Error): boolean => e instanceof RetryableBankError || e instanceof TaskCancelledError;

export class BankCalls {
  private readonly policies = new Map<string, { readonly call: IPolicy; readonly breaker: CircuitBreakerPolicy }>();
  private readonly listeners: ((bank: string, state: BreakerState) => void)[] = [];
  private readonly timeoutMs: number;
  private readonly retries: number;
  private readonly rng: Rng;

  constructor(private readonly banks: ReadonlyMap<string, BankClient>, private readonly options: BankCallOptions = {}) {
    this.timeoutMs = options.timeoutMs ?? 10_000;
    this.retries = options.retries ?? 3;
    if (!Number.isInteger(this.retries) || this.retries < 0 || this.retries > 3) throw new RangeError(`retries must be 0 to 3, got ${this.retries}`);
    this.rng = seededRng(options.seed ?? 1);
  }

  get bankNames(): string[] {
    return [...this.banks.keys()];
  }

  breakerState(bank: string): BreakerState {
    const p = this.policies.get(bank);
    if (p === undefined) return 'closed';
    return STATE_NAMES[p.breaker.state];
  }

  onBreakerChange(listener: (bank: string, state: BreakerState) => void): void {
    this.listeners.push(listener);
  }

  async submit(bank: string, instruction: SettlementInstruction): Promise<SubmitOutcome> {
    const client = this.banks.get(bank);
    if (client === undefined) return { kind: 'exhausted', code: 'BANK_UNKNOWN', message: `no bank client ${bank}`, attempts: 0, inDoubt: false };
    let attempts = 0;
    let inDoubt = false;
    try {
      const answer = await this.policyOf(bank).call.execute(async () => {
        attempts++;
        let r;
        try {
          r = await client.submit(instruction);
        } catch (err) {
          // The port promises values; a client that throws anyway failed before or while it sent: in doubt.
          inDoubt = true;
          throw new RetryableBankError({ code: 'TIMEOUT', message: `the bank client threw: ${err instanceof Error ? err.message : String(err)}` });
        }
        if (r.ok) return { ok: true as const, answer: r.value };
        if (RETRYABLE.has(r.error.code)) {
          if (r.error.code === 'TIMEOUT') inDoubt = true;
          throw new RetryableBankError(r.error);
        }
        return { ok: false as const, error: r.error };
      });
      return answer.ok ? { kind: 'answered', answer: answer.answer, attempts, inDoubt } : { kind: 'refused', error: answer.error, attempts, inDoubt };
    } catch (err) {
      if (err instanceof BrokenCircuitError) return { kind: 'exhausted', code: 'BREAKER_OPEN', message: `the circuit breaker of bank ${bank} is open`, attempts, inDoubt };
      if (err instanceof TaskCancelledError) {
        return { kind: 'exhausted', code: 'TIMEOUT', message: `no answer from bank ${bank} within ${this.timeoutMs} ms, ${attempts} attempts`, attempts, inDoubt: true };
      }
      if (err instanceof RetryableBankError) {
        return { kind: 'exhausted', code: err.bankError.code as 'UNAVAILABLE' | 'TIMEOUT', message: `${err.bankError.message} (${attempts} attempts)`, attempts, inDoubt };
      }
      throw err;
    }
  }

  private policyOf(bank: string): { readonly call: IPolicy; readonly breaker: CircuitBreakerPolicy } {
    let p = this.policies.get(bank);
    if (p !== undefined) return p;
    const o = this.options;
    const initial = o.backoffInitialMs ?? 200;
    const max = o.backoffMaxMs ?? 5_000;
    const rng = this.rng;
    const backoff = new ExponentialBackoff<number>({
      initialDelay: initial,
      maxDelay: max,
      // "Equal jitter": half the exponential delay, plus a seeded random share of the other half.
      generator: (attempt, opts) => {
        const n = attempt ?? 0;
        const d = Math.min(opts.maxDelay, opts.initialDelay * opts.exponent ** n);
        return [d / 2 + rng() * (d / 2), n + 1];
      },
    });
    const breaker = circuitBreaker(handleWhen(isTransient), {
      halfOpenAfter: o.halfOpenAfterMs ?? 30_000,
      breaker: new ConsecutiveBreaker(o.consecutiveFailures ?? 5),
    });
    breaker.onStateChange((s) => {
      for (const l of this.listeners) l(bank, STATE_NAMES[s]);
    });
    const call = wrap(
      retry(handleWhen(isTransient), { maxAttempts: this.retries, backoff }),
      breaker,
      timeout(this.timeoutMs, TimeoutStrategy.Aggressive),
    );
    p = { call, breaker };
    this.policies.set(bank, p);
    return p;
  }
}

const STATE_NAMES: Record<CircuitState, BreakerState> = {
  [CircuitState.Closed]: 'closed',
  [CircuitState.Open]: 'open',
  [CircuitState.HalfOpen]: 'half-open',
  [CircuitState.Isolated]: 'isolated',
};
