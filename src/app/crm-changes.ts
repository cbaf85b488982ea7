import { z } from "zod";
import type { CompiledAgreement } from "../core/agreement/compile-agreement.js";
import type { Engine } from "./engine.js";
import { externalKeyOf, ingestLead } from "./ingest.js";
import { actOnLead, reassignLead } from "./lead-actions.js";
import type { LeadInput } from "./lead-input.js";
import type { Executor } from "./ledger-store.js";

/**
 * Changes a CRM reported (HubSpot webhooks, Salesforce outbound messages), applied through the
 * same use cases as everything else, so the agreement's rules hold whoever made the change:
 *
 * - `record`: a lead or contact as the CRM holds it. Baton ingests it under `system` +
 *   `externalId` (mapped onto the agreement's fields by `fields`), so the first delivery creates
 *   the lead (or joins the lead it matches) and every later one, a retry or another notification
 *   of the same record, is a duplicate that changes nothing. A HubSpot creation carries no
 *   values: property changes of the same contact in the same batch are folded into it.
 * - `status`: a lifecycle or status property changed (HubSpot `lifecyclestage`, `hs_lead_status`;
 *   Salesforce `Status`). `status[property][value]` names the lead action to take (with its
 *   reason, feedback or context); `null` means "no action". A lead already in the action's
 *   destination is left alone, so repeats are no-ops; a refused transition is reported with the
 *   lifecycle's reasons.
 * - `owner`: the CRM owner changed; `owners[crm owner id]` names the agreement's person, and the
 *   lead is reassigned to them unless they already own it.
 * - `property` (any other property) and `deleted` are reported, not applied: Baton keeps a lead's
 *   fields as they arrived and never deletes (the ledger is append-only).
 *
 * Actions and reassignments are taken as `crm:<system>` with the configured role (admin by
 * default: the CRM acts for whoever changed the record there). Every change gets a result;
 * one that cannot apply (unknown lead, unmapped value, refused transition) says why, and never
 * stops the others. Changes apply in the order given, each in its own transaction.
 */

export const crmSystems = ["hubspot", "salesforce"] as const;
export type CrmSystem = (typeof crmSystems)[number];

interface CrmChangeBase {
  system: CrmSystem;
  /** the record's id in the CRM (HubSpot object id, Salesforce 18-character id) */
  externalId: string;
  /** the sender's id for the change: HubSpot event id, Salesforce notification id */
  changeId: string;
  /** epoch ms; when the CRM says it happened (HubSpot `occurredAt`), else when it was received */
  occurredAt: number;
}

export type CrmChange =
  | (CrmChangeBase & {
      kind: "record";
      /** CRM property → value as sent (null: sent empty) */
      properties: Readonly<Record<string, string | null>>;
    })
  | (CrmChangeBase & { kind: "status"; property: string; value: string | null })
  | (CrmChangeBase & { kind: "owner"; property: string; crmOwnerId: string | null })
  | (CrmChangeBase & { kind: "property"; property: string; value: string | null })
  | (CrmChangeBase & { kind: "deleted" });

const fieldValueSchema = z.union([z.string(), z.number(), z.boolean()]);

/** What a CRM status value means in Baton: a lead action with what it requires. */
export const statusActionSchema = z.strictObject({
  action: z.string().min(1),
  reason: z.string().min(1).optional(),
  note: z.string().min(1).optional(),
  feedback: z.record(z.string(), z.string()).optional(),
  context: z.record(z.string(), fieldValueSchema).optional(),
});
export type StatusAction = z.infer<typeof statusActionSchema>;

const systemConfigSchema = z.strictObject({
  /**
   * CRM property → Baton field: a lead field (`email`), a company field (`company.employees`),
   * or `createdAt` (when the CRM created the record)
   */
  fields: z.record(z.string(), z.string().min(1)),
  /** status property → CRM value → the action to take, or null for none */
  status: z.record(z.string(), z.record(z.string(), statusActionSchema.nullable())),
  /** CRM owner id → person of the agreement */
  owners: z.record(z.string(), z.string().min(1)),
});

/** Defaults fit HubSpot's and Salesforce's standard properties and `examples/agreement.yaml`. */
export const defaultCrmChangesConfig = {
  actorRole: "admin",
  hubspot: {
    fields: {
      email: "email",
      firstname: "first_name",
      lastname: "last_name",
      jobtitle: "title",
      phone: "phone",
      country: "country",
      company: "company.name",
      website: "company.domain",
      numemployees: "company.employees",
      industry: "company.industry",
      createdate: "createdAt",
    },
    status: {
      lifecyclestage: {
        subscriber: null,
        lead: null,
        marketingqualifiedlead: { action: "qualify" },
        salesqualifiedlead: { action: "qualify_sales" },
        opportunity: { action: "convert" },
        customer: { action: "win" },
        evangelist: null,
        other: null,
      },
      hs_lead_status: {
        NEW: null,
        OPEN: null,
        IN_PROGRESS: null,
        ATTEMPTED_TO_CONTACT: null,
        CONNECTED: null,
        OPEN_DEAL: { action: "convert" },
        UNQUALIFIED: {
          action: "reject",
          reason: "out_of_icp",
          feedback: { next_action: "disqualify" },
        },
        BAD_TIMING: {
          action: "reject",
          reason: "poor_timing",
          feedback: { next_action: "nurture" },
        },
      },
    },
    owners: {},
  },
  salesforce: {
    fields: {
      Email: "email",
      FirstName: "first_name",
      LastName: "last_name",
      Title: "title",
      Phone: "phone",
      Country: "country",
      LeadSource: "source",
      Company: "company.name",
      Website: "company.domain",
      NumberOfEmployees: "company.employees",
      Industry: "company.industry",
      AnnualRevenue: "company.revenue",
      CreatedDate: "createdAt",
    },
    status: {
      Status: {
        "Open - Not Contacted": null,
        "Working - Contacted": null,
        "Closed - Converted": { action: "convert" },
        "Closed - Not Converted": {
          action: "reject",
          reason: "no_active_need",
          feedback: { next_action: "disqualify" },
        },
      },
    },
    owners: {},
  },
} satisfies CrmChangesConfig;

type SystemConfig = z.output<typeof systemConfigSchema>;

/** How CRM changes map onto the agreement; the HTTP layer reads it from its configuration. */
export interface CrmChangesConfig {
  /** the role CRM changes act with */
  actorRole: "admin" | "sales_manager";
  hubspot: SystemConfig;
  salesforce: SystemConfig;
}

export const crmChangesConfigSchema = z.strictObject({
  /** the role CRM changes act with: admin (default) or sales_manager */
  actorRole: z.enum(["admin", "sales_manager"]).default(defaultCrmChangesConfig.actorRole),
  hubspot: systemConfigSchema.default(defaultCrmChangesConfig.hubspot),
  salesforce: systemConfigSchema.default(defaultCrmChangesConfig.salesforce),
});

export type CrmChangeOutcome = "applied" | "unchanged" | "skipped";

export const crmChangeProblemCodes = [
  "no_active_agreement",
  "unknown_lead",
  "unmapped_value",
  "unmapped_owner",
  "refused",
  "invalid_input",
  "not_supported",
] as const;

export interface CrmChangeResult {
  changeId: string;
  system: CrmSystem;
  externalId: string;
  kind: CrmChange["kind"];
  /** applied: Baton changed; unchanged: nothing to do; skipped: could not apply, see `code` */
  outcome: CrmChangeOutcome;
  code?: (typeof crmChangeProblemCodes)[number];
  leadId: string | null;
  /** what happened, or why not and what to do */
  message: string;
}

/** The Baton lead a CRM record became, with what the change rules compare against. */
export interface CrmLead {
  id: string;
  stage: string;
  owner: { kind: string; id: string } | null;
}

/**
 * Finds the lead Baton made of a CRM record: through `ingest_requests` (key
 * `external:<system>:<id>`, which also holds a record that joined an existing lead by e-mail),
 * else the lead's own system and external id.
 */
export async function findCrmLead(
  db: Executor,
  workspace: string,
  system: string,
  externalId: string,
): Promise<CrmLead | undefined> {
  const row = await db
    .selectFrom("leads")
    .select(["id", "stage", "owner", "owner_kind"])
    .where("workspace", "=", workspace)
    .where((eb) =>
      eb.or([
        eb(
          "id",
          "=",
          eb
            .selectFrom("ingest_requests")
            .select("lead_id")
            .where("workspace", "=", workspace)
            .where("key", "=", externalKeyOf(system, externalId)),
        ),
        eb.and([eb("system", "=", system), eb("external_id", "=", externalId)]),
      ]),
    )
    .limit(1)
    .executeTakeFirst();
  if (row === undefined) return undefined;
  return {
    id: row.id,
    stage: row.stage,
    owner:
      row.owner === null || row.owner_kind === null
        ? null
        : { kind: row.owner_kind, id: row.owner },
  };
}

const systemLabel: Record<CrmSystem, string> = { hubspot: "HubSpot", salesforce: "Salesforce" };

export async function applyCrmChanges(
  engine: Engine,
  changes: readonly CrmChange[],
  config: CrmChangesConfig,
): Promise<CrmChangeResult[]> {
  const active = await engine.registry.active(engine.db);
  if (active === undefined)
    return changes.map((change) =>
      result(change, "skipped", null, {
        code: "no_active_agreement",
        message:
          "no agreement is active yet, so nothing can be decided; have a marketing and a sales approver sign one, then have the CRM send again",
      }),
    );
  // HubSpot creations carry no values: fold the same batch's property changes of the contact in.
  const folded = new Set<CrmChange>();
  const results: CrmChangeResult[] = [];
  for (const change of changes) {
    if (folded.has(change)) {
      results.push(
        result(change, "unchanged", null, {
          message: `folded into the creation of ${change.externalId} in the same delivery`,
        }),
      );
      continue;
    }
    let properties: Readonly<Record<string, string | null>> | undefined;
    if (change.kind === "record") {
      const extra: Record<string, string | null> = {};
      const mapped = config[change.system].fields;
      for (const other of changes)
        if (
          other.kind === "property" &&
          other.system === change.system &&
          other.externalId === change.externalId &&
          Object.hasOwn(mapped, other.property) &&
          !Object.hasOwn(change.properties, other.property)
        ) {
          extra[other.property] = other.value;
          folded.add(other);
        }
      properties = { ...extra, ...change.properties };
    }
    results.push(await applyOne(engine, active.compiled, change, config, properties));
  }
  return results;
}

async function applyOne(
  engine: Engine,
  compiled: CompiledAgreement,
  change: CrmChange,
  config: CrmChangesConfig,
  properties: Readonly<Record<string, string | null>> | undefined,
): Promise<CrmChangeResult> {
  const crm = systemLabel[change.system];
  const actor = { id: `crm:${change.system}`, role: config.actorRole };
  switch (change.kind) {
    case "record": {
      const input = leadInputOf(change, properties ?? change.properties, config, compiled);
      const ingested = await ingestLead(engine, input, { actor: `webhook:${change.system}` });
      if (!ingested.ok)
        return result(change, "skipped", null, {
          code:
            ingested.error.code === "no_active_agreement" ? ingested.error.code : "invalid_input",
          message: `${crm} record ${change.externalId} was not taken: ${ingested.error.message}; fix the field mapping (${change.system}.fields) or the record`,
        });
      return ingested.outcome === "duplicate"
        ? result(change, "unchanged", ingested.leadId, {
            message: `${crm} record ${change.externalId} is already lead ${ingested.leadId}`,
          })
        : result(change, "applied", ingested.leadId, {
            message: `${crm} record ${change.externalId} ${ingested.outcome === "created" ? "created" : "joined"} lead ${ingested.leadId} (stage ${ingested.stage})`,
          });
    }
    case "status": {
      const lead = await findCrmLead(engine.db, engine.workspace, change.system, change.externalId);
      if (lead === undefined) return unknownLead(change);
      const values = config[change.system].status[change.property];
      const key = change.value ?? "";
      if (values === undefined || !Object.hasOwn(values, key))
        return result(change, "skipped", lead.id, {
          code: "unmapped_value",
          message: `${crm} ${change.property} '${key}' has no mapping; add it under ${change.system}.status.${change.property} (an action, or null for none)`,
        });
      const mapped = values[key] ?? null;
      if (mapped === null)
        return result(change, "unchanged", lead.id, {
          message: `${crm} ${change.property} '${key}' is mapped to no action`,
        });
      const lifecycle = compiled.lifecycle;
      const legalHere = lifecycle.transitionsFrom.get(lead.stage)?.has(mapped.action) ?? false;
      const destinations = new Set<string>();
      for (const byAction of lifecycle.transitionsFrom.values()) {
        const transition = byAction.get(mapped.action);
        if (transition !== undefined) destinations.add(transition.to);
      }
      if (!legalHere && destinations.has(lead.stage))
        return result(change, "unchanged", lead.id, {
          message: `lead ${lead.id} is already in '${lead.stage}', where '${mapped.action}' leads`,
        });
      const acted = await actOnLead(engine, {
        leadId: lead.id,
        action: {
          type: mapped.action,
          actor,
          reason: mapped.reason,
          note: mapped.note,
          feedback: mapped.feedback,
          context: mapped.context,
        },
      });
      if (!acted.ok)
        return result(change, "skipped", lead.id, {
          code: acted.error.code === "unknown_lead" ? "unknown_lead" : "refused",
          message: `${crm} ${change.property} '${key}' maps to '${mapped.action}', which the agreement refuses for lead ${lead.id} in '${lead.stage}': ${acted.error.message}`,
        });
      return result(change, "applied", lead.id, {
        message: `${crm} ${change.property} '${key}': '${mapped.action}' moved lead ${lead.id} from '${lead.stage}' to '${acted.lead.stage}'`,
      });
    }
    case "owner": {
      const lead = await findCrmLead(engine.db, engine.workspace, change.system, change.externalId);
      if (lead === undefined) return unknownLead(change);
      if (change.crmOwnerId === null)
        return result(change, "unchanged", lead.id, {
          message: `the ${crm} owner was cleared; lead ${lead.id} keeps its owner in Baton`,
        });
      const owners = config[change.system].owners;
      const person = Object.hasOwn(owners, change.crmOwnerId)
        ? owners[change.crmOwnerId]
        : undefined;
      if (person === undefined)
        return result(change, "skipped", lead.id, {
          code: "unmapped_owner",
          message: `${crm} owner ${change.crmOwnerId} is nobody in the agreement; add them under ${change.system}.owners (owner id → person)`,
        });
      if (lead.owner?.kind === "rep" && lead.owner.id === person)
        return result(change, "unchanged", lead.id, {
          message: `lead ${lead.id} already belongs to ${person}`,
        });
      const reassigned = await reassignLead(engine, { leadId: lead.id, to: person, actor });
      if (!reassigned.ok)
        return result(change, "skipped", lead.id, {
          code: "refused",
          message: `lead ${lead.id} could not go to ${person}: ${reassigned.error.message}`,
        });
      return result(change, "applied", lead.id, {
        message: `lead ${lead.id} reassigned to ${person} (${crm} owner ${change.crmOwnerId})`,
      });
    }
    case "property":
      return result(change, "skipped", null, {
        code: "not_supported",
        message: `${crm} ${change.property} changed; Baton keeps the fields a lead arrived with, so later edits in the CRM are not copied`,
      });
    case "deleted":
      return result(change, "skipped", null, {
        code: "not_supported",
        message: `${crm} deleted ${change.externalId}; Baton never deletes leads (its ledger is append-only): disqualify or recycle the lead in Baton if it should leave the funnel`,
      });
  }
}

/** Maps a CRM record onto the agreement's fields, converting text to each field's type. */
function leadInputOf(
  change: CrmChangeBase,
  properties: Readonly<Record<string, string | null>>,
  config: CrmChangesConfig,
  compiled: CompiledAgreement,
): LeadInput {
  const fields: Record<string, InputValue> = {};
  const company: Record<string, InputValue> = {};
  let createdAt: number | undefined;
  const mapping = config[change.system].fields;
  for (const [property, value] of Object.entries(properties)) {
    const target = Object.hasOwn(mapping, property) ? mapping[property] : undefined;
    if (target === undefined || value === null || value.trim() === "") continue;
    if (target === "createdAt") {
      const instant = /^\d+$/.test(value) ? Number(value) : Date.parse(value);
      if (Number.isFinite(instant)) createdAt = instant;
      continue;
    }
    const [scope, name] = target.startsWith("company.")
      ? (["company", target.slice("company.".length)] as const)
      : (["lead", target] as const);
    const type = compiled.variables[scope]?.[name];
    (scope === "company" ? company : fields)[name] = typed(value, type);
  }
  return {
    system: change.system,
    externalId: change.externalId,
    ...(createdAt === undefined ? {} : { createdAt }),
    fields,
    ...(Object.keys(company).length === 0 ? {} : { company }),
  };
}

/** Text as the declared type; a value that does not convert stays text, so ingest names it. */
type InputValue = string | number | boolean | string[];

function typed(value: string, type: string | undefined): InputValue {
  switch (type) {
    case "number": {
      const number = Number(value);
      return value.trim() !== "" && Number.isFinite(number) ? number : value;
    }
    case "bool":
      return value === "true" ? true : value === "false" ? false : value;
    case "timestamp": {
      const instant = /^\d+$/.test(value) ? Number(value) : Date.parse(value);
      return Number.isFinite(instant) ? instant : value;
    }
    case "list<string>":
      // Salesforce multi-select picklists and HubSpot checkboxes both separate values with ';'
      return value
        .split(";")
        .map((part) => part.trim())
        .filter((part) => part !== "");
    default:
      return value;
  }
}

function unknownLead(change: CrmChange): CrmChangeResult {
  return result(change, "skipped", null, {
    code: "unknown_lead",
    message: `Baton has no lead for ${systemLabel[change.system]} record ${change.externalId}; it is created when the CRM sends the record itself (HubSpot contact.creation, a Salesforce outbound message)`,
  });
}

function result(
  change: CrmChange,
  outcome: CrmChangeOutcome,
  leadId: string | null,
  detail: { code?: CrmChangeResult["code"]; message: string },
): CrmChangeResult {
  return {
    changeId: change.changeId,
    system: change.system,
    externalId: change.externalId,
    kind: change.kind,
    outcome,
    ...(detail.code === undefined ? {} : { code: detail.code }),
    leadId,
    message: detail.message,
  };
}
