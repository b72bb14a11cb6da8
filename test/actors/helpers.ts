// Small helpers for the actor tests: decimals from text, and unwrapping decisions so that a test
// fails with the rejection's code and message when it expected events (and the other way round).

import BigNumber from 'bignumber.js';
import type { Decision, Rejection } from '../../actors/decision.ts';

export const d = (text: string): BigNumber => new BigNumber(text);

export function eventsOf<E>(decision: Decision<E>): readonly E[] {
  if ('rejection' in decision) throw new Error(`expected events, got ${decision.rejection.code}: ${decision.rejection.message}`);
  return decision.events;
}

export function only<E>(decision: Decision<E>): E {
  const events = eventsOf(decision);
  if (events.length !== 1 || events[0] === undefined) throw new Error(`expected one event, got ${events.length}`);
  return events[0];
}

export function rejectionOf<E>(decision: Decision<E>): Rejection {
  if (!('rejection' in decision)) throw new Error(`expected a rejection, got ${JSON.stringify(decision.events)}`);
  return decision.rejection;
}

/** Applies commands through decide and evolve, failing on any rejection; returns the last state. */
export function run<S, C, E>(decide: (s: S, c: C) => Decision<E>, evolve: (s: S, e: E) => S, state: S, commands: readonly C[]): S {
  let s = state;
  for (const c of commands) for (const e of eventsOf(decide(s, c))) s = evolve(s, e);
  return s;
}
