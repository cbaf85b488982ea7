import { execFile } from "node:child_process";
import { writeFileSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, expect, it } from "vitest";
import { signWebhook } from "../../src/app/notifications/webhook-signature.js";
import { type HttpReceiver, startHttpReceiver, waitFor } from "../notifications/receivers.js";
import { freshServerStore, type ServedBaton, startServe } from "../server-store.js";

/**
 * Baton as it runs: the `baton serve` process (API and worker) on the PostgreSQL server
 * (or an embedded data folder when DATABASE_URL is unset), a lead arriving by the signed form
 * webhook, its
 * marketing-qualification clock (cut to one minute) warning and breaching on the server's own
 * clock with nobody looking, and the breach escalation reaching a real HTTP receiver, signed.
 */

const root = new URL("../../", import.meta.url).pathname;
// from source through tsx, so `npm test` needs no build first
const cli = ["--import", "tsx", join(root, "src/cli/main.ts")];
const run = promisify(execFile);
const secret = "end-to-end-webhook-secret";
const password = "end to end password";
const leadSecret = "end-to-end-lead-webhook-secret";

let receiver: HttpReceiver;
let server: ServedBaton | undefined;
let env: NodeJS.ProcessEnv;
let baseUrl: string;
let cleanup: () => Promise<void> = async () => {};

async function oneMinuteAgreement(): Promise<string> {
  const example = await readFile(join(root, "examples/agreement.yaml"), "utf8");
  const yaml = example.replace(
    "- { id: within-60-minutes, target_minutes: 60, calendar: always }",
    "- { id: within-a-minute, target_minutes: 1, calendar: always }",
  );
  if (yaml === example) throw new Error("the example agreement changed; update this test's edit");
  return yaml;
}

beforeAll(async () => {
  receiver = await startHttpReceiver(secret);
  const _base = process.env.DATABASE_URL;
  env = {
    PATH: process.env.PATH,
    BATON_WEBHOOK_URL: `${receiver.baseUrl}/webhook`,
    BATON_WEBHOOK_SECRET: secret,
    BATON_LOG_LEVEL: "warn",
    BATON_LEAD_WEBHOOK_SECRET: leadSecret,
  };
  const store = await freshServerStore(env, "e2e");
  const folder = store.folder;
  cleanup = store.cleanup;
  const baton = (...args: string[]) => run(process.execPath, [...cli, ...args], { env, cwd: root });
  const agreementFile = join(folder, "agreement.yaml");
  writeFileSync(agreementFile, await oneMinuteAgreement());
  await baton("migrate");
  await baton("agreement", "propose", agreementFile, "--by", "riley");
  await baton("agreement", "approve", "1", "--by", "maria");
  await baton("agreement", "activate", "1", "--by", "sam", "--mode", "new_cycles_only");
  await baton(
    "users",
    "create",
    "riley",
    "--role",
    "admin",
    "--person",
    "riley",
    "--password",
    password,
  );

  server = await startServe(cli, env, root);
  baseUrl = server.baseUrl;
}, 120_000);

afterAll(async () => {
  await server?.stop();
  await receiver?.close();
  await cleanup();
});

it("takes a lead from the form webhook and delivers its breach escalation without anyone looking", async () => {
  const signedIn = await fetch(`${baseUrl}/api/session`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ user: "riley", password }),
  });
  expect(signedIn.status).toBe(200);
  const cookie = signedIn.headers.get("set-cookie")!.split(";")[0]!;

  // the form's webhook, signed with the shared secret
  const submitted = Date.now();
  const raw = JSON.stringify({
    system: "web-form",
    externalId: "e2e-1",
    fields: { email: "kim@smallshop.example", first_name: "Kim", country: "DE", source: "website" },
  });
  const timestamp = Math.floor(submitted / 1000);
  const created = await fetch(`${baseUrl}/api/webhooks/leads`, {
    method: "POST",
    headers: {
      "content-type": "application/json",
      "baton-timestamp": String(timestamp),
      "baton-signature": signWebhook(leadSecret, timestamp, raw),
    },
    body: raw,
  });
  expect(created.status).toBe(201);
  const lead = (await created.json()) as { leadId: string; stage: string };
  expect(lead.stage).toBe("new");

  // the one-minute goal breaches at submitted + 60 s; the escalation notifies the manager
  await waitFor(
    "the breach escalation at the receiver",
    () =>
      receiver.requests.some(
        (request) =>
          request.verdict === "accepted" &&
          request.body.includes(lead.leadId) &&
          request.body.includes('"trigger":"breach"'),
      ),
    100_000,
  ).catch((error: Error) => {
    throw new Error(
      `${error.message}; received: ${receiver.requests.map((request) => `${request.verdict} ${request.body.slice(0, 200)}`).join(" | ")}; server: ${server?.log().slice(-2000)}`,
    );
  });
  const breach = receiver.requests.find(
    (request) =>
      request.verdict === "accepted" &&
      request.body.includes(lead.leadId) &&
      request.body.includes('"trigger":"breach"'),
  )!;
  expect(breach.at - submitted).toBeGreaterThanOrEqual(60_000);
  expect(breach.headers["baton-signature"]).toMatch(/^v1=[0-9a-f]{64}$/);

  const detail = await fetch(`${baseUrl}/api/leads/${lead.leadId}`, { headers: { cookie } });
  const body = (await detail.json()) as {
    clocks: { step: string; state: string; breachRecordedAt: string | null }[];
  };
  const clock = body.clocks.find((candidate) => candidate.step === "mql-qualification")!;
  expect(clock.state).toBe("breached-open");
  const recorded = Date.parse(clock.breachRecordedAt!);
  expect(recorded - (submitted + 60_000)).toBeLessThan(5_000);
  // the warnings came first, on the way to the breach
  const events = await fetch(`${baseUrl}/api/leads/${lead.leadId}/events`, { headers: { cookie } });
  const types = ((await events.json()) as { items: { type: string; data: unknown }[] }).items.map(
    (event) =>
      `${event.type}${event.type === "clock.event" ? `:${JSON.stringify(event.data).match(/"type":"(\w+)"/)?.[1]}` : ""}`,
  );
  expect(types).toContain("lead.escalated");
  expect(types.filter((type) => type.startsWith("clock.event"))).toEqual(
    expect.arrayContaining(["clock.event:start", "clock.event:warn", "clock.event:breach"]),
  );
}, 150_000);
