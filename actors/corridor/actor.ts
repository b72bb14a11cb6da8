// The corridor actors, wired: one journaled actor per corridor (`corridor:AED-INR`), whose key is
// read back from its id, so an actor recovered from the journal alone knows what it is. The
// clearing supervisor (issue 5) sends AcceptObligation as obligations arrive and CloseWindow at
// cut-off; corridors are few (currency pairs × country pairs), so 8 shards are plenty.

import { corridorStateCodec } from './codec.ts';
import type { CorridorCommand } from './commands.ts';
import { decideCorridor } from './decide.ts';
import { corridorEventCodec, type CorridorEvent } from './events.ts';
import { evolveCorridor } from './evolve.ts';
import { CORRIDOR_LIMITS_DEFAULT, initialCorridor, parseCorridorActorId, type CorridorLimits, type CorridorState } from './model.ts';
import { JournaledActors, type JournaledActorsOptions } from '../runtime/journaled-actors.ts';
import type { JournaledKind } from '../runtime/journaled.ts';
import type { Outcome } from '../runtime/outcome.ts';

export type CorridorOutcome = Outcome<CorridorEvent>;

export function corridorKind(limits: CorridorLimits = CORRIDOR_LIMITS_DEFAULT): JournaledKind<CorridorState, CorridorCommand, CorridorEvent> {
  return {
    kind: 'corridor',
    initial: (actorId) => {
      const key = parseCorridorActorId(actorId);
      // Only the wiring names actors; an unparsable id is a bug there, not input to reject.
      if (key === null) throw new Error(`${actorId} is not a corridor actor id`);
      return initialCorridor(key, limits);
    },
    decide: decideCorridor,
    evolve: evolveCorridor,
    applied: (s) => s.applied,
    eventCodec: corridorEventCodec,
    stateCodec: corridorStateCodec,
  };
}

export interface CorridorsOptions extends JournaledActorsOptions<CorridorState, CorridorCommand, CorridorEvent> {
  readonly limits?: CorridorLimits | undefined;
}

export class Corridors extends JournaledActors<CorridorState, CorridorCommand, CorridorEvent> {
  constructor(options: CorridorsOptions) {
    super(corridorKind(options.limits), options, 8);
  }

  /** Throws at once for an id that is not a corridor's (a wiring bug). */
  override send(corridorId: string, command: CorridorCommand): Promise<CorridorOutcome> {
    if (parseCorridorActorId(corridorId) === null) throw new Error(`${corridorId} is not a corridor actor id`);
    return super.send(corridorId, command);
  }
}
