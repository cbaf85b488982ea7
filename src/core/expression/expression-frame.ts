import { celEnvironmentFor, parseAndCheck } from "./cel-environment.js";
import {
  type CompiledExpression,
  compileAst,
  type FieldSlots,
  findUnsupported,
} from "./compile-ast.js";
import { wrongType } from "./expression-errors.js";
import type {
  ExpressionContext,
  ExpressionError,
  FieldType,
  FrameValues,
  VariableSchema,
} from "./expression-types.js";

/**
 * A frame holds the field values a set of compiled expressions reads, one slot per distinct
 * field. Loading a lead copies each field once (normalised to its declared type); every
 * expression then reads slots, a plain array access, however many rules read the same field.
 * This is what makes twenty rules over one lead cost little more than reading its fields once.
 *
 * Usage: compile every expression, then `values()` once, then per record `load` each scope and
 * call the compiled functions with the same values array.
 */
type Loader = (
  values: unknown[],
  record: Readonly<Record<string, unknown>> | undefined | null,
) => void;

export class ExpressionFrame implements FieldSlots {
  readonly #slots = new Map<string, number>();
  /** scope → parallel lists of the fields it loads: slot, field name, declared type */
  readonly #loads = new Map<string, { slots: number[]; fields: string[]; types: FieldType[] }>();
  /** prepared loaders; a scope's is dropped when one of its fields gets a slot */
  readonly #loaders = new Map<string, Loader>();
  #size = 0;

  constructor(readonly schema: VariableSchema) {}

  /** Number of slots: the distinct fields the compiled expressions read. */
  get size(): number {
    return this.#size;
  }

  slotOf(scope: string, field: string): number {
    const key = `${scope}.${field}`;
    let slot = this.#slots.get(key);
    if (slot === undefined) {
      slot = this.#size++;
      this.#slots.set(key, slot);
      const type = this.schema[scope]?.[field];
      if (type === undefined) throw new Error(`${key} is not declared`);
      let load = this.#loads.get(scope);
      if (load === undefined) {
        load = { slots: [], fields: [], types: [] };
        this.#loads.set(scope, load);
      }
      load.slots.push(slot);
      load.fields.push(field);
      load.types.push(type);
      this.#loaders.delete(scope);
    }
    return slot;
  }

  /** Compiles an expression whose field reads go through this frame. */
  compile(
    source: string,
  ): { ok: true; compiled: CompiledExpression } | { ok: false; errors: ExpressionError[] } {
    const checked = parseAndCheck(source, celEnvironmentFor(this.schema), findUnsupported);
    if (!checked.ok) return checked;
    const compiled = compileAst(checked.ast, this);
    return compiled.ok ? compiled : { ok: false, errors: [compiled.error] };
  }

  /** Compiles a condition (a `bool` expression) whose field reads go through this frame. */
  compileCondition(
    source: string,
  ):
    | { ok: true; test: (values: FrameValues) => boolean }
    | { ok: false; errors: ExpressionError[] } {
    const result = this.compile(source);
    if (!result.ok) return result;
    if (result.compiled.type !== "bool")
      return { ok: false, errors: [wrongType(source, "bool", result.compiled.type)] };
    return { ok: true, test: result.compiled.test };
  }

  /** A values array with a slot for every field read so far, all missing. */
  values(): unknown[] {
    const values: unknown[] = new Array(this.#size).fill(undefined);
    for (const load of this.#loads.values())
      for (const [index, slot] of load.slots.entries())
        values[slot] = missingValue(load.types[index]!);
    return values;
  }

  /** Copies the fields the expressions read from one scope's record; an absent record leaves them missing. */
  load(
    values: unknown[],
    scope: string,
    record: Readonly<Record<string, unknown>> | undefined | null,
  ): void {
    let loader = this.#loaders.get(scope);
    if (loader === undefined) {
      loader = this.loaderFor(scope);
      this.#loaders.set(scope, loader);
    }
    loader(values, record);
  }

  /**
   * Loads every scope of a context, prepared once like `loaderFor`: call it after every
   * expression of the frame is compiled.
   */
  contextLoader(): (values: unknown[], context: ExpressionContext) => void {
    const loaders = [...this.#loads.keys()].map((scope) => [scope, this.loaderFor(scope)] as const);
    return (values, context) => {
      for (const [scope, load] of loaders) load(values, context[scope]);
    };
  }

  /**
   * `load` for one scope, prepared once: for callers that load the same scope for every record.
   * Call it after every expression of the frame is compiled.
   */
  loaderFor(scope: string): Loader {
    const load = this.#loads.get(scope);
    if (load === undefined) return () => {};
    const slots = [...load.slots];
    const fields = [...load.fields];
    const types = [...load.types];
    const count = slots.length;
    return (values, record) => {
      if (record == null) {
        for (let index = 0; index < count; index++)
          values[slots[index]!] = missingValue(types[index]!);
        return;
      }
      for (let index = 0; index < count; index++) {
        const raw = record[fields[index]!];
        let value: unknown;
        switch (types[index]) {
          case "number":
            value = typeof raw === "number" ? raw : Number.NaN;
            break;
          case "string":
            value = typeof raw === "string" ? raw : undefined;
            break;
          case "bool":
            value = typeof raw === "boolean" ? raw : undefined;
            break;
          case "timestamp":
            value =
              typeof raw === "number" ? raw : raw instanceof Date ? raw.getTime() : Number.NaN;
            break;
          case "list<string>":
            value = Array.isArray(raw) ? raw : undefined;
            break;
        }
        values[slots[index]!] = value;
      }
    };
  }
}

/**
 * The value representation compiled code expects: a missing or mistyped number is NaN (every
 * comparison with NaN is false), any other missing value `undefined`. A string "200" in a number
 * field is missing, never 200.
 */
function missingValue(type: FieldType): unknown {
  return type === "number" || type === "timestamp" ? Number.NaN : undefined;
}
