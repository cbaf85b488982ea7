import { valueKey } from "../csv/csv-mapping.js";

/**
 * What a CRM's status and stage values mean to the funnel. Every value the audit meets is looked
 * up here (ignoring case, spaces and punctuation, so `Open - Not Contacted` and
 * `OPEN_NOT_CONTACTED` are one), and the "understood" section prints each value with its meaning
 * and where the meaning came from; a value no table knows is listed as unmapped.
 *
 * Meanings of a lead status or lifecycle value:
 * - new: awaiting a first touch (funnel New)
 * - mql: marketing-qualified, not yet worked
 * - working: accepted by sales and being worked (SAL); an accept decision
 * - sql: sales-qualified; an accept decision
 * - opportunity / won: lifecycle stages past SQL (HubSpot)
 * - converted: converted to an opportunity (Salesforce); a convert decision
 * - disqualified / rejected: sales declined the lead; a reject decision, with the reason column's
 *   value when there is one, else none ("a disposition without a reason")
 * - recycled: handed back to marketing; a recycle decision
 * - ignore: says nothing about the funnel (HubSpot subscriber, other)
 */
export const leadStatusMeanings = [
  "new",
  "mql",
  "working",
  "sql",
  "opportunity",
  "won",
  "converted",
  "disqualified",
  "rejected",
  "recycled",
  "ignore",
] as const;
export type LeadStatusMeaning = (typeof leadStatusMeanings)[number];

export const opportunityStageMeanings = ["open", "won", "lost"] as const;
export type OpportunityStageMeaning = (typeof opportunityStageMeanings)[number];

export type StatusTable = "salesforce" | "hubspot";

/** Salesforce's standard Lead Status picklist and its common variants. */
const salesforceStatuses: Record<string, LeadStatusMeaning> = {
  Open: "new",
  New: "new",
  "Open - Not Contacted": "new",
  Working: "working",
  Contacted: "working",
  "Working - Contacted": "working",
  Qualified: "sql",
  "Closed - Converted": "converted",
  Converted: "converted",
  Unqualified: "disqualified",
  Disqualified: "disqualified",
  "Closed - Not Converted": "disqualified",
  Recycled: "recycled",
  Nurture: "recycled",
};

/** HubSpot's default Lead Status values (labels and internal names fold to the same key). */
const hubspotStatuses: Record<string, LeadStatusMeaning> = {
  New: "new",
  Open: "working",
  "In Progress": "working",
  "Attempted to contact": "working",
  Connected: "working",
  "Open Deal": "sql",
  Unqualified: "rejected",
  "Bad timing": "rejected",
};

/** HubSpot lifecycle stages (labels and internal names). */
const hubspotLifecycle: Record<string, LeadStatusMeaning> = {
  Subscriber: "ignore",
  Lead: "new",
  "Marketing Qualified Lead": "mql",
  marketingqualifiedlead: "mql",
  "Sales Qualified Lead": "sql",
  salesqualifiedlead: "sql",
  Opportunity: "opportunity",
  Customer: "won",
  Evangelist: "won",
  Other: "ignore",
};

/** Closed stages of both CRMs, and their standard open stages (so they are not "unmapped"). */
const opportunityStages: Record<string, OpportunityStageMeaning> = {
  "Closed Won": "won",
  closedwon: "won",
  Won: "won",
  "Closed Lost": "lost",
  closedlost: "lost",
  Lost: "lost",
  Prospecting: "open",
  Qualification: "open",
  "Needs Analysis": "open",
  "Value Proposition": "open",
  "Id. Decision Makers": "open",
  "Perception Analysis": "open",
  "Proposal/Price Quote": "open",
  "Negotiation/Review": "open",
  appointmentscheduled: "open",
  "Appointment Scheduled": "open",
  qualifiedtobuy: "open",
  "Qualified To Buy": "open",
  presentationscheduled: "open",
  "Presentation Scheduled": "open",
  decisionmakerboughtin: "open",
  "Decision Maker Bought-In": "open",
  contractsent: "open",
  "Contract Sent": "open",
};

function keyed<Meaning>(table: Record<string, Meaning>): Map<string, Meaning> {
  return new Map(Object.entries(table).map(([value, meaning]) => [valueKey(value), meaning]));
}

const tables = {
  salesforce: keyed(salesforceStatuses),
  hubspot: keyed(hubspotStatuses),
  lifecycle: keyed(hubspotLifecycle),
  stages: keyed(opportunityStages),
};

/** Where a value's meaning came from, for the "understood" section. */
export type MeaningOrigin = "mapping file" | "built-in" | "unmapped";

export interface ValueMeaning<Meaning> {
  meaning: Meaning | null;
  origin: MeaningOrigin;
  /** a reason the status itself carries (HubSpot "Bad timing") */
  reason: string | null;
}

/** Status values that are themselves a reason for the disposition. */
const reasonStatuses = new Map([["bad_timing", "bad timing"]]);

export class ValueMeanings {
  readonly #statuses: Map<string, LeadStatusMeaning>;
  readonly #lifecycle: Map<string, LeadStatusMeaning>;
  readonly #stages: Map<string, OpportunityStageMeaning>;
  readonly #custom: Map<string, LeadStatusMeaning>;
  readonly #customStages: Map<string, OpportunityStageMeaning>;

  constructor(
    table: StatusTable,
    custom: ReadonlyMap<string, LeadStatusMeaning> = new Map(),
    customStages: ReadonlyMap<string, OpportunityStageMeaning> = new Map(),
  ) {
    this.#statuses = tables[table];
    this.#lifecycle = tables.lifecycle;
    this.#stages = tables.stages;
    this.#custom = new Map([...custom].map(([value, meaning]) => [valueKey(value), meaning]));
    this.#customStages = new Map(
      [...customStages].map(([value, meaning]) => [valueKey(value), meaning]),
    );
  }

  // Meanings by raw value: an export repeats a few dozen statuses a million times.
  readonly #known = {
    status: new Map<string, ValueMeaning<LeadStatusMeaning>>(),
    lifecycle: new Map<string, ValueMeaning<LeadStatusMeaning>>(),
    stage: new Map<string, ValueMeaning<OpportunityStageMeaning>>(),
  };

  status(value: string): ValueMeaning<LeadStatusMeaning> {
    return remembered(this.#known.status, value, () => this.#look(value, this.#statuses));
  }

  lifecycle(value: string): ValueMeaning<LeadStatusMeaning> {
    return remembered(this.#known.lifecycle, value, () => this.#look(value, this.#lifecycle));
  }

  stage(value: string): ValueMeaning<OpportunityStageMeaning> {
    return remembered(this.#known.stage, value, () => this.#stage(value));
  }

  #stage(value: string): ValueMeaning<OpportunityStageMeaning> {
    const key = valueKey(value);
    const custom = this.#customStages.get(key);
    if (custom !== undefined) return { meaning: custom, origin: "mapping file", reason: null };
    const known = this.#stages.get(key);
    if (known !== undefined) return { meaning: known, origin: "built-in", reason: null };
    return { meaning: null, origin: "unmapped", reason: null };
  }

  #look(value: string, table: Map<string, LeadStatusMeaning>): ValueMeaning<LeadStatusMeaning> {
    const key = valueKey(value);
    const reason = reasonStatuses.get(key) ?? null;
    const custom = this.#custom.get(key);
    if (custom !== undefined) return { meaning: custom, origin: "mapping file", reason };
    const known = table.get(key);
    if (known !== undefined) return { meaning: known, origin: "built-in", reason };
    return { meaning: null, origin: "unmapped", reason: null };
  }
}

/** A cache of meanings that stops growing at 10,000 raw values (free-text columns). */
function remembered<Meaning>(
  known: Map<string, ValueMeaning<Meaning>>,
  value: string,
  look: () => ValueMeaning<Meaning>,
): ValueMeaning<Meaning> {
  const found = known.get(value);
  if (found !== undefined) return found;
  const meaning = look();
  if (known.size < 10_000) known.set(value, meaning);
  return meaning;
}
