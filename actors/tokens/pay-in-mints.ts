// Tokens for matched pay-ins, exactly once, as an outbox over the journal. The account's
// `PayInMatched` is durable before its mint is even decided, and the mint's message id is derived
// from the pay-in (`payInMintId`), so the journal's unique (actor, message_id) makes a second mint
// of the same pay-in impossible. Two paths send the same mint:
//
//   live     the accounts' onApplied hook, right after the event is durable (and after the
//            backing figure counted the credit, so the mint sees it);
//   catch-up a scan of the journal for PayInMatched events of client_funds accounts whose mint is
//            not journaled (adapters/db/token-queries.ts), at start and then every `intervalMs`.
//
// A crash between the two appends, a full token mailbox, a journal hiccup or a refused mint
// (breaker open, backing short after a bank debit) therefore delays a mint but never loses it:
// the next catch-up sends it again, and whichever path comes second gets `duplicate`.
//
// Only client_funds accounts mint: tokens are claims on client money, and a pay-in to a
// settlement or fee account does not add to the fiat that backs them.

import type { AccountEvent, PayInMatched } from '../account/events.ts';
import { payInMintId } from './model.ts';
import type { TokenOutcome, TokensRequest } from './actor.ts';

/** A PayInMatched the journal holds and whose mint it does not. */
export interface UnmintedPayIn {
  /** The account actor id. */
  readonly account: string;
  readonly seq: number;
  readonly event: PayInMatched;
}

export interface PayInCursor {
  readonly account: string;
  readonly seq: number;
}

/**
 * One page of the journal scan: of the next `limit` matched pay-ins after the cursor, in (account,
 * seq) order, those still to mint; `next` is where the following page starts (null: the end).
 * A page may hold no items and still have a next: pages are bounded by what they read.
 */
export interface OutboxPage {
  readonly items: readonly UnmintedPayIn[];
  readonly next: PayInCursor | null;
}

/** The journal scan (adapters/db/token-queries.ts). */
export interface PayInOutbox {
  unminted(after: PayInCursor | null, limit: number): Promise<OutboxPage>;
}

export interface MintPort {
  send(request: TokensRequest): Promise<TokenOutcome>;
}

export interface PayInMinterOptions {
  /** Whether an account actor id is a client_funds account (ClientFundsBacking). */
  readonly isClientFunds: (account: string) => boolean;
  /** Pay-ins per catch-up page (sent together, then awaited). Default 256. */
  readonly pageSize?: number | undefined;
  readonly onError?: ((what: string, err: unknown) => void) | undefined;
}

export interface CatchUpReport {
  readonly minted: number;
  readonly duplicate: number;
  readonly rejected: number;
  /** Not applied now (journal busy, mailbox full, stopping): the next pass sends them again. */
  readonly retry: number;
}

/** The mint a PayInMatched of `account` entitles its participant to. */
export function payInMint(account: string, event: PayInMatched): TokensRequest {
  const currency = currencyOfAccount(account);
  const { payIn, entry } = event;
  return {
    type: 'Mint',
    messageId: payInMintId(account, payIn.payInId),
    participant: payIn.participant,
    currency,
    // What the bank booked, which may differ from what was expected: the fiat that arrived.
    amount: entry.amount,
    source: { kind: 'PAY_IN', account, payInId: payIn.payInId, amount: entry.amount, currency },
  };
}

/** `account:<id>:<CCY>`: the currency is the last segment (an id may hold colons itself). */
export function currencyOfAccount(account: string): string {
  return account.slice(account.lastIndexOf(':') + 1);
}

export class PayInMinter {
  private readonly pageSize: number;
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<CatchUpReport> | null = null;
  private stopped = false;
  readonly stats = { live: 0, caughtUp: 0, refused: 0 };

  constructor(
    private readonly tokens: MintPort,
    private readonly outbox: PayInOutbox,
    private readonly options: PayInMinterOptions,
  ) {
    this.pageSize = options.pageSize ?? 256;
    if (!Number.isSafeInteger(this.pageSize) || this.pageSize < 1) throw new RangeError(`pageSize must be a positive integer, got ${this.pageSize}`);
  }

  /** The accounts' onApplied hook. Sends and forgets: what fails here, the catch-up sends again. */
  observe(account: string, _seq: number, events: readonly AccountEvent[]): void {
    if (this.stopped) return;
    for (const event of events) {
      if (event.type !== 'PayInMatched' || !this.options.isClientFunds(account)) continue;
      this.stats.live++;
      const request = payInMint(account, event);
      this.tokens.send(request).then(
        (outcome) => this.noteRefusal(request.messageId, outcome),
        (err: unknown) => this.options.onError?.(`pay-in mint ${request.messageId}`, err),
      );
    }
  }

  /**
   * One pass over the journal's unminted pay-ins, page by page. Resolves when every page was sent
   * and answered, or at the first page with a retry (the rest waits for the next pass). Passes
   * never overlap: a call during a pass joins it.
   */
  catchUp(): Promise<CatchUpReport> {
    this.running ??= this.pass().finally(() => {
      this.running = null;
    });
    return this.running;
  }

  /** Runs `catchUp` every `intervalMs` until `stop`. */
  every(intervalMs: number): void {
    if (!(intervalMs > 0)) throw new RangeError(`intervalMs must be positive, got ${intervalMs}`);
    if (this.timer !== undefined) clearInterval(this.timer);
    this.timer = setInterval(() => {
      this.catchUp().catch((err: unknown) => this.options.onError?.('pay-in catch-up', err));
    }, intervalMs);
  }

  /** Stops the timer and waits for a pass in flight (call before stopping the token actor). */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer !== undefined) clearInterval(this.timer);
    this.timer = undefined;
    await this.running?.catch(() => undefined);
  }

  private async pass(): Promise<CatchUpReport> {
    const report = { minted: 0, duplicate: 0, rejected: 0, retry: 0 };
    let cursor: PayInCursor | null = null;
    while (!this.stopped) {
      const page: OutboxPage = await this.outbox.unminted(cursor, this.pageSize);
      const requests = page.items.map((p) => payInMint(p.account, p.event));
      const outcomes = await Promise.all(requests.map((r) => this.tokens.send(r)));
      outcomes.forEach((o, i) => {
        if (o.status === 'appended') report.minted++;
        else if (o.status === 'duplicate') report.duplicate++;
        else if (o.status === 'rejected') report.rejected++;
        else report.retry++;
        this.noteRefusal(requests[i]!.messageId, o);
      });
      if (report.retry > 0 || page.next === null) break;
      cursor = page.next;
    }
    this.stats.caughtUp += report.minted;
    return report;
  }

  private noteRefusal(messageId: string, outcome: TokenOutcome): void {
    if (outcome.status === 'appended' || outcome.status === 'duplicate') return;
    if (outcome.status === 'rejected') this.stats.refused++;
    const why = outcome.status === 'rejected' ? `${outcome.rejection.code}: ${outcome.rejection.message}` : `${outcome.status} ${outcome.code}`;
    this.options.onError?.(`pay-in mint ${messageId} not applied yet (${why}); the catch-up sends it again`, null);
  }
}
