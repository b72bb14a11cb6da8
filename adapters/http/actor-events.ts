// GET /api/v1/actors/{id}/events: one actor's events as they happen, as Server-Sent Events. An
// event is sent after it is durable and applied (the feed is fed by the journaled loop), in
// sequence order, with the journal sequence number as the SSE id. The stream starts "now": a
// client that needs history reads the journal (a `Last-Event-ID` replay is not offered yet).
//
// A watcher must never slow the actor down: writes go to the socket without waiting, and a client
// that lets more than WRITE_BACKLOG_MAX bytes pile up is sent an `overflow` event and dropped.
// Open streams are ended when the server closes, or fastify's close would wait for them forever.

import type { FastifyInstance } from 'fastify';
import type { ServerResponse } from 'node:http';
import type { Codec } from '../../actors/codec.ts';
import type { EventFeed } from '../../actors/runtime/event-feed.ts';
import { fail } from './envelope.ts';

/** One kind's events (actor ids `<kind>:...`), already encoded with the kind's journal codec. */
export interface EventSource {
  readonly kind: string;
  watch(actor: string, send: (seq: number, type: string, event: unknown) => void): () => void;
}

export function eventSource<E extends { readonly type: string }>(kind: string, feed: EventFeed<E>, codec: Codec<E>): EventSource {
  return { kind, watch: (actor, send) => feed.watch(actor, ({ seq, event }) => send(seq, event.type, codec.encode(event))) };
}

const WRITE_BACKLOG_MAX = 1024 * 1024;
const HEARTBEAT_MS = 15_000;

export function actorEventRoutes(app: FastifyInstance, sources: readonly EventSource[]): void {
  const open = new Set<() => void>();
  app.addHook('preClose', (done) => {
    for (const end of [...open]) end();
    done();
  });

  app.get<{ Params: { id: string } }>('/api/v1/actors/:id/events', (req, reply) => {
    const actor = req.params.id;
    const source = sources.find((s) => actor.startsWith(`${s.kind}:`));
    if (source === undefined) {
      return fail(reply, 404, 'ACTOR_KIND_UNKNOWN', `${actor} is not the id of an account, corridor or token ledger`, 'id');
    }
    const res: ServerResponse = reply.raw;
    // The stream is ours from here on: fastify must not try to send a reply of its own.
    reply.hijack();
    res.writeHead(200, {
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-cache, no-transform',
      connection: 'keep-alive',
      // nginx and friends buffer responses unless told otherwise; an event stream must not wait.
      'x-accel-buffering': 'no',
    });
    let ended = false;
    const end = (last?: string) => {
      if (ended) return;
      ended = true;
      unwatch();
      clearInterval(heartbeat);
      open.delete(end);
      if (last !== undefined && !res.destroyed) res.write(last);
      res.end();
    };
    const send = (chunk: string) => {
      if (ended) return;
      if (res.writableLength > WRITE_BACKLOG_MAX) {
        end(`event: overflow\ndata: ${JSON.stringify({ actor, reason: 'client reads too slowly; reconnect' })}\n\n`);
        return;
      }
      res.write(chunk);
    };
    const unwatch = source.watch(actor, (seq, type, event) => {
      send(`id: ${seq}\nevent: ${type}\ndata: ${JSON.stringify({ actor, seq, event })}\n\n`);
    });
    // A comment line now (so the client sees the stream open) and then and again (so proxies and
    // load balancers do not close an idle connection).
    const heartbeat = setInterval(() => send(': keep-alive\n\n'), HEARTBEAT_MS);
    heartbeat.unref();
    open.add(end);
    res.on('close', () => end());
    send(`: watching ${actor}\n\n`);
  });
}
