import { type ASTNode, Environment, ParseError } from "@marcbachmann/cel-js";
import { describeCelError } from "./expression-errors.js";
import {
  type ExpressionError,
  expressionLimits,
  type FieldType,
  type VariableSchema,
} from "./expression-types.js";

/**
 * The bridge to cel-js: it parses and type-checks; Baton compiles the checked tree itself
 * (compile-ast.ts) because cel-js evaluates integers as BigInt and walks the tree at run time.
 *
 * Numbers. Baton has one number type. CEL distinguishes int and double and refuses `double ==
 * int` and `double + int`, so declared number fields are CEL doubles and every integer literal in
 * the tree is turned into a double before checking (`employees == 200` then checks as double ==
 * double). `size()`, CEL's one source of integers here, is renamed to `sizeFunction`, registered
 * to return a double, so `size(lead.tags) in [1, 2]` checks too. Integer literals used as a list
 * index stay integers, as CEL requires.
 *
 * Timestamps. cel-js 8 gives `timestamp("…")` the type `google.protobuf.Timestamp` but a field
 * declared `timestamp` the type `timestamp`, and the two do not compare; timestamp fields are
 * declared with the protobuf name so `lead.created_at > timestamp("2026-01-01T00:00:00Z")` checks.
 */

/** What `size` is renamed to before checking; error messages name it `size` again. */
export const sizeFunction = "batonSize";

const celFieldTypes: Record<FieldType, string> = {
  string: "string",
  number: "double",
  bool: "bool",
  timestamp: "google.protobuf.Timestamp",
  "list<string>": "list<string>",
};

/**
 * cel-js needs a constructor for a record type whose fields include a timestamp (its generated
 * wrapper fails on them), so every scope gets a class of its own. Baton never evaluates with
 * cel-js; tests that compare against cel-js build instances with `toCelContext`.
 */
export class CelRecord {
  constructor(fields: Readonly<Record<string, unknown>>) {
    Object.assign(this, fields);
  }
}

export interface CelEnvironment {
  environment: Environment;
  schema: VariableSchema;
  /** scope name → the class cel-js expects for that scope's record */
  recordClasses: ReadonlyMap<string, typeof CelRecord>;
}

/** Building an environment is the slow part of checking; agreements reuse one schema object. */
const environments = new WeakMap<VariableSchema, CelEnvironment>();

export function celEnvironmentFor(schema: VariableSchema): CelEnvironment {
  const cached = environments.get(schema);
  if (cached !== undefined) return cached;
  const environment = new Environment({
    limits: {
      maxDepth: expressionLimits.maxNesting,
      maxAstNodes: expressionLimits.maxNodes,
      maxListElements: 1_000,
      maxMapEntries: 100,
      maxCallArguments: 8,
    },
  });
  const recordClasses = new Map<string, typeof CelRecord>();
  for (const [scope, fields] of Object.entries(schema)) {
    const recordClass = class extends CelRecord {};
    const celFields: Record<string, string> = {};
    for (const [field, type] of Object.entries(fields)) celFields[field] = celFieldTypes[type];
    environment.registerType({ name: `$${scope}`, ctor: recordClass, fields: celFields });
    environment.registerVariable(scope, `$${scope}`);
    recordClasses.set(scope, recordClass);
  }
  // One number type: size() counts as a double (see the module comment), and % works on doubles.
  const codePoints = (text: string) => [...text].length;
  environment.registerFunction(`${sizeFunction}(string): double`, codePoints);
  environment.registerFunction(
    `${sizeFunction}(list<dyn>): double`,
    (list: readonly unknown[]) => list.length,
  );
  for (const receiverType of ["string", "list<dyn>"]) {
    environment.registerFunction({
      name: sizeFunction,
      receiverType,
      returnType: "double",
      handler: (value: string | readonly unknown[]) =>
        typeof value === "string" ? codePoints(value) : value.length,
      params: [],
    });
  }
  environment.registerOperator(
    "double % double: double",
    (left: number, right: number) => left % right,
  );
  const built = { environment, schema, recordClasses };
  environments.set(schema, built);
  return built;
}

export type CelParseResult =
  | { ok: true; ast: ASTNode; celType: string; evaluateWithCel: (context: object) => unknown }
  | { ok: false; errors: ExpressionError[] };

/**
 * Parses and type-checks `source`; `screen` refuses constructs before type checking. On success
 * every number in the tree is a double (see above) and every node carries the type cel-js
 * inferred.
 */
export function parseAndCheck(
  source: string,
  cel: CelEnvironment,
  screen: (ast: ASTNode) => ExpressionError | undefined = () => undefined,
): CelParseResult {
  if (source.length > expressionLimits.maxLength) {
    return {
      ok: false,
      errors: [
        {
          message: `expression is ${source.length} characters long; the limit is ${expressionLimits.maxLength}`,
          offset: expressionLimits.maxLength,
          hint: "split it into several rules, or use `in [...]` instead of long chains of ||",
        },
      ],
    };
  }
  let parsed: ReturnType<Environment["parse"]>;
  try {
    parsed = cel.environment.parse(source);
  } catch (error) {
    if (error instanceof ParseError)
      return { ok: false, errors: [describeCelError(error, source, cel.schema)] };
    throw error;
  }
  const depthError = checkDepth(parsed.ast);
  if (depthError !== undefined) return { ok: false, errors: [depthError] };
  const unsupported = screen(parsed.ast);
  if (unsupported !== undefined) return { ok: false, errors: [unsupported] };
  numbersAsDoubles(parsed.ast);
  const checked = parsed.check();
  if (!checked.valid || checked.type === undefined) {
    const error = checked.error;
    if (error === undefined)
      return { ok: false, errors: [{ message: "expression does not type-check", offset: 0 }] };
    return { ok: false, errors: [describeCelError(error, source, cel.schema)] };
  }
  return {
    ok: true,
    ast: parsed.ast,
    celType: checked.type,
    evaluateWithCel: (context) => parsed(context),
  };
}

/** The AST nodes directly below `node`, whatever the operator's argument layout. */
export function childrenOf(node: ASTNode): ASTNode[] {
  const children: ASTNode[] = [];
  const collect = (value: unknown): void => {
    if (Array.isArray(value)) for (const item of value) collect(item);
    else if (isAstNode(value)) children.push(value);
  };
  collect(node.args);
  return children;
}

function isAstNode(value: unknown): value is ASTNode {
  return (
    typeof value === "object" &&
    value !== null &&
    "op" in value &&
    "args" in value &&
    "start" in value
  );
}

/** cel-js limits nesting; a left-leaning chain (`a || b || c …`) is only limited here. */
function checkDepth(root: ASTNode): ExpressionError | undefined {
  const stack: [ASTNode, number][] = [[root, 1]];
  while (stack.length > 0) {
    const [node, depth] = stack.pop()!;
    if (depth > expressionLimits.maxDepth) {
      return {
        message: `expression is nested more than ${expressionLimits.maxDepth} levels deep`,
        offset: node.start,
        hint: "split it into several rules, or use `in [...]` instead of long chains of || and &&",
      };
    }
    for (const child of childrenOf(node)) stack.push([child, depth + 1]);
  }
  return undefined;
}

/**
 * Makes every number a double before checking (see the module comment): integer and unsigned
 * literals become doubles, except list indexes, and size() calls become `sizeFunction` calls.
 */
function numbersAsDoubles(root: ASTNode): void {
  const stack: ASTNode[] = [root];
  while (stack.length > 0) {
    const node = stack.pop()!;
    if (node.op === "value") {
      const value: unknown = node.args;
      if (typeof value === "bigint") setLiteral(node, Number(value));
      else if (isUnsignedInt(value)) setLiteral(node, Number(value.valueOf()));
      continue;
    }
    if ((node.op === "call" || node.op === "rcall") && node.args[0] === "size")
      (node.args as unknown[])[0] = sizeFunction;
    if (node.op === "[]" || node.op === "[?]") {
      const [target, index] = node.args;
      stack.push(target);
      if (index.op !== "value") stack.push(index);
      continue;
    }
    stack.push(...childrenOf(node));
  }
}

function isUnsignedInt(value: unknown): value is { valueOf(): bigint } {
  return (
    typeof value === "object" &&
    value !== null &&
    !(value instanceof Uint8Array) &&
    typeof value.valueOf() === "bigint"
  );
}

function setLiteral(node: ASTNode, value: number): void {
  (node as { args: unknown }).args = value;
}

/** A context cel-js accepts: each scope as an instance of its record class, timestamps as Dates. */
export function toCelContext(
  context: Readonly<Record<string, Readonly<Record<string, unknown>> | undefined>>,
  cel: CelEnvironment,
): Record<string, CelRecord> {
  const out: Record<string, CelRecord> = {};
  for (const [scope, recordClass] of cel.recordClasses) {
    const record = context[scope];
    if (record === undefined) continue;
    const fields: Record<string, unknown> = {};
    for (const [field, value] of Object.entries(record)) {
      fields[field] =
        cel.schema[scope]?.[field] === "timestamp" && typeof value === "number"
          ? new Date(value)
          : value;
    }
    out[scope] = new recordClass(fields);
  }
  return out;
}
