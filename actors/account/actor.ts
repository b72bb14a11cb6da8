// The account actors, wired: the pure decide/evolve of decide.ts and evolve.ts in the runtime's
// journaled actors (runtime/journaled-actors.ts), one nact actor per account, sharded. The
// ingestion pipeline and the HTTP API send commands and act on the outcome (acknowledge the source
// only on appended/duplicate/rejected), and read live state from the side index, never by asking.

import { accountStateCodec } from './codec.ts';
import type { AccountCommand } from './commands.ts';
import { decideAccount } from './decide.ts';
import { accountEventCodec, type AccountEvent } from './events.ts';
import { evolveAccount } from './evolve.ts';
import { ACCOUNT_LIMITS_DEFAULT, accountActorId, initialAccount, type AccountLimits, type AccountState } from './model.ts';
import { JournaledActors, type JournaledActorsOptions } from '../runtime/journaled-actors.ts';
import type { JournaledKind } from '../runtime/journaled.ts';
import { THRESHOLDS_DEFAULT, type Thresholds } from '../reconciliation/thresholds.ts';
import type { Outcome } from '../runtime/outcome.ts';

export type AccountOutcome = Outcome<AccountEvent>;

export function accountKind(limits: AccountLimits = ACCOUNT_LIMITS_DEFAULT, thresholds: Thresholds = THRESHOLDS_DEFAULT): JournaledKind<AccountState, AccountCommand, AccountEvent> {
  return {
    kind: 'account',
    // The limits (and applied-window size) of a new account; a recovered account keeps those of
    // its snapshot or opening, so changing them does not rewrite history.
    initial: () => initialAccount(limits),
    decide: (state, command) => decideAccount(state, command, thresholds),
    evolve: evolveAccount,
    applied: (s) => s.applied,
    eventCodec: accountEventCodec,
    stateCodec: accountStateCodec,
  };
}

/** The runtime's options; only the shard count has another default here: 128, so 100,000 accounts make about 780 children per shard. */
export interface AccountsOptions extends JournaledActorsOptions<AccountState, AccountCommand, AccountEvent> {
  readonly limits?: AccountLimits | undefined;
  /** Reconciliation levels (actors/reconciliation/thresholds.ts); default the table. */
  readonly thresholds?: Thresholds | undefined;
}

export class Accounts extends JournaledActors<AccountState, AccountCommand, AccountEvent> {
  constructor(options: AccountsOptions) {
    super(accountKind(options.limits, options.thresholds), options, 128);
  }

  /**
   * Applies `command` to account `accountId` (the journal's actor id, `accountActorId(ref)`).
   * Throws at once only for a wiring bug: an OpenAccount whose ref is another account's.
   */
  override send(accountId: string, command: AccountCommand): Promise<AccountOutcome> {
    // A misrouted opening would create account X under the id of account Y: a wiring bug.
    if (command.type === 'OpenAccount' && accountActorId(command.ref) !== accountId) {
      throw new Error(`OpenAccount for ${accountActorId(command.ref)} sent to ${accountId}`);
    }
    return super.send(accountId, command);
  }
}
