import type { Command } from "commander";
import { describeLocation, locationFromEnvironment, openDatabase } from "../../db/database.js";
import { migrate } from "../../db/migrate.js";
import { exitCodes } from "../exit-codes.js";
import type { CliIo } from "../io.js";
import type { Outcome } from "../program.js";

export function registerMigrateCommand(
  program: Command,
  io: CliIo,
  finish: (outcome: Outcome) => void,
  env: NodeJS.ProcessEnv = process.env,
): void {
  program
    .command("migrate")
    .description(
      "apply the database migrations not yet applied (PostgreSQL at DATABASE_URL, else embedded PGlite in BATON_DATA_DIR or ./.baton/)",
    )
    .option("--json", "print the result as JSON")
    .action(async (options: { json?: boolean }) => {
      const location = locationFromEnvironment(env);
      const where = describeLocation(location);
      let outcome: Awaited<ReturnType<typeof migrate>>;
      try {
        const db = await openDatabase(location);
        try {
          outcome = await migrate(db);
        } finally {
          await db.destroy();
        }
      } catch (error) {
        // Opening an embedded folder can fail (permissions, a folder from another PGlite version).
        outcome = {
          ok: false,
          results: [],
          error: error instanceof Error ? error.message : String(error),
        };
      }
      if (options.json) {
        io.stdout(JSON.stringify({ database: where, ...outcome }, null, 2));
        return finish(outcome.ok ? exitCodes.ok : exitCodes.database);
      }
      for (const result of outcome.results)
        (result.status === "failed" ? io.stderr : io.stdout)(
          `${result.name}: ${result.status}${result.status === "failed" ? ` — ${result.error}` : ""}`,
        );
      if (!outcome.ok) {
        io.stderr(`baton: migration failed on ${where}: ${outcome.error}`);
        io.stderr(
          "  fix: check that the database is reachable (DATABASE_URL) or the data folder is writable (BATON_DATA_DIR), then run `baton migrate` again; applied migrations are kept",
        );
        return finish(exitCodes.database);
      }
      const applied = outcome.results.filter((result) => result.status === "applied").length;
      io.stdout(
        `${where}: ${applied === 0 ? "already up to date" : `${applied} migration${applied === 1 ? "" : "s"} applied`}`,
      );
      return finish(exitCodes.ok);
    });
}
