import { type CsvMapping, headerKey, parseMapping } from "./csv-mapping.js";

/**
 * Built-in mapping files for the exports people have: Salesforce Leads (report or Data Loader:
 * columns by label or by API name) and HubSpot contacts. They are written in the mapping format
 * itself; copy one into a file to adapt it. Columns aimed at fields the agreement does not declare
 * (Lead Status, Lifecycle Stage…) are reported as ignored when it does not; declare them under
 * `fields:` to keep them.
 */

export const presetNames = ["salesforce", "hubspot"] as const;
export type PresetName = (typeof presetNames)[number];

export const presetYaml: Readonly<Record<PresetName, string>> = {
  salesforce: `name: preset salesforce
system: salesforce
timezone: UTC
dates: [iso, MM/DD/YYYY h:mm A, MM/DD/YYYY]
columns:
  Id: { to: externalId, also: [Lead ID] }
  Email: { to: fields.email, required: true }
  FirstName: { to: fields.first_name, also: [First Name] }
  LastName: { to: fields.last_name, also: [Last Name] }
  Title: fields.title
  Phone: fields.phone
  Country: fields.country
  LeadSource:
    to: fields.source
    also: [Lead Source]
    values:
      Web: website
      Webinar: webinar
      Seminar - Internal: webinar
      Trade Show: event
      Seminar - Partner: partner
      Partner: partner
      Partner Referral: partner
      Employee Referral: referral
      External Referral: referral
      Word of mouth: referral
  Status: { to: fields.lead_status, also: [Lead Status] }
  CreatedDate: { to: createdAt, also: [Created Date] }
  Company: company.name
  Website: company.domain
  Industry: company.industry
  NumberOfEmployees: { to: company.employees, also: [Employees, No. of Employees] }
  AnnualRevenue: { to: company.revenue, also: [Annual Revenue] }
  Owner: { to: ignore, also: [OwnerId, Lead Owner] }
`,
  hubspot: `name: preset hubspot
system: hubspot
timezone: UTC
dates: [iso, YYYY-MM-DD HH:mm, YYYY-MM-DD HH:mm:ss, MM/DD/YYYY h:mm A]
columns:
  Record ID: { to: externalId, also: [Contact ID] }
  Email: { to: fields.email, required: true }
  First Name: fields.first_name
  Last Name: fields.last_name
  Job Title: fields.title
  Phone Number: fields.phone
  Country/Region: { to: fields.country, also: [Country] }
  Original Source:
    to: fields.source
    values:
      ORGANIC_SEARCH: website
      DIRECT_TRAFFIC: website
      PAID_SEARCH: paid_search
      PAID_SOCIAL: paid_social
      SOCIAL_MEDIA: content
      ORGANIC_SOCIAL: content
      EMAIL_MARKETING: content
      REFERRALS: referral
  Lifecycle Stage: fields.lifecycle_stage
  Lead Status: fields.lead_status
  Create Date: createdAt
  Company Name: company.name
  Website URL: company.domain
  Industry: company.industry
  Number of Employees: company.employees
  Annual Revenue: company.revenue
  Contact owner: ignore
`,
};

/** A preset as a mapping; presets are checked by the tests, so a failure here is a bug. */
export function presetMapping(name: PresetName): CsvMapping {
  const parsed = parseMapping(presetYaml[name], `preset ${name}`);
  if (!parsed.ok)
    throw new Error(`preset ${name} is invalid: ${parsed.issues.map((i) => i.message).join("; ")}`);
  return parsed.mapping;
}

export function isPresetName(name: string): name is PresetName {
  return (presetNames as readonly string[]).includes(name);
}

export interface PresetDetection {
  preset: PresetName;
  /** header columns the preset knows */
  matched: string[];
}

/**
 * The preset whose columns a header matches best. A preset qualifies when the file has its
 * e-mail column, its id column (Salesforce `Id`/`Lead ID`, HubSpot `Record ID`) and at least
 * three of its columns in all; undefined when none does.
 */
export function detectPreset(columns: readonly string[]): PresetDetection | undefined {
  const header = new Set(columns.map(headerKey));
  let best: PresetDetection | undefined;
  for (const preset of presetNames) {
    const mapping = presetMapping(preset);
    const matched: string[] = [];
    let hasId = false;
    let hasEmail = false;
    for (const column of mapping.columns) {
      const found = [column.column, ...column.also].find((name) => header.has(headerKey(name)));
      if (found === undefined) continue;
      matched.push(found);
      if (column.target.kind === "externalId") hasId = true;
      if (column.target.kind === "field" && column.target.name === "email") hasEmail = true;
    }
    if (!hasId || !hasEmail || matched.length < 3) continue;
    if (best === undefined || matched.length > best.matched.length) best = { preset, matched };
  }
  return best;
}
