import type { Transaction } from "kysely";
import type { CompiledAgreement } from "../core/agreement/compile-agreement.js";
import { type Activity, isTouch } from "../core/lead/lead.js";
import type { LeadView } from "../core/ledger/lead-view.js";
import type { NewEvent } from "../core/ledger/ledger-event.js";
import { type LeadAction, type TransitionProblem, transition } from "../core/lifecycle/index.js";
import { isOpenStage } from "../core/pipeline/handoff-rules.js";
import type { Assignee } from "../core/routing/index.js";
import type { BatonDatabase } from "../db/schema.js";
import { assignedEvent, assignmentNotifications, routeAgain } from "./assignment.js";
import { advanceClocks } from "./clocks.js";
import { type Engine, inTransaction } from "./engine.js";
import { loadLeads, loadOpportunities, UnitOfWork } from "./ledger-store.js";

/**
 * What reps, managers and marketing do to a lead after it arrived: lifecycle actions (accept,
 * reject with reason, recycle, convert, win, lose …), activities, reassignment and opportunity
 * stage changes. The agreement's rules are enforced by the core (`transition`); refusals are
 * coded errors listing every failed requirement, and nothing is written.
 */

export const actionErrorCodes = [
  "no_active_agreement",
  "unknown_lead",
  "not_owner",
  "unknown_rep",
  "no_opportunity",
  "opportunity_closed",
  "invalid_input",
] as const;

export interface ActionError {
  code: (typeof actionErrorCodes)[number] | TransitionProblem["code"];
  message: string;
  problems?: TransitionProblem[];
}

export type ActionResult = { ok: true; lead: LeadSummary } | { ok: false; error: ActionError };

export interface LeadSummary {
  id: string;
  stage: string;
  owner: Assignee | null;
  opportunityId: string | null;
}

interface Context {
  trx: Transaction<BatonDatabase>;
  unit: UnitOfWork;
  compiled: CompiledAgreement;
  version: number;
  now: number;
  lead: LeadView;
}

/** Loads the active agreement and the lead (locked), runs `work`, then moves clocks and commits. */
async function withLead(
  engine: Engine,
  leadId: string,
  actor: string,
  work: (
    context: Context,
  ) => Promise<{ ok: true; events: NewEvent[] } | { ok: false; error: ActionError }>,
): Promise<ActionResult> {
  return inTransaction(engine, async (trx) => {
    const active = await engine.registry.active(trx);
    if (active === undefined)
      return fail(
        "no_active_agreement",
        "no agreement is active yet; nothing can be decided without one",
      );
    const unit = new UnitOfWork(trx, engine.workspace, engine.registry, engine.timers);
    await loadLeads(trx, engine.workspace, unit.set, [leadId], { forUpdate: true });
    const lead = unit.set.leads.get(leadId);
    if (lead === undefined) return fail("unknown_lead", `there is no lead '${leadId}'`);
    const now = engine.now();
    const outcome = await work({
      trx,
      unit,
      compiled: active.compiled,
      version: active.version,
      now,
      lead,
    });
    if (!outcome.ok) return outcome;
    const leadEvents = outcome.events.filter(
      (event) => event.streamId === leadId && event.type.startsWith("lead."),
    );
    await advanceClocks(trx, engine, unit, {
      compiled: active.compiled,
      version: active.version,
      actor,
      at: now,
      changes: [{ lead: unit.set.leads.get(leadId)!, events: leadEvents }],
    });
    await unit.commit();
    const after = unit.set.leads.get(leadId)!;
    return {
      ok: true,
      lead: {
        id: after.id,
        stage: after.stage,
        owner: after.owner,
        opportunityId: after.opportunityId,
      },
    };
  });
}

export interface ActInput {
  leadId: string;
  action: LeadAction;
  /** for `convert`: the opportunity to open */
  opportunity?: { stage?: string; amount?: number };
  /** for `win`: the final amount */
  amount?: number;
}

/**
 * Applies a lifecycle action. A rep acts only on leads they own or that wait in a queue (taking a
 * queued lead makes them its owner). Converting opens an opportunity; winning or losing closes
 * it. The opportunity's first stage defaults to the lifecycle stage the lead moved to.
 */
export async function actOnLead(engine: Engine, input: ActInput): Promise<ActionResult> {
  const actor = input.action.actor;
  return withLead(
    engine,
    input.leadId,
    actor.id,
    async ({ unit, compiled, version, now, lead }) => {
      if (actor.role === "rep" && lead.owner?.kind === "rep" && lead.owner.id !== actor.id)
        return fail(
          "not_owner",
          `lead ${lead.id} belongs to ${lead.owner.id}; a rep acts on their own leads (a sales manager or admin can reassign it)`,
        );
      const decided = transition(
        {
          id: lead.id,
          stage: lead.stage,
          stageEnteredAt: lead.stageEnteredAt,
          createdAt: lead.createdAt,
          fields: lead.fields,
          company: lead.company,
          activities: lead.activities,
          ...(lead.owner ? { owner: lead.owner.id } : {}),
          ...(lead.recycledUntil === null ? {} : { recycledUntil: lead.recycledUntil }),
        },
        input.action,
        compiled.lifecycle,
        now,
      );
      if (!decided.ok)
        return {
          ok: false,
          error: {
            code: decided.error.code,
            message: decided.error.message,
            problems: decided.error.problems,
          },
        };
      const base = { actor: actor.id, at: now, agreementVersion: version };
      const events: NewEvent[] = [];
      for (const event of decided.events) {
        if (event.type === "fields_changed")
          events.push({
            ...base,
            type: "lead.fields_changed",
            streamId: lead.id,
            data: { fields: event.fields },
          });
        else
          events.push({
            ...base,
            type: "lead.stage_changed",
            streamId: lead.id,
            explanation: {
              why: event.recycle
                ? `recycling rule '${event.recycle.rule}' sent the lead to ${event.to} until ${new Date(event.recycle.until).toISOString()}`
                : `${actor.id} (${actor.role}) took '${event.action}'`,
            },
            data: {
              from: event.from,
              to: event.to,
              action: event.action,
              role: actor.role,
              open: isOpenStage(compiled.lifecycle, event.to),
              ...(event.reason === undefined ? {} : { reason: event.reason }),
              ...(event.note === undefined ? {} : { note: event.note }),
              ...(event.feedback === undefined ? {} : { feedback: event.feedback }),
              ...(event.recycle === undefined ? {} : { recycle: event.recycle }),
            },
          });
      }
      // A rep taking a lead from a queue becomes its owner.
      if (
        actor.role === "rep" &&
        lead.owner?.kind !== "rep" &&
        Object.hasOwn(compiled.agreement.people, actor.id)
      )
        events.push({
          ...base,
          type: "lead.assigned",
          streamId: lead.id,
          explanation: {
            why: `${actor.id} took the lead${lead.owner ? ` from queue ${lead.owner.id}` : ""}`,
          },
          data: {
            owner: { kind: "rep", id: actor.id },
            previous: lead.owner,
            cause: "manual",
            ruleId: null,
            pools: {},
            revision: 0,
          },
        });

      const to = decided.lead.stage;
      const terminal = compiled.lifecycle.stages.get(to)?.terminal === true;
      if (
        input.action.type === "convert" ||
        (to === "opportunity" && lead.opportunityId === null)
      ) {
        const opportunityId = lead.opportunityId ?? `opp-${lead.id}`;
        if (lead.opportunityId === null)
          events.push({
            ...base,
            type: "opportunity.opened",
            streamId: opportunityId,
            data: {
              leadId: lead.id,
              accountId: lead.accountId,
              stage: input.opportunity?.stage ?? to,
              amount: input.opportunity?.amount ?? null,
              owner: lead.owner?.kind === "rep" ? lead.owner.id : actor.id,
            },
          });
      } else if (terminal && lead.opportunityId !== null) {
        const won = !compiled.lifecycle.transitionsFrom.get(lead.stage)?.get(input.action.type)
          ?.requires.reason;
        events.push({
          ...base,
          type: "opportunity.closed",
          streamId: lead.opportunityId,
          data: {
            outcome: won ? "won" : "lost",
            ...(input.action.reason === undefined ? {} : { reason: input.action.reason }),
            ...(input.action.note === undefined ? {} : { note: input.action.note }),
            ...(input.amount === undefined ? {} : { amount: input.amount }),
          },
        });
      }
      if (lead.opportunityId !== null)
        await loadOpportunities(unit.db, unit.workspace, unit.set, [lead.opportunityId]);
      await unit.append(events);
      return { ok: true, events };
    },
  );
}

/** Logs an activity. A human call, e-mail or meeting is a touch; automatic replies never are. */
export async function logActivity(
  engine: Engine,
  input: { leadId: string; activity: Activity; actor: string },
): Promise<ActionResult> {
  return withLead(engine, input.leadId, input.actor, async ({ unit, version, now, lead }) => {
    const events: NewEvent[] = [
      {
        type: "lead.activity_logged",
        streamId: lead.id,
        actor: input.actor,
        at: now,
        agreementVersion: version,
        explanation: {
          why: isTouch(input.activity)
            ? `a ${input.activity.type} by ${input.activity.actor ?? input.actor} counts as a touch`
            : input.activity.autoReply
              ? "an automatic reply never counts as a touch"
              : `a ${input.activity.type} is not a touch`,
        },
        data: { activity: input.activity, touch: isTouch(input.activity) },
      },
    ];
    await unit.append(events);
    return { ok: true, events };
  });
}

/**
 * Reassigns a lead: to a named rep, or through routing again (the current owner is not offered
 * the lead back while another rep can take it).
 */
export async function reassignLead(
  engine: Engine,
  input: {
    leadId: string;
    to: string | "routing";
    actor: { id: string; role: LeadAction["actor"]["role"] };
    cause?: "manual" | "escalation";
  },
): Promise<ActionResult> {
  return withLead(
    engine,
    input.leadId,
    input.actor.id,
    async ({ trx, unit, compiled, version, now, lead }) => {
      if (input.actor.role === "rep" || input.actor.role === "marketing")
        return fail(
          "not_owner",
          `a ${input.actor.role} cannot reassign leads; a sales manager or admin can`,
        );
      const cause = input.cause ?? "manual";
      let event: NewEvent;
      if (input.to === "routing") {
        const decision = await routeAgain(trx, engine, unit, compiled, lead, now);
        event = assignedEvent(unit.set, lead, decision, version, now, cause, lead.owner);
        event.actor = input.actor.id;
        unit.defer(
          engine.notifications.enqueue(assignmentNotifications(compiled, lead, decision, now)),
        );
      } else {
        if (!Object.hasOwn(compiled.agreement.people, input.to))
          return fail("unknown_rep", `'${input.to}' is not a person of the agreement`);
        event = {
          type: "lead.assigned",
          streamId: lead.id,
          actor: input.actor.id,
          at: now,
          agreementVersion: version,
          explanation: { why: `${input.actor.id} assigned the lead to ${input.to}` },
          data: {
            owner: { kind: "rep", id: input.to },
            previous: lead.owner,
            cause,
            ruleId: null,
            pools: {},
            revision: 0,
          },
        };
      }
      await unit.append([event]);
      return { ok: true, events: [event] };
    },
  );
}

export async function changeOpportunityStage(
  engine: Engine,
  input: { leadId: string; stage: string; amount?: number; actor: string },
): Promise<ActionResult> {
  return withLead(engine, input.leadId, input.actor, async ({ unit, version, now, lead }) => {
    if (lead.opportunityId === null)
      return fail("no_opportunity", `lead ${lead.id} has no opportunity; convert it first`);
    await loadOpportunities(unit.db, unit.workspace, unit.set, [lead.opportunityId]);
    const opportunity = unit.set.opportunities.get(lead.opportunityId)!;
    if (opportunity.closedAt !== null)
      return fail(
        "opportunity_closed",
        `opportunity ${opportunity.id} is already ${opportunity.outcome}`,
      );
    if (input.stage.trim() === "")
      return fail("invalid_input", "the opportunity stage is empty; name the stage");
    const events: NewEvent[] = [
      {
        type: "opportunity.stage_changed",
        streamId: opportunity.id,
        actor: input.actor,
        at: now,
        agreementVersion: version,
        data: {
          from: opportunity.stage,
          to: input.stage,
          ...(input.amount === undefined ? {} : { amount: input.amount }),
        },
      },
    ];
    await unit.append(events);
    return { ok: true, events };
  });
}

function fail(code: ActionError["code"], message: string): { ok: false; error: ActionError } {
  return { ok: false, error: { code, message } };
}
