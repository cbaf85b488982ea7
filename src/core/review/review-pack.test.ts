import { describe, expect, it } from "vitest";
import { at, history, lead, T0 } from "../metrics/history-fixtures.js";
import type { Figure } from "../metrics/metric.js";
import { computeMetric } from "../metrics/metric-registry.js";
import type { LeadHistory, PipelineHistory } from "../metrics/pipeline-history.js";
import { DAY } from "../metrics/statistics.js";
import {
  buildReviewPack,
  type DiscussionPoint,
  evidenceRecordLimit,
  type PackFigure,
  type ReviewPack,
} from "./review-pack.js";
import {
  actionItem,
  asOf,
  previousWeek,
  scenarioAgreement,
  scenarioCommitments,
  scenarioCycles,
  scenarioHistory,
  scenarioInput,
  slaCycle,
  thisWeek,
} from "./review-pack-fixture.js";

function metricTotal(
  sample: PipelineHistory,
  metric: string,
  period: { from: number; to: number },
  figure: string,
): Figure {
  const outcome = computeMetric(sample, metric, { from: period.from, to: period.to });
  if (!outcome.ok) throw new Error(outcome.error.message);
  const found = outcome.result.total[figure];
  if (found === undefined) throw new Error(`${metric} has no ${figure}`);
  return found;
}

/** The pack's figure says what computeMetric says: value, rate parts, record count, first ids. */
function expectSame(packed: PackFigure, figure: Figure) {
  expect(packed.value).toBe(figure.value);
  expect(packed.numerator).toBe(figure.numerator ?? null);
  expect(packed.denominator).toBe(figure.denominator ?? null);
  expect(packed.recordCount).toBe(figure.records.length);
  expect(packed.records).toEqual(figure.records.slice(0, evidenceRecordLimit));
}

function rules(pack: ReviewPack): string[] {
  return pack.discussionPoints.map((entry) => entry.id);
}

function pointOf(pack: ReviewPack, id: string): DiscussionPoint {
  const found = pack.discussionPoints.find((entry) => entry.id === id);
  if (found === undefined) throw new Error(`no point ${id}; have ${rules(pack).join(", ")}`);
  return found;
}

describe("buildReviewPack on the two-week scenario", () => {
  const sample = scenarioHistory();
  const pack = buildReviewPack(scenarioInput({ history: sample }));
  const headline = (id: string) => {
    const found = pack.headlines.find((entry) => entry.id === id);
    if (found === undefined) throw new Error(`no headline ${id}`);
    return found;
  };

  it("takes every headline from computeMetric, for the period and the previous one", () => {
    expect(pack.headlines.map((entry) => entry.id)).toHaveLength(12);
    for (const entry of pack.headlines) {
      expectSame(entry.current, metricTotal(sample, entry.metric, thisWeek, entry.figure));
      expectSame(entry.previous, metricTotal(sample, entry.metric, previousWeek, entry.figure));
    }
  });

  it("has the hand-computed headline numbers", () => {
    // 10 MQLs this week (ps-6…11, web-3…6), 7 the week before (ps-1…5, web-1, web-2).
    expect([
      headline("mqls").current.value,
      headline("mqls").previous.value,
      headline("mqls").change,
    ]).toEqual([10, 7, 3]);
    // SQL: ps-6, web-3, web-4, web-5 of 10; web-1, web-2 of 7.
    const conversion = headline("mql-to-sql");
    expect([conversion.current.numerator, conversion.current.denominator]).toEqual([4, 10]);
    expect([conversion.previous.numerator, conversion.previous.denominator]).toEqual([2, 7]);
    expect(conversion.change).toBeCloseTo(0.4 - 2 / 7, 12);
    // decided this week: 5 accepted (ps-6, web-3…6), 5 rejected (ps-7…11).
    expect(headline("acceptance").current.value).toBe(0.5);
    // touches 2, 3, 4, 10, 12, 20, 30, 45, 90, 120: P50 (12 + 20) / 2, P90 90 + 0.1 × 30.
    expect(headline("speed-to-lead-p50").current.value).toBe(16);
    expect(headline("speed-to-lead-p90").current.value).toBeCloseTo(93, 9);
    expect(headline("speed-to-lead-p50").previous.value).toBe(60);
    // SLA: 4 met and 4 breached settled this week; 2 met the week before.
    expect(headline("sla-attainment").current.value).toBe(0.5);
    expect(headline("sla-attainment").previous.value).toBe(1);
    // o1 won and o2 lost this week; nothing closed the week before.
    expect(headline("win-rate").current.value).toBe(0.5);
    expect(headline("win-rate").previous.value).toBeNull();
    expect(headline("win-rate").change).toBeNull();
    // marketing-sourced: o3 created this week (20,000), o1 + o2 the week before; o1 won.
    expect(headline("marketing-sourced-pipeline").current.value).toBe(20_000);
    expect(headline("marketing-sourced-pipeline").previous.value).toBe(15_000);
    expect(headline("marketing-sourced-revenue").current.value).toBe(10_000);
    // influenced: only web-1 had a marketing touch before its opportunity.
    expect(headline("marketing-influenced-pipeline").previous.value).toBe(10_000);
    expect(headline("marketing-influenced-pipeline").current.value).toBe(0);
    // velocity: 2 open (o3, o4) × 10,000 × 0.5 ÷ 7 days.
    expect(headline("pipeline-velocity").current.value).toBeCloseTo(20_000 / 14, 9);
  });

  it("judges both sides' commitments for both periods, from the commitments metric", () => {
    const [volume, conversion] = pack.commitments.marketing;
    expect([volume?.id, volume?.status, volume?.previousStatus]).toEqual([
      "mql-volume",
      "missed",
      "missed",
    ]);
    expect(volume?.periods.map((entry) => [entry.key, entry.actual.value])).toEqual([
      ["2026-W46", 10],
    ]);
    expect([conversion?.status, conversion?.previousStatus]).toEqual(["met", "met"]);
    const sla = pack.commitments.sales[0];
    // started this week: 4 met, 4 breached; the week before: 2 met.
    expect([sla?.status, sla?.previousStatus, sla?.periods[0]?.actual.value]).toEqual([
      "missed",
      "met",
      0.5,
    ]);
    const result = computeMetric(sample, "commitments", thisWeek);
    if (!result.ok) throw new Error("commitments");
    const group = result.result.groups.find((entry) => entry.key === "sales:sla:2026-W46");
    expect(sla?.periods[0]?.actual.value).toBe(group?.figures.actual?.value);
    expect(headline("mqls").commitments).toEqual([
      { side: "marketing", id: "mql-volume", label: "MQLs per week", status: "missed" },
    ]);
  });

  it("lists SLA breaches by owner with the leads behind them", () => {
    expect(
      pack.sla.byOwner.map((entry) => [entry.label, entry.breached.value, entry.leadIds]),
    ).toEqual([
      ["Alex Rivera", 3, ["ps-7", "ps-8", "ps-9"]],
      ["Blair Novak", 1, ["web-6"]],
    ]);
    expect(pack.sla.byOwner[0]?.steps).toEqual([
      { step: "sdr-first-effort", name: "SDR prospecting effort", breached: 3 },
    ]);
    expect(
      pack.sla.steps.map((entry) => [entry.name, entry.breached, entry.attainment.value]),
    ).toEqual([["SDR prospecting effort", 4, 0.5]]);
  });

  it("lists stuck leads by owner as of the history", () => {
    expect(pack.stuck.total.value).toBe(3);
    expect(pack.stuck.byOwner.map((entry) => [entry.label, entry.stuck.records])).toEqual([
      ["Alex Rivera", ["old-1", "old-2", "old-3"]],
    ]);
    expectSame(pack.stuck.total, metricTotal(sample, "stuck-leads", thisWeek, "stuck"));
  });

  it("gives the rejection mix, its trend and the top reasons by source and campaign", () => {
    expect(pack.rejections.rejections.current.value).toBe(5);
    expect(pack.rejections.rejections.previous.value).toBe(5);
    const wrongPersona = pack.rejections.reasons.find((entry) => entry.reason === "wrong_persona");
    expect([wrongPersona?.count.value, wrongPersona?.share.value, wrongPersona?.change]).toEqual([
      4, 0.8, 0.8,
    ]);
    const noNeed = pack.rejections.reasons.find((entry) => entry.reason === "no_active_need");
    expect([noNeed?.previousShare.value, noNeed?.change]).toEqual([1, -1]);
    expect(pack.rejections.noReason.records).toEqual(["ps-10"]);
    expect(pack.rejections.bySource).toEqual([
      {
        key: "paid_search",
        label: "paid_search",
        rejections: 5,
        top: [{ reason: "wrong_persona", label: "Wrong persona", count: 4, share: 0.8 }],
      },
    ]);
    expect(pack.rejections.byCampaign[0]?.label).toBe("Spring promo");
  });

  it("gives source quality from mql-to-sql, acceptance and deal-quality by source", () => {
    const paid = pack.sources.find((entry) => entry.key === "paid_search");
    expect([paid?.mqls.value, paid?.mqlToSql.numerator, paid?.mqlToSql.denominator]).toEqual([
      6, 1, 6,
    ]);
    expect([paid?.previousMqlToSql.numerator, paid?.previousMqlToSql.denominator]).toEqual([0, 5]);
    expect(paid?.acceptance.value).toBeCloseTo(1 / 6, 12);
    expect(paid?.marketing).toBe(true);
    const web = pack.sources.find((entry) => entry.key === "website");
    // o1 won and o2 lost this week, both from website: 50 %, mean won 10,000.
    expect([web?.winRate.value, web?.meanDealSize.value, web?.mqlToSql.value]).toEqual([
      0.5, 10_000, 0.75,
    ]);
  });

  it("gives the speed-to-lead bands", () => {
    expect(pack.speed.bands.map((entry) => [entry.band, entry.leads.value])).toEqual([
      ["0-5", 3],
      ["5-15", 2],
      ["15-60", 3],
      ["60+", 2],
    ]);
    expect(pack.speed.bands[0]?.share.value).toBe(0.3);
  });

  it("flags overdue action items on today's date in the zone and marks the last review's", () => {
    expect(pack.today).toBe("2026-11-17");
    expect(
      pack.actionItems.map((entry) => [entry.item.id, entry.overdue, entry.fromLastReview]),
    ).toEqual([
      ["ai-2", false, true],
      ["ai-1", true, true],
      ["ai-3", false, false],
    ]);
    expect(pack.decisions.map((entry) => entry.id)).toEqual(["d-1"]);
  });

  it("finds the discussion points, the high ones first, each with its evidence", () => {
    // the sales SLA commitment was met the week before, so it is not missed twice
    expect(rules(pack)).toEqual([
      "commitment-missed-twice:marketing:mql-volume",
      "mql-to-sql-below-line:paid_search",
      "sla-breaches-concentrated:sdr-first-effort:owner:alex",
      "rejection-reason-rising:wrong_persona",
      "dispositions-without-reason:period",
      "overdue-action-items:open",
    ]);
    const conversion = pointOf(pack, "mql-to-sql-below-line:paid_search");
    expect(conversion.text).toBe(
      "MQL→SQL from paid_search under 20 % for two periods: 16.7 % (1 of 6) in 2026-W46, 0 % (0 of 5) in 2026-W45",
    );
    expect(conversion.evidence[0]).toMatchObject({
      metric: "mql-to-sql",
      numerator: 1,
      denominator: 6,
    });
    expect(conversion.evidence[0]?.records).toEqual([
      "ps-6",
      "ps-7",
      "ps-8",
      "ps-9",
      "ps-10",
      "ps-11",
    ]);
    const breaches = pointOf(pack, "sla-breaches-concentrated:sdr-first-effort:owner:alex");
    expect(breaches.text).toBe(
      '3 of 4 breaches of "SDR prospecting effort" (75 %) are on Alex Rivera',
    );
    expect(breaches.evidence[0]?.records).toEqual([
      "ps-7/sdr-first-effort#1",
      "ps-8/sdr-first-effort#1",
      "ps-9/sdr-first-effort#1",
    ]);
    expect(pointOf(pack, "overdue-action-items:open").evidence[0]?.records).toEqual(["ai-1"]);
  });

  it("is plain JSON", () => {
    expect(JSON.parse(JSON.stringify(pack))).toEqual(pack);
    expect(pack.version).toBe(1);
  });

  it("shows a monthly commitment in a weekly review through the month that overlaps the week", () => {
    const monthly = [
      ...scenarioCommitments,
      {
        side: "marketing" as const,
        id: "mql-month",
        label: "MQLs per month",
        metric: "mql_count",
        per: "month" as const,
        min: 30,
      },
    ];
    const row = buildReviewPack(
      scenarioInput({ history: scenarioHistory({ commitments: monthly }) }),
    ).commitments.marketing.find((entry) => entry.id === "mql-month");
    // November is still running on the 17th: all 17 MQL leads so far, in progress, both weeks
    expect(row?.periods.map((entry) => [entry.key, entry.actual.value, entry.status])).toEqual([
      ["2026-11", 17, "in-progress"],
    ]);
    expect([row?.status, row?.previousStatus]).toEqual(["in-progress", "in-progress"]);
  });

  it("reads the commitments from the agreement when the history carries none", () => {
    const bare = scenarioHistory({ commitments: undefined });
    const withAgreement = buildReviewPack(
      scenarioInput({
        history: bare,
        agreement: {
          ...scenarioAgreement,
          commitments: {
            marketing: [
              {
                id: "mql-volume",
                label: "MQLs per week",
                metric: "mql_count",
                per: "week",
                min: 12,
              },
            ],
            sales: [],
          },
        },
      }),
    );
    expect(withAgreement.commitments.marketing.map((row) => [row.id, row.status])).toEqual([
      ["mql-volume", "missed"],
    ]);
  });
});

describe("discussion-point rules fire on their case and stay silent on a near miss", () => {
  const build = (change: Partial<Parameters<typeof scenarioInput>[0]> = {}) =>
    buildReviewPack(scenarioInput(change));
  const has = (pack: ReviewPack, prefix: string) =>
    pack.discussionPoints.some((entry) => entry.id.startsWith(prefix));

  it("commitment missed twice: silent when this period meets the target exactly", () => {
    const commitments = scenarioCommitments.map((entry) =>
      entry.id === "mql-volume" ? { ...entry, min: 10 } : entry,
    );
    const pack = build({ history: scenarioHistory({ commitments }) });
    expect(has(pack, "commitment-missed-twice:marketing:mql-volume")).toBe(false);
    // the previous week (7) still missed 10: one miss is not two
    expect(pack.commitments.marketing[0]?.previousStatus).toBe("missed");
  });

  it("MQL→SQL under the line: silent at exactly 20 %, and under the commitment's own lower line", () => {
    // without ps-11 this week's paid_search is 1 of 5 = 20 %, not under 20 %
    const leads = scenarioHistory().leads.filter((entry) => entry.id !== "ps-11");
    expect(has(build({ history: scenarioHistory({ leads }) }), "mql-to-sql-below-line")).toBe(
      false,
    );
    const commitments = scenarioCommitments.map((entry) =>
      entry.id === "mql-to-sql" ? { ...entry, warnBelow: 0.15 } : entry,
    );
    expect(has(build({ history: scenarioHistory({ commitments }) }), "mql-to-sql-below-line")).toBe(
      false,
    );
    // 0 of 4 the week before: too few MQLs to judge the source
    const fewer = scenarioHistory().leads.filter((entry) => entry.id !== "ps-5");
    expect(
      has(build({ history: scenarioHistory({ leads: fewer }) }), "mql-to-sql-below-line"),
    ).toBe(false);
    // with no warning line in the agreement, the audit's 20 % applies
    const noLine = scenarioCommitments.filter((entry) => entry.id !== "mql-to-sql");
    expect(
      has(
        build({ history: scenarioHistory({ commitments: noLine }) }),
        "mql-to-sql-below-line:paid_search",
      ),
    ).toBe(true);
  });

  it("SLA breaches concentrated on an owner: silent at 2 breaches and under half", () => {
    const two = scenarioCycles().filter((entry) => entry.leadId !== "ps-9");
    expect(
      has(build({ history: scenarioHistory({ cycles: two }) }), "sla-breaches-concentrated"),
    ).toBe(false);
    // alex 3, blair 2, casey 2 of 7: 43 %
    const spread = [
      ...scenarioCycles(),
      slaCycle("web-5", "blair", "breached", 8 * 24 * 60 + 600, { cycle: 2 }),
      slaCycle("x-1", "casey", "breached", 8 * 24 * 60 + 600),
      slaCycle("x-2", "casey", "breached", 8 * 24 * 60 + 600),
    ];
    expect(
      has(build({ history: scenarioHistory({ cycles: spread }) }), "sla-breaches-concentrated"),
    ).toBe(false);
  });

  it("SLA breaches concentrated on a team: only when the breaches span several teams", () => {
    const start = 8 * 24 * 60 + 600;
    const owners = ["a", "b", "c", "d"];
    const sdrOnly = owners.map((owner, index) => slaCycle(`t-${index}`, owner, "breached", start));
    expect(
      has(build({ history: scenarioHistory({ cycles: sdrOnly }) }), "sla-breaches-concentrated"),
    ).toBe(false);
    const twoTeams = [...sdrOnly, slaCycle("t-9", "e", "breached", start, { team: "sales" })];
    const pack = build({ history: scenarioHistory({ cycles: twoTeams }) });
    expect(rules(pack)).toContain("sla-breaches-concentrated:sdr-first-effort:team:sdr");
    expect(pointOf(pack, "sla-breaches-concentrated:sdr-first-effort:team:sdr").text).toBe(
      '4 of 5 breaches of "SDR prospecting effort" (80 %) are on the team SDR team',
    );
  });

  /** One lead per rejection: `previous` in the first week, `current` in the second. */
  function rejections(previous: string[], current: string[]): PipelineHistory {
    const leads: LeadHistory[] = [];
    const add = (reasons: string[], day: number, prefix: string) => {
      reasons.forEach((reason, index) => {
        leads.push(
          lead(`${prefix}-${index}`, {
            createdAt: at(day * 24 * 60),
            decisions: [{ kind: "reject", at: at(day * 24 * 60 + index), reason }],
            stages: [
              { stage: "new", at: at(day * 24 * 60) },
              { stage: "disqualified", at: at(day * 24 * 60 + index) },
            ],
          }),
        );
      });
    };
    add(previous, 1, "p");
    add(current, 8, "c");
    return history({ asOf, leads, commitments: [] });
  }
  const times = (count: number, reason: string) => Array.from({ length: count }, () => reason);

  it("rejection reason rising: fires at exactly 10 points, silent at 9.1 and under 5 rejections", () => {
    const exact = build({
      history: rejections(times(10, "b"), [...times(1, "a"), ...times(9, "b")]),
    });
    expect(rules(exact)).toContain("rejection-reason-rising:a");
    const under = build({
      history: rejections(times(10, "b"), [...times(1, "a"), ...times(10, "b")]),
    });
    expect(has(under, "rejection-reason-rising")).toBe(false);
    const few = build({ history: rejections(times(10, "b"), times(4, "a")) });
    expect(has(few, "rejection-reason-rising")).toBe(false);
  });

  it("stuck leads rising: against the previous pack's count only", () => {
    const stuck = buildReviewPack(scenarioInput()).stuck;
    const previousStuck = (value: number) => ({
      stuck: { ...stuck, total: { ...stuck.total, value } },
    });
    expect(
      pointOf(build({ previousPack: previousStuck(2) }), "stuck-leads-rising:total").text,
    ).toBe(
      "3 leads stuck in New/Working for more than 48 hours, up from 2 at the last review (most with Alex Rivera 3)",
    );
    expect(has(build({ previousPack: previousStuck(3) }), "stuck-leads-rising")).toBe(false);
    expect(has(build({ previousPack: null }), "stuck-leads-rising")).toBe(false);
  });

  it("dispositions without a reason: silent when every rejection has one", () => {
    const leads = scenarioHistory().leads.map((entry) =>
      entry.id === "ps-10"
        ? {
            ...entry,
            decisions: entry.decisions.map((decision) => ({
              ...decision,
              reason: "wrong_persona",
            })),
          }
        : entry,
    );
    expect(has(build({ history: scenarioHistory({ leads }) }), "dispositions-without-reason")).toBe(
      false,
    );
    expect(pointOf(build(), "dispositions-without-reason:period").text).toBe(
      "1 rejection in 2026-W46 carries no reason",
    );
  });

  it("overdue action items: silent when the item is due today", () => {
    const pack = build({ actionItems: [actionItem("ai-1", { dueOn: "2026-11-17" })] });
    expect(has(pack, "overdue-action-items")).toBe(false);
    const late = build({ actionItems: [actionItem("ai-1", { dueOn: "2026-11-16" })] });
    expect(has(late, "overdue-action-items")).toBe(true);
    // in New York it is still 16 November at 00:00 UTC on the 17th: due on the 16th is not late
    const zoned = build({
      now: T0 + 15 * DAY,
      timezone: "America/New_York",
      actionItems: [actionItem("ai-1", { dueOn: "2026-11-16" })],
    });
    expect(zoned.today).toBe("2026-11-16");
    expect(has(zoned, "overdue-action-items")).toBe(false);
  });
});
