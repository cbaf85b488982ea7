/**
 * Shared test data: the qualification section of the shipped example agreement, and the
 * variables its expressions may read.
 */
import type { VariableSchema } from "../expression/index.js";
import { builtInFields } from "../lead/fields.js";
import { type Qualification, qualificationSchema } from "./qualification-schema.js";

export const testSchema: VariableSchema = {
  lead: { ...builtInFields.lead, persona_match: "bool", student: "bool" },
  company: { ...builtInFields.company },
  account: { ...builtInFields.account },
  activity: { ...builtInFields.activity },
};

/** As written in examples/agreement.yaml. */
export function exampleQualificationInput() {
  return {
    groups: {
      fit: { cap: 50, label: "Firmographic fit" },
      behaviour: { cap: 40, label: "Behaviour" },
      intent: { cap: 40, label: "Intent" },
    },
    rules: [
      { id: "target-size", group: "fit", when: "company.employees >= 200", points: 20 },
      {
        id: "target-geography",
        group: "fit",
        when: 'lead.country in ["US", "CA", "GB", "IE"]',
        points: 10,
      },
      { id: "buyer-persona", group: "fit", when: "lead.persona_match == true", points: 15 },
      {
        id: "target-industry",
        group: "fit",
        when: 'company.industry in ["software", "fintech", "healthcare"]',
        points: 10,
      },
      { id: "student", group: "fit", when: "lead.student == true", points: -30 },
      {
        id: "pricing-page",
        group: "behaviour",
        activity: "page_view",
        where: 'activity.url.contains("/pricing")',
        within_days: 30,
        points: 10,
        max_points: 30,
        half_life_days: 14,
      },
      {
        id: "content",
        group: "behaviour",
        activity: "content_download",
        within_days: 60,
        points: 5,
        max_points: 15,
        half_life_days: 30,
      },
      {
        id: "demo-request",
        group: "intent",
        activity: "form_submit",
        where: 'activity.form == "demo"',
        within_days: 90,
        points: 40,
      },
      {
        id: "third-party-intent",
        group: "intent",
        activity: "intent_signal",
        within_days: 21,
        points: 10,
        max_points: 20,
      },
    ],
    thresholds: { mql: { score: 60, min_groups: { fit: 20 } }, sql: { score: 90 } },
  };
}

export function exampleQualification(): Qualification {
  return qualificationSchema.parse(exampleQualificationInput());
}

export const dayMs = 86_400_000;
/** A fixed reference instant: Monday 2 March 2026, 12:00 UTC. */
export const now = Date.UTC(2026, 2, 2, 12);
export const daysAgo = (days: number) => now - days * dayMs;
