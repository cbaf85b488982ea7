import { at, history, lead, opportunity, T0 } from "../metrics/history-fixtures.js";
import type {
  CommitmentTarget,
  LeadDecision,
  LeadHistory,
  OpportunityHistory,
  PipelineHistory,
  SlaCycle,
} from "../metrics/pipeline-history.js";
import { DAY, MINUTE } from "../metrics/statistics.js";
import type { ActionItem } from "./action-item.js";
import type { ReviewAgreement, ReviewPackInput } from "./review-pack.js";

/**
 * A two-week scenario with known answers for the review pack's tests (core and renderers).
 * Times: T0 = Monday 2026-11-02 00:00 UTC. The previous period is the week [T0, T0 + 7 d), the
 * period the week [T0 + 7 d, T0 + 14 d); the history is as of T0 + 15 d (Tuesday 17 November).
 *
 * Previous week: paid_search ps-1…ps-5 MQL on day 1 (hours 1–5), all rejected a day later with
 * no_active_need; website web-1, web-2 MQL on day 1, accepted after 1 h, SQL after 2 h; web-1
 * became opportunity o1 on day 2 (won day 9, 10,000), web-2 o2 on day 3 (lost day 10, 5,000).
 * Every touch 60 minutes after the MQL moment.
 *
 * This week: paid_search ps-6…ps-11 MQL on day 8; ps-6 accepted and SQL; ps-7, 8, 9, 11 rejected
 * wrong_persona, ps-10 rejected with no reason. website web-3…web-6 MQL on day 8, accepted; web-3,
 * 4, 5 SQL; web-3 opportunity o3 on day 8 (open, 20,000). o4 (partner, no lead) created day 9,
 * open, 7,000. Touches (minutes after MQL): ps-6…11: 3, 10, 30, 90, 4, 20; web-3…6: 2, 12, 45, 120.
 * SLA (step sdr-first-effort): this week alex has 3 breached cycles, blair 1 breached and 4 met;
 * the previous week blair 2 met. old-1…3: New since day 1, owner alex, never touched (stuck).
 */

export const WEEK = 7 * DAY;
export const previousWeek = { from: T0, to: T0 + WEEK, label: "2026-W45" };
export const thisWeek = { from: T0 + WEEK, to: T0 + 2 * WEEK, label: "2026-W46" };
export const asOf = T0 + 15 * DAY;

interface MqlSpec {
  source: string;
  campaign?: string;
  owner: string;
  team?: string;
  /** MQL moment, minutes after T0 */
  mql: number;
  /** first touch, minutes after the MQL moment */
  touch: number;
  decision?: { kind: LeadDecision["kind"]; reason: string | null; after: number };
  sql?: boolean;
  opportunityAt?: number;
  opportunityIds?: string[];
  marketingTouchAt?: number;
}

export function mqlLead(id: string, spec: MqlSpec): LeadHistory {
  const mqlAt = at(spec.mql);
  const stages = [
    { stage: "new", at: mqlAt - 60 * MINUTE },
    { stage: "mql", at: mqlAt },
  ];
  const decisions: LeadDecision[] = [];
  if (spec.decision !== undefined) {
    const decidedAt = mqlAt + spec.decision.after * MINUTE;
    decisions.push({ kind: spec.decision.kind, at: decidedAt, reason: spec.decision.reason });
    if (spec.decision.kind === "accept") stages.push({ stage: "working", at: decidedAt });
    else stages.push({ stage: "disqualified", at: decidedAt });
  }
  if (spec.sql === true) stages.push({ stage: "sql", at: mqlAt + 120 * MINUTE });
  if (spec.opportunityAt !== undefined)
    stages.push({ stage: "opportunity", at: at(spec.opportunityAt) });
  const touch = mqlAt + spec.touch * MINUTE;
  return lead(id, {
    createdAt: mqlAt - 60 * MINUTE,
    stages,
    source: spec.source,
    campaign: spec.campaign ?? null,
    owner: spec.owner,
    team: spec.team ?? "sdr",
    assignments: [{ at: mqlAt, owner: spec.owner, team: spec.team ?? "sdr" }],
    touches: [touch],
    lastActivityAt: Math.max(touch, stages[stages.length - 1]!.at),
    decisions,
    opportunityIds: spec.opportunityIds ?? [],
    marketingTouches:
      spec.marketingTouchAt === undefined
        ? []
        : [{ at: at(spec.marketingTouchAt), kind: "webinar", channel: "webinar" }],
  });
}

const HOURS = 60;
const DAYS = 24 * HOURS;

export function scenarioLeads(): LeadHistory[] {
  const leads: LeadHistory[] = [];
  for (let index = 1; index <= 5; index++)
    leads.push(
      mqlLead(`ps-${index}`, {
        source: "paid_search",
        campaign: "Spring promo",
        owner: "alex",
        mql: DAYS + index * HOURS,
        touch: 60,
        decision: { kind: "reject", reason: "no_active_need", after: DAYS },
      }),
    );
  leads.push(
    mqlLead("web-1", {
      source: "website",
      owner: "blair",
      mql: DAYS + 6 * HOURS,
      touch: 60,
      decision: { kind: "accept", reason: null, after: 60 },
      sql: true,
      opportunityAt: 2 * DAYS,
      opportunityIds: ["o1"],
      marketingTouchAt: 12 * HOURS,
    }),
    mqlLead("web-2", {
      source: "website",
      owner: "blair",
      mql: DAYS + 7 * HOURS,
      touch: 60,
      decision: { kind: "accept", reason: null, after: 60 },
      sql: true,
      opportunityAt: 3 * DAYS,
      opportunityIds: ["o2"],
    }),
  );
  const thisWeekTouches = [3, 10, 30, 90, 4, 20];
  thisWeekTouches.forEach((touch, index) => {
    const number = index + 6;
    const decision =
      number === 6
        ? { kind: "accept" as const, reason: null, after: 60 }
        : number === 10
          ? { kind: "reject" as const, reason: null, after: DAYS }
          : { kind: "reject" as const, reason: "wrong_persona", after: DAYS };
    leads.push(
      mqlLead(`ps-${number}`, {
        source: "paid_search",
        campaign: "Spring promo",
        owner: "alex",
        mql: 8 * DAYS + index * HOURS,
        touch,
        decision,
        sql: number === 6,
      }),
    );
  });
  [2, 12, 45, 120].forEach((touch, index) => {
    const number = index + 3;
    leads.push(
      mqlLead(`web-${number}`, {
        source: "website",
        owner: "blair",
        mql: 8 * DAYS + (index + 6) * HOURS,
        touch,
        decision: { kind: "accept", reason: null, after: 60 },
        sql: number !== 6,
        ...(number === 3 ? { opportunityAt: 8 * DAYS + 12 * HOURS, opportunityIds: ["o3"] } : {}),
      }),
    );
  });
  for (let index = 1; index <= 3; index++)
    leads.push(
      lead(`old-${index}`, {
        createdAt: at(DAYS),
        stages: [{ stage: "new", at: at(DAYS) }],
        source: "website",
        owner: "alex",
        team: "sdr",
        assignments: [{ at: at(DAYS), owner: "alex", team: "sdr" }],
      }),
    );
  return leads;
}

export function scenarioOpportunities(): OpportunityHistory[] {
  return [
    opportunity("o1", {
      leadId: "web-1",
      createdAt: at(2 * DAYS),
      closedAt: at(9 * DAYS),
      outcome: "won",
      amount: 10_000,
      source: "website",
    }),
    opportunity("o2", {
      leadId: "web-2",
      createdAt: at(3 * DAYS),
      closedAt: at(10 * DAYS),
      outcome: "lost",
      amount: 5_000,
      source: "website",
    }),
    opportunity("o3", {
      leadId: "web-3",
      createdAt: at(8 * DAYS + 12 * HOURS),
      amount: 20_000,
      source: "website",
    }),
    opportunity("o4", { createdAt: at(9 * DAYS), amount: 7_000, source: "partner" }),
  ];
}

export function slaCycle(
  leadId: string,
  owner: string,
  state: "met" | "breached",
  startMinutes: number,
  overrides: Partial<SlaCycle> = {},
): SlaCycle {
  const startedAt = at(startMinutes);
  const dueAt = startedAt + 240 * MINUTE;
  return {
    leadId,
    step: "sdr-first-effort",
    cycle: 1,
    owner,
    team: "sdr",
    source: null,
    segment: null,
    startedAt,
    dueAt,
    firstWarningAt: startedAt + 120 * MINUTE,
    endedAt: state === "met" ? startedAt + 30 * MINUTE : dueAt + 60 * MINUTE,
    state,
    goalMinutes: 240,
    elapsedBusinessMinutes: state === "met" ? 30 : 300,
    ...overrides,
  };
}

export function scenarioCycles(): SlaCycle[] {
  return [
    slaCycle("web-1", "blair", "met", DAYS + 6 * HOURS),
    slaCycle("web-2", "blair", "met", DAYS + 7 * HOURS),
    slaCycle("ps-7", "alex", "breached", 8 * DAYS + HOURS),
    slaCycle("ps-8", "alex", "breached", 8 * DAYS + 2 * HOURS),
    slaCycle("ps-9", "alex", "breached", 8 * DAYS + 3 * HOURS),
    slaCycle("web-6", "blair", "breached", 8 * DAYS + 9 * HOURS),
    slaCycle("web-3", "blair", "met", 8 * DAYS + 6 * HOURS),
    slaCycle("web-4", "blair", "met", 8 * DAYS + 7 * HOURS),
    slaCycle("web-5", "blair", "met", 8 * DAYS + 8 * HOURS),
    slaCycle("ps-6", "alex", "met", 8 * DAYS),
  ];
}

export const scenarioCommitments: CommitmentTarget[] = [
  {
    side: "marketing",
    id: "mql-volume",
    label: "MQLs per week",
    metric: "mql_count",
    per: "week",
    min: 12,
  },
  {
    side: "marketing",
    id: "mql-to-sql",
    label: "MQL to SQL conversion",
    metric: "mql_to_sql_rate",
    per: "week",
    min: 0.25,
    warnBelow: 0.2,
  },
  {
    side: "sales",
    id: "sla",
    label: "SDR first effort within SLA",
    metric: "sla_attainment",
    per: "week",
    min: 0.9,
    step: "sdr-first-effort",
  },
];

export function scenarioHistory(overrides: Partial<PipelineHistory> = {}): PipelineHistory {
  return history({
    asOf,
    leads: scenarioLeads(),
    opportunities: scenarioOpportunities(),
    cycles: scenarioCycles(),
    commitments: scenarioCommitments,
    ...overrides,
  });
}

export const scenarioAgreement: ReviewAgreement = {
  name: "Acme revenue agreement",
  commitments: { marketing: [], sales: [] },
  sla: {
    steps: [
      {
        id: "sdr-first-effort",
        kind: "clock",
        name: "SDR prospecting effort",
        owner: "sdr",
        start_on: ["enter:mql"],
        stop_on: ["touch"],
        goals: [{ id: "default", target_minutes: 240, calendar: "us-east" }],
      },
    ],
  },
  people: {
    alex: { name: "Alex Rivera", email: "alex@acme.example", team: "sdr" },
    blair: { name: "Blair Novak", email: "blair@acme.example", team: "sdr" },
  },
  teams: { sdr: { label: "SDR team", side: "sales" } },
  reasons: {
    rejection: [
      { id: "wrong_persona", label: "Wrong persona" },
      { id: "no_active_need", label: "No active need" },
    ],
  },
  sources: { marketing: ["website", "paid_search", "webinar"] },
};

export function actionItem(id: string, overrides: Partial<ActionItem> = {}): ActionItem {
  return {
    id,
    title: `Item ${id}`,
    owner: "maria@acme.example",
    dueOn: "2026-11-20",
    type: "targeting",
    status: "open",
    metric: null,
    leadIds: [],
    notes: "",
    reviewPackId: "pack-45",
    createdAt: T0,
    updatedAt: T0,
    closedAt: null,
    pushedTo: [],
    ...overrides,
  };
}

export function scenarioInput(overrides: Partial<ReviewPackInput> = {}): ReviewPackInput {
  return {
    history: scenarioHistory(),
    agreement: scenarioAgreement,
    review: { id: "joint", name: "Joint revenue review", every: "week" },
    period: thisWeek,
    previousPeriod: previousWeek,
    now: asOf,
    actionItems: [
      actionItem("ai-1", { title: "Tighten paid search keywords", dueOn: "2026-11-10" }),
      actionItem("ai-2", {
        title: "Rewrite webinar follow-up",
        status: "done",
        dueOn: "2026-11-09",
        closedAt: T0 + 6 * DAY,
      }),
      actionItem("ai-3", {
        title: "Add persona field to the form",
        status: "in_progress",
        reviewPackId: null,
      }),
    ],
    decisions: [
      {
        id: "d-1",
        text: "Pause the Spring promo ad group until targeting is fixed",
        reviewPackId: "pack-45",
        decidedBy: "riley@acme.example",
        at: T0 + 7 * DAY + 10 * 3_600_000,
      },
    ],
    previousPackId: "pack-45",
    previousPack: null,
    ...overrides,
  };
}
