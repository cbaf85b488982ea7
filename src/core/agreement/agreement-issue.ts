/**
 * One problem found in an agreement file. Every check reports all of its problems at once, each
 * pointing at the YAML node that causes it, so an author fixes the file in one pass.
 */
export type IssuePath = readonly (string | number)[];

export interface AgreementIssue {
  severity: "error" | "warning";
  /** a stable code for scripts: syntax, schema, reference, expression, calendar, lifecycle, … */
  code: string;
  path: IssuePath;
  message: string;
  /** how to fix it, when the message alone does not say */
  hint?: string;
  /** for expression issues: offset of the problem inside the expression text */
  offset?: number;
}

export interface LocatedIssue extends AgreementIssue {
  file: string;
  /** 1-based */
  line: number;
  /** 1-based */
  column: number;
}

/** `routing.rules[2].to` — the field as an author reads it. */
export function formatPath(path: IssuePath): string {
  let out = "";
  for (const part of path) {
    if (typeof part === "number") out += `[${part}]`;
    else out += out === "" ? part : `.${part}`;
  }
  return out === "" ? "(document)" : out;
}

export function formatIssue(issue: LocatedIssue): string {
  const where = `${issue.file}:${issue.line}:${issue.column}`;
  const hint = issue.hint ? `\n    fix: ${issue.hint}` : "";
  return `${where} ${issue.severity} ${formatPath(issue.path)}: ${issue.message}${hint}`;
}

/** The closest candidate by edit distance, for "did you mean" hints; undefined when none is close. */
export function closest(word: string, candidates: Iterable<string>): string | undefined {
  let best: string | undefined;
  let bestDistance = Number.POSITIVE_INFINITY;
  for (const candidate of candidates) {
    const distance = editDistance(word.toLowerCase(), candidate.toLowerCase());
    if (distance < bestDistance) {
      best = candidate;
      bestDistance = distance;
    }
  }
  return best !== undefined && bestDistance <= Math.max(2, Math.floor(word.length / 3))
    ? best
    : undefined;
}

function editDistance(a: string, b: string): number {
  const previous = Array.from({ length: b.length + 1 }, (_, index) => index);
  for (let i = 1; i <= a.length; i++) {
    let diagonal = previous[0]!;
    previous[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const above = previous[j]!;
      previous[j] = Math.min(
        above + 1,
        previous[j - 1]! + 1,
        diagonal + (a[i - 1] === b[j - 1] ? 0 : 1),
      );
      diagonal = above;
    }
  }
  return previous[b.length]!;
}

/** "unknown pool 'x'; declared: a, b. Did you mean 'a'?" */
export function unknownReference(
  kind: string,
  name: string,
  known: readonly string[],
  /** where the names come from, when not simply "declared" ("the rejection list") */
  source?: string,
): string {
  const suggestion = closest(name, known);
  const where = source === undefined ? `declared ${kind}s` : `${kind}s in ${source}`;
  const list =
    known.length > 0
      ? `${where}: ${known.join(", ")}`
      : `no ${where.replace(/^declared /, "")} are declared`;
  return `unknown ${kind} '${name}'; ${list}${suggestion ? `. Did you mean '${suggestion}'?` : ""}`;
}
