import type { FieldRecord } from "../lead/lead.js";
import type { PoolState } from "../routing/index.js";
import type { ClockEvent } from "../sla/index.js";
import { applyLeadEvent, type LeadView } from "./lead-view.js";
import type { StoredEvent } from "./ledger-event.js";

/**
 * Every projection as one fold over the ledger. The live path loads the rows an operation
 * touches into a `ProjectionSet`, applies the operation's new events and writes back what
 * changed; `baton rebuild` starts from an empty set and applies every event in id order. One
 * reducer for both is what makes "rebuilt = live" hold.
 *
 * Clocks are folded to their event logs here; the store replays each log (core/sla) into the
 * clock row, because a replay needs calendars, which belong to agreement versions.
 */

export interface OpportunityView {
  id: string;
  leadId: string;
  accountId: string | null;
  stage: string;
  amount: number | null;
  owner: string | null;
  openedAt: number;
  closedAt: number | null;
  outcome: "won" | "lost" | null;
  reason: string | null;
  stages: { stage: string; at: number }[];
  lastEventId: number;
}

export interface AccountView {
  id: string;
  name: string | null;
  nameKey: string | null;
  domains: string[];
  domainKey: string | null;
  owner: string | null;
  fields: FieldRecord;
  lastEventId: number;
}

export interface AgreementVersionView {
  number: number;
  yaml: string;
  parsed: unknown;
  diff: string[] | null;
  proposedBy: string;
  proposedAt: number;
  activatedAt: number | null;
  activationMode: "new_cycles_only" | "new_and_open_cycles" | null;
  supersededAt: number | null;
  approvals: { side: "marketing" | "sales"; approver: string; at: number }[];
  lastEventId: number;
}

export interface RoutingView {
  pools: Record<string, PoolState>;
  /** per pool, the revision of the decision that wrote its state */
  revisions: Record<string, number>;
  /** the highest routing revision folded */
  revision: number;
  lastEventId: number;
}

export interface ClockLog {
  id: string;
  leadId: string;
  step: string;
  events: ClockEvent[];
  lastEventId: number;
}

export interface ProjectionSet {
  leads: Map<string, LeadView>;
  opportunities: Map<string, OpportunityView>;
  accounts: Map<string, AccountView>;
  clocks: Map<string, ClockLog>;
  agreements: Map<number, AgreementVersionView>;
  /** undefined until the first assignment (or when the caller did not load it) */
  routing: RoutingView | undefined;
  /**
   * Change in each rep's open leads since the set was loaded (a lead assigned to them or taken
   * away, opened or closed): the store adds these to its counts. Folding every event from
   * nothing gives the counts themselves.
   */
  repLoads: Map<string, number>;
  /** ids of rows changed since the set was loaded, per projection: what the store writes back */
  touched: {
    leads: Set<string>;
    opportunities: Set<string>;
    accounts: Set<string>;
    clocks: Set<string>;
    agreements: Set<number>;
    routing: boolean;
  };
}

export function emptyProjectionSet(): ProjectionSet {
  return {
    leads: new Map(),
    opportunities: new Map(),
    accounts: new Map(),
    clocks: new Map(),
    agreements: new Map(),
    routing: undefined,
    repLoads: new Map(),
    touched: {
      leads: new Set(),
      opportunities: new Set(),
      accounts: new Set(),
      clocks: new Set(),
      agreements: new Set(),
      routing: false,
    },
  };
}

/**
 * Folds one event into the set. The rows the event changes must be in the set (the live path
 * loads them first); a missing row for an event that needs one is a bug and throws.
 */
export function applyEvent(set: ProjectionSet, event: StoredEvent): void {
  switch (event.type) {
    case "lead.created":
    case "lead.resubmitted":
    case "lead.scored":
    case "lead.stage_changed":
    case "lead.fields_changed":
    case "lead.activity_logged":
    case "lead.context_checked":
    case "lead.escalated":
      foldLead(set, event);
      return;
    case "lead.assigned": {
      foldLead(set, event);
      const moved = Object.entries(event.data.pools);
      // every routing decision (revision > 0) is recorded on the routing row, pool or not: its
      // revision tells the next router whether loads it read before the lock are still current
      if (event.data.revision > 0 || moved.length > 0) {
        // the latest decision wins by revision, not by event id: ids are reserved before the
        // routing lock is taken, revisions under it
        const routing = set.routing ?? { pools: {}, revisions: {}, revision: 0, lastEventId: 0 };
        const pools = { ...routing.pools };
        const revisions = { ...routing.revisions };
        for (const [pool, state] of moved)
          if (event.data.revision > (revisions[pool] ?? 0)) {
            pools[pool] = state;
            revisions[pool] = event.data.revision;
          }
        set.routing = {
          pools,
          revisions,
          revision: Math.max(routing.revision, event.data.revision),
          lastEventId: Math.max(routing.lastEventId, event.id),
        };
        set.touched.routing = true;
      }
      return;
    }
    case "opportunity.opened": {
      const data = event.data;
      set.opportunities.set(event.streamId, {
        id: event.streamId,
        leadId: data.leadId,
        accountId: data.accountId,
        stage: data.stage,
        amount: data.amount,
        owner: data.owner,
        openedAt: event.at,
        closedAt: null,
        outcome: null,
        reason: null,
        stages: [{ stage: data.stage, at: event.at }],
        lastEventId: event.id,
      });
      set.touched.opportunities.add(event.streamId);
      const lead = required(set.leads, data.leadId, event);
      set.leads.set(data.leadId, { ...lead, opportunityId: event.streamId });
      set.touched.leads.add(data.leadId);
      return;
    }
    case "opportunity.stage_changed": {
      const opportunity = required(set.opportunities, event.streamId, event);
      set.opportunities.set(event.streamId, {
        ...opportunity,
        stage: event.data.to,
        amount: event.data.amount === undefined ? opportunity.amount : event.data.amount,
        stages: [...opportunity.stages, { stage: event.data.to, at: event.at }],
        lastEventId: event.id,
      });
      set.touched.opportunities.add(event.streamId);
      return;
    }
    case "opportunity.closed": {
      const opportunity = required(set.opportunities, event.streamId, event);
      set.opportunities.set(event.streamId, {
        ...opportunity,
        closedAt: event.at,
        outcome: event.data.outcome,
        reason: event.data.reason ?? null,
        amount: event.data.amount === undefined ? opportunity.amount : event.data.amount,
        lastEventId: event.id,
      });
      set.touched.opportunities.add(event.streamId);
      return;
    }
    case "account.upserted": {
      const data = event.data;
      set.accounts.set(event.streamId, {
        id: event.streamId,
        name: data.name,
        nameKey: data.nameKey,
        domains: data.domains,
        domainKey: data.domainKey,
        owner: data.owner,
        fields: data.fields,
        lastEventId: event.id,
      });
      set.touched.accounts.add(event.streamId);
      return;
    }
    case "clock.event": {
      const log = set.clocks.get(event.streamId) ?? {
        id: event.streamId,
        leadId: event.data.leadId,
        step: event.data.step,
        events: [],
        lastEventId: event.id,
      };
      set.clocks.set(event.streamId, {
        ...log,
        events: [...log.events, { ...event.data.event, seq: event.id } as ClockEvent],
        lastEventId: event.id,
      });
      set.touched.clocks.add(event.streamId);
      return;
    }
    case "agreement.proposed": {
      const data = event.data;
      set.agreements.set(data.number, {
        number: data.number,
        yaml: data.yaml,
        parsed: data.parsed,
        diff: data.diff,
        proposedBy: event.actor,
        proposedAt: event.at,
        activatedAt: null,
        activationMode: null,
        supersededAt: null,
        approvals: [],
        lastEventId: event.id,
      });
      set.touched.agreements.add(data.number);
      return;
    }
    case "agreement.approved": {
      const version = required(set.agreements, event.data.number, event);
      set.agreements.set(event.data.number, {
        ...version,
        approvals: [
          ...version.approvals,
          { side: event.data.side, approver: event.data.approver, at: event.at },
        ],
        lastEventId: event.id,
      });
      set.touched.agreements.add(event.data.number);
      return;
    }
    case "agreement.activated": {
      const version = required(set.agreements, event.data.number, event);
      set.agreements.set(event.data.number, {
        ...version,
        activatedAt: event.at,
        activationMode: event.data.mode,
        lastEventId: event.id,
      });
      set.touched.agreements.add(event.data.number);
      const superseded = event.data.supersedes;
      if (superseded !== null) {
        const previous = required(set.agreements, superseded, event);
        set.agreements.set(superseded, {
          ...previous,
          supersededAt: event.at,
          lastEventId: event.id,
        });
        set.touched.agreements.add(superseded);
      }
      return;
    }
  }
}

/** Folds a lead event, and moves the lead's weight between reps' open-lead counts. */
function foldLead(set: ProjectionSet, event: StoredEvent): void {
  const before = set.leads.get(event.streamId);
  const after = applyLeadEvent(before, event);
  set.leads.set(event.streamId, after);
  set.touched.leads.add(event.streamId);
  const holder = (view: LeadView | undefined) =>
    view?.open && view.owner?.kind === "rep" ? view.owner.id : undefined;
  const from = holder(before);
  const to = holder(after);
  if (from === to) return;
  if (from !== undefined) set.repLoads.set(from, (set.repLoads.get(from) ?? 0) - 1);
  if (to !== undefined) set.repLoads.set(to, (set.repLoads.get(to) ?? 0) + 1);
}

function required<Key, Value>(map: Map<Key, Value>, key: Key, event: StoredEvent): Value {
  const value = map.get(key);
  if (value === undefined)
    throw new Error(
      `event #${event.id} (${event.type}) refers to ${String(key)}, which the projection set does not hold; load it before applying`,
    );
  return value;
}
