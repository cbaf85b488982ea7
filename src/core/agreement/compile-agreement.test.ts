import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import type { LifecycleLead } from "../lifecycle/index.js";
import { transition } from "../lifecycle/index.js";
import { initialRoutingState } from "../routing/index.js";
import { fireDue, replayClock } from "../sla/index.js";
import { compileAgreement } from "./compile-agreement.js";
import { loadAgreement } from "./load-agreement.js";

/**
 * The decisions the shipped agreement drives, end to end in the core: a lead is scored, qualifies,
 * is routed, its first-effort clock runs on the owner's business calendar and breaches, and the
 * rep's actions are held to the agreed requirements.
 */
const loaded = loadAgreement(
  readFileSync(new URL("../../../examples/agreement.yaml", import.meta.url), "utf8"),
);
if (!loaded.ok) throw new Error("the example agreement must load");
const compiled = compileAgreement(loaded.agreement);

/** Friday 6 March 2026, 16:00 in New York (EST, UTC−5). */
const fridayFourPm = Date.parse("2026-03-06T21:00:00Z");
const day = 86_400_000;

const lead: LifecycleLead = {
  id: "lead-1",
  stage: "new",
  stageEnteredAt: fridayFourPm - 10 * 60_000,
  createdAt: fridayFourPm - 10 * 60_000,
  fields: {
    email: "jo@globex.example",
    country: "US",
    region: "na",
    source: "webinar",
    persona_match: true,
  },
  company: { name: "Globex", domain: "globex.example", employees: 850, industry: "software" },
  activities: [
    {
      type: "page_view",
      at: fridayFourPm - 2 * day,
      fields: { url: "https://acme.example/pricing" },
    },
    { type: "form_submit", at: fridayFourPm - 20 * 60_000, fields: { form: "demo" } },
  ],
};

describe("the example agreement's decisions", () => {
  it("scores the lead with the why, and qualifies it as an MQL", () => {
    const score = compiled.qualification.scoreLead(
      {
        lead: lead.fields,
        company: lead.company,
        activities: lead.activities.map((a) => ({ type: a.type, at: a.at, ...a.fields })),
      },
      fridayFourPm,
    );
    const fired = Object.fromEntries(score.contributions.map((c) => [c.ruleId, c.points]));
    expect(fired["target-size"]).toBe(20);
    expect(fired["target-geography"]).toBe(10);
    expect(fired["buyer-persona"]).toBe(15);
    expect(fired["target-industry"]).toBe(10);
    expect(fired["demo-request"]).toBe(40);
    // one pricing view two days ago, decayed with a 14-day half-life
    expect(fired["pricing-page"]).toBeCloseTo(10 * 2 ** (-2 / 14), 6);
    // fit earned 55 points but the group is capped at 50
    const fit = score.groups.find((group) => group.id === "fit");
    expect(fit).toMatchObject({ raw: 55, capped: 50, cap: 50 });
    expect(score.contributions.reduce((sum, c) => sum + c.counted, 0)).toBeCloseTo(score.total, 9);
    expect(score.mql.qualified).toBe(true);
    expect(score.sql?.qualified).toBe(true);
  });

  it("qualifies, routes to the weighted North America pool and explains why", () => {
    const qualified = transition(
      lead,
      { type: "qualify", actor: { id: "system", role: "system" } },
      compiled.lifecycle,
      fridayFourPm,
    );
    if (!qualified.ok) throw new Error(qualified.error.message);
    expect(qualified.lead.stage).toBe("mql");

    const decision = compiled.router.route(
      { lead: { ...lead.fields, stage: "mql" }, company: lead.company, account: undefined },
      initialRoutingState(compiled.availability),
      fridayFourPm,
    );
    expect(decision.ruleId).toBe("north-america");
    expect(decision.assignee).toEqual({ kind: "rep", id: "alex" });
    expect(decision.explanation.rulesEvaluated.map((rule) => [rule.ruleId, rule.matched])).toEqual([
      ["account-owner", false],
      ["emea", false],
      ["north-america", true],
    ]);
  });

  it("sends a lead arriving out of hours to the queue, naming every rep excluded", () => {
    const saturday = Date.parse("2026-03-07T15:00:00Z");
    const decision = compiled.router.route(
      { lead: { ...lead.fields, stage: "mql" }, company: lead.company, account: undefined },
      initialRoutingState(compiled.availability),
      saturday,
    );
    expect(decision.assignee).toMatchObject({ kind: "queue", id: "sdr-queue" });
    const excluded = decision.explanation.candidates.filter((candidate) => !candidate.eligible);
    expect(excluded.map((candidate) => [candidate.rep, candidate.reason])).toEqual([
      ["alex", "outside_working_hours"],
      ["blair", "outside_working_hours"],
      ["dana", "outside_working_hours"],
    ]);
  });

  it("runs the SDR first-effort clock on the owner's calendar: 4 business hours from Friday 16:00 is Monday 12:00", () => {
    const step = compiled.clockSteps.find((candidate) => candidate.step.id === "sdr-first-effort");
    const goal = step?.selectGoal({
      lead: { ...lead.fields, score: 70 },
      company: lead.company,
      owner: "alex",
    });
    if (!goal?.ok) throw new Error("a goal must apply");
    expect(goal).toMatchObject({
      goalId: "four-business-hours",
      calendar: "us-east",
      targetMs: 240 * 60_000,
    });

    const hot = step?.selectGoal({
      lead: { ...lead.fields, score: 95 },
      company: lead.company,
      owner: "alex",
    });
    expect(hot?.ok && hot.goalId).toBe("demo-request");

    const resolve = (ref: string) => compiled.calendars.get(ref);
    const events = [{ type: "start" as const, at: fridayFourPm, seq: 1, goal: goal.snapshot(1) }];
    const monday = replayClock(
      events,
      resolve,
      Date.parse("2026-03-09T14:00:00Z"),
      "lead-1:sdr-first-effort",
    );
    if (!monday.ok) throw new Error(monday.error.message);
    const cycle = monday.value.cycles[0]!;
    // Monday 9 March is after the US spring-forward (EDT, UTC−4): 12:00 local = 16:00 UTC.
    expect(new Date(cycle.dueAt!).toISOString()).toBe("2026-03-09T16:00:00.000Z");

    const late = replayClock(
      events,
      resolve,
      Date.parse("2026-03-09T16:05:00Z"),
      "lead-1:sdr-first-effort",
    );
    if (!late.ok) throw new Error(late.error.message);
    const fired = fireDue(late.value, Date.parse("2026-03-09T16:05:00Z"));
    expect(fired.some((event) => event.type === "breach")).toBe(true);
  });

  it("holds the rep to the agreed acceptance and rejection requirements", () => {
    const mql: LifecycleLead = { ...lead, stage: "mql", stageEnteredAt: fridayFourPm };
    const rep = { id: "alex", role: "rep" as const };
    const accept = transition(
      mql,
      { type: "accept", actor: rep },
      compiled.lifecycle,
      fridayFourPm + 60_000,
    );
    expect(accept.ok).toBe(false);
    if (!accept.ok) {
      expect(accept.error.code).toBe("context_missing");
      expect(accept.error.message).toContain("message_used");
      expect(accept.error.message).toContain("account_context");
    }
    const reject = transition(
      mql,
      { type: "reject", actor: rep, reason: "bad lead", feedback: { next_action: "nurture" } },
      compiled.lifecycle,
      fridayFourPm + 60_000,
    );
    expect(reject.ok).toBe(false);
    if (!reject.ok) expect(reject.error.code).toBe("unknown_reason");

    const marketing = transition(
      mql,
      {
        type: "reject",
        actor: { id: "maria", role: "marketing" },
        reason: "out_of_icp",
        feedback: { next_action: "disqualify" },
      },
      compiled.lifecycle,
      fridayFourPm + 60_000,
    );
    expect(!marketing.ok && marketing.error.code).toBe("role_not_allowed");

    const ok = transition(
      mql,
      { type: "reject", actor: rep, reason: "out_of_icp", feedback: { next_action: "disqualify" } },
      compiled.lifecycle,
      fridayFourPm + 60_000,
    );
    expect(ok.ok && ok.lead.stage).toBe("disqualified");
  });

  it("keeps a planned leave out of routing", () => {
    const duringLeave = Date.parse("2026-12-22T11:00:00Z");
    expect(compiled.availability.isOutOfOffice("casey", duringLeave)).toBe(true);
    expect(compiled.availability.isOutOfOffice("casey", Date.parse("2027-01-04T11:00:00Z"))).toBe(
      false,
    );
  });

  it("refuses to guess a calendar: unknown owners and prototype names from CRM data", () => {
    const step = compiled.clockSteps.find((candidate) => candidate.step.id === "sdr-first-effort")!;
    const unknown = step.selectGoal({ lead: lead.fields, company: lead.company, owner: "nobody" });
    expect(!unknown.ok && unknown.error.code).toBe("unknown_owner");
    const prototypeOwner = step.selectGoal({
      lead: lead.fields,
      company: lead.company,
      owner: "constructor",
    });
    expect(!prototypeOwner.ok && prototypeOwner.error.code).toBe("unknown_owner");
    // a lead waiting in the queue (no owner) is measured on the SDR team's calendar
    const queued = step.selectGoal({ lead: lead.fields, company: lead.company });
    expect(queued.ok && queued.calendar).toBe("us-east");
  });

  it("turns the escalation ladder of a cycle into keyed timers", () => {
    const step = compiled.clockSteps.find((candidate) => candidate.step.id === "sdr-first-effort")!;
    const goal = step.selectGoal({ lead: lead.fields, company: lead.company, owner: "alex" });
    if (!goal.ok) throw new Error(goal.error.message);
    const events = [{ type: "start" as const, at: fridayFourPm, seq: 1, goal: goal.snapshot(1) }];
    const state = replayClock(events, (ref) => compiled.calendars.get(ref), fridayFourPm, "c1");
    if (!state.ok) throw new Error(state.error.message);
    const cycle = state.value.cycles[0]!;
    const timers = step.escalations(cycle, "c1");
    const due = Date.parse("2026-03-09T16:00:00Z");
    expect(timers.map((timer) => [timer.rung, new Date(timer.at).toISOString()])).toEqual([
      // 50 % of 240 business minutes: Friday 16:00–17:00, then Monday 09:00–10:00
      [0, "2026-03-09T14:00:00.000Z"],
      // 90 %: 216 minutes → Monday 11:36 EDT
      [1, "2026-03-09T15:36:00.000Z"],
      [2, new Date(due).toISOString()],
      [3, new Date(due + 120 * 60_000).toISOString()],
    ]);
    expect(timers[2]!.actions).toEqual([{ notify: "manager" }, { reassign: "routing" }]);
    expect(new Set(timers.map((timer) => timer.key)).size).toBe(4);
  });
});

describe("goals written in business days", () => {
  const text = readFileSync(
    new URL("../../../examples/agreement.yaml", import.meta.url),
    "utf8",
  ).replace(
    "{ id: four-business-hours, target_minutes: 240, calendar: owner }",
    "{ id: next-business-day, target_business_days: 1, calendar: owner }",
  );
  const result = loadAgreement(text);
  if (!result.ok) throw new Error(result.issues.map((issue) => issue.message).join("\n"));
  const days = compileAgreement(result.agreement);
  const step = days.clockSteps.find((candidate) => candidate.step.id === "sdr-first-effort")!;

  it("last until the end of the next business day, as business time the clock can pause", () => {
    const mondayEleven = Date.parse("2026-03-09T15:00:00Z");
    const goal = step.selectGoal({
      lead: lead.fields,
      company: lead.company,
      owner: "alex",
      startAt: mondayEleven,
    });
    if (!goal.ok) throw new Error(goal.error.message);
    // Monday 11:00 → end of Tuesday: 6 h Monday + 8 h Tuesday
    expect(goal.targetMs).toBe(14 * 3_600_000);
    const state = replayClock(
      [{ type: "start", at: mondayEleven, seq: 1, goal: goal.snapshot(1) }],
      (ref) => days.calendars.get(ref),
      mondayEleven,
      "c",
    );
    if (!state.ok) throw new Error(state.error.message);
    expect(new Date(state.value.cycles[0]!.dueAt!).toISOString()).toBe("2026-03-10T21:00:00.000Z");
  });

  it("need the start instant", () => {
    const goal = step.selectGoal({ lead: lead.fields, company: lead.company, owner: "alex" });
    expect(!goal.ok && goal.error.code).toBe("start_required");
  });

  it("are refused together with minutes on the same goal", () => {
    const both = loadAgreement(
      text.replace("target_business_days: 1,", "target_business_days: 1, target_minutes: 60,"),
    );
    expect(
      !both.ok && both.issues.some((issue) => issue.message.includes("exactly one target")),
    ).toBe(true);
  });
});
