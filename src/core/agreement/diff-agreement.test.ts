import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import type { Agreement } from "./agreement-schema.js";
import { diffAgreements } from "./diff-agreement.js";
import { loadAgreement } from "./load-agreement.js";

const example = readFileSync(new URL("../../../examples/agreement.yaml", import.meta.url), "utf8");

function load(text: string): Agreement {
  const result = loadAgreement(text);
  if (!result.ok) throw new Error(result.issues.map((issue) => issue.message).join("\n"));
  return result.agreement;
}

function edited(...edits: [string, string][]): Agreement {
  let text = example;
  for (const [from, to] of edits) {
    expect(text.includes(from)).toBe(true);
    text = text.replace(from, to);
  }
  return load(text);
}

describe("diffAgreements", () => {
  const base = load(example);

  it("finds nothing between a version and itself", () => {
    expect(diffAgreements(base, load(example))).toEqual([]);
  });

  it("describes a goal change in business minutes and a new rejection reason", () => {
    const next = edited(
      [
        "{ id: four-business-hours, target_minutes: 240, calendar: owner }",
        "{ id: four-business-hours, target_minutes: 120, calendar: owner }",
      ],
      [
        "    - { id: purpose_not_agreed,",
        "    - { id: competitor, label: Uses a competitor }\n    - { id: purpose_not_agreed,",
      ],
    );
    const summaries = diffAgreements(base, next).map((change) => change.summary);
    // Changes come in the agreement's section order: reasons before SLA steps.
    expect(summaries).toEqual([
      "rejection reason 'competitor' added",
      "SLA step 'sdr-first-effort' goal 'four-business-hours': target 240 → 120 business minutes",
    ]);
  });

  it("says minutes, not business minutes, for a goal on a 24/7 calendar", () => {
    const next = edited([
      "{ id: within-60-minutes, target_minutes: 60, calendar: always }",
      "{ id: within-60-minutes, target_minutes: 30, calendar: always }",
    ]);
    expect(diffAgreements(base, next).map((change) => change.summary)).toEqual([
      "SLA step 'mql-qualification' goal 'within-60-minutes': target 60 → 30 minutes",
    ]);
  });

  it("describes scoring, threshold, routing and commitment changes", () => {
    const next = edited(
      [
        "{ id: target-size, group: fit, when: company.employees >= 200, points: 20 }",
        "{ id: target-size, group: fit, when: company.employees >= 500, points: 25 }",
      ],
      [
        "mql: { score: 60, min_groups: { fit: 20 } }",
        "mql: { score: 65, min_groups: { fit: 20 } }",
      ],
      ["metric: mql_count, per: week, min: 120 }", "metric: mql_count, per: week, min: 150 }"],
      ["        - { rep: blair, weight: 1 }\n", ""],
    );
    const summaries = diffAgreements(base, next).map((change) => change.summary);
    expect(summaries).toContain("qualification rule 'target-size': 20 → 25 points");
    expect(summaries).toContain(
      "qualification rule 'target-size': condition 'company.employees >= 200' → 'company.employees >= 500'",
    );
    expect(summaries).toContain("MQL threshold 60 → 65 points");
    expect(summaries).toContain("marketing commitment 'mql-volume': at least 120 → 150");
    expect(summaries.some((summary) => summary.includes("blair"))).toBe(true);
  });

  it("reports a reordering of routing rules as a move, since first match wins", () => {
    const text = example.replace(
      / {4}- id: emea\n {6}when: lead.region == "emea"\n {6}to: \{ pool: emea-sdr \}\n( {4}- id: north-america\n {6}when: lead.country in \["US", "CA"\]\n {6}to: \{ pool: na-sdr \}\n)/,
      (_match, northAmerica: string) =>
        `${northAmerica}    - id: emea\n      when: lead.region == "emea"\n      to: { pool: emea-sdr }\n`,
    );
    expect(text).not.toBe(example);
    const changes = diffAgreements(base, load(text));
    expect(changes).toHaveLength(1);
    expect(changes[0]!.summary).toBe(
      "routing rules reordered: account-owner → north-america → emea (first match wins)",
    );
  });

  it("describes added and removed entries of any section by name", () => {
    const next = edited([
      "  revops: { label: Revenue operations, side: revops, manager: riley, calendar: us-east }\n",
      "  revops: { label: Revenue operations, side: revops, manager: riley, calendar: us-east }\n  partners: { label: Partners, side: marketing }\n",
    ]);
    expect(diffAgreements(base, next).map((change) => change.summary)).toEqual([
      "team 'partners' added (teams)",
    ]);
  });

  it("names items by what they are, ignores expression spacing and says rates in percent", () => {
    const next = edited(
      ["        - { at: { warning: 75 }, actions: [{ notify: owner }] }\n", ""],
      [
        '      mon: ["09:00-17:00"]\n      tue: ["09:00-17:00"]\n      wed',
        '      mon: ["08:00-17:00"]\n      tue: ["09:00-17:00"]\n      wed',
      ],
      ["    hours: 24/7", '    hours: { mon: ["00:00-24:00"] }'],
      ["  fallback: { queue: sdr-queue }", "  fallback: { owner: dana }"],
      ['lead.country in ["US", "CA", "GB", "IE"]', 'lead.country in ["US","CA","GB","IE"]'],
      ["      min: 0.25", "      min: 0.3"],
      ["        - { rep: alex, weight: 2 }", "        - { rep: alex, weight: 3 }"],
      ['      - { date: "2026-11-26", name: Thanksgiving }\n', ""],
    );
    expect(diffAgreements(base, next).map((change) => change.summary)).toEqual([
      "calendar 'always' hours: 24/7 → mon: [00:00-24:00]",
      "calendar 'us-east' hours mon: 09:00-17:00 → 08:00-17:00",
      "holiday '2026-11-26' removed (calendars › us-east › holidays)",
      "SLA step 'mql-qualification': escalation at warning 75 % ([notify: owner]) removed",
      "routing › pools › na-sdr › members › alex › weight: 2 → 3",
      "routing › fallback: { queue: sdr-queue } → { owner: dana }",
      "marketing commitment 'mql-to-sql': at least 25 % → 30 %",
    ]);
  });
});
