export * from "./field-types.js";
export * from "./fields.js";
export * from "./lead.js";
