// The HTTP producer of the crash test: a bounded number of concurrent POSTs of camt.054 bodies, as
// an at-least-once sender behaves. A send counts as acknowledged only on 200 (every entry appended
// or a duplicate); a 503 or a broken connection (the service was killed under it) puts it back at
// the end of the queue, to be sent again, possibly to the next incarnation of the service. Any other
// answer is a test failure: these messages are valid and their accounts exist.

export interface IngestBody {
  readonly success: boolean;
  readonly data: {
    readonly entries: { readonly appended: number; readonly duplicate: number; readonly rejected: number; readonly retry: number };
    readonly messages: readonly { readonly status: string; readonly messageId: string | null }[];
  };
  readonly error: string | null;
}

export interface PhaseOptions {
  readonly url: string;
  /** DELTRAN_API_TOKEN of the child. */
  readonly token: string;
  /** Positions still to send; taken from the front, given back at the end. Shared across phases. */
  readonly queue: number[];
  readonly body: (position: number) => string;
  readonly inflight: number;
  /** True once the service is dead or being killed: workers leave at their next failure. */
  readonly dead: () => boolean;
  /** Checks an acknowledged send (throws to fail the test) and counts it. */
  readonly acknowledged: (position: number, body: IngestBody) => void;
}

export interface PhaseStats {
  acks: number;
  retries503: number;
  connectionErrors: number;
}

const REQUEST_TIMEOUT_MS = 30_000;
/** Connection failures in a row while the service is supposedly alive before we give up. */
const FAILURES_IN_A_ROW_MAX = 200;

export async function sendPhase(options: PhaseOptions): Promise<PhaseStats> {
  const stats: PhaseStats = { acks: 0, retries503: 0, connectionErrors: 0 };
  let failuresInARow = 0;
  let failed = false;
  const worker = async (): Promise<void> => {
    while (!options.dead() && !failed) {
      const position = options.queue.shift();
      if (position === undefined) return;
      let status: number;
      let text: string;
      try {
        const res = await fetch(`${options.url}/api/v1/iso20022`, {
          method: 'POST',
          headers: { 'content-type': 'application/xml', authorization: `Bearer ${options.token}` },
          body: options.body(position),
          signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
        });
        status = res.status;
        text = await res.text();
      } catch (err) {
        options.queue.push(position);
        stats.connectionErrors++;
        if (options.dead()) return;
        if (++failuresInARow > FAILURES_IN_A_ROW_MAX) throw new Error(`the service stopped answering: ${String((err as Error).cause ?? err)}`);
        await sleep(20);
        continue;
      }
      failuresInARow = 0;
      if (status === 503) {
        options.queue.push(position);
        stats.retries503++;
        await sleep(25);
        continue;
      }
      if (status !== 200) throw new Error(`send #${position}: HTTP ${status}: ${text.slice(0, 2_000)}`);
      options.acknowledged(position, JSON.parse(text) as IngestBody);
      stats.acks++;
    }
  };
  // One worker failing stops the others, so the test ends with the first error, not a timeout.
  const guarded = () => worker().catch((err: unknown) => {
    failed = true;
    throw err;
  });
  await Promise.all(Array.from({ length: options.inflight }, guarded));
  return stats;
}

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
