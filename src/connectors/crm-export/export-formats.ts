import { headerKey } from "../csv/csv-mapping.js";

/**
 * The CRM exports `baton audit` reads without configuration, recognised by their headers:
 * Salesforce Lead and Opportunity exports (by API name or by label), HubSpot contact and deal
 * exports. Each format names, for every history field it feeds, the header spellings it goes by.
 *
 * Glossary
 * - export field: what a column means to the audit (a lead's id, its status, an MQL date, an
 *   opportunity's amount…), independent of how a CRM spells the header.
 * - column plan: the file's header resolved to export fields, plus the columns left unused.
 * - record kind: whether a row is a lead (a Salesforce lead, a HubSpot contact) or an
 *   opportunity (a Salesforce opportunity, a HubSpot deal).
 */

export const leadFields = [
  "id",
  "createdAt",
  "status",
  "lifecycleStage",
  "source",
  "campaign",
  "segment",
  "owner",
  "team",
  "converted",
  "convertedAt",
  "opportunityId",
  "newAt",
  "mqlAt",
  "sqlAt",
  "opportunityAt",
  "wonAt",
  "firstTouchAt",
  "lastActivityAt",
  "statusAt",
  "reason",
] as const;
export type LeadField = (typeof leadFields)[number];

export const opportunityFields = [
  "id",
  "createdAt",
  "stage",
  "closedAt",
  "amount",
  "closed",
  "won",
  "source",
  "campaign",
  "segment",
  "owner",
  "team",
  "account",
  "type",
  "leadId",
  "reason",
] as const;
export type OpportunityField = (typeof opportunityFields)[number];

export type ExportField = LeadField | OpportunityField;
export type RecordKind = "lead" | "opportunity";

/** Fields read as instants. */
export const dateFields: ReadonlySet<ExportField> = new Set<ExportField>([
  "createdAt",
  "convertedAt",
  "newAt",
  "mqlAt",
  "sqlAt",
  "opportunityAt",
  "wonAt",
  "firstTouchAt",
  "lastActivityAt",
  "statusAt",
  "closedAt",
]);

export const exportFormatIds = [
  "salesforce-leads",
  "salesforce-opportunities",
  "hubspot-contacts",
  "hubspot-deals",
] as const;
export type ExportFormatId = (typeof exportFormatIds)[number];

export interface ExportFormat {
  id: ExportFormatId | "custom";
  title: string;
  record: RecordKind;
  /** header spellings per field, tried in order */
  columns: Partial<Record<ExportField, readonly string[]>>;
  /** fields whose presence identifies the format (all required) */
  signature: readonly ExportField[];
  /** date notations tried in order (mapping-file notation, see csv-mapping.ts) */
  dates: readonly string[];
}

/**
 * First-touch columns are not standard in either CRM; these are the names teams commonly give
 * them (and HubSpot's engagement properties), so an export that has one is read without a mapping.
 */
const firstTouchColumns = [
  "First Touch Date",
  "First Contact Date",
  "First Contacted Date",
  "Date of first engagement",
  "Time of First Engagement",
  "First Engagement Date",
  "First Activity Date",
  "First Call Date",
  "First Response Date",
  "First_Touch_Date__c",
  "First_Contact_Date__c",
  "First_Touch__c",
];

/** Disqualification and loss reasons, likewise custom in most CRMs. */
const reasonColumns = [
  "Disqualification Reason",
  "Disqualified Reason",
  "Unqualified Reason",
  "Rejection Reason",
  "Reason",
  "Disqualification_Reason__c",
  "Unqualified_Reason__c",
];

const lossReasonColumns = [
  "Loss Reason",
  "Lost Reason",
  "Closed Lost Reason",
  "Loss_Reason__c",
  "Closed_Lost_Reason__c",
  "Reason",
];

const salesforceDates = [
  "iso",
  "MM/DD/YYYY h:mm A",
  "MM/DD/YYYY HH:mm",
  "MM/DD/YYYY",
  "DD.MM.YYYY HH:mm",
  "DD.MM.YYYY",
];
const hubspotDates = ["iso", "YYYY-MM-DD HH:mm", "YYYY-MM-DD HH:mm:ss", "MM/DD/YYYY h:mm A"];

export const exportFormats: readonly ExportFormat[] = [
  {
    id: "salesforce-leads",
    title: "Salesforce Lead export",
    record: "lead",
    signature: ["id", "createdAt", "status"],
    dates: salesforceDates,
    columns: {
      id: ["Id", "Lead ID"],
      createdAt: ["CreatedDate", "Created Date"],
      status: ["Status", "Lead Status"],
      source: ["LeadSource", "Lead Source"],
      campaign: ["Campaign", "Primary Campaign Source", "Primary Campaign"],
      segment: ["Segment", "Segment__c"],
      owner: ["Owner", "Lead Owner", "Owner Name", "OwnerId", "Owner.Name"],
      converted: ["IsConverted", "Converted"],
      convertedAt: ["ConvertedDate", "Converted Date"],
      opportunityId: [
        "ConvertedOpportunityId",
        "Converted Opportunity ID",
        "Converted Opportunity",
      ],
      mqlAt: ["MQL Date", "MQL_Date__c", "Marketing Qualified Date"],
      sqlAt: ["SQL Date", "SQL_Date__c"],
      firstTouchAt: firstTouchColumns,
      lastActivityAt: ["LastActivityDate", "Last Activity", "Last Activity Date"],
      statusAt: ["Status Changed Date", "Status_Changed_Date__c"],
      reason: reasonColumns,
    },
  },
  {
    id: "salesforce-opportunities",
    title: "Salesforce Opportunity export",
    record: "opportunity",
    signature: ["id", "stage", "closedAt"],
    dates: salesforceDates,
    columns: {
      id: ["Id", "Opportunity ID"],
      createdAt: ["CreatedDate", "Created Date"],
      stage: ["StageName", "Stage"],
      closedAt: ["CloseDate", "Close Date"],
      amount: ["Amount"],
      closed: ["IsClosed", "Closed"],
      won: ["IsWon", "Won"],
      source: ["LeadSource", "Lead Source"],
      campaign: ["Campaign", "Primary Campaign Source"],
      owner: ["Owner", "Opportunity Owner", "Owner Name", "OwnerId"],
      account: ["Account Name", "AccountName", "Account.Name", "AccountId"],
      type: ["Type"],
      segment: ["Segment", "Segment__c"],
      leadId: ["Lead ID", "LeadId", "Converted Lead ID"],
      reason: lossReasonColumns,
    },
  },
  {
    id: "hubspot-contacts",
    title: "HubSpot contacts export",
    record: "lead",
    signature: ["id", "createdAt", "lifecycleStage"],
    dates: hubspotDates,
    columns: {
      id: ["Record ID", "Contact ID"],
      createdAt: ["Create Date", "Create date"],
      lifecycleStage: ["Lifecycle Stage"],
      status: ["Lead Status"],
      source: ["Original Source", "Original Source Type"],
      campaign: ["Original Source Drill-Down 1", "Campaign"],
      segment: ["Segment"],
      owner: ["Contact owner", "Contact Owner", "HubSpot Owner"],
      team: ["HubSpot Team"],
      newAt: ["Became a Lead Date"],
      mqlAt: ["Became a Marketing Qualified Lead Date"],
      sqlAt: ["Became a Sales Qualified Lead Date"],
      opportunityAt: ["Became an Opportunity Date"],
      wonAt: ["Became a Customer Date"],
      firstTouchAt: firstTouchColumns,
      lastActivityAt: ["Last Activity Date"],
      statusAt: ["Lead Status Date", "Last Lead Status Change Date"],
      opportunityId: ["Associated Deal IDs", "Associated Deal", "Associated Deals"],
      reason: reasonColumns,
    },
  },
  {
    id: "hubspot-deals",
    title: "HubSpot deals export",
    record: "opportunity",
    signature: ["id", "stage"],
    dates: hubspotDates,
    columns: {
      id: ["Record ID", "Deal ID"],
      createdAt: ["Create Date", "Create date"],
      stage: ["Deal Stage"],
      closedAt: ["Close Date"],
      amount: ["Amount"],
      source: ["Original Source Type", "Original Source", "Lead Source"],
      campaign: ["Campaign"],
      owner: ["Deal owner", "Deal Owner", "HubSpot Owner"],
      team: ["HubSpot Team"],
      account: ["Associated Company", "Company name", "Associated Company IDs"],
      type: ["Deal Type"],
      segment: ["Segment"],
      leadId: ["Associated Contact IDs", "Associated Contact", "Associated Contacts"],
      reason: ["Closed Lost Reason", ...lossReasonColumns],
    },
  },
];

export interface PlannedColumn {
  index: number;
  /** the header as the file spells it */
  column: string;
  field: ExportField;
}

export interface ColumnPlan {
  format: ExportFormat;
  /** how many columns the header has */
  columns: number;
  used: PlannedColumn[];
  /** headers no field uses */
  ignored: string[];
  /** field → column index */
  index: Partial<Record<ExportField, number>>;
}

/**
 * The format's fields resolved against a header. `overrides` (a mapping file's columns) come
 * first and may also name fields the format lacks; a header is used once.
 */
export function planColumns(
  format: ExportFormat,
  columns: readonly string[],
  overrides: ReadonlyMap<string, ExportField | "ignore"> = new Map(),
): ColumnPlan {
  const byHeader = new Map<string, number>();
  for (const [index, column] of columns.entries())
    if (!byHeader.has(headerKey(column))) byHeader.set(headerKey(column), index);
  const used: PlannedColumn[] = [];
  const index: Partial<Record<ExportField, number>> = {};
  const taken = new Set<number>();
  for (const [header, field] of overrides) {
    const at = byHeader.get(headerKey(header));
    if (at === undefined) continue;
    taken.add(at);
    if (field === "ignore" || index[field] !== undefined) continue;
    index[field] = at;
    used.push({ index: at, column: columns[at]!, field });
  }
  for (const [field, names] of Object.entries(format.columns) as [ExportField, string[]][]) {
    if (index[field] !== undefined) continue;
    for (const name of names) {
      const at = byHeader.get(headerKey(name));
      if (at === undefined || taken.has(at)) continue;
      taken.add(at);
      index[field] = at;
      used.push({ index: at, column: columns[at]!, field });
      break;
    }
  }
  used.sort((a, b) => a.index - b.index);
  const ignored = columns.filter((_, at) => !taken.has(at));
  return { format, columns: columns.length, used, ignored, index };
}

export interface FormatDetection {
  format: ExportFormat;
  /** headers the format knows */
  matched: string[];
}

/**
 * The format whose signature the header has; when several do (an `Id`, `CreatedDate`, `Status`
 * file could be either Salesforce object), the one that knows most of the header wins.
 */
export function detectFormat(columns: readonly string[]): FormatDetection | undefined {
  let best: FormatDetection | undefined;
  for (const format of exportFormats) {
    const plan = planColumns(format, columns);
    if (!format.signature.every((field) => plan.index[field] !== undefined)) continue;
    const matched = plan.used.map((use) => use.column);
    if (best === undefined || matched.length > best.matched.length) best = { format, matched };
  }
  return best;
}
