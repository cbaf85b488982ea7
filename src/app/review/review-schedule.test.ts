import { describe, expect, it } from "vitest";
import type { Agreement } from "../../core/agreement/agreement-schema.js";
import { type AgreementReview, dueRun, nextDelivery, nextDeliveryAt } from "./review-schedule.js";

/** Only what scheduling reads of an agreement: the zones and the reviews. */
function agreementWith(reviews: AgreementReview[]): Agreement {
  return {
    timezone: "America/New_York",
    calendars: {
      "us-east": { timezone: "America/New_York" },
      london: { timezone: "Europe/London" },
    },
    reviews,
  } as unknown as Agreement;
}

const review = (overrides: Partial<AgreementReview>): AgreementReview => ({
  id: "forecast",
  name: "Forecast review",
  owners: ["sales"],
  every: "week",
  day: "mon",
  time: "09:00",
  calendar: "us-east",
  covers: ["forecast"],
  ...overrides,
});

const at = (iso: string) => Date.parse(iso);

describe("dueRun", () => {
  // New York moved to EDT (UTC−4) on Sunday 2026-03-08.
  it("delivers last week's pack from Monday 09:00, and the week before until then", () => {
    const weekly = review({});
    const agreement = agreementWith([weekly]);
    const before = dueRun(agreement, weekly, at("2026-03-09T12:59:00Z"));
    expect(before.periods.period.from).toBe(at("2026-02-23T05:00:00Z"));
    expect(before.periods.period.to).toBe(at("2026-03-02T05:00:00Z"));
    expect(before.deliverAt).toBe(at("2026-03-02T14:00:00Z"));
    const after = dueRun(agreement, weekly, at("2026-03-09T13:00:00Z"));
    expect(after.periods.period.from).toBe(at("2026-03-02T05:00:00Z"));
    expect(after.periods.period.to).toBe(at("2026-03-09T04:00:00Z"));
    expect(after.periods.previous.from).toBe(at("2026-02-23T05:00:00Z"));
    expect(after.deliverAt).toBe(at("2026-03-09T13:00:00Z"));
  });

  it("delivers a month on the first review day after it ends", () => {
    const monthly = review({ every: "month" });
    const agreement = agreementWith([monthly]);
    // March ends Wednesday 04-01; its pack comes Monday 04-06 09:00 EDT. On Friday 04-03 the due
    // run is still February's, delivered Monday 03-02 09:00 EST (March 1st was a Sunday).
    const friday = dueRun(agreement, monthly, at("2026-04-03T12:00:00Z"));
    expect(friday.periods.period.from).toBe(at("2026-02-01T05:00:00Z"));
    expect(friday.deliverAt).toBe(at("2026-03-02T14:00:00Z"));
    const monday = dueRun(agreement, monthly, at("2026-04-06T13:00:00Z"));
    expect(monday.periods.period.from).toBe(at("2026-03-01T05:00:00Z"));
    expect(monday.periods.period.to).toBe(at("2026-04-01T04:00:00Z"));
  });

  it("reads the delivery time in the review's calendar zone and the period in the workspace's", () => {
    const london = review({ calendar: "london" });
    const run = dueRun(agreementWith([london]), london, at("2026-03-09T09:00:00Z"));
    // the New York week ending 03-09 04:00 UTC, delivered 09:00 in London (GMT until 03-29)
    expect(run.periods.period.to).toBe(at("2026-03-09T04:00:00Z"));
    expect(run.deliverAt).toBe(at("2026-03-09T09:00:00Z"));
  });
});

describe("nextDeliveryAt and nextDelivery", () => {
  it("counts the instant itself, and a Monday-midnight review delivers at the period's end", () => {
    const midnight = { day: "mon", time: "00:00" } as const;
    expect(nextDeliveryAt(at("2026-03-09T04:00:00Z"), midnight, "America/New_York")).toBe(
      at("2026-03-09T04:00:00Z"),
    );
    expect(nextDeliveryAt(at("2026-03-09T04:00:01Z"), midnight, "America/New_York")).toBe(
      at("2026-03-16T04:00:00Z"),
    );
  });

  it("is this Monday's delivery until it has happened, then next Monday's", () => {
    const weekly = review({});
    const agreement = agreementWith([weekly]);
    expect(nextDelivery(agreement, weekly, at("2026-03-09T12:59:00Z"))).toBe(
      at("2026-03-09T13:00:00Z"),
    );
    expect(nextDelivery(agreement, weekly, at("2026-03-09T13:30:00Z"))).toBe(
      at("2026-03-16T13:00:00Z"),
    );
  });
});
