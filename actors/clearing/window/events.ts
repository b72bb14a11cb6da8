// What happened to a clearing window, as journaled. WindowNetted carries the whole result of the
// window in columnar form (every participant of the window once, then per currency its members as
// indexes into that list and minor units, each column one joined string, columns.ts), and its
// instructions are what the settler is given again, unchanged, after any restart. `net` is not
// written: it is grossIn − grossOut, exactly. The result's size is on the window close's critical
// path (cut-off → instructions durable, floor 200 ms): at 1,000 participants in 20 currencies this
// form is ~0.8 MB where one BIC list and a net column per currency made ~1.3 MB (bench/netting).
// Results written in that earlier form (participants per currency, net kept) still decode.

import { array, boolean, CodecError, integer, literal, nullable, object, tagged, text, type Codec } from '../../codec.ts';
import { joinedIndexes, joinedUnits, joinedWords } from '../columns.ts';
import { unitsCodec } from '../../corridor/events.ts';
import type { InstructionStatus } from '../ports.ts';
import type { CurrencyNetting, ExcludedObligation, NettingResult } from './model.ts';

interface At {
  readonly messageId: string;
  /** ISO 8601 UTC, from the command (decide stays pure). */
  readonly at: string;
}

export interface WindowOpened extends At { readonly type: 'WindowOpened' }
export interface WindowClosing extends At { readonly type: 'WindowClosing' }
export interface NettingStarted extends At { readonly type: 'NettingStarted' }
export interface WindowNetted extends At { readonly type: 'WindowNetted'; readonly result: NettingResult }

export interface InstructionChange {
  readonly instructionId: string;
  readonly status: InstructionStatus;
  readonly bankReference: string | null;
  readonly reason: string | null;
}

/** The changes that moved a status (stale and repeated updates are dropped by decide). */
export interface InstructionsUpdated extends At { readonly type: 'InstructionsUpdated'; readonly changes: readonly InstructionChange[] }

/** Journaled in a later window: these RETRY_NEXT_WINDOW instructions and/or the excluded obligations. */
export interface RolledOver extends At {
  readonly type: 'RolledOver';
  readonly into: string;
  readonly instructions: readonly string[];
  readonly excluded: boolean;
}

export interface WindowCompleted extends At { readonly type: 'WindowCompleted' }
export interface WindowFailed extends At { readonly type: 'WindowFailed'; readonly reason: string }

export type WindowEvent =
  | WindowOpened | WindowClosing | NettingStarted | WindowNetted | InstructionsUpdated | RolledOver | WindowCompleted | WindowFailed;

/** The first form: each currency lists its participants and its net column. */
const currencyCodecV1: Codec<CurrencyNetting> = object<CurrencyNetting>({
  currency: text, participants: joinedWords, net: joinedUnits, grossIn: joinedUnits, grossOut: joinedUnits,
  from: joinedIndexes, to: joinedIndexes, units: joinedUnits,
  gross: unitsCodec, bilateral: unitsCodec, multilateral: unitsCodec, obligations: integer, exact: boolean,
});

/** A currency in the compact form: members index the result's participant list; no net. */
interface CompactCurrency {
  readonly currency: string;
  readonly members: readonly number[];
  readonly grossIn: readonly bigint[];
  readonly grossOut: readonly bigint[];
  readonly from: readonly number[];
  readonly to: readonly number[];
  readonly units: readonly bigint[];
  readonly gross: bigint;
  readonly bilateral: bigint;
  readonly multilateral: bigint;
  readonly obligations: number;
  readonly exact: boolean;
}

const compactCurrencyCodec: Codec<CompactCurrency> = object<CompactCurrency>({
  currency: text, members: joinedIndexes, grossIn: joinedUnits, grossOut: joinedUnits,
  from: joinedIndexes, to: joinedIndexes, units: joinedUnits,
  gross: unitsCodec, bilateral: unitsCodec, multilateral: unitsCodec, obligations: integer, exact: boolean,
});

const excludedCodec: Codec<ExcludedObligation> = object<ExcludedObligation>({
  id: text, payer: text, payee: text, currency: text, units: unitsCodec, priority: integer,
  reason: literal('LIMIT_EXCEEDED'), participant: text, shortfall: unitsCodec,
});

const resultCodecV1: Codec<NettingResult> = object<NettingResult>({ currencies: array(currencyCodecV1), excluded: array(excludedCodec) });

interface CompactResult {
  readonly participants: readonly string[];
  readonly currencies: readonly CompactCurrency[];
  readonly excluded: readonly ExcludedObligation[];
}

const compactResultCodec: Codec<CompactResult> = object<CompactResult>({
  participants: joinedWords, currencies: array(compactCurrencyCodec), excluded: array(excludedCodec),
});

/** Written compact; read in either form (the compact one has a result-level `participants`). */
export const resultCodec: Codec<NettingResult> = {
  encode: (r) => compactResultCodec.encode(compact(r)),
  decode: (j, p = '') => {
    if (typeof j !== 'object' || j === null || Array.isArray(j) || !('participants' in j)) return resultCodecV1.decode(j, p);
    return expand(compactResultCodec.decode(j, p), p);
  },
};

function compact(r: NettingResult): CompactResult {
  const all = new Set<string>();
  for (const c of r.currencies) for (const bic of c.participants) all.add(bic);
  const participants = [...all].sort();
  const at = new Map<string, number>();
  participants.forEach((bic, i) => at.set(bic, i));
  const currencies = r.currencies.map((c): CompactCurrency => {
    const members = new Array<number>(c.participants.length);
    for (let k = 0; k < members.length; k++) members[k] = at.get(c.participants[k]!)!;
    const { currency, grossIn, grossOut, from, to, units, gross, bilateral, multilateral, obligations, exact } = c;
    return { currency, members, grossIn, grossOut, from, to, units, gross, bilateral, multilateral, obligations, exact };
  });
  return { participants, currencies, excluded: r.excluded };
}

function expand(r: CompactResult, p: string): NettingResult {
  const currencies = r.currencies.map((c, ci): CurrencyNetting => {
    const n = c.members.length;
    const where = `${p}.currencies[${ci}]`;
    if (c.grossIn.length !== n || c.grossOut.length !== n) throw new CodecError(where, `${n} members but ${c.grossIn.length} grossIn and ${c.grossOut.length} grossOut`);
    const participants = new Array<string>(n);
    const net = new Array<bigint>(n);
    for (let k = 0; k < n; k++) {
      const bic = r.participants[c.members[k]!];
      if (bic === undefined) throw new CodecError(`${where}.members`, `index ${c.members[k]} beyond ${r.participants.length} participants`);
      participants[k] = bic;
      net[k] = c.grossIn[k]! - c.grossOut[k]!;
    }
    for (const i of [...c.from, ...c.to]) if (i >= n) throw new CodecError(where, `instruction party ${i} beyond ${n} members`);
    const { currency, grossIn, grossOut, from, to, units, gross, bilateral, multilateral, obligations, exact } = c;
    return { currency, participants, net, grossIn, grossOut, from, to, units, gross, bilateral, multilateral, obligations, exact };
  });
  return { currencies, excluded: r.excluded };
}

const changeCodec: Codec<InstructionChange> = object<InstructionChange>({
  instructionId: text,
  status: literal<InstructionStatus>('PENDING', 'SENT', 'CONFIRMED', 'FAILED', 'RETRY_NEXT_WINDOW'),
  bankReference: nullable(text),
  reason: nullable(text),
});

export const windowEventCodec: Codec<WindowEvent> = tagged<WindowEvent>({
  WindowOpened: object<WindowOpened>({ type: literal('WindowOpened'), messageId: text, at: text }),
  WindowClosing: object<WindowClosing>({ type: literal('WindowClosing'), messageId: text, at: text }),
  NettingStarted: object<NettingStarted>({ type: literal('NettingStarted'), messageId: text, at: text }),
  WindowNetted: object<WindowNetted>({ type: literal('WindowNetted'), messageId: text, at: text, result: resultCodec }),
  InstructionsUpdated: object<InstructionsUpdated>({ type: literal('InstructionsUpdated'), messageId: text, at: text, changes: array(changeCodec) }),
  RolledOver: object<RolledOver>({ type: literal('RolledOver'), messageId: text, at: text, into: text, instructions: array(text), excluded: boolean }),
  WindowCompleted: object<WindowCompleted>({ type: literal('WindowCompleted'), messageId: text, at: text }),
  WindowFailed: object<WindowFailed>({ type: literal('WindowFailed'), messageId: text, at: text, reason: text }),
});
