// Columns of a journaled batch or window result as ONE JSON string each, instead of a JSON array
// of thousands of elements: PGlite parses a 10,000-element jsonb array about twice as slowly as one
// long string, PostgreSQL and JSON.stringify/parse gain too, and these rows are on the clearing
// engine's hot path (bench/netting: one row per corridor per batch, a ~1 MB result per window).
// The separator can never occur in a value (the codec refuses one that holds it).

import { CodecError, type Codec } from '../codec.ts';

/** What a faithful round trip needs is checked in one scan: exactly n − 1 separators, no empty value. */
export function joined(separator: string): Codec<readonly string[]> {
  return {
    encode: (v) => {
      const text = v.join(separator);
      let separators = 0;
      for (let at = text.indexOf(separator); at !== -1; at = text.indexOf(separator, at + 1)) separators++;
      const emptyValue = v.length > 0 && (text.length === 0 || text.startsWith(separator) || text.endsWith(separator) || text.includes(separator + separator));
      if ((v.length > 0 && separators !== v.length - 1) || emptyValue) {
        const bad = v.find((x) => x.length === 0 || x.includes(separator));
        throw new CodecError('', `${JSON.stringify(bad ?? text.slice(0, 40))} cannot be journaled in a ${JSON.stringify(separator)}-joined column`);
      }
      return text;
    },
    decode: (j, p = '') => {
      if (typeof j !== 'string') throw new CodecError(p, 'expected a joined string column');
      return j === '' ? [] : j.split(separator);
    },
  };
}

/** Ids: newline-separated (the clearing service refuses an id with a control character). */
export const joinedIds = joined('\n');
/** BICs and other tokens without spaces, space-separated. */
export const joinedWords = joined(' ');

/** Integers (minor units), space-separated: "100 -2500 7". */
export const joinedUnits: Codec<readonly bigint[]> = {
  encode: (v) => v.join(' '),
  decode: (j, p = '') => {
    if (typeof j !== 'string' || !/^(?:-?\d+(?: -?\d+)*)?$/.test(j)) throw new CodecError(p, 'expected integers joined by spaces');
    return j === '' ? [] : j.split(' ').map((x) => BigInt(x));
  },
};

/** Small non-negative integers (indexes), space-separated. */
export const joinedIndexes: Codec<readonly number[]> = {
  encode: (v) => {
    for (const x of v) if (!Number.isSafeInteger(x) || x < 0) throw new CodecError('', `${x} is not an index`);
    return v.join(' ');
  },
  decode: (j, p = '') => {
    if (typeof j !== 'string' || !/^(?:\d+(?: \d+)*)?$/.test(j)) throw new CodecError(p, 'expected indexes joined by spaces');
    return j === '' ? [] : j.split(' ').map(Number);
  },
};
