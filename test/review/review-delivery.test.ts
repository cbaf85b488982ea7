import { type ChildProcess, spawn } from "node:child_process";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";
import { afterAll, describe, expect, it } from "vitest";
import { createEngine } from "../../src/app/engine.js";
import type { NotificationChannels } from "../../src/app/notifications/index.js";
import { outboxPort } from "../../src/app/notifications/outbox-port.js";
import { openDatabase } from "../../src/db/database.js";
import { migrate } from "../../src/db/migrate.js";
import { reviewTick } from "../../src/worker/review-delivery.js";
import { timerPort } from "../../src/worker/timer-port.js";
import { runWorker } from "../../src/worker/worker.js";
import { activateExample } from "../app/engine-fixture.js";
import { cliRunner } from "../cli-runner.js";
import { createTestDatabase } from "../db/test-database.js";
import {
  type HttpReceiver,
  type SmtpReceiver,
  startHttpReceiver,
  startSmtpReceiver,
  waitFor,
} from "../notifications/receivers.js";
import { freshServerStore } from "../server-store.js";

/**
 * Scheduled review packs delivered by workers to real receivers (a signed webhook, a Slack
 * stand-in, an SMTP server), once per period and review whatever the number of workers: the
 * worker and three competing generators in one process on PGlite, three `baton worker` processes on a PostgreSQL server
 * (with DATABASE_URL), where each pack is also built by one worker only. The clock is the real one: each review's latest due period is delivered
 * as soon as the workers start. The example's reviews reach 2 + 3 owner addresses.
 */

const secret = "review-delivery-secret-0123456789";
const cli = fileURLToPath(new URL("../../src/cli/main.ts", import.meta.url));
const cleanups: (() => Promise<void>)[] = [];
afterAll(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup();
});

async function receivers(): Promise<{ http: HttpReceiver; smtp: SmtpReceiver }> {
  const http = await startHttpReceiver(secret);
  const smtp = await startSmtpReceiver();
  cleanups.push(
    () => http.close(),
    () => smtp.close(),
  );
  return { http, smtp };
}

function reviewBodies(http: HttpReceiver, path: string) {
  return [...(http.accepted.get(path)?.values() ?? [])].filter(
    (body) =>
      (body as { kind?: string }).kind === "review_pack" ||
      JSON.stringify(body).includes("review_pack"),
  );
}

/** What every delivery must show: one of each per review, nothing twice. */
async function expectDeliveredOnce(http: HttpReceiver, smtp: SmtpReceiver) {
  const webhooks = reviewBodies(http, "/webhook") as {
    kind: string;
    data: { review: string; pack: { version: number; review: { id: string } } };
  }[];
  expect(webhooks.map((body) => body.data.review).sort()).toEqual([
    "forecast",
    "joint-revenue-review",
  ]);
  expect(webhooks.every((body) => body.data.pack.version === 1)).toBe(true);
  expect(reviewBodies(http, "/slack")).toHaveLength(2);
  const mails = smtp.messages.filter((mail) => mail.headers.get("baton-kind") === "review_pack");
  const addresses = mails.flatMap((mail) =>
    [mail.to].flat().flatMap((to) => to?.value.map((entry) => entry.address) ?? []),
  );
  expect(addresses.sort()).toEqual([
    "maria@acme.example",
    "riley@acme.example",
    "riley@acme.example",
    "sam@acme.example",
    "sam@acme.example",
  ]);
  // the e-mail carries the pack as its HTML part (self-contained: no script), the Markdown as text
  for (const mail of mails) {
    expect(typeof mail.html === "string" && mail.html.includes("<svg")).toBe(true);
    expect(String(mail.html)).not.toContain("<script");
    expect(mail.text ?? "").toContain("|");
  }
  // every event id once: no delivery was repeated
  const ids = http.requests
    .filter((request) => request.verdict === "duplicate")
    .map((request) => request.eventId);
  expect(ids).toEqual([]);
}

describe.skipIf(process.env.DATABASE_URL)("review delivery in one process (PGlite)", () => {
  it("the worker and competing generators deliver each review's pack once, by webhook, Slack and e-mail", async () => {
    const { http, smtp } = await receivers();
    const test = await createTestDatabase();
    cleanups.push(() => test.drop());
    const migrated = await migrate(test.db);
    if (!migrated.ok) throw new Error(migrated.error);
    const channels: NotificationChannels = {
      webhook: { url: `${http.baseUrl}/webhook`, secret },
      slack: { url: `${http.baseUrl}/slack` },
      email: { smtpUrl: smtp.url, from: "Baton <baton@baton.test>" },
    };
    const engine = createEngine({
      db: test.db,
      timers: timerPort,
      notifications: outboxPort({ channels }),
    });
    await activateExample(engine);
    const stop = new AbortController();
    // The embedded database is one process's and runs one worker (pg-boss starts once on its one
    // connection); the competing generators are direct calls of the worker's look.
    const worker = runWorker({
      engine,
      location: test.location,
      channels,
      workerId: "a",
      signal: stop.signal,
      reviews: { intervalMs: 200 },
      log: (line) => console.log(line),
    });
    const competitors = await Promise.all([1, 2, 3].map(() => reviewTick({ engine, channels })));
    try {
      await waitFor(
        "the packs at the receivers",
        () =>
          reviewBodies(http, "/webhook").length >= 2 &&
          reviewBodies(http, "/slack").length >= 2 &&
          smtp.messages.length >= 5,
        60_000,
      ).catch(async (error: Error) => {
        const rows = await test.db
          .selectFrom("notifications")
          .select(["kind", "channel", "status", "last_error"])
          .execute();
        const packs = await test.db
          .selectFrom("review_packs")
          .select(["review", "trigger"])
          .execute();
        throw new Error(
          `${error.message}: outbox ${JSON.stringify(rows)}; packs ${JSON.stringify(packs)}; http ${http.requests.length}, smtp ${smtp.messages.length}`,
        );
      });
      // several more looks by both loops find nothing left to deliver
      await new Promise((resolve) => setTimeout(resolve, 1_000));
    } finally {
      stop.abort();
      await worker;
    }
    await expectDeliveredOnce(http, smtp);
    // whoever stored a pack delivered it; together they stored each once
    expect(competitors.flatMap((tick) => tick.delivered).length).toBeLessThanOrEqual(2);
    const packs = await test.db
      .selectFrom("review_packs")
      .select("review")
      .where("trigger", "=", "schedule")
      .execute();
    expect(packs.map((row) => row.review).sort()).toEqual(["forecast", "joint-revenue-review"]);
  }, 120_000);
});

describe.skipIf(!process.env.DATABASE_URL)("review delivery by worker processes", () => {
  it("three `baton worker` processes store each review's pack once and deliver it once", async () => {
    const { http, smtp } = await receivers();
    const env: NodeJS.ProcessEnv = {};
    const store = await freshServerStore(env, "reviewworkers");
    cleanups.push(store.cleanup);
    const baton = cliRunner(env);
    expect((await baton("migrate")).code).toBe(0);
    const db = await openDatabase({ kind: "server", url: env.DATABASE_URL! });
    cleanups.push(() => db.destroy());
    const engine = createEngine({
      db,
      timers: timerPort,
      notifications: outboxPort({ channels: {} }),
    });
    await activateExample(engine);

    const workerEnv = {
      ...process.env,
      DATABASE_URL: env.DATABASE_URL,
      BATON_WEBHOOK_URL: `${http.baseUrl}/webhook`,
      BATON_WEBHOOK_SECRET: secret,
      BATON_SLACK_WEBHOOK_URL: `${http.baseUrl}/slack`,
      BATON_SMTP_URL: smtp.url,
      BATON_MAIL_FROM: "Baton <baton@baton.test>",
    };
    const children: ChildProcess[] = [];
    const built: string[] = [];
    cleanups.push(async () => {
      for (const child of children)
        if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
    });
    await Promise.all(
      [0, 1, 2].map((index) => {
        const child = spawn(
          process.execPath,
          ["--import", "tsx", cli, "worker", "--id", `w${index}`],
          {
            env: workerEnv,
            stdio: ["ignore", "ignore", "pipe"],
          },
        );
        children.push(child);
        return new Promise<void>((resolve, reject) => {
          createInterface({ input: child.stderr! }).on("line", (line) => {
            if (line.startsWith("baton worker on")) resolve();
            if (line.startsWith("review pack ")) built.push(`w${index}: ${line}`);
          });
          child.once("exit", (code) => reject(new Error(`worker ${index} exited (${code})`)));
        });
      }),
    );
    await waitFor(
      "the packs at the receivers",
      () =>
        reviewBodies(http, "/webhook").length >= 2 &&
        reviewBodies(http, "/slack").length >= 2 &&
        smtp.messages.length >= 5,
      60_000,
    );
    await new Promise((resolve) => setTimeout(resolve, 2_000));
    await Promise.all(
      children.map(
        (child) =>
          new Promise<void>((resolve) => {
            if (child.exitCode !== null) return resolve();
            child.once("exit", () => resolve());
            child.kill("SIGTERM");
          }),
      ),
    );
    await expectDeliveredOnce(http, smtp);
    const packs = await db
      .selectFrom("review_packs")
      .select("review")
      .where("trigger", "=", "schedule")
      .execute();
    expect(packs.map((row) => row.review).sort()).toEqual(["forecast", "joint-revenue-review"]);
    // each pack was built by one worker: the others found its period locked, then stored
    expect(built.map((line) => line.split(" ")[3]).sort(), built.join("\n")).toEqual([
      "forecast",
      "joint-revenue-review",
    ]);
    const outbox = await db
      .selectFrom("notifications")
      .select("channel")
      .where("kind", "=", "review_pack")
      .execute();
    expect(outbox).toHaveLength(2 + 2 + 5);
  }, 120_000);
});
