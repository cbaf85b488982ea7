import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { beforeAll, expect, it } from "vitest";
import { ingestLead } from "../src/app/ingest.js";
import { actOnLead } from "../src/app/lead-actions.js";
import { exitCodes } from "../src/cli/exit-codes.js";
import { openStore } from "../src/cli/open-store.js";
import { cliRunner } from "./cli-runner.js";

/**
 * `baton plan` on an embedded data folder: the agreement is activated through the CLI; four hot
 * website leads arrive through the engine; L1 and L2 are accepted, sales-qualified and
 * converted; L1 is won at 50,000 and L2 lost. Rates over the default 180 days: MQL→SQL 2/4,
 * SQL→opportunity 2/2, win rate 1/2, deal size 50,000. A target of 1,000,000 needs 20 won,
 * 40 opportunities, 40 SQLs and 80 MQLs.
 */
const root = new URL("../", import.meta.url).pathname;
const example = join(root, "examples/agreement.yaml");
const env = { BATON_DATA_DIR: mkdtempSync(join(tmpdir(), "baton-plan-cli-")) };
const baton = cliRunner(env);

beforeAll(async () => {
  expect((await baton("agreement", "propose", example, "--by", "riley")).code).toBe(0);
  expect((await baton("agreement", "approve", "1", "--by", "maria")).code).toBe(0);
  expect(
    (await baton("agreement", "approve", "1", "--by", "sam", "--mode", "new_cycles_only")).code,
  ).toBe(0);
  const store = await openStore(env);
  try {
    const engine = store.engine;
    const leads: { id: string; owner: string }[] = [];
    for (let serial = 1; serial <= 4; serial += 1) {
      const result = await ingestLead(
        engine,
        {
          fields: {
            email: `buyer${serial}@plan${serial}.com`,
            country: "US",
            persona_match: true,
            source: "website",
          },
          company: { name: `Plan ${serial}`, employees: 500, industry: "software" },
          activities: [{ type: "form_submit", at: Date.now() - 60_000, fields: { form: "demo" } }],
        },
        { actor: "api:test" },
      );
      if (!result.ok || result.stage !== "mql") throw new Error(`lead ${serial} did not qualify`);
      leads.push({ id: result.leadId, owner: result.owner?.id ?? "" });
    }
    const act = async (index: number, action: Record<string, unknown>, extra = {}) => {
      const lead = leads[index]!;
      const done = await actOnLead(engine, {
        leadId: lead.id,
        action: { actor: { id: lead.owner, role: "rep" }, ...action } as never,
        ...extra,
      });
      if (!done.ok) throw new Error(done.error.message);
    };
    for (const index of [0, 1]) {
      await act(index, {
        type: "accept",
        context: { message_used: "pricing angle", account_context: "expanding EU team" },
        feedback: { meeting_quality: "strong_fit", message_match: "accurate" },
      });
      await act(index, { type: "qualify_sales" });
      await act(
        index,
        { type: "convert" },
        { opportunity: { stage: "discovery", amount: 50_000 } },
      );
    }
    await act(0, { type: "win" }, { amount: 50_000 });
    await act(1, { type: "lose", reason: "price" });
  } finally {
    await store.close();
  }
}, 60_000);

it("prints the funnel back from the target, the rates behind it and each lever's worth", async () => {
  const printed = await baton("plan", "--target", "1,000,000", "--period", "next-quarter");
  expect(printed.code, printed.stderr).toBe(exitCodes.ok);
  const text = printed.stdout;
  expect(text).toMatch(/^Plan · target 1,000,000 · next-quarter: \d{4}-\d\d-01 to \d{4}-\d\d-01 /);
  expect(text).toMatch(/^ {2}MQL→SQL\s+50\.0 %\s+\(2\/4\)\s+mql-to-sql rate$/m);
  expect(text).toMatch(/^ {2}SQL→opportunity\s+100\.0 %\s+\(2\/2\)/m);
  expect(text).toMatch(/^ {2}win rate\s+50\.0 %\s+\(1\/2\)/m);
  expect(text).toMatch(/^ {2}mean deal size\s+50,000\s+deal-quality mean-won-amount$/m);
  expect(text).toMatch(/^won deals\s+20\s/m);
  expect(text).toMatch(/^opportunities\s+40\s/m);
  expect(text).toMatch(/^SQLs\s+40\s/m);
  expect(text).toMatch(/^MQLs\s+80\s/m);
  expect(text).toContain("What each lever is worth");
  expect(text).toMatch(/^MQL→SQL\s+\+5 points\s+50\.0 %\s+55\.0 %/m);
  expect(text).toMatch(/^mean deal size\s+\+5 %\s+50,000\s+52,500/m);
});

it("prints JSON with the per-week needs and a breakdown by source", async () => {
  const printed = await baton(
    "plan",
    "--target",
    "1000000",
    "--period",
    "next-quarter",
    "--trailing-days",
    "90",
    "--by",
    "source",
    "--json",
  );
  expect(printed.code, printed.stderr).toBe(0);
  const answer = JSON.parse(printed.stdout) as {
    ok: true;
    plan: {
      trailingDays: number;
      plan: {
        stages: { stage: string; needed: number; neededPerWeek: number }[];
        period: { weekCount: number };
      };
      groups: { key: string; share: number }[];
    };
  };
  expect(answer.plan.trailingDays).toBe(90);
  const mqls = answer.plan.plan.stages.find((stage) => stage.stage === "mqls")!;
  expect(mqls.needed).toBeCloseTo(80);
  expect(mqls.neededPerWeek).toBeCloseTo(80 / answer.plan.plan.period.weekCount);
  // one source: it carries the whole target
  expect(answer.plan.groups).toMatchObject([{ key: "website", share: 1 }]);
});

it("refuses bad flags with the usage exit code and says what to give", async () => {
  const target = await baton("plan", "--target", "lots", "--period", "next-quarter");
  expect(target.code).toBe(exitCodes.usage);
  expect(target.stderr).toContain("--target 'lots' is not a positive amount");
  const period = await baton("plan", "--target", "1000", "--period", "last-year");
  expect(period.code).toBe(exitCodes.usage);
  expect(period.stderr).toContain("period 'last-year' is not one Baton plans");
  const ended = await baton("plan", "--target", "1000", "--period", "2020-01-01..2020-04-01");
  expect(ended.code).toBe(exitCodes.usage);
  expect(ended.stderr).toContain("has ended");
  const by = await baton("plan", "--target", "1000", "--period", "next-month", "--by", "owner");
  expect(by.code).toBe(exitCodes.usage);
  expect(by.stderr).toContain("--by 'owner' is not a plan breakdown");
  const days = await baton(
    "plan",
    "--target",
    "1000",
    "--period",
    "next-month",
    "--trailing-days",
    "-3",
  );
  expect(days.code).toBe(exitCodes.usage);
  expect(days.stderr).toContain("--trailing-days '-3'");
  const missing = await baton("plan", "--period", "next-month");
  expect(missing.code).toBe(exitCodes.usage);
  expect(missing.stderr).toContain("--target");
});
