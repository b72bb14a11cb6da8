// The business application header (head.001) that SWIFT, FedNow and CBPR+ put in front of the
// Document. Its `Fr`/`To` may name the institution by BICFI or by a clearing member id.

import type { AgentRef, AppHeader } from '../model.ts';
import type { CapturedHeader } from '../framing.ts';
import { at, child, textAt, type XNode } from '../xml/tree.ts';
import { bool, compact } from './parts.ts';

export function appHeader(h: CapturedHeader): AppHeader {
  const n = h.node;
  return compact({
    namespace: h.namespace,
    from: institution(child(n, 'Fr')),
    to: institution(child(n, 'To')),
    businessMessageId: textAt(n, 'BizMsgIdr'),
    messageDefinitionId: textAt(n, 'MsgDefIdr'),
    businessService: textAt(n, 'BizSvc'),
    creationDate: textAt(n, 'CreDt'),
    possibleDuplicate: bool(textAt(n, 'PssblDplct')),
  });
}

function institution(n: XNode | undefined): AgentRef | undefined {
  const fin = at(n, 'FIId/FinInstnId');
  if (fin === undefined) return undefined;
  return compact({
    bic: textAt(fin, 'BICFI') ?? textAt(fin, 'BIC'),
    clearingSystem: textAt(fin, 'ClrSysMmbId/ClrSysId/Cd'),
    memberId: textAt(fin, 'ClrSysMmbId/MmbId'),
    lei: textAt(fin, 'LEI'),
    name: textAt(fin, 'Nm'),
    other: textAt(fin, 'Othr/Id'),
  });
}
