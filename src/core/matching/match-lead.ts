import type { Lead } from "../lead/lead.js";
import { normaliseCompanyName } from "./company-name.js";
import { normaliseDomain } from "./domain.js";
import { emailDomain, normaliseEmail } from "./email.js";
import { isFreeMailDomain } from "./free-mail.js";

/**
 * Matching an arriving lead to what Baton already knows, and saying why.
 *
 * Glossary
 * - contact: a person already attached to an account (typically synced from the CRM).
 * - lead: an earlier lead; a match makes the new one a duplicate or a returning person.
 * - account: a company Baton or the CRM knows, with its domains, owner and open opportunities.
 * - active-opportunity conflict: the matched account already has an open opportunity, so a new
 *   lead there belongs to a sales motion in progress (an agreed rejection reason, and usually a
 *   routing rule: send it to the opportunity's owner).
 *
 * Rules, strongest first; the first that finds something decides:
 * 1. `email_exact`: same normalised address. Contacts beat leads (a contact carries its account).
 * 2. the account: `linked_account` (the matched person's own account), else
 *    `email_domain_account` (the address's registrable domain is one of the account's domains),
 *    else `website_domain_account` (the lead's company website), else `company_name` (same
 *    normalised name), which runs only when no domain rule matched.
 * Free-mail domains never match an account by domain; the company name still may.
 * Several records under one rule are ranked: an account with an open opportunity first, then
 * the most recent activity, then the lowest id (code-unit order, so the choice is stable).
 *
 * The caller passes a shortlist (records sharing the candidate's normalised e-mail, domain or
 * name key, see `matchKeys`) fetched from the store; this function reads nothing itself.
 */

export const matchRules = [
  "email_exact",
  "linked_account",
  "email_domain_account",
  "website_domain_account",
  "company_name",
] as const;
export type MatchRule = (typeof matchRules)[number];

export const matchKinds = ["lead", "contact", "account"] as const;
export type MatchKind = (typeof matchKinds)[number];

/**
 * How sure each rule is, 0–1. An exact address is certain; a shared corporate domain almost
 * always means the same company; a name alone is a hint. A choice between several records
 * under one rule lowers the figure by `ambiguityPenalty`.
 */
export const ruleConfidence: Readonly<Record<MatchRule, number>> = {
  email_exact: 1,
  linked_account: 1,
  email_domain_account: 0.9,
  website_domain_account: 0.85,
  company_name: 0.6,
};
const ambiguityPenalty = 0.1;
/** A name match whose account lists other domains than the lead's own: likely a namesake. */
const conflictingDomainPenalty = 0.2;

export interface MatchCandidate {
  /** the arriving lead's own id, so it never matches itself */
  id?: string | undefined;
  email?: string | null | undefined;
  /** the company website or domain as given (`https://www.acme.co.uk/contact`) */
  website?: string | null | undefined;
  companyName?: string | null | undefined;
}

export interface ExistingPerson {
  id: string;
  email?: string | null | undefined;
  accountId?: string | null | undefined;
  /** epoch ms of the last activity, for tiebreaks */
  lastActivityAt?: number | null | undefined;
}

export interface OpenOpportunity {
  id: string;
  stage: string;
  ownerId?: string | null | undefined;
  /** epoch ms; the most recently updated open opportunity is the one reported */
  updatedAt?: number | null | undefined;
}

export interface ExistingAccount {
  id: string;
  name?: string | null | undefined;
  /** websites or domains, in any form `normaliseDomain` reads */
  domains?: readonly string[] | undefined;
  ownerId?: string | null | undefined;
  lastActivityAt?: number | null | undefined;
  /** only opportunities not yet won or lost */
  openOpportunities?: readonly OpenOpportunity[] | undefined;
}

export interface ExistingRecords {
  leads?: readonly ExistingPerson[] | undefined;
  contacts?: readonly ExistingPerson[] | undefined;
  accounts?: readonly ExistingAccount[] | undefined;
}

/** The keys a store looks records up by before calling `matchLead`. */
export interface MatchKeys {
  email?: string;
  /** registrable domain of the address, absent for free-mail */
  emailDomain?: string;
  /** registrable domain of the website, absent for free-mail */
  websiteDomain?: string;
  companyName?: string;
}

export interface Consideration {
  kind: MatchKind;
  id: string;
  rule: MatchRule;
  chosen: boolean;
  why: string;
}

export interface ActiveOpportunityConflict {
  accountId: string;
  opportunityId: string;
  stage: string;
  ownerId?: string;
}

export interface MatchDecision {
  /** the record the lead is matched to: the person when one matched, else the account */
  match?: { kind: MatchKind; id: string; rule: MatchRule; confidence: number };
  /** the account the lead belongs to, and the rule that found it */
  accountId?: string;
  accountRule?: MatchRule;
  conflict?: ActiveOpportunityConflict;
  /** every record a rule looked at, chosen or passed over, with the reason */
  considered: Consideration[];
  /** rule-level remarks: free-mail skipped, rules not run, conflicts */
  notes: string[];
  keys: MatchKeys;
}

/** The matching keys of a candidate; a store queries its shortlist by these. */
export function matchKeys(candidate: MatchCandidate): MatchKeys {
  const keys: MatchKeys = {};
  const email = candidate.email ? normaliseEmail(candidate.email) : undefined;
  if (email !== undefined) keys.email = email;
  const host = email === undefined ? undefined : emailDomain(email);
  if (host !== undefined && !isFreeMailDomain(host)) {
    const domain = normaliseDomain(host);
    if (domain !== undefined) keys.emailDomain = domain;
  }
  const website = candidate.website ? normaliseDomain(candidate.website) : undefined;
  if (website !== undefined && !isFreeMailDomain(website)) keys.websiteDomain = website;
  const name = candidate.companyName ? normaliseCompanyName(candidate.companyName) : "";
  if (name !== "") keys.companyName = name;
  return keys;
}

/** The candidate a lead makes: its e-mail, company domain and company name (built-in fields). */
export function candidateFromLead(lead: Lead): MatchCandidate {
  const text = (value: unknown) => (typeof value === "string" ? value : undefined);
  return {
    id: lead.id,
    email: text(lead.fields.email),
    website: text(lead.company.domain),
    companyName: text(lead.company.name),
  };
}

/** `keys`: the candidate's matchKeys, when the caller has them already (they looked it up by them). */
export function matchLead(
  candidate: MatchCandidate,
  existing: ExistingRecords,
  keys: MatchKeys = matchKeys(candidate),
): MatchDecision {
  const considered: Consideration[] = [];
  const notes: string[] = [];
  const accounts = existing.accounts ?? [];
  const decision: MatchDecision = { considered, notes, keys };

  // 1. The person, by exact address.
  const person = matchPerson(candidate, keys, existing, considered);
  if (person !== undefined) {
    decision.match = {
      kind: person.kind,
      id: person.id,
      rule: "email_exact",
      confidence: ruleConfidence.email_exact,
    };
  }

  // 2. The account: through the person, else by domain, else by name.
  let account: { id: string; rule: MatchRule; confidence: number } | undefined;
  if (person?.accountId) {
    account = { id: person.accountId, rule: "linked_account", confidence: 1 };
    notes.push(`account ${person.accountId} comes from the matched ${person.kind} ${person.id}`);
  }
  if (account === undefined)
    account = matchAccountByDomain(candidate, keys, accounts, considered, notes);
  if (account === undefined) {
    account = matchAccountByName(keys, accounts, considered, notes);
  } else if (account.rule !== "linked_account" && keys.companyName !== undefined) {
    notes.push("company-name rule not run: a domain rule matched");
  }

  if (account !== undefined) {
    decision.accountId = account.id;
    decision.accountRule = account.rule;
    decision.match ??= { kind: "account", ...account };
    const conflict = activeOpportunity(accounts.find((a) => a.id === account.id));
    if (conflict !== undefined) {
      decision.conflict = conflict;
      notes.push(
        `active-opportunity conflict: account ${conflict.accountId} has open opportunity ${conflict.opportunityId} in stage '${conflict.stage}'${conflict.ownerId ? ` owned by ${conflict.ownerId}` : ""}`,
      );
    }
  }
  return decision;
}

function matchPerson(
  candidate: MatchCandidate,
  keys: MatchKeys,
  existing: ExistingRecords,
  considered: Consideration[],
): { kind: "lead" | "contact"; id: string; accountId?: string } | undefined {
  if (keys.email === undefined) return undefined;
  const sameAddress = (people: readonly ExistingPerson[] | undefined) =>
    (people ?? []).filter(
      (p) => p.id !== candidate.id && p.email && normaliseEmail(p.email) === keys.email,
    );
  const contacts = rankPeople(sameAddress(existing.contacts));
  const leads = rankPeople(sameAddress(existing.leads));
  const ranked = [
    ...contacts.map((record) => ({ kind: "contact" as const, record })),
    ...leads.map((record) => ({ kind: "lead" as const, record })),
  ];
  const [winner] = ranked;
  if (winner === undefined) return undefined;
  for (const [index, { kind, record }] of ranked.entries()) {
    const why =
      index === 0
        ? `same e-mail address (${keys.email})`
        : kind !== winner.kind
          ? `same e-mail address, but contact ${winner.record.id} is preferred: contacts beat leads`
          : `same e-mail address, but ${winner.kind} ${winner.record.id} wins: ${personTiebreak(winner.record, record)}`;
    considered.push({ kind, id: record.id, rule: "email_exact", chosen: index === 0, why });
  }
  return {
    kind: winner.kind,
    id: winner.record.id,
    ...(winner.record.accountId ? { accountId: winner.record.accountId } : {}),
  };
}

function matchAccountByDomain(
  candidate: MatchCandidate,
  keys: MatchKeys,
  accounts: readonly ExistingAccount[],
  considered: Consideration[],
  notes: string[],
): { id: string; rule: MatchRule; confidence: number } | undefined {
  const host = keys.email === undefined ? undefined : emailDomain(keys.email);
  if (host !== undefined && keys.emailDomain === undefined) {
    notes.push(`${host} is a free-mail domain; accounts are never matched on it`);
  }
  const website = candidate.website ? normaliseDomain(candidate.website) : undefined;
  if (website !== undefined && keys.websiteDomain === undefined) {
    notes.push(`website ${website} is a free-mail domain; accounts are never matched on it`);
  }

  const attempts = [
    { rule: "email_domain_account" as const, domain: keys.emailDomain },
    { rule: "website_domain_account" as const, domain: keys.websiteDomain },
  ];
  for (const { rule, domain } of attempts) {
    if (domain === undefined) continue;
    const found = accounts.filter((account) =>
      (account.domains ?? []).some((d) => normaliseDomain(d) === domain),
    );
    const chosen = pickAccount(found, rule, `domain ${domain}`, considered);
    if (chosen !== undefined) {
      const confidence = ruleConfidence[rule] - (found.length > 1 ? ambiguityPenalty : 0);
      return { id: chosen.id, rule, confidence: round(confidence) };
    }
  }
  return undefined;
}

function matchAccountByName(
  keys: MatchKeys,
  accounts: readonly ExistingAccount[],
  considered: Consideration[],
  notes: string[],
): { id: string; rule: MatchRule; confidence: number } | undefined {
  const name = keys.companyName;
  if (name === undefined) return undefined;
  const found = accounts.filter((a) => a.name && normaliseCompanyName(a.name) === name);
  const chosen = pickAccount(found, "company_name", `company name '${name}'`, considered);
  if (chosen === undefined) return undefined;

  let confidence = ruleConfidence.company_name - (found.length > 1 ? ambiguityPenalty : 0);
  // The lead's own corporate domain is not among the account's: same name, maybe another firm.
  const ownDomain = keys.emailDomain ?? keys.websiteDomain;
  const accountDomains = (chosen.domains ?? []).flatMap((d) => normaliseDomain(d) ?? []);
  if (ownDomain !== undefined && accountDomains.length > 0) {
    confidence -= conflictingDomainPenalty;
    notes.push(
      `account ${chosen.id} matched by name only: its domains (${accountDomains.join(", ")}) do not include ${ownDomain}`,
    );
  }
  return { id: chosen.id, rule: "company_name", confidence: round(confidence) };
}

/** Ranks the accounts one rule found, records each as considered, and returns the winner. */
function pickAccount(
  found: readonly ExistingAccount[],
  rule: MatchRule,
  shared: string,
  considered: Consideration[],
): ExistingAccount | undefined {
  const ranked = [...found].sort(compareAccounts);
  const [winner] = ranked;
  if (winner === undefined) return undefined;
  for (const [index, account] of ranked.entries()) {
    const why =
      index === 0
        ? ranked.length === 1
          ? `same ${shared}`
          : `same ${shared}; chosen among ${ranked.length} accounts`
        : `same ${shared}, but account ${winner.id} wins: ${accountTiebreak(winner, account)}`;
    considered.push({ kind: "account", id: account.id, rule, chosen: index === 0, why });
  }
  return winner;
}

function hasOpenOpportunity(account: ExistingAccount): boolean {
  return (account.openOpportunities ?? []).length > 0;
}

function activity(record: { lastActivityAt?: number | null | undefined }): number {
  return record.lastActivityAt ?? Number.NEGATIVE_INFINITY;
}

/** Later first; records with no date sort last. */
function compareRecentFirst(a: number, b: number): number {
  return a === b ? 0 : a > b ? -1 : 1;
}

function compareIds(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function compareAccounts(a: ExistingAccount, b: ExistingAccount): number {
  return (
    Number(hasOpenOpportunity(b)) - Number(hasOpenOpportunity(a)) ||
    compareRecentFirst(activity(a), activity(b)) ||
    compareIds(a.id, b.id)
  );
}

function rankPeople(people: readonly ExistingPerson[]): ExistingPerson[] {
  return [...people].sort(
    (a, b) => compareRecentFirst(activity(a), activity(b)) || compareIds(a.id, b.id),
  );
}

function accountTiebreak(winner: ExistingAccount, loser: ExistingAccount): string {
  if (hasOpenOpportunity(winner) !== hasOpenOpportunity(loser)) {
    return "it has an open opportunity";
  }
  return personTiebreak(winner, loser);
}

function personTiebreak(
  winner: { id: string; lastActivityAt?: number | null | undefined },
  loser: { id: string; lastActivityAt?: number | null | undefined },
): string {
  if (activity(winner) !== activity(loser)) {
    return `more recent activity (${new Date(activity(winner)).toISOString()})`;
  }
  return "equal otherwise, lower id";
}

/** The open opportunity to report: the most recently updated, then the lowest id. */
function activeOpportunity(
  account: ExistingAccount | undefined,
): ActiveOpportunityConflict | undefined {
  if (account === undefined) return undefined;
  const [latest] = [...(account.openOpportunities ?? [])].sort(
    (a, b) =>
      compareRecentFirst(
        a.updatedAt ?? Number.NEGATIVE_INFINITY,
        b.updatedAt ?? Number.NEGATIVE_INFINITY,
      ) || compareIds(a.id, b.id),
  );
  if (latest === undefined) return undefined;
  return {
    accountId: account.id,
    opportunityId: latest.id,
    stage: latest.stage,
    ...(latest.ownerId ? { ownerId: latest.ownerId } : {}),
  };
}

function round(value: number): number {
  return Math.round(value * 100) / 100;
}
