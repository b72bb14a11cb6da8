// The group header (GrpHdr), shared by every message that has one. A fragment without any GrpHdr is
// an error reported once, at `GrpHdr`, rather than once per missing child: the corpus has such
// fragments (statements cut out of a larger file), and one finding says what happened.

import type { Finding } from '../findings.ts';
import type { GroupHeader } from '../model.ts';
import { checkOptionalAmount } from './amount.ts';
import { checkDate, checkDateTime } from './dates.ts';
import { checkAgent, checkParty } from './identifiers.ts';
import { GROUP_HEADER, missing, requiredMissing } from './required.ts';
import { NONE, type Scope } from './scope.ts';
import { checkLength, MAX35 } from './text.ts';

/** camt.056 and camt.029 are identified by their case assignment, not by a group header. */
export function hasGroupHeader(scope: Scope): boolean {
  return scope.type !== 'camt.056' && scope.type !== 'camt.029';
}

export function checkHeader(scope: Scope, h: GroupHeader | undefined): readonly Finding[] {
  if (!hasGroupHeader(scope)) return NONE;
  if (h === undefined || Object.keys(h).length === 0) return [requiredMissing(scope, 'GrpHdr')];
  return [
    ...missing(scope, GROUP_HEADER, h, 'GrpHdr'),
    ...checkLength(h.messageId, MAX35, 'GrpHdr/MsgId'),
    ...checkDateTime(h.creationDateTime, 'GrpHdr/CreDtTm'),
    ...checkDate(h.interbankSettlementDate, 'GrpHdr/IntrBkSttlmDt'),
    ...checkOptionalAmount(h.totalInterbankSettlementAmount, 'GrpHdr/TtlIntrBkSttlmAmt'),
    ...checkAgent(scope, h.instructingAgent, 'GrpHdr/InstgAgt'),
    ...checkAgent(scope, h.instructedAgent, 'GrpHdr/InstdAgt'),
    ...checkParty(scope, h.initiatingParty, 'GrpHdr/InitgPty'),
  ];
}
