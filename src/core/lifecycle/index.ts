export { checkLifecycle } from "./check-lifecycle.js";
export {
  actionsFrom,
  type CompiledLifecycle,
  type CompiledTransition,
  compileLifecycle,
  matchRecyclingRule,
} from "./compile-lifecycle.js";
export * from "./lifecycle-schema.js";
export * from "./transition.js";
