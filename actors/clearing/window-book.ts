// The running book of one clearing window, in memory: every accepted obligation in columns
// (participant indexes, minor units in a BigInt64Array, ids) and, per currency, what netting needs
// kept up to date as obligations arrive: each participant's gross in, gross out and net, the gross,
// and the bilateral net (one signed figure per unordered pair, and Σ|pair| moved by the change of
// that one pair). Closing a window is then netting over ~k positions per currency instead of a pass
// over a million obligations; the columns are read only when someone is over its limit (partial
// netting), for the excluded list and for the pacs.002s. Amounts never touch a JS number.
//
// The book is not the truth: the corridor journals are (ObligationsBatched). After a restart the
// clearing service refills the book from them, and netting gives the same result.

import BigNumber from 'bignumber.js';
import type { ObligationOrigin } from './ports.ts';
import { settlementInstructions } from './instructions.ts';
import { withinLimitsUnits, type UnitObligation } from './limits-units.ts';
import type { CurrencyNetting, ExcludedObligation, NettingResult } from './window/model.ts';

/** Participant BIC ↔ dense index, shared by every book of the process. */
export class Participants {
  private readonly byBic = new Map<string, number>();
  private readonly bics: string[] = [];

  indexOf(bic: string): number {
    let i = this.byBic.get(bic);
    if (i === undefined) {
      i = this.bics.length;
      this.bics.push(bic);
      this.byBic.set(bic, i);
    }
    return i;
  }

  bicOf(index: number): string {
    return this.bics[index]!;
  }

  get size(): number {
    return this.bics.length;
  }
}

/**
 * An unordered pair of participant indexes as one Map key: a small integer (a V8 Smi, hashed
 * without allocation) while both are below 2^15, a string beyond.
 */
const PAIR = 32_768;

/** 2^63: every figure of a currency book is at most its gross, so a gross below it fits an int64. */
const INT64_LIMIT = 2n ** 63n;

/**
 * One currency's running figures. Amounts are minor units in BigInt64Arrays, added through
 * BigInt.asIntN(64, …), which V8 compiles to machine adds without allocating a BigInt per
 * operation (bench/netting: the per-obligation cost halved). That is exact only while nothing can
 * exceed 2^63, and nothing can while the gross does not (every gross in/out, pair and the bilateral
 * sum is bounded by it): the gross is kept as an unbounded bigint, checked before each add, and a
 * book about to pass 2^63 moves to plain bigint arrays for good (`wide`), never wrapping.
 */
class CurrencyBook {
  private grossInN = new BigInt64Array(64);
  private grossOutN = new BigInt64Array(64);
  private grossInW: bigint[] | null = null;
  private grossOutW: bigint[] | null = null;
  /** Participant slots in use (indexes below it). */
  size = 0;
  gross = 0n;
  count = 0;
  private bilateralN = 0n;
  /** Pair key → slot in pairN/pairW: one Map lookup per obligation, the figure in a typed array. */
  private readonly pairSlot = new Map<number | string, number>();
  private pairN = new BigInt64Array(1_024);
  private pairW: bigint[] | null = null;
  private bilateralW = 0n;

  constructor(readonly currency: string) {}

  get wide(): boolean {
    return this.grossInW !== null;
  }

  get bilateral(): bigint {
    return this.wide ? this.bilateralW : this.bilateralN;
  }

  grossIn(p: number): bigint {
    return p >= this.size ? 0n : this.grossInW !== null ? this.grossInW[p]! : this.grossInN[p]!;
  }

  grossOut(p: number): bigint {
    return p >= this.size ? 0n : this.grossOutW !== null ? this.grossOutW[p]! : this.grossOutN[p]!;
  }

  net(p: number): bigint {
    return this.grossIn(p) - this.grossOut(p);
  }

  add(payer: number, payee: number, units: bigint): void {
    const size = (payer > payee ? payer : payee) + 1;
    if (size > this.size) this.reserve(size);
    const gross = this.gross + units;
    if (gross >= INT64_LIMIT && !this.wide) this.widen();
    this.gross = gross;
    this.count++;
    const low = payer < payee ? payer : payee;
    const high = payer < payee ? payee : payer;
    const key = high < PAIR ? low * PAIR + high : `${low}:${high}`;
    let slot = this.pairSlot.get(key);
    if (slot === undefined) {
      slot = this.pairSlot.size;
      this.pairSlot.set(key, slot);
      if (this.pairW !== null) this.pairW.push(0n);
      else if (slot === this.pairN.length) {
        const grown = new BigInt64Array(slot * 2);
        grown.set(this.pairN);
        this.pairN = grown;
      }
    }
    if (this.grossInW === null) {
      const gin = this.grossInN;
      const gout = this.grossOutN;
      gout[payer] = BigInt.asIntN(64, gout[payer]! + units);
      gin[payee] = BigInt.asIntN(64, gin[payee]! + units);
      // + in the direction of the smaller index to the larger, as netting.ts's metricsOf.
      const before = this.pairN[slot]!;
      const after = payer < payee ? BigInt.asIntN(64, before + units) : BigInt.asIntN(64, before - units);
      this.pairN[slot] = after;
      this.bilateralN = BigInt.asIntN(64, this.bilateralN + (after < 0n ? -after : after) - (before < 0n ? -before : before));
      return;
    }
    this.grossOutW![payer]! += units;
    this.grossInW[payee]! += units;
    const before = this.pairW![slot]!;
    const after = payer < payee ? before + units : before - units;
    this.pairW![slot] = after;
    this.bilateralW += (after < 0n ? -after : after) - (before < 0n ? -before : before);
  }

  private reserve(size: number): void {
    if (this.grossInW !== null) {
      while (this.grossInW.length < size) {
        this.grossInW.push(0n);
        this.grossOutW!.push(0n);
      }
    } else if (size > this.grossInN.length) {
      let n = this.grossInN.length;
      while (n < size) n *= 2;
      const gin = new BigInt64Array(n);
      const gout = new BigInt64Array(n);
      gin.set(this.grossInN);
      gout.set(this.grossOutN);
      this.grossInN = gin;
      this.grossOutN = gout;
    }
    this.size = size;
  }

  private widen(): void {
    this.grossInW = Array.from(this.grossInN);
    this.grossOutW = Array.from(this.grossOutN);
    this.pairW = Array.from(this.pairN.subarray(0, this.pairSlot.size));
    this.bilateralW = this.bilateralN;
    while (this.grossInW.length < this.size) {
      this.grossInW.push(0n);
      this.grossOutW.push(0n);
    }
  }
}

export interface BookedObligation extends UnitObligation {
  readonly currency: string;
  readonly origin: ObligationOrigin | null;
}

export interface BookInput {
  readonly id: string;
  readonly payer: string;
  readonly payee: string;
  readonly currency: string;
  readonly units: bigint;
  readonly priority: number;
  readonly origin: ObligationOrigin | null;
  /** Arrival order within the window. */
  readonly submitted: number;
}

/** What a participant can pay in a currency (tokens + debit cap), minor units. */
export type CapacityOf = (participant: string, currency: string) => bigint;

export class WindowBook {
  private size = 0;
  private ids: string[] = [];
  private payer = new Int32Array(1_024);
  private payee = new Int32Array(1_024);
  private units = new BigInt64Array(1_024);
  private submitted = new Float64Array(1_024);
  private ccy = new Uint16Array(1_024);
  private priority: Int32Array | null = null;
  private readonly origins = new Map<number, ObligationOrigin>();
  private readonly currencies: CurrencyBook[] = [];
  private readonly currencyIndex = new Map<string, number>();
  /** Next arrival number to hand out (≥ every `submitted` seen, also after a refill). */
  nextSubmitted = 0;

  constructor(readonly id: string, private readonly participants: Participants) {}

  get count(): number {
    return this.size;
  }

  /** The ids of the window's obligations (the duplicate index drops them once projected). */
  obligationIds(): readonly string[] {
    return this.ids;
  }

  add(o: BookInput): void {
    if (o.units <= 0n || o.units >= INT64_LIMIT) throw new RangeError(`obligation ${o.id}: ${o.units} minor units`);
    const i = this.size;
    if (i === this.payer.length) this.grow();
    const payer = this.participants.indexOf(o.payer);
    const payee = this.participants.indexOf(o.payee);
    let c = this.currencyIndex.get(o.currency);
    if (c === undefined) {
      c = this.currencies.length;
      this.currencies.push(new CurrencyBook(o.currency));
      this.currencyIndex.set(o.currency, c);
    }
    this.ids.push(o.id);
    this.payer[i] = payer;
    this.payee[i] = payee;
    this.units[i] = o.units;
    this.submitted[i] = o.submitted;
    this.ccy[i] = c;
    if (o.priority !== 0) (this.priority ??= new Int32Array(this.payer.length))[i] = o.priority;
    if (o.origin !== null) this.origins.set(i, o.origin);
    this.size = i + 1;
    if (o.submitted >= this.nextSubmitted) this.nextSubmitted = o.submitted + 1;
    this.currencies[c]!.add(payer, payee, o.units);
  }

  /** A journaled batch (ObligationsBatched's columns): the same as `add` for each, without an object each. */
  addColumns(currency: string, first: number, ids: readonly string[], payers: readonly string[], payees: readonly string[], units: readonly bigint[],
    priorities: readonly number[] | null, origins: readonly (ObligationOrigin | null)[] | null): void {
    let c = this.currencyIndex.get(currency);
    if (c === undefined) {
      c = this.currencies.length;
      this.currencies.push(new CurrencyBook(currency));
      this.currencyIndex.set(currency, c);
    }
    const book = this.currencies[c]!;
    const n = ids.length;
    for (let k = 0; k < n; k++) {
      const u = units[k]!;
      if (u <= 0n || u >= INT64_LIMIT) throw new RangeError(`obligation ${ids[k]}: ${u} minor units`);
      const i = this.size;
      if (i === this.payer.length) this.grow();
      const payer = this.participants.indexOf(payers[k]!);
      const payee = this.participants.indexOf(payees[k]!);
      this.ids.push(ids[k]!);
      this.payer[i] = payer;
      this.payee[i] = payee;
      this.units[i] = u;
      this.submitted[i] = first + k;
      this.ccy[i] = c;
      const priority = priorities?.[k] ?? 0;
      if (priority !== 0) (this.priority ??= new Int32Array(this.payer.length))[i] = priority;
      const origin = origins?.[k] ?? null;
      if (origin !== null) this.origins.set(i, origin);
      this.size = i + 1;
      book.add(payer, payee, u);
    }
    if (first + n > this.nextSubmitted) this.nextSubmitted = first + n;
  }

  private grow(): void {
    const n = this.payer.length * 2;
    const copy = <T extends Int32Array | BigInt64Array | Float64Array | Uint16Array>(a: T, make: (n: number) => T): T => {
      const b = make(n);
      b.set(a as never);
      return b;
    };
    this.payer = copy(this.payer, (k) => new Int32Array(k));
    this.payee = copy(this.payee, (k) => new Int32Array(k));
    this.units = copy(this.units, (k) => new BigInt64Array(k));
    this.submitted = copy(this.submitted, (k) => new Float64Array(k));
    this.ccy = copy(this.ccy, (k) => new Uint16Array(k));
    if (this.priority !== null) this.priority = copy(this.priority, (k) => new Int32Array(k));
  }

  /** One obligation, materialised (partial netting, excluded lists, pacs.002). */
  obligation(i: number): BookedObligation {
    return {
      id: this.ids[i]!,
      payer: this.participants.bicOf(this.payer[i]!),
      payee: this.participants.bicOf(this.payee[i]!),
      currency: this.currencies[this.ccy[i]!]!.currency,
      units: this.units[i]!,
      priority: this.priority?.[i] ?? 0,
      submitted: this.submitted[i]!,
      origin: this.origins.get(i) ?? null,
    };
  }

  /** The origins of those of `ids` that came with one (excluded obligations keep theirs when carried). */
  originsOf(ids: ReadonlySet<string>): Map<string, ObligationOrigin> {
    const out = new Map<string, ObligationOrigin>();
    for (const [i, origin] of this.origins) if (ids.has(this.ids[i]!)) out.set(this.ids[i]!, origin);
    return out;
  }

  /** Every obligation, materialised, in arrival order of this process (for reports). */
  *all(): IterableIterator<BookedObligation> {
    for (let i = 0; i < this.size; i++) yield this.obligation(i);
  }

  /** Live positions of the open window (the API), per currency: BIC → net minor units, non-zero only. */
  positions(): { currency: string; participant: string; net: bigint }[] {
    const out: { currency: string; participant: string; net: bigint }[] = [];
    for (const c of this.currencies) {
      for (let p = 0; p < c.size; p++) {
        const v = c.net(p);
        if (v !== 0n) out.push({ currency: c.currency, participant: this.participants.bicOf(p), net: v });
      }
    }
    return out;
  }

  /**
   * Nets the window: per currency, positions within limits (the capacity of each net debtor), the
   * fewest instructions, the figures. Pure over the book: the same book and capacities give the
   * same result, which is what makes a restart in NETTING safe.
   */
  net(capacity: CapacityOf): NettingResult {
    const currencies: CurrencyNetting[] = [];
    const excluded: ExcludedObligation[] = [];
    // Participant indexes in BIC order, once for every currency (the result lists them sorted).
    const byBic = Array.from({ length: this.participants.size }, (_, p) => p).sort((a, b) => (this.participants.bicOf(a) < this.participants.bicOf(b) ? -1 : 1));
    const order = [...this.currencies].sort((a, b) => (a.currency < b.currency ? -1 : 1));
    for (const c of order) {
      const members: number[] = [];
      let short = false;
      for (const p of byBic) {
        if (p >= c.size) continue;
        const gin = c.grossIn(p);
        const gout = c.grossOut(p);
        if (gin === 0n && gout === 0n) continue;
        members.push(p);
        // Capacity is read for net debtors only (what each can pay is asked once per window).
        if (gin < gout && gout - gin > capacity(this.participants.bicOf(p), c.currency)) short = true;
      }
      if (!short) {
        currencies.push(this.currencyResult(c.currency, members.map((p) => this.participants.bicOf(p)), c, (k) => members[k]!));
        continue;
      }
      // Someone is over its limit: the columns of this currency, through the limits rule.
      const memo = new Map<string, bigint>();
      const capacityHere = (p: string) => {
        let v = memo.get(p);
        if (v === undefined) memo.set(p, (v = capacity(p, c.currency)));
        return v;
      };
      const positions = new Map<string, bigint>(members.map((p) => [this.participants.bicOf(p), c.net(p)]));
      const ci = this.currencyIndex.get(c.currency)!;
      const list: BookedObligation[] = [];
      for (let i = 0; i < this.size; i++) if (this.ccy[i] === ci) list.push(this.obligation(i));
      const limited = withinLimitsUnits(list, positions, capacityHere);
      const removed = new Set<BookedObligation>();
      for (const r of limited.removed) {
        removed.add(r.obligation);
        const o = r.obligation;
        excluded.push({ id: o.id, payer: o.payer, payee: o.payee, currency: o.currency, units: o.units, priority: o.priority, reason: r.reason, participant: r.participant, shortfall: r.shortfall });
      }
      const kept = new CurrencyBook(c.currency);
      const local = new Participants();
      for (const o of list) if (!removed.has(o)) kept.add(local.indexOf(o.payer), local.indexOf(o.payee), o.units);
      const keptBics = Array.from({ length: local.size }, (_, p) => local.bicOf(p)).sort();
      currencies.push(this.currencyResult(c.currency, keptBics, kept, (k) => local.indexOf(keptBics[k]!)));
    }
    return { currencies, excluded };
  }

  /** `participants`: sorted BICs; `slot(k)`: the k-th one's index in `c`. */
  private currencyResult(currency: string, participants: readonly string[], c: CurrencyBook, slot: (k: number) => number): CurrencyNetting {
    const n = participants.length;
    const net = new Array<bigint>(n);
    const grossIn = new Array<bigint>(n);
    const grossOut = new Array<bigint>(n);
    const positions = new Map<string, bigint>();
    const at = new Map<string, number>();
    let sum = 0n;
    let multilateral = 0n;
    for (let k = 0; k < n; k++) {
      const p = slot(k);
      const gin = c.grossIn(p);
      const gout = c.grossOut(p);
      const v = gin - gout;
      net[k] = v;
      grossIn[k] = gin;
      grossOut[k] = gout;
      sum += v;
      if (v > 0n) multilateral += v;
      positions.set(participants[k]!, v);
      at.set(participants[k]!, k);
    }
    // Money created or destroyed by the engine itself would show here first.
    if (sum !== 0n) throw new Error(`invariant violated: ${currency} positions sum to ${sum}`);
    const { instructions, exact } = settlementInstructions(positions);
    const from = new Array<number>(instructions.length);
    const to = new Array<number>(instructions.length);
    const units = new Array<bigint>(instructions.length);
    instructions.forEach((i, k) => {
      from[k] = at.get(i.from)!;
      to[k] = at.get(i.to)!;
      units[k] = i.units;
    });
    return {
      currency, participants, net, grossIn, grossOut, from, to, units,
      gross: c.gross, bilateral: c.bilateral, multilateral, obligations: c.count, exact,
    };
  }
}

/** 1 − part/gross to 4 decimals (netting.ts's rounding); 0 when nothing was owed. */
export function efficiency(part: bigint, gross: bigint): BigNumber {
  if (gross === 0n) return new BigNumber(0);
  return new BigNumber(1).minus(new BigNumber(part.toString()).dividedBy(gross.toString())).decimalPlaces(4, BigNumber.ROUND_HALF_UP);
}
