// Reconciliation metrics under the seed's Prometheus names, on the server's own registry
// (metrics.ts). Counters are bumped where checks happen (the reconciliation hook and tier 2);
// gauges are read at scrape time from the balance index, the token ledgers and the discrepancy
// table, so a scrape never asks an actor anything.
//
// token_engine_backing_ratio{currency,basis} is tokens outstanding / fiat in client_funds accounts
// (basis "bank": what the bank reports, which mints are checked against; "ledger": deltran's own
// books): ≤ 1 is backed, > 1 is a shortfall, 0 with no tokens, +Inf with tokens and no fiat.

import { Counter, Gauge, Histogram, type Registry } from 'prom-client';
import type { ReconciliationService } from '../reconciliation-service.ts';

export interface ReconciliationMetrics {
  /** tier 1 | 2 | 3; status = the level after the check (OK, MINOR, ...), UNAVAILABLE when the bank did not answer. */
  readonly checks: Counter<'tier' | 'status'>;
  readonly latency: Histogram<'tier'>;
  readonly drifting: Gauge;
}

export function reconciliationMetrics(registry: Registry, recon: ReconciliationService): ReconciliationMetrics {
  const checks = new Counter({
    name: 'token_engine_reconciliation_checks_total',
    help: 'Reconciliation checks by tier (1 camt.054, 2 intraday, 3 end of day) and resulting status',
    labelNames: ['tier', 'status'] as const,
    registers: [registry],
  });
  const latency = new Histogram({
    name: 'token_engine_reconciliation_duration_seconds',
    help: 'Tier 1: arrival of a camt.054 to its result; tier 2: one run over the accounts',
    labelNames: ['tier'] as const,
    buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [registry],
  });
  const drifting = new Gauge({
    name: 'token_engine_reconciliation_drifting_accounts',
    help: 'Accounts whose difference grew at every tier-2 check and is projected to cross a level (last run)',
    registers: [registry],
  });
  // Scopes seen open stay in the output at 0 after a reset, so a dashboard sees it close.
  const seen = new Set<string>();
  new Gauge({
    name: 'token_engine_circuit_breaker_active',
    help: 'Open circuit breakers (1) by scope: account:<id> or currency:<CCY>',
    labelNames: ['scope'] as const,
    registers: [registry],
    async collect() {
      const open = new Set<string>();
      const accounts = recon.openAccountBreakers();
      await recon.ensureDirectory(accounts);
      for (const actor of accounts) open.add(`account:${recon.directoryOf(actor)?.id ?? actor}`);
      for (const c of recon.currencyBreakers()) open.add(`currency:${c}`);
      for (const s of open) seen.add(s);
      for (const s of seen) this.set({ scope: s }, open.has(s) ? 1 : 0);
    },
  });
  new Gauge({
    name: 'token_engine_reconciliation_discrepancies',
    help: 'Open (OPEN or INVESTIGATING) reconciliation discrepancies by severity',
    labelNames: ['severity'] as const,
    registers: [registry],
    async collect() {
      const open = await recon.openDiscrepancies();
      for (const severity of ['MINOR', 'SIGNIFICANT', 'CRITICAL']) this.set({ severity }, open.get(severity) ?? 0);
    },
  });
  new Gauge({
    name: 'token_engine_backing_ratio',
    help: 'Tokens outstanding / fiat in client_funds accounts, by currency and basis (bank, ledger); > 1 is under-backed',
    labelNames: ['currency', 'basis'] as const,
    registers: [registry],
    collect() {
      for (const currency of recon.currencies()) {
        const b = recon.backingOf(currency);
        const ratio = (fiat: typeof b.byBank) => b.outstanding.isZero() ? 0 : fiat.isLessThanOrEqualTo(0) ? Infinity : b.outstanding.dividedBy(fiat).toNumber();
        this.set({ currency, basis: 'bank' }, ratio(b.byBank));
        this.set({ currency, basis: 'ledger' }, ratio(b.byLedger));
      }
    },
  });
  return { checks, latency, drifting };
}
