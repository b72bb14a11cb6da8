// Ingestion: from a Delivery (any Source) to durable account state, then the verdict back to the
// source. Per delivery:
//   read + validate (one pass) → any error finding: dead letter (raw bytes, source, findings),
//   and only once that is durable, settle 'term'. It will not get better by retrying.
//   → camt.054: each entry of each report becomes a RecordBankEntry for the account actor
//   of (report account IBAN or other id, entry currency), with the identity of identity.ts.
//   → camt.053: each Stmt becomes ONE ReconcileStatement (tier 3, statement.ts): its entries are
//   matched against what tier 1 recorded, never booked again; COPY/DUPL change nothing.
//   → camt.052: each Rpt becomes an ObserveBankBalance (tier 2) of its ITBD/CLBD; no entry booked.
//   Every entry of the delivery is sent before any outcome is awaited, in document order.
//   → all outcomes appended/duplicate/rejected: rejected entries go to ONE dead letter for the
//   delivery (durable before the ack), then 'ack'. Any retry/mailbox_full: settle {nak: delay}.
//   The whole message comes back; entries already appended then come back as duplicates (the
//   actor's applied window, then the journal's unique (actor, message_id)), so a nak never
//   double counts.
//   → pacs.008/pacs.009/pain.001, when IngestOptions.obligations is given: clearing obligations
//   (obligation-route.ts), acknowledged once the intake's accept() resolved.
//   → any other message type: acknowledged as 'unrouted' (reported, nothing stored). camt.056
//   and the rest get their routes in later issues.
//
// Why rejected entries are dead letters and not a separate log: they must be kept durably before
// the ack (a log line can be lost with the process), the dead_letters table already carries raw
// bytes, source and errors and is visible through the API, and an operator repairs both kinds the
// same way (open the account, replay the bytes: accepted entries come back as duplicates). One dead
// letter per delivery, not per entry, so a 10,000-entry statement for an unknown account is one row.
// Known limit: a redelivery of a delivery with rejected entries writes its dead letter again.
//
// Entries are buffered per delivery (keepRecords) rather than sent as the reader streams them:
// nothing may reach an actor before the whole message has passed validation, or a message that
// fails at its last entry would be half applied and dead-lettered at once.
//
// Ordering: the stream limits concurrency on the DELIVERY stream (at most N in flight, like
// mergeMap(…, N)), never on per-account groups (see the notes on groupBy). Per-account order is
// kept by the actor mailbox: `ingestDelivery` runs synchronously from reading to the last `send`,
// so entries enter each mailbox in delivery order and, within a delivery, in document order. A
// nak'ed delivery comes back later than deliveries that followed it: at-least-once cannot promise
// more than that.

import { Observable } from 'rxjs';
import type { AccountOutcome } from '../../actors/account/actor.ts';
import type { AccountCommand } from '../../actors/account/commands.ts';
import { accountActorId } from '../../actors/account/model.ts';
import type { DeadLetterInput } from '../../adapters/db/dead-letters.ts';
import type { Finding } from '../iso20022/findings.ts';
import type { ReportMessage } from '../iso20022/model.ts';
import { readBuffer, type ReadResult } from '../iso20022/reader.ts';
import type { Delivery, Outcome } from '../source.ts';
import { digestOf, fastDuplicate, rememberable, type FastDedupePort } from './fast-dedupe.ts';
import { usable } from './identity.ts';
import { accountKey, planReportEntries, READ_OPTIONS, type NotificationPlan, type PlannedEntry } from './notification-plan.ts';
import { intradayObservation, prepareStatements, statementKey, StatementQueryError, type PreparedStatement, type RecordedEntriesPort } from './statement.ts';
import type { ObligationIntake, StatusReports } from '../../actors/clearing/ports.ts';
import { clearObligations, isObligationMessage } from './obligation-route.ts';

/** What the pipeline needs of the account runtime (the `Accounts` facade). */
export interface AccountsPort {
  send(accountId: string, command: AccountCommand): Promise<AccountOutcome>;
}

/** What the pipeline needs of the dead-letter table (`DeadLetters`): resolves once durable. */
export interface DeadLetterPort {
  record(letter: DeadLetterInput): Promise<string>;
}

export interface IngestOptions {
  readonly accounts: AccountsPort;
  readonly deadLetters: DeadLetterPort;
  /** Deliveries in flight at once (default 16). */
  readonly concurrency?: number | undefined;
  /** First redelivery delay of a transient failure (default 1,000 ms); doubles per delivery, see `nakDelay`. */
  readonly nakDelayMs?: number | undefined;
  /** Shared memory of durable deliveries (Redis), consulted before reading; see fast-dedupe.ts. */
  readonly fastDedupe?: FastDedupePort | undefined;
  /**
   * What tier 1 recorded per account and day (adapters/db/statement-queries.ts), for matching a
   * camt.053's entries. Without it a statement still sets the closing balance and is checked as a
   * link of its chain, but its entries are matched against nothing (and reported as nothing).
   */
  readonly statements?: RecordedEntriesPort | undefined;
  /**
   * Clearing (issue 5): pacs.008 / pacs.009 / pain.001 become obligations handed to this intake,
   * acknowledged only once accept() resolved (obligation-route.ts). Without it they stay 'unrouted'.
   */
  readonly obligations?: ObligationIntake | undefined;
  /** pacs.002 ACCP/RJCT to the senders of those messages (adapters/settlement/status-reports.ts). */
  readonly statusReports?: StatusReports | undefined;
  /**
   * Reads and plans deliveries off this thread (reader-thread.ts), in delivery order. Without it,
   * or when it answers null, the delivery is read here.
   */
  readonly reader?: NotificationReader | undefined;
}

/** Reads a delivery's bytes elsewhere and plans it; null when it is not a plain camt.054 delivery. */
export interface NotificationReader {
  plan(data: Uint8Array): Promise<NotificationPlan | null>;
  /** Where deliveries were read, for /metrics. */
  readonly stats?: { readonly planned: number; readonly fellBack: number; readonly workerDeaths: number };
}

/** An entry that was not applied and will not be by retrying. */
export interface EntryRejection {
  readonly accountId: string | null;
  readonly messageId: string;
  /** `Ntfctn[0]/Ntry[3]` style: report and entry ordinals in the document. */
  readonly path: string;
  readonly code: string;
  readonly message: string;
}

export type Verdict = 'applied' | 'duplicate' | 'unrouted' | 'dead_lettered' | 'retry';

export interface IngestReport {
  readonly id: string;
  readonly source: string;
  readonly verdict: Verdict;
  /** What the delivery was settled with. */
  readonly outcome: Outcome;
  /** One per Document: type and MsgId as read (null when unreadable). */
  readonly messages: readonly { readonly type: string | null; readonly messageId: string | null; readonly routed: boolean }[];
  readonly entries: { readonly appended: number; readonly duplicate: number; readonly rejected: number; readonly retry: number };
  readonly rejections: readonly EntryRejection[];
  /** Error finding codes (dead letter) or retry codes (nak). */
  readonly codes: readonly string[];
  readonly deadLetterId: string | null;
  /** Why a dead letter could not be written, or the pipeline failed (for logs). */
  readonly detail: string | null;
  /** The source failed to take the verdict (the broker redelivers; reported, not thrown). */
  readonly settleError: string | null;
}

const ROUTED = new Set(['camt.052', 'camt.053', 'camt.054']);
const NAK_DELAY_MS_DEFAULT = 1_000;
const NAK_DELAY_MS_MAX = 30_000;

/**
 * Backoff for a transient failure: `base` on the first delivery, doubled on each redelivery, at
 * most 30 s, so a database that stays down is not hammered by every message every second.
 */
export function nakDelay(base: number, deliveryCount: number): number {
  const n = Math.max(1, Math.min(deliveryCount, 16));
  return Math.min(base * 2 ** (n - 1), Math.max(base, NAK_DELAY_MS_MAX));
}
const CONCURRENCY_DEFAULT = 16;

/**
 * The pipeline over a source: one report per delivery, in completion order. Never errors (unless
 * the source's iterator throws). What `from(source).pipe(mergeMap(d => defer(() => ingestDelivery(d)),
 * concurrency))` does, without its cost per delivery at thousands in flight (an inner subscriber,
 * defer, and a linear removal from an array of all inner subscriptions: bench/ingest). It also
 * pulls only while fewer than `concurrency` deliveries are in flight, where `from` drains eagerly
 * and mergeMap buffers: the rest stays with the source (whose own bound holds either way).
 */
export function ingest(source: AsyncIterable<Delivery>, options: IngestOptions): Observable<IngestReport> {
  const concurrency = options.concurrency ?? CONCURRENCY_DEFAULT;
  if (!Number.isSafeInteger(concurrency) || concurrency < 1) throw new Error(`concurrency must be ≥ 1, got ${concurrency}`);
  return new Observable<IngestReport>((subscriber) => {
    const it = source[Symbol.asyncIterator]();
    let active = 0;
    let ended = false;
    let pulling = false;
    const complete = (): void => {
      if (ended && active === 0 && !subscriber.closed) subscriber.complete();
    };
    const fail = (err: unknown): void => subscriber.error(err);
    const reported = (report: IngestReport): void => {
      active--;
      subscriber.next(report);
      complete();
      void pull();
    };
    // One pulling loop at a time; a settled delivery restarts it when it stopped at the bound.
    const pull = async (): Promise<void> => {
      if (pulling) return;
      pulling = true;
      try {
        while (!ended && active < concurrency && !subscriber.closed) {
          const next = await it.next();
          if (next.done === true) ended = true;
          // Unsubscribed meanwhile: the delivery is left unsettled, the source delivers it again.
          else if (!subscriber.closed) {
            active++;
            ingestDelivery(next.value, options).then(reported, fail);
          }
        }
      } catch (err) {
        fail(err);
        return;
      } finally {
        pulling = false;
      }
      complete();
    };
    void pull();
    return () => {
      void it.return?.()?.catch(() => undefined);
    };
  });
}

/** One delivery, read to settled. Resolves (never rejects) after `settle` was called. */
export async function ingestDelivery(delivery: Delivery, options: IngestOptions): Promise<IngestReport> {
  // Garbage per delivery is kept low on this path (one report, no intermediate copies or closures):
  // thousands of deliveries are in flight at once, and what they hold survives young-generation
  // GCs (bench/ingest, where GC was a quarter of the CPU).
  const digest = options.fastDedupe === undefined ? null : digestOf(delivery.data);
  const known = digest === null ? null : await options.fastDedupe!.recall(digest);
  if (known !== null) return settle(delivery, fastDuplicate(delivery, known));
  if (options.reader !== undefined) {
    // Read in the reader thread; null: not a plain camt.054 delivery, read here on the full path.
    const plan = await options.reader.plan(delivery.data);
    if (plan !== null) return applyPlan(delivery, options, plan, digest);
  }
  let results: ReadResult[];
  try {
    results = readBuffer(delivery.data, READ_OPTIONS);
  } catch (err) {
    // The reader promises findings, never exceptions: this is a reader bug. Dead-lettered, not
    // nak'ed, so one file cannot stall the stream forever; the bytes are kept for a replay.
    const finding = { code: 'READER_FAILED', severity: 'error', path: '', message: String(err) };
    return deadLetter(delivery, options, [], [finding], nakOf(delivery, options));
  }
  const messages: { type: ReadResult['type']; messageId: string | null; routed: boolean }[] = [];
  let errors: (Finding & { readonly document: number })[] | null = null;
  for (const r of results) {
    messages.push({ type: r.type, messageId: r.messageId, routed: r.type !== null && (ROUTED.has(r.type) || (options.obligations !== undefined && isObligationMessage(r))) });
    if (r.ok) continue;
    for (const f of r.findings) if (f.severity === 'error') (errors ??= []).push({ document: r.index, ...f });
  }
  if (results.length === 0) (errors ??= []).push({ document: 0, code: 'DOCUMENT_MISSING', severity: 'error', path: '', message: 'no Document in the input' });
  if (errors !== null) return deadLetter(delivery, options, messages, errors, nakOf(delivery, options));
  /** What the clearing branch did, when the delivery also holds camt.05x: part of the same report. */
  let cleared: Carried | null = null;
  if (options.obligations !== undefined && results.some(isObligationMessage)) {
    // Obligations first, durable before anything is acknowledged; a delivery that also holds
    // camt.05x goes on below and is acknowledged (or nak'ed) by that path.
    const c = await clearObligations(results, options.obligations, options.statusReports);
    const entries = { appended: c.accepted, duplicate: c.duplicate, rejected: c.rejections.length, retry: 0 };
    const base = { id: delivery.id, source: delivery.source, messages, entries, rejections: c.rejections, deadLetterId: null };
    if (c.failure !== null) return settle(delivery, { ...base, verdict: 'retry', outcome: nakOf(delivery, options), codes: [c.failure.code], detail: c.failure.detail });
    if (!results.some((r) => r.type !== null && ROUTED.has(r.type))) {
      const verdict: Verdict = c.accepted === 0 && c.duplicate > 0 ? 'duplicate' : 'applied';
      const report = await settle(delivery, { ...base, verdict, outcome: 'ack', codes: c.rejections.length === 0 ? NO_CODES : [...new Set(c.rejections.map((r) => r.code))] });
      if (digest !== null && rememberable(report)) await options.fastDedupe!.remember(digest, { messages, entries: c.accepted + c.duplicate });
      return report;
    }
    cleared = { appended: c.accepted, duplicate: c.duplicate, rejections: c.rejections };
  }
  // What a dead letter of rejected entries names (the first routed document), taken now.
  const first = messages.find((m) => m.routed);

  let routed: Routed;
  let outcomes: readonly AccountOutcome[];
  try {
    // Statements read the journal first (what tier 1 recorded on their days): the one await before
    // the sends, only for deliveries holding a camt.053; the sends stay in document order.
    const statements = results.some((r) => r.type === 'camt.053')
      ? await prepareStatements(results, options.statements, accountKey, (a, currency) => accountActorId({ ...a, currency }))
      : null;
    routed = route(results, options.accounts, statements);
    // The parsed documents are not kept across the wait for the journal: with thousands of
    // deliveries in flight they all survived young-generation GCs (bench/ingest: GC time).
    results = [];
    const { sent } = routed;
    // One entry (a camt.054 notification) is the usual case: no Promise.all and no array for it.
    outcomes = sent.length === 1 ? [await sent[0]!.outcome] : await Promise.all(sent.map((x) => x.outcome));
  } catch (err) {
    // A wiring bug (send throws only for one): nothing is known to be applied, so not acknowledged.
    const entries = { appended: 0, duplicate: 0, rejected: 0, retry: 0 };
    const base = { id: delivery.id, source: delivery.source, messages, entries, rejections: [], deadLetterId: null };
    return settle(delivery, { ...base, verdict: 'retry', outcome: nakOf(delivery, options), codes: [err instanceof StatementQueryError ? err.code : 'PIPELINE_FAILED'], detail: String(err) });
  }
  return conclude(delivery, options, messages, first, routed, outcomes, digest, cleared);
}

/**
 * The clearing branch's counts and rejections in a delivery that also holds camt.05x: reported
 * with the entries (its rejections already went to the senders as pacs.002 RJCT, so they are not
 * dead-lettered with the entries').
 */
interface Carried {
  readonly appended: number;
  readonly duplicate: number;
  readonly rejections: readonly EntryRejection[];
}

/** A delivery planned by the reader thread: the same sends and the same verdicts as route(). */
async function applyPlan(delivery: Delivery, options: IngestOptions, plan: NotificationPlan, digest: string | null): Promise<IngestReport> {
  const { messages } = plan;
  let routed: Routed;
  let outcomes: readonly AccountOutcome[];
  try {
    routed = sendPlanned(plan, options.accounts);
    const { sent } = routed;
    outcomes = sent.length === 1 ? [await sent[0]!.outcome] : await Promise.all(sent.map((x) => x.outcome));
  } catch (err) {
    const entries = { appended: 0, duplicate: 0, rejected: 0, retry: 0 };
    return settle(delivery, {
      id: delivery.id, source: delivery.source, messages, entries, rejections: [], deadLetterId: null,
      verdict: 'retry', outcome: nakOf(delivery, options), codes: ['PIPELINE_FAILED'], detail: String(err),
    });
  }
  return conclude(delivery, options, messages, messages[0], routed, outcomes, digest);
}

/** From the actors' outcomes to the verdict: rejections dead-lettered (durable first), then settled. */
async function conclude(
  delivery: Delivery,
  options: IngestOptions,
  messages: IngestReport['messages'],
  first: IngestReport['messages'][number] | undefined,
  routed: Routed,
  outcomes: readonly AccountOutcome[],
  digest: string | null,
  cleared: Carried | null = null,
): Promise<IngestReport> {
  const { sent, rejections } = routed;
  const entries = { appended: 0, duplicate: 0, rejected: rejections.length, retry: 0 };
  let retryCodes: Set<string> | null = null;
  for (let i = 0; i < outcomes.length; i++) {
    const o = outcomes[i]!;
    if (o.status === 'appended') entries.appended++;
    else if (o.status === 'duplicate') entries.duplicate++;
    else if (o.status === 'rejected') {
      const at = sent[i]!;
      entries.rejected++;
      rejections.push({ accountId: at.accountId, messageId: at.messageId, path: at.path, code: o.rejection.code, message: o.rejection.message });
    } else {
      entries.retry++;
      (retryCodes ??= new Set()).add(o.code);
    }
  }
  if (retryCodes !== null) {
    return settle(delivery, {
      id: delivery.id, source: delivery.source, messages, entries, rejections,
      verdict: 'retry', outcome: nakOf(delivery, options), codes: [...retryCodes], deadLetterId: null,
    });
  }
  let deadLetterId: string | null = null;
  if (rejections.length > 0) {
    try {
      deadLetterId = await options.deadLetters.record({
        source: delivery.source,
        raw: delivery.data,
        contentType: 'application/xml',
        errors: rejections.map((r) => ({ kind: 'entry_rejected', ...r })),
        messageType: first?.type ?? undefined,
        messageId: first?.messageId ?? undefined,
      });
    } catch (err) {
      // The rejections are not durable: do not acknowledge (the applied entries come back as duplicates).
      return settle(delivery, {
        id: delivery.id, source: delivery.source, messages, entries, rejections,
        verdict: 'retry', outcome: nakOf(delivery, options), codes: ['DEAD_LETTER_FAILED'], deadLetterId: null, detail: String(err),
      });
    }
  }
  let reported: readonly EntryRejection[] = rejections;
  if (cleared !== null) {
    entries.appended += cleared.appended;
    entries.duplicate += cleared.duplicate;
    entries.rejected += cleared.rejections.length;
    reported = [...cleared.rejections, ...rejections];
  }
  const verdict: Verdict = first === undefined ? 'unrouted' : entries.appended === 0 && entries.duplicate > 0 ? 'duplicate' : 'applied';
  const codes = reported.length === 0 ? NO_CODES : [...new Set(reported.map((r) => r.code))];
  const report = await settle(delivery, { id: delivery.id, source: delivery.source, messages, entries, rejections: reported, verdict, outcome: 'ack', codes, deadLetterId });
  // Only now is the effect durable (and complete, per rememberable), so only now may it be shared.
  if (digest !== null && rememberable(report)) await options.fastDedupe!.remember(digest, { messages, entries: entries.appended + entries.duplicate });
  return report;
}

const NO_CODES: readonly string[] = Object.freeze([]);


/** The nak of a transient failure, with the backoff of this delivery's attempt. */
function nakOf(delivery: Delivery, options: IngestOptions): Outcome {
  return { nak: nakDelay(options.nakDelayMs ?? NAK_DELAY_MS_DEFAULT, delivery.deliveryCount) };
}

interface Sent {
  readonly accountId: string;
  readonly messageId: string;
  readonly path: string;
  readonly outcome: Promise<AccountOutcome>;
}

interface Routed {
  readonly sent: Sent[];
  /** Entries refused before any actor saw them; the caller appends the actors' rejections. */
  readonly rejections: EntryRejection[];
}

/** Sends every entry of every camt.05x document, in document order, without awaiting any. */
function route(results: readonly ReadResult[], accounts: AccountsPort, statements: ReadonlyMap<string, PreparedStatement> | null): Routed {
  const sent: Sent[] = [];
  const rejections: EntryRejection[] = [];
  for (const r of results) {
    if (r.type === null || !ROUTED.has(r.type) || r.message === null) continue;
    const message = r.message as ReportMessage;
    const msgId = usable(message.header.messageId) ?? r.messageId ?? `document#${r.index}`;
    const container = r.type === 'camt.053' ? 'Stmt' : r.type === 'camt.052' ? 'Rpt' : 'Ntfctn';
    for (const report of message.reports) {
      const account = accountKey(report);
      if (r.type === 'camt.053') {
        routeStatement(statements?.get(statementKey(r.index, report.index)), `Stmt[${report.index}]`, accounts, sent, rejections);
        continue;
      }
      if (r.type === 'camt.052') {
        const command = account === null ? null : intradayObservation(msgId, report);
        if (command !== null) {
          const accountId = accountActorId({ scheme: account!.scheme, id: account!.id, currency: command.currency });
          sent.push({ accountId, messageId: command.messageId, path: `Rpt[${report.index}]`, outcome: accounts.send(accountId, command) });
        }
        continue;
      }
      const planned: PlannedEntry[] = [];
      planReportEntries(msgId, container, report, planned, rejections);
      for (const p of planned) sent.push(sendEntry(p, accounts));
    }
  }
  return { sent, rejections };
}

/** Sends a plan's entries, in its order, without awaiting any. */
function sendPlanned(plan: NotificationPlan, accounts: AccountsPort): Routed {
  const sent: Sent[] = new Array(plan.entries.length);
  for (let i = 0; i < sent.length; i++) sent[i] = sendEntry(plan.entries[i]!, accounts);
  return { sent, rejections: plan.rejections.slice() };
}

function sendEntry(p: PlannedEntry, accounts: AccountsPort): Sent {
  return { accountId: p.accountId, messageId: p.messageId, path: p.path, outcome: accounts.send(p.accountId, p.command) };
}

const COPY_OUTCOME: Promise<AccountOutcome> = Promise.resolve({ status: 'duplicate' });

/** A prepared Stmt: sent, or a copy (counted as a duplicate: a re-send is not new data), or refused. */
function routeStatement(prepared: PreparedStatement | undefined, path: string, accounts: AccountsPort, sent: Sent[], rejections: EntryRejection[]): void {
  if (prepared === undefined) throw new Error(`${path} was not prepared`);
  if (prepared.kind === 'command') {
    sent.push({ accountId: prepared.accountId, messageId: prepared.command.messageId, path, outcome: accounts.send(prepared.accountId, prepared.command) });
  } else if (prepared.kind === 'copy') {
    sent.push({ accountId: prepared.accountId ?? '', messageId: prepared.messageId, path, outcome: COPY_OUTCOME });
  } else {
    rejections.push({ accountId: null, messageId: prepared.messageId, path, code: prepared.rejection.code, message: prepared.rejection.message });
  }
}


async function deadLetter(
  delivery: Delivery,
  options: IngestOptions,
  messages: IngestReport['messages'],
  errors: readonly (Omit<Finding, 'code' | 'severity'> & { readonly code: string; readonly severity: string })[],
  nak: Outcome,
): Promise<IngestReport> {
  const codes = [...new Set(errors.map((e) => e.code))];
  const base = { id: delivery.id, source: delivery.source, messages, entries: { appended: 0, duplicate: 0, rejected: 0, retry: 0 }, rejections: [] };
  let deadLetterId: string;
  try {
    deadLetterId = await options.deadLetters.record({
      source: delivery.source,
      raw: delivery.data,
      contentType: 'application/xml',
      errors,
      messageType: messages[0]?.type ?? undefined,
      messageId: messages[0]?.messageId ?? undefined,
    });
  } catch (err) {
    // Never term what is not durably dead-lettered: a term would lose the bytes for good.
    return settle(delivery, { ...base, verdict: 'retry', outcome: nak, codes: ['DEAD_LETTER_FAILED', ...codes], deadLetterId: null, detail: String(err) });
  }
  return settle(delivery, { ...base, verdict: 'dead_lettered', outcome: 'term', codes, deadLetterId });
}

async function settle(
  delivery: Delivery,
  report: Omit<IngestReport, 'settleError' | 'detail'> & { detail?: string | null; settleError?: string | null },
): Promise<IngestReport> {
  // The report is ours (built by the caller for this call): completed in place, not copied twice.
  report.detail ??= null;
  try {
    await delivery.settle(report.outcome);
    report.settleError = null;
  } catch (err) {
    report.settleError = err instanceof Error ? err.message : String(err);
  }
  return report as IngestReport;
}
