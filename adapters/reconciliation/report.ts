// What reconciliation reports about itself: the health verdict and the summary per currency,
// both read from the balance index, the token ledgers and the open discrepancy rows.

import type BigNumber from 'bignumber.js';
import type { ReconciliationStatus } from '../../actors/account/model.ts';
import { ZERO } from '../../actors/money.ts';
import { emptyLevels, type ReconciliationService } from '../reconciliation-service.ts';

export async function healthOf(s: ReconciliationService) {
  const levels = s.levels();
  const open = await s.openDiscrepancies();
  const critical = open.get('CRITICAL') ?? 0;
  const breakers = levels.breakers + s.currencyBreakers().length;
  const mismatch = levels.MINOR + levels.SIGNIFICANT + levels.CRITICAL;
  const status = critical > 0 || breakers > 0 ? 'CRITICAL' : mismatch > 0 ? 'WARNING' : 'HEALTHY';
  return {
    status,
    total_accounts: s.index.size,
    accounts_ok: levels.OK,
    accounts_mismatch: mismatch,
    accounts_unchecked: levels.UNCHECKED,
    critical_discrepancies: critical,
    open_breakers: breakers,
  } as const;
}

export async function summaryOf(s: ReconciliationService) {
  const levels = s.levels();
  const open = await s.openDiscrepancies();
  const perCurrency = new Map<string, { accounts: number; levels: Record<ReconciliationStatus, number>; ledger: BigNumber; bank: BigNumber }>();
  for (const f of s.index.values()) {
    const ccy = f.ref.currency;
    let c = perCurrency.get(ccy);
    if (c === undefined) perCurrency.set(ccy, c = { accounts: 0, levels: emptyLevels(), ledger: ZERO, bank: ZERO });
    c.accounts++;
    c.levels[f.status]++;
    c.ledger = c.ledger.plus(f.ledger);
    c.bank = c.bank.plus(f.bank);
  }
  const currencies = new Set([...perCurrency.keys(), ...s.currencies()]);
  const total = s.index.size;
  return {
    total_accounts: total,
    accounts_by_level: { OK: levels.OK, MINOR: levels.MINOR, SIGNIFICANT: levels.SIGNIFICANT, CRITICAL: levels.CRITICAL, UNCHECKED: levels.UNCHECKED },
    accounts_ok: levels.OK,
    accounts_mismatch: levels.MINOR + levels.SIGNIFICANT + levels.CRITICAL,
    open_breakers: levels.breakers + s.currencyBreakers().length,
    open_discrepancies: [...open.values()].reduce((a, b) => a + b, 0),
    critical_discrepancies: open.get('CRITICAL') ?? 0,
    discrepancies_by_severity: Object.fromEntries(open),
    health_percentage: total === 0 ? 100 : Math.round((levels.OK / total) * 10_000) / 100,
    last_tier2_run: s.last === null ? null : { run_id: s.last.runId, started_at: s.last.startedAt, duration_ms: s.last.durationMs, ...s.last.counts },
    currencies: [...currencies].sort().map((ccy) => {
      const c = perCurrency.get(ccy);
      const b = s.backingOf(ccy);
      return {
        currency: ccy,
        accounts: c?.accounts ?? 0,
        by_level: c?.levels ?? emptyLevels(),
        ledger_total: (c?.ledger ?? ZERO).toFixed(),
        bank_total: (c?.bank ?? ZERO).toFixed(),
        backing: {
          tokens_outstanding: b.outstanding.toFixed(),
          fiat_by_bank: b.byBank.toFixed(),
          fiat_by_ledger: b.byLedger.toFixed(),
          backed_by_bank: b.outstanding.isLessThanOrEqualTo(b.byBank),
          backed_by_ledger: b.outstanding.isLessThanOrEqualTo(b.byLedger),
          breaker_open: b.breakerOpen,
        },
      };
    }),
    timestamp: new Date().toISOString(),
  };
}
