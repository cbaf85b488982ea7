import type {
  LeadDecision,
  LeadHistory,
  OpportunityHistory,
  StageEntry,
} from "../../core/metrics/pipeline-history.js";
import type { ExportDates } from "./export-dates.js";
import {
  type ColumnPlan,
  dateFields,
  type ExportField,
  leadFields,
  opportunityFields,
} from "./export-formats.js";
import type { LeadStatusMeaning, MeaningOrigin, ValueMeanings } from "./status-mapping.js";

/**
 * One export row → one history record (a lead or an opportunity), or the reason the row is
 * skipped. Pure: the reader keeps tallies for the "understood" section (each status value with its
 * meaning and count, dates it could not read) but does no I/O.
 *
 * How a lead's stages are placed (exports keep a current status, not its history):
 * - New at the created date; MQL, SQL, opportunity and won at their dated columns (HubSpot's
 *   "Became a … Date", a mapped MQL date, Salesforce's ConvertedDate);
 * - without an MQL date column (Salesforce leads, custom exports), every lead is an MQL at its
 *   creation: a lead in a Lead export has been handed to sales;
 * - the current status's stage (Working, a disqualification…) and its decision are placed at the
 *   status-change date when mapped, else at the latest dated stage of the lead (the earliest the
 *   change can have happened; nothing in the export says when it did).
 * - an opportunity or customer with no dated SQL entry entered SQL with its opportunity;
 * - the owner is taken as assigned at creation; the first-touch column, when mapped, is the
 *   lead's first human touch.
 */

export const auditStages = {
  new: "new",
  mql: "mql",
  working: "working",
  sql: "sql",
  opportunity: "opportunity",
  won: "won",
  lost: "lost",
  disqualified: "disqualified",
  recycled: "recycled",
} as const;

/** Shared, frozen empty lists: most exported leads have no decisions, touches or opportunities. */
const none: never[] = Object.freeze([]) as unknown as never[];

/** Repeated strings (sources, owners, statuses) kept once. */
export class Interner {
  readonly #strings = new Map<string, string>();
  get(text: string): string {
    const known = this.#strings.get(text);
    if (known !== undefined) return known;
    if (this.#strings.size < 200_000) this.#strings.set(text, text);
    return text;
  }
}

export interface RowSkip {
  line: number;
  reason: string;
}

export interface ValueTally {
  field: ExportField;
  column: string;
  value: string;
  meaning: string;
  origin: MeaningOrigin;
  count: number;
}

export interface DateFailure {
  column: string;
  count: number;
  /** the first value that could not be read, and its line */
  example: string;
  line: number;
}

const maxTallied = 500;

export interface RowReaderOptions {
  plan: ColumnPlan;
  dates: ExportDates;
  meanings: ValueMeanings;
  interner: Interner;
  /** decimal mark of amounts (`,` in semicolon files) */
  decimal: "." | ",";
}

export type RowResult<Record> = { ok: true; record: Record } | { ok: false; skip: RowSkip };

abstract class RowReader {
  readonly tallies = new Map<string, ValueTally>();
  /** the same tallies by field and value, found without building a key per row */
  readonly #talliesByField = new Map<ExportField, Map<string, ValueTally>>();
  readonly dateFailures = new Map<string, DateFailure>();
  /**
   * Each field's column position, -1 when the file has none: one named property per field,
   * resolved once, where looking the field's name up for each value of each row was a fifth of
   * reading a row.
   */
  protected readonly at: Readonly<Record<ExportField, number>>;

  constructor(protected readonly options: RowReaderOptions) {
    const at = {} as Record<ExportField, number>;
    for (const field of [...leadFields, ...opportunityFields])
      at[field] = options.plan.index[field] ?? -1;
    this.at = at;
  }

  /** The trimmed value at column position `at`; null when empty or the file has no such column. */
  protected text(values: readonly string[], at: number): string | null {
    if (at < 0) return null;
    const value = values[at];
    if (value === undefined || value === "") return null;
    // Most values have no space at either end: printable ASCII at both ends can't be trimmed.
    const first = value.charCodeAt(0);
    const last = value.charCodeAt(value.length - 1);
    if (first > 32 && first < 127 && last > 32 && last < 127) return value;
    const trimmed = value.trim();
    return trimmed === "" ? null : trimmed;
  }

  protected interned(values: readonly string[], at: number): string | null {
    const text = this.text(values, at);
    return text === null ? null : this.options.interner.get(text);
  }

  protected date(values: readonly string[], position: number, line: number): number | null {
    const text = this.text(values, position);
    if (text === null) return null;
    const at = this.options.dates.parse(text);
    if (at !== undefined) return at;
    const column = this.columnAt(position);
    const known = this.dateFailures.get(column);
    if (known === undefined)
      this.dateFailures.set(column, { column, count: 1, example: text, line });
    else known.count++;
    return null;
  }

  protected column(field: ExportField): string {
    return this.options.plan.used.find((use) => use.field === field)?.column ?? field;
  }

  /** The header of the column at `position`. */
  protected columnAt(position: number): string {
    const use = this.options.plan.used.find((entry) => entry.index === position);
    return use?.column ?? String(position);
  }

  protected tally(field: ExportField, value: string, meaning: string, origin: MeaningOrigin): void {
    let values = this.#talliesByField.get(field);
    if (values === undefined) {
      values = new Map();
      this.#talliesByField.set(field, values);
    }
    const known = values.get(value);
    if (known !== undefined) known.count++;
    else if (this.tallies.size < maxTallied) {
      const tally = { field, column: this.column(field), value, meaning, origin, count: 1 };
      values.set(value, tally);
      this.tallies.set(`${field}\u0000${value}`, tally);
    }
  }

  protected bool(values: readonly string[], at: number): boolean | null {
    const text = this.text(values, at);
    if (text === null) return null;
    const folded = text.toLowerCase();
    if (["true", "1", "yes", "y", "x", "wahr", "vrai", "checked"].includes(folded)) return true;
    if (["false", "0", "no", "n", "falsch", "faux", "unchecked"].includes(folded)) return false;
    return null;
  }

  /** A row with more or fewer values than the header is malformed: its values cannot be trusted. */
  protected malformed(values: readonly string[], line: number): RowSkip | undefined {
    const expected = this.options.plan.columns;
    if (values.length === expected) return undefined;
    return {
      line,
      reason: `the row has ${values.length} value${values.length === 1 ? "" : "s"} but the header has ${expected} (a value with an unquoted delimiter, or a broken line)`,
    };
  }

  protected required(
    values: readonly string[],
    line: number,
  ): RowSkip | { id: string; createdAt: number } {
    const id = this.text(values, this.at.id);
    if (id === null) return { line, reason: `no id in column ${this.column("id")}` };
    const createdText = this.text(values, this.at.createdAt);
    if (createdText === null)
      return { line, reason: `no created date in column ${this.column("createdAt")}` };
    const createdAt = this.options.dates.parse(createdText);
    if (createdAt === undefined)
      return {
        line,
        reason: `the created date '${createdText}' in column ${this.column("createdAt")} is not a date this export's formats read`,
      };
    return { id, createdAt };
  }
}

/** Adds the stage at `at` unless the lead has an entry for it already or `at` is unknown. */
function addStage(stages: StageEntry[], stage: string, at: number | null): void {
  if (at === null) return;
  for (const entry of stages) if (entry.stage === stage) return;
  stages.push({ stage, at });
}

/** Status meanings that are a stage of their own, and the stage. */
const statusStage: Partial<Record<LeadStatusMeaning, string>> = {
  mql: auditStages.mql,
  working: auditStages.working,
  sql: auditStages.sql,
  opportunity: auditStages.opportunity,
  won: auditStages.won,
  converted: auditStages.opportunity,
  disqualified: auditStages.disqualified,
  rejected: auditStages.disqualified,
  recycled: auditStages.recycled,
};

/** Funnel position, to order stage entries that share an instant. */
const stageRank: Record<string, number> = {
  new: 0,
  mql: 1,
  working: 2,
  sql: 3,
  opportunity: 4,
  won: 5,
  lost: 5,
  disqualified: 6,
  recycled: 6,
};

/** Entries by instant, then by funnel position. */
function byStageOrder(a: StageEntry, b: StageEntry): number {
  return a.at - b.at || (stageRank[a.stage] ?? 9) - (stageRank[b.stage] ?? 9);
}

/** Whether the entries are in that order already, as most rows' are (sorting them costs more). */
function inStageOrder(stages: readonly StageEntry[]): boolean {
  for (let index = 1; index < stages.length; index++)
    if (byStageOrder(stages[index - 1]!, stages[index]!) > 0) return false;
  return true;
}

export class LeadRowReader extends RowReader {
  /** true when the export dates no MQL moment: every lead is an MQL at its creation */
  readonly mqlAtCreation: boolean;

  constructor(options: RowReaderOptions) {
    super(options);
    this.mqlAtCreation =
      options.plan.index.mqlAt === undefined && options.plan.format.id !== "hubspot-contacts";
  }

  read(values: readonly string[], line: number): RowResult<LeadHistory> {
    const malformed = this.malformed(values, line);
    if (malformed !== undefined) return { ok: false, skip: malformed };
    const base = this.required(values, line);
    if ("reason" in base) return { ok: false, skip: base };
    const { id, createdAt } = base;
    const stages: StageEntry[] = [{ stage: auditStages.new, at: createdAt }];
    if (this.mqlAtCreation) addStage(stages, auditStages.mql, createdAt);
    addStage(stages, auditStages.mql, this.date(values, this.at.mqlAt, line));
    addStage(stages, auditStages.sql, this.date(values, this.at.sqlAt, line));
    const convertedAt = this.date(values, this.at.convertedAt, line);
    addStage(
      stages,
      auditStages.opportunity,
      this.date(values, this.at.opportunityAt, line) ?? convertedAt,
    );
    addStage(stages, auditStages.won, this.date(values, this.at.wonAt, line));

    let latest = createdAt;
    for (const entry of stages) if (entry.at > latest) latest = entry.at;
    const statusAt = this.date(values, this.at.statusAt, line) ?? latest;
    const decisions: LeadDecision[] = [];
    const reasonText = this.interned(values, this.at.reason);

    const lifecycle = this.text(values, this.at.lifecycleStage);
    if (lifecycle !== null) {
      const meaning = this.options.meanings.lifecycle(lifecycle);
      this.tally("lifecycleStage", lifecycle, meaning.meaning ?? "unmapped", meaning.origin);
      const stage = meaning.meaning === null ? undefined : statusStage[meaning.meaning];
      if (stage !== undefined) addStage(stages, stage, statusAt);
    }
    const status = this.text(values, this.at.status);
    let meaning: LeadStatusMeaning | null = null;
    let statusReason: string | null = null;
    if (status !== null) {
      const found = this.options.meanings.status(status);
      this.tally("status", status, found.meaning ?? "unmapped", found.origin);
      meaning = found.meaning;
      statusReason = found.reason === null ? null : this.options.interner.get(found.reason);
    }
    if (this.bool(values, this.at.converted) === true) meaning = "converted";
    if (meaning !== null) {
      const stage = statusStage[meaning];
      const at = meaning === "converted" ? (convertedAt ?? statusAt) : statusAt;
      if (stage !== undefined) addStage(stages, stage, at);
      switch (meaning) {
        case "working":
        case "sql":
        case "opportunity":
        case "won":
          decisions.push({ kind: "accept", at, reason: null });
          break;
        case "converted":
          decisions.push({ kind: "convert", at, reason: null });
          break;
        case "disqualified":
        case "rejected":
          decisions.push({ kind: "reject", at, reason: reasonText ?? statusReason });
          break;
        case "recycled":
          decisions.push({ kind: "recycle", at, reason: reasonText ?? statusReason });
          break;
        default:
          break;
      }
    }
    // An opportunity or a customer was sales-qualified, whether or not the CRM dated it.
    if (!stages.some((entry) => entry.stage === auditStages.sql)) {
      let past: number | null = null;
      for (const entry of stages)
        if (entry.stage === auditStages.opportunity || entry.stage === auditStages.won)
          past = past === null ? entry.at : Math.min(past, entry.at);
      if (past !== null) stages.push({ stage: auditStages.sql, at: past });
    }
    if (!inStageOrder(stages)) stages.sort(byStageOrder);
    const current = stages[stages.length - 1]!;
    const owner = this.interned(values, this.at.owner);
    const team = this.interned(values, this.at.team);
    const firstTouch = this.date(values, this.at.firstTouchAt, line);
    const opportunityText = this.text(values, this.at.opportunityId);
    return {
      ok: true,
      record: {
        id,
        createdAt,
        source: this.interned(values, this.at.source),
        campaign: this.interned(values, this.at.campaign),
        segment: this.interned(values, this.at.segment),
        owner,
        team,
        stage: current.stage,
        stageEnteredAt: current.at,
        // kept at its length: the list grew by push, which leaves room for 17 entries
        stages: stages.slice(),
        assignments: owner === null ? none : [{ at: createdAt, owner, team }],
        touches: firstTouch === null ? none : [firstTouch],
        lastActivityAt: this.date(values, this.at.lastActivityAt, line),
        decisions: decisions.length === 0 ? none : decisions,
        contextComplete: null,
        marketingTouches: none,
        opportunityIds: opportunityText === null ? none : splitIds(opportunityText),
      },
    };
  }
}

export class OpportunityRowReader extends RowReader {
  /** `leadId` is the export's own reference (a lead or contact id), checked when leads are joined. */
  read(values: readonly string[], line: number): RowResult<OpportunityHistory> {
    const malformed = this.malformed(values, line);
    if (malformed !== undefined) return { ok: false, skip: malformed };
    const base = this.required(values, line);
    if ("reason" in base) return { ok: false, skip: base };
    const { id, createdAt } = base;
    const stageText = this.interned(values, this.at.stage);
    let outcome: "won" | "lost" | null = null;
    if (stageText !== null) {
      const meaning = this.options.meanings.stage(stageText);
      this.tally("stage", stageText, meaning.meaning ?? "open (unmapped)", meaning.origin);
      if (meaning.meaning === "won" || meaning.meaning === "lost") outcome = meaning.meaning;
    }
    const closed = this.bool(values, this.at.closed);
    const won = this.bool(values, this.at.won);
    if (closed === true && won !== null) outcome = won ? "won" : "lost";
    else if (closed === false) outcome = null;
    const closeDate = this.date(values, this.at.closedAt, line);
    const closedAt = outcome === null ? null : (closeDate ?? createdAt);
    // An open opportunity is in its exported stage; a closed one is known only to have been
    // opened at creation and closed at its close date.
    const stages: StageEntry[] =
      outcome === null || closedAt === null
        ? [{ stage: stageText ?? auditStages.opportunity, at: createdAt }]
        : [
            { stage: auditStages.opportunity, at: createdAt },
            { stage: outcome === "won" ? auditStages.won : auditStages.lost, at: closedAt },
          ];
    const leadText = this.text(values, this.at.leadId);
    return {
      ok: true,
      record: {
        id,
        leadId: leadText === null ? null : (splitIds(leadText)[0] ?? null),
        createdAt,
        closedAt,
        outcome,
        amount: this.amount(values),
        stages,
        source: this.interned(values, this.at.source),
        campaign: this.interned(values, this.at.campaign),
        segment: this.interned(values, this.at.segment),
        owner: this.interned(values, this.at.owner),
        team: this.interned(values, this.at.team),
        reason: outcome === "lost" ? this.interned(values, this.at.reason) : null,
      },
    };
  }

  amount(values: readonly string[]): number | null {
    const text = this.text(values, this.at.amount);
    if (text === null) return null;
    return parseAmount(text, this.options.decimal);
  }
}

/** An amount as exports write it: `12,500.00`, `12.500,00` (decimal comma), `$ 12,500`, `EUR 900`. */
export function parseAmount(text: string, decimal: "." | ","): number | null {
  let compact = text.replace(/[\s\u00a0\u202f]|[A-Za-z$€£¥]/g, "");
  const thousands = decimal === "." ? "," : ".";
  compact = compact.split(thousands).join("");
  if (decimal === ",") compact = compact.replace(",", ".");
  if (!/^[+-]?\d+(\.\d+)?$/.test(compact)) return null;
  return Number(compact);
}

/** Ids in one cell: HubSpot writes several associations separated by `;` or `,`. */
export function splitIds(text: string): string[] {
  return text
    .split(/[;,]/)
    .map((part) => part.trim())
    .filter((part) => part !== "");
}

/** Fields read as dates, for the "understood" section. */
export function isDateField(field: ExportField): boolean {
  return dateFields.has(field);
}
