// The clearing branch of the ingestion pipeline (pipeline.ts, when `IngestOptions.obligations` is
// given): every pacs.008 / pacs.009 / pain.001 Document of a delivery is mapped (obligations.ts),
// its obligations handed to the intake in ONE accept() call, in document order, and the verdicts
// and the mapping's own rejections reported to the senders (StatusReports: ACCP / RJCT pacs.002).
// The caller acknowledges only after this resolved without a failure: accept() resolving is the
// obligations being durable, and the reports are in the outbox. A failure of either is a nak; the
// redelivery then meets the intake's duplicate check for what was already accepted (and the
// status reports do not answer RJCT to an obligation they already answered ACCP).

import type { ObligationInput, ObligationIntake, ObligationVerdict, StatusReports } from '../../actors/clearing/ports.ts';
import type { ReadResult } from '../iso20022/reader.ts';
import { OBLIGATION_MESSAGE_TYPES, obligationsOf, type ObligationRejection } from './obligations.ts';

export interface ClearedRejection {
  readonly accountId: null;
  /** The obligation id. */
  readonly messageId: string;
  readonly path: string;
  readonly code: string;
  readonly message: string;
}

export interface Cleared {
  readonly accepted: number;
  readonly duplicate: number;
  readonly rejections: ClearedRejection[];
  /** Set when nothing may be acknowledged (the intake or the reports failed). */
  readonly failure: { readonly code: 'OBLIGATION_INTAKE_FAILED' | 'STATUS_REPORT_FAILED'; readonly detail: string } | null;
}

export function isObligationMessage(r: ReadResult): boolean {
  return r.type !== null && OBLIGATION_MESSAGE_TYPES.has(r.type);
}

export async function clearObligations(results: readonly ReadResult[], intake: ObligationIntake, reports: StatusReports | undefined): Promise<Cleared> {
  const inputs: ObligationInput[] = [];
  const refused: ObligationRejection[] = [];
  for (const r of results) {
    const mapped = obligationsOf(r);
    if (mapped === null) continue;
    inputs.push(...mapped.obligations);
    refused.push(...mapped.rejections);
  }
  let verdicts: ObligationVerdict[] = [];
  try {
    if (inputs.length > 0) verdicts = await intake.accept(inputs);
    if (verdicts.length !== inputs.length) throw new Error(`the intake answered ${verdicts.length} verdicts for ${inputs.length} obligations`);
  } catch (err) {
    return { accepted: 0, duplicate: 0, rejections: [], failure: { code: 'OBLIGATION_INTAKE_FAILED', detail: String(err) } };
  }
  const byWindow = new Map<string, ObligationInput[]>();
  let duplicate = 0;
  for (let i = 0; i < inputs.length; i++) {
    const v = verdicts[i]!;
    if (v.status === 'ACCEPTED') {
      let list = byWindow.get(v.windowId);
      if (list === undefined) byWindow.set(v.windowId, (list = []));
      list.push(inputs[i]!);
    } else if (v.code === 'DUPLICATE') {
      duplicate++;
      refused.push({ obligation: inputs[i]!, verdict: v });
    } else {
      refused.push({ obligation: inputs[i]!, verdict: v });
    }
  }
  try {
    if (reports !== undefined) {
      for (const [windowId, list] of byWindow) await reports.accepted(list, windowId);
      if (refused.length > 0) await reports.rejected(refused);
    }
  } catch (err) {
    return { accepted: 0, duplicate: 0, rejections: [], failure: { code: 'STATUS_REPORT_FAILED', detail: String(err) } };
  }
  let accepted = 0;
  for (const list of byWindow.values()) accepted += list.length;
  const rejections = refused
    .filter((x) => x.verdict.code !== 'DUPLICATE')
    .map((x) => ({ accountId: null, messageId: x.obligation.id, path: x.verdict.field, code: x.verdict.code, message: x.verdict.message }));
  return { accepted, duplicate, rejections, failure: null };
}
