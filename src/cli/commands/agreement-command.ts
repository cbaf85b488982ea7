import type { Command } from "commander";
import { backtestProposal } from "../../app/backtest.js";
import { formatIssue } from "../../core/agreement/agreement-issue.js";
import { diffAgreements } from "../../core/agreement/diff-agreement.js";
import { loadAgreement } from "../../core/agreement/load-agreement.js";
import type { BacktestReport, LeadList, QualificationFlip } from "../../core/backtest/index.js";
import { CliError, exitCodes } from "../exit-codes.js";
import type { CliIo } from "../io.js";
import { openStore } from "../open-store.js";
import type { Outcome } from "../program.js";

export function registerAgreementCommands(
  program: Command,
  io: CliIo,
  finish: (outcome: Outcome) => void,
  env: NodeJS.ProcessEnv = process.env,
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

  agreement
    .command("backtest")
    .description(
      "replay the stored history under a proposed agreement and compare it with the version in force: MQLs, SLA cycles, rep load",
    )
    .argument("<file>", "the proposed agreement (YAML)")
    .option("--from <date>", "window start (YYYY-MM-DD, UTC); default 90 days before --to")
    .option("--to <date>", "window end, excluded (YYYY-MM-DD, UTC); default now")
    .option("--examples <n>", "lead and cycle ids listed per figure", "10")
    .option("--json", "print the report as JSON")
    .action(
      async (
        file: string,
        options: { from?: string; to?: string; examples: string; json?: boolean },
      ) => {
        const yaml = await io.readText(file);
        const from = options.from === undefined ? undefined : dateOption("--from", options.from);
        const to = options.to === undefined ? undefined : dateOption("--to", options.to);
        const examples = Number(options.examples);
        if (!Number.isInteger(examples) || examples < 0)
          throw new CliError(
            `--examples '${options.examples}' is not a whole number`,
            exitCodes.usage,
          );
        const store = await openStore(env);
        try {
          let lastLine = 0;
          const result = await backtestProposal(store.engine, {
            yaml,
            file,
            ...(from === undefined ? {} : { from }),
            ...(to === undefined ? {} : { to }),
            examples,
            progress: (phase, done, total) => {
              // progress for long runs only, at most every second, on stderr
              const now = performance.now();
              if (total < 10_000 && phase !== "loading") return;
              if (phase === "loading" && done !== 0) return;
              if (done !== 0 && done !== total && now - lastLine < 1000) return;
              lastLine = now;
              io.stderr(
                phase === "loading"
                  ? "backtest: reading and replaying the window's history…"
                  : phase === "replay"
                    ? `backtest: replayed ${done.toLocaleString("en-US")}/${total.toLocaleString("en-US")} leads`
                    : `backtest: routed ${done.toLocaleString("en-US")}/${total.toLocaleString("en-US")} MQL turns`,
              );
            },
          });
          if (!result.ok) {
            if (options.json)
              io.stdout(JSON.stringify({ ok: false, error: result.error }, null, 2));
            for (const issue of result.error.issues ?? []) io.stderr(formatIssue(issue));
            io.stderr(`baton: ${result.error.message}`);
            return finish(exitCodes.invalid);
          }
          if (options.json) io.stdout(JSON.stringify(result.value, null, 2));
          else for (const line of describeBacktest(result.value, file)) io.stdout(line);
          return finish(exitCodes.ok);
        } finally {
          await store.close();
        }
      },
    );
}

function dateOption(flag: string, text: string): number {
  const at = /^\d{4}-\d{2}-\d{2}$/.test(text) ? Date.parse(`${text}T00:00:00Z`) : Number.NaN;
  if (Number.isNaN(at))
    throw new CliError(`${flag} '${text}' is not a date; write it as YYYY-MM-DD`, exitCodes.usage);
  return at;
}

const day = (at: number | null) =>
  at === null ? "never" : new Date(at).toISOString().slice(0, 16).replace("T", " ");
const percent = (rate: number | null) => (rate === null ? "–" : `${(rate * 100).toFixed(1)} %`);
const money = (amount: number) => amount.toLocaleString("en-US", { maximumFractionDigits: 0 });
/** scores as the reasons beside them read (63.39, not 63.39354850795088) */
const points = (score: number) => score.toLocaleString("en-US", { maximumFractionDigits: 2 });

/** The report as people read it: the counts first, then the leads, cycles and reps behind them. */
export function describeBacktest(report: BacktestReport, file: string): string[] {
  const lines: string[] = [];
  const { qualification: q, sla, routing } = report;
  lines.push(
    `backtest of ${file} ('${report.proposed.name}') against version ${report.active.number} ('${report.active.name}')`,
    `window ${report.window.from.slice(0, 10)} → ${report.window.to.slice(0, 10)}: ${report.leads.toLocaleString("en-US")} leads created`,
    "",
    "Qualification",
    `  MQLs: ${q.before.mqls} → ${q.after.mqls} (actually qualified: ${q.actualMqls}; same leads at another moment: ${q.momentChanged})`,
  );
  const flips = (
    title: string,
    list: LeadList<QualificationFlip> & {
      conversions: BacktestReport["qualification"]["before"]["conversions"];
    },
  ) => {
    const c = list.conversions;
    lines.push(
      `  ${title}: ${list.count} — actually reached SQL ${c.reachedSql}, opportunity ${c.opportunity}, won ${c.won} (${money(c.wonAmount)})`,
    );
    for (const flip of list.items)
      lines.push(
        `    ${flip.leadId}  score ${points(flip.scoreBefore)} → ${points(flip.scoreAfter)} at ${day(flip.at)}; MQL ${day(flip.mqlAtBefore)} → ${day(flip.mqlAtAfter)}` +
          `${flip.won ? `; won ${money(flip.amount ?? 0)}` : flip.opportunity ? "; opportunity" : flip.reachedSql ? "; reached SQL" : ""}` +
          (flip.reasons.length > 0 ? `\n      ${flip.reasons.join("; ")}` : ""),
      );
    if (list.count > list.items.length)
      lines.push(`    … and ${list.count - list.items.length} more`);
  };
  flips("newly qualifying", q.newlyQualifying);
  flips("dropping out", q.droppingOut);

  lines.push("", "SLA (cycles started in the window)");
  for (const step of sla.steps) {
    if (step.after === null) {
      lines.push(
        `  ${step.step}: removed by the proposal (${step.cycles} cycles, attainment was ${percent(step.before.rate)})`,
      );
      continue;
    }
    lines.push(
      `  ${step.step} (${step.status}): ${step.cycles} cycles, attainment ${percent(step.before.rate)} → ${percent(step.after.rate)}` +
        ` (met ${step.before.met}/${step.after.met}, breached ${step.before.breached}/${step.after.breached})`,
    );
    for (const [title, list] of [
      ["met → breached", step.metToBreached],
      ["breached → met", step.breachedToMet],
    ] as const) {
      if (list.count === 0) continue;
      lines.push(`    ${title}: ${list.count}`);
      for (const flip of list.items)
        lines.push(
          `      ${flip.clockId}#${flip.cycle}  ${flip.before.goal} ${flip.before.targetMinutes} min → ${flip.after.goal} ${flip.after.targetMinutes} min, due ${day(flip.before.dueAt)} → ${day(flip.after.dueAt)}`,
        );
      if (list.count > list.items.length)
        lines.push(`      … and ${list.count - list.items.length} more`);
    }
    if (step.notStarted.count > 0)
      lines.push(`    would not start (lead no longer qualifies): ${step.notStarted.count}`);
    if (step.noGoal.count > 0) lines.push(`    no proposed goal applies: ${step.noGoal.count}`);
  }
  if (sla.addedSteps.length > 0)
    lines.push(`  added steps (no history to replay): ${sla.addedSteps.join(", ")}`);
  if (sla.cyclesWithoutLog.count > 0)
    lines.push(
      `  newly qualifying leads have no clock history; their cycles are not simulated (${sla.cyclesWithoutLog.count} leads)`,
    );

  lines.push(
    "",
    "Routing (per rep: assignments actual | before → after; excluded at cap before → after)",
  );
  const width = Math.max(4, ...routing.reps.map((row) => row.rep.length));
  for (const row of routing.reps)
    lines.push(
      `  ${row.rep.padEnd(width)}  ${String(row.actual).padStart(6)} | ${String(row.before.assigned).padStart(6)} → ${String(row.after.assigned).padEnd(6)}  cap ${row.before.capExclusions} → ${row.after.capExclusions}`,
    );
  for (const pool of routing.pools)
    lines.push(
      `  pool ${pool.pool}: ${pool.before.assigned} → ${pool.after.assigned} assigned, ${pool.before.overflowed} → ${pool.after.overflowed} overflowed`,
    );
  for (const queue of routing.queues)
    lines.push(`  queue ${queue.queue}: ${queue.before} → ${queue.after}`);
  lines.push(`  leads routed to someone else: ${routing.reassigned.count}`);
  for (const move of routing.reassigned.items)
    lines.push(`    ${move.leadId}: ${move.before} → ${move.after}`);
  lines.push("", ...report.notes.map((note) => `note: ${note}`));
  return lines;
}
