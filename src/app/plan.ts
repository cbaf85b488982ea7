import {
  type GroupPlan,
  historyStart,
  type MeasuredRates,
  measureFunnelRates,
  type PlanBreakdown,
  type PlanPeriodError,
  planGroups,
  planReverseFunnel,
  type ReverseFunnelPlan,
  resolvePlanPeriod,
  type TrailingWindow,
  trailingWindow,
} from "../core/planning/index.js";
import type { Engine } from "./engine.js";
import { computeOnSnapshot, currentHistory, type MetricsError } from "./metrics.js";

/**
 * `baton plan` and GET /api/plan: the reverse funnel for a revenue target over a period, at the
 * rates of the engine's own ledger over a trailing window ending now (src/core/planning/index.ts
 * says why the periods and the window are what they are). Every rate comes from
 * `computeOnSnapshot`, so a plan and the dashboard read the same snapshot and the same figures.
 */

export const defaultTrailingDays = 180;
/** ten years: a longer window reads a history Baton cannot have */
export const maxTrailingDays = 3650;

export interface PlanRequest {
  /** the period's revenue target */
  target: number;
  /** next-quarter, this-quarter, next-month, this-month or YYYY-MM-DD..YYYY-MM-DD */
  period: string;
  trailingDays?: number | undefined;
  by?: PlanBreakdown | undefined;
}

export type PlanError =
  | MetricsError
  | PlanPeriodError
  | { code: "invalid_request"; field: "target" | "trailingDays"; message: string };

export interface PlanAnswer {
  plan: ReverseFunnelPlan;
  /** the rates' window: [asOf − trailing days, asOf) */
  window: TrailingWindow;
  trailingDays: number;
  by: PlanBreakdown | null;
  groups: GroupPlan[];
  timezone: string;
  asOf: number;
}

type Outcome<Value> = { ok: true; value: Value } | { ok: false; error: PlanError };

export async function planTarget(
  engine: Engine,
  request: PlanRequest,
): Promise<Outcome<PlanAnswer>> {
  if (!Number.isFinite(request.target) || request.target <= 0)
    return {
      ok: false,
      error: {
        code: "invalid_request",
        field: "target",
        message: `target ${request.target} is not a positive amount; give the period's revenue target, e.g. 1200000`,
      },
    };
  const trailingDays = request.trailingDays ?? defaultTrailingDays;
  if (!Number.isFinite(trailingDays) || trailingDays <= 0 || trailingDays > maxTrailingDays)
    return {
      ok: false,
      error: {
        code: "invalid_request",
        field: "trailingDays",
        message: `trailing window of ${trailingDays} days: give a number of days above 0 and at most ${maxTrailingDays} (default ${defaultTrailingDays})`,
      },
    };
  const current = await currentHistory(engine);
  if (!current.ok) return current;
  const history = current.value;
  const period = resolvePlanPeriod(request.period, history.timezone, history.asOf);
  if (!period.ok) return period;
  const compute = (name: string, query: Parameters<typeof computeOnSnapshot>[3]) =>
    computeOnSnapshot(engine, history, name, query);

  const window = trailingWindow(history.asOf, trailingDays, historyStart(history));
  const measured: MeasuredRates = measureFunnelRates(compute, window, history.funnel, request.by);

  // A period that has begun: what it has won so far comes off the target.
  let wonSoFar = 0;
  if (period.value.from < history.asOf) {
    const coverage = compute("pipeline-coverage", {
      from: period.value.from,
      to: history.asOf,
      records: false,
    });
    if (coverage.ok) wonSoFar = coverage.result.total.revenue?.value ?? 0;
  }
  const target = { amount: request.target, wonSoFar };
  return {
    ok: true,
    value: {
      plan: planReverseFunnel(measured.total, target, period.value),
      window,
      trailingDays,
      by: request.by ?? null,
      groups: request.by === undefined ? [] : planGroups(measured.groups, target, period.value),
      timezone: history.timezone,
      asOf: history.asOf,
    },
  };
}
