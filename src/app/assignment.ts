import type { Transaction } from "kysely";
import type { CompiledAgreement } from "../core/agreement/compile-agreement.js";
import type { FieldRecord } from "../core/lead/lead.js";
import type { LeadView } from "../core/ledger/lead-view.js";
import type { LeadAssignedData, NewEvent } from "../core/ledger/ledger-event.js";
import type { ProjectionSet } from "../core/ledger/projection.js";
import type { ExistingAccount } from "../core/matching/index.js";
import { goalInputOf } from "../core/pipeline/clock-plan.js";
import type { RoutingDecision, RoutingInput } from "../core/routing/index.js";
import type { BatonDatabase } from "../db/schema.js";
import type { Engine, NotificationRequest } from "./engine.js";
import { lockRouting, openLeadsByRep, type UnitOfWork } from "./ledger-store.js";

/**
 * Assignments as the use cases record and announce them: the routing input of a lead, the
 * `lead.assigned` event a decision makes, routing a lead again away from its owner (a manager's
 * reassignment, an escalation), and the words notifications use for leads and people.
 */

export function routingInput(view: LeadView, account: ExistingAccount | undefined): RoutingInput {
  return {
    lead: { ...view.fields, stage: view.stage, score: view.score, created_at: view.createdAt },
    company: view.company,
    ...(account === undefined ? {} : { account: accountFields(account) }),
  };
}

export function accountFields(account: ExistingAccount): FieldRecord {
  return {
    id: account.id,
    ...(account.ownerId ? { owner: account.ownerId } : {}),
    has_open_opportunity: (account.openOpportunities ?? []).length > 0,
  };
}

/**
 * The assignment a routing decision makes, numbered after the last decision folded into `set`
 * (whose routing row the caller has locked).
 */
export function assignedEvent(
  set: ProjectionSet,
  view: LeadView,
  decision: RoutingDecision,
  version: number,
  now: number,
  cause: LeadAssignedData["cause"],
  previous: LeadAssignedData["previous"],
): NewEvent {
  const pools: LeadAssignedData["pools"] = {};
  const pool = decision.explanation.pool;
  if (pool !== undefined) {
    const next = decision.nextState.pools[pool];
    if (next !== undefined) pools[pool] = next;
  }
  return {
    type: "lead.assigned",
    streamId: view.id,
    actor: "system",
    at: now,
    agreementVersion: version,
    explanation: {
      why: decision.explanation.why,
      rule: decision.ruleId,
      fallback: decision.viaFallback,
      overflow: decision.viaOverflow,
      strategy: decision.explanation.strategy,
      excluded: decision.explanation.candidates
        .filter((candidate) => !candidate.eligible)
        .map((candidate) => ({
          rep: candidate.rep,
          reason: candidate.reason,
          load: candidate.load,
          cap: candidate.cap,
        })),
    },
    data: {
      owner: decision.assignee,
      previous,
      cause,
      ruleId: decision.ruleId,
      pools,
      revision: (set.routing?.revision ?? 0) + 1,
    },
  };
}

/** "New lead for you": to the rep, or to the manager of the team whose queue took the lead. */
export function assignmentNotifications(
  compiled: CompiledAgreement,
  view: LeadView,
  decision: RoutingDecision,
  now: number,
): NotificationRequest[] {
  const agreement = compiled.agreement;
  const personId =
    decision.assignee.kind === "rep"
      ? decision.assignee.id
      : agreement.teams[decision.assignee.team]?.manager;
  if (personId === undefined) return [];
  const name = leadName(view);
  const company = text(view.company.name);
  const where = decision.assignee.kind === "queue" ? ` in queue ${decision.assignee.id}` : "";
  const dueStep = compiled.clockSteps.find((step) =>
    step.step.start_on.includes(`enter:${view.stage}`),
  );
  const goal = dueStep?.selectGoal(goalInputOf(view, now));
  return [
    {
      key: `lead-assigned:${view.id}:${now}:${decision.assignee.id}`,
      kind: "lead_assigned",
      recipient: recipientOf(compiled, personId),
      subject: `New lead${where}: ${name}${company ? ` (${company})` : ""}`,
      text: `${name}${company ? ` at ${company}` : ""} was assigned${where}: ${decision.explanation.why}.${goal?.ok ? ` The ${dueStep!.step.name} goal is ${goal.goalId}.` : ""}`,
      data: { leadId: view.id, assignee: decision.assignee, rule: decision.ruleId },
    },
  ];
}

/**
 * Routes a lead again under the workspace's routing lock, offering it to anyone but its current
 * owner (who keeps it only when nobody else can take it).
 */
export async function routeAgain(
  trx: Transaction<BatonDatabase>,
  engine: Engine,
  unit: UnitOfWork,
  compiled: CompiledAgreement,
  lead: LeadView,
  now: number,
): Promise<RoutingDecision> {
  await lockRouting(trx, engine.workspace, unit.set);
  const openLeads = await openLeadsByRep(trx, engine.workspace, unit.set);
  const current = lead.owner?.kind === "rep" ? lead.owner.id : undefined;
  return compiled.router.route(
    routingInput(lead, undefined),
    {
      openLeads,
      pools: unit.set.routing?.pools ?? {},
      availability: {
        isWorking: (rep, at) => rep !== current && compiled.availability.isWorking(rep, at),
        isOutOfOffice: (rep, at) => compiled.availability.isOutOfOffice(rep, at),
      },
    },
    now,
  );
}

/** A person of the agreement as a notification recipient. */
export function recipientOf(
  compiled: CompiledAgreement,
  personId: string,
): NotificationRequest["recipient"] {
  const people = compiled.agreement.people;
  const person = Object.hasOwn(people, personId) ? people[personId] : undefined;
  return {
    person: personId,
    ...(person?.email ? { email: person.email } : {}),
    ...(person?.name ? { name: person.name } : {}),
  };
}

/** "Ada Lovelace": the lead's name, else its e-mail, else its id. */
export function leadName(view: LeadView): string {
  return (
    [view.fields.first_name, view.fields.last_name].filter(isText).join(" ") ||
    text(view.fields.email) ||
    view.id
  );
}

/** "Ada Lovelace (BigCo)". */
export function describeLead(view: LeadView): string {
  const company = text(view.company.name);
  return `${leadName(view)}${company ? ` (${company})` : ""}`;
}

function text(value: unknown): string | undefined {
  return typeof value === "string" && value !== "" ? value : undefined;
}

function isText(value: unknown): value is string {
  return typeof value === "string" && value !== "";
}
