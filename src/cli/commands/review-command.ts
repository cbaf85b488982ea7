import { writeFile } from "node:fs/promises";
import type { Command } from "commander";
import {
  type ActionItemPatch,
  createActionItem,
  listActionItems,
  updateActionItem,
  workspaceToday,
} from "../../app/review/action-items.js";
import { packFormats, packHtml, packMarkdown, packPdf } from "../../app/review/pack-formats.js";
import { formatValue } from "../../app/review/render-format.js";
import type { ReviewError } from "../../app/review/review-error.js";
import { generateReviewPack, getPack, type StoredPack } from "../../app/review/review-packs.js";
import {
  type ActionItem,
  type ActionItemStatus,
  actionItemStatuses,
  actionItemTypes,
  isOverdue,
} from "../../core/review/action-item.js";
import { periodWords } from "../../core/review/review-period.js";
import { CliError, exitCodes } from "../exit-codes.js";
import type { CliIo } from "../io.js";
import { openStore } from "../open-store.js";
import type { Outcome } from "../program.js";

interface ReviewOptions {
  review?: string;
  period?: string;
  pack?: string;
  format: string;
  out?: string;
}

const formats = ["text", ...packFormats] as const;
type Format = (typeof formats)[number];

/** Review errors as CLI failures, in one place: the caller's input → 2, the data's state → 1. */
function cliErrorOf(error: ReviewError): CliError {
  const message = `${error.code}: ${error.message}`;
  switch (error.code) {
    case "unknown_review":
    case "invalid_period":
    case "unknown_pack":
    case "unknown_action_item":
    case "invalid_action_item":
    case "unknown_project_tool":
      return new CliError(message, exitCodes.usage);
    case "no_active_agreement":
      return new CliError(
        message,
        exitCodes.invalid,
        "propose an agreement and have both sides approve it (baton agreement propose)",
      );
    case "push_failed":
      return new CliError(message, exitCodes.invalid);
  }
}

/**
 * `baton review`: generates the review pack of a period (and stores it, as the API and the web
 * page do) or shows a stored one (`--pack ID`), printed as a text summary, Markdown, HTML, JSON
 * or — with `--out` — PDF. `baton review actions list|add|update` tracks action items.
 * Exit 0 on success, 1 without an active agreement, 2 for a wrong review, period, pack or field.
 */
export function registerReviewCommand(
  program: Command,
  io: CliIo,
  finish: (outcome: Outcome) => void,
  env: NodeJS.ProcessEnv = process.env,
): void {
  const review = program
    .command("review")
    .description(
      "generate the review pack of a period (stored, like the API's), or show a stored one; `review actions` for action items",
    )
    .option("--review <id>", "an agreement review (reviews[].id): its name and cadence")
    .option(
      "--period <period>",
      `${periodWords.join(", ")} or YYYY-MM-DD..YYYY-MM-DD (end excluded); default: the review's last complete period, or last week`,
    )
    .option("--pack <id>", "show a stored pack instead of generating one")
    .option("--format <format>", `${formats.join(", ")}`, "text")
    .option("--out <file>", "write to a file instead of stdout (required for pdf)")
    .action(async (options: ReviewOptions) => {
      const format = options.format as Format;
      if (!(formats as readonly string[]).includes(format))
        throw new CliError(
          `--format '${options.format}' is not a format`,
          exitCodes.usage,
          `use one of ${formats.join(", ")}`,
        );
      if (format === "pdf" && options.out === undefined)
        throw new CliError(
          "a PDF is not printed to the terminal",
          exitCodes.usage,
          "add --out pack.pdf",
        );
      if (
        options.pack !== undefined &&
        (options.review !== undefined || options.period !== undefined)
      )
        throw new CliError(
          "--pack shows a stored pack; --review and --period generate a new one",
          exitCodes.usage,
          "use one or the other",
        );
      const store = await openStore(env);
      try {
        const outcome =
          options.pack === undefined
            ? await generateReviewPack(store.engine, {
                review: options.review,
                period: options.period,
                generatedBy: "cli",
              })
            : await getPack(store.engine, options.pack);
        if (!outcome.ok) throw cliErrorOf(outcome.error);
        const output = await render(outcome.value, format);
        if (options.out !== undefined) {
          await writeFile(options.out, output);
          io.stdout(`${outcome.value.title} (${outcome.value.id}) written to ${options.out}`);
        } else io.stdout(typeof output === "string" ? output : output.toString("utf8"));
        return finish(exitCodes.ok);
      } finally {
        await store.close();
      }
    });

  const actions = review
    .command("actions")
    .description("action items: list, add, update (status, due date, owner, …)");

  actions
    .command("list", { isDefault: true })
    .description("action items by due date")
    .option("--status <statuses>", `comma-separated: ${actionItemStatuses.join(", ")}`)
    .option("--owner <owner>", "a person id or e-mail")
    .option("--pack <id>", "items created from this review pack")
    .option("--overdue", "only overdue items")
    .option("--json", "print JSON")
    .action(
      async (options: {
        status?: string;
        owner?: string;
        pack?: string;
        overdue?: boolean;
        json?: boolean;
      }) => {
        const status = options.status?.split(",").map((value) => value.trim());
        const unknown = status?.find(
          (value) => !(actionItemStatuses as readonly string[]).includes(value),
        );
        if (unknown !== undefined)
          throw new CliError(
            `--status '${unknown}' is not a status`,
            exitCodes.usage,
            `use ${actionItemStatuses.join(", ")}`,
          );
        const store = await openStore(env);
        try {
          const items = await listActionItems(store.engine, {
            status: status as ActionItemStatus[] | undefined,
            owner: options.owner,
            reviewPackId: options.pack,
            overdue: options.overdue,
          });
          const today = await workspaceToday(store.engine);
          if (options.json)
            io.stdout(
              JSON.stringify(
                {
                  ok: true,
                  today,
                  items: items.map((item) => ({ ...item, overdue: isOverdue(item, today) })),
                },
                null,
                2,
              ),
            );
          else if (items.length === 0) io.stdout("no action items");
          else for (const item of items) io.stdout(describeItem(item, today));
          return finish(exitCodes.ok);
        } finally {
          await store.close();
        }
      },
    );

  actions
    .command("add")
    .description("create an action item")
    .requiredOption("--title <text>", "what is to be done")
    .requiredOption("--owner <owner>", "a person id of the agreement or an e-mail")
    .requiredOption("--due <date>", "YYYY-MM-DD")
    .requiredOption("--type <type>", actionItemTypes.join(", "))
    .option("--metric <name>", "the metric it concerns (baton metrics lists them)")
    .option("--leads <ids>", "comma-separated lead ids it concerns")
    .option("--pack <id>", "the review pack it comes from")
    .option("--notes <text>", "details")
    .option("--json", "print JSON")
    .action(
      async (options: {
        title: string;
        owner: string;
        due: string;
        type: string;
        metric?: string;
        leads?: string;
        pack?: string;
        notes?: string;
        json?: boolean;
      }) => {
        const store = await openStore(env);
        try {
          const outcome = await createActionItem(
            store.engine,
            {
              title: options.title,
              owner: options.owner,
              dueOn: options.due,
              type: options.type,
              metric: options.metric ?? null,
              leadIds: splitList(options.leads),
              notes: options.notes,
              reviewPackId: options.pack ?? null,
            },
            "cli",
          );
          if (!outcome.ok) throw cliErrorOf(outcome.error);
          const today = await workspaceToday(store.engine);
          io.stdout(
            options.json
              ? JSON.stringify({ ok: true, item: outcome.value }, null, 2)
              : `created ${describeItem(outcome.value, today)}`,
          );
          return finish(exitCodes.ok);
        } finally {
          await store.close();
        }
      },
    );

  actions
    .command("update")
    .description("change an action item: --status done closes it")
    .argument("<id>", "the item's id (ai_…)")
    .option("--status <status>", actionItemStatuses.join(", "))
    .option("--title <text>")
    .option("--owner <owner>")
    .option("--due <date>", "YYYY-MM-DD")
    .option("--type <type>", actionItemTypes.join(", "))
    .option("--notes <text>")
    .option("--json", "print JSON")
    .action(
      async (
        id: string,
        options: {
          status?: string;
          title?: string;
          owner?: string;
          due?: string;
          type?: string;
          notes?: string;
          json?: boolean;
        },
      ) => {
        const patch: ActionItemPatch = {};
        if (options.status !== undefined) patch.status = options.status;
        if (options.title !== undefined) patch.title = options.title;
        if (options.owner !== undefined) patch.owner = options.owner;
        if (options.due !== undefined) patch.dueOn = options.due;
        if (options.type !== undefined) patch.type = options.type;
        if (options.notes !== undefined) patch.notes = options.notes;
        if (Object.keys(patch).length === 0)
          throw new CliError(
            "nothing to change",
            exitCodes.usage,
            "pass --status, --due, --owner, --title, --type or --notes",
          );
        const store = await openStore(env);
        try {
          const outcome = await updateActionItem(store.engine, id, patch);
          if (!outcome.ok) throw cliErrorOf(outcome.error);
          const today = await workspaceToday(store.engine);
          io.stdout(
            options.json
              ? JSON.stringify({ ok: true, item: outcome.value }, null, 2)
              : `updated ${describeItem(outcome.value, today)}`,
          );
          return finish(exitCodes.ok);
        } finally {
          await store.close();
        }
      },
    );
}

function splitList(text: string | undefined): string[] | undefined {
  return text
    ?.split(",")
    .map((value) => value.trim())
    .filter((value) => value !== "");
}

function describeItem(item: ActionItem, today: string): string {
  const late = isOverdue(item, today) ? " OVERDUE" : "";
  return `${item.id}  ${item.status.padEnd(11)} due ${item.dueOn}${late}  ${item.owner}  [${item.type}] ${item.title}`;
}

async function render(stored: StoredPack, format: Format): Promise<string | Buffer> {
  switch (format) {
    case "json":
      return `${JSON.stringify(stored, null, 2)}\n`;
    case "markdown":
      return packMarkdown(stored.pack);
    case "html":
      return packHtml(stored.pack);
    case "pdf": {
      const printed = await packPdf(stored.pack);
      if (!printed.ok)
        throw new CliError(
          `the PDF could not be printed: ${printed.message}`,
          exitCodes.invalid,
          "write --format html and print it from a browser, or install Chromium",
        );
      return printed.pdf;
    }
    case "text":
      return textSummary(stored);
  }
}

/** The terminal's view: the headline numbers against the previous period, what to discuss. */
export function textSummary(stored: StoredPack): string {
  const { pack } = stored;
  const lines = [
    `${pack.title}`,
    `pack ${stored.id} · ${pack.period.label} · ${pack.timezone}`,
    "",
  ];
  const width = Math.max(0, ...pack.headlines.map((headline) => headline.label.length));
  for (const headline of pack.headlines) {
    lines.push(
      `  ${headline.label.padEnd(width)}  ${formatValue(headline.current.value, headline.current.unit).padStart(10)}  (previous ${formatValue(headline.previous.value, headline.previous.unit)})`,
    );
  }
  if (pack.discussionPoints.length > 0) {
    lines.push("", "To discuss:");
    for (const point of pack.discussionPoints) lines.push(`  [${point.severity}] ${point.text}`);
  }
  const open = pack.actionItems.filter((entry) => !["done", "dropped"].includes(entry.item.status));
  const overdue = pack.actionItems.filter((entry) => entry.overdue).length;
  lines.push(
    "",
    `Action items: ${open.length} open${overdue > 0 ? `, ${overdue} overdue` : ""}; decisions last time: ${pack.decisions.length}`,
    "",
    `--format markdown | html | pdf --out FILE | json for the whole pack`,
  );
  return lines.join("\n");
}
