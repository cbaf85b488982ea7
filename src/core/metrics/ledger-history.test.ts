import { readFileSync } from "node:fs";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { compileAgreement } from "../agreement/compile-agreement.js";
import { loadAgreement } from "../agreement/load-agreement.js";
import type { LedgerEventData, LedgerEventType, StoredEvent } from "../ledger/ledger-event.js";
import { streamOf } from "../ledger/ledger-event.js";
import type { UnsequencedClockEvent } from "../sla/index.js";
import { leadLookup } from "./lead-lookup.js";
import { historySettingsOf, LedgerHistoryBuilder } from "./ledger-history.js";
import { type MqlCycle, mqlCycles } from "./mql-cycles.js";
import type { SlaCycle } from "./pipeline-history.js";

const loaded = loadAgreement(
  readFileSync(new URL("../../../examples/agreement.yaml", import.meta.url), "utf8"),
);
if (!loaded.ok) throw new Error("the example agreement must load");
const compiled = compileAgreement(loaded.agreement);
/** calendar refs as the engine writes them: `<calendar>@<version>`; here every version is 1 */
const resolveCalendar = (ref: string) => compiled.calendars.get(ref.replace(/@\d+$/, ""));
const settings = historySettingsOf(compiled, resolveCalendar);

const MINUTE = 60_000;
/** Monday 2026-03-09 14:00 UTC = 10:00 in New York (EDT since 8 March), 14:00 in London (GMT). */
const t0 = Date.parse("2026-03-09T14:00:00Z");
const at = (minutes: number) => t0 + minutes * MINUTE;

let nextId = 0;
function event<Type extends LedgerEventType>(
  type: Type,
  streamId: string,
  minutes: number,
  data: LedgerEventData[Type],
): StoredEvent {
  nextId += 1;
  return {
    id: nextId,
    stream: streamOf(type),
    streamId,
    type,
    actor: "test",
    at: at(minutes),
    agreementVersion: 1,
    data,
  } as StoredEvent;
}

function created(
  id: string,
  minutes: number,
  extra: Partial<LedgerEventData["lead.created"]> = {},
) {
  return event("lead.created", id, minutes, {
    system: null,
    externalId: null,
    stage: "new",
    open: true,
    fields: {},
    company: {},
    activities: [],
    keys: {},
    accountId: null,
    sourceCreatedAt: null,
    ...extra,
  });
}

function moved(
  id: string,
  minutes: number,
  from: string,
  to: string,
  action: string,
  reason?: string,
) {
  return event("lead.stage_changed", id, minutes, {
    from,
    to,
    action,
    role: "rep",
    open: true,
    ...(reason === undefined ? {} : { reason }),
  });
}

function assigned(
  id: string,
  minutes: number,
  owner: { kind: "rep"; id: string } | { kind: "queue"; id: string; team: string },
) {
  return event("lead.assigned", id, minutes, {
    owner,
    previous: null,
    cause: "routing",
    ruleId: null,
    pools: {},
    revision: 0,
  });
}

function clock(leadId: string, minutes: number, clockEvent: UnsequencedClockEvent) {
  return event("clock.event", `${leadId}/sdr-first-effort`, minutes, {
    leadId,
    step: "sdr-first-effort",
    event: clockEvent,
  });
}

const fourHourGoal = {
  goalId: "four-business-hours",
  agreementVersion: 1,
  targetMs: 240 * MINUTE,
  calendarRef: "us-east@1",
  warnings: { percent: [50] },
};

describe("settings read off the agreement", () => {
  it("maps the funnel, the speed step, outcome days and sources from the example agreement", () => {
    expect(settings.funnel).toEqual({
      new: "new",
      mql: "mql",
      sal: "working",
      sql: "sql",
      opportunity: "opportunity",
      won: "won",
      lost: "lost",
      stuck: ["new", "working"],
    });
    expect(settings.stageOrder).toEqual(["new", "mql", "working", "sql", "opportunity", "won"]);
    // touched_within_sla_rate names sdr-first-effort; its catch-all goal is 240 minutes
    expect(settings.speedStep).toEqual({ step: "sdr-first-effort", goalMinutes: 240 });
    expect(settings.outcomeDays).toBe(5);
    expect(settings.acceptanceDays).toBe(5);
    expect(settings.timezone).toBe("America/New_York");
    expect(settings.marketingSources).toContain("paid_search");
    expect(settings.teamOf("alex")).toBe("sdr");
    expect(settings.teamOf("toString")).toBeNull();
    expect(settings.commitments.map((commitment) => commitment.id)).toEqual([
      "mql-volume",
      "mql-to-sql",
      "handoff-context",
      "touched-within-sla",
      "outcomes-logged",
      "reasons-given",
    ]);
  });

  it("counts business minutes on the owner's calendar, else the speed step's team calendar", () => {
    const clock = settings.businessClock;
    // 10:00 → 11:30 on a us-east working Monday
    expect(clock.minutesBetween(at(0), at(90), "alex")).toBe(90);
    // Friday 16:00 EST (21:00Z) → Monday 10:00 EDT: Friday 16–17 (60) + Monday 9–10 (60)
    expect(clock.minutesBetween(Date.parse("2026-03-06T21:00:00Z"), at(0), null)).toBe(120);
    // Emery works London hours: 14:00 → 15:00 GMT is inside the 13:30–17:30 shift
    expect(clock.minutesBetween(at(0), at(60), "emery")).toBe(60);
    // an unknown owner falls back to the team calendar; reversed instants give a negative count
    expect(clock.minutesBetween(at(90), at(0), "nobody")).toBe(-90);
  });
});

describe("folding the ledger", () => {
  it("builds a lead's stages, decisions, assignments, touches and opportunity", () => {
    const builder = new LedgerHistoryBuilder(settings);
    const events = [
      created("lead-1", 0, {
        fields: { source: "website", campaign: "Spring Promo" },
        company: { segment: "Mid-Market" },
        activities: [
          { type: "form_submit", at: at(-1), fields: { form: "demo" } },
          { type: "call", at: at(-2), actor: "alex", autoReply: true },
        ],
      }),
      moved("lead-1", 0, "new", "mql", "qualify"),
      assigned("lead-1", 0, { kind: "rep", id: "alex" }),
      event("lead.activity_logged", "lead-1", 30, {
        activity: { type: "call", at: at(30), actor: "alex" },
        touch: true,
      }),
      event("lead.activity_logged", "lead-1", 40, {
        activity: { type: "email_click", at: at(40), fields: { campaign: "Newsletter" } },
        touch: false,
      }),
      event("lead.context_checked", "lead-1", 45, { required: ["source"], missing: [] }),
      moved("lead-1", 60, "mql", "working", "accept"),
      moved("lead-1", 120, "working", "opportunity", "convert"),
      event("opportunity.opened", "opp-1", 120, {
        leadId: "lead-1",
        accountId: null,
        stage: "discovery",
        amount: 5000,
        owner: null,
      }),
      event("opportunity.stage_changed", "opp-1", 200, {
        from: "discovery",
        to: "proposal",
        amount: 6000,
      }),
      event("opportunity.closed", "opp-1", 300, { outcome: "won" }),
      event("lead.scored", "lead-1", 300, { score: 10, mql: false, sql: false }),
    ];
    for (const entry of events) builder.apply(entry);
    const history = builder.snapshot(at(400));

    expect(history.asOf).toBe(at(400));
    expect(history.leads).toHaveLength(1);
    const lead = history.leads[0]!;
    expect(lead).toMatchObject({
      id: "lead-1",
      createdAt: at(0),
      source: "website",
      campaign: "Spring Promo",
      segment: "Mid-Market",
      owner: "alex",
      team: "sdr",
      stage: "opportunity",
      stageEnteredAt: at(120),
      // the call logged at +30 and the email click at +40 are activities; the latest is +40
      lastActivityAt: at(40),
      contextComplete: true,
      opportunityIds: ["opp-1"],
    });
    expect(lead.stages).toEqual([
      { stage: "new", at: at(0) },
      { stage: "mql", at: at(0) },
      { stage: "working", at: at(60) },
      { stage: "opportunity", at: at(120) },
    ]);
    // qualify is not a disposition; accept and convert are
    expect(lead.decisions).toEqual([
      { kind: "accept", at: at(60), reason: null },
      { kind: "convert", at: at(120), reason: null },
    ]);
    expect(lead.assignments).toEqual([{ at: at(0), owner: "alex", team: "sdr" }]);
    // the auto-reply the lead arrived with is no touch; the logged call is
    expect(lead.touches).toEqual([at(30)]);
    expect(lead.marketingTouches).toEqual([
      { at: at(-1), kind: "form_submit", channel: "website" },
      { at: at(40), kind: "email_click", channel: "Newsletter" },
    ]);

    expect(history.opportunities).toEqual([
      {
        id: "opp-1",
        leadId: "lead-1",
        // the lead's position in `leads`, so metrics find it without a lookup by id
        leadPosition: 0,
        createdAt: at(120),
        closedAt: at(300),
        outcome: "won",
        amount: 6000,
        stages: [
          { stage: "discovery", at: at(120) },
          { stage: "proposal", at: at(200) },
        ],
        source: "website",
        campaign: "Spring Promo",
        segment: "Mid-Market",
        owner: "alex",
        team: "sdr",
        reason: null,
      },
    ]);
    // 12 events: 11 about the pipeline, the score ignored
    expect(builder.report()).toMatchObject({ applied: 11, ignored: 1, orphaned: 0 });
    expect(builder.lastEventId).toBe(events[events.length - 1]!.id);
  });

  it("keeps reasons, queue teams, the original source and late-dated entries in time order", () => {
    const builder = new LedgerHistoryBuilder(settings);
    for (const entry of [
      created("lead-2", 0, { fields: { source: "webinar", segment: "smb" } }),
      moved("lead-2", 0, "new", "mql", "qualify"),
      assigned("lead-2", 0, { kind: "queue", id: "sdr-queue", team: "sdr" }),
      moved("lead-2", 50, "mql", "disqualified", "reject", "wrong_persona"),
      // a resubmission does not change the original source; it brings a touch along
      event("lead.resubmitted", "lead-2", 60, {
        fields: { source: "paid_search" },
        company: { segment: "enterprise" },
        activities: [{ type: "meeting", at: at(55), actor: "alex" }],
        keys: {},
        accountId: null,
      }),
      // a touch logged late, dated before the meeting
      event("lead.activity_logged", "lead-2", 70, {
        activity: { type: "email", at: at(20), actor: "alex" },
        touch: true,
      }),
      moved("lead-2", 90, "disqualified", "mql", "requalify"),
      moved("lead-2", 100, "mql", "nurture", "recycle"),
      event("lead.stage_changed", "ghost", 100, {
        from: "new",
        to: "mql",
        action: "qualify",
        role: "system",
        open: true,
      }),
    ])
      builder.apply(entry);
    const lead = builder.snapshot(at(200)).leads[0]!;
    expect(lead.source).toBe("webinar");
    // company segment wins over the lead field once the company has one
    expect(lead.segment).toBe("enterprise");
    expect(lead).toMatchObject({ owner: "sdr-queue", team: "sdr", stage: "nurture" });
    expect(lead.decisions).toEqual([
      { kind: "reject", at: at(50), reason: "wrong_persona" },
      { kind: "recycle", at: at(100), reason: null },
    ]);
    expect(lead.touches).toEqual([at(20), at(55)]);
    expect(lead.stages.map((entry) => entry.stage)).toEqual([
      "new",
      "mql",
      "disqualified",
      "mql",
      "nurture",
    ]);
    expect(builder.report().orphaned).toBe(1);
  });

  it("gives a new history object per snapshot, sharing what did not change", () => {
    const builder = new LedgerHistoryBuilder(settings);
    builder.apply(created("lead-a", 0));
    builder.apply(created("lead-b", 0));
    const first = builder.snapshot(at(10));
    builder.apply(moved("lead-b", 20, "new", "mql", "qualify"));
    builder.apply(created("lead-c", 25));
    const second = builder.snapshot(at(30));
    expect(second).not.toBe(first);
    expect(second.leads.map((lead) => lead.id)).toEqual(["lead-a", "lead-b", "lead-c"]);
    // unchanged: the same object; changed: a new one, the earlier snapshot untouched
    expect(second.leads[0]).toBe(first.leads[0]);
    expect(second.leads[1]).not.toBe(first.leads[1]);
    expect(first.leads).toHaveLength(2);
    expect(first.leads[1]!.stage).toBe("new");
    expect(first.leads[1]!.stages).toHaveLength(1);
    expect(second.leads[1]!.stage).toBe("mql");
    // nothing new: still a new object (metrics memoise per history and asOf moved on)
    const third = builder.snapshot(at(40));
    expect(third).not.toBe(second);
    expect(third.leads[1]).toBe(second.leads[1]);
    // its lists are the last snapshot's own (published lists are never changed)
    expect(third.leads).toBe(second.leads);
    expect(third.opportunities).toBe(second.opportunities);
    // a change makes new lists and leaves the earlier ones as they were
    builder.apply(moved("lead-a", 45, "new", "mql", "qualify"));
    const fourth = builder.snapshot(at(50));
    expect(fourth.leads).not.toBe(third.leads);
    expect(fourth.leads[0]!.stage).toBe("mql");
    expect(third.leads[0]!.stage).toBe("new");
    expect(fourth.opportunities).toBe(third.opportunities);
  });
});

describe("SLA cycles", () => {
  function withClocks() {
    const builder = new LedgerHistoryBuilder(settings);
    for (const lead of ["met", "open", "cancelled"]) {
      builder.apply(created(lead, 0, { fields: { source: "website" } }));
      builder.apply(assigned(lead, 0, { kind: "rep", id: "alex" }));
      builder.apply(clock(lead, 0, { type: "start", at: at(0), goal: fourHourGoal }));
    }
    builder.apply(clock("met", 90, { type: "stop", at: at(90) }));
    builder.apply(clock("cancelled", 30, { type: "cancel", at: at(30) }));
    return builder;
  }

  it("replays each clock: met, cancelled, and an open cycle running on to asOf", () => {
    const history = withClocks().snapshot(at(60));
    const byLead = new Map(history.cycles.map((cycle) => [cycle.leadId, cycle]));
    expect(byLead.get("met")).toMatchObject({
      step: "sdr-first-effort",
      owner: "alex",
      team: "sdr",
      source: "website",
      startedAt: at(0),
      endedAt: at(90),
      state: "met",
      goalMinutes: 240,
      elapsedBusinessMinutes: 90,
      // 240 business minutes from Monday 10:00 within 09–17: 14:00; the 50 % warning at 12:00
      dueAt: at(240),
      firstWarningAt: at(120),
    });
    expect(byLead.get("cancelled")).toMatchObject({ state: "cancelled", endedAt: at(30) });
    // replayed at its start (its last event), it has run 60 business minutes by asOf
    expect(byLead.get("open")).toMatchObject({
      state: "running",
      endedAt: null,
      elapsedBusinessMinutes: 60,
      dueAt: at(240),
    });
    // the cycle id is the seq (ledger id) of the start event
    expect(typeof byLead.get("open")!.cycle).toBe("number");
  });

  it("counts an open cycle past its due as breached at a later asOf", () => {
    const builder = withClocks();
    builder.snapshot(at(60));
    // 10:00 + 300 minutes = 15:00, all inside us-east hours: 300 business minutes, due at 14:00
    const later = builder.snapshot(at(300));
    const open = later.cycles.find((cycle) => cycle.leadId === "open")!;
    expect(open).toMatchObject({ state: "breached", elapsedBusinessMinutes: 300 });
    // the closed cycles keep their rows
    expect(later.cycles.find((cycle) => cycle.leadId === "met")!.state).toBe("met");
  });

  it("names an ended cycle after a later correction of its lead, leaving earlier snapshots as they were", () => {
    const builder = withClocks();
    builder.apply(
      event("opportunity.opened", "opp-met", 100, {
        leadId: "met",
        accountId: null,
        stage: "discovery",
        amount: 1000,
        owner: "alex",
      }),
    );
    const before = builder.snapshot(at(120));
    // the source corrected after the cycle ended: its row and the opportunity carry the new one
    builder.apply(event("lead.fields_changed", "met", 130, { fields: { source: "webinar" } }));
    // a reassignment after the cycle ended (at 90) leaves the row's owner as at its end
    builder.apply(assigned("met", 140, { kind: "rep", id: "blair" }));
    const after = builder.snapshot(at(150));
    const rowOf = (history: typeof before) =>
      history.cycles.find((cycle) => cycle.leadId === "met")!;
    expect(rowOf(before)).toMatchObject({ source: "website", owner: "alex" });
    expect(rowOf(after)).toMatchObject({ source: "webinar", owner: "alex", state: "met" });
    expect(before.opportunities[0]!.source).toBe("website");
    expect(after.opportunities[0]!.source).toBe("webinar");
    // the cycles of the other two leads did not change: the same row objects
    const open = (history: typeof before) =>
      history.cycles.find((cycle) => cycle.leadId === "cancelled");
    expect(open(after)).toBe(open(before));
    expect(after.cycles).toHaveLength(3);
  });

  it("makes each snapshot's cycles as a new builder given the same events would", () => {
    // Events and snapshots interleaved, snapshots going forward and back over nights, weekends
    // and months, and one at the end; each snapshot's cycles must equal those of a new builder
    // given the same events, and stay as they were once later events are folded.
    const leads = ["a", "b", "c"];
    // mostly within two days (nights and a day's hours), sometimes over two months
    const minutes = fc.oneof(
      { arbitrary: fc.integer({ min: 1, max: 3_000 }), weight: 3 },
      { arbitrary: fc.integer({ min: 1, max: 90_000 }), weight: 1 },
    );
    const step = fc.oneof(
      fc.record({ kind: fc.constant("snapshot" as const), minutes }),
      fc.record({
        // starts and stops weighted up: a clock's ended cycles grow, and its rows move in the table
        kind: fc.constantFrom(
          "start" as const,
          "stop" as const,
          "start" as const,
          "stop" as const,
          "assign" as const,
          "fields" as const,
          "pause" as const,
          "resume" as const,
        ),
        lead: fc.constantFrom(...leads),
        minutes,
      }),
    );
    // the order of the rows is the table's, which differs between the two builders
    const ordered = (cycles: readonly SlaCycle[]) => [...cycles].sort((x, y) => x.cycle - y.cycle);
    fc.assert(
      fc.property(fc.array(step, { minLength: 1, maxLength: 30 }), (steps) => {
        const events: StoredEvent[] = [];
        for (const lead of leads) {
          events.push(created(lead, 0, { fields: { source: "website" } }));
          events.push(assigned(lead, 0, { kind: "rep", id: "alex" }));
          events.push(clock(lead, 0, { type: "start", at: at(0), goal: fourHourGoal }));
        }
        const builder = new LedgerHistoryBuilder(settings);
        for (const stored of events) builder.apply(stored);
        const published: { cycles: readonly SlaCycle[]; copy: SlaCycle[] }[] = [];
        const check = (minutes: number) => {
          const cycles = builder.snapshot(at(minutes)).cycles;
          const fresh = new LedgerHistoryBuilder(settings);
          for (const stored of events) fresh.apply(stored);
          expect(ordered(cycles)).toEqual(ordered(fresh.snapshot(at(minutes)).cycles));
          published.push({ cycles, copy: structuredClone(ordered(cycles)) });
        };
        for (const next of [...steps, { kind: "snapshot" as const, minutes: 100_000 }]) {
          if (next.kind === "snapshot") {
            check(next.minutes);
            continue;
          }
          const moment = at(next.minutes);
          const added =
            next.kind === "assign"
              ? assigned(next.lead, next.minutes, {
                  kind: "rep",
                  id: next.minutes % 2 ? "blair" : "dana",
                })
              : next.kind === "fields"
                ? event("lead.fields_changed", next.lead, next.minutes, {
                    fields: { source: next.minutes % 2 ? "webinar" : "partner" },
                  })
                : next.kind === "pause"
                  ? clock(next.lead, next.minutes, { type: "pause", at: moment, reason: "waiting" })
                  : next.kind === "start"
                    ? clock(next.lead, next.minutes, {
                        type: "start",
                        at: moment,
                        goal: fourHourGoal,
                      })
                    : clock(next.lead, next.minutes, { type: next.kind, at: moment });
          events.push(added);
          builder.apply(added);
        }
        // an earlier snapshot never sees later events: each published list is as it was
        for (const { cycles, copy } of published) expect(ordered(cycles)).toEqual(copy);
      }),
      { numRuns: Number(process.env.LEDGER_HISTORY_RUNS ?? 200) },
    );
  });

  it("leaves out a clock whose calendar it cannot resolve, and says so", () => {
    const builder = new LedgerHistoryBuilder({ ...settings, resolveCalendar: () => undefined });
    builder.apply(created("lead-x", 0));
    builder.apply(clock("lead-x", 0, { type: "start", at: at(0), goal: fourHourGoal }));
    expect(builder.snapshot(at(10)).cycles).toEqual([]);
    expect(builder.report().unreplayable).toBe(1);
  });
});

describe("facts kept from one snapshot to the next (one lineage)", () => {
  /** three qualified leads; `kept` does not change after the first snapshot in the first test */
  function fourLeads(): LedgerHistoryBuilder {
    const builder = new LedgerHistoryBuilder(settings);
    for (const [index, id] of ["sold", "accepted", "kept"].entries()) {
      builder.apply(created(id, index, { fields: { source: "website" } }));
      builder.apply(moved(id, index, "new", "mql", "qualify"));
      builder.apply(assigned(id, index, { kind: "rep", id: "alex" }));
    }
    return builder;
  }

  it("reuses the MQL cycles of unchanged leads and derives those of changed and new leads", () => {
    const builder = fourLeads();
    const first = builder.snapshot(at(10));
    const before = mqlCycles(first);
    builder.apply(moved("accepted", 20, "mql", "working", "accept"));
    builder.apply(
      event("opportunity.opened", "opp-sold", 30, {
        leadId: "sold",
        accountId: null,
        stage: "discovery",
        amount: 1000,
        owner: "alex",
      }),
    );
    builder.apply(created("late", 40));
    builder.apply(moved("late", 40, "new", "mql", "qualify"));
    const second = builder.snapshot(at(50));
    const after = mqlCycles(second);
    const cycleOf = (cycles: readonly MqlCycle[], id: string) =>
      cycles.find((cycle) => cycle.lead.id === id)!;

    expect(second.lineage).toBe(first.lineage);
    expect(cycleOf(after, "kept")).toBe(cycleOf(before, "kept"));
    expect(cycleOf(after, "accepted").outcome).toBe("accepted");
    expect(cycleOf(before, "accepted").outcome).toBeNull();
    expect(cycleOf(after, "sold").opportunityIds).toEqual(["opp-sold"]);
    expect(cycleOf(before, "sold").opportunityIds).toEqual([]);
    expect(after.map((cycle) => cycle.lead.id)).toEqual(["sold", "accepted", "kept", "late"]);
    // the same cycles as derived afresh from a history of no lineage
    expect(after).toEqual(mqlCycles({ ...second, lineage: undefined }));
  });

  it("derives every cycle again under another agreement's funnel", () => {
    const builder = fourLeads();
    const before = mqlCycles(builder.snapshot(at(10)));
    builder.setSettings({ ...settings, funnel: { ...settings.funnel } });
    const after = mqlCycles(builder.snapshot(at(20)));
    expect(after[2]).not.toBe(before[2]);
    expect(after).toEqual(before);
  });

  it("finds leads by id, kept positions and appended leads alike, and no lead for an unknown id", () => {
    const builder = fourLeads();
    leadLookup(builder.snapshot(at(10)));
    builder.apply(moved("kept", 20, "mql", "working", "accept"));
    builder.apply(created("late", 30));
    const second = builder.snapshot(at(40));
    const lookup = leadLookup(second);
    expect(lookup("kept")).toBe(second.leads[2]);
    expect(lookup("kept")!.stage).toBe("working");
    expect(lookup("late")).toBe(second.leads[3]);
    expect(lookup("unknown")).toBeUndefined();
    const plain = leadLookup({ ...second, lineage: undefined });
    expect(["sold", "kept", "late", "unknown"].map(plain)).toEqual(
      ["sold", "kept", "late", "unknown"].map(lookup),
    );
  });
});
