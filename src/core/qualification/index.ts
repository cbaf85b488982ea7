/**
 * Lead qualification: the agreement's `qualification` section (score groups, rules, MQL/SQL
 * thresholds), its checks, and a pure scorer whose every score explains itself. See
 * qualification-schema.ts for the glossary.
 */
export { activityScope, checkQualification } from "./check-qualification.js";
export { compileQualification, type QualificationScorer } from "./compile-qualification.js";
export * from "./lead-score.js";
export * from "./qualification-schema.js";
export { describeCheck, formatPoints } from "./score-explanation.js";
