import { sql, type Transaction } from "kysely";
import type { LocatedIssue } from "../core/agreement/agreement-issue.js";
import type { Agreement } from "../core/agreement/agreement-schema.js";
import { diffAgreements } from "../core/agreement/diff-agreement.js";
import { loadAgreement } from "../core/agreement/load-agreement.js";
import type { LeadView } from "../core/ledger/lead-view.js";
import type { AgreementVersionView } from "../core/ledger/projection.js";
import { calendarRefOf, clockIdOf, goalInputOf } from "../core/pipeline/clock-plan.js";
import type { BatonDatabase } from "../db/schema.js";
import { planClockTimers } from "./clocks.js";
import { type Engine, inTransaction } from "./engine.js";
import { clockStateOf, loadClockLogs, loadLeads, UnitOfWork } from "./ledger-store.js";

/**
 * Agreement versions: propose, approve, activate. A version activates when one approver from
 * marketing and one from sales have approved it. Approvers are those of the active version (a
 * change is signed by the people who signed what it replaces); for the very first version, its
 * own. The approval that completes the pair must say how running clocks take the change
 * (SLA-CLOCKS.md): `new_cycles_only` leaves open cycles on the goal they started with;
 * `new_and_open_cycles` recalculates every open cycle under the new version.
 */

export const agreementErrorCodes = [
  "invalid_agreement",
  "unknown_version",
  "already_active",
  "superseded",
  "not_an_approver",
  "already_approved",
  "activation_mode_required",
  "activation_incomplete",
] as const;
export type AgreementErrorCode = (typeof agreementErrorCodes)[number];

export interface AgreementError {
  code: AgreementErrorCode;
  message: string;
  issues?: LocatedIssue[];
}

export type AgreementResult<Value> =
  | { ok: true; value: Value }
  | { ok: false; error: AgreementError };

export type ActivationMode = "new_cycles_only" | "new_and_open_cycles";

export async function proposeAgreement(
  engine: Engine,
  input: { yaml: string; file?: string; actor: string; note?: string },
): Promise<AgreementResult<{ number: number; diff: string[] | null; warnings: LocatedIssue[] }>> {
  const loaded = loadAgreement(input.yaml, input.file ?? "agreement.yaml");
  if (!loaded.ok)
    return {
      ok: false,
      error: {
        code: "invalid_agreement",
        message: `the agreement has ${loaded.issues.length} problem(s); fix them and propose again (baton agreement validate shows them with line numbers)`,
        issues: loaded.issues,
      },
    };
  return inTransaction(engine, async (trx) => {
    await lockAgreements(trx, engine);
    const last = await trx
      .selectFrom("agreement_versions")
      .select((eb) => eb.fn.max("number").as("number"))
      .where("workspace", "=", engine.workspace)
      .executeTakeFirst();
    const number = (last?.number ?? 0) + 1;
    const active = await engine.registry.active(trx);
    const diff =
      active === undefined
        ? null
        : diffAgreements(active.compiled.agreement, loaded.agreement).map(
            (change) => change.summary,
          );
    const unit = new UnitOfWork(trx, engine.workspace, engine.registry, engine.timers);
    await unit.append([
      {
        type: "agreement.proposed",
        streamId: String(number),
        actor: input.actor,
        at: engine.now(),
        agreementVersion: active?.version ?? null,
        explanation: { against: active?.version ?? null },
        data: {
          number,
          yaml: input.yaml,
          parsed: loaded.agreement,
          diff,
          ...(input.note === undefined ? {} : { note: input.note }),
        },
      },
    ]);
    await unit.commit();
    return { ok: true, value: { number, diff, warnings: loaded.warnings } };
  });
}

export interface ApprovalOutcome {
  number: number;
  approvals: AgreementVersionView["approvals"];
  /** sides still to approve; empty once active */
  waitingFor: ("marketing" | "sales")[];
  activated: boolean;
  mode: ActivationMode | null;
  /** open clocks recalculated under the new version (new_and_open_cycles) */
  recalculated: number;
}

export async function approveAgreement(
  engine: Engine,
  input: {
    number: number;
    approver: string;
    mode?: ActivationMode;
    /** refuse, recording nothing, unless this approval completes the pair (`agreement activate`) */
    mustActivate?: boolean;
  },
): Promise<AgreementResult<ApprovalOutcome>> {
  return inTransaction(engine, async (trx) => {
    await lockAgreements(trx, engine);
    const row = await trx
      .selectFrom("agreement_versions")
      .selectAll()
      .where("workspace", "=", engine.workspace)
      .where("number", "=", input.number)
      .executeTakeFirst();
    if (row === undefined)
      return refuse(
        "unknown_version",
        `there is no agreement version ${input.number}; list versions with baton agreement versions`,
      );
    if (row.activated_at !== null)
      return refuse(
        "already_active",
        `version ${input.number} is already active since ${row.activated_at.toISOString()}`,
      );
    const active = await engine.registry.active(trx);
    if (active !== undefined && active.version > input.number)
      return refuse(
        "superseded",
        `version ${input.number} was proposed before the active version ${active.version}; propose it again so the diff is against what is in force`,
      );
    const proposed = row.parsed as Agreement;
    const signers = (active?.compiled.agreement ?? proposed).approvers;
    const side = (["marketing", "sales"] as const).find((candidate) =>
      signers[candidate].includes(input.approver),
    );
    if (side === undefined)
      return refuse(
        "not_an_approver",
        `${input.approver} is not an approver${active ? ` of the active version ${active.version}` : ""}; approvers are marketing: ${signers.marketing.join(", ")}; sales: ${signers.sales.join(", ")}`,
      );
    const approvals = await trx
      .selectFrom("agreement_approvals")
      .select(["side", "approver", "approved_at"])
      .where("workspace", "=", engine.workspace)
      .where("version", "=", input.number)
      .execute();
    if (approvals.some((approval) => approval.approver === input.approver))
      return refuse(
        "already_approved",
        `${input.approver} has already approved version ${input.number}`,
      );
    const sides = new Set([...approvals.map((approval) => approval.side), side]);
    const complete = sides.has("marketing") && sides.has("sales");
    if (!complete && input.mustActivate === true)
      return refuse(
        "activation_incomplete",
        `version ${input.number} still needs the ${side === "marketing" ? "sales" : "marketing"} side's approval before it can be activated; nothing was recorded`,
      );
    if (complete && input.mode === undefined)
      return refuse(
        "activation_mode_required",
        `this approval activates version ${input.number}: say how running clocks take it, mode new_cycles_only (open cycles keep their goal) or new_and_open_cycles (open cycles are recalculated)`,
      );

    const unit = new UnitOfWork(trx, engine.workspace, engine.registry, engine.timers);
    unit.set.agreements.set(input.number, viewOf(row, approvals));
    if (active !== undefined) {
      const activeRow = await trx
        .selectFrom("agreement_versions")
        .selectAll()
        .where("workspace", "=", engine.workspace)
        .where("number", "=", active.version)
        .executeTakeFirstOrThrow();
      unit.set.agreements.set(active.version, viewOf(activeRow, []));
    }
    const now = engine.now();
    await unit.append([
      {
        type: "agreement.approved",
        streamId: String(input.number),
        actor: input.approver,
        at: now,
        agreementVersion: active?.version ?? null,
        data: { number: input.number, side, approver: input.approver },
      },
    ]);
    let recalculated = 0;
    if (complete) {
      const mode = input.mode!;
      await unit.append([
        {
          type: "agreement.activated",
          streamId: String(input.number),
          actor: input.approver,
          at: now,
          agreementVersion: input.number,
          explanation: {
            why: `approved by marketing and sales (${[...approvals.map((approval) => approval.approver), input.approver].join(", ")})`,
          },
          data: { number: input.number, mode, supersedes: active?.version ?? null },
        },
      ]);
      if (mode === "new_and_open_cycles" && active !== undefined)
        recalculated = await recalculateOpenClocks(trx, engine, unit, input.number, now);
    }
    await unit.commit();
    const view = unit.set.agreements.get(input.number)!;
    return {
      ok: true,
      value: {
        number: input.number,
        approvals: view.approvals,
        waitingFor: (["marketing", "sales"] as const).filter((candidate) => !sides.has(candidate)),
        activated: complete,
        mode: complete ? input.mode! : null,
        recalculated,
      },
    };
  });
}

/** Every open cycle takes the goal the new version selects for its lead (SLA-CLOCKS.md). */
async function recalculateOpenClocks(
  trx: Transaction<BatonDatabase>,
  engine: Engine,
  unit: UnitOfWork,
  version: number,
  now: number,
): Promise<number> {
  const compiled = await engine.registry.load(trx, version);
  if (compiled === undefined) throw new Error(`version ${version} vanished while activating it`);
  const open = await trx
    .selectFrom("clocks")
    .select(["id", "lead_id", "step"])
    .where("workspace", "=", engine.workspace)
    .where("stopped_at", "is", null)
    .where("cycles", ">", 0)
    .orderBy("id")
    .execute();
  const steps = new Map(compiled.clockSteps.map((step) => [step.step.id, step]));
  const relevant = open.filter((clock) => steps.has(clock.step));
  await loadLeads(trx, engine.workspace, unit.set, [
    ...new Set(relevant.map((clock) => clock.lead_id)),
  ]);
  await loadClockLogs(
    trx,
    engine.workspace,
    unit.set,
    relevant.map((clock) => clock.id),
  );
  await engine.registry.ensureLoaded(
    trx,
    relevant.flatMap((clock) => unit.set.clocks.get(clock.id)?.events ?? []),
  );
  const events = [];
  for (const clock of relevant) {
    const lead = unit.set.leads.get(clock.lead_id) as LeadView | undefined;
    const step = steps.get(clock.step)!;
    const log = unit.set.clocks.get(clock.id);
    if (lead === undefined || log === undefined) continue;
    const replayed = clockStateOf(log, engine.registry);
    const cycle = replayed.ok ? replayed.state.cycles.at(-1) : undefined;
    if (cycle === undefined || cycle.stoppedAt !== null) continue;
    const goal = step.selectGoal(goalInputOf(lead, cycle.startedAt));
    if (!goal.ok) continue;
    events.push({
      type: "clock.event" as const,
      streamId: clockIdOf(lead.id, clock.step),
      actor: "system",
      at: now,
      agreementVersion: version,
      explanation: {
        why: `agreement version ${version} activated for new and open cycles; ${goal.why}`,
      },
      data: {
        leadId: lead.id,
        step: clock.step,
        event: {
          type: "recalculate" as const,
          at: now,
          mode: "new-and-open-cycles" as const,
          goal: goal.snapshot(version, calendarRefOf(goal.calendar, version)),
        },
      },
    });
  }
  await unit.append(events);
  planClockTimers(
    unit,
    compiled,
    events.map((event) => event.streamId),
    now,
  );
  return events.length;
}

/** Agreement changes take a workspace-wide lock: numbers and activations never race. */
async function lockAgreements(trx: Transaction<BatonDatabase>, engine: Engine): Promise<void> {
  await sql`select pg_advisory_xact_lock(hashtext(${`baton-agreements:${engine.workspace}`}))`.execute(
    trx,
  );
}

function viewOf(
  row: {
    number: number;
    yaml: string;
    parsed: unknown;
    diff: unknown;
    proposed_by: string;
    proposed_at: Date;
    activated_at: Date | null;
    activation_mode: ActivationMode | null;
    superseded_at: Date | null;
    last_event_id: string | null;
  },
  approvals: readonly { side: "marketing" | "sales"; approver: string; approved_at: Date }[],
): AgreementVersionView {
  return {
    number: row.number,
    yaml: row.yaml,
    parsed: row.parsed,
    diff: (row.diff as string[] | null) ?? null,
    proposedBy: row.proposed_by,
    proposedAt: row.proposed_at.getTime(),
    activatedAt: row.activated_at?.getTime() ?? null,
    activationMode: row.activation_mode,
    supersededAt: row.superseded_at?.getTime() ?? null,
    approvals: approvals.map((approval) => ({
      side: approval.side,
      approver: approval.approver,
      at: approval.approved_at.getTime(),
    })),
    lastEventId: Number(row.last_event_id ?? 0),
  };
}

function refuse<Value>(code: AgreementErrorCode, message: string): AgreementResult<Value> {
  return { ok: false, error: { code, message } };
}
