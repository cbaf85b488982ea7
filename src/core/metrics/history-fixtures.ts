import type {
  FunnelStages,
  LeadHistory,
  OpportunityHistory,
  PipelineHistory,
} from "./pipeline-history.js";
import { MINUTE } from "./statistics.js";

/**
 * Small hand-made histories for the metric tests: build leads and opportunities with only the
 * facts a test cares about. Times are minutes after a fixed reference (Monday 2026-11-02 00:00 UTC).
 */

export const T0 = Date.UTC(2026, 10, 2);

/** the instant `minutes` after T0 */
export function at(minutes: number): number {
  return T0 + minutes * MINUTE;
}

export const testFunnel: FunnelStages = {
  new: "new",
  mql: "mql",
  sal: "working",
  sql: "sql",
  opportunity: "opportunity",
  won: "won",
  lost: "lost",
  stuck: ["new", "working"],
};

export function lead(id: string, overrides: Partial<LeadHistory> = {}): LeadHistory {
  const createdAt = overrides.createdAt ?? T0;
  const stages = overrides.stages ?? [{ stage: "new", at: createdAt }];
  const last = stages[stages.length - 1]!;
  return {
    id,
    createdAt,
    source: null,
    campaign: null,
    segment: null,
    owner: null,
    team: null,
    stage: last.stage,
    stageEnteredAt: last.at,
    stages,
    assignments: [],
    touches: [],
    lastActivityAt: null,
    decisions: [],
    contextComplete: null,
    marketingTouches: [],
    opportunityIds: [],
    ...overrides,
  };
}

export function opportunity(
  id: string,
  overrides: Partial<OpportunityHistory> = {},
): OpportunityHistory {
  const createdAt = overrides.createdAt ?? T0;
  return {
    id,
    leadId: null,
    createdAt,
    closedAt: null,
    outcome: null,
    amount: null,
    stages: [{ stage: "discovery", at: createdAt }],
    source: null,
    campaign: null,
    segment: null,
    owner: null,
    team: null,
    reason: null,
    ...overrides,
  };
}

/** A history around the given records; business time is calendar time unless overridden. */
export function history(overrides: Partial<PipelineHistory> = {}): PipelineHistory {
  return {
    timezone: "UTC",
    asOf: at(60 * 24 * 30),
    funnel: testFunnel,
    stageOrder: ["new", "mql", "working", "sql", "opportunity", "won"],
    marketingSources: ["website", "webinar", "paid_search"],
    speedStep: { step: "sdr-first-effort", goalMinutes: 240 },
    outcomeDays: 5,
    acceptanceDays: 5,
    businessClock: { minutesBetween: (from, to) => (to - from) / MINUTE },
    leads: [],
    opportunities: [],
    cycles: [],
    ...overrides,
  };
}
