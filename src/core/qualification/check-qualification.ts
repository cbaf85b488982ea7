import type { AgreementIssue, IssuePath } from "../agreement/agreement-issue.js";
import {
  compileCondition,
  type ExpressionError,
  type VariableSchema,
} from "../expression/index.js";
import type { Qualification } from "./qualification-schema.js";

/** The scope an activity rule's `where` reads; a `when` may not read it. */
export const activityScope = "activity";

/**
 * Checks a qualification section that already has the right shape (`qualificationSchema`):
 * every `when` compiles as a condition over lead, company and account, every `where` as a
 * condition that may also read the activity. Also warns about groups no rule feeds, rules worth
 * no points, and an SQL threshold below the MQL one.
 *
 * Paths are relative to `qualification`; `offset` locates an expression problem inside the
 * expression text, so the agreement loader can report its line and column.
 */
export function checkQualification(
  qualification: Qualification,
  schema: VariableSchema,
): AgreementIssue[] {
  const issues: AgreementIssue[] = [];
  const leadSchema = withoutActivity(schema);
  const expression = (path: IssuePath, problem: ExpressionError) =>
    issues.push({
      severity: "error",
      code: "expression",
      path,
      message: problem.message,
      offset: problem.offset,
      ...(problem.hint === undefined ? {} : { hint: problem.hint }),
    });

  const fedGroups = new Set<string>();
  for (const [index, rule] of qualification.rules.entries()) {
    fedGroups.add(rule.group);
    if (rule.when !== undefined) {
      const compiled = compileCondition(rule.when, leadSchema);
      if (!compiled.ok)
        for (const problem of compiled.errors)
          expression(["rules", index, "when"], activityHint(problem));
    }
    if (rule.where !== undefined) {
      const compiled = compileCondition(rule.where, schema);
      if (!compiled.ok)
        for (const problem of compiled.errors) expression(["rules", index, "where"], problem);
    }
    if (rule.points === 0)
      issues.push({
        severity: "warning",
        code: "qualification",
        path: ["rules", index, "points"],
        message: `rule '${rule.id}' is worth 0 points and never changes a score`,
        hint: "give it points, or remove it",
      });
  }
  for (const group of Object.keys(qualification.groups)) {
    if (!fedGroups.has(group))
      issues.push({
        severity: "warning",
        code: "qualification",
        path: ["groups", group],
        message: `no rule adds points to group '${group}'`,
        hint: `add a rule with group: ${group}, or remove the group`,
      });
  }
  const { mql, sql } = qualification.thresholds;
  if (sql !== undefined && sql.score < mql.score)
    issues.push({
      severity: "warning",
      code: "consistency",
      path: ["thresholds", "sql", "score"],
      message: `the SQL threshold (${sql.score}) is below the MQL threshold (${mql.score}), so a lead could be sales-qualified without being marketing-qualified`,
      hint: `raise sql.score to at least ${mql.score}`,
    });
  return issues;
}

/** `when` reads the lead; an author reaching for the activity there wants `where`. */
function activityHint(problem: ExpressionError): ExpressionError {
  if (!problem.message.startsWith(`unknown variable '${activityScope}'`)) return problem;
  return {
    ...problem,
    message:
      "'when' is a condition on the lead, company and account; the activity is read in 'where'",
    hint: "move the activity condition to 'where' on an activity rule",
  };
}

const leadSchemas = new WeakMap<VariableSchema, VariableSchema>();

/** The schema without the activity scope, cached so the expression environment is reused. */
export function withoutActivity(schema: VariableSchema): VariableSchema {
  let lead = leadSchemas.get(schema);
  if (lead === undefined) {
    lead = Object.fromEntries(Object.entries(schema).filter(([scope]) => scope !== activityScope));
    leadSchemas.set(schema, lead);
  }
  return lead;
}
