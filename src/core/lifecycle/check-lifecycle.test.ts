import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { z } from "zod";
import { checkLifecycle } from "./check-lifecycle.js";
import {
  feedbackSchema,
  type LifecycleSections,
  lifecycleSchema,
  reasonsSchema,
  recyclingSchema,
} from "./lifecycle-schema.js";

const sectionsSchema = z.strictObject({
  lifecycle: lifecycleSchema,
  reasons: reasonsSchema,
  feedback: feedbackSchema,
  recycling: recyclingSchema.optional(),
});
const fixtureText = readFileSync(new URL("./lifecycle.fixture.yaml", import.meta.url), "utf8");
const declaredLeadFields = ["message_used", "account_context", "handoff_notes"];

/** A fresh copy of the seeds' sections, edited by `change` before it is checked. */
function check(change: (sections: LifecycleSections) => void = () => {}) {
  const sections = sectionsSchema.parse(parse(fixtureText));
  change(sections);
  return checkLifecycle(sections, declaredLeadFields);
}

function errorsOf(issues: ReturnType<typeof check>) {
  return issues.filter((issue) => issue.severity === "error");
}

describe("lifecycle schema", () => {
  it("reads the seeds' sections as written", () => {
    const sections = sectionsSchema.parse(parse(fixtureText));
    expect(sections.lifecycle.stages).toHaveLength(9);
    expect(sections.lifecycle.transitions[2]?.from).toEqual(["mql", "working"]);
    expect(sections.reasons.rejection?.find((r) => r.id === "other")?.note_required).toBe(true);
    expect(sections.recycling?.[1]?.after.feedback).toEqual({ next_action: "rework_targeting" });
  });

  it("rejects unknown keys anywhere, so a misspelt setting is never ignored", () => {
    const data = parse(fixtureText);
    data.lifecycle.transitions[0].too = "mql";
    data.reasons.rejection[5].note_requird = true;
    data.recycling[0].requalify_after = 90;
    const result = sectionsSchema.safeParse(data);
    expect(result.success).toBe(false);
    const paths = result.error?.issues.map((issue) => issue.path.join(".")) ?? [];
    expect(paths).toEqual(
      expect.arrayContaining(["lifecycle.transitions.0", "reasons.rejection.5", "recycling.0"]),
    );
  });

  it("rejects an unknown role and a malformed id", () => {
    const data = parse(fixtureText);
    data.lifecycle.transitions[0].by = ["system", "intern"];
    data.lifecycle.stages[0].id = "New Lead";
    const result = sectionsSchema.safeParse(data);
    const paths = result.error?.issues.map((issue) => issue.path.join(".")) ?? [];
    expect(paths).toEqual(
      expect.arrayContaining(["lifecycle.transitions.0.by.1", "lifecycle.stages.0.id"]),
    );
  });
});

describe("checkLifecycle", () => {
  it("finds nothing wrong with the seeds' lifecycle", () => {
    expect(check()).toEqual([]);
  });

  it("names an unknown stage in 'to' with a did-you-mean, at the node to fix", () => {
    const issues = check((s) => {
      s.lifecycle.transitions[2]!.to = "disqualifed";
    });
    expect(errorsOf(issues)).toContainEqual(
      expect.objectContaining({
        code: "reference",
        path: ["lifecycle", "transitions", 2, "to"],
        message: expect.stringContaining("unknown stage 'disqualifed'"),
      }),
    );
    expect(issues[0]?.message).toContain("Did you mean 'disqualified'?");
  });

  it("points at the list item when one of several 'from' stages is unknown", () => {
    const issues = check((s) => {
      s.lifecycle.transitions[2]!.from = ["mql", "workng"];
    });
    expect(issues).toContainEqual(
      expect.objectContaining({
        path: ["lifecycle", "transitions", 2, "from", 1],
        message: expect.stringContaining("Did you mean 'working'?"),
      }),
    );
  });

  it("points at a single unknown 'from' stage", () => {
    const issues = check((s) => {
      s.lifecycle.transitions[0]!.from = "neww";
    });
    expect(issues).toContainEqual(
      expect.objectContaining({ path: ["lifecycle", "transitions", 0, "from"] }),
    );
  });

  it("flags an unknown initial stage", () => {
    const issues = check((s) => {
      s.lifecycle.initial = "fresh";
    });
    expect(issues).toContainEqual(
      expect.objectContaining({
        severity: "error",
        path: ["lifecycle", "initial"],
        message: expect.stringContaining("unknown stage 'fresh'"),
      }),
    );
  });

  it("flags a stage no path reaches, and says how to fix it", () => {
    const issues = check((s) => {
      s.lifecycle.stages.push({ id: "archived", label: "Archived", terminal: true });
    });
    expect(issues).toEqual([
      {
        severity: "error",
        code: "lifecycle",
        path: ["lifecycle", "stages", 9],
        message: "stage 'archived' cannot be reached from the initial stage 'new'",
        hint: "add a transition to 'archived', or remove the stage",
      },
    ]);
  });

  it("counts a recycling rule's redirect as a way into its stage", () => {
    // Without the explicit recycle action, nurture is still reached: a poor-timing rejection
    // is redirected there by the 'timing' rule.
    const issues = check((s) => {
      s.lifecycle.transitions.splice(3, 1);
      delete s.reasons.recycle;
      s.recycling = s.recycling?.filter((rule) => rule.id !== "later");
    });
    expect(issues.filter((issue) => issue.message.includes("cannot be reached"))).toEqual([]);
  });

  it("warns about a non-terminal stage with no way out", () => {
    const issues = check((s) => {
      s.lifecycle.transitions[3]!.from = ["working", "sql"];
    });
    expect(issues).toEqual([
      expect.objectContaining({
        severity: "warning",
        path: ["lifecycle", "stages", 7],
        message: expect.stringContaining("stage 'disqualified' is not terminal"),
      }),
    ]);
  });

  it("refuses two transitions for the same action from the same stage", () => {
    const issues = check((s) => {
      s.lifecycle.transitions.push({ action: "reject", from: "working", to: "nurture" });
    });
    expect(issues).toContainEqual(
      expect.objectContaining({
        code: "lifecycle",
        path: ["lifecycle", "transitions", 9, "from"],
        message: "action 'reject' from 'working' is already declared at lifecycle.transitions[2]",
      }),
    );
  });

  it("refuses a transition out of a terminal stage", () => {
    const issues = check((s) => {
      s.lifecycle.transitions.push({ action: "reopen", from: "lost", to: "opportunity" });
    });
    expect(errorsOf(issues)).toEqual([
      expect.objectContaining({
        path: ["lifecycle", "transitions", 9, "from"],
        message: "stage 'lost' is terminal, so no action may leave it",
      }),
    ]);
  });

  it("refuses viewers in 'by'", () => {
    const issues = check((s) => {
      s.lifecycle.transitions[0]!.by = ["system", "viewer"];
    });
    expect(issues).toEqual([
      expect.objectContaining({ path: ["lifecycle", "transitions", 0, "by", 1] }),
    ]);
  });

  it("flags a reason list that is not declared", () => {
    const issues = check((s) => {
      s.lifecycle.transitions[2]!.requires!.reason = "rejections";
    });
    expect(errorsOf(issues)).toContainEqual(
      expect.objectContaining({
        path: ["lifecycle", "transitions", 2, "requires", "reason"],
        message: expect.stringContaining("unknown reason list 'rejections'"),
      }),
    );
  });

  it("flags feedback fields that are not declared", () => {
    const issues = check((s) => {
      s.lifecycle.transitions[1]!.requires!.feedback = ["meeting_quality", "mesage_match"];
    });
    expect(issues).toEqual([
      expect.objectContaining({
        path: ["lifecycle", "transitions", 1, "requires", "feedback", 1],
        message: expect.stringContaining("Did you mean 'message_match'?"),
      }),
    ]);
  });

  it("flags context fields that are neither built in nor declared", () => {
    const issues = checkLifecycle(sectionsSchema.parse(parse(fixtureText)), []);
    expect(issues.map((issue) => issue.path)).toEqual([
      ["lifecycle", "transitions", 1, "requires", "context", 1],
      ["lifecycle", "transitions", 1, "requires", "context", 2],
      ["lifecycle", "transitions", 1, "requires", "context", 3],
    ]);
    // `source` is a built-in lead field, so it is never reported.
    expect(issues[0]?.message).toContain("unknown lead field 'message_used'");
  });

  it("flags a recycling destination that is not a stage, or is terminal", () => {
    const issues = check((s) => {
      s.recycling![0]!.to = "nurtur";
      s.recycling![1]!.to = "lost";
    });
    expect(errorsOf(issues)).toEqual([
      expect.objectContaining({
        path: ["recycling", 0, "to"],
        message: expect.stringContaining("Did you mean 'nurture'?"),
      }),
      expect.objectContaining({
        path: ["recycling", 1, "to"],
        message: "stage 'lost' is terminal, so a recycled lead could never qualify again",
      }),
    ]);
  });

  it("flags a recycling reason that is not in the action's reason list", () => {
    const issues = check((s) => {
      s.recycling![0]!.after.reasons = ["poor_timing", "bad_timing"];
    });
    expect(issues).toEqual([
      expect.objectContaining({
        code: "reference",
        path: ["recycling", 0, "after", "reasons", 1],
        message: expect.stringContaining(
          "unknown reason 'bad_timing'; reasons in the rejection list",
        ),
      }),
    ]);
  });

  it("flags recycling reasons on an action that takes no reason", () => {
    const issues = check((s) => {
      s.recycling![0]!.after = { action: "convert", reasons: ["poor_timing"] };
    });
    expect(issues).toEqual([
      expect.objectContaining({
        path: ["recycling", 0, "after", "reasons"],
        message: "action 'convert' takes no reason, so 'reasons' can never match",
      }),
    ]);
  });

  it("checks recycling reasons against every list when the rule names no action", () => {
    const issues = check((s) => {
      s.recycling![0]!.after = { reasons: ["not_now", "price", "nope"] };
    });
    expect(issues).toEqual([
      expect.objectContaining({ path: ["recycling", 0, "after", "reasons", 2] }),
    ]);
  });

  it("flags an unknown action, feedback field or feedback value in a recycling rule", () => {
    const issues = check((s) => {
      s.recycling![0]!.after.action = "rejct";
      s.recycling![1]!.after.feedback = { next_acton: "nurture" };
      s.recycling![2]!.after = { feedback: { next_action: ["nurture", "rework"] } };
    });
    expect(issues.map((issue) => issue.path)).toEqual([
      ["recycling", 0, "after", "action"],
      ["recycling", 1, "after", "feedback", "next_acton"],
      ["recycling", 2, "after", "feedback", "next_action", 1],
    ]);
    expect(issues[0]?.message).toContain("Did you mean 'reject'?");
  });

  it("points at a single unknown feedback value in a recycling rule", () => {
    const issues = check((s) => {
      s.recycling![1]!.after.feedback = { next_action: "rework" };
    });
    expect(issues.map((issue) => issue.path)).toEqual([
      ["recycling", 1, "after", "feedback", "next_action"],
    ]);
  });

  it("refuses a recycling rule with no condition", () => {
    const issues = check((s) => {
      s.recycling![1]!.after = {};
    });
    expect(issues).toEqual([
      expect.objectContaining({
        path: ["recycling", 1, "after"],
        message: "a recycling rule needs at least one condition (action, reasons or feedback)",
      }),
    ]);
  });

  it("flags repeated ids: stages, reasons, feedback values, recycling rules", () => {
    const issues = check((s) => {
      s.lifecycle.stages.push({ id: "mql", label: "Again" });
      s.reasons.loss!.push({ id: "price", label: "Price again" });
      s.feedback.message_match!.values.push("accurate");
      s.recycling!.push({
        id: "timing",
        after: { action: "lose" },
        to: "nurture",
        requalify_after_days: 1,
      });
    });
    expect(errorsOf(issues).map((issue) => [issue.code, issue.path])).toEqual([
      ["duplicate", ["lifecycle", "stages", 9, "id"]],
      ["duplicate", ["reasons", "loss", 3, "id"]],
      ["duplicate", ["feedback", "message_match", "values", 3]],
      ["duplicate", ["recycling", 3, "id"]],
    ]);
  });

  it("warns about a reason list no transition requires", () => {
    const issues = check((s) => {
      s.reasons.churn = [{ id: "budget", label: "Budget" }];
    });
    expect(issues).toEqual([
      expect.objectContaining({ severity: "warning", path: ["reasons", "churn"] }),
    ]);
  });

  it("reports every problem in one pass", () => {
    const issues = check((s) => {
      s.lifecycle.initial = "fresh";
      s.lifecycle.transitions[0]!.to = "mqll";
      s.lifecycle.transitions[2]!.requires!.reason = "nope";
      s.recycling![0]!.to = "nowhere";
    });
    expect(errorsOf(issues).map((issue) => issue.path)).toEqual([
      ["lifecycle", "initial"],
      ["lifecycle", "transitions", 0, "to"],
      ["lifecycle", "transitions", 2, "requires", "reason"],
      ["recycling", 0, "to"],
    ]);
  });
});
