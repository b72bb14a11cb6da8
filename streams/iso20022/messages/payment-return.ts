// Placeholder mapper: filled in by the status/return/investigation work.

import type { ReturnMessage } from '../model.ts';
import { groupHeader } from './group-header.ts';
import type { MessageMapper } from './mapper.ts';

export const paymentReturn: MessageMapper = {
  recordPath: (_container, _ci, ri) => `TxInf[${ri}]`,
  record: (_ctx, _node, _path, index) => ({ index }),
  message(ctx, root): ReturnMessage {
    return { type: ctx.type, header: groupHeader(ctx, root) } as unknown as ReturnMessage;
  },
};
