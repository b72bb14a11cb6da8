// The running service: one database, one GroupCommitter shared by every actor (so their appends
// batch together), the account actors, the dead-letter table and the HTTP edge over them. With no
// configuration it runs embedded (PGlite in ./data), so `npm start` works on a bare machine.
// `stop()` is the graceful shutdown, in the order that loses nothing: stop intake (NATS and the
// inbox stop pulling and let their in-flight deliveries settle; then close the server, letting
// in-flight requests finish), drain the actors, flush the journal, close the database.

import type { FastifyInstance } from 'fastify';
import { Accounts } from '../actors/account/actor.ts';
import { Corridors } from '../actors/corridor/actor.ts';
import { openDatabase, optionsFromEnv, type Database, type OpenOptions } from './db/database.ts';
import { DeadLetters } from './db/dead-letters.ts';
import { GroupCommitter } from './db/group-commit.ts';
import { ReaderThread } from '../streams/ingest/reader-thread.ts';
import { PgJournal } from './db/journal.ts';
import { migrate } from './db/migrate.ts';
import { checkExposure } from './http/auth.ts';
import { buildServer } from './http/server.ts';
import { Intakes, type IntakeOptions } from './intake.ts';
import { TokenService } from './token-service.ts';
import { ReconciliationRecords } from './db/reconciliation-records.ts';
import { JournalRecordedEntries } from './db/statement-queries.ts';
import { ReconciliationService, tier2IntervalFromEnv, type ReconciliationOptions } from './reconciliation-service.ts';
import { RiskService, riskNatsOf, tokenHoldings, type RiskOptions } from './risk-service.ts';
import { ClearingService, type ClearingServiceOptions } from './clearing-service.ts';
import { BankSettler } from './settlement/settler.ts';
import { SettlementLedger } from './settlement/ledger.ts';
import type { SettlementLog } from './settlement/settler.ts';
import { Pacs002Reports } from './settlement/status-reports.ts';
import { feedNotifications, type NotificationFeed } from './bank/feed.ts';
import type { BankClient } from './bank/client.ts';
import type { AccountEvent } from '../actors/account/events.ts';
import { fromMinor } from '../actors/clearing/netting.ts';
import type BigNumber from 'bignumber.js';
import type { Holdings } from '../actors/risk/exposure.ts';

export interface ServiceOptions {
  readonly host: string;
  readonly port: number;
  /** PGlite directory; default from DATA_DIR, else ./data. */
  readonly dataDir?: string | undefined;
  /** postgres://...; default from DATABASE_URL. */
  readonly databaseUrl?: string | undefined;
  /** Test-only: a schema of its own on a shared PostgreSQL. */
  readonly schema?: string | undefined;
  readonly logger?: boolean | undefined;
  /** Bearer token for mutating requests; default from DELTRAN_API_TOKEN. Required beyond loopback. */
  readonly apiToken?: string | undefined;
  /** NATS, the inbox directory and the Redis fast-path dedupe; default from the environment (adapters/intake.ts). */
  readonly intake?: IntakeOptions | undefined;
  /** Thresholds, the tier-2 interval (default RECON_TIER2_INTERVAL_MIN, else off), bank clients. */
  readonly reconciliation?: ReconciliationOptions | undefined;
  /** FX import at start (default FX_IMPORT, else off), reporting currency, thresholds, the open-window port. */
  readonly risk?: RiskOptions | undefined;
  /** The clearing engine's settler, status reports, schedule, clock, risk guard (the rest is wired here). */
  readonly clearing?: Partial<Pick<ClearingServiceOptions, 'settler' | 'reports' | 'schedule' | 'now' | 'timers' | 'guard'>> | undefined;
}

export interface Service {
  readonly app: FastifyInstance;
  readonly db: Database;
  readonly accounts: Accounts;
  readonly intakes: Intakes;
  /** The token actor, the backing figure and the pay-in minter. */
  readonly tokens: TokenService;
  /** Discrepancy rows and EOD snapshots projected from the account events (tier 3 and checks). */
  readonly records: ReconciliationRecords;
  /** Reconciliation tiers 1–2, breakers, health; its mock bank when no real bank is configured. */
  readonly reconciliation: ReconciliationService;
  /** FX rates, exposure, limits and alerts, VaR (adapters/risk-service.ts). */
  readonly risk: RiskService;
  /** Clearing windows, netting, the obligation intake (adapters/clearing-service.ts). */
  readonly clearing: ClearingService;
  /** `http://host:port` as bound (port 0 resolved). */
  readonly url: string;
  stop(): Promise<void>;
}

export async function startService(options: ServiceOptions): Promise<Service> {
  const apiToken = options.apiToken ?? process.env['DELTRAN_API_TOKEN'];
  // Before anything is opened: a service that would expose money-moving endpoints unauthenticated
  // must not start at all.
  checkExposure(options.host, apiToken);
  const env = optionsFromEnv();
  const db: OpenOptions = {
    url: options.databaseUrl ?? env.url,
    dataDir: options.dataDir ?? env.dataDir,
    schema: options.schema,
  };
  const database = await openDatabase(db);
  let journal: GroupCommitter | undefined;
  let accounts: Accounts | undefined;
  let corridors: Corridors | undefined;
  let intakes: Intakes | undefined;
  let tokens: TokenService | undefined;
  let records: ReconciliationRecords | undefined;
  let recon: ReconciliationService | undefined;
  let risk: RiskService | undefined;
  let clearing: ClearingService | undefined;
  let settler: BankSettler | undefined;
  let feed: NotificationFeed | undefined;
  let reader: ReaderThread | undefined;
  try {
    await migrate(database);
    journal = new GroupCommitter(new PgJournal(database));
    // The backing figure is read before any account actor exists, so no account event is missed.
    tokens = await TokenService.open({ db: database, journal });
    records = new ReconciliationRecords(database);
    const recordsHook = records.observe;
    // Tier 3 matches a statement against what tier 1 journaled on its days.
    const statements = new JournalRecordedEntries(database);
    // Like the backing figure, the balance index is read before any account actor exists.
    const interval = options.reconciliation?.tier2IntervalMin ?? tier2IntervalFromEnv();
    recon = await ReconciliationService.open(database, tokens, { ...options.reconciliation, tier2IntervalMin: interval });
    const tokenHook = tokens.onAccountApplied;
    const reconHook = recon.onAccountApplied;
    // Bound once the settler exists (it needs the token actor, which needs nothing of the accounts).
    let settlementHook: ((actorId: string, seq: number, events: readonly AccountEvent[]) => void) | null = null;
    // The token hook first: the currency breaker check reads the backing it has just moved.
    accounts = new Accounts({
      journal,
      thresholds: recon.thresholds,
      onApplied: (actorId, seq, events) => {
        tokenHook(actorId, seq, events);
        reconHook(actorId, seq, events);
        recordsHook(actorId, seq, events);
        settlementHook?.(actorId, seq, events);
      },
    });
    recon.attach(accounts);
    corridors = new Corridors({ journal });
    risk = await RiskService.open(database, tokenHoldings(tokens.tokens), { nats: riskNatsOf(options.intake), ...options.risk });
    const tokensForClearing = tokens;
    const reconForClearing = recon;
    const riskForClearing = risk;
    const deadLetters = new DeadLetters(database);
    // The ledgers are loaded before anything can move tokens: settlement confirmations (a window
    // resumed in SETTLING) and pay-in mints alike. The pay-in outbox catch-up runs in the background.
    // Until the service's log exists (its first catch-up pass may fail before that).
    tokens.report = (what, err) => console.error(`tokens: ${what}`, err);
    await tokens.start();
    // Settlement: the banks' camt.054 come back through the same ingestion as any other, and
    // confirm the instructions they book (the settler's hook on the accounts' durable events).
    const banks: ReadonlyMap<string, BankClient> = options.reconciliation?.banks ?? new Map([['mock', recon.mock!]]);
    // Into the service's log once it exists (the settler may log while the service starts).
    let settlementLog: SettlementLog = (level, message, detail) => console.error(`[settlement] ${level}: ${message} ${JSON.stringify(detail ?? {})}`);
    const log: SettlementLog = (level, message, detail) => settlementLog(level, message, detail);
    const reports = new Pacs002Reports({ db: database, log });
    settler = options.clearing?.settler === undefined ? BankSettler.create({ db: database, banks, tokens: tokens.tokens, ledger: new SettlementLedger(accounts), log }) : undefined;
    if (settler !== undefined) {
      settlementHook = settler.onAccountApplied;
      // Bookings journaled while no settler listened (a crash between the two) confirm now.
      await settler.catchUp();
    }
    const banking = { accounts, deadLetters, statements };
    if (recon.mock !== null && options.reconciliation?.banks === undefined) feed = feedNotifications(recon.mock, 'mock', banking);
    // After the token ledgers and the reconciliation index exist: capacity and breakers read them.
    clearing = await ClearingService.open({
      db: database,
      journal,
      corridors,
      settler,
      reports,
      guard: (o) => riskForClearing.guard(o.payer, o.currency, o.amount),
      ...options.clearing,
      tokenBalance: (participant, currency) => tokensForClearing.tokens.ledger(currency)?.state?.balances.get(participant),
      accountBreakerOpen: (actor) => reconForClearing.index.get(actor)?.breakerOpen === true,
    });
    const clearingForRisk = clearing;
    risk.connectOpenWindow({ openWindowPositions: () => nestedPositions(clearingForRisk.openWindowPositions()) });
    intakes = Intakes.open(options.intake, db);
    reader = ReaderThread.fromEnv();
    const ingest = { ...banking, obligations: clearing, statusReports: reports, ...intakes.ingestExtras, reader };
    const app = buildServer(options.logger ?? true, {
      db: database,
      accounts,
      corridors,
      deadLetters,
      ingest,
      eod: { records, statements },
      journal,
      intake: intakes,
      tokens,
      reconciliation: recon,
      clearing,
      risk,
      settlement: settler,
    }, { apiToken });
    const tks = tokens;
    tks.report = (what, err) => app.log.warn({ err }, `tokens: ${what}`);
    app.log.info({ clientFundsAccounts: tks.backing.size, backingLoadMs: tks.backingLoadMs }, 'tokens ready');
    // Its failure is reported by the token service itself; the next pass tries again.
    void tks.firstCatchUp?.then((caughtUp) => app.log.info(caughtUp, 'tokens: pay-in outbox caught up'), () => undefined);
    const recs = records;
    recs.report = (what, err) => app.log.warn({ err }, `reconciliation records: ${what}`);
    void recs.start().then((caughtUp) => app.log.info(caughtUp, 'reconciliation records caught up'), () => undefined);
    await intakes.start(ingest, app.log);
    const rcn = recon;
    rcn.report = (what, err) => app.log.warn({ err }, `reconciliation: ${what}`);
    rcn.log = (msg, fields) => app.log.info(fields ?? {}, `reconciliation: ${msg}`);
    // The seed's three start-up lines, in its order.
    app.log.info({ accounts: rcn.index.size, indexLoadMs: rcn.loadMs }, 'reconciliation tier 1 (camt.054) consumer active: POST /api/v1/reconciliation/camt054, POST /api/v1/iso20022, intakes');
    rcn.start();
    app.log.info({ intervalMin: rcn.tier2IntervalMin, bank: rcn.mock !== null ? 'mock' : 'configured clients' },
      rcn.tier2IntervalMin === 'off' ? 'reconciliation tier 2 loop off (on demand: POST /api/v1/reconciliation/intraday/all)' : `reconciliation tier 2 loop started, every ${rcn.tier2IntervalMin} min`);
    app.log.info('reconciliation tier 3 (camt.053 end of day) ready');
    await app.listen({ host: options.host, port: options.port });
    const address = app.server.address();
    const port = typeof address === 'object' && address !== null ? address.port : options.port;
    const host = options.host.includes(':') ? `[${options.host}]` : options.host;
    let stopping: Promise<void> | undefined;
    const acc = accounts;
    const cor = corridors;
    const jnl = journal;
    const its = intakes;
    const rdr = reader;
    if (rdr !== undefined) rdr.onProblem = (what, err) => app.log.warn({ err }, what);
    const clr = clearing;
    const rsk = risk;
    rsk.report = (what, err) => app.log.warn({ err }, `risk: ${what}`);
    rsk.log = (msg, fields) => app.log.info(fields ?? {}, `risk: ${msg}`);
    // The FX history import runs in the background: the rate lookups answer FX_IMPORTING until it ends.
    await rsk.start();
    clr.log = (level, msg, fields) => app.log[level](fields ?? {}, msg);
    settlementLog = (level, msg, detail) => app.log[level](detail ?? {}, `settlement: ${msg}`);
    // Each participant's VaR of its open position, stored per window once its netting is durable.
    clr.nettedListeners.push((windowId) => void rsk.varAtWindowClose(windowId).catch((err: unknown) => rsk.report(`VaR at the close of ${windowId}`, err)));
    const stl = settler;
    const fed = feed;
    return {
      app,
      db: database,
      accounts,
      intakes,
      tokens: tks,
      reconciliation: rcn,
      records: recs,
      clearing: clr,
      risk: rsk,
      url: `http://${host}:${port}`,
      // Idempotent: SIGTERM followed by SIGINT must not close things twice.
      stop: () => (stopping ??= (async () => {
        try {
          // Stop pulling first and let what is in flight settle while the actors still run.
          await its.stop();
          await app.close();
          // No delivery comes any more: what it still holds is answered null and read here.
          await rdr?.close();
          await rsk.stop();
          await rcn.stop();
          // Before the corridors and the journal: its windows finish what they journal.
          await clr.stop();
          // After the windows (which hand it plans), before the token actor it moves tokens with.
          await stl?.stop();
          // The bank's notifications are an intake too, kept until the settler's last calls were
          // answered and their bookings ingested; before the accounts stop.
          await fed?.stop();
          await acc.stop();
          // After the accounts (their hook queues rows), before the database closes.
          await recs.stop();
          // After the accounts, whose hook sends mints; before the journal closes.
          await tks.stop();
          await cor.stop();
          await jnl.close();
        } finally {
          await database.close();
        }
      })()),
    };
  } catch (err) {
    // A half-started service must not keep the PGlite directory locked or the process alive.
    await intakes?.stop().catch(() => undefined);
    await reader?.close().catch(() => undefined);
    await feed?.stop().catch(() => undefined);
    await recon?.stop().catch(() => undefined);
    await risk?.stop().catch(() => undefined);
    await clearing?.stop().catch(() => undefined);
    await settler?.stop().catch(() => undefined);
    await accounts?.stop().catch(() => undefined);
    await records?.stop().catch(() => undefined);
    await tokens?.stop().catch(() => undefined);
    await corridors?.stop().catch(() => undefined);
    await journal?.close().catch(() => undefined);
    await database.close().catch(() => undefined);
    throw err;
  }
}

/** The clearing engine's open-window nets (minor units) as the risk engine holds positions. */
function nestedPositions(nets: readonly { currency: string; participant: string; net: bigint }[]): Holdings {
  const out = new Map<string, Map<string, BigNumber>>();
  for (const n of nets) {
    let byCurrency = out.get(n.participant);
    if (byCurrency === undefined) out.set(n.participant, byCurrency = new Map());
    byCurrency.set(n.currency, fromMinor(n.net, n.currency));
  }
  return out;
}
