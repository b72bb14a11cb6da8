// JSON codecs for events and states. The journal stores JSON, and JSON has no decimal type: a
// money value as a JSON number would pass through a float and lose cents. So every amount is a
// canonical decimal string, every collection has one deterministic form (maps as entry arrays in
// insertion order), and decoding is strict (unknown or missing keys, wrong kinds, non-canonical
// decimals throw CodecError: a journal that does not decode is corrupt, and the actor must stop,
// not guess). Optional fields are `null`, never absent, so exactOptionalPropertyTypes stays simple.

import BigNumber from 'bignumber.js';
import { decodeDecimal, encodeDecimal } from './money.ts';

export type Json = string | number | boolean | null | readonly Json[] | { readonly [key: string]: Json };

export interface Codec<T> {
  encode(value: T): Json;
  decode(json: unknown, path?: string): T;
}

export class CodecError extends Error {
  readonly code = 'CODEC_INVALID';
  constructor(readonly path: string, detail: string) {
    super(`${path || '$'}: ${detail}`);
    this.name = 'CodecError';
  }
}

function fail(path: string, detail: string): never {
  throw new CodecError(path, detail);
}

export const text: Codec<string> = {
  encode: (v) => v,
  decode: (j, p = '') => (typeof j === 'string' ? j : fail(p, 'expected a string')),
};

/** Counts, sequence and window numbers: safe integers only, never money. */
export const integer: Codec<number> = {
  encode: (v) => {
    if (!Number.isSafeInteger(v)) throw new CodecError('', `${v} is not a safe integer`);
    return v;
  },
  decode: (j, p = '') => (typeof j === 'number' && Number.isSafeInteger(j) ? j : fail(p, 'expected a safe integer')),
};

export const boolean: Codec<boolean> = {
  encode: (v) => v,
  decode: (j, p = '') => (typeof j === 'boolean' ? j : fail(p, 'expected a boolean')),
};

/** Money and rates: a canonical decimal string. */
export const decimal: Codec<BigNumber> = {
  encode: (v) => encodeDecimal(v),
  decode: (j, p = '') => {
    if (typeof j !== 'string') return fail(p, 'expected a decimal string');
    return decodeDecimal(j) ?? fail(p, `"${j}" is not a canonical decimal`);
  },
};

export function literal<L extends string>(...values: readonly L[]): Codec<L> {
  return {
    encode: (v) => v,
    decode: (j, p = '') => (values.includes(j as L) ? (j as L) : fail(p, `expected one of ${values.join(', ')}`)),
  };
}

export function nullable<T>(inner: Codec<T>): Codec<T | null> {
  return {
    encode: (v) => (v === null ? null : inner.encode(v)),
    decode: (j, p = '') => (j === null ? null : inner.decode(j, p)),
  };
}

export function array<T>(inner: Codec<T>): Codec<readonly T[]> {
  return {
    encode: (v) => v.map((x) => inner.encode(x)),
    decode: (j, p = '') => (Array.isArray(j) ? j.map((x: unknown, i) => inner.decode(x, `${p}[${i}]`)) : fail(p, 'expected an array')),
  };
}

/** A string-keyed map as `[[key, value], ...]` in insertion order (JSON objects reorder numeric keys). */
export function map<V>(inner: Codec<V>): Codec<ReadonlyMap<string, V>> {
  return {
    encode: (m) => [...m].map(([k, v]) => [k, inner.encode(v)]),
    decode: (j, p = '') => {
      if (!Array.isArray(j)) return fail(p, 'expected an array of entries');
      const out = new Map<string, V>();
      j.forEach((e: unknown, i) => {
        if (!Array.isArray(e) || e.length !== 2 || typeof e[0] !== 'string') fail(`${p}[${i}]`, 'expected [key, value]');
        if (out.has(e[0])) fail(`${p}[${i}]`, `duplicate key ${e[0]}`);
        out.set(e[0], inner.decode(e[1], `${p}[${i}][1]`));
      });
      return out;
    },
  };
}

export type Shape<T> = { readonly [K in keyof T]-?: Codec<T[K]> };

/** A record with exactly these keys. */
/**
 * A field added after journals were written: absent in old events and snapshots, it decodes as
 * `absent` (always written from now on). Journals are never rewritten, so every new field of an
 * existing event or state is one of these.
 */
export function defaulted<T>(inner: Codec<T>, absent: T): Codec<T> & { readonly absent: T } {
  return { encode: (v) => inner.encode(v), decode: (j, p) => inner.decode(j, p), absent };
}

export function object<T>(shape: Shape<T>): Codec<T> {
  const keys = Object.keys(shape) as (keyof T & string)[];
  return {
    encode: (v) => {
      const out: Record<string, Json> = {};
      for (const k of keys) out[k] = shape[k].encode(v[k]);
      return out;
    },
    decode: (j, p = '') => {
      if (typeof j !== 'object' || j === null || Array.isArray(j)) return fail(p, 'expected an object');
      const record = j as Record<string, unknown>;
      for (const k of Object.keys(record)) if (!(k in shape)) fail(`${p}.${k}`, 'unexpected key');
      const out = {} as Record<string, unknown>;
      for (const k of keys) {
        if (!(k in record)) {
          const codec = shape[k] as Codec<unknown> & { readonly absent?: unknown };
          if ('absent' in codec) {
            out[k] = codec.absent;
            continue;
          }
          fail(`${p}.${k}`, 'missing key');
        }
        out[k] = shape[k].decode(record[k], `${p}.${k}`);
      }
      return out as T;
    },
  };
}

/** A union discriminated by `type`, one codec per variant. */
export function tagged<E extends { readonly type: string }>(variants: { readonly [K in E['type']]: Codec<Extract<E, { type: K }>> }): Codec<E> {
  const lookup = variants as unknown as Record<string, Codec<E>>;
  return {
    encode: (v) => (lookup[v.type] ?? fail('.type', `unknown type ${v.type}`)).encode(v),
    decode: (j, p = '') => {
      const type = typeof j === 'object' && j !== null ? (j as { type?: unknown }).type : undefined;
      const codec = typeof type === 'string' && Object.hasOwn(lookup, type) ? lookup[type] : undefined;
      return codec === undefined ? fail(`${p}.type`, `unknown type ${String(type)}`) : codec.decode(j, p);
    },
  };
}
