import {
  type Document,
  isMap,
  isNode,
  isScalar,
  isSeq,
  LineCounter,
  type Node,
  parseDocument,
} from "yaml";
import type { AgreementIssue, IssuePath, LocatedIssue } from "./agreement-issue.js";

/**
 * A parsed YAML document that remembers where every node came from, so an issue found on the
 * plain data (by path) can be reported at the file's line and column.
 */
export interface YamlSource {
  file: string;
  text: string;
  document: Document.Parsed;
  lineCounter: LineCounter;
}

export function parseYaml(
  file: string,
  text: string,
): { source: YamlSource; syntax: LocatedIssue[] } {
  const lineCounter = new LineCounter();
  const document = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: true });
  const source = { file, text, document, lineCounter };
  const syntax = [...document.errors, ...document.warnings].map((error): LocatedIssue => {
    const position = lineCounter.linePos(error.pos[0]);
    const message = describeYamlError(error.message, error.pos[0], text);
    return {
      file,
      line: position.line,
      column: position.col,
      severity: document.errors.includes(error) ? "error" : "warning",
      code: "syntax",
      path: [],
      message,
      hint: message.startsWith("duplicate key")
        ? "keep one of them"
        : "fix the YAML syntax at this position (indentation, quoting, a missing ':')",
    };
  });
  return { source, syntax };
}

/** The YAML library's first line, with the key named when it is a duplicate. */
function describeYamlError(message: string, offset: number, text: string): string {
  const first = message.split("\n")[0] ?? message;
  if (first.startsWith("Map keys must be unique")) {
    const key = /^\s*["']?([^"':\n]+)/.exec(text.slice(offset))?.[1]?.trim();
    return key ? `duplicate key '${key}': each key may appear once in a mapping` : first;
  }
  return first;
}

/**
 * The node an issue path points to. A path may name a key that is absent (a required field left
 * out) or that is itself the problem (an unknown key): the first is reported at its parent, the
 * second at the key.
 */
function nodeRange(source: YamlSource, path: IssuePath, unknownKey?: string): [number, number] {
  let node: unknown = source.document.contents;
  let range: [number, number] = [0, 0];
  const remember = (value: unknown) => {
    if (isNode(value) && value.range) range = [value.range[0], value.range[1]];
  };
  remember(node);
  for (const part of path) {
    if (isMap(node)) {
      const pair = node.items.find(
        (item) => isScalar(item.key) && String(item.key.value) === String(part),
      );
      if (!pair) return range;
      remember(pair.key);
      if (pair.value === null) return range;
      node = pair.value;
    } else if (isSeq(node) && typeof part === "number") {
      const item = node.items[part];
      if (item === undefined) return range;
      node = item;
    } else {
      return range;
    }
    remember(node);
  }
  if (unknownKey !== undefined && isMap(node)) {
    const pair = node.items.find(
      (item) => isScalar(item.key) && String(item.key.value) === unknownKey,
    );
    if (pair && isNode(pair.key) && pair.key.range) return [pair.key.range[0], pair.key.range[1]];
  }
  return range;
}

/** Offset of character `offset` of a scalar's value, skipping an opening quote. */
function valueOffset(source: YamlSource, start: number, offset: number): number {
  const first = source.text[start];
  const quoted = first === '"' || first === "'";
  const blockScalar = first === "|" || first === ">";
  if (blockScalar) {
    const newline = source.text.indexOf("\n", start);
    let cursor = newline + 1;
    while (source.text[cursor] === " ") cursor++;
    return cursor + offset;
  }
  return start + (quoted ? 1 : 0) + offset;
}

export function locate(
  source: YamlSource,
  issue: AgreementIssue,
  unknownKey?: string,
): LocatedIssue {
  const lookup = unknownKey !== undefined ? issue.path.slice(0, -1) : issue.path;
  const [start] = nodeRange(source, lookup, unknownKey);
  const at = issue.offset !== undefined ? valueOffset(source, start, issue.offset) : start;
  const position = source.lineCounter.linePos(at);
  return { ...issue, file: source.file, line: position.line, column: position.col };
}

export type { Node };
