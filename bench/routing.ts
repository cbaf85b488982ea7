/**
 * Routing throughput: 50 reps in four pools (weights, caps, working hours on real calendars,
 * leave, one catch-up pool), six rules with CEL conditions, one million decisions with the state
 * threaded through. Inputs and instants are prepared before timing.
 *
 * Baseline: evaluating the same CEL conditions to the first match and nothing else, i.e. the cost
 * a router cannot avoid. The ratio says what choosing a rep, checking caps and availability,
 * building the structured explanation and the next state add on top. Target: 500,000 decisions/s
 * with the structured explanation; the `why` sentence is built only when read.
 */
import { compileCalendar } from "../src/core/calendar/index.js";
import {
  availabilityFrom,
  celConditions,
  compileRouting,
  initialRoutingState,
  type Leave,
  type Router,
  type RoutingInput,
  type RoutingState,
  routingSchema,
} from "../src/core/routing/index.js";

const decisions = 1_000_000;
const target = 500_000;
/** Monday 2 March 2026 00:00 UTC; leads arrive every 41 s, day and night, for about 16 months. */
const start = Date.UTC(2026, 2, 2);
const arrivalGapMs = 41_000;
const hourMs = 3_600_000;

const weekdays = {
  mon: ["09:00-17:00"],
  tue: ["09:00-17:00"],
  wed: ["09:00-17:00"],
  thu: ["09:00-17:00"],
  fri: ["09:00-17:00"],
};
const calendars = {
  "new-york": compileCalendar({ timezone: "America/New_York", hours: weekdays }),
  "los-angeles": compileCalendar({ timezone: "America/Los_Angeles", hours: weekdays }),
  london: compileCalendar({ timezone: "Europe/London", hours: weekdays }),
  singapore: compileCalendar({ timezone: "Asia/Singapore", hours: weekdays }),
};

const rep = (index: number) => `rep-${String(index).padStart(2, "0")}`;
const range = (from: number, to: number) =>
  Array.from({ length: to - from + 1 }, (_, offset) => from + offset);

/** Pools: [id, first rep, last rep, calendar(s)]. 50 reps in all. */
const poolPlan = [
  { id: "enterprise-na", reps: range(1, 10), calendars: ["new-york", "los-angeles"] as const },
  { id: "mid-market-na", reps: range(11, 26), calendars: ["new-york", "los-angeles"] as const },
  { id: "emea", reps: range(27, 40), calendars: ["london"] as const },
  { id: "apac", reps: range(41, 50), calendars: ["singapore"] as const },
];

function benchRouting() {
  return routingSchema.parse({
    rules: [
      { id: "named-accounts", when: "has(account.owner)", to: { account_owner: true, cap: 60 } },
      { id: "strategic", when: 'company.tier == "strategic"', to: { owner: "rep-01", cap: 80 } },
      {
        id: "enterprise-na",
        when: 'company.employees >= 1000 && lead.country in ["US", "CA"]',
        to: { pool: "enterprise-na" },
      },
      {
        id: "mid-market-na",
        when: 'company.employees >= 100 && lead.country in ["US", "CA"]',
        to: { pool: "mid-market-na" },
      },
      { id: "emea", when: 'lead.region == "emea"', to: { pool: "emea" } },
      { id: "apac", when: 'lead.region == "apac" && lead.score >= 20.0', to: { pool: "apac" } },
    ],
    pools: {
      "enterprise-na": {
        strategy: "round_robin",
        members: poolPlan[0]!.reps.map((index) => ({
          rep: rep(index),
          weight: 1 + (index % 3),
          cap: 30 + index,
        })),
        cap: 40,
        working_hours: "required",
        overflow: { queue: "sdr-queue" },
      },
      "mid-market-na": {
        strategy: "fewest_assigned",
        members: poolPlan[1]!.reps.map((index) => ({ rep: rep(index), weight: 1 + (index % 2) })),
        cap: 30,
        working_hours: "required",
        overflow: { queue: "sdr-queue" },
      },
      emea: {
        strategy: "round_robin",
        members: poolPlan[2]!.reps.map((index) => ({ rep: rep(index), weight: 1 + (index % 4) })),
        cap: 35,
        catch_up: true,
        overflow: { owner: "rep-27" },
      },
      apac: {
        strategy: "round_robin",
        members: poolPlan[3]!.reps.map((index) => ({ rep: rep(index) })),
        cap: 25,
        working_hours: "ignored",
      },
    },
    queues: { "sdr-queue": { team: "sdr" } },
    fallback: { queue: "sdr-queue" },
  });
}

/** CEL compiled by the expression module over the built-in lead, company and account fields. */
const conditions = celConditions();

function benchInputs(count: number): RoutingInput[] {
  const countries = ["US", "US", "CA", "GB", "DE", "FR", "SG", "AU", "BR", "US"];
  const regions: Record<string, string> = {
    GB: "emea",
    DE: "emea",
    FR: "emea",
    SG: "apac",
    AU: "apac",
  };
  const inputs: RoutingInput[] = [];
  for (let index = 0; index < count; index++) {
    const country = countries[index % countries.length]!;
    inputs.push({
      lead: { country, region: regions[country] ?? "na", score: (index * 7) % 100 },
      company: {
        employees: [12, 80, 150, 600, 1200, 5000][(index * 5) % 6]!,
        tier: index % 41 === 0 ? "strategic" : "standard",
      },
      account:
        index % 13 === 0 ? { id: `acct-${index}`, owner: rep(1 + ((index * 3) % 50)) } : undefined,
    });
  }
  return inputs;
}

function benchAvailability() {
  const workingHours: Record<string, (typeof calendars)[keyof typeof calendars]> = {};
  const leave: Record<string, Leave[]> = {};
  for (const pool of poolPlan) {
    for (const [position, index] of pool.reps.entries()) {
      workingHours[rep(index)] = calendars[pool.calendars[position % pool.calendars.length]!];
      // Every seventh rep takes a week off every ten weeks.
      if (index % 7 === 0) {
        leave[rep(index)] = range(0, 6).map((cycle) => {
          const from = start + (cycle * 10 + (index % 10)) * 7 * 24 * hourMs;
          return { start: from, end: from + 7 * 24 * hourMs };
        });
      }
    }
  }
  return availabilityFrom({ workingHours, leave });
}

/** Leads get worked: every 256 decisions, half of every rep's open leads close. */
function closeLeads(state: RoutingState): RoutingState {
  const openLeads: Record<string, number> = {};
  for (const [id, count] of Object.entries(state.openLeads)) openLeads[id] = count >> 1;
  return { ...state, openLeads };
}

interface Tally {
  rep: number;
  queue: number;
  fallback: number;
  overflow: number;
  excluded: number;
  whyLength: number;
}

function runDecisions(
  router: Router,
  inputs: RoutingInput[],
  count: number,
  readWhy: boolean,
  tally?: Tally,
): number {
  let state = initialRoutingState(benchAvailability());
  const mask = inputs.length - 1;
  let whyLength = 0;
  const began = performance.now();
  for (let index = 0; index < count; index++) {
    if ((index & 255) === 255) state = closeLeads(state);
    const decision = router.route(inputs[index & mask]!, state, start + index * arrivalGapMs);
    state = decision.nextState;
    if (readWhy) whyLength += decision.explanation.why.length;
    if (tally !== undefined) {
      if (decision.assignee.kind === "rep") tally.rep++;
      else tally.queue++;
      if (decision.viaFallback) tally.fallback++;
      if (decision.viaOverflow) tally.overflow++;
      for (const candidate of decision.explanation.candidates)
        if (!candidate.eligible) tally.excluded++;
    }
  }
  const seconds = (performance.now() - began) / 1000;
  if (tally !== undefined) tally.whyLength += whyLength;
  return count / seconds;
}

/** The unavoidable part: the same conditions, evaluated to the first match. */
function runConditionsOnly(sources: string[], inputs: RoutingInput[], count: number): number {
  const compiled = sources.map((source) => conditions(source));
  const mask = inputs.length - 1;
  let matched = 0;
  const began = performance.now();
  for (let index = 0; index < count; index++) {
    const input = inputs[index & mask]!;
    for (const condition of compiled) {
      if (condition(input) === true) {
        matched++;
        break;
      }
    }
  }
  const seconds = (performance.now() - began) / 1000;
  if (matched < 0) console.log(matched);
  return count / seconds;
}

const format = (value: number) => Math.round(value).toLocaleString("en-US");
const nanoseconds = (perSecond: number) => `${format(1e9 / perSecond)} ns`;

/** Best of a few rounds: other processes on the machine only ever make a round slower. */
function best(rounds: number, measure: () => number): number {
  let fastest = 0;
  for (let round = 0; round < rounds; round++) fastest = Math.max(fastest, measure());
  return fastest;
}

export async function runRoutingBench(): Promise<void> {
  const routing = benchRouting();
  const router = compileRouting(routing, conditions);
  const inputs = benchInputs(4096);
  const sources = routing.rules.flatMap((rule) => (rule.when === undefined ? [] : [rule.when]));

  // Warm up every path before timing.
  runConditionsOnly(sources, inputs, 200_000);
  runDecisions(router, inputs, 200_000, false);
  runDecisions(router, inputs, 20_000, true);

  const baseline = best(3, () => runConditionsOnly(sources, inputs, decisions));
  const structured = best(3, () => runDecisions(router, inputs, decisions, false));
  const tally: Tally = { rep: 0, queue: 0, fallback: 0, overflow: 0, excluded: 0, whyLength: 0 };
  const explained = runDecisions(router, inputs, decisions, true, tally);

  const percent = (count: number) => `${((count / decisions) * 100).toFixed(1)} %`;
  console.log(
    `routing — 50 reps in 4 pools (weights, caps, calendars, leave, catch-up), ${routing.rules.length} CEL rules; ${format(decisions)} decisions, state threaded, best of 3`,
  );
  console.log(
    `  baseline: conditions to first match    ${format(baseline).padStart(10)} decisions/s  ${nanoseconds(baseline).padStart(8)}/decision`,
  );
  console.log(
    `  route, structured explanation          ${format(structured).padStart(10)} decisions/s  ${nanoseconds(structured).padStart(8)}/decision  ${(baseline / structured).toFixed(1)}× baseline cost; ${(structured / target).toFixed(2)}× the ${format(target)}/s target`,
  );
  console.log(
    `  route + 'why' sentence read            ${format(explained).padStart(10)} decisions/s  ${nanoseconds(explained).padStart(8)}/decision  (one run)`,
  );
  console.log(
    `  outcomes: ${percent(tally.rep)} to reps, ${percent(tally.queue)} to queues (${percent(tally.overflow)} overflow, ${percent(tally.fallback)} fallback); ${(tally.excluded / decisions).toFixed(1)} excluded candidates and ${Math.round(tally.whyLength / decisions)} characters of 'why' per decision`,
  );
}

if (import.meta.url === `file://${process.argv[1]}`) await runRoutingBench();
