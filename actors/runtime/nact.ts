// The only file that imports nact. nact 7.6.2 is CommonJS and unmaintained; what we use of it is
// small (a system, named actors, dispatch, stop) and everything else (query, persistence,
// anonymous names, parent routing) is refused by design, so keeping the import here makes the
// dependency easy to audit and to replace. Named ESM imports work for these functions (not for the
// time constants, which we do not use).

export { dispatch, spawn, start, stop } from 'nact';
export type { ActorSystemRef, Ref } from 'nact';
