import { sql } from "kysely";
import type { LocatedIssue } from "../core/agreement/agreement-issue.js";
import { type CompiledAgreement, compileAgreement } from "../core/agreement/compile-agreement.js";
import { loadAgreement } from "../core/agreement/load-agreement.js";
import {
  type BacktestClock,
  type BacktestLead,
  type BacktestPhase,
  type BacktestReplay,
  type BacktestReport,
  startBacktest,
} from "../core/backtest/index.js";
import type { Activity, FieldRecord } from "../core/lead/lead.js";
import type { Assignee } from "../core/routing/index.js";
import type { ClockEvent } from "../core/sla/index.js";
import type { Engine } from "./engine.js";
import type { Executor } from "./ledger-store.js";

/**
 * Backtests of agreement versions on the stored history (core/backtest does the replay).
 *
 * Decisions
 * - Window: the leads created in [from, to) (default: the 90 days before now) and their clock
 *   logs; open leads created earlier that a rep held at `from` weigh on caps until they close
 *   (their current owner; closed at their last stage change if that stage is not open).
 * - Reads: set-based, only the JSON paths the replay reads (fields, company, activities of each
 *   lead; `to`/`open`/`owner`/`cause` of its stage changes and assignments; the `event` of each
 *   clock event), never whole projection rows. The leads and their events come in twelve spans
 *   of the window, a statement each, two at a time, and the replay works on each span while the
 *   server reads the next ones (on the bench's 100,000 leads the replay, not the read, is then
 *   the longer part).
 * - Sign-off: a proposed version's backtest is computed on first request and kept in this
 *   process per version number, window and ledger position (the highest event id): the same
 *   question on the same history is answered once, and any new event makes the next request
 *   compute again. Nothing is stored, so no migration; drafts (YAML not yet proposed) are never
 *   cached.
 * - The comparison is against the version in force now; with none active there is nothing to
 *   compare and the answer says so.
 */

export const backtestErrorCodes = [
  "invalid_agreement",
  "unknown_version",
  "no_active_agreement",
  "invalid_window",
] as const;
export type BacktestErrorCode = (typeof backtestErrorCodes)[number];

export interface BacktestError {
  code: BacktestErrorCode;
  message: string;
  issues?: LocatedIssue[];
}

export type BacktestResult =
  | { ok: true; value: BacktestReport; cached: boolean }
  | { ok: false; error: BacktestError };

export interface BacktestRequest {
  /** a draft's YAML (checked like `baton agreement validate`) … */
  yaml?: string;
  /** … its file name for located issues */
  file?: string;
  /** … or a stored version's number */
  versionNumber?: number;
  /** epoch ms; default `to` − 90 days */
  from?: number;
  /** epoch ms; default now */
  to?: number;
  examples?: number;
  progress?: (phase: BacktestPhase | "loading", done: number, total: number) => void;
}

export const defaultWindowDays = 90;
const dayMs = 86_400_000;

interface CacheEntry {
  key: string;
  report: BacktestReport;
}
const cache = new WeakMap<Engine, Map<number, CacheEntry>>();

export async function backtestProposal(
  engine: Engine,
  request: BacktestRequest,
): Promise<BacktestResult> {
  const to = request.to ?? engine.now();
  const from = request.from ?? to - defaultWindowDays * dayMs;
  if (!Number.isFinite(from) || !Number.isFinite(to) || from >= to)
    return {
      ok: false,
      error: {
        code: "invalid_window",
        message: `the window must start before it ends (from ${new Date(from).toISOString()} to ${new Date(to).toISOString()})`,
      },
    };
  const db = engine.db;
  let proposed: { number: number | null; compiled: CompiledAgreement };
  if (request.versionNumber !== undefined) {
    const compiled = await engine.registry.load(db, request.versionNumber);
    if (compiled === undefined)
      return {
        ok: false,
        error: {
          code: "unknown_version",
          message: `there is no agreement version ${request.versionNumber}`,
        },
      };
    proposed = { number: request.versionNumber, compiled };
  } else {
    const loaded = loadAgreement(request.yaml ?? "", request.file ?? "agreement.yaml");
    if (!loaded.ok)
      return {
        ok: false,
        error: {
          code: "invalid_agreement",
          message: `the agreement has ${loaded.issues.length} problem(s); fix them and run the backtest again (baton agreement validate shows them with line numbers)`,
          issues: loaded.issues,
        },
      };
    proposed = { number: null, compiled: compileAgreement(loaded.agreement) };
  }
  const active = await engine.registry.active(db);
  if (active === undefined)
    return {
      ok: false,
      error: {
        code: "no_active_agreement",
        message:
          "no agreement version is in force, so there is nothing to compare the proposal with; the first version is signed without a backtest",
      },
    };

  let key: string | undefined;
  if (proposed.number !== null) {
    const position = await db
      .selectFrom("events")
      .select((eb) => eb.fn.max("id").as("id"))
      .where("workspace", "=", engine.workspace)
      .executeTakeFirst();
    key = `${active.version}:${from}:${to}:${request.examples ?? ""}:${position?.id ?? 0}`;
    const known = cache.get(engine)?.get(proposed.number);
    if (known !== undefined && known.key === key)
      return { ok: true, value: known.report, cached: true };
  }

  // the window is replayed span by span as its history arrives: the replay of one span runs
  // while the server reads the next ones
  request.progress?.("loading", 0, 1);
  const leadCount = countLeads(db, engine.workspace, { from, to });
  leadCount.catch(() => undefined);
  let replay: BacktestReplay | undefined;
  const start = async () =>
    startBacktest({
      window: { from, to },
      active: { number: active.version, compiled: active.compiled },
      proposed,
      resolveCalendar: engine.registry.resolveCalendar,
      leadCount: await leadCount,
      ...(request.examples === undefined ? {} : { examples: request.examples }),
      ...(request.progress === undefined ? {} : { progress: request.progress }),
    });
  const context = await readBacktestHistory(db, engine.workspace, { from, to }, async (batch) => {
    await engine.registry.ensureLoaded(
      db,
      batch.clocks.flatMap((clock) => clock.events),
    );
    replay ??= await start();
    replay.add(batch);
  });
  request.progress?.("loading", 1, 1);
  replay ??= await start();
  const report = replay.finish(context);
  if (key !== undefined && proposed.number !== null) {
    let entries = cache.get(engine);
    if (entries === undefined) {
      entries = new Map();
      cache.set(engine, entries);
    }
    entries.set(proposed.number, { key, report });
  }
  return { ok: true, value: report, cached: false };
}

export interface BacktestHistory extends BacktestContext {
  leads: BacktestLead[];
  clocks: BacktestClock[];
}

/** What routing reads besides the window's leads. */
export interface BacktestContext {
  carriedLoads: { rep: string; closesAt: number | null }[];
  accountOpportunities: { accountId: string; openedAt: number; closedAt: number | null }[];
}

const epochMs = (column: string) => sql<number>`date_part('epoch', ${sql.ref(column)}) * 1000`;

/**
 * Each window is read in this many spans of time, a statement each, at most `spansInFlight` at
 * once (measured on the bench's 100,000 leads: see bench/backtest.ts).
 */
const historySpans = 12;
const spansInFlight = 2;
/** the replay takes a span's leads this many at a time, reading the socket in between */
const rowsPerBatch = 500;

/** One lead of the window with its events packed (see spanQuery). */
interface PackedLeadRow {
  id: string;
  created_at: number;
  fields: FieldRecord;
  company: FieldRecord;
  activities: Activity[];
  account_id: string | null;
  account_owner: string | null;
  /**
   * stage changes and assignments in ledger (id) order, each stream's causal order: fields
   * joined by U+001F, events by U+001E
   */
  lead_events: string | null;
  /** per clock `<id> U+001D <step> U+001D <events>`, clocks joined by U+001C */
  clock_events: string | null;
  /** the lead's opportunities in opening order: fields joined by U+001F, rows by U+001E */
  opportunities: string | null;
}

/**
 * The leads created in [from, to), in creation order, each with its stage changes, assignments
 * and clock events (found through the events' stream index: no scan, sort or grouping of the
 * whole events table). Sending 600,000 event rows cost more than anything else here (the driver
 * parses every field of every row), so each lead's events come packed into strings that are
 * split in memory. Only the rare calendar changes and recalculations carry their JSON; warn and
 * breach records are left out (a cycle's state follows the facts).
 */
async function leadSpan(db: Executor, workspace: string, from: Date, to: Date) {
  // The planner prices the per-lead lookups as a large query and would JIT-compile it, which
  // costs more than the lookups themselves (a quarter of the bench's 100,000 leads: 2.8 s
  // compiled, 1.6 s not); `set local` keeps the setting to this read.
  if (db.isTransaction) return spanQuery(db, workspace, from, to);
  return db.transaction().execute(async (trx) => {
    await sql`set local jit = off`.execute(trx);
    return spanQuery(trx, workspace, from, to);
  });
}

function spanQuery(db: Executor, workspace: string, from: Date, to: Date) {
  return sql<PackedLeadRow>`
    select l.id, (l.data->>'createdAt')::float8 as created_at, l.data->'fields' as fields,
      l.data->'company' as company, l.data->'activities' as activities,
      l.data->>'accountId' as account_id, a.owner as account_owner,
      (select string_agg(concat_ws(chr(31),
          (date_part('epoch', e.occurred_at) * 1000)::text,
          e.type,
          coalesce(e.data->>'to', e.data->>'stage', ''),
          coalesce(e.data->>'open', ''),
          coalesce(e.data->'owner'->>'kind', ''),
          coalesce(e.data->'owner'->>'id', ''),
          coalesce(e.data->'owner'->>'team', ''),
          coalesce(e.data->>'cause', '')), chr(30) order by e.id)
        from events e
        where e.workspace = l.workspace and e.stream_type = 'lead' and e.stream_id = l.id
          and e.type in ('lead.created', 'lead.stage_changed', 'lead.assigned')) as lead_events,
      (select string_agg(concat_ws(chr(29), c.id, c.step, (
          select string_agg(concat_ws(chr(31),
              e.id::text,
              e.data->'event'->>'type',
              coalesce(e.data->'event'->>'at', ''),
              coalesce(e.data->'event'->>'reason', ''),
              coalesce(e.data->'event'->'goal'->>'goalId', ''),
              coalesce(e.data->'event'->'goal'->>'targetMs', ''),
              coalesce(e.data->'event'->'goal'->>'calendarRef', ''),
              coalesce(e.data->'event'->'goal'->>'agreementVersion', ''),
              case when e.data->'event'->>'type' in ('calendar-change', 'recalculate')
                then (e.data->'event')::text else '' end), chr(30))
          from events e
          where e.workspace = c.workspace and e.stream_type = 'clock' and e.stream_id = c.id
            and e.type = 'clock.event'
            and e.data->'event'->>'type' not in ('warn', 'breach'))), chr(28))
        from clocks c
        where c.workspace = l.workspace and c.lead_id = l.id) as clock_events,
      (select string_agg(concat_ws(chr(31),
          o.id,
          (date_part('epoch', o.opened_at) * 1000)::text,
          coalesce(o.outcome, ''),
          coalesce(o.amount::text, '')), chr(30) order by o.opened_at, o.id)
        from opportunities o
        where o.workspace = l.workspace and o.lead_id = l.id) as opportunities
    from leads l
    left join accounts a on a.workspace = l.workspace and a.id = l.data->>'accountId'
    where l.workspace = ${workspace} and l.created_at >= ${from} and l.created_at < ${to}
    order by l.created_at, l.id`.execute(db);
}

/**
 * What the replay reads about the window: the leads with their events and opportunities (in
 * spans of time, see spanQuery), handed to `onBatch` in creation order, at most `rowsPerBatch`
 * leads (with their clocks) at a time, and what routing reads besides (the open leads carried
 * in, the accounts' opportunities), returned at the end. On a server the statements run
 * concurrently (a connection each) and are read while `onBatch` works on the span before;
 * PGlite takes them one after another.
 */
export async function readBacktestHistory(
  db: Executor,
  workspace: string,
  window: { from: number; to: number },
  onBatch: (batch: { leads: BacktestLead[]; clocks: BacktestClock[] }) => Promise<void> | void,
): Promise<BacktestContext> {
  const from = new Date(window.from);
  const to = new Date(window.to);
  const spanMs = Math.ceil((window.to - window.from) / historySpans);
  const spans: Promise<{ rows: PackedLeadRow[] }>[] = [];
  // a failed read ends the whole read, and the statements still running then are of no
  // interest: each gets a handler now, so their failures are not unhandled rejections later
  const handled = <Value>(promise: Promise<Value>) => {
    promise.catch(() => undefined);
    return promise;
  };
  const startSpan = (index: number) => {
    if (index >= historySpans) return;
    const spanFrom = window.from + index * spanMs;
    const spanTo = Math.min(window.to, spanFrom + spanMs);
    spans.push(handled(leadSpan(db, workspace, new Date(spanFrom), new Date(spanTo))));
  };

  const carriedQuery = handled(
    sql<{ owner: string; open: boolean; closes_at: number }>`
    select owner, open, ${epochMs("stage_entered_at")} as closes_at
    from leads
    where workspace = ${workspace} and created_at < ${from} and owner_kind = 'rep'
      and (open or stage_entered_at >= ${from})`.execute(db),
  );

  const accountQuery = handled(
    sql<{ account_id: string; opened_at: number; closed_at: number | null }>`
    select account_id, ${epochMs("opened_at")} as opened_at,
      case when closed_at is null then null else ${epochMs("closed_at")} end as closed_at
    from opportunities
    where workspace = ${workspace} and account_id is not null and opened_at < ${to}
      and (closed_at is null or closed_at > ${from})`.execute(db),
  );

  for (let index = 0; index < spansInFlight; index++) startSpan(index);
  for (let index = 0; index < historySpans; index++) {
    const { rows } = await spans[index]!;
    // the span's rows are not kept once replayed
    spans[index] = Promise.resolve({ rows: [] });
    startSpan(index + spansInFlight);
    for (let first = 0; first < rows.length; first += rowsPerBatch) {
      await onBatch(unpackSpan(rows.slice(first, first + rowsPerBatch)));
      // the driver takes in what the server sends between batches: a server whose socket is
      // not read waits, and the spans in flight would be read only between spans
      await new Promise((resolve) => setImmediate(resolve));
    }
  }
  const [carried, accountRows] = await Promise.all([carriedQuery, accountQuery]);
  return {
    carriedLoads: carried.rows.map((row) => ({
      rep: row.owner,
      closesAt: row.open ? null : Math.round(Number(row.closes_at)),
    })),
    accountOpportunities: accountRows.rows.map((row) => ({
      accountId: row.account_id,
      openedAt: Math.round(Number(row.opened_at)),
      closedAt: row.closed_at === null ? null : Math.round(Number(row.closed_at)),
    })),
  };
}

/** How many leads were created in the window (the replay's progress total). */
async function countLeads(
  db: Executor,
  workspace: string,
  window: { from: number; to: number },
): Promise<number> {
  const row = await db
    .selectFrom("leads")
    .select((eb) => eb.fn.countAll<string>().as("count"))
    .where("workspace", "=", workspace)
    .where("created_at", ">=", new Date(window.from))
    .where("created_at", "<", new Date(window.to))
    .executeTakeFirst();
  return Number(row?.count ?? 0);
}

/** The whole window's history at once (readBacktestHistory's batches joined). */
export async function loadBacktestHistory(
  db: Executor,
  workspace: string,
  window: { from: number; to: number },
): Promise<BacktestHistory> {
  const leads: BacktestLead[] = [];
  const clocks: BacktestClock[] = [];
  const context = await readBacktestHistory(db, workspace, window, (batch) => {
    leads.push(...batch.leads);
    clocks.push(...batch.clocks);
  });
  return { leads, clocks, ...context };
}

const text = (value: string | undefined) => (value === undefined || value === "" ? null : value);

/** A span's rows as the replay reads them (see spanQuery for the packing). */
function unpackSpan(rows: readonly PackedLeadRow[]): {
  leads: BacktestLead[];
  clocks: BacktestClock[];
} {
  const leads: BacktestLead[] = [];
  const clocks: BacktestClock[] = [];
  for (const row of rows) {
    const lead: BacktestLead = {
      id: row.id,
      createdAt: Number(row.created_at),
      fields: row.fields ?? {},
      company: row.company ?? {},
      activities: row.activities ?? [],
      accountId: row.account_id,
      accountOwner: row.account_owner,
      ...unpackLeadEvents(row.lead_events),
      opportunity: unpackOpportunity(row.opportunities),
    };
    leads.push(lead);
    if (row.clock_events !== null) unpackClocks(lead.id, row.clock_events, clocks);
  }
  return { leads, clocks };
}

function unpackLeadEvents(
  packedEvents: string | null,
): Pick<BacktestLead, "stages" | "assignments"> {
  // in ledger order (spanQuery orders them by id)
  const stages: BacktestLead["stages"][number][] = [];
  const assignments: BacktestLead["assignments"][number][] = [];
  if (packedEvents !== null)
    for (const packed of packedEvents.split("\u001e")) {
      const f = packed.split("\u001f");
      const at = Math.round(Number(f[0]));
      if (f[1] === "lead.assigned") {
        const ownerId = text(f[5]);
        if (ownerId === null) continue;
        const owner: Assignee =
          f[4] === "queue"
            ? { kind: "queue", id: ownerId, team: f[6] ?? "" }
            : { kind: "rep", id: ownerId };
        assignments.push({ at, owner, cause: f[7] ?? "" });
      } else {
        const stage = text(f[2]);
        if (stage !== null) stages.push({ stage, at, open: f[3] === "true" });
      }
    }
  return { stages, assignments };
}

/** A lead's first opportunity stands for it, unless a later one was won. */
function unpackOpportunity(packedRows: string | null): BacktestLead["opportunity"] {
  if (packedRows === null) return null;
  let chosen: BacktestLead["opportunity"] = null;
  for (const packed of packedRows.split("\u001e")) {
    const f = packed.split("\u001f");
    const outcome = text(f[2]) as "won" | "lost" | null;
    if (chosen !== null && (chosen.outcome === "won" || outcome !== "won")) continue;
    const amount = text(f[3]);
    chosen = {
      id: f[0] ?? "",
      openedAt: Math.round(Number(f[1])),
      outcome,
      amount: amount === null ? null : Number(amount),
    };
  }
  return chosen;
}

function unpackClocks(leadId: string, packedClocks: string, clocks: BacktestClock[]): void {
  for (const packedClock of packedClocks.split("\u001c")) {
    const [clockId = "", step = "", packedEvents = ""] = packedClock.split("\u001d");
    const events: ClockEvent[] = [];
    if (packedEvents !== "")
      for (const packed of packedEvents.split("\u001e")) {
        const f = packed.split("\u001f");
        const seq = Number(f[0]);
        const type = f[1] ?? "";
        const at = Number(f[2]);
        const json = text(f[8]);
        // replay orders a log by instant and seq itself
        if (json !== null) events.push({ ...(JSON.parse(json) as object), seq } as ClockEvent);
        else if (type === "start")
          events.push({
            type,
            at,
            seq,
            goal: {
              goalId: f[4] ?? "",
              targetMs: Number(f[5]),
              calendarRef: f[6] ?? "",
              agreementVersion: Number(f[7]),
            },
          });
        else {
          const reason = text(f[3]);
          events.push({ type, at, seq, ...(reason === null ? {} : { reason }) } as ClockEvent);
        }
      }
    if (events.length > 0) clocks.push({ id: clockId, leadId, step, events });
  }
}
