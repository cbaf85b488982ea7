import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { z } from "zod";
import { actionsFrom, compileLifecycle, matchRecyclingRule } from "./compile-lifecycle.js";
import {
  feedbackSchema,
  lifecycleSchema,
  reasonsSchema,
  recyclingSchema,
} from "./lifecycle-schema.js";
import {
  type LeadAction,
  type LifecycleLead,
  type TransitionErrorCode,
  transition,
  transitionErrorCodes,
} from "./transition.js";

const sectionsSchema = z.strictObject({
  lifecycle: lifecycleSchema,
  reasons: reasonsSchema,
  feedback: feedbackSchema,
  recycling: recyclingSchema.optional(),
});
const fixtureText = readFileSync(new URL("./lifecycle.fixture.yaml", import.meta.url), "utf8");
const seed = compileLifecycle(sectionsSchema.parse(parse(fixtureText)));

/** 2026-03-02T09:00:00Z, a Monday morning. */
const now = Date.UTC(2026, 2, 2, 9, 0, 0);
const day = 86_400_000;

const rep = { id: "rep_ana", role: "rep" } as const;
const system = { id: "baton", role: "system" } as const;

function lead(stage: string, extra: Partial<LifecycleLead> = {}): LifecycleLead {
  return {
    id: "lead_1",
    stage,
    stageEnteredAt: now - day,
    createdAt: now - 2 * day,
    owner: "rep_ana",
    fields: { email: "mike@acme.co.uk", source: "webinar" },
    company: { name: "Acme Ltd", domain: "acme.co.uk" },
    activities: [],
    ...extra,
  };
}

const fullContext = {
  message_used: "Cut handoff time in half",
  account_context: "Evaluating two vendors; renewal in Q3",
  handoff_notes: "Asked for a demo with their RevOps lead",
};
const acceptFeedback = { meeting_quality: "strong_fit", message_match: "accurate" };

function act(type: string, extra: Partial<LeadAction> = {}): LeadAction {
  return { type, actor: rep, ...extra };
}

function refusal(result: ReturnType<typeof transition>) {
  if (result.ok) throw new Error("expected the action to be refused");
  return result.error;
}

function success(result: ReturnType<typeof transition>) {
  if (!result.ok) throw new Error(`expected success, got ${result.error.message}`);
  return result;
}

describe("transition: legal moves", () => {
  it("qualifies a new lead: new stage, stamped with now, one stage_changed event", () => {
    const result = success(transition(lead("new"), { type: "qualify", actor: system }, seed, now));
    expect(result.lead.stage).toBe("mql");
    expect(result.lead.stageEnteredAt).toBe(now);
    expect(result.events).toEqual([
      {
        type: "stage_changed",
        leadId: "lead_1",
        from: "new",
        to: "mql",
        action: "qualify",
        actor: system,
        at: now,
      },
    ]);
    expect(result.recycle).toBeUndefined();
  });

  it("accepts with full context and feedback, merging the context into the lead", () => {
    const result = success(
      transition(
        lead("mql"),
        act("accept", { context: fullContext, feedback: acceptFeedback }),
        seed,
        now,
      ),
    );
    expect(result.lead.stage).toBe("working");
    expect(result.lead.fields).toEqual({
      email: "mike@acme.co.uk",
      source: "webinar",
      ...fullContext,
    });
    expect(result.events).toEqual([
      { type: "fields_changed", leadId: "lead_1", fields: fullContext, actor: rep, at: now },
      {
        type: "stage_changed",
        leadId: "lead_1",
        from: "mql",
        to: "working",
        action: "accept",
        actor: rep,
        at: now,
        feedback: acceptFeedback,
      },
    ]);
  });

  it("records no fields_changed event when the context was already on the lead", () => {
    const ready = lead("mql", { fields: { source: "webinar", ...fullContext } });
    const result = success(
      transition(
        ready,
        act("accept", { context: { source: "webinar" }, feedback: acceptFeedback }),
        seed,
        now,
      ),
    );
    expect(result.events.map((event) => event.type)).toEqual(["stage_changed"]);
  });

  it("never changes the lead it was given", () => {
    const before = lead("mql");
    const copy = structuredClone(before);
    transition(
      before,
      act("accept", { context: fullContext, feedback: acceptFeedback }),
      seed,
      now,
    );
    expect(before).toEqual(copy);
  });

  it("rejects with an agreed reason to disqualified, recording reason and feedback", () => {
    const result = success(
      transition(
        lead("working"),
        act("reject", { reason: "wrong_persona", feedback: { next_action: "disqualify" } }),
        seed,
        now,
      ),
    );
    expect(result.lead.stage).toBe("disqualified");
    expect(result.events.at(-1)).toMatchObject({
      reason: "wrong_persona",
      feedback: { next_action: "disqualify" },
    });
    expect(result.lead.recycledUntil).toBeUndefined();
  });

  it("accepts 'other' with a note, and stores the note trimmed", () => {
    const result = success(
      transition(
        lead("mql"),
        act("reject", {
          reason: "other",
          note: "  duplicate of lead_7  ",
          feedback: { next_action: "disqualify" },
        }),
        seed,
        now,
      ),
    );
    expect(result.events.at(-1)).toMatchObject({ reason: "other", note: "duplicate of lead_7" });
  });

  it("loses an opportunity with a reason and the note the transition demands", () => {
    const result = success(
      transition(
        lead("opportunity"),
        act("lose", { reason: "price", note: "20% over budget" }),
        seed,
        now,
      ),
    );
    expect(result.lead.stage).toBe("lost");
  });

  it("wins and converts without requirements", () => {
    expect(success(transition(lead("opportunity"), act("win"), seed, now)).lead.stage).toBe("won");
    expect(success(transition(lead("sql"), act("convert"), seed, now)).lead.stage).toBe(
      "opportunity",
    );
  });

  it("accepts optional feedback on an action that does not require it", () => {
    const result = success(
      transition(
        lead("working"),
        act("convert", { feedback: { meeting_quality: "partial_fit" } }),
        seed,
        now,
      ),
    );
    expect(result.events.at(-1)).toMatchObject({ feedback: { meeting_quality: "partial_fit" } });
  });
});

describe("transition: recycling", () => {
  it("redirects a poor-timing rejection to nurture for 90 days", () => {
    const result = success(
      transition(
        lead("mql"),
        act("reject", { reason: "poor_timing", feedback: { next_action: "nurture" } }),
        seed,
        now,
      ),
    );
    const until = now + 90 * day;
    expect(result.lead.stage).toBe("nurture");
    expect(result.lead.recycledUntil).toBe(until);
    expect(result.recycle).toEqual({ rule: "timing", until });
    expect(result.events.at(-1)).toMatchObject({
      to: "nurture",
      recycle: { rule: "timing", until },
    });
  });

  it("recycles on 'rework targeting' feedback whatever the reason, for 30 days", () => {
    const result = success(
      transition(
        lead("working"),
        act("reject", { reason: "out_of_icp", feedback: { next_action: "rework_targeting" } }),
        seed,
        now,
      ),
    );
    expect(result.lead.stage).toBe("nurture");
    expect(result.recycle).toEqual({ rule: "rework", until: now + 30 * day });
  });

  it("applies the first matching rule only", () => {
    const result = success(
      transition(
        lead("mql"),
        act("reject", { reason: "poor_timing", feedback: { next_action: "rework_targeting" } }),
        seed,
        now,
      ),
    );
    expect(result.recycle?.rule).toBe("timing");
  });

  it("recycles through the explicit action with no wait when no rule matches", () => {
    const result = success(
      transition(lead("sql"), act("recycle", { reason: "no_response" }), seed, now),
    );
    expect(result.lead.stage).toBe("nurture");
    expect(result.recycle).toBeUndefined();
    expect(result.lead.recycledUntil).toBeUndefined();
  });

  it("refuses to requalify before the wait is over, and allows it from the moment it ends", () => {
    const until = now + 10 * day;
    const waiting = lead("nurture", { recycledUntil: until });
    const requalify = { type: "requalify", actor: { id: "mops_1", role: "marketing" } } as const;

    expect(refusal(transition(waiting, requalify, seed, now))).toEqual({
      code: "requalify_too_early",
      message: "the lead was recycled and may not leave 'nurture' before 2026-03-12T09:00:00.000Z",
      requirement: { kind: "wait", until },
      problems: [expect.objectContaining({ code: "requalify_too_early" })],
    });

    const result = success(transition(waiting, requalify, seed, until));
    expect(result.lead.stage).toBe("mql");
    expect("recycledUntil" in result.lead).toBe(false);
  });

  it("ignores a rule with no condition rather than recycling everything", () => {
    const rule = { id: "all", after: {}, to: "nurture", requalify_after_days: 1 };
    expect(matchRecyclingRule([rule], { action: "win" })).toBeUndefined();
  });
});

describe("transition: refusals", () => {
  it("refuses an illegal transition and lists what is allowed", () => {
    const error = refusal(transition(lead("new"), act("accept"), seed, now));
    expect(error).toEqual({
      code: "illegal_transition",
      message: "cannot accept a lead in stage 'new'; allowed actions from new: qualify",
      requirement: { kind: "transition", stage: "new", allowedActions: ["qualify"] },
      problems: [expect.objectContaining({ code: "illegal_transition" })],
    });
  });

  it("suggests the closest action for a misspelt one", () => {
    const error = refusal(transition(lead("mql"), act("acept"), seed, now));
    expect(error.message).toBe(
      "unknown action 'acept' (did you mean 'accept'?); allowed actions from mql: accept, reject",
    );
  });

  it("refuses any action on a lead in a stage the agreement does not declare", () => {
    const error = refusal(transition(lead("archived"), act("accept"), seed, now));
    expect(error.code).toBe("illegal_transition");
    expect(error.message).toContain("which the agreement does not declare");
  });

  it("refuses any action on a lead in a terminal stage", () => {
    const error = refusal(transition(lead("won"), act("lose", { reason: "price" }), seed, now));
    expect(error.code).toBe("terminal_stage");
    expect(error.message).toBe(
      "the lead is in terminal stage 'won' (Closed won); no action can move it",
    );
  });

  it("refuses a role the transition does not list: marketing cannot disposition a lead", () => {
    const marketer = { id: "mops_1", role: "marketing" } as const;
    const error = refusal(
      transition(
        lead("mql"),
        { type: "reject", actor: marketer, reason: "wrong_persona" },
        seed,
        now,
      ),
    );
    expect(error).toMatchObject({
      code: "role_not_allowed",
      message: "role 'marketing' may not reject a lead; allowed roles: rep, sales_manager",
      requirement: { kind: "role", allowedRoles: ["rep", "sales_manager"] },
    });
  });

  it("lets every role but viewer act when a transition has no 'by'", () => {
    const open = compileLifecycle({
      lifecycle: {
        initial: "new",
        stages: [
          { id: "new", label: "New" },
          { id: "done", label: "Done", terminal: true },
        ],
        transitions: [{ action: "finish", from: "new", to: "done" }],
      },
      reasons: {},
      feedback: {},
    });
    const admin = { id: "u1", role: "admin" } as const;
    const viewer = { id: "u2", role: "viewer" } as const;
    expect(transition(lead("new"), { type: "finish", actor: admin }, open, now).ok).toBe(true);
    expect(
      refusal(transition(lead("new"), { type: "finish", actor: viewer }, open, now)).code,
    ).toBe("role_not_allowed");
  });

  it("requires a reason from the agreed list", () => {
    const error = refusal(
      transition(
        lead("mql"),
        act("reject", { feedback: { next_action: "disqualify" } }),
        seed,
        now,
      ),
    );
    expect(error.code).toBe("reason_required");
    expect(error.message).toBe(
      "a rejection reason is required to reject; agreed reasons: wrong_persona, poor_timing, no_active_need, out_of_icp, active_opportunity_conflict, other",
    );
  });

  it("treats a blank reason as missing", () => {
    const error = refusal(
      transition(
        lead("mql"),
        act("reject", { reason: "  ", feedback: { next_action: "nurture" } }),
        seed,
        now,
      ),
    );
    expect(error.code).toBe("reason_required");
  });

  it("refuses a rejection outside the pre-agreed criteria", () => {
    const error = refusal(
      transition(
        lead("mql"),
        act("reject", { reason: "bad lead", feedback: { next_action: "nurture" } }),
        seed,
        now,
      ),
    );
    expect(error).toMatchObject({
      code: "unknown_reason",
      message:
        "rejection reason 'bad lead' is not one of the agreed reasons: wrong_persona, poor_timing, no_active_need, out_of_icp, active_opportunity_conflict, other",
      requirement: { kind: "reason", list: "rejection" },
    });
  });

  it("suggests the reason id when the label was typed", () => {
    const error = refusal(
      transition(
        lead("mql"),
        act("reject", { reason: "Poor timing", feedback: { next_action: "nurture" } }),
        seed,
        now,
      ),
    );
    expect(error.message).toContain("(did you mean 'poor_timing'?)");
  });

  it("refuses a reason on an action that takes none", () => {
    const error = refusal(transition(lead("sql"), act("convert", { reason: "price" }), seed, now));
    expect(error).toMatchObject({
      code: "unknown_reason",
      message: "'convert' takes no reason; remove reason 'price'",
    });
  });

  it("requires a note with reason 'other'", () => {
    const error = refusal(
      transition(
        lead("mql"),
        act("reject", { reason: "other", note: " ", feedback: { next_action: "nurture" } }),
        seed,
        now,
      ),
    );
    expect(error).toMatchObject({
      code: "note_required",
      message: "reason 'other' needs a note saying what happened",
      requirement: { kind: "note", reason: "other" },
    });
  });

  it("requires a note when the transition itself demands one", () => {
    const error = refusal(
      transition(lead("opportunity"), act("lose", { reason: "price" }), seed, now),
    );
    expect(error).toMatchObject({
      code: "note_required",
      message: "a note is required to lose",
      requirement: { kind: "note" },
    });
  });

  it("names every missing context field, counting blank values as missing", () => {
    const partial = lead("mql", {
      fields: { source: "", message_used: "  ", account_context: null },
    });
    const error = refusal(
      transition(
        partial,
        act("accept", { context: { handoff_notes: "x" }, feedback: acceptFeedback }),
        seed,
        now,
      ),
    );
    expect(error).toMatchObject({
      code: "context_missing",
      message: "handoff context is missing to accept: source, message_used, account_context",
      requirement: { kind: "context", missing: ["source", "message_used", "account_context"] },
    });
  });

  it("counts an empty list as missing context and a number or boolean as present", () => {
    const custom = compileLifecycle({
      lifecycle: {
        initial: "a",
        stages: [
          { id: "a", label: "A" },
          { id: "b", label: "B", terminal: true },
        ],
        transitions: [
          { action: "go", from: "a", to: "b", requires: { context: ["tags", "score", "flag"] } },
        ],
      },
      reasons: {},
      feedback: {},
    });
    const error = refusal(
      transition(
        lead("a", { fields: { tags: [], score: 0, flag: false } }),
        act("go"),
        custom,
        now,
      ),
    );
    expect(error.requirement).toEqual({ kind: "context", missing: ["tags"] });
    expect(
      transition(
        lead("a", { fields: { tags: ["x"], score: 0, flag: false } }),
        act("go"),
        custom,
        now,
      ).ok,
    ).toBe(true);
  });

  it("names every missing feedback field", () => {
    const error = refusal(
      transition(
        lead("mql"),
        act("accept", { context: fullContext, feedback: { message_match: " " } }),
        seed,
        now,
      ),
    );
    expect(error).toMatchObject({
      code: "feedback_missing",
      message: "feedback is required to accept: meeting_quality, message_match",
      requirement: { kind: "feedback", missing: ["meeting_quality", "message_match"] },
    });
  });

  it("refuses a feedback value outside the agreed vocabulary", () => {
    const error = refusal(
      transition(
        lead("mql"),
        act("accept", {
          context: fullContext,
          feedback: { meeting_quality: "great", message_match: "accurate" },
        }),
        seed,
        now,
      ),
    );
    expect(error).toMatchObject({
      code: "invalid_feedback_value",
      message: "meeting_quality 'great' is not one of: strong_fit, partial_fit, low_fit",
      requirement: {
        kind: "feedback_value",
        field: "meeting_quality",
        allowed: ["strong_fit", "partial_fit", "low_fit"],
      },
    });
  });

  it("refuses a feedback field the agreement does not declare", () => {
    const error = refusal(
      transition(
        lead("sql"),
        act("convert", { feedback: { meeting_qualty: "strong_fit" } }),
        seed,
        now,
      ),
    );
    expect(error.code).toBe("invalid_feedback_value");
    expect(error.message).toContain("(did you mean 'meeting_quality'?)");
  });

  it("reports every failed requirement at once", () => {
    const error = refusal(
      transition(
        lead("mql", { fields: {} }),
        act("accept", { feedback: { message_match: "vague" } }),
        seed,
        now,
      ),
    );
    expect(error.problems.map((problem) => problem.code)).toEqual([
      "context_missing",
      "feedback_missing",
      "invalid_feedback_value",
    ]);
    expect(error.code).toBe("context_missing");
    expect(error.message).toBe(
      [
        "handoff context is missing to accept: source, message_used, account_context, handoff_notes",
        "feedback is required to accept: meeting_quality",
        "message_match 'vague' is not one of: accurate, overstated, unclear",
      ].join("; "),
    );
  });

  it("reports a missing reason and missing feedback together", () => {
    const error = refusal(transition(lead("working"), act("reject"), seed, now));
    expect(error.problems.map((problem) => problem.code)).toEqual([
      "reason_required",
      "feedback_missing",
    ]);
  });
});

describe("transition: coverage of the error vocabulary", () => {
  // One case per code, so a new code without a test fails here.
  const cases: Record<TransitionErrorCode, () => ReturnType<typeof transition>> = {
    terminal_stage: () => transition(lead("lost"), act("win"), seed, now),
    illegal_transition: () => transition(lead("new"), act("win"), seed, now),
    role_not_allowed: () => transition(lead("new"), act("qualify"), seed, now),
    requalify_too_early: () =>
      transition(
        lead("nurture", { recycledUntil: now + 1 }),
        { type: "requalify", actor: system },
        seed,
        now,
      ),
    reason_required: () => transition(lead("opportunity"), act("lose", { note: "n" }), seed, now),
    unknown_reason: () =>
      transition(lead("opportunity"), act("lose", { reason: "budget", note: "n" }), seed, now),
    note_required: () => transition(lead("sql"), act("recycle", { reason: "other" }), seed, now),
    context_missing: () =>
      transition(
        lead("mql", { fields: {} }),
        act("accept", { feedback: acceptFeedback }),
        seed,
        now,
      ),
    feedback_missing: () =>
      transition(lead("mql"), act("accept", { context: fullContext }), seed, now),
    invalid_feedback_value: () =>
      transition(
        lead("sql"),
        act("convert", { feedback: { next_action: "celebrate" } }),
        seed,
        now,
      ),
  };

  it.each([...transitionErrorCodes])("produces %s", (code) => {
    expect(refusal(cases[code]()).code).toBe(code);
  });
});

describe("compileLifecycle", () => {
  const deadEnd = compileLifecycle({
    lifecycle: {
      initial: "new",
      stages: [
        { id: "new", label: "New" },
        { id: "parked", label: "Parked" },
      ],
      transitions: [
        { action: "park", from: "new", to: "parked" },
        { action: "park", from: "new", to: "new" },
      ],
    },
    reasons: {},
    feedback: {},
  });

  it("keeps the first of two transitions for one action from one stage", () => {
    expect(success(transition(lead("new"), act("park"), deadEnd, now)).lead.stage).toBe("parked");
  });

  it("says so when no action leaves a stage", () => {
    expect(refusal(transition(lead("parked"), act("park"), deadEnd, now)).message).toBe(
      "cannot park a lead in stage 'parked'; no action leaves stage 'parked'",
    );
  });
});

describe("actionsFrom", () => {
  it("lists the actions leaving a stage in declaration order", () => {
    expect(actionsFrom(seed, "working").map((t) => t.action)).toEqual([
      "reject",
      "recycle",
      "promote",
      "convert",
    ]);
    expect(actionsFrom(seed, "won")).toEqual([]);
  });
});
