import { compileCondition, type VariableSchema } from "../expression/index.js";
import { builtInFields } from "../lead/fields.js";
import type { CompileCondition } from "./compile-routing.js";

/** Variables routing conditions read when the agreement declares no fields of its own. */
export const routingVariables: VariableSchema = {
  lead: builtInFields.lead,
  company: builtInFields.company,
  account: builtInFields.account,
};

/**
 * Routing conditions as CEL, compiled by the expression module against the agreement's
 * variables (`expressionSchemaOf(agreement)`, or the built-in fields). The agreement loader has
 * already checked every condition, so one that fails to compile here is a bug and throws.
 */
export function celConditions(variables: VariableSchema = routingVariables): CompileCondition {
  return (source) => {
    const compiled = compileCondition(source, variables);
    if (!compiled.ok) {
      const problems = compiled.errors
        .map((error) => `${error.message} (at ${error.offset})`)
        .join("; ");
      throw new Error(
        `routing condition '${source}' does not compile: ${problems}; validate the agreement first`,
      );
    }
    return compiled.test;
  };
}
