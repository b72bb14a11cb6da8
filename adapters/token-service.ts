// The token side of the running service, in one place so that adapters/service.ts only calls it:
//
//   open   (TokenService.open, before the account actors exist) the backing figure from the journal: every
//          client_funds account's bank balance (token-queries.ts). No account event can be
//          appended before it is loaded, so none is missed or counted twice.
//   hook   `onAccountApplied` is the accounts' onApplied: the backing figure moves by the event,
//          then a PayInMatched of a client_funds account sends its mint (pay-in-mints.ts).
//   start  (once the accounts exist) recover every journaled token ledger, so reads find them in
//          the side index, then start the outbox catch-up: every matched pay-in whose mint is not
//          journaled is minted (a crash between the two appends loses nothing), and again every
//          `catchUpEveryMs`.
//   stop   (after the accounts stopped, so no hook sends any more) the catch-up timer, then drain
//          and stop the token actor.

import type { AccountEvent } from '../actors/account/events.ts';
import type { Journal } from '../actors/journal.ts';
import { Tokens } from '../actors/tokens/actor.ts';
import { ClientFundsBacking, type ClientFundsAccount } from '../actors/tokens/backing.ts';
import { PayInMinter, type CatchUpReport } from '../actors/tokens/pay-in-mints.ts';
import type { Database } from './db/database.ts';
import { JournalPayInOutbox, journaledTokenLedgers, loadClientFunds } from './db/token-queries.ts';

export interface TokenServiceOptions {
  readonly db: Database;
  /** The process's shared GroupCommitter. */
  readonly journal: Journal;
  /** Outbox catch-up period after the one at start. Default 30 s. */
  readonly catchUpEveryMs?: number | undefined;
  /** Token actor mailbox bound. Default 10,000. */
  readonly mailboxDepthMax?: number | undefined;
}

export class TokenService {
  readonly tokens: Tokens;
  readonly backing: ClientFundsBacking;
  readonly minter: PayInMinter;
  /** Problems the token side survives; the service points it at its logger. */
  report: (what: string, err: unknown) => void = () => {};

  /** Loads the backing figure; call before the account actors exist. */
  static async open(options: TokenServiceOptions): Promise<TokenService> {
    const started = Date.now();
    const accounts = await loadClientFunds(options.db);
    return new TokenService(options, accounts, Date.now() - started);
  }

  private constructor(
    private readonly options: TokenServiceOptions,
    accounts: readonly ClientFundsAccount[],
    /** Milliseconds the start-up scan of client_funds accounts took (for the log). */
    readonly backingLoadMs: number,
  ) {
    this.backing = new ClientFundsBacking(accounts, (actor, expected, got) =>
      this.report(`backing: ${actor} jumped from seq ${expected - 1} to ${got} (another writer?)`, null));
    const onError = (actorId: string, what: string, err: unknown) => this.report(`${actorId}: ${what}`, err);
    this.tokens = new Tokens({ journal: options.journal, backing: this.backing, mailboxDepthMax: options.mailboxDepthMax, onError });
    this.minter = new PayInMinter(this.tokens, new JournalPayInOutbox(options.db), {
      isClientFunds: (account) => this.backing.isClientFunds(account),
      onError: (what, err) => this.report(what, err),
    });
  }

  /** Pass as the accounts' `onApplied`. Never throws. */
  readonly onAccountApplied = (actorId: string, seq: number, events: readonly AccountEvent[]): void => {
    // Inside the account's turn, after its event is durable: a throw here would be taken for a
    // failed append and reset the account, so nothing may escape.
    try {
      this.backing.observe(actorId, seq, events);
      this.minter.observe(actorId, seq, events);
    } catch (err) {
      this.report(`token hook for ${actorId} at seq ${seq}`, err);
    }
  };

  /** The first outbox pass, started by `start` (tests and the start-up log wait for it). */
  firstCatchUp: Promise<CatchUpReport> | null = null;

  /**
   * Recovers the journaled ledgers (so reads find them), then starts the outbox catch-up in the
   * background, and again every catchUpEveryMs. Not awaited: a pass reads every matched pay-in
   * of history (bench/token-backing.bench.ts), and mints are idempotent, so the service need not
   * wait for it to take traffic; the backing figure it decides against is already complete.
   */
  async start(): Promise<void> {
    const ledgers = await journaledTokenLedgers(this.options.db);
    if (ledgers.length > 0) {
      const loaded = await this.tokens.load(ledgers);
      if (loaded.status !== 'appended') this.report(`token ledgers ${ledgers.join(', ')} not loaded: ${JSON.stringify(loaded)}`, null);
    }
    this.firstCatchUp = this.minter.catchUp();
    this.firstCatchUp.catch((err: unknown) => this.report('pay-in catch-up at start', err));
    this.minter.every(this.options.catchUpEveryMs ?? 30_000);
  }

  /** After the accounts stopped: the catch-up timer, then drain and stop the token actor. */
  async stop(): Promise<void> {
    await this.minter.stop();
    await this.tokens.stop();
  }
}
