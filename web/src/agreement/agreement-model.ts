import { formatMinutes, humanise } from "../components/format";

/**
 * The parts of a parsed agreement (GET /api/agreements/active → `agreement`) that the web app
 * reads, typed loosely: the API declares the parsed agreement as unknown, and the pages must
 * render an older or newer file without crashing, so every section is optional here and read
 * defensively. The authoritative shape is src/core/agreement/agreement-schema.ts.
 */

type Id = string;

export interface AgreementTransition {
  action: Id;
  from: Id | Id[];
  to: Id;
  by: string[];
  requires?: { reason?: Id; context?: Id[]; feedback?: Id[] };
}

export interface AgreementReason {
  id: Id;
  label: string;
  note_required?: boolean;
}

export interface AgreementGoal {
  id: Id;
  when?: string;
  target_minutes?: number;
  target_business_days?: number;
  calendar: Id;
}

export interface AgreementStep {
  id: Id;
  kind: "clock" | "gate" | "cadence";
  name: string;
  owner: Id | Id[];
  crm_trigger?: string;
  start_on?: string[];
  stop_on?: string[];
  pause_when?: string[];
  reset_on?: string[];
  goals?: AgreementGoal[];
  warnings?: { percent?: number[]; minutes_before?: number[] };
  escalation?: { at: unknown; actions: Record<string, unknown>[] }[];
  on_actions?: Id[];
  requires?: string[];
  review?: Id;
}

export interface AgreementCommitment {
  id: Id;
  label: string;
  metric: string;
  per: string;
  min?: number;
  max?: number;
  warn_below?: number;
  step?: Id;
  within_days?: number;
  segment?: string;
}

export interface AgreementCalendar {
  timezone: string;
  hours: string | Record<string, string[]>;
  holidays?: { date: string; name?: string; yearly?: boolean; from?: string; to?: string }[];
}

export interface AgreementRoutingRule {
  id: Id;
  description?: string;
  when?: string;
  to: Record<string, unknown>;
}

export interface AgreementPool {
  strategy?: string;
  members: { rep: Id; weight?: number; cap?: number }[];
  cap?: number;
  working_hours?: string;
  catch_up?: boolean;
  overflow?: Record<string, unknown>;
}

export interface AgreementQualificationRule {
  id: Id;
  group: Id;
  when?: string;
  activity?: string;
  where?: string;
  within_days?: number;
  points: number;
  max_points?: number;
  half_life_days?: number;
}

export interface Agreement {
  name?: string;
  version?: string;
  timezone?: string;
  fields?: { lead?: Record<Id, string>; company?: Record<Id, string> };
  teams?: Record<Id, { label: string; side: string; manager?: Id; calendar?: Id }>;
  people?: Record<Id, { name: string; email?: string; team: Id; calendar?: Id }>;
  calendars?: Record<Id, AgreementCalendar>;
  lifecycle?: {
    initial?: Id;
    stages?: { id: Id; label: string; terminal?: boolean }[];
    transitions?: AgreementTransition[];
  };
  reasons?: Record<Id, AgreementReason[]>;
  feedback?: Record<Id, { label: string; values: Id[] }>;
  recycling?: {
    id: Id;
    after: { action?: Id; reasons?: Id[]; feedback?: Record<Id, Id> };
    to: Id;
    requalify_after_days: number;
  }[];
  qualification?: {
    groups?: Record<Id, { cap?: number; label?: string }>;
    rules?: AgreementQualificationRule[];
    thresholds?: Record<Id, { score: number; min_groups?: Record<Id, number> }>;
  };
  sla?: { steps?: AgreementStep[] };
  routing?: {
    rules?: AgreementRoutingRule[];
    pools?: Record<Id, AgreementPool>;
    queues?: Record<Id, { team?: Id; label?: string }>;
    fallback?: Record<string, unknown>;
  };
  sources?: Record<string, string[]>;
  commitments?: Record<string, AgreementCommitment[]>;
  approvers?: Record<string, Id[]>;
}

export function asAgreement(parsed: unknown): Agreement {
  return parsed !== null && typeof parsed === "object" ? (parsed as Agreement) : {};
}

/** A person's or team's name as the agreement writes it, else the id in words. */
export function personName(agreement: Agreement, id: Id | null | undefined): string {
  if (id === null || id === undefined) return "—";
  return agreement.people?.[id]?.name ?? agreement.teams?.[id]?.label ?? humanise(id);
}

export function teamName(agreement: Agreement, id: Id): string {
  return agreement.teams?.[id]?.label ?? humanise(id);
}

export function stageLabel(agreement: Agreement, id: Id): string {
  return agreement.lifecycle?.stages?.find((stage) => stage.id === id)?.label ?? humanise(id);
}

export function feedbackLabel(agreement: Agreement, id: Id): string {
  return agreement.feedback?.[id]?.label ?? humanise(id);
}

/** The actions a role may take on a lead in `stage`, in the agreement's order. */
export function transitionsFrom(
  agreement: Agreement,
  stage: Id,
  role: string,
): AgreementTransition[] {
  return (agreement.lifecycle?.transitions ?? []).filter((transition) => {
    const from = Array.isArray(transition.from) ? transition.from : [transition.from];
    return from.includes(stage) && transition.by.includes(role);
  });
}

export function reasonsFor(agreement: Agreement, transition: AgreementTransition) {
  const list = transition.requires?.reason;
  return list === undefined ? undefined : (agreement.reasons?.[list] ?? []);
}

/**
 * The people a manager answers for: members of the teams they manage. Empty for anyone who
 * manages no team (an admin sees every queue instead).
 */
export function teamMembersOf(agreement: Agreement, manager: Id | null): Set<Id> {
  const members = new Set<Id>();
  if (manager === null) return members;
  const teams = Object.entries(agreement.teams ?? {})
    .filter(([, team]) => team.manager === manager)
    .map(([id]) => id);
  for (const [id, person] of Object.entries(agreement.people ?? {}))
    if (teams.includes(person.team)) members.add(id);
  if (teams.length > 0) members.add(manager);
  return members;
}

/** "60 minutes", "4 business hours", "2 business days" — a goal as the SLA table says it. */
export function describeGoal(goal: AgreementGoal): string {
  const calendar =
    goal.calendar === "always"
      ? ""
      : goal.calendar === "owner" || goal.calendar === "team" || goal.calendar === "region"
        ? ` (${goal.calendar === "owner" ? "the owner's" : `the ${goal.calendar}'s`} working hours)`
        : ` (${humanise(goal.calendar)} hours)`;
  if (goal.target_business_days !== undefined)
    return `${goal.target_business_days} business ${goal.target_business_days === 1 ? "day" : "days"}${calendar}`;
  if (goal.target_minutes === undefined) return "—";
  const business = goal.calendar === "always" ? "" : "business ";
  const minutes = goal.target_minutes;
  const text =
    minutes % 60 === 0 && minutes >= 60
      ? `${minutes / 60} ${business}${minutes === 60 ? "hour" : "hours"}`
      : business === ""
        ? formatMinutes(minutes)
        : `${minutes} business minutes`;
  return `${text}${calendar}`;
}

/** A clock trigger in words: "enter:mql" → "the lead enters MQL". */
export function describeTrigger(agreement: Agreement, trigger: string): string {
  if (trigger === "created") return "the lead arrives";
  if (trigger === "assigned") return "an owner is assigned";
  if (trigger === "touch") return "a person calls, e-mails or meets the lead";
  const [kind, id = ""] = trigger.split(":");
  if (kind === "enter") return `the lead enters ${stageLabel(agreement, id)}`;
  if (kind === "exit") return `the lead leaves ${stageLabel(agreement, id)}`;
  if (kind === "action") return `someone does “${humanise(id)}”`;
  return trigger;
}

export function describeDeadline(agreement: Agreement, step: AgreementStep): string {
  if (step.kind === "clock") {
    const goals = step.goals ?? [];
    return goals
      .map((goal) =>
        goal.when === undefined || goals.length === 1
          ? describeGoal(goal)
          : `${describeGoal(goal)} when ${goal.when}`,
      )
      .join("; otherwise ");
  }
  if (step.kind === "gate")
    return `At ${(step.on_actions ?? []).map(humanise).join(", ")}: ${(step.requires ?? []).join(", ")} required`;
  const review = (agreement as { reviews?: { id: Id; every: string; day: string; time: string }[] })
    .reviews;
  const found = review?.find((entry) => entry.id === step.review);
  return found === undefined
    ? "A recurring review"
    : `Every ${found.every} on ${humanise(found.day)} at ${found.time}`;
}

export function ownersOf(agreement: Agreement, step: AgreementStep): string {
  const owners = Array.isArray(step.owner) ? step.owner : [step.owner];
  return owners.map((owner) => teamName(agreement, owner)).join(" and ");
}

const metricWords: Record<string, string> = {
  mql_count: "MQLs",
  mql_to_sql_rate: "MQL to SQL conversion",
  handoff_context_completeness: "handoffs with full context",
  touched_within_sla_rate: "MQLs touched within the SLA",
  outcome_logging_rate: "outcomes logged",
  rejection_reason_coverage: "dispositions with a reason",
  sla_attainment: "SLA attainment",
};

function amount(value: number, metric: string): string {
  return metric.endsWith("_rate") ||
    metric.endsWith("_coverage") ||
    metric.endsWith("_completeness") ||
    metric === "sla_attainment"
    ? `${Math.round(value * 1000) / 10} %`
    : String(value);
}

/** "At least 120 MQLs per week", "At least 25 % MQL to SQL conversion per month (flag below 20 %)" */
export function describeCommitment(commitment: AgreementCommitment): string {
  const what = metricWords[commitment.metric] ?? humanise(commitment.metric);
  const bounds = [
    commitment.min === undefined
      ? undefined
      : `at least ${amount(commitment.min, commitment.metric)}`,
    commitment.max === undefined
      ? undefined
      : `at most ${amount(commitment.max, commitment.metric)}`,
  ].filter((part) => part !== undefined);
  const extras = [
    commitment.step === undefined ? undefined : `on ${humanise(commitment.step)}`,
    commitment.within_days === undefined ? undefined : `within ${commitment.within_days} days`,
    commitment.segment === undefined ? undefined : `for leads where ${commitment.segment}`,
    commitment.warn_below === undefined
      ? undefined
      : `flagged below ${amount(commitment.warn_below, commitment.metric)}`,
  ].filter((part) => part !== undefined);
  const text = `${bounds.join(" and ") || "Tracked:"} ${what} per ${commitment.per}`;
  return `${text.charAt(0).toUpperCase()}${text.slice(1)}${extras.length > 0 ? ` (${extras.join("; ")})` : ""}`;
}

/** A routing target in words: { pool: na-sdr } → "the NA SDR pool". */
export function describeTarget(target: Record<string, unknown> | undefined): string {
  if (target === undefined) return "—";
  if (typeof target.pool === "string") return `the ${humanise(target.pool)} pool`;
  if (typeof target.queue === "string") return `the ${humanise(target.queue)} queue`;
  if (typeof target.owner === "string") return humanise(target.owner);
  if (target.account_owner === true) return "the account's owner";
  return JSON.stringify(target);
}

export function describeCalendarHours(calendar: AgreementCalendar): string[] {
  if (typeof calendar.hours === "string")
    return [calendar.hours === "24/7" ? "Always open (24/7)" : calendar.hours];
  return Object.entries(calendar.hours).map(
    ([day, spans]) => `${humanise(day)}: ${spans.join(", ")}`,
  );
}
