// The actor inspection endpoint the user asked for by name: the tree of supervisors and their
// children with mailbox depths, and one actor's live state. Everything here is read from the side
// index the actors publish after each message, never by asking an actor (nact's query is not safe
// for anything, see actors/runtime/), so inspecting a busy system costs it nothing.

import type { FastifyInstance } from 'fastify';
import type { Accounts } from '../../actors/account/actor.ts';
import { accountStateCodec } from '../../actors/account/codec.ts';
import { fail, ok } from './envelope.ts';

export function actorRoutes(app: FastifyInstance, accounts: Accounts): void {
  app.get('/api/v1/actors', async () => {
    const tree = accounts.tree();
    return ok({ kinds: [{ kind: tree.kind, actors: tree.actors, shards: tree.shards }] });
  });

  // The actor's id (`account:DE89370400440532013000:EUR`), URL-encoded as one path segment.
  app.get<{ Params: { id: string } }>('/api/v1/actors/:id', async (req, reply) => {
    const published = accounts.state(req.params.id);
    if (published === undefined) {
      return fail(reply, 404, 'ACTOR_NOT_LOADED', `no live actor ${req.params.id} (unknown, evicted, or not loaded since the start)`, 'id');
    }
    return ok({
      id: published.id,
      path: published.path,
      seq: published.seq,
      last_message_at: published.lastMessageAt,
      mailbox_depth: published.mailboxDepth,
      stale: published.stale,
      state: published.state === null ? null : accountStateCodec.encode(published.state),
    });
  });
}
