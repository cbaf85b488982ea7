/** Types a declared field may have; one list gives both the type and the runtime check. */
export const fieldTypeNames = ["string", "number", "bool", "timestamp", "list<string>"] as const;
export type FieldTypeName = (typeof fieldTypeNames)[number];
