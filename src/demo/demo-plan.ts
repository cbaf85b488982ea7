import { DateTime } from "luxon";
import type { Agreement } from "../core/agreement/agreement-schema.js";
import type { CompiledAgreement } from "../core/agreement/compile-agreement.js";
import type { BusinessTime } from "../core/calendar/index.js";
import type { ActorRole } from "../core/lifecycle/index.js";
import { isEmptyField, matchRecyclingRule } from "../core/lifecycle/index.js";
import {
  countriesByRegion,
  type DemoCompany,
  type DemoPerson,
  drawCompany,
  drawPerson,
  type Region,
  useCases,
} from "./demo-people.js";
import { createRandom, type Random } from "./random.js";

/**
 * The demo company's history as a plan: a time-ordered list of happenings (leads arriving, and
 * what marketing ops, reps and account executives then do to each), drawn from a seed. Pure:
 * the same `{ seed, days, end }` and agreement always give the same plan; nothing here reads the
 * clock or a database. `app/seed-demo.ts` plays the plan through the engine.
 *
 * The plan speaks the agreement's language: sources, reasons, feedback values, handoff context,
 * people, pools, calendars and recycling waits are read from the compiled agreement, so the
 * demo follows an edited agreement as far as its shape allows.
 *
 * Glossary
 * - arrival: a lead delivered to Baton (`createdAt` is when the source system made it; the
 *   player ingests arrivals in small batches, so Baton's own time is a little later).
 * - performer: who takes an action. `owner` means whoever holds the lead when the action comes
 *   (routing, escalations and hand-offs decide that while the plan plays); when a queue holds it,
 *   `fallback` (a rep of the lead's region) takes it from the queue.
 * - story: the happenings planned for one lead. A story assumes the lead's expected stage; the
 *   player skips a step the engine refuses (the ledger stays the truth).
 */

export interface DemoPlanOptions {
  seed: number;
  /** length of the history, in days before `end` */
  days: number;
  /** epoch ms: the history ends here (the player's "now") */
  end: number;
  agreement: CompiledAgreement;
}

/** A lead as the ingest pipeline takes it (structurally a `LeadInput`). */
export interface DemoLeadInput {
  system: string;
  externalId: string;
  createdAt: number;
  fields: Record<string, string | number | boolean>;
  company: Record<string, string | number | boolean>;
  activities: {
    type: "page_view" | "form_submit" | "content_download" | "webinar" | "intent_signal";
    at: number;
    fields?: Record<string, string>;
  }[];
}

export type Performer =
  | { kind: "owner"; fallback: string }
  | { kind: "person"; id: string; role: ActorRole };

export type DemoHappening =
  | { kind: "arrival"; at: number; lead: number; input: DemoLeadInput; returning: boolean }
  | {
      kind: "touch";
      at: number;
      lead: number;
      by: Performer;
      activity: "call" | "email" | "meeting";
    }
  | {
      kind: "action";
      at: number;
      lead: number;
      by: Performer;
      action: string;
      reason?: string;
      note?: string;
      feedback?: Record<string, string>;
      context?: Record<string, string>;
      /** for `convert` */
      opportunity?: { stage: string; amount: number };
      /** for `win` */
      amount?: number;
    }
  | { kind: "handoff"; at: number; lead: number; to: string; by: string }
  | {
      kind: "opportunity_stage";
      at: number;
      lead: number;
      by: Performer;
      stage: string;
      amount?: number;
    };

export interface DemoLeadSummary {
  index: number;
  region: Region;
  source: string;
  campaign: string | null;
  /** whether the plan expects the agreement to qualify the lead on arrival */
  mql: boolean;
  score: number;
  arrivedAt: number;
}

export interface DemoPlan {
  seed: number;
  from: number;
  to: number;
  leads: DemoLeadSummary[];
  happenings: DemoHappening[];
}

const minuteMs = 60_000;
const hourMs = 60 * minuteMs;
const dayMs = 24 * hourMs;
const businessDayMinutes = 8 * 60;

/** Where leads come from, and the zone whose working day sets their arrival pattern. */
const regions: readonly { region: Region; share: number; zone: string }[] = [
  { region: "na", share: 0.58, zone: "America/New_York" },
  { region: "emea", share: 0.3, zone: "Europe/London" },
  { region: "apac", share: 0.08, zone: "Australia/Sydney" },
  { region: "latam", share: 0.04, zone: "America/Sao_Paulo" },
];

/** Relative arrivals per local hour on a working day: morning and early-afternoon peaks. */
const weekdayCurve = [
  0.05, 0.04, 0.03, 0.03, 0.04, 0.06, 0.12, 0.25, 0.6, 1.0, 1.25, 1.2, 0.85, 1.0, 1.15, 1.05, 0.85,
  0.55, 0.35, 0.25, 0.2, 0.15, 0.1, 0.07,
] as const;
const weekendFactor = 0.15;
const averageHourWeight =
  ((5 + 2 * weekendFactor) * weekdayCurve.reduce((sum, weight) => sum + weight, 0)) / (7 * 24);

/** Organic leads per day, before campaign bursts. */
const organicPerDay = 19;

/** How common each source is among organic arrivals; a source the agreement adds gets 4. */
const sourceWeights: Record<string, number> = {
  website: 24,
  paid_search: 20,
  paid_social: 12,
  content: 14,
  webinar: 3,
  event: 2,
  outbound: 8,
  referral: 6,
  partner: 5,
  agency: 2,
};

/** What delivers each source's leads to Baton. */
const systemOf: Record<string, string> = {
  website: "web-form",
  paid_search: "web-form",
  paid_social: "web-form",
  content: "web-form",
  webinar: "webinar-platform",
  event: "csv-import",
  outbound: "crm",
  referral: "crm",
  partner: "partner-portal",
  agency: "partner-portal",
};

const campaignsOf: Record<string, readonly (string | null)[]> = {
  website: [null, null, "homepage-demo-cta"],
  paid_search: ["brand-search", "competitor-search", "sla-keywords"],
  paid_social: ["linkedin-revops-guide", "linkedin-demo-offer"],
  content: ["state-of-revops-report", "sla-template-ebook", "blog"],
  webinar: ["on-demand-webinars"],
  event: ["field-events"],
  outbound: ["q-outbound-sequence"],
  referral: [null],
  partner: ["partner-referrals"],
  agency: ["agency-program"],
};

/** Chance that a lead of the source asked for a demo (the agreement's strongest intent). */
const demoRequestChance: Record<string, number> = {
  website: 0.38,
  paid_search: 0.42,
  paid_social: 0.15,
  content: 0.08,
  webinar: 0.2,
  event: 0.25,
  outbound: 0.3,
  referral: 0.5,
  partner: 0.45,
  agency: 0.3,
};

const messages = [
  "pricing angle",
  "SLA template",
  "ROI calculator",
  "webinar follow-up",
  "competitor comparison",
  "speed-to-lead benchmark",
] as const;

const opportunityStages = ["discovery", "demo", "proposal", "negotiation"] as const;

const notes: Record<string, readonly string[]> = {
  rejection: [
    "Duplicate of a partner-registered deal",
    "Consultant researching for a client",
    "Asked to be contacted next fiscal year via their agency",
  ],
  recycle: ["Champion left the company", "Budget frozen until the reorganisation ends"],
  loss: ["Project merged into a wider platform purchase", "Security review could not be scheduled"],
};

/** Who the plan's people are, read from the agreement. */
interface Cast {
  /** marketing people who disqualify leads below the MQL threshold */
  marketingOps: string[];
  /** reps of routing pools, by the region calendar they work on */
  repsByCalendar: Map<string, string[]>;
  allReps: string[];
  /** account executives who take sales-qualified leads, with the manager who hands them over */
  accountExecutives: string[];
  salesManager: string;
  regionCalendar: (region: Region) => BusinessTime;
  marketingCalendar: BusinessTime;
}

export function planDemo(options: DemoPlanOptions): DemoPlan {
  const { seed, days, end, agreement: compiled } = options;
  if (!Number.isInteger(days) || days < 1) throw new RangeError(`days must be ≥ 1, got ${days}`);
  const from = end - days * dayMs;
  const random = createRandom(seed);
  const cast = castOf(compiled);
  const builder = new PlanBuilder(compiled, cast, random, seed, end);

  // Organic arrivals, hour by hour: each region follows its own working day.
  const arrivals = random.fork("arrivals");
  const campaignDays = campaignCalendar(from, days);
  for (let hour = Math.floor(from / hourMs) * hourMs; hour < end; hour += hourMs) {
    for (const { region, share, zone } of regions) {
      const boost = campaignDays.boost(hour);
      const mean = (organicPerDay / 24) * share * (hourWeight(hour, zone) / averageHourWeight);
      const count = arrivals.poisson(mean * boost.factor);
      for (let n = 0; n < count; n++) {
        const at = hour + Math.floor(arrivals.next() * hourMs);
        if (at < from || at >= end) continue;
        const source =
          boost.source !== undefined && arrivals.chance(1 - 1 / boost.factor)
            ? boost.source
            : pickSource(arrivals, compiled.agreement);
        builder.lead({ at, region, source, campaign: null });
      }
    }
  }

  // Bursts: webinar attendees after each webinar, badge scans the morning after each event.
  const bursts = random.fork("bursts");
  for (const burst of burstsOf(from, end, bursts))
    for (let n = 0; n < burst.count; n++) {
      const region = bursts.weighted(burst.regions);
      builder.lead({
        at: burst.at + n * bursts.int(1, 4) * 1000,
        region,
        source: burst.source,
        campaign: burst.campaign,
        ...(burst.attendedAt === undefined ? {} : { attendedAt: burst.attendedAt }),
      });
    }

  return builder.finish(from);
}

/** Zone-local weight of an hour: the working-day curve, low at weekends and on holidays. */
function hourWeight(at: number, zone: string): number {
  const local = DateTime.fromMillis(at + 30 * minuteMs, { zone });
  const weight = weekdayCurve[local.hour] ?? 0.1;
  return local.weekday >= 6 ? weight * weekendFactor : weight;
}

function pickSource(random: Random, agreement: Agreement): string {
  const sources = [
    ...(agreement.sources?.marketing ?? []),
    ...(agreement.sources?.sales ?? []),
    ...(agreement.sources?.partner ?? []),
  ];
  if (sources.length === 0) return "website";
  return random.weighted(sources.map((source) => [source, sourceWeights[source] ?? 4] as const));
}

/** A paid-social push and a content launch: days on which one source arrives more often. */
function campaignCalendar(from: number, days: number) {
  const pushes = [
    { source: "paid_social", start: from + Math.floor(days * 0.35) * dayMs, days: 7, factor: 2.2 },
    { source: "content", start: from + Math.floor(days * 0.7) * dayMs, days: 2, factor: 2.8 },
  ];
  return {
    boost(at: number): { factor: number; source?: string } {
      const push = pushes.find(
        (candidate) => at >= candidate.start && at < candidate.start + candidate.days * dayMs,
      );
      return push === undefined ? { factor: 1 } : { factor: push.factor, source: push.source };
    },
  };
}

interface Burst {
  at: number;
  count: number;
  source: string;
  campaign: string;
  regions: readonly (readonly [Region, number])[];
  attendedAt?: number;
}

/** Webinars every three weeks (Tuesdays, 11:00 New York) and two field events. */
function burstsOf(from: number, end: number, random: Random): Burst[] {
  const bursts: Burst[] = [];
  let webinar = DateTime.fromMillis(from + 6 * dayMs, { zone: "America/New_York" }).set({
    hour: 11,
    minute: 0,
    second: 0,
    millisecond: 0,
  });
  while (webinar.weekday !== 2) webinar = webinar.plus({ days: 1 });
  const topics = [
    "SLA clocks that sales trusts",
    "Lead routing without spreadsheets",
    "The joint revenue review",
    "Speed to lead in 2026",
  ];
  for (let n = 0; webinar.toMillis() < end; n++, webinar = webinar.plus({ weeks: 3 })) {
    const attendedAt = webinar.toMillis();
    bursts.push({
      // the webinar platform syncs attendees when the session closes
      at: attendedAt + 75 * minuteMs,
      count: random.int(24, 42),
      source: "webinar",
      campaign: `webinar-${webinar.toFormat("yyyy-LL")}-${slug(topics[n % topics.length]!)}`,
      regions: [
        ["na", 70],
        ["emea", 25],
        ["apac", 5],
      ],
      attendedAt,
    });
  }
  const events = [
    {
      name: "RevOps Summit London",
      zone: "Europe/London",
      region: "emea" as const,
      offsetDays: 30,
    },
    {
      name: "Pipeline Live Boston",
      zone: "America/New_York",
      region: "na" as const,
      offsetDays: 64,
    },
  ];
  for (const event of events) {
    let day = DateTime.fromMillis(from + event.offsetDays * dayMs, { zone: event.zone }).set({
      hour: 9,
      minute: 30,
      second: 0,
      millisecond: 0,
    });
    while (day.weekday !== 3) day = day.plus({ days: 1 });
    // two days of booth scans, imported the next morning
    const attendedAt = day.set({ hour: 14 }).toMillis();
    const importedAt = day.plus({ days: 2 }).toMillis();
    if (importedAt >= end) continue;
    bursts.push({
      at: importedAt,
      count: random.int(35, 60),
      source: "event",
      campaign: slug(event.name),
      regions: [
        [event.region, 85],
        [event.region === "na" ? "emea" : "na", 15],
      ],
      attendedAt,
    });
  }
  return bursts;
}

function slug(text: string): string {
  return text
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, "-")
    .replace(/^-|-$/g, "");
}

function castOf(compiled: CompiledAgreement): Cast {
  const agreement = compiled.agreement;
  const teamOf = (person: string) => agreement.teams[agreement.people[person]?.team ?? ""];
  const calendarOf = (person: string) =>
    agreement.people[person]?.calendar ?? teamOf(person)?.calendar ?? "";
  const calendar = (name: string | undefined): BusinessTime => {
    const found = name === undefined ? undefined : compiled.calendars.get(name);
    const first = compiled.calendars.values().next().value;
    if (found !== undefined) return found;
    if (first === undefined) throw new Error("the agreement declares no calendar");
    return first;
  };
  const people = Object.keys(agreement.people);
  const allReps = [
    ...new Set(
      Object.values(agreement.routing?.pools ?? {}).flatMap((pool) =>
        pool.members.map((member) => member.rep),
      ),
    ),
  ];
  if (allReps.length === 0) throw new Error("the demo needs a routing pool with reps");
  const repsByCalendar = new Map<string, string[]>();
  for (const rep of allReps) {
    const list = repsByCalendar.get(calendarOf(rep)) ?? [];
    list.push(rep);
    repsByCalendar.set(calendarOf(rep), list);
  }
  // Marketing ops: the marketing team that owns the clock stopped by disqualification.
  const qualificationStep = agreement.sla.steps.find(
    (step) =>
      step.kind === "clock" && step.stop_on.some((trigger) => trigger.endsWith(":disqualify")),
  );
  const opsTeam =
    qualificationStep && "owner" in qualificationStep ? qualificationStep.owner : undefined;
  const marketingPeople = people.filter((person) => teamOf(person)?.side === "marketing");
  const marketingOps = people.filter((person) => agreement.people[person]!.team === opsTeam);
  // Account executives: sales people outside the rep pools, else any sales person.
  const salesPeople = people.filter((person) => teamOf(person)?.side === "sales");
  const salesManagers = new Set(
    Object.values(agreement.teams)
      .filter((team) => team.side === "sales")
      .map((team) => team.manager)
      .filter((manager): manager is string => manager !== undefined),
  );
  const aeTeams = new Set(
    salesPeople
      .filter((person) => !allReps.includes(person) && !salesManagers.has(person))
      .map((person) => agreement.people[person]!.team),
  );
  const accountExecutives = salesPeople.filter(
    (person) => aeTeams.has(agreement.people[person]!.team) && !salesManagers.has(person),
  );
  const aeManager = agreement.teams[[...aeTeams][0] ?? ""]?.manager;
  return {
    marketingOps: marketingOps.length > 0 ? marketingOps : marketingPeople,
    repsByCalendar,
    allReps,
    accountExecutives: accountExecutives.length > 0 ? accountExecutives : allReps,
    salesManager: aeManager ?? [...salesManagers][0] ?? allReps[0]!,
    regionCalendar: (region) =>
      calendar(agreement.regions?.[region] ?? teamOf(allReps[0]!)?.calendar),
    marketingCalendar: calendar(teamOf(marketingOps[0] ?? marketingPeople[0] ?? "")?.calendar),
  };
}

interface NewLead {
  at: number;
  region: Region;
  source: string;
  campaign: string | null;
  attendedAt?: number;
}

class PlanBuilder {
  readonly happenings: DemoHappening[] = [];
  readonly leads: DemoLeadSummary[] = [];
  readonly emails = new Set<string>();
  readonly agreement: Agreement;

  constructor(
    readonly compiled: CompiledAgreement,
    readonly cast: Cast,
    readonly random: Random,
    readonly seed: number,
    readonly end: number,
  ) {
    this.agreement = compiled.agreement;
  }

  finish(from: number): DemoPlan {
    // Arrivals were drawn region by region and bursts after them: number leads by arrival, then
    // order every happening by time (a stable sort keeps each story's order at equal times).
    const order = [...this.leads].sort((a, b) => a.arrivedAt - b.arrivedAt || a.index - b.index);
    const renumber = new Map(order.map((lead, position) => [lead.index, position]));
    const leads = order.map((lead) => ({ ...lead, index: renumber.get(lead.index)! }));
    const happenings = this.happenings
      .filter((happening) => happening.at < this.end)
      .map((happening) => ({ ...happening, lead: renumber.get(happening.lead)! }))
      .sort((a, b) => a.at - b.at);
    for (const happening of happenings)
      if (happening.kind === "arrival")
        happening.input = {
          ...happening.input,
          externalId: `demo-${this.seed}-${this.end.toString(36)}-${happening.lead}${happening.returning ? "-again" : ""}`,
        };
    return { seed: this.seed, from, to: this.end, leads, happenings };
  }

  /** Draws one lead, its arrival and its story. */
  lead(lead: NewLead): void {
    const index = this.leads.length;
    // each lead draws from its own stream: a change to one story leaves the others alone
    const random = this.random.fork(`lead-${lead.region}-${lead.source}-${lead.at}-${index}`);
    const { input, company, person } = drawLead(random, this.compiled, lead, this.emails);
    const score = this.compiled.qualification.scoreLead(
      {
        lead: input.fields,
        company: input.company,
        activities: input.activities.map((activity) => ({
          ...activity.fields,
          type: activity.type,
          at: activity.at,
        })),
      },
      lead.at,
    );
    const mql = score.mql.qualified;
    this.leads.push({
      index,
      region: lead.region,
      source: lead.source,
      campaign:
        lead.campaign ?? (typeof input.fields.campaign === "string" ? input.fields.campaign : null),
      mql,
      score: score.total,
      arrivedAt: lead.at,
    });
    this.happenings.push({ kind: "arrival", at: lead.at, lead: index, input, returning: false });
    const story = new Story(this, random, index, lead.region, company, person, input.fields);
    if (mql) story.handoff(lead.at, score.total);
    else story.belowThreshold(lead.at, person);
  }
}

/** Draws a person at a company of the region, and what they did before arriving. */
function drawLead(random: Random, compiled: CompiledAgreement, lead: NewLead, emails: Set<string>) {
  const company = drawCompany(random, random.weighted(countriesByRegion[lead.region]));
  const person = drawPerson(random, company, emails);
  return { input: leadInputOf(random, compiled, lead, company, person), company, person };
}

/**
 * The share of a source's leads that arrive with their handoff context (message used, account
 * context): forms and content carry it; event badge scans and partner referrals often do not, so
 * the "Handoffs with full context" commitment (95 %) is met in some weeks and missed in others.
 */
const contextShare: Record<string, number> = {
  website: 0.98,
  content: 0.98,
  webinar: 0.96,
  paid_search: 0.95,
  paid_social: 0.94,
  event: 0.8,
  partner: 0.82,
  agency: 0.85,
};

/** What a rep or marketing knows of the account, as the handoff context's text. */
function accountContext(company: DemoCompany, useCase: string): string {
  return `${company.employees} employees, ${company.industry.replace("_", " ")}; evaluating ${useCase}`;
}

function leadInputOf(
  random: Random,
  compiled: CompiledAgreement,
  lead: NewLead,
  company: DemoCompany,
  person: DemoPerson,
): DemoLeadInput {
  const activities: DemoLeadInput["activities"] = [];
  const before = (maxDays: number) => lead.at - Math.floor(random.between(0.02, maxDays) * dayMs);
  for (
    let n = random.poisson(["website", "paid_search"].includes(lead.source) ? 1.1 : 0.5);
    n > 0;
    n--
  )
    activities.push({ type: "page_view", at: before(20), fields: { url: "/pricing" } });
  for (
    let n = random.poisson(["content", "paid_social"].includes(lead.source) ? 1.6 : 0.4);
    n > 0;
    n--
  )
    activities.push({
      type: "content_download",
      at: before(40),
      fields: { topic: random.pick(["sla-template", "revops-report", "routing-guide"]) },
    });
  if (random.chance(0.22))
    for (let n = random.int(1, 2); n > 0; n--)
      activities.push({
        type: "intent_signal",
        at: before(15),
        fields: { topic: "lead routing" },
      });
  if (lead.attendedAt !== undefined)
    activities.push(
      lead.source === "webinar"
        ? { type: "webinar", at: lead.attendedAt, fields: { topic: lead.campaign ?? "webinar" } }
        : { type: "form_submit", at: lead.attendedAt, fields: { form: "badge_scan" } },
    );
  const demo = !person.student && random.chance(demoRequestChance[lead.source] ?? 0.2);
  activities.push({
    type: "form_submit",
    at: lead.attendedAt !== undefined && demo ? lead.attendedAt : lead.at,
    fields: { form: demo ? "demo" : lead.source === "content" ? "content_gate" : "contact" },
  });
  activities.sort((a, b) => a.at - b.at);
  const campaign = lead.campaign ?? random.pick(campaignsOf[lead.source] ?? [null]);
  // Marketing's side of the handoff: most leads arrive with the message that got the reply and
  // what is known of the account (a draw of its own, so the rest of the company stays as it was).
  const handoff = random.fork("handoff-context");
  const withContext = handoff.chance(contextShare[lead.source] ?? 0.95);
  const useCase = random.pick(useCases);
  const fields: DemoLeadInput["fields"] = {
    email: person.email,
    first_name: person.firstName,
    last_name: person.lastName,
    title: person.title,
    seniority: person.seniority,
    country: company.country,
    region: lead.region,
    source: lead.source,
    persona_match: person.personaMatch,
    use_case: useCase,
    ...(campaign === null ? {} : { campaign }),
    ...(person.student ? { student: true } : {}),
    ...(withContext
      ? {
          message_used: handoff.pick(messages),
          account_context: accountContext(company, useCase),
        }
      : {}),
  };
  return {
    system: systemOf[lead.source] ?? "api",
    externalId: "",
    createdAt: lead.at,
    fields: onlyDeclared(fields, compiled.variables.lead),
    company: onlyDeclared(
      {
        name: company.name,
        domain: company.domain,
        employees: company.employees,
        industry: company.industry,
        country: company.country,
        segment: company.segment,
      },
      compiled.variables.company,
    ),
    activities,
  };
}

/**
 * The `index`-th lead of the live sequence for `seed`, arriving at `at` (the real clock while
 * the server runs): its region follows the working day at that hour, like the history's.
 */
export function liveDemoLead(options: {
  seed: number;
  index: number;
  at: number;
  agreement: CompiledAgreement;
}): DemoLeadInput {
  const { seed, index, at, agreement } = options;
  const random = createRandom(seed).fork(`live-${index}`);
  const region = random.weighted(
    regions.map(({ region, share, zone }) => [region, share * hourWeight(at, zone)] as const),
  );
  const source = pickSource(random, agreement.agreement);
  const { input } = drawLead(random, agreement, { at, region, source, campaign: null }, new Set());
  return { ...input, externalId: `live-${seed}-${index}` };
}

/** Keeps the fields the agreement knows, so an agreement without `persona_match` still works. */
function onlyDeclared<Value>(
  record: Record<string, Value>,
  declared: Readonly<Record<string, unknown>> | undefined,
): Record<string, Value> {
  return Object.fromEntries(
    Object.entries(record).filter(
      ([name]) => declared !== undefined && Object.hasOwn(declared, name),
    ),
  );
}

/** One lead's story: what people do to it, and when. */
class Story {
  readonly calendar: BusinessTime;
  readonly owner: Performer;

  constructor(
    readonly plan: PlanBuilder,
    readonly random: Random,
    readonly lead: number,
    readonly region: Region,
    readonly company: DemoCompany,
    readonly person: DemoPerson,
    /** the lead's fields as it arrived (marketing's handoff context among them) */
    readonly arrived: Readonly<DemoLeadInput["fields"]>,
  ) {
    this.calendar = plan.cast.regionCalendar(region);
    const calendarName = [...plan.compiled.calendars.entries()].find(
      ([, calendar]) => calendar === this.calendar,
    )?.[0];
    const local = plan.cast.repsByCalendar.get(calendarName ?? "") ?? plan.cast.allReps;
    this.owner = { kind: "owner", fallback: random.pick(local) };
  }

  /** the instant `minutes` business minutes after `from` on the lead's region calendar */
  after(from: number, minutes: number): number {
    const due = this.calendar.due(from, Math.max(1, minutes) * minuteMs);
    return Number.isFinite(due) ? due + this.random.int(0, 59) * 1000 : Number.POSITIVE_INFINITY;
  }

  push(happening: DemoHappening): void {
    if (Number.isFinite(happening.at)) this.plan.happenings.push(happening);
  }

  /** Below the MQL threshold: marketing ops disqualifies most, within its hour or the next day. */
  belowThreshold(arrivedAt: number, person: DemoPerson): void {
    const { random } = this;
    if (!person.student && random.chance(0.15)) return; // stays in New, nurtured by e-mail
    const ops = random.pick(this.plan.cast.marketingOps);
    const calendar = this.plan.cast.marketingCalendar;
    const start = calendar.isOpen(arrivedAt) ? arrivedAt : calendar.due(arrivedAt, minuteMs);
    const at = start + Math.round(random.logNormal(20, 0.8) * minuteMs);
    const transition = this.transitionFrom(this.plan.compiled.lifecycle.initial, "disqualify");
    if (transition === undefined || !Number.isFinite(at)) return;
    this.push({
      kind: "action",
      at,
      lead: this.lead,
      by: { kind: "person", id: ops, role: "marketing" },
      action: "disqualify",
      ...this.reasonFor(
        transition.requires.reason,
        person.student ? ["wrong_persona", "out_of_icp"] : undefined,
      ),
    });
  }

  /** An MQL handed to a rep: touch (sometimes late), disposition, and for some a deal. */
  handoff(arrivedAt: number, score: number): void {
    const { random } = this;
    const hot = score >= 90;
    const pace = random.weighted([
      ["fast", 62],
      ["medium", 20],
      ["late", 13],
      ["never", 5],
    ] as const);
    const minutes =
      pace === "fast"
        ? Math.min(200, random.logNormal(hot ? 22 : 40, 0.7))
        : pace === "medium"
          ? random.between(70, 230)
          : pace === "late"
            ? random.between(260, 900)
            : random.between(900, 1800);
    const touchAt = this.after(arrivedAt, minutes);
    this.push({
      kind: "touch",
      at: touchAt,
      lead: this.lead,
      by: this.owner,
      activity: random.weighted([
        ["call", 50],
        ["email", 40],
        ["meeting", 10],
      ] as const),
    });
    const decidedAt = this.after(touchAt, random.between(20, 1.5 * businessDayMinutes));
    const outcome = random.weighted([
      ["accept", 56],
      ["reject", 22],
      ["recycle", 13],
      ["undecided", 9],
    ] as const);
    if (outcome === "undecided") return;
    if (outcome === "reject") this.reject("mql", decidedAt);
    else if (outcome === "recycle") this.recycle("mql", decidedAt);
    else this.accept(decidedAt);
  }

  transitionFrom(stage: string, action: string) {
    return this.plan.compiled.lifecycle.transitionsFrom.get(stage)?.get(action);
  }

  /** an approved reason from the list the transition names, with a note when the reason wants one */
  reasonFor(
    list: string | undefined,
    only?: readonly string[],
  ): { reason?: string; note?: string } {
    if (list === undefined) return {};
    const reasons = (this.plan.agreement.reasons?.[list] ?? []).filter(
      (reason) => only === undefined || only.includes(reason.id),
    );
    if (reasons.length === 0) return {};
    const weights: Record<string, number> = {
      wrong_persona: 22,
      no_active_need: 22,
      out_of_icp: 16,
      poor_timing: 16,
      purpose_not_agreed: 10,
      active_opportunity_conflict: 3,
      no_response: 60,
      price: 25,
      competitor: 30,
      no_decision: 30,
      product_gap: 10,
      other: 6,
    };
    const reason = this.random.weighted(
      reasons.map((entry) => [entry, weights[entry.id] ?? 8] as const),
    );
    return reason.note_required === true
      ? { reason: reason.id, note: this.random.pick(notes[list] ?? ["See the call notes"]) }
      : { reason: reason.id };
  }

  /** values for the feedback fields the transition requires, the first value the likeliest */
  feedbackFor(
    fields: readonly string[],
    prefer?: Record<string, readonly (readonly [string, number])[]>,
  ) {
    const feedback: Record<string, string> = {};
    for (const field of fields) {
      const values = this.plan.agreement.feedback?.[field]?.values ?? [];
      const preferred = prefer?.[field]?.filter(([value]) => values.includes(value));
      const entries =
        preferred !== undefined && preferred.length > 0
          ? preferred
          : values.map((value, position) => [value, 1 / (position + 1)] as const);
      if (entries.length > 0) feedback[field] = this.random.weighted(entries);
    }
    return feedback;
  }

  reject(stage: string, at: number): void {
    const transition = this.transitionFrom(stage, "reject");
    if (transition === undefined) return;
    this.push({
      kind: "action",
      at,
      lead: this.lead,
      by: this.owner,
      action: "reject",
      ...this.reasonFor(transition.requires.reason),
      feedback: this.feedbackFor(transition.requires.feedback, {
        next_action: [
          ["nurture", 40],
          ["disqualify", 35],
          ["rework_targeting", 20],
          ["continue", 5],
        ],
      }),
    });
  }

  recycle(stage: string, at: number): void {
    const transition = this.transitionFrom(stage, "recycle");
    if (transition === undefined) return;
    const reason = this.reasonFor(transition.requires.reason);
    this.push({
      kind: "action",
      at,
      lead: this.lead,
      by: this.owner,
      action: "recycle",
      ...reason,
      feedback: this.feedbackFor(transition.requires.feedback),
    });
    // Some recycled leads come back once their wait is over, with a new demo request.
    const rule = matchRecyclingRule(this.plan.agreement.recycling ?? [], {
      action: "recycle",
      reason: reason.reason,
    });
    if (rule === undefined || !this.random.chance(0.45)) return;
    const returnAt = at + (rule.requalify_after_days + this.random.between(1, 20)) * dayMs;
    this.returning(returnAt);
  }

  returning(at: number): void {
    const original = this.plan.happenings.find(
      (happening): happening is Extract<DemoHappening, { kind: "arrival" }> =>
        happening.kind === "arrival" && happening.lead === this.lead,
    );
    if (original === undefined) return;
    this.push({
      kind: "arrival",
      at,
      lead: this.lead,
      returning: true,
      input: {
        ...original.input,
        createdAt: at,
        activities: [{ type: "form_submit", at, fields: { form: "demo" } }],
      },
    });
    const touchAt = this.after(at, this.random.logNormal(45, 0.8));
    this.push({ kind: "touch", at: touchAt, lead: this.lead, by: this.owner, activity: "call" });
    if (this.random.chance(0.6))
      this.accept(this.after(touchAt, this.random.between(30, 600)), false);
  }

  accept(at: number, progress = true): void {
    const transition = this.transitionFrom("mql", "accept");
    if (transition === undefined) return;
    const { random, company } = this;
    const context: Record<string, string> = {};
    for (const field of transition.requires.context) {
      let value: string | undefined;
      if (field === "message_used") value = random.pick(messages);
      else if (field === "account_context") value = accountContext(company, random.pick(useCases));
      else if (field === "agreed_purpose") value = "30-minute discovery call";
      else if (field !== "source") value = "noted on the call";
      // Marketing's value stands when the lead arrived with one: the rep adds only what is
      // missing (the draws above are taken either way, so the rest of the story is unchanged).
      if (value !== undefined && isEmptyField(this.arrived[field])) context[field] = value;
    }
    this.push({
      kind: "action",
      at,
      lead: this.lead,
      by: this.owner,
      action: "accept",
      context,
      feedback: this.feedbackFor(transition.requires.feedback, {
        meeting_quality: [
          ["strong_fit", 45],
          ["partial_fit", 40],
          ["low_fit", 15],
        ],
        message_match: [
          ["accurate", 65],
          ["overstated", 20],
          ["unclear", 15],
        ],
      }),
    });
    if (!progress) return;
    const nextAt = this.after(at, random.between(1, 8) * businessDayMinutes);
    const next = random.weighted([
      ["deal", 45],
      ["recycle", 18],
      ["reject", 12],
      ["working", 25],
    ] as const);
    if (next === "recycle") this.recycle("working", nextAt);
    else if (next === "reject") this.reject("working", nextAt);
    else if (next === "deal") this.deal(nextAt);
  }

  /** sales qualification, a hand-off to an account executive, the opportunity and its end */
  deal(at: number): void {
    const { random, plan } = this;
    const sqlFirst =
      this.transitionFrom("working", "qualify_sales") !== undefined && random.chance(0.8);
    let time = at;
    if (sqlFirst)
      this.push({
        kind: "action",
        at: time,
        lead: this.lead,
        by: this.owner,
        action: "qualify_sales",
      });
    const ae = random.pick(plan.cast.accountExecutives);
    time = this.after(time, random.between(30, 240));
    this.push({ kind: "handoff", at: time, lead: this.lead, to: ae, by: plan.cast.salesManager });
    const byAe: Performer = { kind: "owner", fallback: ae };
    const size = this.company.employees;
    let amount =
      Math.round(
        (size >= 1000
          ? random.between(60_000, 240_000)
          : size >= 200
            ? random.between(20_000, 80_000)
            : random.between(6_000, 24_000)) / 500,
      ) * 500;
    time = this.after(time, random.between(60, 2 * businessDayMinutes));
    this.push({
      kind: "action",
      at: time,
      lead: this.lead,
      by: byAe,
      action: "convert",
      opportunity: { stage: opportunityStages[0], amount },
    });
    const ending = random.weighted([
      ["won", 34],
      ["lost", 46],
      ["open", 20],
    ] as const);
    // lost deals stop at any stage; won deals go through every stage
    const lastStage =
      ending === "lost"
        ? random.int(0, opportunityStages.length - 1)
        : opportunityStages.length - 1;
    for (let stage = 1; stage <= lastStage; stage++) {
      time += Math.round(random.logNormal(7, 0.5) * dayMs);
      if (opportunityStages[stage] === "proposal")
        amount = Math.round((amount * random.between(0.85, 1.2)) / 500) * 500;
      this.push({
        kind: "opportunity_stage",
        at: time,
        lead: this.lead,
        by: byAe,
        stage: opportunityStages[stage]!,
        ...(opportunityStages[stage] === "proposal" ? { amount } : {}),
      });
    }
    if (ending === "open") return;
    time += Math.round(random.logNormal(8, 0.5) * dayMs);
    if (ending === "won") {
      this.push({ kind: "action", at: time, lead: this.lead, by: byAe, action: "win", amount });
      return;
    }
    const lose = this.transitionFrom("opportunity", "lose");
    this.push({
      kind: "action",
      at: time,
      lead: this.lead,
      by: byAe,
      action: "lose",
      ...this.reasonFor(lose?.requires.reason),
    });
  }
}
