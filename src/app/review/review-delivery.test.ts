import { describe, expect, it } from "vitest";
import type { Agreement } from "../../core/agreement/agreement-schema.js";
import { ownerAddresses, slackSummary } from "./review-delivery.js";
import type { AgreementReview } from "./review-schedule.js";

const agreement = {
  teams: {
    sales: { label: "AEs", side: "sales", manager: "sam" },
    sdr: { label: "SDRs", side: "sales" },
  },
  people: {
    sam: { name: "Sam Patel", email: "sam@acme.example", team: "sales" },
    alex: { name: "Alex Rivera", email: "alex@acme.example", team: "sdr" },
    blair: { name: "Blair Novak", email: "blair@acme.example", team: "sdr" },
    maria: { name: "Maria Lopez", email: "maria@acme.example", team: "demand_gen" },
  },
} as unknown as Agreement;

const review = (owners: string[]) => ({ owners }) as unknown as AgreementReview;

describe("ownerAddresses", () => {
  it("reaches a person directly, a team through its manager, a team without one through its members", () => {
    expect(ownerAddresses(agreement, review(["maria", "sales", "sdr"]))).toEqual([
      { person: "maria", email: "maria@acme.example", name: "Maria Lopez" },
      { person: "sam", email: "sam@acme.example", name: "Sam Patel" },
      { person: "alex", email: "alex@acme.example", name: "Alex Rivera" },
      { person: "blair", email: "blair@acme.example", name: "Blair Novak" },
    ]);
  });

  it("writes to an address once, and skips owners it cannot resolve", () => {
    expect(ownerAddresses(agreement, review(["sam", "sales", "nobody"]))).toEqual([
      { person: "sam", email: "sam@acme.example", name: "Sam Patel" },
    ]);
  });
});

describe("slackSummary", () => {
  it("keeps a short pack whole and adds the link", () => {
    expect(slackSummary("# Pack\n\nMQLs: 12\n", "https://baton.example/reviews/rp_1")).toBe(
      "# Pack\n\nMQLs: 12\n\nFull pack: https://baton.example/reviews/rp_1",
    );
  });

  it("cuts a long pack at the last whole line that fits", () => {
    const line = `${"x".repeat(99)}\n`; // 100 characters
    const summary = slackSummary(line.repeat(40), undefined);
    // 2,600 characters fit 26 whole lines; the 26th newline is at index 2,599
    expect(summary).toBe(`${line.repeat(26).trimEnd()}\n…`);
  });
});
