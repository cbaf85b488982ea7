import { type Kysely, type RawBuilder, sql, type Transaction } from "kysely";
import type { LeadView } from "../core/ledger/lead-view.js";
import type { NewEvent, StoredEvent } from "../core/ledger/ledger-event.js";
import { streamOf } from "../core/ledger/ledger-event.js";
import {
  type AccountView,
  type AgreementVersionView,
  applyEvent,
  type ClockLog,
  emptyProjectionSet,
  type OpportunityView,
  type ProjectionSet,
} from "../core/ledger/projection.js";
import type { ClockEvent, ClockState } from "../core/sla/index.js";
import { replayClock } from "../core/sla/index.js";
import { type Recordset, recordsetStatements, writeTogether } from "../db/recordset.js";
import type { BatonDatabase } from "../db/schema.js";
import type { AgreementRegistry } from "./agreement-registry.js";
import type { ScheduledTimer, TimerPort } from "./engine.js";

/**
 * The ledger and its projections as one unit of work: events are appended and folded into the
 * loaded projection set, and `flush` writes every touched row, inside the caller's transaction.
 * Loaders bring rows into the set; writes are set-based (one statement per table).
 */

export type Database = Kysely<BatonDatabase>;
export type Executor = Kysely<BatonDatabase> | Transaction<BatonDatabase>;

const json = (value: unknown) => JSON.stringify(value);
const date = (at: number | null) => (at === null ? null : new Date(at));

const eventsRecordset: Recordset = {
  table: "events",
  columns: {
    id: "bigint",
    workspace: "text",
    stream_type: "text",
    stream_id: "text",
    type: "text",
    actor: "text",
    occurred_at: "timestamptz",
    agreement_version: "integer",
    explanation: "jsonb",
    data: "jsonb",
    idempotency_key: "text",
  },
};

const leadColumns = {
  workspace: "text",
  id: "text",
  system: "text",
  external_id: "text",
  email_key: "text",
  domain_key: "text",
  company_key: "text",
  stage: "text",
  stage_entered_at: "timestamptz",
  created_at: "timestamptz",
  owner: "text",
  owner_kind: "text",
  score: "integer",
  open: "boolean",
  agreement_version: "integer",
  last_activity_at: "timestamptz",
  first_touch_at: "timestamptz",
  data: "jsonb",
  last_event_id: "bigint",
} as const;

const leadsRecordset: Recordset = {
  table: "leads",
  columns: leadColumns,
  conflict: {
    keys: ["workspace", "id"],
    update: Object.keys(leadColumns).filter(
      (name) => !["workspace", "id", "created_at"].includes(name),
    ),
  },
};

const clockColumns = {
  workspace: "text",
  id: "text",
  lead_id: "text",
  step: "text",
  cycles: "integer",
  cycle: "bigint",
  state: "text",
  goal: "text",
  started_at: "timestamptz",
  due_at: "timestamptz",
  stopped_at: "timestamptz",
  breach_recorded_at: "timestamptz",
  paused: "boolean",
  data: "jsonb",
  last_event_id: "bigint",
} as const;

const clocksRecordset: Recordset = {
  table: "clocks",
  columns: clockColumns,
  conflict: {
    keys: ["workspace", "id"],
    update: Object.keys(clockColumns).filter(
      (name) => !["workspace", "id", "lead_id", "step"].includes(name),
    ),
  },
};

const opportunityColumns = {
  workspace: "text",
  id: "text",
  lead_id: "text",
  account_id: "text",
  stage: "text",
  amount: "numeric",
  owner: "text",
  opened_at: "timestamptz",
  closed_at: "timestamptz",
  outcome: "text",
  data: "jsonb",
  last_event_id: "bigint",
} as const;

const opportunitiesRecordset: Recordset = {
  table: "opportunities",
  columns: opportunityColumns,
  conflict: {
    keys: ["workspace", "id"],
    update: ["stage", "amount", "owner", "closed_at", "outcome", "data", "last_event_id"],
  },
};

const accountsRecordset: Recordset = {
  table: "accounts",
  columns: {
    workspace: "text",
    id: "text",
    name: "text",
    name_key: "text",
    domain_key: "text",
    owner: "text",
    data: "jsonb",
    last_event_id: "bigint",
  },
  conflict: {
    keys: ["workspace", "id"],
    update: ["name", "name_key", "domain_key", "owner", "data", "last_event_id"],
  },
};

const routingRecordset: Recordset = {
  table: "routing_state",
  columns: {
    workspace: "text",
    pools: "jsonb",
    revisions: "jsonb",
    revision: "bigint",
    last_event_id: "bigint",
  },
  conflict: { keys: ["workspace"], update: ["pools", "revisions", "revision", "last_event_id"] },
};

/** Each operation adds its change to the stored count. */
const repLoadsRecordset: Recordset = {
  table: "rep_loads",
  columns: { workspace: "text", rep: "text", open_leads: "integer" },
  conflict: {
    keys: ["workspace", "rep"],
    update: ["open_leads = rep_loads.open_leads + excluded.open_leads"],
  },
};

/**
 * One operation's writes. Events get their ids up front (reserved from the ledger's identity
 * sequence in blocks) and are folded into the projection set at once, so the pipeline reads its
 * own writes without a round trip; `commit` then inserts every event in one statement and
 * writes each touched projection row once. Unused reserved ids are gaps, as any rolled-back
 * insert leaves.
 */
export class UnitOfWork {
  readonly set: ProjectionSet = emptyProjectionSet();
  #ids: number[] = [];
  /** the next unused id in #ids (taking from the front of a 4,000-id array by shift() is slow) */
  #next = 0;
  #reserved = 0;
  #buffered: StoredEvent[] = [];
  #deferred: RawBuilder<unknown>[] = [];
  /** timers to arm, by key (the last plan for a key wins), and clocks whose other timers go */
  readonly #timers = new Map<string, ScheduledTimer>();
  readonly #cancels = new Map<string, Set<string>>();
  readonly #replays = new Map<
    ClockLog,
    { events: number; result: ReturnType<typeof clockStateOf> }
  >();

  constructor(
    readonly db: Executor,
    readonly workspace: string,
    readonly registry: AgreementRegistry,
    readonly timerPort?: TimerPort,
  ) {}

  /**
   * Plans the clocks' timers: arms `timers` and, unless the clocks are new, cancels their other
   * pending ones. Planning a clock again in the same unit replaces its earlier plan, so the
   * writes at commit touch each timer row once.
   */
  planTimers(
    clockIds: readonly string[],
    timers: readonly ScheduledTimer[],
    options: { newClocks?: boolean } = {},
  ): void {
    for (const clockId of clockIds) {
      for (const [key, timer] of this.#timers)
        if (timer.streamId === clockId) this.#timers.delete(key);
      if (!options.newClocks) this.#cancels.set(clockId, new Set());
    }
    for (const timer of timers) {
      this.#timers.set(timer.key, timer);
      this.#cancels.get(timer.streamId)?.add(timer.key);
    }
  }

  /** Statements to run with this unit's writes at commit (timers, outbox rows, …). */
  defer(statements: readonly RawBuilder<unknown>[]): void {
    this.#deferred.push(...statements);
  }

  /** Takes event ids the caller reserved (in ascending order) along with another query. */
  supplyIds(ids: readonly number[]): void {
    this.#ids = this.#ids.slice(this.#next).concat(ids);
    this.#next = 0;
    this.#reserved = Math.max(this.#reserved, ids.length);
  }

  /**
   * Drops the ids reserved so far: after locking a stream, its new events need ids reserved
   * after the lock, so a transaction that waited for the lock never writes ids below those of
   * the one it waited for (the ledger's order within a stream is its id order).
   */
  discardIds(): void {
    this.#ids = [];
    this.#next = 0;
  }

  /** Asks for at least `count` ids in the next reservation (a batch knows its size). */
  expect(count: number): void {
    this.#reserved = Math.max(this.#reserved, count);
  }

  async append(events: readonly NewEvent[]): Promise<StoredEvent[]> {
    if (events.length === 0) return [];
    if (this.#ids.length - this.#next < events.length) {
      const count = Math.max(events.length - (this.#ids.length - this.#next), this.#reserved, 16);
      const rows = await sql<{ id: string }>`${eventIds(count)}`.execute(this.db);
      this.#ids = this.#ids
        .slice(this.#next)
        .concat(rows.rows.map((row) => Number(row.id)).sort((a, b) => a - b));
      this.#next = 0;
      this.#reserved += count;
    }
    const stored = events.map(
      (event) =>
        ({ ...event, id: this.#ids[this.#next++]!, stream: streamOf(event.type) }) as StoredEvent,
    );
    for (const event of stored) applyEvent(this.set, event);
    this.#buffered.push(...stored);
    return stored;
  }

  /** A clock replayed as of its last event, remembered until its log grows. */
  clockState(log: ClockLog): ReturnType<typeof clockStateOf> {
    const known = this.#replays.get(log);
    if (known !== undefined && known.events === log.events.length) return known.result;
    const result = clockStateOf(log, this.registry);
    this.#replays.set(log, { events: log.events.length, result });
    return result;
  }

  /**
   * Inserts the events appended so far now, ahead of `commit` (same transaction): a batch writes
   * the events it decided before taking the routing lock, so less of its writing happens while
   * other batches wait for that lock. Projection rows are still written once, at commit.
   */
  async writeEventsAhead(): Promise<void> {
    const events = this.#buffered;
    this.#buffered = [];
    await writeTogether(this.db, this.#eventWrites(events));
  }

  async commit(): Promise<void> {
    const events = this.#buffered;
    this.#buffered = [];
    await flushProjections(
      this.db,
      this.workspace,
      this.set,
      this.registry,
      (log) => this.clockState(log),
      this.#eventWrites(events),
      [...this.#timerWrites(), ...this.#deferred],
    );
    this.#deferred = [];
    this.#timers.clear();
    this.#cancels.clear();
  }

  #eventWrites(events: readonly StoredEvent[]): RawBuilder<unknown>[] {
    return recordsetStatements(
      eventsRecordset,
      events.map((event) => ({
        id: event.id,
        workspace: this.workspace,
        stream_type: event.stream,
        stream_id: event.streamId,
        type: event.type,
        actor: event.actor,
        occurred_at: new Date(event.at),
        agreement_version: event.agreementVersion,
        explanation: event.explanation ?? null,
        data: event.data,
        idempotency_key: event.idempotencyKey ?? null,
      })),
    );
  }

  #timerWrites(): RawBuilder<unknown>[] {
    if (this.timerPort === undefined) {
      if (this.#timers.size > 0 || this.#cancels.size > 0)
        throw new Error("timers were planned in a unit of work without a timer port");
      return [];
    }
    const cancels = [...this.#cancels];
    return [
      ...this.timerPort.cancelOthers(
        cancels.map(([clockId]) => clockId),
        cancels.flatMap(([, keep]) => [...keep]),
      ),
      ...this.timerPort.schedule([...this.#timers.values()]),
    ];
  }
}

/**
 * A query of `count` fresh ids (column `id`) from the ledger's identity sequence. The sequence is
 * looked up once: `pg_get_serial_sequence` in the select list runs per row and reads the
 * catalogue each time, which made a batch's 4,000 ids cost 20–120 ms instead of 2.
 */
export function eventIds(count: number): RawBuilder<unknown> {
  return sql`with ledger as materialized (
      select pg_get_serial_sequence('events', 'id')::regclass as sequence)
    select nextval(ledger.sequence) as id from ledger, generate_series(1, ${count})`;
}

/** Reads ledger events back as the core's StoredEvent, in id order. */
export function storedEventOf(row: {
  id: string;
  stream_type: string;
  stream_id: string;
  type: string;
  actor: string;
  occurred_at: Date;
  agreement_version: number | null;
  explanation: unknown;
  data: unknown;
  idempotency_key: string | null;
}): StoredEvent {
  return {
    id: Number(row.id),
    stream: row.stream_type,
    streamId: row.stream_id,
    type: row.type,
    actor: row.actor,
    at: row.occurred_at.getTime(),
    agreementVersion: row.agreement_version,
    ...(row.explanation === null ? {} : { explanation: row.explanation }),
    data: row.data,
    idempotencyKey: row.idempotency_key,
  } as StoredEvent;
}

export async function loadLeads(
  db: Executor,
  workspace: string,
  set: ProjectionSet,
  ids: readonly string[],
  options: { forUpdate?: boolean } = {},
): Promise<void> {
  const wanted = ids.filter((id) => !set.leads.has(id));
  if (wanted.length === 0) return;
  let query = db
    .selectFrom("leads")
    .select(["id", "data"])
    .where("workspace", "=", workspace)
    .where("id", "in", wanted)
    .orderBy("id");
  if (options.forUpdate) query = query.forUpdate();
  for (const row of await query.execute()) set.leads.set(row.id, row.data as LeadView);
}

export async function loadOpportunities(
  db: Executor,
  workspace: string,
  set: ProjectionSet,
  ids: readonly string[],
): Promise<void> {
  const wanted = ids.filter((id) => !set.opportunities.has(id));
  if (wanted.length === 0) return;
  const rows = await db
    .selectFrom("opportunities")
    .select(["id", "data"])
    .where("workspace", "=", workspace)
    .where("id", "in", wanted)
    .execute();
  for (const row of rows) set.opportunities.set(row.id, row.data as OpportunityView);
}

/** Loads the logs of the given clocks from the ledger (a clock's state is its replayed log). */
export async function loadClockLogs(
  db: Executor,
  workspace: string,
  set: ProjectionSet,
  clockIds: readonly string[],
): Promise<void> {
  const wanted = clockIds.filter((id) => !set.clocks.has(id));
  if (wanted.length === 0) return;
  const rows = await db
    .selectFrom("events")
    .selectAll()
    .where("workspace", "=", workspace)
    .where("stream_type", "=", "clock")
    .where("stream_id", "in", wanted)
    .orderBy("id")
    .execute();
  for (const row of rows) {
    const event = storedEventOf(row);
    if (event.type !== "clock.event") continue;
    const log: ClockLog = set.clocks.get(event.streamId) ?? {
      id: event.streamId,
      leadId: event.data.leadId,
      step: event.data.step,
      events: [],
      lastEventId: event.id,
    };
    log.events.push({ ...event.data.event, seq: event.id } as ClockEvent);
    log.lastEventId = event.id;
    set.clocks.set(event.streamId, log);
  }
}

/** Sets whose routing row is locked and loaded: later decisions in them build on their own. */
const routingLocked = new WeakSet<ProjectionSet>();
/** Reps' open leads read with the routing lock, when that read is known to be current. */
const loadsAtLock = new WeakMap<ProjectionSet, Record<string, number>>();

/**
 * Locks the workspace's routing row (creating it on first use) and loads it into the set, once
 * per set: a second routing decision in the same operation continues from the first one's state.
 */
export async function lockRouting(
  db: Executor,
  workspace: string,
  set: ProjectionSet,
): Promise<void> {
  if (routingLocked.has(set)) return;
  routingLocked.add(set);
  // One statement: the no-op update takes the row lock and returns the row as it is now; the
  // reps' loads come from the statement's snapshot, taken before the lock. When the routing
  // revision in that snapshot is the locked row's, no routing decision committed in between and
  // the loads are current; otherwise (we waited for another router) they are read again.
  const result = await sql<{
    pools: unknown;
    revisions: unknown;
    revision: string;
    last_event_id: string;
    seen: string | null;
    loads: Record<string, number>;
  }>`
    with locked as (
      insert into routing_state (workspace, pools, revisions, revision, last_event_id)
      values (${workspace}, '{}', '{}', 0, 0)
      on conflict (workspace) do update set workspace = excluded.workspace
      returning pools, revisions, revision, last_event_id)
    select locked.*,
      (select revision from routing_state where workspace = ${workspace}) as seen,
      (select coalesce(json_object_agg(rep, open_leads), '{}'::json)
        from rep_loads where workspace = ${workspace}) as loads
    from locked`.execute(db);
  const row = result.rows[0]!;
  if (row.seen !== null && row.seen === row.revision) loadsAtLock.set(set, row.loads);
  set.routing = {
    pools: row.pools as Record<string, never>,
    revisions: row.revisions as Record<string, number>,
    revision: Number(row.revision),
    lastEventId: Number(row.last_event_id),
  };
}

/**
 * Open leads per rep, as routing caps count them (read under the routing lock), with the set's
 * own changes not yet written added in, when a set is given.
 */
export async function openLeadsByRep(
  db: Executor,
  workspace: string,
  set?: ProjectionSet,
): Promise<Record<string, number>> {
  const known = set === undefined ? undefined : loadsAtLock.get(set);
  if (known !== undefined) {
    const counts = { ...known };
    for (const [rep, change] of set?.repLoads ?? []) counts[rep] = (counts[rep] ?? 0) + change;
    return counts;
  }
  const rows = await db
    .selectFrom("rep_loads")
    .select(["rep", "open_leads"])
    .where("workspace", "=", workspace)
    .execute();
  const counts: Record<string, number> = {};
  for (const row of rows) counts[row.rep] = row.open_leads;
  for (const [rep, change] of set?.repLoads ?? []) counts[rep] = (counts[rep] ?? 0) + change;
  return counts;
}

/** A clock's row: its log replayed as of its last event. */
export function clockStateOf(
  log: ClockLog,
  registry: AgreementRegistry,
): { ok: true; state: ClockState } | { ok: false; message: string } {
  const asOf = log.events.reduce((latest, event) => Math.max(latest, event.at), 0);
  const replayed = replayClock(log.events, registry.resolveCalendar, asOf, log.id);
  return replayed.ok
    ? { ok: true, state: replayed.value }
    : { ok: false, message: replayed.error.message };
}

/**
 * Writes every row the set's events touched (with `before`, e.g. the events themselves), as one
 * statement. Agreement versions, rare, go on their own.
 */
export async function flushProjections(
  db: Executor,
  workspace: string,
  set: ProjectionSet,
  registry: AgreementRegistry,
  replay: (log: ClockLog) => ReturnType<typeof clockStateOf> = (log) => clockStateOf(log, registry),
  before: readonly RawBuilder<unknown>[] = [],
  after: readonly RawBuilder<unknown>[] = [],
): Promise<void> {
  const clocks = [...set.touched.clocks].map((id) => set.clocks.get(id)!);
  await registry.ensureLoaded(
    db,
    clocks.flatMap((log) => log.events),
  );
  const writes = [
    ...before,
    ...recordsetStatements(
      leadsRecordset,
      [...set.touched.leads].map((id) => leadRow(workspace, set.leads.get(id)!)),
    ),
    ...recordsetStatements(
      opportunitiesRecordset,
      [...set.touched.opportunities].map((id) =>
        opportunityRow(workspace, set.opportunities.get(id)!),
      ),
    ),
    ...recordsetStatements(
      accountsRecordset,
      [...set.touched.accounts].map((id) => accountRow(workspace, set.accounts.get(id)!)),
    ),
    ...recordsetStatements(
      clocksRecordset,
      clocks.map((log) => clockRow(workspace, log, replay(log))),
    ),
    ...recordsetStatements(
      routingRecordset,
      set.touched.routing && set.routing !== undefined
        ? [
            {
              workspace,
              pools: set.routing.pools,
              revisions: set.routing.revisions,
              revision: set.routing.revision,
              last_event_id: set.routing.lastEventId,
            },
          ]
        : [],
    ),
    ...recordsetStatements(
      repLoadsRecordset,
      [...set.repLoads]
        .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
        .map(([rep, change]) => ({ workspace, rep, open_leads: change })),
    ),
    ...after,
  ];
  await writeTogether(db, writes);
  await writeAgreements(
    db,
    workspace,
    [...set.touched.agreements].map((number) => set.agreements.get(number)!),
  );
  set.repLoads.clear();
  set.touched.leads.clear();
  set.touched.opportunities.clear();
  set.touched.accounts.clear();
  set.touched.clocks.clear();
  set.touched.agreements.clear();
  set.touched.routing = false;
}

export function leadRow(workspace: string, lead: LeadView) {
  return {
    workspace,
    id: lead.id,
    system: lead.system,
    external_id: lead.externalId,
    email_key: lead.keys.email ?? null,
    domain_key: lead.keys.emailDomain ?? lead.keys.websiteDomain ?? null,
    company_key: lead.keys.companyName ?? null,
    stage: lead.stage,
    stage_entered_at: new Date(lead.stageEnteredAt),
    created_at: new Date(lead.createdAt),
    owner: lead.owner?.id ?? null,
    owner_kind: lead.owner?.kind ?? null,
    score: Math.round(lead.score),
    open: lead.open,
    agreement_version: lead.agreementVersion,
    last_activity_at: date(lead.lastActivityAt),
    first_touch_at: date(lead.firstTouchAt),
    data: lead,
    last_event_id: lead.lastEventId,
  };
}

export function opportunityRow(workspace: string, opportunity: OpportunityView) {
  return {
    workspace,
    id: opportunity.id,
    lead_id: opportunity.leadId,
    account_id: opportunity.accountId,
    stage: opportunity.stage,
    amount: opportunity.amount,
    owner: opportunity.owner,
    opened_at: new Date(opportunity.openedAt),
    closed_at: date(opportunity.closedAt),
    outcome: opportunity.outcome,
    data: opportunity,
    last_event_id: opportunity.lastEventId,
  };
}

export function accountRow(workspace: string, account: AccountView) {
  return {
    workspace,
    id: account.id,
    name: account.name,
    name_key: account.nameKey,
    domain_key: account.domainKey,
    owner: account.owner,
    data: account,
    last_event_id: account.lastEventId,
  };
}

export function clockRow(
  workspace: string,
  log: ClockLog,
  replayed: ReturnType<typeof clockStateOf>,
) {
  if (!replayed.ok) throw new Error(replayed.message);
  const state = replayed.state;
  const last = state.cycles[state.cycles.length - 1];
  const finite = (at: number | null | undefined) =>
    at === null || at === undefined || !Number.isFinite(at) ? null : new Date(at);
  return {
    workspace,
    id: log.id,
    lead_id: log.leadId,
    step: log.step,
    cycles: state.cycles.length,
    cycle: last?.id ?? null,
    state: last?.state ?? null,
    goal: last?.goal.goalId ?? null,
    started_at: finite(last?.startedAt),
    due_at: finite(last?.dueAt),
    stopped_at: finite(last?.stoppedAt),
    breach_recorded_at: finite(last?.breachRecordedAt),
    paused: last?.paused ?? false,
    // the latest cycle as a board shows it; a lead's full clock history is its log, replayed
    data: {
      asOf: state.asOf,
      pauseConditions: state.pauseConditions,
      calendar: last?.calendarRef ?? null,
      targetMs: last?.goal.targetMs ?? null,
      elapsedBusinessMs: last?.elapsedBusinessMs ?? null,
      endedBy: last?.endedBy ?? null,
      warningsSent:
        last?.warnings
          .filter((warning) => warning.notifiedAt !== null)
          .map((warning) => warning.key) ?? [],
      everBreached: state.cycles.some((cycle) => cycle.breached || cycle.breachRecordedAt !== null),
      issues: state.issues.length,
    },
    last_event_id: log.lastEventId,
  };
}

async function writeAgreements(
  db: Executor,
  workspace: string,
  versions: AgreementVersionView[],
): Promise<void> {
  for (const version of versions) {
    const row = agreementRow(workspace, version);
    await db
      .insertInto("agreement_versions")
      .values(row)
      .onConflict((conflict) =>
        conflict.columns(["workspace", "number"]).doUpdateSet({
          activated_at: row.activated_at,
          activation_mode: row.activation_mode,
          superseded_at: row.superseded_at,
          last_event_id: row.last_event_id,
        }),
      )
      .execute();
    if (version.approvals.length > 0)
      await db
        .insertInto("agreement_approvals")
        .values(
          version.approvals.map((approval) => ({
            workspace,
            version: version.number,
            side: approval.side,
            approver: approval.approver,
            approved_at: new Date(approval.at),
          })),
        )
        .onConflict((conflict) =>
          conflict.columns(["workspace", "version", "side", "approver"]).doNothing(),
        )
        .execute();
  }
}

export function agreementRow(workspace: string, version: AgreementVersionView) {
  return {
    workspace,
    number: version.number,
    yaml: version.yaml,
    parsed: json(version.parsed),
    diff: version.diff === null ? null : json(version.diff),
    proposed_by: version.proposedBy,
    proposed_at: new Date(version.proposedAt),
    activated_at: date(version.activatedAt),
    activation_mode: version.activationMode,
    superseded_at: date(version.supersededAt),
    last_event_id: version.lastEventId,
  };
}
