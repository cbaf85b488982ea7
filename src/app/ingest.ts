import { type RawBuilder, sql, type Transaction } from "kysely";
import type { CompiledAgreement } from "../core/agreement/compile-agreement.js";
import type { FieldRecord } from "../core/lead/lead.js";
import { isTouch } from "../core/lead/lead.js";
import type { NewEvent } from "../core/ledger/ledger-event.js";
import { isEmptyField, transition } from "../core/lifecycle/index.js";
import {
  type ExistingAccount,
  type MatchCandidate,
  type MatchDecision,
  type MatchKeys,
  matchKeys,
  matchLead,
} from "../core/matching/index.js";
import type { ClockPlanIssue } from "../core/pipeline/clock-plan.js";
import {
  autoQualifyTransition,
  isHandoffStage,
  isOpenStage,
  requiredContext,
} from "../core/pipeline/handoff-rules.js";
import type { LeadScore } from "../core/qualification/index.js";
import type { RoutingState } from "../core/routing/index.js";
import { type Recordset, recordsetStatements } from "../db/recordset.js";
import type { BatonDatabase } from "../db/schema.js";
import {
  accountFields,
  assignedEvent,
  assignmentNotifications,
  routingInput,
} from "./assignment.js";
import { advanceClocks } from "./clocks.js";
import { type Engine, inTransaction, type NotificationRequest } from "./engine.js";
import {
  activityOf,
  type InputProblem,
  type LeadInput,
  type ParsedLeadInput,
  parseLeadInput,
} from "./lead-input.js";
import { eventIds, loadLeads, lockRouting, openLeadsByRep, UnitOfWork } from "./ledger-store.js";

/**
 * The ingest pipeline: normalise → match → score → qualify → required context → route → start
 * clocks → enqueue notifications, for one lead or a batch, in one transaction, with a result
 * per lead. Every step's decision is an event with its explanation.
 *
 * Idempotency: a lead's key is its `idempotencyKey`, else `system:externalId`. The key is
 * claimed first in the transaction (`ingest_requests`); a concurrent duplicate waits on it and
 * then returns the first delivery's result, and a later duplicate returns it at once.
 */

export type IngestOutcome = "created" | "updated" | "duplicate";

export type IngestResult =
  | {
      ok: true;
      outcome: IngestOutcome;
      leadId: string;
      stage: string;
      owner: { kind: "rep" | "queue"; id: string } | null;
      score: number;
      mql: boolean;
      /** the record the lead matched, when it matched one */
      matched: { kind: string; id: string; rule: string } | null;
      /** handoff context the lead's stage requires and it lacks */
      contextMissing: string[];
      /** SLA steps that should have started and could not, with why */
      clockIssues: ClockPlanIssue[];
    }
  | { ok: false; error: IngestError };

export interface IngestError {
  code: "no_active_agreement" | InputProblem["code"];
  message: string;
  problems?: InputProblem[];
}

export interface IngestOptions {
  /** who delivered the leads: `api:<token name>`, `webhook:<form>`, `import:<file>` */
  actor: string;
}

export async function ingestLead(
  engine: Engine,
  input: LeadInput | unknown,
  options: IngestOptions,
): Promise<IngestResult> {
  const [result] = await ingestLeads(engine, [input], options);
  return result!;
}

interface Pending {
  index: number;
  input: ParsedLeadInput;
  key: string | null;
  /** what the lead is matched by, and its normalised match keys */
  candidate: MatchCandidate;
  keys: MatchKeys;
}

/** What the batch matches against, read with its key claim (one round trip), and its event ids. */
interface Shortlist {
  leads: { id: string; email_key: string; last_activity_at: number | null }[];
  accounts: {
    id: string;
    name: string | null;
    owner: string | null;
    domains: string[] | null;
    open: { id: string; stage: string; owner: string | null; opened_at: number }[];
  }[];
  ids: string[];
}

/** What a lead is matched by: its e-mail and its company's domain and name. */
function candidateOf(input: ParsedLeadInput): MatchCandidate {
  return {
    email: text(input.fields.email),
    website: text(input.company?.domain),
    companyName: text(input.company?.name),
  };
}

/**
 * The select-list columns `leads`, `accounts` and `ids` of the batch's shortlist: the leads
 * sharing an e-mail and the accounts sharing a domain or company name with a lead of the batch,
 * and 8 event ids per lead. Each key is looked up on its own index (a lateral subquery the
 * planner keeps apart, `offset 0`): as a join or `= any(…)` over hundreds of keys, the planner
 * may read every lead of the workspace.
 */
function shortlistColumns(workspace: string, items: readonly Pending[]): RawBuilder<unknown> {
  const emails = unique(items.map((item) => item.keys.email));
  const domains = unique(items.flatMap((item) => [item.keys.emailDomain, item.keys.websiteDomain]));
  const names = unique(items.map((item) => item.keys.companyName));
  return sql`
        (select coalesce(json_agg(json_build_object('id', id, 'email_key', email_key,
            'last_activity_at', extract(epoch from last_activity_at) * 1000)), '[]'::json)
          from unnest(${emails}::text[]) as wanted (key)
          cross join lateral (select id, email_key, last_activity_at from leads
            where workspace = ${workspace} and email_key = wanted.key offset 0) as found) as leads,
        (select coalesce(json_agg(json_build_object('id', a.id, 'name', a.name, 'owner', a.owner,
            'domains', a.data -> 'domains',
            'open', (select coalesce(json_agg(json_build_object('id', o.id, 'stage', o.stage,
                'owner', o.owner, 'opened_at', extract(epoch from o.opened_at) * 1000)), '[]'::json)
              from opportunities o
              where o.workspace = a.workspace and o.account_id = a.id and o.closed_at is null))), '[]'::json)
          from (
            select id from unnest(${domains}::text[]) as wanted (key)
              cross join lateral (select id from accounts
                where workspace = ${workspace} and domain_key = wanted.key offset 0) as found
            union
            select id from unnest(${names}::text[]) as wanted (key)
              cross join lateral (select id from accounts
                where workspace = ${workspace} and name_key = wanted.key offset 0) as found
          ) as matched
          cross join lateral (select * from accounts
            where workspace = ${workspace} and id = matched.id offset 0) as a) as accounts,
        (select array_agg(id order by id) from (${eventIds(Math.max(1, items.length) * 8)}) as reserved) as ids`;
}

/** Another agreement version became active after this process last saw one: start again. */
class StaleAgreement extends Error {}

export async function ingestLeads(
  engine: Engine,
  inputs: readonly unknown[],
  options: IngestOptions,
): Promise<IngestResult[]> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await ingestOnce(engine, inputs, options, attempt > 1);
    } catch (error) {
      if (!(error instanceof StaleAgreement) || attempt >= 3) throw error;
      engine.registry.forgetActive();
    }
  }
}

async function ingestOnce(
  engine: Engine,
  inputs: readonly unknown[],
  options: IngestOptions,
  askFirst: boolean,
): Promise<IngestResult[]> {
  const results: (IngestResult | undefined)[] = new Array(inputs.length);
  return inTransaction(engine, async (trx) => {
    results.fill(undefined);
    // The version last seen active saves a round trip; the key claim below checks it.
    const seen = askFirst ? undefined : engine.registry.lastSeenActive();
    const active = seen ?? (await engine.registry.active(trx));
    if (active === undefined) {
      const error: IngestError = {
        code: "no_active_agreement",
        message:
          "no agreement is active yet: propose one and have a marketing and a sales approver sign it (baton agreement propose / approve)",
      };
      return inputs.map(() => ({ ok: false as const, error }));
    }
    const { compiled, version } = active;
    const now = engine.now();

    // Parse at the edge of the pipeline; a bad lead gets its own error and the others go on.
    const pending: Pending[] = [];
    for (const [index, raw] of inputs.entries()) {
      const parsed = parseLeadInput(raw, compiled.variables);
      if (!parsed.ok) {
        results[index] = {
          ok: false,
          error: {
            code: parsed.problems[0]!.code,
            message: parsed.problems
              .map((problem) => `${problem.field}: ${problem.message}`)
              .join("; "),
            problems: parsed.problems,
          },
        };
        continue;
      }
      const candidate = candidateOf(parsed.input);
      pending.push({
        index,
        input: parsed.input,
        key: idempotencyKeyOf(parsed.input),
        candidate,
        keys: matchKeys(candidate),
      });
    }

    // Claim keys. The first of in-batch duplicates goes on; a key claimed by an earlier delivery
    // (or one committing right now, which the insert waits for) returns that delivery's result.
    // The same statement reads the shortlist the leads are matched against (for every lead not a
    // duplicate within the batch: one whose key turns out claimed already is looked up for
    // nothing, which costs less than a round trip of its own).
    const firstOfKey = new Map<string, number>();
    const duplicatesInBatch: Pending[] = [];
    const fresh: Pending[] = [];
    for (const item of pending) {
      if (item.key === null) fresh.push(item);
      else if (firstOfKey.has(item.key)) duplicatesInBatch.push(item);
      else {
        firstOfKey.set(item.key, item.index);
        fresh.push(item);
      }
    }
    const keys = [...firstOfKey.keys()];
    const claim = await sql<{ claimed: string[]; active: number | null } & Shortlist>`
      with claimed as (
        insert into ingest_requests (workspace, key)
        select ${engine.workspace}, key from unnest(${keys}::text[]) as key
        on conflict (workspace, key) do nothing
        returning key)
      select
        (select coalesce(array_agg(key), '{}') from claimed) as claimed,
        (select number from agreement_versions
          where workspace = ${engine.workspace} and activated_at is not null and superseded_at is null
          order by number desc limit 1) as active,
        ${shortlistColumns(engine.workspace, fresh)}`.execute(trx);
    if (claim.rows[0]!.active !== version) throw new StaleAgreement();
    const claimed = new Set<string>(claim.rows[0]!.claimed);
    const earlier = keys.filter((key) => !claimed.has(key));
    if (earlier.length > 0) {
      const rows = await trx
        .selectFrom("ingest_requests")
        .select(["key", "result"])
        .where("workspace", "=", engine.workspace)
        .where("key", "in", earlier)
        .execute();
      const byKey = new Map(rows.map((row) => [row.key, row.result as IngestResult | null]));
      for (const item of fresh)
        if (item.key !== null && !claimed.has(item.key)) {
          const first = byKey.get(item.key);
          results[item.index] = first?.ok
            ? { ...first, outcome: "duplicate" }
            : (first ?? undefined);
        }
    }
    const work = fresh.filter((item) => item.key === null || claimed.has(item.key));

    const unit = new UnitOfWork(trx, engine.workspace, engine.registry, engine.timers);
    const pipeline = new Pipeline(trx, engine, unit, compiled, version, now, options.actor);
    const processed = await pipeline.run(work, claim.rows[0]!);
    for (const [index, result] of processed) results[index] = result;

    for (const item of duplicatesInBatch) {
      const first = results[firstOfKey.get(item.key!)!];
      results[item.index] = first?.ok ? { ...first, outcome: "duplicate" } : first;
    }
    const stored = work
      .filter((item) => item.key !== null)
      .map((item) => {
        const result = results[item.index]!;
        return { key: item.key!, result, lead_id: result.ok ? result.leadId : null };
      });
    // The keys were claimed above, so each row conflicts and is updated, found by its key (an
    // UPDATE … FROM the recordset is planned as a hash join over the workspace's every request).
    unit.defer(
      recordsetStatements(
        ingestResultsRecordset,
        stored.map((row) => ({ workspace: engine.workspace, ...row })),
      ),
    );
    // events, projections, timers, outbox rows and results: one statement
    await unit.commit();
    return results.map(
      (result) =>
        result ?? {
          ok: false as const,
          error: { code: "invalid_input" as const, message: "the lead was not processed" },
        },
    );
  });
}

const ingestResultsRecordset: Recordset = {
  table: "ingest_requests",
  columns: { workspace: "text", key: "text", result: "jsonb", lead_id: "text" },
  conflict: { keys: ["workspace", "key"], update: ["result", "lead_id"] },
};

function idempotencyKeyOf(input: ParsedLeadInput): string | null {
  if (input.idempotencyKey !== undefined) return `key:${input.idempotencyKey}`;
  if (input.externalId !== undefined) return externalKeyOf(input.system, input.externalId);
  return null;
}

/** The `ingest_requests` key of a lead sent with a system and its id there (and no own key). */
export function externalKeyOf(system: string | undefined, externalId: string): string {
  return `external:${system ?? "unknown"}:${externalId}`;
}

interface LeadWork {
  index: number;
  leadId: string;
  isNew: boolean;
  events: NewEvent[];
  match: MatchDecision;
  score: LeadScore | undefined;
  account: ExistingAccount | undefined;
}

/** Batches of at least this many leads write their first events before taking the routing lock. */
const eventsAheadFrom = 50;

/** One batch's pass through the pipeline, inside its transaction. */
class Pipeline {
  readonly set;

  constructor(
    readonly trx: Transaction<BatonDatabase>,
    readonly engine: Engine,
    readonly unit: UnitOfWork,
    readonly compiled: CompiledAgreement,
    readonly version: number,
    readonly now: number,
    readonly actor: string,
  ) {
    this.set = unit.set;
  }

  async run(work: readonly Pending[], found: Shortlist): Promise<Map<number, IngestResult>> {
    const results = new Map<number, IngestResult>();
    if (work.length === 0) return results;
    const { trx, engine, set } = this;

    this.unit.supplyIds(found.ids.map(Number));
    const accounts: ExistingAccount[] = found.accounts.map((row) => ({
      id: row.id,
      name: row.name,
      domains: row.domains ?? [],
      ownerId: row.owner,
      openOpportunities: row.open.map((opportunity) => ({
        id: opportunity.id,
        stage: opportunity.stage,
        ownerId: opportunity.owner,
        updatedAt: opportunity.opened_at,
      })),
    }));

    const leadsByEmail = new Map<string, { id: string; lastActivityAt: number | null }[]>();
    for (const row of found.leads)
      push(leadsByEmail, row.email_key, {
        id: row.id,
        lastActivityAt: row.last_activity_at === null ? null : Math.round(row.last_activity_at),
      });

    const leadWork: LeadWork[] = [];
    const matchedIds = new Set<string>();
    for (const item of work) {
      const keys = item.keys;
      const sameEmail = keys.email === undefined ? [] : (leadsByEmail.get(keys.email) ?? []);
      const match = matchLead(
        item.candidate,
        {
          leads: sameEmail.map((lead) => ({
            id: lead.id,
            email: keys.email,
            lastActivityAt: lead.lastActivityAt,
          })),
          accounts,
        },
        keys,
      );
      const account =
        match.accountId === undefined
          ? undefined
          : accounts.find((candidate) => candidate.id === match.accountId);
      const matchedLead = match.match?.kind === "lead" ? match.match.id : undefined;
      const leadId = matchedLead ?? engine.newId("lead");
      if (matchedLead !== undefined) matchedIds.add(matchedLead);
      else if (keys.email !== undefined)
        // a second lead with this address later in the batch matches this one
        push(leadsByEmail, keys.email, { id: leadId, lastActivityAt: this.now });
      leadWork.push({
        index: item.index,
        leadId,
        isNew: matchedLead === undefined,
        events: [],
        match,
        score: undefined,
        account,
      });
    }
    if (matchedIds.size > 0) {
      await loadLeads(trx, engine.workspace, set, [...matchedIds], { forUpdate: true });
      this.unit.discardIds();
    }

    // Create or update each lead, score it, and qualify it.
    for (const [position, item] of work.entries()) {
      const lead = leadWork[position]!;
      await this.receive(lead, item.input);
      await this.qualify(lead);
    }

    // Route the leads that reached a handoff stage without an owner, under the routing lock.
    const toRoute = leadWork.filter((lead) => {
      const view = set.leads.get(lead.leadId)!;
      return view.owner === null && isHandoffStage(this.compiled.lifecycle, view.stage);
    });
    const notifications: NotificationRequest[] = [];
    if (toRoute.length > 0)
      await this.route(toRoute, notifications, work.length >= eventsAheadFrom);

    // Required context for the stage each lead is in now.
    for (const lead of leadWork) {
      const view = set.leads.get(lead.leadId)!;
      const required = requiredContext(this.compiled.lifecycle, view.stage);
      // transition()'s rule for a missing required field (isEmptyField), so what ingest reports
      // missing is what the stage's actions would be refused for unless the action supplies it
      const missing = required.filter((field) => isEmptyField(view.fields[field]));
      const before = view.contextMissing;
      if (required.length > 0 && (lead.isNew || missing.join() !== before.join()))
        await this.append(lead, {
          type: "lead.context_checked",
          streamId: lead.leadId,
          actor: "system",
          at: this.now,
          agreementVersion: this.version,
          explanation: {
            why:
              missing.length === 0
                ? `every field the '${view.stage}' stage's actions require is present`
                : `accepting this lead will require: ${missing.join(", ")}`,
          },
          data: { required, missing },
        });
    }

    const clockIssues = await advanceClocks(trx, engine, this.unit, {
      compiled: this.compiled,
      version: this.version,
      actor: "system",
      at: this.now,
      changes: leadWork.map((lead) => ({ lead: set.leads.get(lead.leadId)!, events: lead.events })),
      newLeads: new Set(leadWork.filter((lead) => lead.isNew).map((lead) => lead.leadId)),
    });
    this.unit.defer(engine.notifications.enqueue(notifications));

    for (const lead of leadWork) {
      const view = set.leads.get(lead.leadId)!;
      results.set(lead.index, {
        ok: true,
        outcome: lead.isNew ? "created" : "updated",
        leadId: lead.leadId,
        stage: view.stage,
        owner: view.owner === null ? null : { kind: view.owner.kind, id: view.owner.id },
        score: view.score,
        mql: view.mql,
        matched:
          lead.match.match === undefined
            ? null
            : { kind: lead.match.match.kind, id: lead.match.match.id, rule: lead.match.match.rule },
        contextMissing: view.contextMissing,
        clockIssues: clockIssues.get(lead.leadId) ?? [],
      });
    }
    return results;
  }

  async append(lead: LeadWork, event: NewEvent): Promise<void> {
    lead.events.push(event);
    await this.unit.append([event]);
  }

  /** Creates the lead, or folds a repeat submission into the lead it matched. */
  async receive(lead: LeadWork, input: ParsedLeadInput): Promise<void> {
    const all = (input.activities ?? []).map(activityOf);
    // Touches are logged as their own events (they stop clocks and start speed-to-lead figures).
    const activities = all.filter((activity) => !isTouch(activity));
    const touches = all.filter(isTouch);
    const fields = withoutBlanks(input.fields);
    const company = withoutBlanks(input.company ?? {});
    const explanation = {
      match: {
        rule: lead.match.match?.rule ?? null,
        considered: lead.match.considered,
        notes: lead.match.notes,
        conflict: lead.match.conflict ?? null,
      },
    };
    if (lead.isNew) {
      await this.append(lead, {
        type: "lead.created",
        streamId: lead.leadId,
        actor: this.actor,
        at: this.now,
        agreementVersion: this.version,
        explanation,
        data: {
          system: input.system ?? null,
          externalId: input.externalId ?? null,
          stage: this.compiled.lifecycle.initial,
          open: isOpenStage(this.compiled.lifecycle, this.compiled.lifecycle.initial),
          fields,
          company,
          activities,
          keys: lead.match.keys,
          accountId: lead.match.accountId ?? null,
          sourceCreatedAt: input.createdAt ?? null,
        },
      });
    } else {
      const before = this.set.leads.get(lead.leadId)!;
      await this.append(lead, {
        type: "lead.resubmitted",
        streamId: lead.leadId,
        actor: this.actor,
        at: this.now,
        agreementVersion: this.version,
        explanation,
        data: {
          fields: changed(before.fields, fields),
          company: changed(before.company, company),
          activities,
          keys: lead.match.keys,
          accountId: lead.match.accountId ?? before.accountId,
        },
      });
    }
    for (const activity of touches)
      await this.append(lead, {
        type: "lead.activity_logged",
        streamId: lead.leadId,
        actor: this.actor,
        at: this.now,
        agreementVersion: this.version,
        data: { activity, touch: true },
      });
  }

  /** Scores the lead; if it meets the MQL threshold, takes the agreement's qualify action. */
  async qualify(lead: LeadWork): Promise<void> {
    const view = this.set.leads.get(lead.leadId)!;
    const score = this.compiled.qualification.scoreLead(
      {
        lead: { ...view.fields, stage: view.stage, created_at: view.createdAt },
        company: view.company,
        ...(lead.account === undefined ? {} : { account: accountFields(lead.account) }),
        activities: view.activities.map((activity) => ({
          ...activity.fields,
          type: activity.type,
          at: activity.at,
        })),
      },
      this.now,
    );
    lead.score = score;
    const mql = score.mql.qualified;
    const sql = score.sql?.qualified ?? false;
    if (lead.isNew || score.total !== view.score || mql !== view.mql || sql !== view.sql)
      await this.append(lead, {
        type: "lead.scored",
        streamId: lead.leadId,
        actor: "system",
        at: this.now,
        agreementVersion: this.version,
        explanation: {
          contributions: score.contributions.map((contribution) => ({
            rule: contribution.ruleId,
            group: contribution.group,
            points: contribution.points,
            counted: contribution.counted,
          })),
          mql: score.mql.reasons,
          sql: score.sql?.reasons ?? [],
        },
        data: { score: score.total, mql, sql },
      });
    if (!mql) return;

    const lifecycle = this.compiled.lifecycle;
    const qualify = autoQualifyTransition(lifecycle);
    if (qualify === undefined) return;
    const current = this.set.leads.get(lead.leadId)!;
    // From the initial stage the qualify action; from a recycling stage the system's way back
    // to the same destination (requalify), which the lifecycle refuses before the wait is over.
    const action =
      current.stage === lifecycle.initial
        ? qualify.action
        : [...(lifecycle.transitionsFrom.get(current.stage)?.values() ?? [])].find(
            (candidate) =>
              candidate.to === qualify.to &&
              candidate.by.includes("system") &&
              candidate.requires.reason === undefined,
          )?.action;
    if (action === undefined) return;
    const decided = transition(
      {
        id: current.id,
        stage: current.stage,
        stageEnteredAt: current.stageEnteredAt,
        createdAt: current.createdAt,
        fields: current.fields,
        company: current.company,
        activities: current.activities,
        ...(current.recycledUntil === null ? {} : { recycledUntil: current.recycledUntil }),
      },
      { type: action, actor: { id: "system", role: "system" } },
      lifecycle,
      this.now,
    );
    if (!decided.ok) return;
    for (const event of decided.events)
      if (event.type === "stage_changed")
        await this.append(lead, {
          type: "lead.stage_changed",
          streamId: lead.leadId,
          actor: "system",
          at: this.now,
          agreementVersion: this.version,
          explanation: {
            why: `score ${score.total} meets the MQL threshold`,
            reasons: score.mql.reasons,
          },
          data: {
            from: event.from,
            to: event.to,
            action: event.action,
            role: "system",
            open: isOpenStage(lifecycle, event.to),
          },
        });
  }

  async route(
    leads: LeadWork[],
    notifications: NotificationRequest[],
    writeAhead: boolean,
  ): Promise<void> {
    const { trx, engine, set } = this;
    // Batches queue on the routing row until they commit: a large batch writes what is decided
    // already (creation, score, qualification) first, while another batch may hold the row. A
    // small one (single leads grouped by the queue) writes them with the rest at commit: its
    // writing is short, and the round trip it saves is most of its time.
    if (writeAhead) await this.unit.writeEventsAhead();
    await lockRouting(trx, engine.workspace, set);
    let state: RoutingState = {
      openLeads: await openLeadsByRep(trx, engine.workspace, this.unit.set),
      pools: set.routing?.pools ?? {},
      availability: this.compiled.availability,
    };
    for (const lead of leads) {
      const view = set.leads.get(lead.leadId)!;
      const decision = this.compiled.router.route(
        routingInput(view, lead.account),
        state,
        this.now,
      );
      state = decision.nextState;
      await this.append(
        lead,
        assignedEvent(this.set, view, decision, this.version, this.now, "routing", null),
      );
      notifications.push(
        ...assignmentNotifications(this.compiled, set.leads.get(lead.leadId)!, decision, this.now),
      );
    }
  }
}

function text(value: unknown): string | undefined {
  return typeof value === "string" && value !== "" ? value : undefined;
}

function _isText(value: unknown): value is string {
  return typeof value === "string" && value !== "";
}

function isBlank(value: unknown): boolean {
  return (
    value === undefined || value === null || (typeof value === "string" && value.trim() === "")
  );
}

function unique(values: (string | undefined)[]): string[] {
  return [...new Set(values.filter((value): value is string => value !== undefined))];
}

function push<Value>(map: Map<string, Value[]>, key: string, value: Value): void {
  const list = map.get(key);
  if (list === undefined) map.set(key, [value]);
  else list.push(value);
}

function withoutBlanks(record: Readonly<Record<string, unknown>>): FieldRecord {
  const out: FieldRecord = {};
  for (const [key, value] of Object.entries(record))
    if (!isBlank(value)) out[key] = value as FieldRecord[string];
  return out;
}

function changed(before: FieldRecord, after: FieldRecord): FieldRecord {
  const out: FieldRecord = {};
  for (const [key, value] of Object.entries(after))
    if (JSON.stringify(before[key]) !== JSON.stringify(value)) out[key] = value;
  return out;
}
