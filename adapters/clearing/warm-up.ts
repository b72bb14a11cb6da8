// Nets a synthetic window once at start so the netting kernel is compiled before the first real
// cut-off. The close of a window is timed from the cut-off to the instructions durable (floor
// 200 ms at 1,000 participants × 20 currencies, issue 5), and run once every six hours its code is
// always cold: V8 interprets the book's netting, the fewest-instructions heaps and the result's
// encoding the first time, ~2–3× slower than once optimised (bench/netting). Pure CPU, on a
// private participant table and book: nothing of it reaches the journal or the real books.

import { Participants, WindowBook, type CapacityOf } from '../../actors/clearing/window-book.ts';
import { windowEventCodec } from '../../actors/clearing/window/events.ts';
import { seededRng } from '../bank/rng.ts';

const ENOUGH = 10n ** 18n;

/** Sized to reach V8's optimising tier for the loops of netting (~100 ms on one core here). */
export function warmNetting(capacity: CapacityOf = () => ENOUGH, participants = 400, currencies = 4, obligationsPerCurrency = 4_000, rounds = 3): void {
  const rng = seededRng(7);
  const bics = Array.from({ length: participants }, (_, i) => `WARM${String(i).padStart(4, '0')}XXX`);
  for (let round = 0; round < rounds; round++) {
    const book = new WindowBook('W20000101T0000Z', new Participants());
    for (let c = 0; c < currencies; c++) {
      const ids: string[] = [];
      const payers: string[] = [];
      const payees: string[] = [];
      const units: bigint[] = [];
      for (let i = 0; i < obligationsPerCurrency; i++) {
        const a = Math.floor(rng() * participants);
        let b = Math.floor(rng() * (participants - 1));
        if (b >= a) b++;
        ids.push(`warm-${round}-${c}-${i}`);
        payers.push(bics[a]!);
        payees.push(bics[b]!);
        units.push(BigInt(1 + Math.floor(rng() * 1e9)));
      }
      book.addColumns(`X${String.fromCharCode(65 + c)}X`, c * obligationsPerCurrency, ids, payers, payees, units, null, null);
    }
    const result = book.net(capacity);
    JSON.stringify(windowEventCodec.encode({ type: 'WindowNetted', messageId: 'warm', at: '2000-01-01T00:00:00.000Z', result }));
  }
}
