// Stable actor names and shard placement. nact refuses names outside /^[a-z0-9-$_.+!*'(),]+$/i
// and invents colliding random names for unnamed actors, so every actor gets a name derived from
// its id, and the id's other characters (`:` in `account:DE89...:EUR`, `/`, spaces, non-ASCII)
// are escaped. The same id always lands on the same shard, in every process and after every
// restart, because placement is a hash of the id and never of spawn order.

const PLAIN = /^[a-z0-9\-_.+!*'(),]$/i;
const utf8 = new TextEncoder();

/**
 * An actor name nact accepts, one-to-one with the id: characters nact allows stay as they are,
 * every other character becomes `$` + two hex digits per UTF-8 byte. `$` itself is escaped, so
 * two different ids never share a name.
 */
export function actorName(id: string): string {
  if (id.length === 0) throw new RangeError('an actor id must not be empty');
  // Built as pieces and joined: `out += ch` would make a rope of ~30 V8 cons strings (32 bytes
  // each) per name, kept alive as long as the name is (bench/actors measured ~900 bytes per actor).
  const pieces: string[] = [];
  let plainFrom = 0;
  let i = 0;
  for (const ch of id) {
    if (!PLAIN.test(ch)) {
      if (plainFrom < i) pieces.push(id.slice(plainFrom, i));
      for (const byte of utf8.encode(ch)) pieces.push(`$${byte.toString(16).padStart(2, '0')}`);
      plainFrom = i + ch.length;
    }
    i += ch.length;
  }
  if (plainFrom === 0) return id;
  if (plainFrom < id.length) pieces.push(id.slice(plainFrom));
  return pieces.join('');
}

/** FNV-1a (32 bits) over the id's UTF-16 code units: cheap, stable, spreads similar ids apart. */
export function hashId(id: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < id.length; i++) {
    h ^= id.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

export function shardOf(id: string, shards: number): number {
  return hashId(id) % shards;
}

/** `account-007`: fixed width, so the shards list in order in the inspection tree. */
export function shardName(kind: string, index: number, shards: number): string {
  return `${actorName(kind)}-${String(index).padStart(String(shards - 1).length, '0')}`;
}
