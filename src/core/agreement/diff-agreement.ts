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

/** Lists of objects with an `id` are compared by id (so a reorder is a move, not a rewrite). */
function isIdList(value: Json[]): value is { id: string }[] & Json[] {
  return (
    value.length > 0 &&
    value.every(
      (item) =>
        item !== null &&
        typeof item === "object" &&
        !Array.isArray(item) &&
        typeof item.id === "string",
    )
  );
}

function isScalarList(value: Json[]): boolean {
  return value.every((item) => item === null || typeof item !== "object");
}

function compare(a: Json | undefined, b: Json | undefined, path: Path, out: RawChange[]): void {
  if (a === undefined && b === undefined) return;
  if (a === undefined) return void out.push({ kind: "added", path, after: b as Json });
  if (b === undefined) return void out.push({ kind: "removed", path, before: a });
  if (Array.isArray(a) && Array.isArray(b)) {
    if (
      (isIdList(a) || a.length === 0) &&
      (isIdList(b) || b.length === 0) &&
      (a.length > 0 || b.length > 0)
    ) {
      compareIdLists(a as { id: string }[], b as { id: string }[], path, out);
      return;
    }
    if (isScalarList(a) && isScalarList(b)) {
      const removed = a.filter((item) => !b.some((other) => other === item));
      const added = b.filter((item) => !a.some((other) => other === item));
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
    const keys = [...new Set([...Object.keys(a), ...Object.keys(b)])];
    for (const key of keys) compare(a[key], b[key], [...path, key], out);
    return;
  }
  if (JSON.stringify(a) !== JSON.stringify(b))
    out.push({ kind: "changed", path, before: a, after: b });
}

function compareIdLists(
  a: { id: string }[],
  b: { id: string }[],
  path: Path,
  out: RawChange[],
): void {
  const beforeIds = a.map((item) => item.id);
  const afterIds = b.map((item) => item.id);
  for (const item of a) {
    const match = b.find((other) => other.id === item.id);
    if (!match) out.push({ kind: "removed", path: [...path, item.id], before: item as Json });
    else compare(item as Json, match as Json, [...path, item.id], out);
  }
  for (const item of b) {
    if (!beforeIds.includes(item.id))
      out.push({ kind: "added", path: [...path, item.id], after: item as Json });
  }
  const common = beforeIds.filter((id) => afterIds.includes(id));
  const commonAfter = afterIds.filter((id) => beforeIds.includes(id));
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

function show(value: Json | undefined): string {
  if (value === undefined) return "(none)";
  if (typeof value === "string") return `'${value}'`;
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
    return `${second} commitment '${third}': ${fourth === "min" ? "at least" : "at most"} ${String(before)} → ${String(after)}`;
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
