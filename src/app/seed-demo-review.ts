import { DateTime } from "luxon";
import type { ActionItemType } from "../core/review/action-item.js";
import { leadOfCycle } from "../core/review/review-pack.js";
import { lastCompletePeriod, localDate } from "../core/review/review-period.js";
import type { Engine } from "./engine.js";
import { addDecision, createActionItem, updateActionItem } from "./review/action-items.js";
import { generateReviewPack } from "./review/review-packs.js";

/**
 * The demo company's joint review, so the review page is not empty on first start: the packs of
 * the agreement's joint review for its two last complete periods, with action items taken from
 * the earlier pack's discussion points (one done, one overdue, one still to do) and a decision,
 * so the latest pack shows last review's items and decisions carried over. Everything goes
 * through the same use cases as the API; nothing is written that a person could not have made.
 */

const demoReview = "joint-revenue-review";

export interface DemoReviewResult {
  packs: number;
  actionItems: number;
}

export async function seedDemoReview(engine: Engine): Promise<DemoReviewResult> {
  const active = await engine.registry.active(engine.db);
  const review = active?.compiled.agreement.reviews?.find((r) => r.id === demoReview);
  if (active === undefined || review === undefined) return { packs: 0, actionItems: 0 };
  const timezone = active.compiled.agreement.timezone;
  const now = engine.now();
  const last = lastCompletePeriod(review.every, now, timezone);
  const earlier = last.previous;
  const earlierRange = `${localDate(earlier.from, timezone)}..${localDate(earlier.to, timezone)}`;
  const first = await generateReviewPack(engine, {
    review: demoReview,
    period: earlierRange,
    generatedBy: "demo",
  });
  if (!first.ok) throw new Error(`demo review pack: ${first.error.message}`);
  const pack = first.value;
  const today = DateTime.fromMillis(now, { zone: timezone });
  const day = (offset: number) => today.plus({ days: offset }).toISODate() ?? "";
  const points = pack.pack.discussionPoints;
  // a point's evidence lists leads, cycles (`<lead>/<step>#<cycle>`) or opportunities; an item
  // concerns leads, so keep lead ids and the leads of cycles
  const leadsOf = (index: number) =>
    [
      ...new Set(
        (points[index]?.evidence ?? [])
          .flatMap((evidence) => evidence.records)
          .map(leadOfCycle)
          .filter((id) => id.startsWith("lead_")),
      ),
    ].slice(0, 10);
  const items: {
    title: string;
    owner: string;
    dueOn: string;
    type: ActionItemType;
    metric: string;
    notes: string;
    leadIds: string[];
    status?: "done" | "in_progress";
  }[] = [
    {
      title: points[0]?.text
        ? `Follow up: ${points[0].text}`.slice(0, 280)
        : "Review paid search targeting with demand gen",
      owner: "maria",
      dueOn: day(-3),
      type: "targeting",
      metric: "mql-to-sql",
      notes: "Agreed in the joint review: look at the campaigns behind the weakest source.",
      leadIds: leadsOf(0),
      status: "in_progress",
    },
    {
      title: "Coach the SDR team on first touch within the SLA",
      owner: "sam",
      dueOn: day(-7),
      type: "enablement",
      metric: "sla-attainment",
      notes: "Breached first touches, one by one, in the team meeting.",
      leadIds: leadsOf(1),
      status: "done",
    },
    {
      title: "Require handoff notes on event leads before qualification",
      owner: "mo",
      dueOn: day(7),
      type: "process",
      metric: "rejection-mix",
      notes: "Event leads are rejected for missing context more than any other source.",
      leadIds: [],
    },
  ];
  let created = 0;
  for (const item of items) {
    const made = await createActionItem(
      engine,
      {
        title: item.title,
        owner: item.owner,
        dueOn: item.dueOn,
        type: item.type,
        metric: item.metric,
        leadIds: item.leadIds,
        notes: item.notes,
        reviewPackId: pack.id,
      },
      "demo",
    );
    if (!made.ok) throw new Error(`demo action item: ${made.error.message}`);
    created += 1;
    if (item.status !== undefined) {
      const moved = await updateActionItem(engine, made.value.id, { status: item.status });
      if (!moved.ok) throw new Error(`demo action item: ${moved.error.message}`);
    }
  }
  const decided = await addDecision(
    engine,
    pack.id,
    "Event leads go to the SDR queue only with handoff notes; marketing ops owns the form change.",
    "demo",
  );
  if (!decided.ok) throw new Error(`demo decision: ${decided.error.message}`);
  const latest = await generateReviewPack(engine, { review: demoReview, generatedBy: "demo" });
  if (!latest.ok) throw new Error(`demo review pack: ${latest.error.message}`);
  return { packs: 2, actionItems: created };
}
