import type { Command } from "commander";
import { demoPassword, describeDemoUsers } from "../../app/access/demo-users.js";
import { seedDemoStore } from "../demo-store.js";
import { CliError, exitCodes } from "../exit-codes.js";
import type { CliIo } from "../io.js";
import { openStore } from "../open-store.js";
import type { Outcome } from "../program.js";

/** `baton demo`: seeds the store with the demo company's history. */
export function registerDemoCommand(
  program: Command,
  io: CliIo,
  finish: (outcome: Outcome) => void,
  env: NodeJS.ProcessEnv = process.env,
): void {
  program
    .command("demo")
    .description(
      "seed an empty database with a demo company: the example agreement, a quarter of leads, clocks, breaches, dispositions and deals",
    )
    .option("--seed <n>", "the seed: the same seed gives the same company", "1")
    .option("--days <n>", "days of history before now", "90")
    .option("--append", "add to a database that already holds leads or events")
    .option("--json", "print the result as JSON")
    .action(async (options: { seed: string; days: string; append?: boolean; json?: boolean }) => {
      const seed = Number(options.seed);
      if (!Number.isInteger(seed) || seed < 0 || seed > 0xffffffff)
        throw new CliError(
          `--seed ${options.seed} is not a seed`,
          exitCodes.usage,
          "pass a whole number from 0 to 4294967295",
        );
      const days = Number(options.days);
      if (!Number.isInteger(days) || days < 1 || days > 366)
        throw new CliError(
          `--days ${options.days} is not a number of days`,
          exitCodes.usage,
          "pass a whole number from 1 to 366",
        );
      const store = await openStore(env);
      try {
        if (!options.json) io.stderr(`seeding ${days} days of the demo company on ${store.where}…`);
        const { result, users } = await seedDemoStore(store, {
          seed,
          days,
          append: options.append === true,
          onProgress: (share) => {
            if (!options.json) io.stderr(`  ${Math.round(share * 100)} %`);
          },
        });
        if (options.json) io.stdout(JSON.stringify({ ...result, users }, null, 2));
        else if (!result.ok) io.stderr(`baton: ${result.error.code}: ${result.error.message}`);
        else {
          const report = result.report;
          io.stdout(
            [
              `demo company seeded in ${(report.elapsedMs / 1000).toFixed(1)} s (seed ${report.seed}, ${report.from.slice(0, 10)} to ${report.to.slice(0, 10)})`,
              `  ${report.leads} leads, ${report.mqls} MQLs, ${report.touches} touches`,
              `  ${report.warnings} SLA warnings, ${report.breaches} breaches, ${report.escalations} escalation steps`,
              `  ${report.disqualifications} disqualified, ${report.rejections} rejected, ${report.recycles} recycled`,
              `  ${report.opportunities} opportunities: ${report.wins} won (${report.wonAmount.toLocaleString("en-US")}), ${report.losses} lost`,
              ...(users.length > 0
                ? [`  sign in as ${describeDemoUsers(users)} with password ${demoPassword}`]
                : []),
            ].join("\n"),
          );
        }
        return finish(result.ok ? exitCodes.ok : exitCodes.invalid);
      } finally {
        await store.close();
      }
    });
}
