import type { Command } from "commander";
import { bootstrapAdmin } from "../../app/access/bootstrap.js";
import { IngestQueue } from "../../app/ingest-queue.js";
import { buildApp } from "../../http/app.js";
import { runWorker } from "../../worker/worker.js";
import { CliError, exitCodes } from "../exit-codes.js";
import type { CliIo } from "../io.js";
import { openStore } from "../open-store.js";
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
    .action(async (options: { port: string; host: string; worker: boolean; logLevel: string }) => {
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
        const bootstrap = await bootstrapAdmin(store.engine);
        const app = await buildApp({
          engine: store.engine,
          logger: { level: options.logLevel },
          ingestQueue: new IngestQueue(store.engine, {
            concurrency: Number(env.BATON_INGEST_CONCURRENCY ?? 1),
          }),
          ...(env.BATON_COOKIE_SECURE === "false" ? { secureCookies: false } : {}),
          ...(env.BATON_PUBLIC_URL ? { publicUrl: env.BATON_PUBLIC_URL } : {}),
        });
        const address = await app.listen({ port, host: options.host });
        const url = env.BATON_PUBLIC_URL ?? address.replace("[::1]", "localhost");
        io.stderr(`Baton is running at ${url} (API docs at ${url}/api/docs) on ${store.where}`);
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
            })
          : Promise.resolve(null);
        await new Promise<void>((resolve) =>
          controller.signal.addEventListener("abort", () => resolve(), { once: true }),
        );
        io.stderr("Baton is stopping");
        await app.close();
        await worker;
        return finish(exitCodes.ok);
      } finally {
        process.off("SIGINT", stop);
        process.off("SIGTERM", stop);
        await store.close();
      }
    });
}
