import type { Command } from "commander";
import { type ActivationMode, approveAgreement, proposeAgreement } from "../../app/agreements.js";
import { replayDead, replayNotification } from "../../app/notifications/index.js";
import { rebuildProjections } from "../../app/rebuild.js";
import { formatIssue } from "../../core/agreement/agreement-issue.js";
import { runWorker } from "../../worker/worker.js";
import { CliError, exitCodes } from "../exit-codes.js";
import type { CliIo } from "../io.js";
import { openStore } from "../open-store.js";
import type { Outcome } from "../program.js";

/** Commands that run the engine on Baton's database: versions, rebuild, the worker. */
export function registerEngineCommands(
  program: Command,
  io: CliIo,
  finish: (outcome: Outcome) => void,
  env: NodeJS.ProcessEnv = process.env,
): void {
  const agreement = program.commands.find((command) => command.name() === "agreement")!;

  agreement
    .command("propose")
    .description("store an agreement file as a new version; it activates once both sides approve")
    .argument("<file>", "agreement YAML file")
    .requiredOption("--by <person>", "who proposes it")
    .option("--note <text>", "why the change")
    .option("--json", "print the result as JSON")
    .action(async (file: string, options: { by: string; note?: string; json?: boolean }) => {
      const yaml = await io.readText(file);
      const store = await openStore(env);
      try {
        const result = await proposeAgreement(store.engine, {
          yaml,
          file,
          actor: options.by,
          ...(options.note ? { note: options.note } : {}),
        });
        if (options.json) io.stdout(JSON.stringify(result, null, 2));
        else if (!result.ok) {
          for (const issue of result.error.issues ?? []) io.stderr(formatIssue(issue));
          io.stderr(`baton: ${result.error.message}`);
        } else {
          io.stdout(`version ${result.value.number} proposed by ${options.by}`);
          for (const line of result.value.diff ?? ["(the first version)"]) io.stdout(`  ${line}`);
          io.stdout(
            `next: baton agreement approve ${result.value.number} --by <approver> (one from marketing, one from sales)`,
          );
        }
        return finish(result.ok ? exitCodes.ok : exitCodes.invalid);
      } finally {
        await store.close();
      }
    });

  // `approve` signs for one side (activating when it completes the pair); `activate` is the
  // completing approval only, refused with nothing recorded while the other side has not signed.
  for (const mustActivate of [false, true])
    agreement
      .command(mustActivate ? "activate" : "approve")
      .description(
        mustActivate
          ? "give the approval that completes both sides and activates a version; refuses, recording nothing, when the other side has not approved yet"
          : "approve a proposed version; the approval completing both sides activates it",
      )
      .argument("<version>", "version number")
      .requiredOption("--by <person>", "the approver (a person listed under approvers:)")
      [mustActivate ? "requiredOption" : "option"](
        "--mode <mode>",
        "when this approval activates it: new_cycles_only (running clocks keep their goal) or new_and_open_cycles (running clocks are recalculated)",
      )
      .option("--json", "print the result as JSON")
      .action(async (version: string, options: { by: string; mode?: string; json?: boolean }) => {
        const number = Number(version);
        if (!Number.isInteger(number) || number < 1)
          throw new CliError(
            `'${version}' is not a version number`,
            exitCodes.usage,
            "pass the number `baton agreement propose` printed",
          );
        if (
          options.mode !== undefined &&
          !["new_cycles_only", "new_and_open_cycles"].includes(options.mode)
        )
          throw new CliError(
            `--mode ${options.mode} is not a mode`,
            exitCodes.usage,
            "use new_cycles_only or new_and_open_cycles",
          );
        const store = await openStore(env);
        try {
          const result = await approveAgreement(store.engine, {
            number,
            approver: options.by,
            ...(options.mode ? { mode: options.mode as ActivationMode } : {}),
            mustActivate,
          });
          if (options.json) io.stdout(JSON.stringify(result, null, 2));
          else if (!result.ok) io.stderr(`baton: ${result.error.code}: ${result.error.message}`);
          else if (result.value.activated)
            io.stdout(
              `version ${number} is active (${result.value.mode}${result.value.recalculated > 0 ? `, ${result.value.recalculated} running clocks recalculated` : ""})`,
            );
          else
            io.stdout(
              `version ${number} approved by ${options.by}; waiting for ${result.value.waitingFor.join(" and ")}`,
            );
          return finish(result.ok ? exitCodes.ok : exitCodes.invalid);
        } finally {
          await store.close();
        }
      });

  program
    .command("rebuild")
    .description(
      "recompute every projection (leads, clocks, opportunities, …) from the event ledger",
    )
    .option("--json", "print the result as JSON")
    .action(async (options: { json?: boolean }) => {
      const store = await openStore(env);
      try {
        const report = await rebuildProjections(store.db, store.engine.workspace, {
          onProgress: (events) => {
            if (!options.json && events % 50_000 === 0) io.stderr(`  ${events} events folded…`);
          },
        });
        if (options.json) io.stdout(JSON.stringify({ ok: true, ...report }, null, 2));
        else
          io.stdout(
            `rebuilt from ${report.events} events in ${report.milliseconds} ms: ${report.leads} leads, ${report.clocks} clocks, ${report.opportunities} opportunities, ${report.accounts} accounts, ${report.agreementVersions} agreement versions`,
          );
        return finish(exitCodes.ok);
      } finally {
        await store.close();
      }
    });

  const notifications = program
    .command("notifications")
    .description("the notification outbox: what is waiting, delivered or dead, and replay");

  notifications
    .command("list")
    .description("the latest notifications and their delivery state")
    .option("--status <status>", "only pending, queued, delivered or dead")
    .option("--limit <n>", "how many (default 20)", "20")
    .option("--json", "print the result as JSON")
    .action(async (options: { status?: string; limit: string; json?: boolean }) => {
      const statuses = ["pending", "queued", "delivered", "dead"] as const;
      const status = options.status as (typeof statuses)[number] | undefined;
      if (status !== undefined && !statuses.includes(status))
        throw new CliError(
          `--status ${options.status} is not a status`,
          exitCodes.usage,
          `use one of ${statuses.join(", ")}`,
        );
      const limit = Number(options.limit);
      if (!Number.isInteger(limit) || limit < 1 || limit > 10_000)
        throw new CliError(
          `--limit ${options.limit} is not a count`,
          exitCodes.usage,
          "pass a whole number from 1 to 10000",
        );
      const store = await openStore(env);
      try {
        let query = store.db
          .selectFrom("notifications")
          .select([
            "id",
            "kind",
            "channel",
            "recipient",
            "subject",
            "status",
            "attempts",
            "last_error",
            "created_at",
          ])
          .orderBy("created_at", "desc")
          .limit(limit);
        if (status !== undefined) query = query.where("status", "=", status);
        const rows = await query.execute();
        if (options.json) io.stdout(JSON.stringify(rows, null, 2));
        else if (rows.length === 0) io.stdout("no notifications");
        else
          for (const row of rows)
            io.stdout(
              `${row.id}  ${row.status.padEnd(9)} ${row.channel.padEnd(7)} ${row.kind}  to ${row.recipient ?? "-"}: ${row.subject}${row.last_error ? `  (attempt ${row.attempts}: ${row.last_error})` : ""}`,
            );
        return finish(exitCodes.ok);
      } finally {
        await store.close();
      }
    });

  notifications
    .command("replay")
    .description(
      "send a dead or delivered notification again, with the same event id (receivers de-duplicate)",
    )
    .argument("[id]", "the notification's event id")
    .option("--dead", "replay every dead notification")
    .option("--json", "print the result as JSON")
    .action(async (id: string | undefined, options: { dead?: boolean; json?: boolean }) => {
      if ((id === undefined) === (options.dead !== true))
        throw new CliError(
          "name one notification id, or pass --dead for every dead one",
          exitCodes.usage,
          "see baton notifications list --status dead",
        );
      const store = await openStore(env);
      try {
        if (options.dead) {
          const ids = await replayDead(store.db);
          if (options.json) io.stdout(JSON.stringify({ ok: true, replayed: ids }, null, 2));
          else
            io.stdout(
              `${ids.length} dead notification${ids.length === 1 ? "" : "s"} queued again; a running worker delivers them`,
            );
          return finish(exitCodes.ok);
        }
        const outcome = await replayNotification(store.db, id!);
        if (options.json) io.stdout(JSON.stringify(outcome, null, 2));
        else if (outcome.ok) io.stdout(`${outcome.id} queued again; a running worker delivers it`);
        else
          io.stderr(
            outcome.error === "not-found"
              ? `baton: no notification ${outcome.id}`
              : `baton: ${outcome.id} is ${outcome.status}, already on its way; replay is for dead or delivered ones`,
          );
        return finish(outcome.ok ? exitCodes.ok : exitCodes.invalid);
      } finally {
        await store.close();
      }
    });

  program
    .command("worker")
    .description(
      "fire SLA timers (warnings, breaches, escalations) and deliver notifications until stopped",
    )
    .option("--id <name>", "names this worker in logs and timer errors")
    .action(async (options: { id?: string }) => {
      const store = await openStore(env);
      const controller = new AbortController();
      const stop = () => controller.abort();
      process.once("SIGINT", stop);
      process.once("SIGTERM", stop);
      try {
        io.stderr(`baton worker on ${store.where}; stop with Ctrl-C`);
        const summary = await runWorker({
          engine: store.engine,
          location: store.location,
          channels: store.channels,
          workerId: options.id ?? `worker-${process.pid}`,
          signal: controller.signal,
          log: (line) => io.stderr(line),
          // scheduled review packs and reminders link back to the pack when it is known
          reviews: { publicUrl: env.BATON_PUBLIC_URL },
        });
        io.stderr(`baton worker stopped: ${summary.fired} timers fired, ${summary.failed} dead`);
        return finish(exitCodes.ok);
      } finally {
        process.off("SIGINT", stop);
        process.off("SIGTERM", stop);
        await store.close();
      }
    });
}
