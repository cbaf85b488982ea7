import { describe, expect, it } from "vitest";
import { checkQualification } from "./check-qualification.js";
import { exampleQualification, testSchema } from "./qualification-test-fixtures.js";

describe("checkQualification", () => {
  it("finds nothing wrong with the example", () => {
    expect(checkQualification(exampleQualification(), testSchema)).toEqual([]);
  });

  it("reports an expression error at the rule's field, with the offset inside the expression", () => {
    const qualification = exampleQualification();
    qualification.rules[0]!.when = "company.employes >= 200";
    qualification.rules[5]!.where = 'activity.ulr.contains("/pricing")';
    expect(checkQualification(qualification, testSchema)).toEqual([
      {
        severity: "error",
        code: "expression",
        path: ["rules", 0, "when"],
        message: expect.stringContaining("unknown field company.employes"),
        offset: 8,
        hint: "write company.employees",
      },
      {
        severity: "error",
        code: "expression",
        path: ["rules", 5, "where"],
        message: expect.stringContaining("unknown field activity.ulr"),
        offset: 9,
        hint: "write activity.url",
      },
    ]);
  });

  it("refuses a 'when' that reads the activity, pointing to 'where'", () => {
    const qualification = exampleQualification();
    qualification.rules[5]!.when = 'activity.url.contains("/pricing")';
    const [issue] = checkQualification(qualification, testSchema);
    expect(issue).toMatchObject({
      path: ["rules", 5, "when"],
      offset: 0,
      hint: "move the activity condition to 'where' on an activity rule",
    });
  });

  it("lets a 'where' read the lead too", () => {
    const qualification = exampleQualification();
    qualification.rules[5]!.where = 'activity.url.contains("/pricing") && lead.country == "US"';
    expect(checkQualification(qualification, testSchema)).toEqual([]);
  });

  it("refuses a condition that is not true or false", () => {
    const qualification = exampleQualification();
    qualification.rules[0]!.when = "company.employees";
    const [issue] = checkQualification(qualification, testSchema);
    expect(issue?.message).toContain("must be true or false");
  });

  it("warns about a group without rules, a rule worth nothing and SQL below MQL", () => {
    const qualification = exampleQualification();
    qualification.groups.spare = { cap: 10 };
    qualification.rules[0]!.points = 0;
    qualification.thresholds.sql = { score: 50 };
    const issues = checkQualification(qualification, testSchema);
    expect(issues.map((issue) => [issue.severity, issue.path.join(".")])).toEqual([
      ["warning", "rules.0.points"],
      ["warning", "groups.spare"],
      ["warning", "thresholds.sql.score"],
    ]);
  });
});
