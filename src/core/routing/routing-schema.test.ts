import { describe, expect, it } from "vitest";
import { z } from "zod";
import { type poolSchema, type Routing, referencedReps, routingSchema } from "./routing-schema.js";

/** A routing section as written in the file, before defaults. */
type RoutingFile = z.input<typeof routingSchema>;
type PoolFile = z.input<typeof poolSchema>;

/** The example from the agreement docs, as parsed YAML. */
function exampleRouting(): RoutingFile {
  return {
    rules: [
      { id: "named-accounts", when: "has(account.owner)", to: { account_owner: true } },
      {
        id: "enterprise-na",
        when: 'company.employees >= 1000 && lead.country in ["US", "CA"]',
        to: { pool: "enterprise-na" },
      },
      { id: "strategic", when: 'company.tier == "strategic"', to: { owner: "alex" } },
    ],
    pools: {
      "enterprise-na": {
        strategy: "round_robin",
        members: [
          { rep: "alex", weight: 2, cap: 30 },
          { rep: "blair" },
          { rep: "casey", weight: 1 },
        ],
        cap: 40,
        working_hours: "required",
        catch_up: false,
        overflow: { queue: "sdr-queue" },
      },
    },
    queues: { "sdr-queue": { team: "sdr" } },
    fallback: { queue: "sdr-queue" },
  };
}

/** Issues as "path: message" so a failing test shows what was reported. */
function issuesOf(routing: unknown): { path: string; message: string }[] {
  const result = routingSchema.safeParse(routing);
  if (result.success) return [];
  return result.error.issues.map((issue) => ({
    path: issue.path.join("."),
    message: issue.message,
  }));
}

function edit(change: (routing: RoutingFile, pool: PoolFile) => void): RoutingFile {
  const routing = exampleRouting();
  change(routing, routing.pools!["enterprise-na"]!);
  return routing;
}

describe("routingSchema", () => {
  it("accepts the documented example", () => {
    expect(issuesOf(exampleRouting())).toEqual([]);
  });

  it("refuses unknown keys (strict objects)", () => {
    const issues = issuesOf(
      edit((_routing, pool) => Object.assign(pool, { stratgy: "round_robin" })),
    );
    expect(issues.map((issue) => issue.path)).toContain("pools.enterprise-na");
  });

  it("names unknown pools and queues where they are referenced, with a suggestion", () => {
    const issues = issuesOf(
      edit((routing, pool) => {
        routing.rules[1]!.to = { pool: "enterprise-n" };
        routing.fallback = { queue: "sdr-queu" };
        pool.overflow = { queue: "nowhere" };
      }),
    );
    expect(issues).toContainEqual({
      path: "rules.1.to.pool",
      message:
        "unknown pool 'enterprise-n'; declared pools: enterprise-na. Did you mean 'enterprise-na'?",
    });
    expect(issues.find((issue) => issue.path === "fallback.queue")?.message).toContain(
      "Did you mean 'sdr-queue'?",
    );
    expect(
      issues.find((issue) => issue.path === "pools.enterprise-na.overflow.queue")?.message,
    ).toContain("unknown queue 'nowhere'");
  });

  it("refuses duplicate rule ids at the second one", () => {
    const issues = issuesOf(edit((routing) => (routing.rules[2]!.id = "named-accounts")));
    expect(issues).toHaveLength(1);
    expect(issues[0]!.path).toBe("rules.2.id");
    expect(issues[0]!.message).toContain("duplicate rule id 'named-accounts' (also rules[0])");
  });

  it("refuses weights of 0 or less and caps below 1, at the field", () => {
    const issues = issuesOf(
      edit((_routing, pool) => {
        pool.members[1]!.weight = 0;
        pool.members[0]!.cap = 0;
        pool.cap = 2.5;
      }),
    );
    expect(issues.map((issue) => issue.path).sort()).toEqual([
      "pools.enterprise-na.cap",
      "pools.enterprise-na.members.0.cap",
      "pools.enterprise-na.members.1.weight",
    ]);
    expect(issues.find((issue) => issue.path.endsWith("weight"))?.message).toContain(
      "greater than 0",
    );
  });

  it("refuses a pool with no members and a rep listed twice", () => {
    const empty = issuesOf(edit((_routing, pool) => (pool.members = [])));
    expect(empty).toEqual([
      { path: "pools.enterprise-na.members", message: expect.stringContaining("has no members") },
    ]);
    const twice = issuesOf(edit((_routing, pool) => pool.members.push({ rep: "alex" })));
    expect(twice).toEqual([
      {
        path: "pools.enterprise-na.members.3.rep",
        message: expect.stringContaining("alex is listed twice"),
      },
    ]);
  });

  it("refuses a fallback pool without overflow and says how to fix it", () => {
    const issues = issuesOf(
      edit((routing, pool) => {
        routing.fallback = { pool: "enterprise-na" };
        delete pool.overflow;
      }),
    );
    expect(issues).toEqual([
      {
        path: "fallback.pool",
        message:
          "fallback pool 'enterprise-na' can leave a lead unassigned when every member is at cap or away; add `overflow: { queue: … }` to pool 'enterprise-na' or make the fallback a queue",
      },
    ]);
    expect(issuesOf(edit((routing) => (routing.fallback = { pool: "enterprise-na" })))).toEqual([]);
  });

  it("refuses fallbacks that can be empty: capped or hours-bound owners, the account owner", () => {
    expect(
      issuesOf(edit((routing) => (routing.fallback = { owner: "riley", cap: 5 })))[0]?.path,
    ).toBe("fallback.cap");
    expect(
      issuesOf(
        edit((routing) => (routing.fallback = { owner: "riley", working_hours: "required" })),
      )[0]?.path,
    ).toBe("fallback.working_hours");
    expect(issuesOf(edit((routing) => (routing.fallback = { account_owner: true })))[0]?.path).toBe(
      "fallback.account_owner",
    );
    expect(issuesOf(edit((routing) => (routing.fallback = { owner: "riley" })))).toEqual([]);
  });

  it("refuses rules hidden behind an unconditional rule that always assigns", () => {
    const issues = issuesOf(
      edit((routing) => routing.rules.splice(1, 0, { id: "everyone", to: { queue: "sdr-queue" } })),
    );
    expect(issues.map((issue) => issue.path)).toEqual(["rules.2.id", "rules.3.id"]);
    expect(issues[0]!.message).toContain(
      "rule 'enterprise-na' can never apply: rule 'everyone' before it",
    );
    // A named owner can be away, so rules after an unconditional owner rule stay reachable.
    expect(
      issuesOf(
        edit((routing) => routing.rules.splice(1, 0, { id: "riley", to: { owner: "riley" } })),
      ),
    ).toEqual([]);
  });

  it("refuses catch-up on a fewest-assigned pool", () => {
    const issues = issuesOf(
      edit((_routing, pool) => {
        pool.strategy = "fewest_assigned";
        pool.catch_up = true;
      }),
    );
    expect(issues.map((issue) => issue.path)).toEqual(["pools.enterprise-na.catch_up"]);
  });

  it("reports paths from the document root when nested in the agreement", () => {
    const agreement = z.strictObject({ routing: routingSchema });
    const result = agreement.safeParse({
      routing: edit((routing) => (routing.rules[1]!.to = { pool: "x" })),
    });
    expect(result.success).toBe(false);
    expect(result.error?.issues[0]?.path).toEqual(["routing", "rules", 1, "to", "pool"]);
  });
});

describe("referencedReps", () => {
  it("lists every rep the routing names, with where", () => {
    const routing = routingSchema.parse(
      edit((routing, pool) => {
        pool.overflow = { owner: "morgan" };
        routing.fallback = { owner: "riley" };
      }),
    ) satisfies Routing;
    expect(referencedReps(routing)).toEqual([
      { rep: "alex", path: ["rules", 2, "to", "owner"] },
      { rep: "alex", path: ["pools", "enterprise-na", "members", 0, "rep"] },
      { rep: "blair", path: ["pools", "enterprise-na", "members", 1, "rep"] },
      { rep: "casey", path: ["pools", "enterprise-na", "members", 2, "rep"] },
      { rep: "morgan", path: ["pools", "enterprise-na", "overflow", "owner"] },
      { rep: "riley", path: ["fallback", "owner"] },
    ]);
  });
});
