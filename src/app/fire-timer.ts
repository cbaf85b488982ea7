import type { Transaction } from "kysely";
import type { CompiledAgreement, CompiledClockStep } from "../core/agreement/compile-agreement.js";
import type { LeadView } from "../core/ledger/lead-view.js";
import type { NewEvent } from "../core/ledger/ledger-event.js";
import { dueEscalations } from "../core/pipeline/clock-plan.js";
import { fireDue, replayClock } from "../core/sla/index.js";
import type { BatonDatabase } from "../db/schema.js";
import {
  assignedEvent,
  assignmentNotifications,
  describeLead,
  recipientOf,
  routeAgain,
} from "./assignment.js";
import { advanceClocks, planClockTimers } from "./clocks.js";
import type { Engine, NotificationRequest } from "./engine.js";
import { loadClockLogs, loadLeads, UnitOfWork } from "./ledger-store.js";

/**
 * What the durable scheduler does when a clock's timer comes due, inside the transaction that
 * claimed the timer row (so the work and the row's `fired_at` commit together, exactly once).
 *
 * A clock has one timer, its next wake-up. Waking, the worker replays the clock at now and
 * records every warning and breach due (core/sla `fireDue`: never back-dated, each at most once
 * per cycle), then takes every escalation rung due and not yet taken (recorded on the lead as
 * `lead.escalated`, so each is taken once): notify the owner, their manager, the team or either
 * side's owner; reassign through routing; set a field. Then it arms the next wake-up. A step with
 * no escalation ladder notifies the owner of a breach. The lead's row is locked first, so two
 * workers waking the same clock take turns and the second finds nothing left to do.
 */

export interface DueTimer {
  key: string;
  kind: string;
  streamId: string;
  payload: unknown;
}

export interface FireOutcome {
  recorded: string[];
}

export async function fireTimer(
  trx: Transaction<BatonDatabase>,
  engine: Engine,
  timer: DueTimer,
  now: number,
): Promise<FireOutcome> {
  return fireTimers(trx, engine, [timer], now);
}

/**
 * Wakes many clocks in one unit of work: one read of the leads (locked, in id order, like every
 * writer), one of the clock logs, one write of everything. The scheduler hands a claimed batch
 * here and falls back to one clock at a time if the batch fails.
 */
export async function fireTimers(
  trx: Transaction<BatonDatabase>,
  engine: Engine,
  timers: readonly DueTimer[],
  now: number,
): Promise<FireOutcome> {
  const recorded: string[] = [];
  const active = await engine.registry.active(trx);
  if (active === undefined || timers.length === 0) return { recorded };
  const { compiled, version } = active;
  const payloads = timers.map((timer) => {
    if (timer.kind !== "clock")
      throw new Error(`unknown timer kind '${timer.kind}' (${timer.key})`);
    return timer.payload as { clockId: string; leadId: string; step: string; cycle: number };
  });
  const unit = new UnitOfWork(trx, engine.workspace, engine.registry, engine.timers);
  unit.expect(timers.length * 4);
  await loadLeads(
    trx,
    engine.workspace,
    unit.set,
    [...new Set(payloads.map((payload) => payload.leadId))],
    {
      forUpdate: true,
    },
  );
  await loadClockLogs(
    trx,
    engine.workspace,
    unit.set,
    payloads.map((payload) => payload.clockId),
  );
  await engine.registry.ensureLoaded(
    trx,
    payloads.flatMap((payload) => unit.set.clocks.get(payload.clockId)?.events ?? []),
  );
  const notifications: NotificationRequest[] = [];
  const changes: { leadId: string; events: NewEvent[] }[] = [];
  const woken: string[] = [];
  for (const payload of payloads) {
    const step = compiled.clockSteps.find((candidate) => candidate.step.id === payload.step);
    const log = unit.set.clocks.get(payload.clockId);
    const lead = unit.set.leads.get(payload.leadId);
    if (log === undefined || lead === undefined || step === undefined || woken.includes(log.id))
      continue;
    woken.push(log.id);
    // replayed as of now, not as of the last event: a breach is a matter of time passing
    const current = replayClock(log.events, engine.registry.resolveCalendar, now, log.id);
    if (!current.ok) throw new Error(current.error.message);
    const fired = fireDue(current.value, now);
    const clockEvents: NewEvent[] = fired.map((event) => ({
      type: "clock.event",
      streamId: log.id,
      actor: "scheduler",
      at: now,
      agreementVersion: version,
      explanation: {
        why:
          event.type === "breach"
            ? `goal reached at ${new Date(event.breachedAt).toISOString()} with no stop`
            : `${event.threshold.value}${event.threshold.kind === "percent" ? " %" : " minutes before"} of the goal`,
      },
      data: { leadId: lead.id, step: step.step.id, event },
    }));
    await unit.append(clockEvents);
    for (const event of fired) {
      recorded.push(event.type);
      if (event.type === "breach" && (step.step.escalation ?? []).length === 0)
        notifications.push(
          ...notify(
            compiled,
            step,
            lead,
            "owner",
            `breach:${log.id}:${event.cycle}`,
            "sla_breach",
            `SLA breached: ${step.step.name}`,
            `${describeLead(lead)}: the ${step.step.name} goal was reached at ${new Date(event.breachedAt).toISOString()} with no follow-up.`,
          ),
        );
    }

    const leadEvents: NewEvent[] = [];
    for (const due of dueEscalations(step, current.value, lead.escalations, now)) {
      const rung = step.step.escalation?.[due.rung];
      if (rung === undefined) continue;
      const cycle = current.value.cycles.find((candidate) => candidate.id === due.cycle);
      const escalated: NewEvent = {
        type: "lead.escalated",
        streamId: lead.id,
        actor: "scheduler",
        at: now,
        agreementVersion: version,
        explanation: {
          why: `escalation rung ${due.rung + 1} of ${step.step.name}, due ${new Date(due.at).toISOString()}`,
        },
        data: {
          clockId: log.id,
          step: step.step.id,
          cycle: due.cycle,
          rung: due.rung,
          actions: rung.actions,
        },
      };
      leadEvents.push(escalated);
      await unit.append([escalated]);
      for (const action of rung.actions) {
        const now_ = unit.set.leads.get(lead.id)!;
        let event: NewEvent | undefined;
        if ("notify" in action) {
          notifications.push(
            ...notify(
              compiled,
              step,
              now_,
              action.notify,
              `${due.key}:${action.notify}`,
              "escalation",
              `Escalation (${triggerOf(rung.at)}): ${step.step.name} for ${describeLead(now_)}`,
              `${describeLead(now_)} has no follow-up yet under "${step.step.name}": ${triggerOf(rung.at)} (rung ${due.rung + 1}${cycle?.dueAt ? `, due ${new Date(cycle.dueAt).toISOString()}` : ""}). Owner: ${now_.owner?.id ?? "none"}.`,
              { trigger: rung.at, rung: due.rung },
            ),
          );
        } else if ("reassign" in action) {
          const decision = await routeAgain(trx, engine, unit, compiled, now_, now);
          event = assignedEvent(unit.set, now_, decision, version, now, "escalation", now_.owner);
          event.actor = "scheduler";
          notifications.push(...assignmentNotifications(compiled, now_, decision, now));
        } else if ("set_field" in action) {
          event = {
            type: "lead.fields_changed",
            streamId: lead.id,
            actor: "scheduler",
            at: now,
            agreementVersion: version,
            explanation: { why: `escalation rung ${due.rung + 1} sets ${action.set_field.field}` },
            data: { fields: { [action.set_field.field]: action.set_field.value } },
          };
        }
        if (event !== undefined) {
          leadEvents.push(event);
          await unit.append([event]);
        }
      }
      recorded.push(`escalation:${due.rung}`);
    }
    if (leadEvents.length > 0) changes.push({ leadId: lead.id, events: leadEvents });
  }
  // a reassignment moves the clock onto the new owner's hours (and re-arms its timer)
  for (const change of changes)
    await advanceClocks(trx, engine, unit, {
      compiled,
      version,
      actor: "scheduler",
      at: now,
      changes: [{ lead: unit.set.leads.get(change.leadId)!, events: change.events }],
    });
  planClockTimers(unit, compiled, woken, now);
  unit.defer(engine.notifications.enqueue(notifications));
  await unit.commit();
  return { recorded };
}

type Audience = "owner" | "manager" | "team" | "marketing_owner" | "sales_owner";

/** People an escalation reaches, by the agreement's teams and approvers. */
function audienceOf(
  compiled: CompiledAgreement,
  step: CompiledClockStep,
  lead: LeadView,
  audience: Audience,
): string[] {
  const agreement = compiled.agreement;
  const teamOf = (person: string | undefined) =>
    person !== undefined && Object.hasOwn(agreement.people, person)
      ? agreement.people[person]!.team
      : undefined;
  const managerOf = (team: string | undefined) =>
    team !== undefined && Object.hasOwn(agreement.teams, team)
      ? agreement.teams[team]!.manager
      : undefined;
  const owner = lead.owner?.kind === "rep" ? lead.owner.id : undefined;
  const ownerTeam =
    teamOf(owner) ?? (lead.owner?.kind === "queue" ? lead.owner.team : step.step.owner);
  switch (audience) {
    case "owner":
      return [owner ?? managerOf(ownerTeam)].filter((id): id is string => id !== undefined);
    case "manager":
      return [managerOf(ownerTeam)].filter((id): id is string => id !== undefined);
    case "team":
      return Object.entries(agreement.people)
        .filter(([, person]) => person.team === step.step.owner)
        .map(([id]) => id);
    case "marketing_owner":
      return agreement.approvers.marketing.slice(0, 1);
    case "sales_owner":
      return agreement.approvers.sales.slice(0, 1);
  }
}

function notify(
  compiled: CompiledAgreement,
  step: CompiledClockStep,
  lead: LeadView,
  audience: Audience,
  key: string,
  kind: string,
  subject: string,
  text: string,
  extra: Record<string, unknown> = {},
): NotificationRequest[] {
  return audienceOf(compiled, step, lead, audience).map((personId) => {
    return {
      key: `${key}:${personId}`,
      kind,
      recipient: recipientOf(compiled, personId),
      subject,
      text,
      data: { leadId: lead.id, step: step.step.id, audience, ...extra },
    };
  });
}

/** What set off an escalation rung, in words: "breached", "75 % of the goal used" … */
function triggerOf(at: "breach" | { warning: number } | { after_breach_minutes: number }): string {
  if (at === "breach") return "the goal is breached";
  if ("warning" in at) return `${at.warning} % of the goal is used`;
  return `breached ${at.after_breach_minutes} minutes ago`;
}
