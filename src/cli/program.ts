import { Command, CommanderError } from "commander";
import { registerAccessCommands } from "./commands/access-commands.js";
import { registerAgreementCommands } from "./commands/agreement-command.js";
import { registerAuditCommand } from "./commands/audit-command.js";
import { registerCalendarCommands } from "./commands/calendar-command.js";
import { registerDemoCommand } from "./commands/demo-command.js";
import { registerEngineCommands } from "./commands/engine-commands.js";
import { registerImportCommand } from "./commands/import-command.js";
import { registerMetricsCommand } from "./commands/metrics-command.js";
import { registerMigrateCommand } from "./commands/migrate-command.js";
import { registerPlanCommand } from "./commands/plan-command.js";
import { registerReviewCommand } from "./commands/review-command.js";
import { registerServeCommand } from "./commands/serve-command.js";
import { CliError, type ExitCode, exitCodes } from "./exit-codes.js";
import { type CliIo, processIo } from "./io.js";

export type Outcome = ExitCode;

/**
 * Runs the `baton` command line and returns its exit code; never calls process.exit, so tests
 * run it in memory with their own io.
 */
export async function runCli(
  argv: readonly string[],
  io: CliIo = processIo,
  env: NodeJS.ProcessEnv = process.env,
): Promise<ExitCode> {
  let outcome: ExitCode = exitCodes.ok;
  const finish = (code: Outcome) => {
    outcome = code;
  };
  const program = new Command("baton")
    .description("Baton — the agreement between marketing and sales, enforced.")
    .version("0.1.0")
    .exitOverride()
    .configureOutput({ writeOut: (text) => io.stdout(text), writeErr: (text) => io.stderr(text) })
    .showHelpAfterError("(run with --help for usage)");
  registerAgreementCommands(program, io, finish, env);
  registerCalendarCommands(program, io, finish);
  registerMigrateCommand(program, io, finish, env);
  registerEngineCommands(program, io, finish, env);
  registerServeCommand(program, io, finish, env);
  registerAccessCommands(program, io, finish, env);
  registerDemoCommand(program, io, finish, env);
  registerImportCommand(program, io, finish, env);
  registerMetricsCommand(program, io, finish, env);
  registerPlanCommand(program, io, finish, env);
  registerReviewCommand(program, io, finish, env);
  registerAuditCommand(program, io, finish);
  for (const command of program.commands) {
    command.exitOverride();
    command.configureOutput({
      writeOut: (text) => io.stdout(text),
      writeErr: (text) => io.stderr(text),
    });
    for (const sub of command.commands) {
      sub.exitOverride();
      sub.configureOutput({
        writeOut: (text) => io.stdout(text),
        writeErr: (text) => io.stderr(text),
      });
    }
  }
  try {
    await program.parseAsync([...argv], { from: "user" });
    return outcome;
  } catch (error) {
    if (error instanceof CommanderError) {
      const informational = [
        "commander.helpDisplayed",
        "commander.version",
        "commander.help",
      ].includes(error.code);
      return informational || error.exitCode === 0 ? exitCodes.ok : exitCodes.usage;
    }
    if (error instanceof CliError) {
      // Scripts that asked for JSON get JSON on stdout for failures too.
      if (argv.includes("--json"))
        io.stdout(
          JSON.stringify(
            {
              ok: false,
              error: { message: error.message, hint: error.hint, exitCode: error.exitCode },
            },
            null,
            2,
          ),
        );
      io.stderr(`baton: ${error.message}${error.hint ? `\n  fix: ${error.hint}` : ""}`);
      return error.exitCode;
    }
    throw error;
  }
}
