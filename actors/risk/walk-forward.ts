// The backtest of issue 6: walk forward day by day over the last `days` days; each day's loss
// (−P&L of the same positions) is compared with the VaR computed the day before, from the
// `windowDays` P&L values that end that day before. The series therefore needs windowDays + days
// P&L values (windowDays + days + 1 aligned dates). The count is judged by Kupiec and the Basel
// traffic light (backtest.ts).

import type BigNumber from 'bignumber.js';
import { baselZone, countExceptions, kupiec, type BaselZone, type Kupiec } from './backtest.ts';
import { varOfPnl, VarInputError, type VarParameters } from './var.ts';

export interface WalkForward {
  readonly kupiec: Kupiec;
  readonly zone: BaselZone;
  /** Per tested day, oldest first: the VaR of the day before and that day's P&L. */
  readonly varBefore: readonly BigNumber[];
  readonly pnl: readonly BigNumber[];
}

export function walkForward(method: 'historical' | 'ewma', pnl: readonly BigNumber[], params: VarParameters, days: number): WalkForward {
  if (!Number.isSafeInteger(days) || days < 1) throw new VarInputError('WINDOW_INVALID', `days ${days} must be a positive integer`);
  const needed = params.windowDays + days;
  if (pnl.length < needed) throw new VarInputError('HISTORY_SHORT', `${needed + 1} dates with every rate are needed, ${pnl.length + 1} were found`);
  const series = pnl.slice(-needed);
  const varBefore: BigNumber[] = [];
  const tested: BigNumber[] = [];
  for (let i = 0; i < days; i++) {
    // The window ends the day before the tested day series[windowDays + i].
    varBefore.push(varOfPnl(method, series.slice(i, params.windowDays + i), params));
    tested.push(series[params.windowDays + i]!);
  }
  const confidence = Number(params.confidence);
  const exceptions = countExceptions(tested, varBefore);
  return { kupiec: kupiec(exceptions, days, confidence), zone: baselZone(exceptions, days, confidence), varBefore, pnl: tested };
}
