import { sql, type Transaction } from "kysely";
import type { CompiledAgreement } from "../core/agreement/compile-agreement.js";
import { compileAgreement } from "../core/agreement/compile-agreement.js";
import { loadAgreement } from "../core/agreement/load-agreement.js";
import { autoQualifyTransition } from "../core/pipeline/handoff-rules.js";
import type { BatonDatabase } from "../db/schema.js";
import { type DemoHappening, liveDemoLead, type Performer, planDemo } from "../demo/demo-plan.js";
import { createRandom } from "../demo/random.js";
import { abortableSleep } from "./abortable-sleep.js";
import { approveAgreement, proposeAgreement } from "./agreements.js";
import { createEngine, type Engine, type NotificationPort, type TimerPort } from "./engine.js";
import { fireTimers } from "./fire-timer.js";
import { ingestLead, ingestLeads } from "./ingest.js";
import {
  type ActionResult,
  actOnLead,
  changeOpportunityStage,
  logActivity,
  reassignLead,
} from "./lead-actions.js";
import type { Database } from "./ledger-store.js";

/**
 * The demo company: plays a seeded plan (src/demo) through the real engine on a simulated clock,
 * so every lead, score, route, clock, warning, breach, escalation and disposition is an ordinary
 * ledger event, exactly as if the quarter had happened. Then `startLiveArrivals` keeps leads
 * coming on the real clock while the server runs.
 *
 * Glossary
 * - simulated clock: the engine's `now` while seeding; it moves forward through the plan and
 *   never passes `end` (the real "now" when seeding started), so nothing is dated in the future.
 * - step: one engine call at one simulated instant (a batch of arrivals, or one action). Before
 *   each step the due timers fire, as a worker would have fired them meanwhile.
 */

/** The worker's claim-and-fire step (worker/scheduler.ts `fireDueTimers`), passed in because
 *  the app layer never imports the worker. */
export type FireDueTimers = (options: {
  db: Database;
  workerId: string;
  signal: AbortSignal;
  now: () => number;
  batchSize: number;
  handle: (trx: Transaction<BatonDatabase>, timer: DueTimerRow) => Promise<void>;
  handleBatch: (trx: Transaction<BatonDatabase>, timers: readonly DueTimerRow[]) => Promise<void>;
  report: (event: { type: string; error?: string }) => void;
}) => Promise<{ claimed: number; nextDueInMs: number | undefined }>;

interface DueTimerRow {
  key: string;
  kind: string;
  streamId: string;
  dueAt: number;
  payload: unknown;
}

export interface SeedDemoOptions {
  db: Database;
  workspace?: string;
  /** the durable schedule's timer port (worker/timer-port.ts) */
  timers: TimerPort;
  fireDueTimers: FireDueTimers;
  seed: number;
  days: number;
  /** epoch ms: the history ends here; the caller passes the real clock's now */
  end: number;
  /** the agreement to activate at the start (examples/agreement.yaml) */
  agreementYaml: string;
  /** add to a database that already has leads or events (default: refuse) */
  append?: boolean;
  /** how late a timer may fire in simulated time (default 15 minutes): a coarser resolution
   *  fires more timers per batch, so seeding is faster */
  timerResolutionMs?: number;
  /** called now and then with the share of the plan played, 0 … 1 */
  onProgress?: (share: number) => void;
  /** measures the elapsed time; default performance.now */
  stopwatch?: () => number;
}

export interface DemoReport {
  seed: number;
  days: number;
  from: string;
  to: string;
  leads: number;
  mqls: number;
  touches: number;
  warnings: number;
  breaches: number;
  escalations: number;
  disqualifications: number;
  rejections: number;
  recycles: number;
  opportunities: number;
  wins: number;
  losses: number;
  wonAmount: number;
  /** planned steps the engine refused (the lead was elsewhere by then), by refusal code */
  skipped: Record<string, number>;
  /** engine calls made: ingest batches, actions and timer batches */
  transactions: number;
  elapsedMs: number;
}

export type SeedDemoResult =
  | { ok: true; report: DemoReport }
  | {
      ok: false;
      error: { code: "not_empty" | "invalid_agreement" | "agreement_refused"; message: string };
    };

type Owner = { kind: "rep" | "queue"; id: string } | null;

const hourMs = 3_600_000;
/** Arrivals this close together are ingested as one batch at the last one's time. */
const arrivalWindowMs = 10 * 60_000;
const maxBatch = 200;
const timerBatch = 100;

/**
 * History must not notify anyone: these assignments, warnings and breaches happened "before"
 * today, and an outbox row would have a running worker deliver hundreds of stale webhooks, Slack
 * messages and e-mails at once, to real addresses if channels are configured. So the seeding
 * engine's notification port drops every request (the ledger still records each decision).
 */
const droppingNotifications: NotificationPort = { enqueue: () => [] };

export async function seedDemo(options: SeedDemoOptions): Promise<SeedDemoResult> {
  const stopwatch = options.stopwatch ?? (() => performance.now());
  const started = stopwatch();
  const workspace = options.workspace ?? "default";
  const { db } = options;

  const existing = await sql<{ leads: number; events: number; last: string | null }>`
    select
      (select count(*)::int from leads where workspace = ${workspace}) as leads,
      (select count(*)::int from events where workspace = ${workspace}) as events,
      (select max(id)::text from events) as last`.execute(db);
  const before = existing.rows[0]!;
  if (!options.append && (before.leads > 0 || before.events > 0))
    return {
      ok: false,
      error: {
        code: "not_empty",
        message: `the database already holds ${before.leads} leads and ${before.events} events; the demo seeds an empty one (point BATON_DATA_DIR at a new folder, or add to this one with --append)`,
      },
    };

  // The plan is drawn for whole days, up to the end of `end`'s UTC day, and played up to `end`:
  // the same seed gives the same company all day long, whatever the hour it is seeded at.
  const planEnd = Math.ceil(options.end / 86_400_000) * 86_400_000;
  const clock = { now: planEnd - options.days * 86_400_000 - 2 * hourMs };
  // Whoever arms a timer tells the player the earliest wake-up, so it asks the scheduler only
  // when something can be due (the scheduler's own answer corrects it after every batch).
  // It keeps its own copy of the pending wake-ups (key → due, per clock), so a cancelled one
  // never costs an empty claim.
  const pending = new Map<string, Map<string, number>>();
  let nextDue = Number.POSITIVE_INFINITY;
  const timers: TimerPort = {
    schedule(scheduled) {
      for (const timer of scheduled) {
        let keys = pending.get(timer.streamId);
        if (keys === undefined) {
          keys = new Map();
          pending.set(timer.streamId, keys);
        }
        keys.set(timer.key, timer.dueAt);
        nextDue = Math.min(nextDue, timer.dueAt);
      }
      return options.timers.schedule(scheduled);
    },
    cancelOthers(streams, keep) {
      const kept = new Set(keep);
      for (const stream of streams)
        for (const key of pending.get(stream)?.keys() ?? [])
          if (!kept.has(key)) pending.get(stream)!.delete(key);
      nextDue = earliestPending();
      return options.timers.cancelOthers(streams, keep);
    },
  };
  const earliestPending = () => {
    let earliest = Number.POSITIVE_INFINITY;
    for (const keys of pending.values())
      for (const due of keys.values()) earliest = Math.min(earliest, due);
    return earliest;
  };
  const engine = createEngine({
    db,
    workspace,
    now: () => clock.now,
    timers,
    notifications: droppingNotifications,
  });

  // The agreement in force: the active one when adding, else the example, signed on day one.
  let compiled: CompiledAgreement;
  const active = await engine.registry.active(db);
  if (active !== undefined && options.append) compiled = active.compiled;
  else {
    const loaded = loadAgreement(options.agreementYaml);
    if (!loaded.ok)
      return {
        ok: false,
        error: {
          code: "invalid_agreement",
          message: loaded.issues.map((issue) => issue.message).join("; "),
        },
      };
    compiled = compileAgreement(loaded.agreement);
    const activated = await activate(engine, clock, options.agreementYaml, compiled);
    if (!activated.ok) return activated;
  }

  const drawn = planDemo({
    seed: options.seed,
    days: options.days,
    end: planEnd,
    agreement: compiled,
  });
  const plan = {
    ...drawn,
    to: Math.min(drawn.to, options.end),
    happenings: drawn.happenings.filter((happening) => happening.at <= options.end),
  };
  const skipped: Record<string, number> = {};
  const skip = (code: string) => {
    skipped[code] = (skipped[code] ?? 0) + 1;
  };
  let transactions = 0;

  const leadIds: (string | undefined)[] = new Array(plan.leads.length);
  /** who holds each lead, as far as the player knows: only its kind and id matter here */
  const owners = new Map<string, Owner>();
  /** leads whose owner a timer may have changed (escalations reassign) */
  const stale = new Set<string>();
  const abort = new AbortController();
  const resolution = options.timerResolutionMs ?? 15 * 60_000;

  /**
   * Fires every timer due by `until`, as a worker polling every `timerResolutionMs` would have:
   * a batch at most that long after its earliest timer fell due (never before), fired with the
   * worker's own batch handler at the batch's instant. Firing each timer at its exact instant
   * would cost a transaction per warning, and a quarter holds thousands of them.
   */
  const fireUntil = async (until: number) => {
    while (nextDue <= until) {
      const at = Math.max(clock.now, Math.min(until, nextDue + resolution));
      const fire = async (trx: Transaction<BatonDatabase>, due: readonly DueTimerRow[]) => {
        clock.now = at;
        await fireTimers(trx, engine, due, at);
        for (const timer of due) {
          pending.get(timer.streamId)?.delete(timer.key);
          const leadId = (timer.payload as { leadId?: unknown }).leadId;
          if (typeof leadId === "string") stale.add(leadId);
        }
      };
      transactions++;
      const outcome = await options.fireDueTimers({
        db,
        workerId: "demo",
        signal: abort.signal,
        now: () => at,
        batchSize: timerBatch,
        handle: (trx, timer) => fire(trx, [timer]),
        handleBatch: fire,
        report: (event) => {
          if (event.type === "dead" || event.type === "retry") skip(`timer_${event.type}`);
        },
      });
      clock.now = at;
      if (outcome.claimed >= timerBatch) continue;
      // the scheduler's answer also covers timers an earlier run armed (when adding)
      const scheduled =
        outcome.nextDueInMs === undefined
          ? Number.POSITIVE_INFINITY
          : at + Math.max(1, outcome.nextDueInMs);
      nextDue = outcome.claimed === 0 ? Math.max(scheduled, at + 1) : scheduled;
    }
  };

  const ownerOf = async (leadId: string): Promise<Owner> => {
    if (!owners.has(leadId) || stale.has(leadId)) {
      const row = await db
        .selectFrom("leads")
        .select(["owner", "owner_kind"])
        .where("workspace", "=", workspace)
        .where("id", "=", leadId)
        .executeTakeFirst();
      owners.set(
        leadId,
        row?.owner && row.owner_kind ? { kind: row.owner_kind, id: row.owner } : null,
      );
      stale.delete(leadId);
    }
    return owners.get(leadId) ?? null;
  };
  const actorOf = async (by: Performer, leadId: string) => {
    if (by.kind === "person") return { id: by.id, role: by.role };
    const owner = await ownerOf(leadId);
    return { id: owner?.kind === "rep" ? owner.id : by.fallback, role: "rep" as const };
  };
  const remember = (leadId: string, result: ActionResult) => {
    if (result.ok) owners.set(leadId, result.lead.owner);
    else skip(result.error.code);
  };

  const act = async (happening: Exclude<DemoHappening, { kind: "arrival" }>) => {
    const leadId = leadIds[happening.lead];
    if (leadId === undefined) return skip("not_ingested");
    for (let attempt = 1; attempt <= 2; attempt++) {
      transactions++;
      const result = await perform(happening, leadId);
      if (!result.ok && result.error.code === "not_owner" && attempt === 1) {
        stale.add(leadId);
        continue;
      }
      return remember(leadId, result);
    }
  };
  const perform = async (
    happening: Exclude<DemoHappening, { kind: "arrival" }>,
    leadId: string,
  ): Promise<ActionResult> => {
    switch (happening.kind) {
      case "touch": {
        const actor = await actorOf(happening.by, leadId);
        return logActivity(engine, {
          leadId,
          actor: actor.id,
          activity: { type: happening.activity, at: clock.now, actor: actor.id },
        });
      }
      case "handoff":
        return reassignLead(engine, {
          leadId,
          to: happening.to,
          actor: { id: happening.by, role: "sales_manager" },
        });
      case "opportunity_stage":
        return changeOpportunityStage(engine, {
          leadId,
          stage: happening.stage,
          actor: (await actorOf(happening.by, leadId)).id,
          ...(happening.amount === undefined ? {} : { amount: happening.amount }),
        });
      case "action":
        return actOnLead(engine, {
          leadId,
          action: {
            type: happening.action,
            actor: await actorOf(happening.by, leadId),
            reason: happening.reason,
            note: happening.note,
            feedback: happening.feedback,
            context: happening.context,
          },
          ...(happening.opportunity === undefined ? {} : { opportunity: happening.opportunity }),
          ...(happening.amount === undefined ? {} : { amount: happening.amount }),
        });
    }
  };

  const { happenings } = plan;
  let index = 0;
  let reported = 0;
  while (index < happenings.length) {
    const first = happenings[index]!;
    if (first.kind !== "arrival") {
      await fireUntil(first.at);
      clock.now = Math.max(clock.now, first.at);
      await act(first);
      index++;
    } else {
      const batch = [first];
      let next = index + 1;
      for (; next < happenings.length && batch.length < maxBatch; next++) {
        const candidate = happenings[next]!;
        if (candidate.kind !== "arrival" || candidate.at >= first.at + arrivalWindowMs) break;
        batch.push(candidate);
      }
      const at = batch[batch.length - 1]!.at;
      await fireUntil(at);
      clock.now = Math.max(clock.now, at);
      transactions++;
      const results = await ingestLeads(
        engine,
        batch.map((arrival) => arrival.input),
        { actor: "demo" },
      );
      for (const [position, result] of results.entries()) {
        const arrival = batch[position]!;
        if (!result.ok) {
          skip(result.error.code);
          continue;
        }
        leadIds[arrival.lead] = result.leadId;
        owners.set(result.leadId, result.owner);
      }
      index = next;
    }
    if (options.onProgress && index - reported >= 250) {
      reported = index;
      options.onProgress(index / happenings.length);
    }
  }
  await fireUntil(options.end);
  clock.now = options.end;
  options.onProgress?.(1);

  const counts = await countSince(db, workspace, before.last, compiled);
  return {
    ok: true,
    report: {
      seed: options.seed,
      days: options.days,
      from: new Date(plan.from).toISOString(),
      to: new Date(plan.to).toISOString(),
      ...counts,
      skipped,
      transactions,
      elapsedMs: Math.round(stopwatch() - started),
    },
  };
}

/** Proposes the agreement the day before the history starts and has its approvers sign it. */
async function activate(
  engine: Engine,
  clock: { now: number },
  yaml: string,
  compiled: CompiledAgreement,
): Promise<SeedDemoResult | { ok: true }> {
  const { agreement } = compiled;
  const revops = Object.values(agreement.teams).find((team) => team.side === "revops")?.manager;
  const marketing = agreement.approvers.marketing[0]!;
  const sales = agreement.approvers.sales[0]!;
  const refused = (message: string) => ({
    ok: false as const,
    error: { code: "agreement_refused" as const, message },
  });
  const proposed = await proposeAgreement(engine, {
    yaml,
    file: "examples/agreement.yaml",
    actor: revops ?? marketing,
    note: "the demo company's agreement",
  });
  if (!proposed.ok) return refused(proposed.error.message);
  clock.now += 30 * 60_000;
  const first = await approveAgreement(engine, {
    number: proposed.value.number,
    approver: marketing,
  });
  if (!first.ok) return refused(first.error.message);
  clock.now += 45 * 60_000;
  const second = await approveAgreement(engine, {
    number: proposed.value.number,
    approver: sales,
    mode: "new_cycles_only",
  });
  if (!second.ok) return refused(second.error.message);
  return { ok: true };
}

/** What the ledger says happened since event `after` (this run's events). */
async function countSince(
  db: Database,
  workspace: string,
  after: string | null,
  compiled: CompiledAgreement,
) {
  const qualified = autoQualifyTransition(compiled.lifecycle)?.to ?? "mql";
  const result = await sql<Record<string, number>>`
    select
      count(*) filter (where type = 'lead.created')::int as leads,
      count(distinct stream_id) filter (
        where type = 'lead.stage_changed' and data->>'to' = ${qualified})::int as mqls,
      count(*) filter (where type = 'lead.activity_logged' and (data->>'touch')::boolean)::int as touches,
      count(*) filter (where type = 'clock.event' and data->'event'->>'type' = 'warn')::int as warnings,
      count(*) filter (where type = 'clock.event' and data->'event'->>'type' = 'breach')::int as breaches,
      count(*) filter (where type = 'lead.escalated')::int as escalations,
      count(*) filter (where type = 'lead.stage_changed' and data->>'action' = 'disqualify')::int as disqualifications,
      count(*) filter (where type = 'lead.stage_changed' and data->>'action' = 'reject')::int as rejections,
      count(*) filter (where type = 'lead.stage_changed' and data->>'action' = 'recycle')::int as recycles,
      count(*) filter (where type = 'opportunity.opened')::int as opportunities,
      count(*) filter (where type = 'opportunity.closed' and data->>'outcome' = 'won')::int as wins,
      count(*) filter (where type = 'opportunity.closed' and data->>'outcome' = 'lost')::int as losses,
      coalesce(sum((data->>'amount')::numeric) filter (
        where type = 'opportunity.closed' and data->>'outcome' = 'won'), 0)::float8 as won_amount
    from events
    where workspace = ${workspace} and id > ${after ?? "0"}::bigint`.execute(db);
  const row = result.rows[0]!;
  const { won_amount: wonAmount, ...rest } = row;
  return {
    ...(rest as Omit<
      DemoReport,
      "seed" | "days" | "from" | "to" | "skipped" | "transactions" | "elapsedMs" | "wonAmount"
    >),
    wonAmount: wonAmount ?? 0,
  };
}

export interface LiveArrivalsOptions {
  seed: number;
  /** mean time between leads; each wait is drawn between ⅔ and 4⁄3 of it (default 30 s) */
  everyMs?: number;
  signal: AbortSignal;
  /** told about each lead ingested (or refused) */
  onLead?: (outcome: { ok: boolean; leadId?: string; error?: string }) => void;
}

/**
 * Keeps a believable lead arriving every so often on the engine's (real) clock, so the SLA
 * board's clocks visibly tick while the server runs. The sequence is the seed's: a restart
 * continues it after the live leads already stored. Resolves when `signal` aborts.
 */
export async function startLiveArrivals(
  engine: Engine,
  options: LiveArrivalsOptions,
): Promise<{ arrived: number }> {
  const everyMs = options.everyMs ?? 30_000;
  const prefix = `live-${options.seed}-`;
  const stored = await engine.db
    .selectFrom("leads")
    .select((eb) => eb.fn.countAll<string>().as("count"))
    .where("workspace", "=", engine.workspace)
    .where("external_id", "like", `${prefix}%`)
    .executeTakeFirst();
  let index = Number(stored?.count ?? 0);
  const waits = createRandom(options.seed).fork(`live-waits-${index}`);
  let arrived = 0;
  while (!options.signal.aborted) {
    await abortableSleep(Math.round(everyMs * waits.between(2 / 3, 4 / 3)), options.signal);
    if (options.signal.aborted) break;
    const active = await engine.registry.active(engine.db);
    if (active === undefined) continue;
    const input = liveDemoLead({
      seed: options.seed,
      index,
      at: engine.now(),
      agreement: active.compiled,
    });
    index++;
    const result = await ingestLead(engine, input, { actor: "demo:live" });
    if (result.ok) arrived++;
    options.onLead?.(
      result.ok ? { ok: true, leadId: result.leadId } : { ok: false, error: result.error.message },
    );
  }
  return { arrived };
}
