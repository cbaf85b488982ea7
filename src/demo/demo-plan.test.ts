import { readFileSync } from "node:fs";
import { DateTime } from "luxon";
import { describe, expect, it } from "vitest";
import { compileAgreement } from "../core/agreement/compile-agreement.js";
import { loadAgreement } from "../core/agreement/load-agreement.js";
import { type DemoHappening, liveDemoLead, planDemo } from "./demo-plan.js";
import { createRandom } from "./random.js";

const loaded = loadAgreement(
  readFileSync(new URL("../../examples/agreement.yaml", import.meta.url), "utf8"),
);
if (!loaded.ok) throw new Error("the example agreement does not load");
const agreement = compileAgreement(loaded.agreement);
const end = Date.parse("2026-03-16T15:00:00Z");
const quarter = planDemo({ seed: 7, days: 90, end, agreement });

const actions = (happenings: readonly DemoHappening[], action: string) =>
  happenings.filter((happening) => happening.kind === "action" && happening.action === action);

describe("the seeded generator", () => {
  it("repeats a sequence for a seed and differs between seeds", () => {
    const draw = (seed: number) => {
      const random = createRandom(seed);
      return Array.from({ length: 50 }, () => random.next());
    };
    expect(draw(1)).toEqual(draw(1));
    expect(draw(1)).not.toEqual(draw(2));
    expect(draw(1).every((value) => value >= 0 && value < 1)).toBe(true);
  });
});

describe("planDemo", () => {
  it("gives the same plan for the same seed, and another for another seed", () => {
    const once = planDemo({ seed: 11, days: 20, end, agreement });
    expect(planDemo({ seed: 11, days: 20, end, agreement })).toEqual(once);
    const other = planDemo({ seed: 12, days: 20, end, agreement });
    expect(other.happenings).not.toEqual(once.happenings);
    const emails = (plan: typeof once) =>
      plan.happenings.flatMap((happening) =>
        happening.kind === "arrival" ? [happening.input.fields.email] : [],
      );
    expect(emails(other)).not.toEqual(emails(once));
  });

  it("orders happenings in time inside the period, each story after its lead's arrival", () => {
    const arrived = new Map<number, number>();
    let previous = quarter.from;
    for (const happening of quarter.happenings) {
      expect(happening.at).toBeGreaterThanOrEqual(previous);
      previous = happening.at;
      if (happening.kind === "arrival" && !happening.returning)
        arrived.set(happening.lead, happening.at);
      else expect(happening.at).toBeGreaterThan(arrived.get(happening.lead)!);
    }
    expect(previous).toBeLessThan(end);
    // the volume the demo promises: roughly 1,500–2,500 leads a quarter
    expect(quarter.leads.length).toBeGreaterThan(1500);
    expect(quarter.leads.length).toBeLessThan(2500);
  });

  it("brings leads mostly in New York's and London's business hours, few at weekends", () => {
    const usEast = agreement.calendars.get("us-east")!;
    const london = agreement.calendars.get("london")!;
    const open = (at: number) => usEast.isOpen(at) || london.isOpen(at);
    // share of the period when either office is open
    let samples = 0;
    let openSamples = 0;
    for (let at = quarter.from; at < quarter.to; at += 15 * 60_000, samples++)
      if (open(at)) openSamples++;
    const organic = quarter.leads.filter(
      (lead) => lead.source !== "webinar" && lead.source !== "event",
    );
    const inHours = organic.filter((lead) => open(lead.arrivedAt)).length / organic.length;
    expect(inHours).toBeGreaterThan(openSamples / samples + 0.25);
    const weekend = organic.filter(
      (lead) => DateTime.fromMillis(lead.arrivedAt, { zone: "America/New_York" }).weekday >= 6,
    ).length;
    // weekends are 2/7 of the days; they bring far fewer leads than that
    expect(weekend / organic.length).toBeLessThan(0.12);
  });

  it("uses the agreement's sources, and campaign bursts arrive together", () => {
    const sources = new Set(quarter.leads.map((lead) => lead.source));
    const declared = Object.values(loaded.agreement.sources ?? {}).flat();
    for (const source of sources) expect(declared).toContain(source);
    for (const source of ["website", "webinar", "paid_search", "paid_social", "content", "event"])
      expect(sources).toContain(source);
    const webinarCampaigns = new Set(
      quarter.leads.filter((lead) => lead.source === "webinar").map((lead) => lead.campaign),
    );
    expect(webinarCampaigns.size).toBeGreaterThan(2);
  });

  it("mixes outcomes: MQLs and not, touches, every disposition, deals won and lost", () => {
    const mqls = quarter.leads.filter((lead) => lead.mql).length;
    expect(mqls / quarter.leads.length).toBeGreaterThan(0.15);
    expect(mqls / quarter.leads.length).toBeLessThan(0.6);
    expect(quarter.happenings.some((happening) => happening.kind === "touch")).toBe(true);
    for (const action of [
      "disqualify",
      "accept",
      "reject",
      "recycle",
      "qualify_sales",
      "convert",
      "win",
      "lose",
    ])
      expect(actions(quarter.happenings, action).length, action).toBeGreaterThan(0);
    expect(
      quarter.happenings.some((happening) => happening.kind === "arrival" && happening.returning),
    ).toBe(true);
    expect(quarter.happenings.some((happening) => happening.kind === "opportunity_stage")).toBe(
      true,
    );
  });

  it("gives only approved reasons, with a note where the reason asks for one", () => {
    const lists = loaded.agreement.reasons ?? {};
    const listOf: Record<string, string> = {
      disqualify: "rejection",
      reject: "rejection",
      recycle: "recycle",
      lose: "loss",
    };
    let withNote = 0;
    for (const happening of quarter.happenings) {
      if (happening.kind !== "action" || listOf[happening.action] === undefined) continue;
      const reason = lists[listOf[happening.action]!]!.find(
        (entry) => entry.id === happening.reason,
      );
      expect(reason, `${happening.action} ${happening.reason}`).toBeDefined();
      if (reason!.note_required) {
        expect(happening.note).toBeTruthy();
        withNote++;
      }
    }
    expect(withNote).toBeGreaterThan(0);
  });

  it("draws live leads deterministically from the seed and the sequence number", () => {
    const at = Date.parse("2026-03-17T15:00:00Z");
    const first = liveDemoLead({ seed: 3, index: 0, at, agreement });
    expect(liveDemoLead({ seed: 3, index: 0, at, agreement })).toEqual(first);
    expect(liveDemoLead({ seed: 3, index: 1, at, agreement }).fields.email).not.toBe(
      first.fields.email,
    );
    expect(first.externalId).toBe("live-3-0");
  });
});
