export { checkLifecycle } from "./check-lifecycle.js";
export {
  type CompiledLifecycle,
  type CompiledTransition,
  actionsFrom,
  compileLifecycle,
  matchRecyclingRule,
} from "./compile-lifecycle.js";
export * from "./lifecycle-schema.js";
export * from "./transition.js";
