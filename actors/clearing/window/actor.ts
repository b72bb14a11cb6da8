// The window actors, wired: one journaled actor per clearing window (`window:W20261201T0600Z`),
// the id read back from the actor id. Few and long-lived (four a day by default), so 4 shards.
// Snapshots are rare on purpose: a netted window's state holds its whole result (up to a
// megabyte), and replaying a window's few hundred events is cheap.

import { JournaledActors, type JournaledActorsOptions } from '../../runtime/journaled-actors.ts';
import type { JournaledKind } from '../../runtime/journaled.ts';
import type { Outcome } from '../../runtime/outcome.ts';
import { windowStateCodec } from './codec.ts';
import type { WindowCommand } from './commands.ts';
import { decideWindow } from './decide.ts';
import { windowEventCodec, type WindowEvent } from './events.ts';
import { evolveWindow } from './evolve.ts';
import { initialWindow, parseWindowActorId, WINDOW_APPLIED_IDS_MAX, type WindowState } from './model.ts';

export type WindowOutcome = Outcome<WindowEvent>;

export const windowKind: JournaledKind<WindowState, WindowCommand, WindowEvent> = {
  kind: 'window',
  initial: (actorId) => {
    const id = parseWindowActorId(actorId);
    if (id === null) throw new Error(`${actorId} is not a clearing window actor id`);
    return initialWindow(id);
  },
  decide: decideWindow,
  evolve: evolveWindow,
  applied: (s) => s.applied,
  eventCodec: windowEventCodec,
  stateCodec: windowStateCodec,
};

export { WINDOW_APPLIED_IDS_MAX };

export class Windows extends JournaledActors<WindowState, WindowCommand, WindowEvent> {
  constructor(options: JournaledActorsOptions<WindowState, WindowCommand, WindowEvent>) {
    super(windowKind, { snapshotEvery: 1_000, passivateAfterMs: undefined, ...options }, 4);
  }

  override send(actorId: string, command: WindowCommand): Promise<WindowOutcome> {
    if (parseWindowActorId(actorId) === null) throw new Error(`${actorId} is not a clearing window actor id`);
    return super.send(actorId, command);
  }
}
