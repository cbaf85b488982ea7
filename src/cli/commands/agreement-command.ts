import type { Command } from "commander";
import { formatIssue } from "../../core/agreement/agreement-issue.js";
import { diffAgreements } from "../../core/agreement/diff-agreement.js";
import { loadAgreement } from "../../core/agreement/load-agreement.js";
import { exitCodes } from "../exit-codes.js";
import type { CliIo } from "../io.js";
import type { Outcome } from "../program.js";

export function registerAgreementCommands(
  program: Command,
  io: CliIo,
  finish: (outcome: Outcome) => void,
): void {
  const agreement = program
    .command("agreement")
    .description("check, compare, propose and approve agreement versions");

  agreement
    .command("validate")
    .description(
      "check an agreement file: syntax, schema, references, expressions, calendars, lifecycle, routing",
    )
    .argument("<file>", "agreement YAML file")
    .option("--json", "print the result as JSON")
    .action(async (file: string, options: { json?: boolean }) => {
      const result = loadAgreement(await io.readText(file), file);
      if (options.json) {
        io.stdout(
          JSON.stringify(
            result.ok
              ? { ok: true, file, warnings: result.warnings }
              : { ok: false, file, issues: result.issues },
            null,
            2,
          ),
        );
        return finish(result.ok ? exitCodes.ok : exitCodes.invalid);
      }
      if (!result.ok) {
        for (const issue of result.issues) io.stderr(formatIssue(issue));
        const errors = result.issues.filter((issue) => issue.severity === "error").length;
        io.stderr(
          `${file}: ${errors} error${errors === 1 ? "" : "s"}; the agreement was not accepted`,
        );
        return finish(exitCodes.invalid);
      }
      for (const warning of result.warnings) io.stderr(formatIssue(warning));
      const { agreement: value } = result;
      const clocks = value.sla.steps.filter((step) => step.kind === "clock").length;
      io.stdout(
        `${file}: valid — '${value.name}'${value.version ? ` (${value.version})` : ""}: ` +
          `${value.lifecycle.stages.length} stages, ${value.lifecycle.transitions.length} transitions, ` +
          `${value.qualification.rules.length} scoring rules, ${value.sla.steps.length} SLA steps (${clocks} timed), ` +
          `${value.routing.rules.length} routing rules, ${Object.keys(value.calendars).length} calendars` +
          (result.warnings.length > 0
            ? `, ${result.warnings.length} warning${result.warnings.length === 1 ? "" : "s"}`
            : ""),
      );
      return finish(exitCodes.ok);
    });

  agreement
    .command("diff")
    .description("describe what changes in meaning between two agreement versions")
    .argument("<old>", "the agreement in force")
    .argument("<new>", "the proposed agreement")
    .option("--json", "print the changes as JSON")
    .action(async (oldFile: string, newFile: string, options: { json?: boolean }) => {
      const before = loadAgreement(await io.readText(oldFile), oldFile);
      const after = loadAgreement(await io.readText(newFile), newFile);
      const failed = [before, after].flatMap((result) => (result.ok ? [] : result.issues));
      if (!before.ok || !after.ok) {
        for (const issue of failed) io.stderr(formatIssue(issue));
        io.stderr("baton: both files must be valid agreements before they can be compared");
        return finish(exitCodes.invalid);
      }
      const changes = diffAgreements(before.agreement, after.agreement);
      if (options.json) {
        io.stdout(JSON.stringify({ changes }, null, 2));
        return finish(exitCodes.ok);
      }
      if (changes.length === 0) {
        io.stdout("no changes in meaning");
        return finish(exitCodes.ok);
      }
      io.stdout(
        `${changes.length} change${changes.length === 1 ? "" : "s"} from ${oldFile} to ${newFile}:`,
      );
      let section = "";
      for (const change of changes) {
        if (change.section !== section) {
          section = change.section;
          io.stdout(`\n${section}`);
        }
        const mark = change.kind === "added" ? "+" : change.kind === "removed" ? "-" : "~";
        io.stdout(`  ${mark} ${change.summary}`);
      }
      return finish(exitCodes.ok);
    });
}
