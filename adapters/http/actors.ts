// The actor inspection endpoint the user asked for by name: the tree of supervisors and their
// children with mailbox depths, per kind, and one actor's live state. Everything here is read from
// the side index the actors publish after each message, never by asking an actor (nact's query is
// not safe for anything, see actors/runtime/), so inspecting a busy system costs it nothing.

import type { FastifyInstance } from 'fastify';
import { accountStateCodec } from '../../actors/account/codec.ts';
import { corridorStateCodec } from '../../actors/corridor/codec.ts';
import { tokenStateCodec } from '../../actors/tokens/codec.ts';
import type { Codec } from '../../actors/codec.ts';
import type { KindTree } from '../../actors/runtime/journaled-actors.ts';
import type { Published } from '../../actors/runtime/published.ts';
import { fail, ok } from './envelope.ts';

/** What inspection needs of a kind's facade (Accounts, Corridors). */
export interface Inspectable {
  readonly kind: string;
  tree(): KindTree;
  state(id: string): Published<unknown> | undefined;
}

/** How each kind's state is shown: its codec's JSON (exact decimal strings). */
const STATE_CODECS: Readonly<Record<string, Codec<never>>> = {
  account: accountStateCodec as Codec<never>,
  corridor: corridorStateCodec as Codec<never>,
  tokens: tokenStateCodec as Codec<never>,
};

export function actorRoutes(app: FastifyInstance, kinds: readonly Inspectable[]): void {
  app.get('/api/v1/actors', async () => ok({ kinds: kinds.map((k) => k.tree()) }));

  // The actor's id (`account:DE89370400440532013000:EUR`, `corridor:AED-INR`), URL-encoded as one
  // path segment; the kind is the id's prefix.
  app.get<{ Params: { id: string } }>('/api/v1/actors/:id', async (req, reply) => {
    const { id } = req.params;
    const kind = kinds.find((k) => id.startsWith(`${k.kind}:`));
    const published = kind?.state(id);
    if (kind === undefined || published === undefined) {
      return fail(reply, 404, 'ACTOR_NOT_LOADED', `no live actor ${id} (unknown, evicted, or not loaded since the start)`, 'id');
    }
    const codec = STATE_CODECS[kind.kind];
    return ok({
      id: published.id,
      kind: kind.kind,
      path: published.path,
      seq: published.seq,
      last_message_at: published.lastMessageAt,
      mailbox_depth: published.mailboxDepth,
      stale: published.stale,
      state: published.state === null || codec === undefined ? null : codec.encode(published.state as never),
    });
  });
}
