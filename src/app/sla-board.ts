import { sql } from "kysely";
import type { Engine } from "./engine.js";

/**
 * The SLA board: the SLA clocks of open MQLs (open leads that qualified, whatever stage they
 * reached since; a new lead still waiting to qualify is not on it) with the board state of each,
 * who owns the lead, its source and age. The clock rows are the latest cycle of each clock as the last replay left it
 * (the worker replays and writes a clock when it warns or breaches); this adds what depends on
 * now: a due that has passed unrecorded, and whether the clock's calendar is open.
 *
 * Glossary
 * - board state, one per clock, first that applies: met (the cycle stopped before its due);
 *   breached (the due has passed, recorded by the worker or not yet); paused (a pause condition
 *   holds); at risk (a warning threshold was sent, or its due has passed); outside hours (the
 *   calendar in force is closed now, so the clock stands still); on track.
 * - delta: the rows whose clock or lead changed after an event id, so a board polls cheaply.
 *   Ledger ids are reserved before a transaction commits, so one can commit below an id already
 *   seen: a delta re-reads `overlap` ids back, and the board loads whole once a minute anyway.
 */

export const boardStates = [
  "on-track",
  "at-risk",
  "breached",
  "met",
  "paused",
  "outside-hours",
] as const;
export type BoardState = (typeof boardStates)[number];

export interface BoardClock {
  /** the clock's latest cycle state as replayed (running, paused, met, breached-open, …) */
  cycleState: string;
  dueAt: number | null;
  paused: boolean;
  /** warning thresholds sent for the latest cycle */
  warningsSent: readonly string[];
  /** whether the cycle's calendar is open now; undefined when unknown */
  calendarOpen: boolean | undefined;
}

/** The board state of a clock at `now` (see the glossary); cancelled cycles are not on a board. */
export function boardStateOf(clock: BoardClock, now: number): BoardState | undefined {
  switch (clock.cycleState) {
    case "cancelled":
      return undefined;
    case "met":
      return "met";
    case "breached-open":
    case "breached-closed":
      return "breached";
  }
  if (clock.dueAt !== null && clock.dueAt <= now) return "breached";
  if (clock.paused || clock.cycleState === "paused") return "paused";
  if (clock.warningsSent.length > 0) return "at-risk";
  if (clock.calendarOpen === false) return "outside-hours";
  return "on-track";
}

export interface BoardRow {
  clockId: string;
  leadId: string;
  step: string;
  state: BoardState;
  /** false when the row left the board (lead closed, cycle cancelled): a delta's removal */
  onBoard: boolean;
  startedAt: number | null;
  dueAt: number | null;
  stoppedAt: number | null;
  breachRecordedAt: number | null;
  /** business ms left of the goal at the last replay (counted only while the calendar is open) */
  remainingBusinessMs: number | null;
  owner: string | null;
  ownerKind: "rep" | "queue" | null;
  ownerName: string | null;
  team: string | null;
  teamName: string | null;
  source: string | null;
  name: string | null;
  company: string | null;
  stage: string;
  leadCreatedAt: number;
}

export interface BoardPage {
  asOf: number;
  /** the ledger position this answer reflects: the next delta's `since` */
  cursor: number;
  /** true for a whole board; false for a delta, whose rows replace or remove the board's */
  complete: boolean;
  rows: BoardRow[];
}

export interface BoardRequest {
  /** a rep's reach: their own leads and the queues' */
  ownedBy?: string | undefined;
  /** only rows changed after this event id (a delta) */
  since?: number | undefined;
}

const overlap = 2000;

interface ClockData {
  calendar?: string | null;
  targetMs?: number | null;
  elapsedBusinessMs?: number | null;
  warningsSent?: string[];
}

interface LeadData {
  fields?: Record<string, unknown>;
  company?: Record<string, unknown>;
}

const text = (value: unknown) => (typeof value === "string" && value !== "" ? value : null);

export async function slaBoard(engine: Engine, request: BoardRequest): Promise<BoardPage> {
  const now = engine.now();
  const { db, workspace } = engine;
  // read before the rows, so a change committed in between is sent again, never lost
  const position = await sql<{ cursor: string | null }>`
    select greatest(
      (select max(last_event_id) from clocks where workspace = ${workspace}),
      (select max(last_event_id) from leads where workspace = ${workspace})
    ) as cursor`.execute(db);
  const cursor = Number(position.rows[0]?.cursor ?? 0);

  let select = db
    .selectFrom("clocks")
    .innerJoin("leads", (join) =>
      join
        .onRef("leads.workspace", "=", "clocks.workspace")
        .onRef("leads.id", "=", "clocks.lead_id"),
    )
    .select([
      "clocks.id",
      "clocks.lead_id",
      "clocks.step",
      "clocks.state",
      "clocks.due_at",
      "clocks.started_at",
      "clocks.stopped_at",
      "clocks.breach_recorded_at",
      "clocks.paused",
      "clocks.data as clock_data",
      "leads.owner",
      "leads.owner_kind",
      "leads.stage",
      "leads.open",
      sql<boolean>`coalesce((leads.data->>'mql')::boolean, false)`.as("mql"),
      "leads.created_at",
      "leads.data as lead_data",
    ])
    .where("clocks.workspace", "=", workspace)
    .where("clocks.state", "is not", null);
  if (request.ownedBy !== undefined) {
    const owner = request.ownedBy;
    select = select.where((eb) =>
      eb.or([
        eb.and([eb("leads.owner_kind", "=", "rep"), eb("leads.owner", "=", owner)]),
        eb("leads.owner_kind", "=", "queue"),
      ]),
    );
  }
  const since = request.since;
  if (since === undefined)
    select = select
      .where("leads.open", "=", true)
      .where(sql<boolean>`(leads.data->>'mql')::boolean`)
      .where("clocks.state", "!=", "cancelled");
  else {
    const from = Math.max(0, since - overlap);
    select = select.where((eb) =>
      eb.or([
        eb("clocks.last_event_id", ">", String(from)),
        eb("leads.last_event_id", ">", String(from)),
      ]),
    );
  }
  const rows = await select.orderBy("clocks.due_at").orderBy("clocks.id").execute();

  const active = await engine.registry.active(db);
  const agreement = active?.compiled.agreement;
  const people = agreement?.people ?? {};
  const teams = agreement?.teams ?? {};
  const calendarOpen = new Map<string, boolean | undefined>();
  const openAt = (ref: string | null | undefined) => {
    if (ref === null || ref === undefined) return undefined;
    if (!calendarOpen.has(ref))
      calendarOpen.set(ref, engine.registry.resolveCalendar(ref)?.isOpen(now));
    return calendarOpen.get(ref);
  };
  // calendars of older versions named by open cycles, so "outside hours" can be answered
  const refs = new Set(rows.map((row) => (row.clock_data as ClockData).calendar ?? null));
  for (const ref of refs) {
    const version = ref === null ? undefined : Number(ref.split("@")[1]);
    if (version !== undefined && Number.isInteger(version)) await engine.registry.load(db, version);
  }

  return {
    asOf: now,
    cursor,
    complete: since === undefined,
    rows: rows.flatMap((row): BoardRow[] => {
      const clock = row.clock_data as ClockData;
      const lead = row.lead_data as LeadData;
      const state = boardStateOf(
        {
          cycleState: row.state ?? "cancelled",
          dueAt: row.due_at?.getTime() ?? null,
          paused: row.paused,
          warningsSent: clock.warningsSent ?? [],
          calendarOpen: openAt(clock.calendar),
        },
        now,
      );
      const onBoard = state !== undefined && row.open && row.mql;
      if (!onBoard && since === undefined) return [];
      const person = row.owner_kind === "rep" && row.owner !== null ? people[row.owner] : undefined;
      const team = person?.team ?? null;
      const fields = lead.fields ?? {};
      const first = text(fields.first_name);
      const last = text(fields.last_name);
      return [
        {
          clockId: row.id,
          leadId: row.lead_id,
          step: row.step,
          state: state ?? "met",
          onBoard,
          startedAt: row.started_at?.getTime() ?? null,
          dueAt: row.due_at?.getTime() ?? null,
          stoppedAt: row.stopped_at?.getTime() ?? null,
          breachRecordedAt: row.breach_recorded_at?.getTime() ?? null,
          remainingBusinessMs:
            clock.targetMs == null || clock.elapsedBusinessMs == null
              ? null
              : Math.max(0, clock.targetMs - clock.elapsedBusinessMs),
          owner: row.owner,
          ownerKind: row.owner_kind,
          ownerName: person?.name ?? null,
          team,
          teamName: team === null ? null : (teams[team]?.label ?? team),
          source: text(fields.source),
          name: [first, last].filter(Boolean).join(" ") || text(fields.email),
          company: text(lead.company?.name) ?? text(fields.company),
          stage: row.stage,
          leadCreatedAt: row.created_at.getTime(),
        },
      ];
    }),
  };
}
