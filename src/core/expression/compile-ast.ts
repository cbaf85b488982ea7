import type { ASTNode } from "@marcbachmann/cel-js";
import { closest } from "../agreement/agreement-issue.js";
import { childrenOf, sizeFunction } from "./cel-environment.js";
import { supportedFunctions, unknownField } from "./expression-errors.js";
import type {
  ExpressionError,
  ExpressionType,
  FrameValues,
  VariableSchema,
} from "./expression-types.js";

/**
 * Compiles a type-checked CEL tree into nested JavaScript closures, once, so evaluating is a few
 * direct calls with no tree walk, no BigInt and no allocation (literal lists become Sets,
 * constant sub-expressions are computed at compile time). Field reads are slots of a frame
 * (expression-frame.ts) filled from the record before evaluating.
 *
 * Values inside the compiled code:
 * - number, timestamp (epoch ms) and duration (ms) are JS numbers; a missing one is NaN, which
 *   makes every comparison false and every sum NaN without a branch. `!=` checks for NaN itself.
 * - string, bool and list values are `undefined` when missing.
 * - a condition used by `&&`, `||`, `!` or `? :` is true only when it is exactly `true`.
 *
 * Only the constructs listed in `supportedFunctions` and CEL's operators are compiled; anything
 * else (macros such as `exists`, maps, bytes, null, conversions) is refused with its offset
 * before type checking, so authors learn at load time, never while a lead is scored.
 */

type Reader<T> = (values: FrameValues) => T;

type NumericKind = "number" | "timestamp" | "duration";
type ScalarKind = NumericKind | "string" | "bool";

/**
 * `constant`: the value is known at compile time. `slot`: the node is a plain field read from
 * that slot, which lets comparisons read the slot directly instead of calling the reader.
 */
type Compiled =
  | { kind: NumericKind; read: Reader<number>; constant: boolean; slot?: number }
  | { kind: "string"; read: Reader<string | undefined>; constant: boolean; slot?: number }
  | {
      kind: "bool";
      read: Reader<boolean | undefined>;
      constant: boolean;
      definite: boolean;
      slot?: number;
    }
  | {
      kind: "list";
      element: ScalarKind;
      read: Reader<readonly unknown[] | undefined>;
      constant: boolean;
      slot?: number;
    }
  | { kind: "scope"; scope: string; constant: false };

/** Where compiled field reads find their values: one slot per distinct field read. */
export interface FieldSlots {
  readonly schema: VariableSchema;
  /** the slot of a declared field, allocated on first use */
  slotOf(scope: string, field: string): number;
}

type CompiledNumber = Extract<Compiled, { kind: NumericKind }>;
type CompiledString = Extract<Compiled, { kind: "string" }>;
type CompiledBool = Extract<Compiled, { kind: "bool" }>;
type CompiledList = Extract<Compiled, { kind: "list" }>;
type CompiledValue = Exclude<Compiled, { kind: "scope" }>;

const noValues: FrameValues = [];

/** Thrown inside the compiler only; `compileAst` turns it into a value. */
class CompileFailure extends Error {
  constructor(readonly problem: ExpressionError) {
    super(problem.message);
  }
}

const fail = (node: ASTNode, message: string, hint?: string): never => {
  throw new CompileFailure({
    message,
    offset: node.start,
    ...(node.end > node.start ? { length: node.end - node.start } : {}),
    ...(hint === undefined ? {} : { hint }),
  });
};

const globalFunctions = new Set(["has", "size", "timestamp", "duration"]);
const methods = new Set([
  "size",
  "contains",
  "startsWith",
  "endsWith",
  "lowerAscii",
  "upperAscii",
  "trim",
]);

/** Names authors bring from other languages, mapped to the CEL function that does the job. */
const knownAliases: Record<string, string> = {
  lowercase: "lowerAscii",
  tolowercase: "lowerAscii",
  lower: "lowerAscii",
  uppercase: "upperAscii",
  touppercase: "upperAscii",
  upper: "upperAscii",
  includes: "contains",
  length: "size",
  len: "size",
  count: "size",
};

/**
 * Refuses what Baton does not compile, before type checking (so a macro's inner literals never
 * produce a confusing type error first).
 */
export function findUnsupported(root: ASTNode): ExpressionError | undefined {
  const stack: ASTNode[] = [root];
  const problem = (node: ASTNode, message: string, hint?: string): ExpressionError => ({
    message,
    offset: node.start,
    ...(node.end > node.start ? { length: node.end - node.start } : {}),
    ...(hint === undefined ? {} : { hint }),
  });
  const functionHint = (name: string) => {
    if (name === "matches")
      return "regular expressions are not supported; use contains, startsWith or endsWith";
    const suggestion =
      knownAliases[name.toLowerCase()] ?? closest(name, [...globalFunctions, ...methods]);
    return `${suggestion ? `did you mean ${suggestion}? ` : ""}Baton supports ${supportedFunctions.join(", ")}`;
  };
  while (stack.length > 0) {
    const node = stack.pop()!;
    switch (node.op) {
      case "call":
        if (!globalFunctions.has(node.args[0]))
          return problem(
            node,
            `function ${node.args[0]}() is not supported in Baton expressions`,
            functionHint(node.args[0]),
          );
        break;
      case "rcall":
        if (!methods.has(node.args[0])) {
          // Point at the method name, not at the receiver the call node starts with.
          const name = node.args[0];
          const at = node.input.indexOf(`${name}(`, node.args[1].end);
          const offset = at >= 0 ? at : node.start;
          return {
            message: `method .${name}() is not supported in Baton expressions`,
            offset,
            length: name.length,
            hint: functionHint(name),
          };
        }
        break;
      case "map":
        return problem(
          node,
          "maps are not supported in Baton expressions",
          'use a list: lead.country in ["US", "CA"]',
        );
      case ".?":
      case "[?]":
        return problem(
          node,
          "optional access is not supported",
          "use has(lead.field) to test for presence",
        );
      case "value":
        if (node.args === null)
          return problem(
            node,
            "null is not supported; a missing field is never equal to anything",
            "test presence with has(lead.field), absence with !has(lead.field)",
          );
        if (node.args instanceof Uint8Array)
          return problem(node, "bytes literals are not supported");
        break;
    }
    stack.push(...childrenOf(node));
  }
  return undefined;
}

export type CompiledExpression = {
  evaluate: Reader<unknown>;
  test: Reader<boolean>;
  type: ExpressionType;
};

/** Compiles a tree that passed `findUnsupported` and cel-js's type check. */
export function compileAst(
  root: ASTNode,
  slots: FieldSlots,
): { ok: true; compiled: CompiledExpression } | { ok: false; error: ExpressionError } {
  try {
    const top = compileNode(root, slots);
    if (top.kind === "scope")
      return fail(
        root,
        `${top.scope} is a record; use one of its fields, e.g. ${top.scope}.${Object.keys(slots.schema[top.scope] ?? {})[0] ?? "field"}`,
      );
    return { ok: true, compiled: finish(top) };
  } catch (error) {
    if (error instanceof CompileFailure) return { ok: false, error: error.problem };
    throw error;
  }
}

function finish(top: CompiledValue): CompiledExpression {
  const test = testOf(top);
  switch (top.kind) {
    case "bool":
      return { evaluate: test, test, type: "bool" };
    case "number":
    case "timestamp":
    case "duration": {
      const read = top.read;
      return { evaluate: (values) => orUndefined(read(values)), test, type: top.kind };
    }
    case "string":
      return { evaluate: top.read, test, type: "string" };
    case "list":
      return { evaluate: top.read, test, type: `list<${top.element}>` };
  }
}

function orUndefined(value: number): number | undefined {
  return Number.isNaN(value) ? undefined : value;
}

/** A reader that is true only for `true`: missing values fail conditions. */
function testOf(node: CompiledValue): Reader<boolean> {
  if (node.kind !== "bool") return () => false;
  if (node.definite) return node.read as Reader<boolean>;
  const slot = node.slot;
  if (slot !== undefined) return (values) => values[slot] === true;
  const read = node.read;
  return (values) => read(values) === true;
}

/** Replaces a node whose inputs are all constants by its value, computed once. */
function fold<T extends CompiledValue>(node: T, inputs: readonly Compiled[]): T {
  if (!inputs.every((input) => input.constant)) return node;
  const value = node.read(noValues);
  return { ...node, read: () => value, constant: true, slot: undefined };
}

function compileNode(node: ASTNode, slots: FieldSlots): Compiled {
  switch (node.op) {
    case "value":
      return literal(node, node.args);
    case "id":
      if (Object.hasOwn(slots.schema, node.args))
        return { kind: "scope", scope: node.args, constant: false };
      return fail(node, `unknown variable '${node.args}'`);
    case ".": {
      const target = compileNode(node.args[0], slots);
      if (target.kind !== "scope") return fail(node, `${source(node.args[0])} has no fields`);
      return field(target.scope, node.args[1], node.end - node.args[1].length, slots);
    }
    case "[]":
      return index(node, node.args[0], node.args[1], slots);
    case "list":
      return list(
        node,
        node.args.map((element) => value(element, slots)),
      );
    case "&&":
    case "||":
      return logical(node.op, value(node.args[0], slots), value(node.args[1], slots), node);
    case "!_": {
      const operand = value(node.args, slots);
      const test = testOf(operand);
      return fold(
        { kind: "bool", read: (values) => !test(values), constant: false, definite: true },
        [operand],
      );
    }
    case "-_": {
      const operand = value(node.args, slots);
      if (!isNumeric(operand)) return fail(node, "'-' needs a number");
      const read = operand.read;
      return fold({ kind: operand.kind, read: (values) => -read(values), constant: false }, [
        operand,
      ]);
    }
    case "?:": {
      const [condition, whenTrue, whenFalse] = node.args.map((argument) =>
        value(argument, slots),
      ) as [CompiledValue, CompiledValue, CompiledValue];
      return conditional(condition, whenTrue, whenFalse, node);
    }
    case "==":
    case "!=":
      return equality(node.op, value(node.args[0], slots), value(node.args[1], slots), node);
    case "<":
    case "<=":
    case ">":
    case ">=":
      return ordering(node.op, value(node.args[0], slots), value(node.args[1], slots), node);
    case "in":
      return membership(value(node.args[0], slots), value(node.args[1], slots), node);
    case "+":
    case "-":
    case "*":
    case "/":
    case "%":
      return arithmetic(node.op, value(node.args[0], slots), value(node.args[1], slots), node);
    case "call":
      return call(node, node.args[0], node.args[1], slots);
    case "rcall":
      return method(
        node,
        node.args[0],
        value(node.args[1], slots),
        node.args[2].map((argument) => value(argument, slots)),
      );
    default:
      return fail(node, `'${node.op}' is not supported in Baton expressions`);
  }
}

function value(node: ASTNode, slots: FieldSlots): CompiledValue {
  const compiled = compileNode(node, slots);
  if (compiled.kind === "scope")
    return fail(
      node,
      `${compiled.scope} is a record; use one of its fields, e.g. ${compiled.scope}.${Object.keys(slots.schema[compiled.scope] ?? {})[0] ?? "field"}`,
    );
  return compiled;
}

function source(node: ASTNode): string {
  return node.input.slice(node.start, node.end);
}

function isNumeric(node: CompiledValue): node is CompiledNumber {
  return node.kind === "number" || node.kind === "timestamp" || node.kind === "duration";
}

function literal(node: ASTNode, raw: unknown): CompiledValue {
  if (typeof raw === "number") return { kind: "number", read: () => raw, constant: true };
  // Only list indexes keep CEL integers (see cel-environment.ts).
  if (typeof raw === "bigint") {
    const asNumber = Number(raw);
    return { kind: "number", read: () => asNumber, constant: true };
  }
  if (typeof raw === "string") return { kind: "string", read: () => raw, constant: true };
  if (typeof raw === "boolean")
    return { kind: "bool", read: () => raw, constant: true, definite: true };
  return fail(node, "this literal is not supported in Baton expressions");
}

/**
 * Reads one declared field from its slot. The frame stores values already normalised to the
 * field's type (see expression-frame.ts), so a read is one array access.
 */
function field(scope: string, name: string, offset: number, slots: FieldSlots): CompiledValue {
  const type = slots.schema[scope]?.[name];
  if (type === undefined) throw new CompileFailure(unknownField(scope, name, offset, slots.schema));
  const slot = slots.slotOf(scope, name);
  switch (type) {
    case "number":
    case "timestamp":
      return { kind: type, read: (values) => values[slot] as number, constant: false, slot };
    case "string":
      return {
        kind: "string",
        read: (values) => values[slot] as string | undefined,
        constant: false,
        slot,
      };
    case "bool":
      return {
        kind: "bool",
        read: (values) => values[slot] as boolean | undefined,
        constant: false,
        definite: false,
        slot,
      };
    case "list<string>":
      return {
        kind: "list",
        element: "string",
        read: (values) => values[slot] as readonly unknown[] | undefined,
        constant: false,
        slot,
      };
  }
}

function index(
  node: ASTNode,
  targetNode: ASTNode,
  indexNode: ASTNode,
  slots: FieldSlots,
): CompiledValue {
  const target = compileNode(targetNode, slots);
  if (target.kind === "scope") {
    if (indexNode.op !== "value" || typeof indexNode.args !== "string")
      return fail(
        indexNode,
        `a field of ${target.scope} is named by a quoted string, e.g. ${target.scope}["country"]`,
      );
    return field(target.scope, indexNode.args, indexNode.start, slots);
  }
  const position = value(indexNode, slots);
  if (target.kind !== "list" || position.kind !== "number")
    return fail(node, "only lists can be indexed, by a number");
  const readList = target.read;
  const readIndex = position.read;
  const element = target.element;
  const missing = missingOf(element);
  return fold(
    withKind(element, (values) => {
      const items = readList(values);
      const at = readIndex(values);
      if (items === undefined || !Number.isInteger(at) || at < 0 || at >= items.length)
        return missing;
      return items[at];
    }),
    [target, position],
  );
}

function missingOf(kind: ScalarKind): number | undefined {
  return kind === "number" || kind === "timestamp" || kind === "duration" ? Number.NaN : undefined;
}

/** A node of a scalar kind around a reader whose values already follow that kind's representation. */
function withKind(kind: ScalarKind, read: Reader<unknown>): CompiledValue {
  switch (kind) {
    case "number":
    case "timestamp":
    case "duration":
      return { kind, read: read as Reader<number>, constant: false };
    case "string":
      return { kind, read: read as Reader<string | undefined>, constant: false };
    case "bool":
      return { kind, read: read as Reader<boolean | undefined>, constant: false, definite: false };
  }
}

function list(node: ASTNode, elements: CompiledValue[]): CompiledList {
  const first = elements[0];
  if (first === undefined)
    return { kind: "list", element: "string", read: () => [], constant: true };
  if (first.kind === "list") return fail(node, "lists of lists are not supported");
  const element = first.kind;
  const readers = elements.map((item) => item.read);
  return fold(
    {
      kind: "list",
      element,
      read: (values) => readers.map((read) => read(values)),
      constant: false,
    },
    elements,
  );
}

function logical(
  operator: "&&" | "||",
  left: CompiledValue,
  right: CompiledValue,
  node: ASTNode,
): CompiledBool {
  if (left.kind !== "bool" || right.kind !== "bool")
    return fail(node, `'${operator}' combines conditions`);
  const a = testOf(left);
  const b = testOf(right);
  const read: Reader<boolean> =
    operator === "&&" ? (values) => a(values) && b(values) : (values) => a(values) || b(values);
  return fold({ kind: "bool", read, constant: false, definite: true }, [left, right]);
}

function conditional(
  condition: CompiledValue,
  whenTrue: CompiledValue,
  whenFalse: CompiledValue,
  node: ASTNode,
): CompiledValue {
  const test = testOf(condition);
  const a = whenTrue.read;
  const b = whenFalse.read;
  const read: Reader<unknown> = (values) => (test(values) ? a(values) : b(values));
  if (whenTrue.kind !== whenFalse.kind)
    return fail(node, "both branches of '? :' must have the same type");
  const inputs = [condition, whenTrue, whenFalse];
  if (whenTrue.kind === "list")
    return fold(
      {
        kind: "list",
        element: whenTrue.element,
        read: read as Reader<readonly unknown[] | undefined>,
        constant: false,
      },
      inputs,
    );
  if (whenTrue.kind === "bool") {
    const definite = whenTrue.definite && (whenFalse as CompiledBool).definite;
    return fold(
      { kind: "bool", read: read as Reader<boolean | undefined>, constant: false, definite },
      inputs,
    );
  }
  return fold(withKind(whenTrue.kind, read), inputs);
}

function constantValue(node: CompiledValue): unknown {
  return node.read(noValues);
}

function equality(
  operator: "==" | "!=",
  left: CompiledValue,
  right: CompiledValue,
  node: ASTNode,
): CompiledBool {
  // Put a constant on the right so the common `field == literal` gets the short closure.
  if (left.constant && !right.constant) [left, right] = [right, left];
  const l = left.read as Reader<unknown>;
  const r = right.read as Reader<unknown>;
  let read: Reader<boolean>;
  if (left.kind === "list" || right.kind === "list") {
    if (left.kind !== "list" || right.kind !== "list")
      return fail(node, `'${operator}' compares a list with a list`);
    const readLeft = left.read;
    const readRight = right.read;
    read =
      operator === "=="
        ? (values) => sameList(readLeft(values), readRight(values)) === true
        : (values) => sameList(readLeft(values), readRight(values)) === false;
  } else if (isNumeric(left)) {
    const a = left.read;
    const b = (right as CompiledNumber).read;
    if (right.constant && left.slot !== undefined) {
      const k = constantValue(right) as number;
      const slot = left.slot;
      read =
        operator === "=="
          ? (values) => values[slot] === k
          : (values) => {
              const v = values[slot] as number;
              return !Number.isNaN(v) && !Number.isNaN(k) && v !== k;
            };
    } else if (right.constant) {
      const k = constantValue(right) as number;
      read =
        operator === "=="
          ? (values) => a(values) === k
          : (values) => {
              const v = a(values);
              return !Number.isNaN(v) && !Number.isNaN(k) && v !== k;
            };
    } else {
      read =
        operator === "=="
          ? (values) => a(values) === b(values)
          : (values) => {
              const v = a(values);
              const w = b(values);
              return !Number.isNaN(v) && !Number.isNaN(w) && v !== w;
            };
    }
  } else if (right.constant && left.slot !== undefined) {
    const k = constantValue(right);
    const slot = left.slot;
    read =
      operator === "=="
        ? (values) => values[slot] === k
        : (values) => {
            const v = values[slot];
            return v !== undefined && v !== k;
          };
  } else if (right.constant) {
    const k = constantValue(right);
    read =
      operator === "=="
        ? (values) => l(values) === k
        : (values) => {
            const v = l(values);
            return v !== undefined && v !== k;
          };
  } else {
    read =
      operator === "=="
        ? (values) => {
            const v = l(values);
            return v !== undefined && v === r(values);
          }
        : (values) => {
            const v = l(values);
            const w = r(values);
            return v !== undefined && w !== undefined && v !== w;
          };
  }
  return fold({ kind: "bool", read, constant: false, definite: true }, [left, right]);
}

/** true or false when both lists are present; undefined when either is missing. */
function sameList(
  a: readonly unknown[] | undefined,
  b: readonly unknown[] | undefined,
): boolean | undefined {
  if (a === undefined || b === undefined) return undefined;
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

function ordering(
  operator: "<" | "<=" | ">" | ">=",
  left: CompiledValue,
  right: CompiledValue,
  node: ASTNode,
): CompiledBool {
  if (left.kind === "list" || right.kind === "list")
    return fail(node, `'${operator}' does not compare lists`);
  let read: Reader<boolean>;
  if (isNumeric(left) && isNumeric(right)) {
    // NaN (missing) compares false with everything, so no branch is needed.
    const a = left.read;
    const b = right.read;
    if (right.constant && left.slot !== undefined) {
      const k = constantValue(right) as number;
      const slot = left.slot;
      read =
        operator === "<"
          ? (values) => (values[slot] as number) < k
          : operator === "<="
            ? (values) => (values[slot] as number) <= k
            : operator === ">"
              ? (values) => (values[slot] as number) > k
              : (values) => (values[slot] as number) >= k;
    } else if (right.constant) {
      const k = constantValue(right) as number;
      read =
        operator === "<"
          ? (values) => a(values) < k
          : operator === "<="
            ? (values) => a(values) <= k
            : operator === ">"
              ? (values) => a(values) > k
              : (values) => a(values) >= k;
    } else if (left.constant) {
      const k = constantValue(left) as number;
      read =
        operator === "<"
          ? (values) => k < b(values)
          : operator === "<="
            ? (values) => k <= b(values)
            : operator === ">"
              ? (values) => k > b(values)
              : (values) => k >= b(values);
    } else {
      read =
        operator === "<"
          ? (values) => a(values) < b(values)
          : operator === "<="
            ? (values) => a(values) <= b(values)
            : operator === ">"
              ? (values) => a(values) > b(values)
              : (values) => a(values) >= b(values);
    }
  } else {
    // Strings compare by UTF-16 code units (JavaScript's order); bools as false < true.
    const a = left.read as Reader<string | boolean | undefined>;
    const b = right.read as Reader<string | boolean | undefined>;
    const compare =
      operator === "<"
        ? (v: string | boolean, w: string | boolean) => v < w
        : operator === "<="
          ? (v: string | boolean, w: string | boolean) => v <= w
          : operator === ">"
            ? (v: string | boolean, w: string | boolean) => v > w
            : (v: string | boolean, w: string | boolean) => v >= w;
    read = (values) => {
      const v = a(values);
      if (v === undefined) return false;
      const w = b(values);
      return w !== undefined && compare(v, w);
    };
  }
  return fold({ kind: "bool", read, constant: false, definite: true }, [left, right]);
}

function membership(item: CompiledValue, container: CompiledValue, node: ASTNode): CompiledBool {
  if (container.kind !== "list") return fail(node, "'in' looks for a value in a list");
  const readItem = item.read as Reader<unknown>;
  let read: Reader<boolean>;
  if (container.constant) {
    // A literal list becomes a Set once; missing values (undefined, NaN) are never members.
    const members = new Set(
      (container.read(noValues) ?? []).filter(
        (member) => member !== undefined && !Number.isNaN(member),
      ),
    );
    const slot = item.slot;
    read =
      slot === undefined
        ? (values) => members.has(readItem(values))
        : (values) => members.has(values[slot]);
  } else {
    const readList = container.read;
    read = (values) => {
      const items = readList(values);
      if (items === undefined) return false;
      const candidate = readItem(values);
      return candidate !== undefined && !Number.isNaN(candidate) && items.includes(candidate);
    };
  }
  return fold({ kind: "bool", read, constant: false, definite: true }, [item, container]);
}

function arithmetic(
  operator: "+" | "-" | "*" | "/" | "%",
  left: CompiledValue,
  right: CompiledValue,
  node: ASTNode,
): CompiledValue {
  if (operator === "+" && left.kind === "string" && right.kind === "string") {
    const a = left.read;
    const b = right.read;
    return fold<CompiledString>(
      {
        kind: "string",
        read: (values) => {
          const v = a(values);
          const w = b(values);
          return v === undefined || w === undefined ? undefined : v + w;
        },
        constant: false,
      },
      [left, right],
    );
  }
  if (operator === "+" && left.kind === "list" && right.kind === "list") {
    const a = left.read;
    const b = right.read;
    return fold<CompiledList>(
      {
        kind: "list",
        element: left.element,
        read: (values) => {
          const v = a(values);
          const w = b(values);
          return v === undefined || w === undefined ? undefined : [...v, ...w];
        },
        constant: false,
      },
      [left, right],
    );
  }
  if (!isNumeric(left) || !isNumeric(right)) return fail(node, `'${operator}' needs numbers`);
  const kind = resultKind(operator, left.kind, right.kind);
  if (kind === undefined)
    return fail(node, `'${operator}' is not defined for ${left.kind} and ${right.kind}`);
  const a = left.read;
  const b = right.read;
  const read: Reader<number> =
    operator === "+"
      ? (values) => a(values) + b(values)
      : operator === "-"
        ? (values) => a(values) - b(values)
        : operator === "*"
          ? (values) => a(values) * b(values)
          : operator === "/"
            ? (values) => a(values) / b(values)
            : (values) => a(values) % b(values);
  return fold<CompiledNumber>({ kind, read, constant: false }, [left, right]);
}

/** Time arithmetic: a timestamp moves by a duration; two timestamps differ by a duration. */
function resultKind(
  operator: string,
  left: NumericKind,
  right: NumericKind,
): NumericKind | undefined {
  if (left === "number" && right === "number") return "number";
  if (operator === "+") {
    if (left === "duration" && right === "duration") return "duration";
    if (
      (left === "timestamp" && right === "duration") ||
      (left === "duration" && right === "timestamp")
    )
      return "timestamp";
  }
  if (operator === "-") {
    if (left === "timestamp" && right === "timestamp") return "duration";
    if (left === "timestamp" && right === "duration") return "timestamp";
    if (left === "duration" && right === "duration") return "duration";
  }
  return undefined;
}

function call(
  node: ASTNode,
  name: string,
  argumentNodes: readonly ASTNode[],
  slots: FieldSlots,
): CompiledValue {
  const [first] = argumentNodes;
  if (first === undefined || argumentNodes.length !== 1)
    return fail(node, `${name}() takes one argument`);
  const called = name === sizeFunction ? "size" : name;
  switch (called) {
    case "has": {
      const target = compileNode(first, slots);
      if (target.kind === "scope" || !(first.op === "." || first.op === "[]"))
        return fail(first, "has() takes one field, e.g. has(lead.country)");
      const read = target.read as Reader<unknown>;
      return {
        kind: "bool",
        read: (values) => {
          const v = read(values);
          return v !== undefined && !Number.isNaN(v);
        },
        constant: false,
        definite: true,
      };
    }
    case "size":
      return size(node, value(first, slots));
    case "timestamp":
    case "duration": {
      const argument = value(first, slots);
      if (argument.kind !== "string" || !argument.constant)
        return fail(
          first,
          `${called}() takes a quoted literal, e.g. ${called === "timestamp" ? 'timestamp("2026-01-01T00:00:00Z")' : 'duration("36h")'}`,
        );
      const text = constantValue(argument) as string;
      const parsed = called === "timestamp" ? parseTimestamp(text) : parseDuration(text);
      if (parsed === undefined)
        return fail(
          first,
          `'${text}' is not a valid ${called}`,
          called === "timestamp"
            ? "use RFC 3339 with a zone: 2026-01-01T00:00:00Z or 2026-01-01T09:00:00-05:00"
            : "use a number and a unit (h, m, s, ms), e.g. 36h, 90m, 1h30m",
        );
      return { kind: called, read: () => parsed, constant: true };
    }
    default:
      return fail(node, `function ${name}() is not supported in Baton expressions`);
  }
}

function method(
  node: ASTNode,
  name: string,
  receiver: CompiledValue,
  argumentsList: CompiledValue[],
): CompiledValue {
  if (name === "size" || name === sizeFunction) return size(node, receiver);
  if (receiver.kind !== "string") return fail(node, `.${name}() applies to text`);
  const s = receiver.read;
  switch (name) {
    case "contains":
    case "startsWith":
    case "endsWith": {
      const argument = argumentsList[0];
      if (argument?.kind !== "string" || argumentsList.length !== 1)
        return fail(node, `.${name}() takes one string`);
      const t = argument.read;
      const read: Reader<boolean> =
        name === "contains"
          ? (values) => {
              const v = s(values);
              const w = t(values);
              return v !== undefined && w !== undefined && v.includes(w);
            }
          : name === "startsWith"
            ? (values) => {
                const v = s(values);
                const w = t(values);
                return v !== undefined && w !== undefined && v.startsWith(w);
              }
            : (values) => {
                const v = s(values);
                const w = t(values);
                return v !== undefined && w !== undefined && v.endsWith(w);
              };
      return fold<CompiledBool>({ kind: "bool", read, constant: false, definite: true }, [
        receiver,
        argument,
      ]);
    }
    case "lowerAscii":
    case "upperAscii":
    case "trim": {
      const transform =
        name === "lowerAscii"
          ? lowerAscii
          : name === "upperAscii"
            ? upperAscii
            : (text: string) => text.trim();
      return fold<CompiledString>(
        {
          kind: "string",
          read: (values) => {
            const v = s(values);
            return v === undefined ? undefined : transform(v);
          },
          constant: false,
        },
        [receiver],
      );
    }
    default:
      return fail(node, `method .${name}() is not supported in Baton expressions`);
  }
}

function size(node: ASTNode, target: CompiledValue): CompiledNumber {
  if (target.kind === "string") {
    const read = target.read;
    return fold<CompiledNumber>(
      {
        kind: "number",
        read: (values) => {
          const v = read(values);
          return v === undefined ? Number.NaN : codePoints(v);
        },
        constant: false,
      },
      [target],
    );
  }
  if (target.kind === "list") {
    const read = target.read;
    return fold<CompiledNumber>(
      { kind: "number", read: (values) => read(values)?.length ?? Number.NaN, constant: false },
      [target],
    );
  }
  return fail(node, "size() measures text or a list");
}

/** CEL counts characters as Unicode code points, not UTF-16 units. */
function codePoints(text: string): number {
  let count = text.length;
  for (let i = 0; i < text.length - 1; i++) {
    const unit = text.charCodeAt(i);
    if (unit >= 0xd800 && unit <= 0xdbff) {
      const next = text.charCodeAt(i + 1);
      if (next >= 0xdc00 && next <= 0xdfff) {
        count--;
        i++;
      }
    }
  }
  return count;
}

/** CEL's lowerAscii/upperAscii change A–Z only, so "É" stays "É". */
function lowerAscii(text: string): string {
  return /[A-Z]/.test(text) ? text.replace(/[A-Z]+/g, (run) => run.toLowerCase()) : text;
}

function upperAscii(text: string): string {
  return /[a-z]/.test(text) ? text.replace(/[a-z]+/g, (run) => run.toUpperCase()) : text;
}

const rfc3339 = /^\d{4}-\d{2}-\d{2}[Tt]\d{2}:\d{2}:\d{2}(\.\d{1,9})?([Zz]|[+-]\d{2}:\d{2})$/;

function parseTimestamp(text: string): number | undefined {
  if (!rfc3339.test(text)) return undefined;
  const epoch = Date.parse(text.replace(/(\.\d{3})\d+/, "$1"));
  return Number.isFinite(epoch) ? epoch : undefined;
}

const durationUnits: Record<string, number> = {
  h: 3_600_000,
  m: 60_000,
  s: 1_000,
  ms: 1,
  us: 0.001,
  µs: 0.001,
  ns: 0.000_001,
};

/** Go/CEL duration syntax: a sign, then number–unit pairs such as 1h30m or 1.5h. */
function parseDuration(text: string): number | undefined {
  const match = /^(-?)((?:\d+(?:\.\d+)?(?:h|ms|m|s|us|µs|ns))+)$/.exec(text);
  if (!match) return undefined;
  let total = 0;
  for (const [, amount, unit] of match[2]!.matchAll(/(\d+(?:\.\d+)?)(h|ms|m|s|us|µs|ns)/g))
    total += Number(amount) * durationUnits[unit!]!;
  return match[1] === "-" ? -total : total;
}
