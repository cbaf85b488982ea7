import { sql } from "kysely";
import { DateTime } from "luxon";
import {
  type FoldedEvent,
  type FoldReport,
  historySettingsOf,
  LedgerHistoryBuilder,
} from "../core/metrics/ledger-history.js";
import type { Figure, MetricQuery, MetricResult } from "../core/metrics/metric.js";
import { computeMetric, metricDefinitions, metricNames } from "../core/metrics/metric-registry.js";
import type { PipelineHistory } from "../core/metrics/pipeline-history.js";
import { DAY } from "../core/metrics/statistics.js";
import type { ClockEvent } from "../core/sla/index.js";
import type { Engine } from "./engine.js";
import type { Database } from "./ledger-store.js";

/**
 * Metrics over the engine's own ledger: one history builder per workspace per process, brought
 * up to date before each answer by folding the events stored since the last one (in pages, so
 * memory holds the history and one page, never the ledger), then `computeMetric` on a snapshot
 * as of now. The first call folds the whole ledger; later calls fold only what is new.
 *
 * Glossary
 * - gap: ledger ids are reserved before a transaction commits, so an id below the last folded
 *   one can still appear (a transaction that committed later), or never (rolled back, or
 *   reserved and unused). Gaps seen in the last 60 seconds of the ledger's own clock
 *   (`recorded_at`) are read again on every refresh; older ones are taken as never coming.
 * - period: half-open [from, to); a date-only value is 00:00 of that date in the workspace zone;
 *   by default the 30 days up to now.
 */

const pageSize = 5000;
/**
 * A snapshot serves requests for this long while nothing new was stored: figures at most this
 * old, and a dashboard's panels, refreshes and drill-downs within it computed once.
 */
const snapshotReuseMs = 1_000;
const gapHorizonMs = 60_000;
/** at most this many gaps are watched; the oldest go first */
const maxGaps = 200;
/** event types the history reads; other events are read without their data */
const pipelineTypes = [
  "lead.created",
  "lead.resubmitted",
  "lead.stage_changed",
  "lead.fields_changed",
  "lead.activity_logged",
  "lead.context_checked",
  "lead.assigned",
  "opportunity.opened",
  "opportunity.stage_changed",
  "opportunity.closed",
  "clock.event",
] as const;

export type MetricsError =
  | { code: "unknown_metric"; message: string; known: string[] }
  | { code: "invalid_period"; message: string; field: "from" | "to" }
  | { code: "no_active_agreement"; message: string }
  | { code: "unknown_figure"; message: string; known: string[] }
  | { code: "unknown_group"; message: string; known: string[] };
export type MetricsErrorCode = MetricsError["code"];

type Outcome<Value> = { ok: true; value: Value } | { ok: false; error: MetricsError };

/** A metric query as callers write it: the period as text (ISO date or instant). */
export interface MetricRequest extends Omit<MetricQuery, "from" | "to"> {
  from?: string | undefined;
  to?: string | undefined;
}

interface Gap {
  from: number;
  to: number;
  /** recorded_at of the event after the gap */
  seenAt: number;
}

/** One workspace's history builder and what it has read so far. */
class WorkspaceHistory {
  builder: LedgerHistoryBuilder | undefined;
  version: number | undefined;
  gaps: Gap[] = [];
  latestRecordedAt = 0;
  /** the highest ledger id read, of any workspace */
  cursor = 0;
  /** the last snapshot, reused while nothing new was folded for up to `snapshotReuseMs` */
  snapshot: PipelineHistory | undefined;
  /** results computed on `snapshot`, by metric and query */
  results = new Map<string, MetricResult>();
  changedSinceSnapshot = true;
  /** refreshes run one at a time: the builder is not safe for interleaved folds */
  queue: Promise<unknown> = Promise.resolve();

  constructor(
    readonly db: Database,
    readonly workspace: string,
  ) {}
}

const histories = new WeakMap<Database, Map<string, WorkspaceHistory>>();

function historyOf(engine: Engine): WorkspaceHistory {
  let byWorkspace = histories.get(engine.db);
  if (byWorkspace === undefined) {
    byWorkspace = new Map();
    histories.set(engine.db, byWorkspace);
  }
  let known = byWorkspace.get(engine.workspace);
  if (known === undefined) {
    known = new WorkspaceHistory(engine.db, engine.workspace);
    byWorkspace.set(engine.workspace, known);
  }
  return known;
}

/** Folds the events stored since the last call; returns what the fold has seen so far. */
export async function refreshHistory(
  engine: Engine,
): Promise<Outcome<{ history: WorkspaceHistory; report: FoldReport; folded: number }>> {
  const state = historyOf(engine);
  const run = state.queue.then(() => refresh(engine, state));
  state.queue = run.catch(() => undefined);
  return run;
}

async function refresh(
  engine: Engine,
  state: WorkspaceHistory,
): Promise<Outcome<{ history: WorkspaceHistory; report: FoldReport; folded: number }>> {
  if (state.builder === undefined) {
    const active = await engine.registry.active(engine.db);
    if (active === undefined)
      return {
        ok: false,
        error: {
          code: "no_active_agreement",
          message:
            "no agreement version is active, so the funnel's stages are unknown; propose one and have both sides approve it",
        },
      };
    state.builder = new LedgerHistoryBuilder(
      historySettingsOf(active.compiled, engine.registry.resolveCalendar),
    );
    state.version = active.version;
  }
  const builder = state.builder;
  let folded = 0;
  let activated = false;
  const foldRows = async (rows: readonly EventRow[], after: number): Promise<void> => {
    const clockEvents: ClockEvent[] = [];
    let previous = after;
    const found = new Set<number>();
    for (const row of rows) {
      const id = Number(row.id);
      const recordedAt = Math.round(Number(row.recorded_at));
      if (recordedAt > state.latestRecordedAt) state.latestRecordedAt = recordedAt;
      if (id <= after) found.add(id);
      else {
        if (id > previous + 1)
          state.gaps.push({ from: previous + 1, to: id - 1, seenAt: recordedAt });
        previous = id;
        state.cursor = id;
      }
      // another workspace's event
      if (row.type === null) continue;
      if (row.type === "agreement.activated") activated = true;
      const event = foldedEvent(row, row.type);
      if (event.type === "clock.event") clockEvents.push(event.data.event as ClockEvent);
      builder.apply(event);
    }
    folded += rows.length;
    state.gaps = closeGaps(state.gaps, found, state.latestRecordedAt);
    // calendars of the agreement versions the clocks name, for the replay at snapshot
    await engine.registry.ensureLoaded(engine.db, clockEvents);
  };
  // Gaps are read once per refresh, in a query of their own: OR-ed into the page query, they
  // turned each page's ordered index scan into a bitmap scan and sort of every later event
  // (0.7 s a page at 2M events on the server).
  if (state.gaps.length > 0) {
    const gaps = state.gaps;
    const rows = await selectEvents(engine)
      .where((eb) => eb.or(gaps.map((gap) => eb.between("id", String(gap.from), String(gap.to)))))
      .orderBy("id")
      .execute();
    await foldRows(rows, state.cursor);
  }
  for (;;) {
    const after = state.cursor;
    const rows = await selectEvents(engine)
      // No workspace predicate: with one, a planner without statistics (PGlite never analyses)
      // reads every later event through the stream index and sorts them, for every page. Other
      // workspaces' events come back without their data and are skipped.
      .where("id", ">", String(after))
      .orderBy("id")
      .limit(pageSize)
      .execute();
    if (rows.length === 0) break;
    await foldRows(rows, after);
    if (rows.length < pageSize) break;
  }
  if (activated) {
    const active = await engine.registry.active(engine.db);
    if (active !== undefined && active.version !== state.version) {
      builder.setSettings(historySettingsOf(active.compiled, engine.registry.resolveCalendar));
      state.version = active.version;
    }
  }
  if (folded > 0 || activated) state.changedSinceSnapshot = true;
  return { ok: true, value: { history: state, report: builder.report(), folded } };
}

/**
 * Events as the fold reads them: instants as epoch ms and no column the fold does not read (on
 * PGlite each column costs per row: 300k events read in 3.2 s instead of 4.9 s with every
 * column); type and data only for this workspace, data only for the types the history reads.
 */
function selectEvents(engine: Engine) {
  const mine = sql`workspace = ${engine.workspace}`;
  return engine.db.selectFrom("events").select([
    "id",
    "stream_id",
    sql<string | null>`case when ${mine} then type end`.as("type"),
    // date_part is double precision; extract's numeric cost more than parsing a timestamp
    sql<number>`date_part('epoch', occurred_at) * 1000`.as("at"),
    sql<number>`date_part('epoch', recorded_at) * 1000`.as("recorded_at"),
    sql<unknown>`case when ${mine} and type in (${sql.join(pipelineTypes.map((type) => sql`${type}`))}) then data end`.as(
      "data",
    ),
  ]);
}
type EventRow = Awaited<ReturnType<ReturnType<typeof selectEvents>["execute"]>>[number];

function foldedEvent(row: EventRow, type: string): FoldedEvent {
  return {
    id: Number(row.id),
    type,
    streamId: row.stream_id,
    // instants are stored from epoch ms: the double is within rounding of one
    at: Math.round(Number(row.at)),
    data: row.data ?? {},
  } as FoldedEvent;
}

/** Gaps less the ids found in them, without those older than the horizon. */
function closeGaps(gaps: Gap[], found: ReadonlySet<number>, latest: number): Gap[] {
  const ids = [...found].sort((a, b) => a - b);
  const open: Gap[] = [];
  for (const gap of gaps) {
    if (latest - gap.seenAt > gapHorizonMs) continue;
    let from = gap.from;
    for (const id of ids) {
      if (id < from || id > gap.to) continue;
      if (id > from) open.push({ from, to: id - 1, seenAt: gap.seenAt });
      from = id + 1;
    }
    if (from <= gap.to) open.push({ from, to: gap.to, seenAt: gap.seenAt });
  }
  return open.slice(-maxGaps);
}

/** The history as of the engine's now, up to date with the ledger. */
export async function currentHistory(engine: Engine): Promise<Outcome<PipelineHistory>> {
  const refreshed = await refreshHistory(engine);
  if (!refreshed.ok) return refreshed;
  const state = refreshed.value.history;
  const now = engine.now();
  const last = state.snapshot;
  if (
    !state.changedSinceSnapshot &&
    last !== undefined &&
    now >= last.asOf &&
    now - last.asOf < snapshotReuseMs
  )
    return { ok: true, value: last };
  state.snapshot = state.builder!.snapshot(now);
  state.results = new Map();
  state.changedSinceSnapshot = false;
  return { ok: true, value: state.snapshot };
}

/**
 * `computeMetric` on the workspace's current snapshot, each metric and query computed once per
 * snapshot (results are shared: callers must not change them). Another history is computed
 * afresh.
 */
export function computeOnSnapshot(
  engine: Engine,
  history: PipelineHistory,
  name: string,
  query: MetricQuery,
): ReturnType<typeof computeMetric> {
  const state = historyOf(engine);
  if (state.snapshot !== history) return computeMetric(history, name, query);
  const key = `${name}\u0000${JSON.stringify(query, Object.keys(query).sort())}`;
  const known = state.results.get(key);
  if (known !== undefined) return { ok: true, result: known };
  const computed = computeMetric(history, name, query);
  if (computed.ok) state.results.set(key, computed.result);
  return computed;
}

/** Every metric with its title and definition, in METRICS.md order. */
export function metricCatalogue(): { name: string; title: string; definition: string }[] {
  return metricDefinitions.map(({ name, title, definition }) => ({ name, title, definition }));
}

export async function metric(
  engine: Engine,
  name: string,
  request: MetricRequest,
): Promise<Outcome<MetricResult>> {
  const set = await metricSet(engine, [name], request);
  return set.ok ? { ok: true, value: set.value[0]! } : set;
}

/** Several metrics over one snapshot (a dashboard): the history is folded and derived once. */
export async function metricSet(
  engine: Engine,
  names: readonly string[],
  request: MetricRequest,
): Promise<Outcome<MetricResult[]>> {
  const unknown = names.find((name) => !metricNames().includes(name));
  if (unknown !== undefined) return unknownMetric(unknown);
  const history = await currentHistory(engine);
  if (!history.ok) return history;
  const query = queryOf(request, history.value);
  if (!query.ok) return query;
  const results: MetricResult[] = [];
  for (const name of names) {
    const outcome = computeOnSnapshot(engine, history.value, name, query.value);
    if (!outcome.ok) return unknownMetric(name);
    results.push(outcome.result);
  }
  return { ok: true, value: results };
}

function unknownMetric(name: string): { ok: false; error: MetricsError } {
  return {
    ok: false,
    error: {
      code: "unknown_metric",
      message: `unknown metric '${name}'; known metrics: ${metricNames().join(", ")}`,
      known: metricNames(),
    },
  };
}

function queryOf(request: MetricRequest, history: PipelineHistory): Outcome<MetricQuery> {
  const period = resolvePeriod(request.from, request.to, history.timezone, history.asOf);
  if (!period.ok) return period;
  const { from: _from, to: _to, ...rest } = request;
  return { ok: true, value: { ...rest, ...period.value } };
}

/**
 * A period from its text: an ISO date is 00:00 of that date in the workspace zone; an instant
 * without an offset is read in the zone too. Missing `to` is now; missing `from` is 30 days
 * before `to`.
 */
export function resolvePeriod(
  from: string | undefined,
  to: string | undefined,
  timezone: string,
  now: number,
): Outcome<{ from: number; to: number }> {
  const end = to === undefined ? { ok: true as const, at: now } : instantOf(to, timezone, "to");
  if (!end.ok) return end;
  const start =
    from === undefined
      ? { ok: true as const, at: end.at - 30 * DAY }
      : instantOf(from, timezone, "from");
  if (!start.ok) return start;
  if (start.at >= end.at)
    return {
      ok: false,
      error: {
        code: "invalid_period",
        field: "from",
        message: `the period is empty: from (${new Date(start.at).toISOString()}) must be before to (${new Date(end.at).toISOString()}); periods are half-open [from, to)`,
      },
    };
  return { ok: true, value: { from: start.at, to: end.at } };
}

function instantOf(
  text: string,
  timezone: string,
  field: "from" | "to",
): { ok: true; at: number } | { ok: false; error: MetricsError } {
  const value = text.trim();
  const parsed = /^\d{4}-\d{2}-\d{2}$/.test(value)
    ? DateTime.fromISO(value, { zone: timezone }).startOf("day")
    : /^\d{4}-\d{2}-\d{2}T/.test(value)
      ? DateTime.fromISO(value, { zone: timezone })
      : undefined;
  if (parsed === undefined || !parsed.isValid)
    return {
      ok: false,
      error: {
        code: "invalid_period",
        field,
        message: `${field} '${text}' is neither a date (2026-03-09, 00:00 in ${timezone}) nor an instant (2026-03-09T14:00:00Z)`,
      },
    };
  return { ok: true, at: parsed.toMillis() };
}

/** One record behind a figure, as a list shows it. */
export interface MetricRecord {
  /** the figure's own id: a lead, an opportunity, or a cycle `<lead>/<step>#<cycle>` */
  ref: string;
  leadId: string | null;
  opportunityId: string | null;
  stage: string | null;
  owner: string | null;
  name: string | null;
  email: string | null;
  company: string | null;
  source: string | null;
  amount: number | null;
  outcome: "won" | "lost" | null;
  createdAt: number | null;
  closedAt: number | null;
}

export interface RecordsRequest {
  figure: string;
  /** a group's key (folded) or label; the total when absent */
  group?: string | undefined;
  offset: number;
  limit: number;
  /** a rep's reach: only leads they own or that wait in a queue, and their opportunities */
  ownedBy?: string | undefined;
}

export interface RecordsPage {
  metric: string;
  figure: string;
  group: string | null;
  kind: MetricResult["records"];
  /** records behind the figure (visible to the caller) */
  total: number;
  items: MetricRecord[];
  /** pass as offset for the next page; null on the last */
  nextOffset: number | null;
}

/** The records behind one figure of a metric, a page at a time, in the figure's order. */
export async function metricRecords(
  engine: Engine,
  name: string,
  request: MetricRequest,
  page: RecordsRequest,
): Promise<Outcome<RecordsPage>> {
  const computed = await metric(engine, name, request);
  if (!computed.ok) return computed;
  const result = computed.value;
  let figures: Record<string, Figure> = result.total;
  let groupKey: string | null = null;
  if (page.group !== undefined) {
    const wanted = page.group.trim().toLowerCase();
    const group = result.groups.find(
      (candidate) => candidate.key === wanted || candidate.label.toLowerCase() === wanted,
    );
    if (group === undefined)
      return {
        ok: false,
        error: {
          code: "unknown_group",
          message: `metric '${name}' has no group '${page.group}'${result.by === null ? "; pass by= to break it down" : ` by ${result.by}`}; groups: ${result.groups.map((candidate) => candidate.key).join(", ") || "(none)"}`,
          known: result.groups.map((candidate) => candidate.key),
        },
      };
    figures = group.figures;
    groupKey = group.key;
  }
  const figure = figures[page.figure];
  if (figure === undefined)
    return {
      ok: false,
      error: {
        code: "unknown_figure",
        message: `metric '${name}' has no figure '${page.figure}'; figures: ${Object.keys(figures).join(", ")}`,
        known: Object.keys(figures),
      },
    };
  let refs = [...new Set(figure.records)];
  if (page.ownedBy !== undefined)
    refs = await visibleRefs(engine, result.records, refs, page.ownedBy);
  const slice = refs.slice(page.offset, page.offset + page.limit);
  const items = await loadRecords(engine, result.records, slice);
  const next = page.offset + page.limit;
  return {
    ok: true,
    value: {
      metric: name,
      figure: page.figure,
      group: groupKey,
      kind: result.records,
      total: refs.length,
      items,
      nextOffset: next < refs.length ? next : null,
    },
  };
}

/** The lead a cycle ref `<lead>/<step>#<cycle>` is about. */
function leadOfCycle(ref: string): string {
  const withoutCycle = ref.slice(0, ref.lastIndexOf("#") < 0 ? ref.length : ref.lastIndexOf("#"));
  const slash = withoutCycle.lastIndexOf("/");
  return slash < 0 ? withoutCycle : withoutCycle.slice(0, slash);
}

function chunks<Item>(items: readonly Item[], size: number): Item[][] {
  const out: Item[][] = [];
  for (let index = 0; index < items.length; index += size)
    out.push(items.slice(index, index + size));
  return out;
}

async function visibleRefs(
  engine: Engine,
  kind: MetricResult["records"],
  refs: string[],
  rep: string,
): Promise<string[]> {
  const visible = new Set<string>();
  if (kind === "opportunities") {
    for (const part of chunks(refs, pageSize)) {
      const rows = await engine.db
        .selectFrom("opportunities")
        .select("id")
        .where("workspace", "=", engine.workspace)
        .where("id", "in", part)
        .where("owner", "=", rep)
        .execute();
      for (const row of rows) visible.add(row.id);
    }
    return refs.filter((ref) => visible.has(ref));
  }
  const leadIds = kind === "cycles" ? refs.map(leadOfCycle) : refs;
  for (const part of chunks([...new Set(leadIds)], pageSize)) {
    const rows = await engine.db
      .selectFrom("leads")
      .select("id")
      .where("workspace", "=", engine.workspace)
      .where("id", "in", part)
      .where((eb) =>
        eb.or([
          eb("owner_kind", "=", "queue"),
          eb.and([eb("owner_kind", "=", "rep"), eb("owner", "=", rep)]),
        ]),
      )
      .execute();
    for (const row of rows) visible.add(row.id);
  }
  return refs.filter((ref) => visible.has(kind === "cycles" ? leadOfCycle(ref) : ref));
}

async function loadRecords(
  engine: Engine,
  kind: MetricResult["records"],
  refs: string[],
): Promise<MetricRecord[]> {
  if (refs.length === 0) return [];
  if (kind === "opportunities") {
    const rows = await engine.db
      .selectFrom("opportunities")
      .select(["id", "lead_id", "stage", "amount", "owner", "opened_at", "closed_at", "outcome"])
      .where("workspace", "=", engine.workspace)
      .where("id", "in", refs)
      .execute();
    const leads = await leadSummaries(engine, [...new Set(rows.map((row) => row.lead_id))]);
    const byId = new Map(rows.map((row) => [row.id, row]));
    return refs.flatMap((ref) => {
      const row = byId.get(ref);
      if (row === undefined) return [];
      const lead = leads.get(row.lead_id);
      return [
        {
          ref,
          leadId: row.lead_id,
          opportunityId: row.id,
          stage: row.stage,
          owner: row.owner,
          name: lead?.name ?? null,
          email: lead?.email ?? null,
          company: lead?.company ?? null,
          source: lead?.source ?? null,
          amount: row.amount === null ? null : Number(row.amount),
          outcome: row.outcome,
          createdAt: row.opened_at.getTime(),
          closedAt: row.closed_at?.getTime() ?? null,
        },
      ];
    });
  }
  const leadIds = refs.map((ref) => (kind === "cycles" ? leadOfCycle(ref) : ref));
  const leads = await leadSummaries(engine, [...new Set(leadIds)]);
  return refs.flatMap((ref, index) => {
    const lead = leads.get(leadIds[index]!);
    if (lead === undefined) return [];
    return [
      {
        ref,
        leadId: lead.id,
        opportunityId: lead.opportunityId,
        stage: lead.stage,
        owner: lead.owner,
        name: lead.name,
        email: lead.email,
        company: lead.company,
        source: lead.source,
        amount: null,
        outcome: null,
        createdAt: lead.createdAt,
        closedAt: null,
      },
    ];
  });
}

async function leadSummaries(engine: Engine, ids: string[]) {
  const summaries = new Map<
    string,
    {
      id: string;
      stage: string;
      owner: string | null;
      name: string | null;
      email: string | null;
      company: string | null;
      source: string | null;
      opportunityId: string | null;
      createdAt: number;
    }
  >();
  if (ids.length === 0) return summaries;
  const rows = await engine.db
    .selectFrom("leads")
    .select(["id", "stage", "owner", "created_at", "data"])
    .where("workspace", "=", engine.workspace)
    .where("id", "in", ids)
    .execute();
  const text = (value: unknown) => (typeof value === "string" && value !== "" ? value : null);
  for (const row of rows) {
    const view = row.data as {
      fields?: Record<string, unknown>;
      company?: Record<string, unknown>;
      opportunityId?: string | null;
    };
    const fields = view.fields ?? {};
    const name = [text(fields.first_name), text(fields.last_name)].filter(Boolean).join(" ");
    summaries.set(row.id, {
      id: row.id,
      stage: row.stage,
      owner: row.owner,
      name: name === "" ? null : name,
      email: text(fields.email),
      company: text(view.company?.name) ?? text(fields.company),
      source: text(fields.source),
      opportunityId: view.opportunityId ?? null,
      createdAt: row.created_at.getTime(),
    });
  }
  return summaries;
}
