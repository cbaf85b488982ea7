import type { Agreement } from "./agreement-schema.js";

/**
 * A change in meaning between two agreement versions. `path` locates it in the document;
 * `summary` says it the way marketing and sales talk about it ("first-touch goal 240 → 120
 * business minutes"), never as a text diff.
 */
export interface AgreementChange {
  kind: "added" | "removed" | "changed" | "moved";
  path: (string | number)[];
  section: string;
  summary: string;
  before?: unknown;
  after?: unknown;
}

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type Path = (string | number)[];

interface RawChange {
  kind: AgreementChange["kind"];
  path: Path;
  before?: Json;
  after?: Json;
}

/** Describes every change from `before` to `after`, in document order. */
export function diffAgreements(before: Agreement, after: Agreement): AgreementChange[] {
  const raw: RawChange[] = [];
  compare(before as unknown as Json, after as unknown as Json, [], raw);
  const context = { before, after };
  return raw.map((change) => ({
    kind: change.kind,
    path: change.path,
    section: String(change.path[0] ?? "document"),
    summary: describe(change, context),
    ...(change.before !== undefined ? { before: change.before } : {}),
    ...(change.after !== undefined ? { after: change.after } : {}),
  }));
}

/**
 * The identity of a list item, so lists are compared item by item whatever their order: `id`
 * where there is one, else what names the item to its readers (a transition by its action and
 * stages, a pool member by rep, a holiday by date, an escalation rung by when it fires).
 */
function itemKey(item: Json): string | undefined {
  if (!isObject(item)) return undefined;
  if (typeof item.id === "string") return item.id;
  if (typeof item.rep === "string") return item.rep;
  if (typeof item.action === "string" && item.from !== undefined)
    return `${item.action} from ${[item.from].flat().join("/")}`;
  if (typeof item.date === "string")
    return `${item.date}${typeof item.from === "string" ? ` ${item.from}` : ""}`;
  if (item.at !== undefined) return `at ${describeAt(item.at)}`;
  return undefined;
}

function describeAt(at: Json): string {
  if (at === "breach") return "breach";
  if (isObject(at) && typeof at.warning === "number") return `warning ${at.warning} %`;
  if (isObject(at) && typeof at.after_breach_minutes === "number")
    return `${at.after_breach_minutes} minutes after breach`;
  return JSON.stringify(at);
}

/** Keys of a list whose items all have distinct keys; undefined otherwise. */
function keysOf(list: Json[]): string[] | undefined {
  const keys = list.map(itemKey);
  if (keys.some((key) => key === undefined)) return undefined;
  return new Set(keys).size === keys.length ? (keys as string[]) : undefined;
}

function isScalarList(value: Json[]): boolean {
  return value.every((item) => item === null || typeof item !== "object");
}

/** Keys whose values are CEL expressions: compared as expressions, not as text. */
const expressionKeys = new Set(["when", "where", "segment", "pause_when"]);

/** Whitespace outside string literals carries no meaning in an expression. */
export function normaliseExpression(source: string): string {
  let out = "";
  let quote: string | undefined;
  for (let index = 0; index < source.length; index++) {
    const character = source[index]!;
    if (quote !== undefined) {
      out += character;
      if (character === "\\") out += source[++index] ?? "";
      else if (character === quote) quote = undefined;
    } else if (character === '"' || character === "'") {
      quote = character;
      out += character;
    } else if (!/\s/.test(character)) {
      out += character;
    }
  }
  return out;
}

function sameValue(a: Json, b: Json, path: Path): boolean {
  const isExpression = path.some((part) => typeof part === "string" && expressionKeys.has(part));
  if (isExpression && typeof a === "string" && typeof b === "string")
    return normaliseExpression(a) === normaliseExpression(b);
  return JSON.stringify(a) === JSON.stringify(b);
}

function compare(a: Json | undefined, b: Json | undefined, path: Path, out: RawChange[]): void {
  if (a === undefined && b === undefined) return;
  if (a === undefined) return void out.push({ kind: "added", path, after: b as Json });
  if (b === undefined) return void out.push({ kind: "removed", path, before: a });
  if (Array.isArray(a) && Array.isArray(b)) {
    const keysA = a.length === 0 ? [] : keysOf(a);
    const keysB = b.length === 0 ? [] : keysOf(b);
    if (
      keysA !== undefined &&
      keysB !== undefined &&
      (a.length > 0 || b.length > 0) &&
      !(isScalarList(a) && isScalarList(b))
    ) {
      compareKeyedLists(a, keysA, b, keysB, path, out);
      return;
    }
    if (isScalarList(a) && isScalarList(b)) {
      const removed = a.filter((item) => !b.some((other) => sameValue(other, item, path)));
      const added = b.filter((item) => !a.some((other) => sameValue(other, item, path)));
      if (removed.length === 1 && added.length === 1) {
        // one value swapped for another reads as a change, not a removal and an addition
        out.push({ kind: "changed", path, before: removed[0] as Json, after: added[0] as Json });
        return;
      }
      for (const item of removed) out.push({ kind: "removed", path, before: item });
      for (const item of added) out.push({ kind: "added", path, after: item });
      if (removed.length === 0 && added.length === 0 && JSON.stringify(a) !== JSON.stringify(b))
        out.push({ kind: "moved", path, before: a, after: b });
      return;
    }
    const length = Math.max(a.length, b.length);
    for (let index = 0; index < length; index++) compare(a[index], b[index], [...path, index], out);
    return;
  }
  if (isObject(a) && isObject(b)) {
    // Two forms with nothing in common (`{ queue: x }` → `{ pool: y }`) are one change.
    if (
      !Object.keys(a).some((key) => key in b) &&
      Object.keys(a).length + Object.keys(b).length > 0
    )
      return void out.push({ kind: "changed", path, before: a, after: b });
    const keys = [...new Set([...Object.keys(a), ...Object.keys(b)])];
    for (const key of keys) compare(a[key], b[key], [...path, key], out);
    return;
  }
  if (
    isObject(a) !== isObject(b) ||
    Array.isArray(a) !== Array.isArray(b) ||
    !sameValue(a, b, path)
  )
    out.push({ kind: "changed", path, before: a, after: b });
}

function compareKeyedLists(
  a: Json[],
  keysA: string[],
  b: Json[],
  keysB: string[],
  path: Path,
  out: RawChange[],
): void {
  for (const [index, item] of a.entries()) {
    const key = keysA[index]!;
    const matchIndex = keysB.indexOf(key);
    if (matchIndex === -1) out.push({ kind: "removed", path: [...path, key], before: item });
    else compare(item, b[matchIndex], [...path, key], out);
  }
  for (const [index, item] of b.entries()) {
    const key = keysB[index]!;
    if (!keysA.includes(key)) out.push({ kind: "added", path: [...path, key], after: item });
  }
  const common = keysA.filter((key) => keysB.includes(key));
  const commonAfter = keysB.filter((key) => keysA.includes(key));
  if (common.join("\u0000") !== commonAfter.join("\u0000"))
    out.push({ kind: "moved", path, before: common, after: commonAfter });
}

function isObject(value: Json): value is { [key: string]: Json } {
  return value !== null && typeof value === "object" && !Array.isArray(value);
}

interface DescribeContext {
  before: Agreement;
  after: Agreement;
}

const singular: Record<string, string> = {
  teams: "team",
  people: "person",
  calendars: "calendar",
  regions: "region",
  pools: "pool",
  queues: "queue",
  groups: "score group",
  rules: "rule",
  stages: "stage",
  transitions: "transition",
  goals: "goal",
  steps: "SLA step",
  reviews: "review",
  holidays: "holiday",
  members: "member",
};

/** A value as the YAML reader wrote it: `queue: sdr-queue`, `[owner, manager]`. */
function compact(value: Json): string {
  if (Array.isArray(value)) return `[${value.map(compact).join(", ")}]`;
  if (isObject(value))
    return Object.entries(value)
      .map(
        ([key, inner]) => `${key}: ${isObject(inner) ? `{ ${compact(inner)} }` : compact(inner)}`,
      )
      .join(", ");
  return typeof value === "string" ? value : JSON.stringify(value);
}

function show(value: Json | undefined): string {
  if (value === undefined) return "(none)";
  if (typeof value === "string") return `'${value}'`;
  if (isObject(value) && typeof value.id !== "string") return `{ ${compact(value)} }`;
  if (
    value !== null &&
    typeof value === "object" &&
    !Array.isArray(value) &&
    typeof value.id === "string"
  )
    return `'${value.id}'`;
  return JSON.stringify(value);
}

function humanPath(path: Path): string {
  return path
    .map((part) => (typeof part === "number" ? `#${part + 1}` : part.replaceAll("_", " ")))
    .join(" › ");
}

/** Phrases for the changes people argue about; everything else gets a precise generic sentence. */
function describe(change: RawChange, context: DescribeContext): string {
  const { path, kind, before, after } = change;
  const [section, second, third, fourth, fifth, sixth] = path;

  if (section === "sla" && second === "steps" && typeof third === "string") {
    const step = third;
    if (
      fourth === "goals" &&
      typeof fifth === "string" &&
      sixth === "target_minutes" &&
      kind === "changed"
    ) {
      const goal = findGoal(context.after, step, fifth);
      const unit =
        goal?.calendar === "always" || isAlwaysOpen(context.after, goal?.calendar)
          ? "minutes"
          : "business minutes";
      return `SLA step '${step}' goal '${fifth}': target ${String(before)} → ${String(after)} ${unit}`;
    }
    if (
      fourth === "goals" &&
      typeof fifth === "string" &&
      sixth === "calendar" &&
      kind === "changed"
    )
      return `SLA step '${step}' goal '${fifth}': calendar ${show(before)} → ${show(after)}`;
    if (fourth === "goals" && typeof fifth === "string" && path.length === 5)
      return `SLA step '${step}': goal '${fifth}' ${kind === "added" ? `added (${goalText(after)})` : kind === "removed" ? `removed (was ${goalText(before)})` : kind}`;
    if (fourth === "goals" && kind === "moved")
      return `SLA step '${step}': goals reordered (${(after as string[]).join(", ")}); the first matching goal applies`;
    if (fourth === "warnings" && (kind === "added" || kind === "removed") && path.length === 5)
      return `SLA step '${step}': warning at ${String(after ?? before)}${fifth === "percent" ? " %" : " minutes before due"} ${kind}`;
    if (path.length === 3 && (kind === "added" || kind === "removed"))
      return `SLA step '${step}' ${kind}`;
  }
  if (section === "calendars" && typeof second === "string" && third === "hours") {
    const day = typeof fourth === "string" ? ` ${fourth}` : "";
    const form = (value: Json | undefined) =>
      value === undefined ? "closed" : typeof value === "string" ? value : compact(value);
    if (kind === "changed")
      return `calendar '${second}' hours${day}: ${form(before)} → ${form(after)}`;
    if (kind === "added" || kind === "removed")
      return `calendar '${second}' hours${day}: ${form(kind === "added" ? after : before)} ${kind}`;
  }
  if (
    section === "sla" &&
    second === "steps" &&
    typeof third === "string" &&
    fourth === "escalation" &&
    typeof fifth === "string" &&
    path.length === 5 &&
    (kind === "added" || kind === "removed")
  ) {
    const rung = (kind === "added" ? after : before) as { [key: string]: Json } | undefined;
    return `SLA step '${third}': escalation ${fifth} (${rung?.actions ? compact(rung.actions) : ""}) ${kind}`;
  }
  if (
    section === "reasons" &&
    typeof second === "string" &&
    typeof third === "string" &&
    path.length === 3 &&
    (kind === "added" || kind === "removed")
  )
    return `${second} reason '${third}' ${kind}`;
  if (section === "qualification") {
    if (
      second === "rules" &&
      typeof third === "string" &&
      fourth === "points" &&
      kind === "changed"
    )
      return `qualification rule '${third}': ${String(before)} → ${String(after)} points`;
    if (second === "rules" && typeof third === "string" && fourth === "when" && kind === "changed")
      return `qualification rule '${third}': condition ${show(before)} → ${show(after)}`;
    if (second === "rules" && typeof third === "string" && path.length === 3)
      return `qualification rule '${third}' ${kind}`;
    if (
      second === "thresholds" &&
      typeof third === "string" &&
      fourth === "score" &&
      kind === "changed"
    )
      return `${third.toUpperCase()} threshold ${String(before)} → ${String(after)} points`;
    if (second === "groups" && typeof third === "string" && fourth === "cap" && kind === "changed")
      return `score group '${third}' cap ${String(before)} → ${String(after)} points`;
  }
  if (section === "routing") {
    if (second === "rules" && kind === "moved")
      return `routing rules reordered: ${(after as string[]).join(" → ")} (first match wins)`;
    if (second === "rules" && typeof third === "string" && path.length === 3)
      return `routing rule '${third}' ${kind}`;
    if (
      second === "pools" &&
      typeof third === "string" &&
      fourth === "members" &&
      typeof fifth === "number"
    ) {
      const member = (kind === "removed" ? before : after) as { rep?: string } | undefined;
      if (path.length === 5 && member?.rep) return `pool '${third}': rep '${member.rep}' ${kind}`;
    }
  }
  if (
    section === "commitments" &&
    typeof second === "string" &&
    typeof third === "string" &&
    (fourth === "min" || fourth === "max") &&
    kind === "changed"
  )
    return `${second} commitment '${third}': ${fourth === "min" ? "at least" : "at most"} ${asTarget(context, second, third, before)} → ${asTarget(context, second, third, after)}`;
  if (
    section === "approvers" &&
    typeof second === "string" &&
    (kind === "added" || kind === "removed")
  )
    return `${second} approver ${show(kind === "added" ? after : before)} ${kind}`;

  const where = humanPath(path);
  const noun =
    typeof path[path.length - 2] === "string" ? singular[String(path[path.length - 2])] : undefined;
  switch (kind) {
    case "added":
      return noun && typeof path[path.length - 1] === "string"
        ? `${noun} '${String(path[path.length - 1])}' added (${humanPath(path.slice(0, -1))})`
        : `${where}: ${show(after)} added`;
    case "removed":
      return noun && typeof path[path.length - 1] === "string"
        ? `${noun} '${String(path[path.length - 1])}' removed (${humanPath(path.slice(0, -1))})`
        : `${where}: ${show(before)} removed`;
    case "moved":
      return `${where}: order changed to ${JSON.stringify(after)}`;
    default:
      return `${where}: ${show(before)} → ${show(after)}`;
  }
}

/** A commitment target as people say it: rates in percent, counts as counts. */
function asTarget(
  context: DescribeContext,
  side: string,
  id: string,
  value: Json | undefined,
): string {
  const commitments =
    side === "marketing" || side === "sales" ? context.after.commitments[side] : [];
  const metric = commitments.find((commitment) => commitment.id === id)?.metric ?? "";
  const isRate =
    metric.endsWith("_rate") ||
    metric === "sla_attainment" ||
    metric.endsWith("_coverage") ||
    metric.endsWith("_completeness");
  return isRate && typeof value === "number" ? `${Math.round(value * 1000) / 10} %` : String(value);
}

function findGoal(agreement: Agreement, stepId: string, goalId: string) {
  const step = agreement.sla.steps.find((candidate) => candidate.id === stepId);
  return step?.kind === "clock" ? step.goals.find((goal) => goal.id === goalId) : undefined;
}

function isAlwaysOpen(agreement: Agreement, calendar: string | undefined): boolean {
  return calendar !== undefined && agreement.calendars[calendar]?.hours === "24/7";
}

function goalText(goal: Json | undefined): string {
  if (!isObject(goal ?? null)) return show(goal);
  const value = goal as { [key: string]: Json };
  const target =
    value.target_business_days !== undefined
      ? `${String(value.target_business_days)} business days`
      : `${String(value.target_minutes)} minutes`;
  return `${target} on ${show(value.calendar)}${value.when ? ` when ${String(value.when)}` : ""}`;
}
