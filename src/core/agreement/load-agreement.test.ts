import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { formatIssue, type LocatedIssue } from "./agreement-issue.js";
import { loadAgreement } from "./load-agreement.js";

const example = readFileSync(new URL("../../../examples/agreement.yaml", import.meta.url), "utf8");

/** Replaces one exact snippet of the example (it must occur once) and loads the result. */
function loadWith(...edits: [from: string, to: string][]) {
  let text = example;
  for (const [from, to] of edits) {
    expect(text.split(from).length - 1, `snippet occurs once: ${from}`).toBe(1);
    text = text.replace(from, to);
  }
  return { text, result: loadAgreement(text, "agreement.yaml") };
}

function issuesOf(result: ReturnType<typeof loadAgreement>): LocatedIssue[] {
  if (result.ok) throw new Error("expected the agreement to be refused");
  return result.issues;
}

/** 1-based line and column of the first occurrence of `needle` in `text`. */
function positionOf(text: string, needle: string, offsetInNeedle = 0) {
  const index = text.indexOf(needle) + offsetInNeedle;
  const before = text.slice(0, index).split("\n");
  return { line: before.length, column: before[before.length - 1]!.length + 1 };
}

describe("loadAgreement", () => {
  it("accepts the shipped example and types it", () => {
    const result = loadAgreement(example, "examples/agreement.yaml");
    if (!result.ok) throw new Error(result.issues.map(formatIssue).join("\n"));
    expect(result.agreement.name).toBe("Acme Analytics revenue agreement");
    const steps = result.agreement.sla.steps;
    const qualification = steps.find((step) => step.id === "mql-qualification");
    const firstEffort = steps.find((step) => step.id === "sdr-first-effort");
    expect(qualification?.kind === "clock" && qualification.goals[0]?.target_minutes).toBe(60);
    expect(firstEffort?.kind === "clock" && firstEffort.goals.at(-1)?.target_minutes).toBe(240);
    expect(steps.map((step) => step.kind)).toEqual(["clock", "clock", "gate", "cadence"]);
    expect(result.agreement.reasons.rejection?.map((reason) => reason.id)).toContain(
      "wrong_persona",
    );
  });

  it("reports YAML syntax errors with their position", () => {
    const issues = issuesOf(loadAgreement("baton: 1\nname: [unclosed\n", "bad.yaml"));
    expect(issues[0]).toMatchObject({ file: "bad.yaml", code: "syntax", severity: "error" });
    expect(issues[0]!.line).toBeGreaterThanOrEqual(2);
  });

  it("points an unknown key at its own line and suggests the right one", () => {
    const { text, result } = loadWith([
      "      strategy: fewest_assigned\n",
      "      stratgy: fewest_assigned\n",
    ]);
    const issue = issuesOf(result).find((candidate) => candidate.path.at(-1) === "stratgy");
    expect(issue).toBeDefined();
    expect(issue!.message).toContain("did you mean 'strategy'");
    expect({ line: issue!.line, column: issue!.column }).toEqual(positionOf(text, "stratgy"));
  });

  it("names the field and the expected type for a wrong type", () => {
    const { text, result } = loadWith([
      "    - { id: target-size, group: fit, when: company.employees >= 200, points: 20 }",
      "    - { id: target-size, group: fit, when: company.employees >= 200, points: twenty }",
    ]);
    const issue = issuesOf(result).find(
      (candidate) => candidate.path.join(".") === "qualification.rules.0.points",
    );
    expect(issue?.message).toMatch(/expected number, got the string "twenty"/);
    expect(issue?.line).toBe(positionOf(text, "points: twenty").line);
  });

  it("reports every schema error of a file at once", () => {
    const { result } = loadWith(
      ["baton: 1\n", "baton: 1\nowner: nobody\n"],
      ["target_minutes: 60, calendar: always", "target_minutes: sixty, calendar: always"],
      ["  marketing: [maria]\n  sales: [sam]", "  marketing: []\n  sales: [sam]"],
    );
    const paths = issuesOf(result).map((issue) => issue.path.join("."));
    expect(paths).toEqual(
      expect.arrayContaining([
        "owner",
        "sla.steps.0.goals.0.target_minutes",
        "approvers.marketing",
      ]),
    );
  });

  it("reports every reference error at once, each at its own line", () => {
    const { text, result } = loadWith(
      ["      to: { pool: na-sdr }", "      to: { pool: na-sdrr }"],
      [
        "        - { id: four-business-hours, target_minutes: 240, calendar: owner }",
        "        - { id: four-business-hours, target_minutes: 240, calendar: us-easst }",
      ],
      [
        "  dana: { name: Dana Kim, email: dana@acme.example, team: sdr, calendar: us-east }",
        "  dana: { name: Dana Kim, email: dana@acme.example, team: sdrs, calendar: us-east }",
      ],
    );
    const issues = issuesOf(result);
    const pool = issues.find((issue) => issue.message.includes("na-sdrr"));
    const calendar = issues.find((issue) => issue.message.includes("us-easst"));
    const team = issues.find((issue) => issue.message.includes("'sdrs'"));
    expect(pool?.message).toContain("Did you mean 'na-sdr'?");
    expect(calendar?.message).toContain("Did you mean 'us-east'?");
    expect(team?.message).toContain("Did you mean 'sdr'?");
    expect(pool?.line).toBe(positionOf(text, "na-sdrr").line);
    expect(calendar?.line).toBe(positionOf(text, "us-easst").line);
    expect(team?.line).toBe(positionOf(text, "team: sdrs").line);
  });

  it("points an expression error at the character inside the expression", () => {
    const { text, result } = loadWith([
      "when: company.employees >= 200, points: 20",
      "when: company.employes >= 200, points: 20",
    ]);
    const issue = issuesOf(result).find((candidate) => candidate.code === "expression");
    expect(issue).toBeDefined();
    expect(issue!.message).toContain("employes");
    const start = positionOf(text, "company.employes");
    expect(issue!.line).toBe(start.line);
    expect(issue!.column).toBeGreaterThanOrEqual(start.column);
    expect(issue!.column).toBeLessThanOrEqual(start.column + "company.employes".length);
  });

  it("catches an expression of the wrong type", () => {
    const { result } = loadWith(["when: lead.score >= 90", "when: lead.score + 90"]);
    const issue = issuesOf(result).find(
      (candidate) => candidate.path.join(".") === "sla.steps.1.goals.0.when",
    );
    expect(issue?.code).toBe("expression");
  });

  it("catches an invalid time zone and overlapping windows", () => {
    const { result } = loadWith(
      ["  london:\n    timezone: Europe/London", "  london:\n    timezone: Europe/Londn"],
      ['      mon: ["09:00-12:30", "13:30-17:30"]', '      mon: ["09:00-12:30", "12:00-17:30"]'],
    );
    const issues = issuesOf(result);
    expect(issues.some((issue) => issue.path.join(".") === "calendars.london.timezone")).toBe(true);
    expect(
      issues.some((issue) => issue.path.join(".").startsWith("calendars.london.hours.mon")),
    ).toBe(true);
  });

  it("catches an unknown stage in a transition and an unreachable stage", () => {
    const { result } = loadWith([
      "    - { action: qualify_sales, from: working, to: sql, by: [rep, sales_manager, admin] }",
      "    - { action: qualify_sales, from: workng, to: sql, by: [rep, sales_manager, admin] }",
    ]);
    const issues = issuesOf(result);
    expect(issues.some((issue) => issue.message.includes("workng"))).toBe(true);
  });

  it("refuses routing whose fallback could leave a lead without an owner", () => {
    const { result } = loadWith(
      ["  fallback: { queue: sdr-queue }", "  fallback: { pool: na-sdr }"],
      ["      overflow: { queue: sdr-queue }\n    emea-sdr:", "    emea-sdr:"],
    );
    const issue = issuesOf(result).find((candidate) =>
      candidate.path.join(".").startsWith("routing.fallback"),
    );
    expect(issue?.message).toMatch(/unassigned|empty|overflow/);
  });

  it("refuses an approver from the wrong side", () => {
    const { result } = loadWith(["  marketing: [maria]", "  marketing: [dana]"]);
    const issue = issuesOf(result).find(
      (candidate) => candidate.path.join(".") === "approvers.marketing.0",
    );
    expect(issue?.message).toContain("cannot approve for marketing");
  });

  it("requires the lifecycle to demand what an SLA gate promises", () => {
    const { result } = loadWith(["      requires: { reason: loss }", "      requires: {}"]);
    const issue = issuesOf(result).find((candidate) => candidate.code === "consistency");
    expect(issue?.message).toContain("requires a reason on 'lose'");
  });

  it("requires a catch-all goal last", () => {
    const { result } = loadWith([
      "        - { id: four-business-hours, target_minutes: 240, calendar: owner }",
      '        - { id: four-business-hours, when: lead.country == "US", target_minutes: 240, calendar: owner }',
    ]);
    expect(issuesOf(result).some((issue) => issue.hint?.includes("catch-all"))).toBe(true);
  });

  it("refuses an alias bomb, an empty file and a duplicate key with their own words", () => {
    const bomb = ["a: &a [x, x, x, x, x, x, x, x, x]"];
    for (const name of ["b", "c", "d", "e", "f"])
      bomb.push(
        `${name}: &${name} [${Array(9)
          .fill(`*${String.fromCharCode(name.charCodeAt(0) - 1)}`)
          .join(", ")}]`,
      );
    expect(issuesOf(loadAgreement(bomb.join("\n"), "bomb.yaml"))[0]?.message).toContain(
      "too many alias references",
    );
    expect(issuesOf(loadAgreement("# only a comment\n", "empty.yaml"))[0]?.message).toBe(
      "the file is empty",
    );
    const duplicate = issuesOf(loadAgreement("baton: 1\nname: a\nname: b\n", "dup.yaml"))[0];
    expect(duplicate).toMatchObject({
      line: 3,
      message: expect.stringContaining("duplicate key 'name'"),
    });
  });

  it("says which value of a form is wrong, and what a bound is", () => {
    const { result } = loadWith(
      [
        "actions: [{ notify: owner }] }\n        - { at: breach, actions: [{ notify: manager }] }\n    - id: sdr",
        "actions: [{ notify: ownr }] }\n        - { at: breach, actions: [{ notify: manager }] }\n    - id: sdr",
      ],
      ["hours: 24/7", "hours: 24x7"],
      ["metric: mql_count, per: week, min: 120 }", "metric: mql_count, per: week, min: -5 }"],
    );
    const messages = issuesOf(result).map((issue) => issue.message);
    expect(messages).toContain(
      "'notify: ownr' is not allowed; notify is one of owner, manager, team, marketing_owner, sales_owner. Did you mean 'owner'?",
    );
    expect(messages).toContain(
      'expected "24/7" or a mapping, got the string "24x7"; did you mean "24/7"?',
    );
    expect(messages).toContain("expected a number at least 0, got number -5");
  });

  it("does not blame a reference on a section that is only invalid", () => {
    const { result } = loadWith([
      '    day: mon\n    time: "09:00"',
      '    day: monday\n    time: "09:00"',
    ]);
    const issues = issuesOf(result);
    expect(issues.some((issue) => issue.path.join(".") === "reviews.0.day")).toBe(true);
    expect(issues.some((issue) => issue.message.includes("unknown review"))).toBe(false);
  });

  it("catches duplicate approvers and an escalation setting an unknown field", () => {
    const { result } = loadWith(
      ["  sales: [sam]", "  sales: [sam, sam]"],
      ["field: handoff_notes, value: escalated", "field: handoff_note, value: escalated"],
    );
    const messages = issuesOf(result).map((issue) => issue.message);
    expect(messages).toContain("sam is listed twice as a sales approver");
    expect(
      messages.some(
        (message) =>
          message.startsWith("unknown lead field 'handoff_note'") &&
          message.includes("Did you mean 'handoff_notes'?"),
      ),
    ).toBe(true);
  });

  it("warns, without refusing, about a yearly holiday on 29 February", () => {
    const { result } = loadWith([
      '      - { date: "2026-12-26", name: Boxing Day, yearly: true }',
      '      - { date: "2028-02-29", name: Leap day, yearly: true }',
    ]);
    if (!result.ok) throw new Error(result.issues.map(formatIssue).join("\n"));
    expect(result.warnings.map((warning) => warning.message)).toContain(
      "a yearly holiday on 29 February falls only in leap years",
    );
  });
});
