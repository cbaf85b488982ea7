import type { Activity, FieldRecord } from "../lead/lead.js";
import type { MatchKeys } from "../matching/match-lead.js";
import type { Assignee } from "../routing/index.js";
import type { StoredEvent } from "./ledger-event.js";

/**
 * A lead's current state: the fold of its events. Pure and deterministic, so the live write path
 * (fold the new events into the stored view) and `baton rebuild` (fold every event from nothing)
 * give the same row.
 */
export interface LeadView {
  id: string;
  /** the system that sent the lead (web-form, hubspot, …) */
  system: string | null;
  externalId: string | null;
  stage: string;
  stageEnteredAt: number;
  createdAt: number;
  /** when the source system created the lead, if it said */
  sourceCreatedAt: number | null;
  open: boolean;
  owner: Assignee | null;
  fields: FieldRecord;
  company: FieldRecord;
  activities: Activity[];
  keys: MatchKeys;
  accountId: string | null;
  score: number;
  mql: boolean;
  sql: boolean;
  /** set while a recycled lead waits before it may qualify again (epoch ms) */
  recycledUntil: number | null;
  /** version of the agreement that governed the latest decision */
  agreementVersion: number;
  lastActivityAt: number | null;
  firstTouchAt: number | null;
  /** handoff context the current stage requires and the lead lacks */
  contextMissing: string[];
  opportunityId: string | null;
  /** the latest disposition (reject, recycle, disqualify, lose): its action and reason */
  lastDisposition: { action: string; reason: string | null; at: number } | null;
  /** escalation rungs taken, by key (`<clock>:<cycle>:escalation:<rung>`): each fires once */
  escalations: string[];
  lastEventId: number;
}

export function applyLeadEvent(view: LeadView | undefined, event: StoredEvent): LeadView {
  if (event.type === "lead.created") {
    const data = event.data;
    const activities = [...data.activities];
    return {
      id: event.streamId,
      system: data.system,
      externalId: data.externalId,
      stage: data.stage,
      stageEnteredAt: event.at,
      createdAt: event.at,
      sourceCreatedAt: data.sourceCreatedAt,
      open: data.open,
      owner: null,
      fields: data.fields,
      company: data.company,
      activities,
      keys: data.keys,
      accountId: data.accountId,
      score: 0,
      mql: false,
      sql: false,
      recycledUntil: null,
      agreementVersion: event.agreementVersion ?? 0,
      lastActivityAt: latestActivity(activities),
      firstTouchAt: null,
      contextMissing: [],
      opportunityId: null,
      lastDisposition: null,
      escalations: [],
      lastEventId: event.id,
    };
  }
  if (view === undefined)
    throw new Error(
      `event #${event.id} (${event.type}) for lead ${event.streamId} before it was created`,
    );
  const next: LeadView = {
    ...view,
    lastEventId: event.id,
    agreementVersion: event.agreementVersion ?? view.agreementVersion,
  };
  switch (event.type) {
    case "lead.resubmitted": {
      const activities = [...view.activities, ...event.data.activities];
      return {
        ...next,
        fields: { ...view.fields, ...event.data.fields },
        company: { ...view.company, ...event.data.company },
        activities,
        keys: event.data.keys,
        accountId: event.data.accountId ?? view.accountId,
        lastActivityAt: latestActivity(activities),
      };
    }
    case "lead.scored":
      return { ...next, score: event.data.score, mql: event.data.mql, sql: event.data.sql };
    case "lead.stage_changed": {
      const data = event.data;
      const disposition =
        data.reason !== undefined
          ? { action: data.action, reason: data.reason, at: event.at }
          : view.lastDisposition;
      return {
        ...next,
        stage: data.to,
        stageEnteredAt: event.at,
        open: data.open,
        recycledUntil: data.recycle?.until ?? null,
        lastDisposition: disposition,
      };
    }
    case "lead.fields_changed":
      return { ...next, fields: { ...view.fields, ...event.data.fields } };
    case "lead.activity_logged": {
      const activities = [...view.activities, event.data.activity];
      return {
        ...next,
        activities,
        lastActivityAt: latestActivity(activities),
        firstTouchAt:
          event.data.touch &&
          (view.firstTouchAt === null || event.data.activity.at < view.firstTouchAt)
            ? event.data.activity.at
            : view.firstTouchAt,
      };
    }
    case "lead.context_checked":
      return { ...next, contextMissing: event.data.missing };
    case "lead.assigned":
      return { ...next, owner: event.data.owner };
    case "lead.escalated":
      return {
        ...next,
        escalations: [
          ...view.escalations,
          `${event.data.clockId}:${event.data.cycle}:escalation:${event.data.rung}`,
        ],
      };
    default:
      throw new Error(`event #${event.id} (${event.type}) is not a lead event`);
  }
}

function latestActivity(activities: readonly Activity[]): number | null {
  let latest: number | null = null;
  for (const activity of activities)
    if (latest === null || activity.at > latest) latest = activity.at;
  return latest;
}
