import type { FieldTypeName } from "../lead/field-types.js";
import { builtInFields } from "../lead/fields.js";
import type { Agreement } from "./agreement-schema.js";

/** Variables an agreement's expressions may read: built-in fields plus the agreement's own. */
export function expressionSchemaOf(
  agreement: Pick<Agreement, "fields">,
): Record<string, Record<string, FieldTypeName>> {
  return {
    lead: { ...builtInFields.lead, ...agreement.fields?.lead },
    company: { ...builtInFields.company, ...agreement.fields?.company },
    account: { ...builtInFields.account },
    activity: { ...builtInFields.activity },
  };
}
