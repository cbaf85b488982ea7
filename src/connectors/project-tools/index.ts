export * from "./action-item-text.js";
export * from "./asana-tool.js";
export * from "./jira-tool.js";
export * from "./project-tool.js";
export * from "./project-tools-config.js";
export { defaultTimeoutMs } from "./tool-request.js";
export * from "./webhook-tool.js";
