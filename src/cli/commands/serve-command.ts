import type { Command } from "commander";
import { bootstrapAdmin } from "../../app/access/bootstrap.js";
import { demoPassword, describeDemoUsers } from "../../app/access/demo-users.js";
import { IngestQueue } from "../../app/ingest-queue.js";
import { overview } from "../../app/overview.js";
import { startLiveArrivals } from "../../app/seed-demo.js";
import type { Role } from "../../core/access/permissions.js";
import { buildApp } from "../../http/app.js";
import {
  type WebhookSettings,
  webhookSettingsFromEnvironment,
} from "../../http/routes/webhook-routes.js";
import { runWorker } from "../../worker/worker.js";
import { seedDemoStore } from "../demo-store.js";
import { CliError, exitCodes } from "../exit-codes.js";
import type { CliIo } from "../io.js";
import { openStore, type Store } from "../open-store.js";
import type { Outcome } from "../program.js";

/**
 * `baton serve`: the API, and by default the worker in the same process (one process is what
 * the embedded database allows; with a PostgreSQL server, run `--no-worker` APIs beside
 * `baton worker` processes).
 */
export function registerServeCommand(
  program: Command,
  io: CliIo,
  finish: (outcome: Outcome) => void,
  env: NodeJS.ProcessEnv = process.env,
): void {
  program
    .command("serve")
    .description("run the HTTP API (and the worker, unless --no-worker) until stopped")
    .option("--port <port>", "TCP port (default BATON_PORT or 4000)", env.BATON_PORT ?? "4000")
    .option(
      "--host <address>",
      "address to listen on (default 127.0.0.1; 0.0.0.0 for every interface)",
      env.BATON_HOST ?? "127.0.0.1",
    )
    .option("--no-worker", "do not fire timers or deliver notifications in this process")
    .option("--log-level <level>", "fatal, error, warn, info, debug", env.BATON_LOG_LEVEL ?? "info")
    .option(
      "--demo",
      "on an empty database, create the demo company first (90 days of history) and keep leads arriving",
    )
    .option("--demo-seed <n>", "the demo company's seed", "1")
    .action(
      async (options: {
        port: string;
        host: string;
        worker: boolean;
        logLevel: string;
        demo?: boolean;
        demoSeed: string;
      }) => {
        const port = Number(options.port);
        if (!Number.isInteger(port) || port < 0 || port > 65535)
          throw new CliError(
            `--port ${options.port} is not a port number`,
            exitCodes.usage,
            "use 1–65535",
          );
        const store = await openStore(env);
        const controller = new AbortController();
        const stop = () => controller.abort();
        process.once("SIGINT", stop);
        process.once("SIGTERM", stop);
        try {
          const demoSeed = Number(options.demoSeed);
          if (!Number.isInteger(demoSeed))
            throw new CliError(
              `--demo-seed ${options.demoSeed} is not a whole number`,
              exitCodes.usage,
            );
          // The demo company is seeded before the API and worker start: a worker running during
          // the seeding would fire the history's timers on today's clock.
          const demo =
            options.demo === true
              ? await seedDemoCompany(store, demoSeed, io)
              : { seeded: false, users: [] };
          const bootstrap = await bootstrapAdmin(store.engine);
          let webhooks: WebhookSettings;
          try {
            webhooks = webhookSettingsFromEnvironment(env);
          } catch (error) {
            throw new CliError(
              error instanceof Error ? error.message : String(error),
              exitCodes.usage,
            );
          }
          const app = await buildApp({
            webhooks,
            engine: store.engine,
            notificationChannels: store.channels,
            logger: { level: options.logLevel },
            ingestQueue: new IngestQueue(store.engine, {
              concurrency: Number(env.BATON_INGEST_CONCURRENCY ?? 1),
            }),
            ...(env.BATON_COOKIE_SECURE === "false" ? { secureCookies: false } : {}),
            ...(env.BATON_PUBLIC_URL ? { publicUrl: env.BATON_PUBLIC_URL } : {}),
          });
          const address = await app.listen({ port, host: options.host });
          // Fold the ledger into the metrics history (and compile the metric code) now, so the
          // first person to open the overview does not wait for it. Failures here (no active
          // agreement yet) are answered by the overview request itself.
          void overview(store.engine, {}).catch(() => undefined);
          const url = env.BATON_PUBLIC_URL ?? address.replace("[::1]", "localhost");
          io.stderr(`Baton is running at ${url} (API docs at ${url}/api/docs) on ${store.where}`);
          if (demo.seeded)
            io.stderr(
              `Demo company: sign in as ${describeDemoUsers(demo.users)} with password ${demoPassword}`,
            );
          if (bootstrap)
            io.stderr(
              `First run: sign in as '${bootstrap.userId}' with password ${bootstrap.password}\n  (shown once; change it with: baton users set-password ${bootstrap.userId})`,
            );
          const worker = options.worker
            ? runWorker({
                engine: store.engine,
                location: store.location,
                channels: store.channels,
                workerId: `serve-${process.pid}`,
                signal: controller.signal,
                log: (line) => io.stderr(line),
                // scheduled review packs and reminders link back to the pack when it is known
                reviews: { publicUrl: env.BATON_PUBLIC_URL },
              })
            : Promise.resolve(null);
          const arrivals =
            options.demo === true
              ? startLiveArrivals(store.engine, {
                  seed: demoSeed,
                  signal: controller.signal,
                }).catch((error: unknown) =>
                  io.stderr(
                    `demo arrivals stopped: ${error instanceof Error ? error.message : String(error)}`,
                  ),
                )
              : Promise.resolve();
          await new Promise<void>((resolve) =>
            controller.signal.addEventListener("abort", () => resolve(), { once: true }),
          );
          io.stderr("Baton is stopping");
          await app.close();
          await worker;
          await arrivals;
          return finish(exitCodes.ok);
        } finally {
          process.off("SIGINT", stop);
          process.off("SIGTERM", stop);
          await store.close();
        }
      },
    );
}

/**
 * Seeds the demo company when the database holds no leads yet, and gives its people sign-ins.
 * A database with leads is left as it is (restarting `npm start` keeps the same company).
 */
async function seedDemoCompany(
  store: Store,
  seed: number,
  io: CliIo,
): Promise<{ seeded: boolean; users: { id: string; role: Role }[] }> {
  const any = await store.db.selectFrom("leads").select("id").limit(1).executeTakeFirst();
  if (any !== undefined) return { seeded: false, users: [] };
  io.stderr(
    `Creating the demo company (90 days of history, seed ${seed}); this takes about a minute…`,
  );
  let shown = 0;
  const { result, users } = await seedDemoStore(store, {
    seed,
    days: 90,
    onProgress: (share) => {
      const percent = Math.floor(share * 10) * 10;
      if (percent > shown) {
        shown = percent;
        io.stderr(`  ${percent} %`);
      }
    },
  });
  if (!result.ok)
    throw new CliError(
      `the demo company could not be created: ${result.error.message}`,
      exitCodes.invalid,
    );
  const report = result.report;
  io.stderr(
    `  ${report.leads} leads, ${report.mqls} MQLs, ${report.breaches} SLA breaches, ${report.opportunities} opportunities (${report.wins} won, ${report.losses} lost) in ${(report.elapsedMs / 1000).toFixed(0)} s`,
  );
  return { seeded: true, users };
}
