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
import { PgJournal } from './db/journal.ts';
import { migrate } from './db/migrate.ts';
import { checkExposure } from './http/auth.ts';
import { buildServer } from './http/server.ts';
import { Intakes, type IntakeOptions } from './intake.ts';
import { TokenService } from './token-service.ts';

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
}

export interface Service {
  readonly app: FastifyInstance;
  readonly db: Database;
  readonly accounts: Accounts;
  readonly intakes: Intakes;
  /** The token actor, the backing figure and the pay-in minter. */
  readonly tokens: TokenService;
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
  try {
    await migrate(database);
    journal = new GroupCommitter(new PgJournal(database));
    // The backing figure is read before any account actor exists, so no account event is missed.
    tokens = await TokenService.open({ db: database, journal });
    accounts = new Accounts({ journal, onApplied: tokens.onAccountApplied });
    corridors = new Corridors({ journal });
    const deadLetters = new DeadLetters(database);
    intakes = Intakes.open(options.intake, db);
    const app = buildServer(options.logger ?? true, {
      db: database,
      accounts,
      corridors,
      deadLetters,
      ingest: { accounts, deadLetters, ...intakes.ingestExtras },
      journal,
      intake: intakes,
      tokens,
    }, { apiToken });
    const tks = tokens;
    tks.report = (what, err) => app.log.warn({ err }, `tokens: ${what}`);
    // Ledgers loaded before any intake can send; the pay-in outbox catch-up runs in the background.
    await tks.start();
    app.log.info({ clientFundsAccounts: tks.backing.size, backingLoadMs: tks.backingLoadMs }, 'tokens ready');
    // Its failure is reported by the token service itself; the next pass tries again.
    void tks.firstCatchUp?.then((caughtUp) => app.log.info(caughtUp, 'tokens: pay-in outbox caught up'), () => undefined);
    await intakes.start({ accounts, deadLetters, ...intakes.ingestExtras }, app.log);
    await app.listen({ host: options.host, port: options.port });
    const address = app.server.address();
    const port = typeof address === 'object' && address !== null ? address.port : options.port;
    const host = options.host.includes(':') ? `[${options.host}]` : options.host;
    let stopping: Promise<void> | undefined;
    const acc = accounts;
    const cor = corridors;
    const jnl = journal;
    const its = intakes;
    return {
      app,
      db: database,
      accounts,
      intakes,
      tokens: tks,
      url: `http://${host}:${port}`,
      // Idempotent: SIGTERM followed by SIGINT must not close things twice.
      stop: () => (stopping ??= (async () => {
        try {
          // Stop pulling first and let what is in flight settle while the actors still run.
          await its.stop();
          await app.close();
          await acc.stop();
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
    await accounts?.stop().catch(() => undefined);
    await tokens?.stop().catch(() => undefined);
    await corridors?.stop().catch(() => undefined);
    await journal?.close().catch(() => undefined);
    await database.close().catch(() => undefined);
    throw err;
  }
}
