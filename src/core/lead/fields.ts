import type { FieldTypeName } from "./field-types.js";

/**
 * Built-in fields every lead, company, account and activity has. An agreement adds its own under
 * `fields:`; expressions are type-checked against the union of both.
 */
export const builtInFields = {
  lead: {
    email: "string",
    first_name: "string",
    last_name: "string",
    title: "string",
    seniority: "string",
    phone: "string",
    country: "string",
    region: "string",
    source: "string",
    campaign: "string",
    stage: "string",
    score: "number",
    tags: "list<string>",
    created_at: "timestamp",
  },
  company: {
    name: "string",
    domain: "string",
    employees: "number",
    revenue: "number",
    industry: "string",
    country: "string",
    tier: "string",
  },
  account: {
    id: "string",
    owner: "string",
    has_open_opportunity: "bool",
  },
  activity: {
    type: "string",
    url: "string",
    form: "string",
    channel: "string",
    subject: "string",
    topic: "string",
    auto_reply: "bool",
  },
} as const satisfies Record<string, Record<string, FieldTypeName>>;

export type FieldScope = keyof typeof builtInFields;
export const fieldScopes = Object.keys(builtInFields) as FieldScope[];
