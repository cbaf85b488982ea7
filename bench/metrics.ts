/**
 * Pipeline metrics over a large ledger: every metric of METRICS.md (`metricNames()`) computed on
 * the history folded from the engine's own events, as the dashboard asks for them.
 *
 * The ledger is generated in SQL, set-based (INSERT … SELECT over generate_series), straight into
 * `events` of a fresh schema: per lead about ten events — created, scored, qualified, assigned,
 * context checked, a page view, the first-effort clock's start, for 90 % a call and the clock's
 * stop, for 80 % an accept or reject, and for a fifth of the accepted a conversion, an opportunity
 * and for half of those a win or loss. Leads arrive evenly over 120 days.
 *
 * Measured: (a) the first load — folding every event, replaying every clock, the first full set;
 * (b) the steady state — the full set once the history is current (a refresh finding nothing, a
 * new snapshot as of now, every metric computed; figures with their counts and no id lists, as
 * the dashboard asks): the cost of one dashboard request, for the 30 days after the last arrival
 * and for the last 30 days of arrivals; the same with every figure's ids
 * (records=true); the same again within a second with nothing new stored (the snapshot and its
 * results reused); the overview page (GET /api/overview) fresh and reused; (c) 1,000 new events
 * folded, then the full set. On in-memory PGlite (100,000 leads by default,
 * BATON_BENCH_METRICS_LEADS) and, with DATABASE_URL, on the server
 * (BATON_BENCH_METRICS_SERVER_LEADS, default 100,000 so the bench stays within about three
 * minutes; the target's 1,000,000 leads takes that variable, and the heap and young generation the
 * README gives for a million leads:
 * NODE_OPTIONS="--max-old-space-size=8192 --max-semi-space-size=64"). Prints the NODE_OPTIONS in
 * effect, ratios to the 1 s target and the heap against its limit; asserts nothing.
 */
import { getHeapStatistics } from "node:v8";
import { type Kysely, sql } from "kysely";
import { currentHistory, metricSet, refreshHistory } from "../src/app/metrics.js";
import { overview } from "../src/app/overview.js";
import { computeMetric, metricNames } from "../src/core/metrics/metric-registry.js";
import type { BatonDatabase } from "../src/db/schema.js";
import { benchLocations, openBenchDatabase } from "./engine-setup.js";

const DAY = 86_400_000;
const targetMs = 1_000;
/** leads per INSERT statement */
const chunk = 25_000;

function leadsFor(kind: "memory" | "embedded" | "server"): number {
  return kind === "server"
    ? Number(process.env.BATON_BENCH_METRICS_SERVER_LEADS ?? 100_000)
    : Number(process.env.BATON_BENCH_METRICS_LEADS ?? 100_000);
}

/** Inserts the events of leads [first, last] (see the header), in lead then causal order. */
export async function generate(
  db: Kysely<BatonDatabase>,
  first: number,
  last: number,
  base: number,
  stepMs: number,
): Promise<number> {
  const result = await sql`
    insert into events (workspace, stream_type, stream_id, type, actor, occurred_at, agreement_version, data)
    select 'default', e.stream_type, e.stream_id, e.type, 'bench', to_timestamp(e.at / 1000.0), 1, e.data
    from generate_series(${first}::bigint, ${last}::bigint) as i
    cross join lateral (select
      'lead-' || i as lead,
      ${base}::bigint + i * ${stepMs}::bigint as t0,
      (array['alex','blair','dana','casey','emery'])[1 + i % 5] as rep,
      (i * 7919) % 600 as touch_minutes,
      i % 10 as fate) l
    cross join lateral (values
      (1, 'lead', l.lead, 'lead.created', l.t0, jsonb_build_object(
        'system', null, 'externalId', null, 'stage', 'new', 'open', true,
        'fields', jsonb_build_object(
          'source', (array['website','webinar','paid_search','outbound','referral','partner'])[1 + i % 6],
          'campaign', 'campaign-' || (i % 25)),
        'company', jsonb_build_object('segment', (array['smb','mid-market','enterprise'])[1 + i % 3]),
        'activities', jsonb_build_array(jsonb_build_object('type', 'form_submit', 'at', l.t0 - 60000)),
        'keys', '{}'::jsonb, 'accountId', null, 'sourceCreatedAt', null)),
      (2, 'lead', l.lead, 'lead.scored', l.t0,
        jsonb_build_object('score', 80, 'mql', true, 'sql', false)),
      (3, 'lead', l.lead, 'lead.stage_changed', l.t0, jsonb_build_object(
        'from', 'new', 'to', 'mql', 'action', 'qualify', 'role', 'system', 'open', true)),
      (4, 'lead', l.lead, 'lead.assigned', l.t0, jsonb_build_object(
        'owner', jsonb_build_object('kind', 'rep', 'id', l.rep), 'previous', null,
        'cause', 'routing', 'ruleId', null, 'pools', '{}'::jsonb, 'revision', 0)),
      (5, 'lead', l.lead, 'lead.context_checked', l.t0, jsonb_build_object(
        'required', jsonb_build_array('source'),
        'missing', case when i % 7 = 0 then jsonb_build_array('source') else '[]'::jsonb end)),
      (6, 'clock', l.lead || '/sdr-first-effort', 'clock.event', l.t0, jsonb_build_object(
        'leadId', l.lead, 'step', 'sdr-first-effort', 'event', jsonb_build_object(
          'type', 'start', 'at', l.t0, 'goal', jsonb_build_object(
            'goalId', 'four-business-hours', 'agreementVersion', 1, 'targetMs', 14400000,
            'calendarRef', 'us-east@1', 'warnings', jsonb_build_object('percent', jsonb_build_array(50, 75, 90)))))),
      (7, 'lead', l.lead, 'lead.activity_logged', l.t0 + 30 * 60000, jsonb_build_object(
        'activity', jsonb_build_object('type', 'page_view', 'at', l.t0 + 30 * 60000), 'touch', false)),
      (8, 'lead', l.lead, 'lead.activity_logged', l.t0 + l.touch_minutes * 60000,
        case when l.fate <> 0 then jsonb_build_object(
          'activity', jsonb_build_object('type', 'call', 'at', l.t0 + l.touch_minutes * 60000, 'actor', l.rep),
          'touch', true) end),
      (9, 'clock', l.lead || '/sdr-first-effort', 'clock.event', l.t0 + l.touch_minutes * 60000,
        case when l.fate <> 0 then jsonb_build_object(
          'leadId', l.lead, 'step', 'sdr-first-effort',
          'event', jsonb_build_object('type', 'stop', 'at', l.t0 + l.touch_minutes * 60000)) end),
      (10, 'lead', l.lead, 'lead.stage_changed', l.t0 + (l.touch_minutes + 10) * 60000,
        case when l.fate between 1 and 6 then jsonb_build_object(
          'from', 'mql', 'to', 'working', 'action', 'accept', 'role', 'rep', 'open', true)
        when l.fate between 7 and 8 then jsonb_build_object(
          'from', 'mql', 'to', 'disqualified', 'action', 'reject', 'role', 'rep', 'open', false,
          'reason', case when i % 2 = 0 then 'wrong_persona' else 'no_active_need' end) end),
      (11, 'lead', l.lead, 'lead.stage_changed', l.t0 + 2 * ${DAY}::bigint,
        case when l.fate between 1 and 6 and i % 3 = 0 then jsonb_build_object(
          'from', 'working', 'to', 'opportunity', 'action', 'convert', 'role', 'rep', 'open', true) end),
      (12, 'opportunity', 'opp-' || i, 'opportunity.opened', l.t0 + 2 * ${DAY}::bigint,
        case when l.fate between 1 and 6 and i % 3 = 0 then jsonb_build_object(
          'leadId', l.lead, 'accountId', null, 'stage', 'discovery',
          'amount', 5000 + (i % 40) * 1000, 'owner', l.rep) end),
      (13, 'opportunity', 'opp-' || i, 'opportunity.closed', l.t0 + 20 * ${DAY}::bigint,
        case when l.fate between 1 and 6 and i % 6 = 0 then jsonb_build_object(
          'outcome', case when i % 12 = 0 then 'won' else 'lost' end) end)
    ) as e(n, stream_type, stream_id, type, at, data)
    where e.data is not null
    order by i, e.n`.execute(db);
  return Number(result.numAffectedRows ?? 0n);
}

const format = (ms: number) => `${Math.round(ms).toLocaleString("en-US")} ms`;
const ratio = (ms: number) => `${(ms / targetMs).toFixed(2)}× the 1 s target`;

export async function runMetricsBench(): Promise<void> {
  const names = metricNames();
  console.log(
    `Pipeline metrics: the full set (${names.length} metrics) over the ledger's history (target < 1 s per dashboard request); NODE_OPTIONS: ${process.env.NODE_OPTIONS?.trim() || "(none)"}`,
  );
  for (const location of benchLocations()) {
    const leads = leadsFor(location.kind);
    const span = 120 * DAY;
    const base = Date.parse("2026-01-05T14:00:00Z");
    const clock = { now: base + span + 30 * DAY };
    const bench = await openBenchDatabase(location, { now: () => clock.now });
    try {
      const stepMs = Math.floor(span / leads);
      const seeded = performance.now();
      let events = 0;
      for (let first = 0; first < leads; first += chunk)
        events += await generate(bench.db, first, Math.min(leads, first + chunk) - 1, base, stepMs);
      const seedMs = performance.now() - seeded;
      console.log(
        `  ${bench.name}: ${leads.toLocaleString("en-US")} leads, ${events.toLocaleString("en-US")} events generated in ${format(seedMs)}`,
      );
      // As the dashboard asks (GET /api/overview, GET /api/metrics/… without records=true):
      // figures with their record counts, no id lists.
      const period = {
        from: new Date(clock.now - 30 * DAY).toISOString(),
        to: new Date(clock.now).toISOString(),
        records: false,
      };

      // (a) the first load
      const loadBegan = performance.now();
      const folded = await refreshHistory(bench.engine);
      if (!folded.ok) throw new Error(folded.error.message);
      const foldMs = performance.now() - loadBegan;
      const snapshotBegan = performance.now();
      const history = await currentHistory(bench.engine);
      if (!history.ok) throw new Error(history.error.message);
      const snapshotMs = performance.now() - snapshotBegan;
      const firstSet = await metricSet(bench.engine, names, period);
      if (!firstSet.ok) throw new Error(firstSet.error.message);
      const loadMs = performance.now() - loadBegan;
      const heap = process.memoryUsage().heapUsed / 2 ** 20;
      const heapLimit = getHeapStatistics().heap_size_limit / 2 ** 20;
      console.log(
        `    (a) first load: ${format(loadMs)} — ${ratio(loadMs)} (fold ${format(foldMs)}, first snapshot with every clock replayed ${format(snapshotMs)}, ${history.value.cycles.length.toLocaleString("en-US")} cycles); heap ${Math.round(heap).toLocaleString("en-US")} MiB of a ${Math.round(heapLimit).toLocaleString("en-US")} MiB limit${heap > 0.6 * heapLimit ? " (near it, major collections take much of each request: give Node more heap, NODE_OPTIONS=--max-old-space-size=…, as the README says for a million leads)" : ""}`,
      );

      // (b) steady state: each request is a new instant, so a new snapshot and fresh metrics
      const medianRequest = async (asked: typeof period): Promise<number> => {
        const runs: number[] = [];
        for (let run = 0; run < 3; run++) {
          clock.now += 1_000;
          const began = performance.now();
          const set = await metricSet(bench.engine, names, asked);
          if (!set.ok) throw new Error(set.error.message);
          runs.push(performance.now() - began);
        }
        return runs.sort((a, b) => a - b)[1]!;
      };
      const steadyMs = await medianRequest(period);
      // within the snapshot's second, nothing new stored: the snapshot and its results reused
      clock.now += 100;
      const reusedBegan = performance.now();
      const reused = await metricSet(bench.engine, names, period);
      if (!reused.ok) throw new Error(reused.error.message);
      const reusedMs = performance.now() - reusedBegan;
      // the same set with every figure's ids (records=true), on a new snapshot
      clock.now += 1_000;
      const withIdsBegan = performance.now();
      const withIds = await metricSet(bench.engine, names, { ...period, records: true });
      if (!withIds.ok) throw new Error(withIds.error.message);
      const withIdsMs = performance.now() - withIdsBegan;
      console.log(
        `    (b) dashboard request, history current: ${format(steadyMs)} (median of 3, each a new snapshot) — ${ratio(steadyMs)}; again within the second ${format(reusedMs)}; with every figure's ids ${format(withIdsMs)}`,
      );
      // The period above begins as the last leads arrive: most metrics read only the leads with a
      // fact in it (period-view.ts). A month of arrivals (a quarter of every lead here) is what a
      // business whose leads keep coming sees every month.
      const busy = {
        from: new Date(base + span - 30 * DAY).toISOString(),
        to: new Date(base + span).toISOString(),
        records: false,
      };
      const busyMs = await medianRequest(busy);
      console.log(
        `        the same over a month of arrivals (${Math.round(leads / 4).toLocaleString("en-US")} leads created in it): ${format(busyMs)} (median of 3) — ${ratio(busyMs)}`,
      );
      clock.now += 1_000;
      const overviewBegan = performance.now();
      const page = await overview(bench.engine, period);
      if (!page.ok) throw new Error(page.error.message);
      const overviewMs = performance.now() - overviewBegan;
      clock.now += 100;
      const overviewAgain = performance.now();
      await overview(bench.engine, period);
      const overviewAgainMs = performance.now() - overviewAgain;
      console.log(
        `        overview page (${Object.keys(page.value.current).length} panels, ${Object.keys(page.value.previous).length} with the previous period): ${format(overviewMs)} — ${ratio(overviewMs)}; again within the second ${format(overviewAgainMs)}`,
      );
      // where the time goes: the snapshot, then each metric alone on it
      clock.now += 1_000;
      const snapshotAgain = performance.now();
      const again = await currentHistory(bench.engine);
      if (!again.ok) throw new Error(again.error.message);
      const resnapshotMs = performance.now() - snapshotAgain;
      const query = {
        from: Date.parse(period.from),
        to: Date.parse(period.to),
        records: false,
      };
      const costs = names.map((name) => {
        const began = performance.now();
        computeMetric(again.value, name, query);
        return { name, ms: performance.now() - began };
      });
      costs.sort((a, b) => b.ms - a.ms);
      console.log(
        `        refresh and snapshot ${format(resnapshotMs)}; slowest metrics: ${costs
          .slice(0, 4)
          .map((cost) => `${cost.name} ${format(cost.ms)}`)
          .join(", ")}`,
      );

      // (c) 1,000 new events (100 leads of ten events each), then the full set
      const added = await generate(bench.db, leads, leads + 99, base, stepMs);
      clock.now += 1_000;
      const incrementBegan = performance.now();
      const refreshed = await refreshHistory(bench.engine);
      if (!refreshed.ok) throw new Error(refreshed.error.message);
      const refreshMs = performance.now() - incrementBegan;
      const afterSet = await metricSet(bench.engine, names, period);
      if (!afterSet.ok) throw new Error(afterSet.error.message);
      const incrementMs = performance.now() - incrementBegan;
      console.log(
        `    (c) ${added.toLocaleString("en-US")} new events folded in ${format(refreshMs)}, with the full set ${format(incrementMs)} — ${ratio(incrementMs)}`,
      );
    } finally {
      await bench.close();
    }
  }
}

if (import.meta.url === `file://${process.argv[1]}`) await runMetricsBench();
