// Placeholder mapper: filled in by the status/return/investigation work.

import type { InvestigationMessage } from '../model.ts';
import { groupHeader } from './group-header.ts';
import type { MessageMapper } from './mapper.ts';

export const investigation: MessageMapper = {
  recordPath: (_container, _ci, ri) => `TxInf[${ri}]`,
  record: (_ctx, _node, _path, index) => ({ index }),
  message(ctx, root): InvestigationMessage {
    return { type: ctx.type, header: groupHeader(ctx, root) } as unknown as InvestigationMessage;
  },
};
