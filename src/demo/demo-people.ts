import type { Random } from "./random.js";

/**
 * The raw material of believable demo leads: people's names, company names and domains, titles,
 * countries with their regions, industries. Plain data; the plan draws from it with its seeded
 * generator.
 */

const firstNames = (
  "Olivia|Liam|Emma|Noah|Ava|Ethan|Sophia|Mason|Isabella|Lucas|Mia|Logan|Amelia|James|" +
  "Harper|Aiden|Evelyn|Jackson|Abigail|Elijah|Priya|Arjun|Mei|Wei|Hiroshi|Yuki|Fatima|" +
  "Omar|Chloe|Oliver|Grace|Henry|Zoe|Samuel|Nora|Daniel|Lena|Jonas|Clara|Felix|Sofia|" +
  "Mateo|Camille|Louis|Freya|Erik|Aoife|Ciarán|Maya|Leo|Hannah|Ben|Ingrid|Lars|Ana|João|" +
  "Chiara|Marco|Nadia|Tomás"
).split("|");

const lastNames = (
  "Smith|Johnson|Williams|Brown|Jones|Garcia|Miller|Davis|Martinez|Wilson|Anderson|Taylor|" +
  "Thomas|Moore|Jackson|Martin|Lee|Thompson|White|Harris|Clark|Lewis|Robinson|Walker|" +
  "Young|Allen|King|Wright|Scott|Green|Baker|Adams|Nelson|Hill|Campbell|Mitchell|Roberts|" +
  "Patel|Shah|Nguyen|Tanaka|Sato|Müller|Schmidt|Fischer|Dubois|Laurent|Rossi|Bianchi|" +
  "Andersson|Johansson|Murphy|O'Brien|Kelly|Silva|Santos|Kowalski|Novak|van Dijk|de Vries|" +
  "Evans|Hughes|Edwards"
).split("|");

const companyFirst = (
  "Blue|North|Bright|Clear|Iron|Silver|Summit|Harbor|Pioneer|Maple|Cedar|Atlas|Vertex|" +
  "Nimbus|Quantum|Granite|Beacon|Crescent|Evergreen|Falcon|Helix|Lumen|Meridian|Orbit|" +
  "Polar|Redwood|Sterling|Tidal|Union|Vector|Willow|Zenith|Apex|Copper|Delta|Ember|Fjord|" +
  "Juniper"
).split("|");

const companySecond = (
  "Labs|Systems|Health|Pay|Logistics|Analytics|Cloud|Bank|Foods|Energy|Robotics|Insurance|" +
  "Media|Networks|Retail|Bio|Software|Capital|Works|Data|Mobility|Security|Learning|" +
  "Markets"
).split("|");

const companySuffix = [
  "",
  "",
  "",
  " Inc",
  " Ltd",
  " Group",
  " Co",
  " GmbH",
  " Technologies",
] as const;

/** industries as the agreement's fit rules name them, with how common each is among leads */
export const industries = [
  ["software", 26],
  ["fintech", 12],
  ["healthcare", 11],
  ["manufacturing", 10],
  ["retail", 9],
  ["education", 7],
  ["logistics", 7],
  ["media", 6],
  ["public_sector", 4],
  ["energy", 4],
  ["agency", 4],
] as const;

export type Region = "na" | "emea" | "apac" | "latam";

/** countries with their share of the leads of their region */
export const countriesByRegion: Record<Region, readonly (readonly [string, number])[]> = {
  na: [
    ["US", 88],
    ["CA", 12],
  ],
  emea: [
    ["GB", 42],
    ["IE", 8],
    ["DE", 17],
    ["FR", 11],
    ["NL", 9],
    ["SE", 6],
    ["ES", 7],
  ],
  apac: [
    ["AU", 45],
    ["SG", 20],
    ["IN", 25],
    ["JP", 10],
  ],
  latam: [
    ["BR", 60],
    ["MX", 40],
  ],
};

const topLevelDomains: Record<string, string> = {
  US: "com",
  CA: "ca",
  GB: "co.uk",
  IE: "ie",
  DE: "de",
  FR: "fr",
  NL: "nl",
  SE: "se",
  ES: "es",
  AU: "com.au",
  SG: "sg",
  IN: "in",
  JP: "jp",
  BR: "com.br",
  MX: "mx",
};

/** titles with their seniority and whether the agreement's buyer persona fits them */
export const titles = [
  ["VP of Marketing", "vp", true, 6],
  ["Head of Revenue Operations", "director", true, 7],
  ["Director of Sales Operations", "director", true, 7],
  ["Chief Revenue Officer", "c_level", true, 3],
  ["VP of Sales", "vp", true, 5],
  ["Marketing Operations Manager", "manager", true, 9],
  ["Demand Generation Manager", "manager", true, 8],
  ["Sales Development Manager", "manager", true, 5],
  ["Business Analyst", "individual", false, 7],
  ["Data Engineer", "individual", false, 6],
  ["Marketing Coordinator", "individual", false, 8],
  ["Account Executive", "individual", false, 6],
  ["Software Engineer", "individual", false, 5],
  ["Consultant", "individual", false, 5],
  ["Founder", "c_level", true, 3],
  ["Student", "student", false, 3],
] as const;

export const useCases = [
  "lead routing",
  "SLA tracking",
  "pipeline reporting",
  "marketing attribution",
  "sales and marketing alignment",
  "territory planning",
] as const;

export interface DemoCompany {
  name: string;
  domain: string;
  employees: number;
  industry: string;
  country: string;
  segment: string;
}

export interface DemoPerson {
  firstName: string;
  lastName: string;
  email: string;
  title: string;
  seniority: string;
  personaMatch: boolean;
  student: boolean;
}

/** employee counts: many small companies, fewer large ones (a log-normal around 180) */
export function drawCompany(random: Random, country: string): DemoCompany {
  const first = random.pick(companyFirst);
  const second = random.pick(companySecond);
  const name = `${first} ${second}${random.pick(companySuffix)}`;
  const tld = topLevelDomains[country] ?? "com";
  const domain = `${`${first}${second}`.toLowerCase().replace(/[^a-z]/g, "")}.${tld}`;
  const employees = Math.max(3, Math.round(random.logNormal(180, 1.3)));
  const segment = employees >= 1000 ? "enterprise" : employees >= 200 ? "mid_market" : "smb";
  return { name, domain, employees, industry: random.weighted(industries), country, segment };
}

const freeMail = ["gmail.com", "outlook.com", "yahoo.com", "hotmail.co.uk", "icloud.com"] as const;

/** `taken` holds the addresses drawn so far: a repeat gets a digit, as real addresses do. */
export function drawPerson(random: Random, company: DemoCompany, taken: Set<string>): DemoPerson {
  const firstName = random.pick(firstNames);
  const lastName = random.pick(lastNames);
  const [title, seniority, personaMatch] = random.weighted(
    titles.map(([title, seniority, persona, weight]) => [[title, seniority, persona], weight]),
  );
  const student = seniority === "student";
  const local = `${ascii(firstName)}.${ascii(lastName)}`;
  // Students and some small-company people write from free mail.
  const domain =
    student || (company.employees < 50 && random.chance(0.35))
      ? random.pick(freeMail)
      : company.domain;
  let email = `${local}@${domain}`;
  for (let digit = 2; taken.has(email); digit++) email = `${local}${digit}@${domain}`;
  taken.add(email);
  return {
    firstName,
    lastName,
    email,
    title,
    seniority,
    personaMatch,
    student,
  };
}

function ascii(name: string): string {
  return name
    .normalize("NFD")
    .replace(/[^A-Za-z]/g, "")
    .toLowerCase();
}
