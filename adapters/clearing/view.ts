// A clearing window as the API shows it (issue 5) and as the read model stores its figures:
// amounts as decimal strings with the currency's minor units, efficiency as a fraction.

import BigNumber from 'bignumber.js';
import { efficiency } from '../../actors/clearing/window-book.ts';
import { instructionId, statusName, type NettingResult, type WindowState } from '../../actors/clearing/window/model.ts';
import { formatAmount, minorUnits } from '../../streams/iso20022/money.ts';

export function showUnits(units: bigint, currency: string): string {
  return formatAmount(new BigNumber(units.toString()).shiftedBy(-(minorUnits(currency) ?? 0)), currency);
}

export interface CurrencyMetricsView {
  readonly gross: string;
  readonly bilateral_net: string;
  readonly multilateral_net: string;
  readonly efficiency: number;
  readonly bilateral_efficiency: number;
  readonly obligations: number;
  readonly instructions: number;
}

export function metricsView(result: NettingResult): Record<string, CurrencyMetricsView> {
  const out: Record<string, CurrencyMetricsView> = {};
  for (const c of result.currencies) {
    out[c.currency] = {
      gross: showUnits(c.gross, c.currency),
      bilateral_net: showUnits(c.bilateral, c.currency),
      multilateral_net: showUnits(c.multilateral, c.currency),
      // A fraction to 4 decimals is exact as a JSON number (0.7544), unlike an amount.
      efficiency: efficiency(c.multilateral, c.gross).toNumber(),
      bilateral_efficiency: efficiency(c.bilateral, c.gross).toNumber(),
      obligations: c.obligations,
      instructions: c.units.length,
    };
  }
  return out;
}

export function excludedView(result: NettingResult) {
  return result.excluded.map((e) => ({
    id: e.id, payer: e.payer, payee: e.payee, currency: e.currency, amount: showUnits(e.units, e.currency),
    reason: e.reason, participant: e.participant, shortfall: showUnits(e.shortfall, e.currency),
  }));
}

export interface LivePosition {
  readonly currency: string;
  readonly participant: string;
  readonly net: bigint;
}

/** GET /api/v1/clearing/windows/{id}. `live`: the open window's running positions (no result yet). */
export function windowView(state: WindowState, live: readonly LivePosition[] | null) {
  const { result } = state;
  const positions: { participant: string; currency: string; net: string }[] = [];
  const instructions: { id: string; from: string; to: string; currency: string; amount: string; status: string }[] = [];
  if (result !== null) {
    let ordinal = 0;
    for (const c of result.currencies) {
      c.participants.forEach((p, i) => {
        if (c.net[i] !== 0n) positions.push({ participant: p, currency: c.currency, net: showUnits(c.net[i]!, c.currency) });
      });
      for (let i = 0; i < c.units.length; i++, ordinal++) {
        instructions.push({
          id: instructionId(state.id, c.currency, i + 1), from: c.participants[c.from[i]!]!, to: c.participants[c.to[i]!]!,
          currency: c.currency, amount: showUnits(c.units[i]!, c.currency), status: statusName(state.statuses[ordinal]!),
        });
      }
    }
  } else if (live !== null) {
    for (const p of live) positions.push({ participant: p.participant, currency: p.currency, net: showUnits(p.net, p.currency) });
    positions.sort((a, b) => (a.currency === b.currency ? (a.participant < b.participant ? -1 : 1) : a.currency < b.currency ? -1 : 1));
  }
  return {
    id: state.id,
    state: state.phase === 'NEW' ? 'OPEN' : state.phase,
    opened_at: state.openedAt,
    closed_at: state.closedAt,
    positions,
    instructions,
    metrics: result === null ? {} : metricsView(result),
    excluded: result === null ? [] : excludedView(result),
    ...(state.failure !== null ? { failure: state.failure } : {}),
  };
}
