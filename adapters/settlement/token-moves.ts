// What a confirmed settlement instruction does to the token ledgers. The rule:
//
//   On CONFIRMED, the payer's tokens in the instruction's currency are TRANSFERRED to the payee,
//   for the instruction amount, under the journal id `settlement:<instruction id>` (a resend or a
//   catch-up after a crash is a duplicate of the first, never a second transfer).
//
// Why a transfer and not burn + mint: tokens are claims on the client funds deltran holds; a net
// settlement moves money between the participants' settlement accounts, not in or out of client
// funds, so tokens outstanding must not change, and a transfer keeps them constant (a mint would
// have to pass the 1:1 backing check against fiat that did not arrive in a client_funds account).
//
// When the payer's tokens do not cover the amount (part of its net debit ran on its debit cap, a
// credit line, not on tokens): the tokens it holds are transferred (possibly none), and the rest is
// recorded as the instruction's shortfall (token_state SHORT, token_amount = what moved, a note
// with the uncovered amount) and alerted. Nothing is minted for it: the payee was paid in fiat at
// the bank; the uncovered part is a claim between the two participants outside the token ledger,
// for the operator (and the credit line's owner) to settle.
//
// The amount to move is fixed in the row before the transfer is sent (store.planTokens), so a
// retry after a crash sends the same transfer; it is re-planned only after the ledger REFUSED it
// (nothing journaled) because the balance read from the side index was stale.

import BigNumber from 'bignumber.js';
import type { TransferCommand } from '../../actors/tokens/commands.ts';
import type { InstructionRow, SettlementStore } from './store.ts';

/** What the settler needs of the token actor (actors/tokens/actor.ts `Tokens` fits). */
export interface TokenPort {
  send(request: TransferCommand): Promise<{ readonly status: string; readonly rejection?: { readonly code: string; readonly message: string }; readonly code?: string }>;
  balancesOf(participant: string): ReadonlyMap<string, BigNumber>;
}

export type TokenMoveResult =
  | { readonly state: 'MOVED' | 'SHORT'; readonly moved: BigNumber; readonly short: BigNumber }
  | { readonly state: 'REFUSED'; readonly code: string; readonly message: string }
  /** Not known to be applied (retry, mailbox full): left PENDING for the catch-up. */
  | { readonly state: 'PENDING'; readonly code: string };

export function settlementTransferId(instructionId: string): string {
  return `settlement:${instructionId}`;
}

const ATTEMPTS_MAX = 3;

export async function moveTokens(row: InstructionRow, tokens: TokenPort, store: SettlementStore): Promise<TokenMoveResult> {
  let replan = false;
  for (let attempt = 0; attempt < ATTEMPTS_MAX; attempt++) {
    const held = tokens.balancesOf(row.payer).get(row.currency) ?? new BigNumber(0);
    const wanted = BigNumber.min(BigNumber.max(held, 0), row.amount);
    const planned = await store.planTokens(row.instructionId, wanted, replan);
    if (planned === null) return { state: 'PENDING', code: 'NOT_DUE' };
    const short = row.amount.minus(planned);
    if (planned.isZero()) {
      await store.finishTokens(row.instructionId, 'SHORT', shortNote(row, planned, short));
      return { state: 'SHORT', moved: planned, short };
    }
    const outcome = await tokens.send({
      type: 'Transfer',
      messageId: settlementTransferId(row.instructionId),
      from: row.payer,
      to: row.payee,
      currency: row.currency,
      amount: planned,
    });
    if (outcome.status === 'appended' || outcome.status === 'duplicate') {
      const state = short.isZero() ? 'MOVED' : 'SHORT';
      await store.finishTokens(row.instructionId, state, state === 'MOVED' ? null : shortNote(row, planned, short));
      return { state, moved: planned, short };
    }
    if (outcome.status === 'rejected') {
      const code = outcome.rejection?.code ?? 'REJECTED';
      // Not journaled: the balance moved since it was read; plan again from the fresh one.
      if (code === 'INSUFFICIENT_TOKENS') {
        replan = true;
        continue;
      }
      const message = outcome.rejection?.message ?? '';
      await store.finishTokens(row.instructionId, 'REFUSED', `${code}: ${message}`);
      return { state: 'REFUSED', code, message };
    }
    return { state: 'PENDING', code: outcome.code ?? outcome.status };
  }
  return { state: 'PENDING', code: 'INSUFFICIENT_TOKENS' };
}

function shortNote(row: InstructionRow, moved: BigNumber, short: BigNumber): string {
  return `${row.payer} held ${moved.toFixed()} ${row.currency} tokens of ${row.amount.toFixed()}; ${short.toFixed()} was paid on its debit cap, no tokens moved for it`;
}
