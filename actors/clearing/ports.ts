// The seams of clearing (issue 5): what comes in (obligations, from the JSON endpoint or from
// pacs.008/pacs.009/pain.001 through the ingest pipeline), what a closed window hands to settlement,
// and what goes back to the senders (pacs.002). The clearing service (adapters/clearing-service.ts)
// implements ObligationIntake and calls a Settler and StatusReports; the settlement adapter
// (adapters/settlement/) implements Settler and StatusReports. Nothing here does I/O.

import type BigNumber from 'bignumber.js';

/** Where an obligation came from: what a pacs.002 about it must quote. */
export interface ObligationOrigin {
  /** GrpHdr/MsgId of the original message. */
  readonly messageId: string;
  /** 'pacs.008.001.08', 'pacs.009.001.08', 'pain.001.001.09', or 'json' for the bulk endpoint. */
  readonly messageType: string;
  /** The participant that sent it, to whom the pacs.002 goes (BIC). */
  readonly sender: string;
  readonly instructionId?: string;
  readonly endToEndId?: string;
  readonly transactionId?: string;
  readonly uetr?: string;
}

export interface ObligationInput {
  /** Identity: the UETR, else EndToEndId + instructing agent, else the JSON `id`. Unique forever. */
  readonly id: string;
  /** BICs, registered participants. */
  readonly payer: string;
  readonly payee: string;
  readonly currency: string;
  /** Interbank settlement amount, exact. */
  readonly amount: BigNumber;
  /** Higher is kept longer under limits (partial-netting.ts); default 0. */
  readonly priority?: number;
  readonly origin?: ObligationOrigin;
}

export const OBLIGATION_REJECTIONS = {
  PARTICIPANT_UNKNOWN: 'RC01',
  CURRENCY_UNKNOWN: 'AM03',
  AMOUNT_INVALID: 'AM12',
  SAME_PARTICIPANT: 'AG01',
  DUPLICATE: 'AM05',
  BREAKER_OPEN: 'AG01',
  PARTICIPANT_SUSPENDED: 'AG01',
  RISK_LIMIT: 'AG01',
  WINDOW_FULL: 'AG01',
  INVALID: 'FF01',
} as const;
/** Each rejection code with the ISO 20022 ExternalStatusReason1Code its pacs.002 RJCT carries. */
export type ObligationRejectCode = keyof typeof OBLIGATION_REJECTIONS;

export type ObligationVerdict =
  | { readonly id: string; readonly status: 'ACCEPTED'; readonly windowId: string }
  | { readonly id: string; readonly status: 'REJECTED'; readonly code: ObligationRejectCode; readonly field: string; readonly message: string };

export interface ObligationIntake {
  /** Durable before it answers: an ACCEPTED verdict is in the journal. Order of verdicts = order of inputs. */
  accept(batch: readonly ObligationInput[]): Promise<ObligationVerdict[]>;
}

/** One settlement instruction of a closed window: a net debtor pays a net creditor. */
export interface InstructionPlan {
  /** Deterministic from the window, so a re-planned window names the same instructions: `W20261201T0600Z-USD-1`. */
  readonly id: string;
  readonly windowId: string;
  /** BICs. */
  readonly from: string;
  readonly to: string;
  readonly currency: string;
  readonly amount: BigNumber;
}

export type InstructionStatus = 'PENDING' | 'SENT' | 'CONFIRMED' | 'FAILED' | 'RETRY_NEXT_WINDOW';
export type FinalInstructionStatus = 'CONFIRMED' | 'FAILED' | 'RETRY_NEXT_WINDOW';

export interface InstructionUpdate {
  readonly windowId: string;
  readonly instructionId: string;
  readonly status: InstructionStatus;
  /** The bank's reference once known; the reason of a failure. */
  readonly bankReference?: string;
  readonly reason?: string;
}

export interface Settler {
  /**
   * Starts (or, after a restart, resumes) paying a window's instructions. Idempotent: the same
   * window and plans again never pay twice. Resolves once the plans are durable on the settler's
   * side, not when they are paid; progress arrives through `onUpdate`.
   */
  settle(windowId: string, instructions: readonly InstructionPlan[]): Promise<void>;
  /** Every status change, durable before it is reported. */
  onUpdate(listener: (update: InstructionUpdate) => void): void;
  /** The latest known status of each instruction of a window (after a restart too). */
  statuses(windowId: string): Promise<ReadonlyMap<string, InstructionUpdate>>;
}

/** pacs.002 back to the participants: ACCP/RJCT on arrival, ACSC/RJCT when their window settles or fails. */
export interface StatusReports {
  accepted(obligations: readonly ObligationInput[], windowId: string): Promise<void>;
  rejected(rejections: readonly { readonly obligation: ObligationInput; readonly verdict: Extract<ObligationVerdict, { status: 'REJECTED' }> }[]): Promise<void>;
  settled(obligations: readonly ObligationInput[], windowId: string): Promise<void>;
  failed(obligations: readonly ObligationInput[], windowId: string, reason: string): Promise<void>;
}
