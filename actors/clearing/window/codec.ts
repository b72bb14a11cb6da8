// The window state as JSON (snapshots). Statuses are one digit per instruction: "0012225".

import { appliedWindowCodec } from '../../applied.ts';
import { boolean, CodecError, literal, nullable, object, text, type Codec } from '../../codec.ts';
import { resultCodec } from './events.ts';
import type { WindowPhase, WindowState } from './model.ts';

const statusesCodec: Codec<Uint8Array> = {
  encode: (v) => Array.from(v, (c) => String(c)).join(''),
  decode: (j, p = '') => {
    if (typeof j !== 'string' || !/^[0-5]*$/.test(j)) throw new CodecError(p, 'expected status digits');
    return Uint8Array.from(j, (c) => Number(c));
  },
};

export const windowStateCodec: Codec<WindowState> = object<WindowState>({
  id: text,
  applied: appliedWindowCodec,
  phase: literal<WindowPhase>('NEW', 'OPEN', 'CLOSING', 'NETTING', 'SETTLING', 'COMPLETED', 'FAILED'),
  openedAt: nullable(text),
  closedAt: nullable(text),
  nettedAt: nullable(text),
  endedAt: nullable(text),
  result: nullable(resultCodec),
  statuses: statusesCodec,
  excludedCarried: boolean,
  failure: nullable(text),
});
