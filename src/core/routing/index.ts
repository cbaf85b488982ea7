/**
 * Lead routing: the agreement's `routing` section, validated and compiled into a pure decision
 * that explains itself. See routing-schema.ts for the glossary.
 */
export * from "./availability.js";
export { type CompileCondition, type Condition, compileRouting, type Router } from "./compile-routing.js";
export * from "./routing-decision.js";
export * from "./routing-schema.js";
export * from "./routing-state.js";
