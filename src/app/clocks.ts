import type { Transaction } from "kysely";
import type { CompiledAgreement } from "../core/agreement/compile-agreement.js";
import type { LeadView } from "../core/ledger/lead-view.js";
import type { NewEvent } from "../core/ledger/ledger-event.js";
import {
  type ClockPlanIssue,
  clockIdOf,
  nextWakeUp,
  planClockEvents,
} from "../core/pipeline/clock-plan.js";
import type { ClockState } from "../core/sla/index.js";
import type { BatonDatabase } from "../db/schema.js";
import type { Engine, ScheduledTimer } from "./engine.js";
import { loadClockLogs, type UnitOfWork } from "./ledger-store.js";

/**
 * Moves a lead's SLA clocks after its lead events: loads and replays each clock step's log,
 * appends the clock events the plan asks for, and hands the clocks' timers to the scheduler.
 */
export async function advanceClocks(
  trx: Transaction<BatonDatabase>,
  engine: Engine,
  work: UnitOfWork,
  context: {
    compiled: CompiledAgreement;
    version: number;
    actor: string;
    at: number;
    /** leads with the lead events this operation appended for each */
    changes: readonly { lead: LeadView; events: readonly NewEvent[] }[];
    /** leads known to be new: their clocks have no log yet, so nothing is read */
    newLeads?: ReadonlySet<string>;
  },
): Promise<Map<string, ClockPlanIssue[]>> {
  const { compiled, version, at } = context;
  const set = work.set;
  const steps = compiled.clockSteps.map((step) => step.step.id);
  const existing = context.changes
    .filter(({ lead }) => !context.newLeads?.has(lead.id))
    .flatMap(({ lead }) => steps.map((step) => clockIdOf(lead.id, step)));
  await loadClockLogs(trx, engine.workspace, set, existing);
  await engine.registry.ensureLoaded(
    trx,
    existing.flatMap((id) => set.clocks.get(id)?.events ?? []),
  );

  const issues = new Map<string, ClockPlanIssue[]>();
  const clockEvents: NewEvent[] = [];
  for (const { lead, events } of context.changes) {
    const clocks = new Map<string, ClockState>();
    for (const step of steps) {
      const log = set.clocks.get(clockIdOf(lead.id, step));
      if (log === undefined) continue;
      const replayed = work.clockState(log);
      if (replayed.ok) clocks.set(step, replayed.state);
    }
    const plan = planClockEvents({
      compiled,
      agreementVersion: version,
      lead,
      leadEvents: events,
      clocks,
      at,
    });
    if (plan.issues.length > 0) issues.set(lead.id, plan.issues);
    for (const planned of plan.events)
      clockEvents.push({
        type: "clock.event",
        streamId: planned.clockId,
        actor: context.actor,
        at,
        agreementVersion: version,
        explanation: { why: planned.why },
        data: { leadId: lead.id, step: planned.step, event: planned.event },
      });
  }
  await work.append(clockEvents);
  const changed = [...new Set(clockEvents.map((event) => event.streamId))];
  const fresh = context.newLeads;
  planClockTimers(
    work,
    compiled,
    changed.filter((id) => !fresh?.has(work.set.clocks.get(id)!.leadId)),
    at,
  );
  planClockTimers(
    work,
    compiled,
    changed.filter((id) => fresh?.has(work.set.clocks.get(id)!.leadId)),
    at,
    { newClocks: true },
  );
  return issues;
}

/**
 * Plans each clock's next wake-up (armed, and its other pending timers cancelled, when the unit
 * of work commits).
 */
export function planClockTimers(
  work: UnitOfWork,
  compiled: CompiledAgreement,
  clockIds: readonly string[],
  now: number,
  options: { newClocks?: boolean } = {},
): void {
  if (clockIds.length === 0) return;
  const timers: ScheduledTimer[] = [];
  for (const clockId of clockIds) {
    const log = work.set.clocks.get(clockId);
    if (log === undefined) continue;
    const step = compiled.clockSteps.find((candidate) => candidate.step.id === log.step);
    const replayed = work.clockState(log);
    if (step === undefined || !replayed.ok) continue;
    const taken = work.set.leads.get(log.leadId)?.escalations ?? [];
    const wakeUp = nextWakeUp(step, replayed.state, log.leadId, taken, now);
    if (wakeUp !== undefined)
      timers.push({
        key: wakeUp.key,
        kind: "clock",
        streamId: clockId,
        dueAt: wakeUp.dueAt,
        payload: { ...wakeUp.payload },
      });
  }
  // a clock born in this operation has no earlier timers to cancel
  work.planTimers(clockIds, timers, options);
}
