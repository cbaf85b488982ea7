import { BarChart, LineChart } from "@mantine/charts";
import {
  Alert,
  Button,
  Card,
  Group,
  NumberInput,
  SegmentedControl,
  Select,
  SimpleGrid,
  Stack,
  Table,
  Text,
  TextInput,
  Title,
} from "@mantine/core";
import { type FormEvent, type ReactNode, useState } from "react";
import { api, unwrap } from "../api/client";
import type { paths } from "../api/schema";
import { useApi } from "../api/use-api";
import { formatValue } from "../components/format";
import { EmptyState, ErrorState, LoadingState } from "../components/states";

/**
 * The reverse-funnel planner: a revenue target and a period in, the won deals, opportunities,
 * SQLs and MQLs needed a week out (GET /api/plan), at the rates measured over a trailing window,
 * beside what the current MQL run rate yields; the plan week by week, and what +5 points of each
 * rate (+5 % of deal size) is worth. Totals are rounded up to whole records; figures a week keep
 * one decimal.
 */

type PlanAnswer = paths["/api/plan"]["get"]["responses"][200]["content"]["application/json"];
type PlanQuery = paths["/api/plan"]["get"]["parameters"]["query"];
type StageName = PlanAnswer["stages"][number]["stage"];

const periodOptions = [
  { value: "this-month", label: "This month" },
  { value: "next-month", label: "Next month" },
  { value: "this-quarter", label: "This quarter" },
  { value: "next-quarter", label: "Next quarter" },
  { value: "range", label: "Dates…" },
];

const stageLabels: Record<StageName, string> = {
  won: "Won deals",
  opportunities: "Opportunities",
  sqls: "SQLs",
  mqls: "MQLs",
};

const oneDecimal = new Intl.NumberFormat("en", {
  minimumFractionDigits: 1,
  maximumFractionDigits: 1,
});
const whole = new Intl.NumberFormat("en", { maximumFractionDigits: 0 });
/** chart axes: small values keep two decimals, so ticks 0.05 apart stay apart */
const axis = new Intl.NumberFormat("en", { maximumFractionDigits: 2 });
const dash = "—";

function perWeek(value: number | null | undefined): string {
  if (value === null || value === undefined) return dash;
  // a gap of −0.02 reads 0.0, not −0.0
  return oneDecimal.format(Math.abs(value) < 0.05 ? 0 : value);
}

/** A whole number of records, rounded up (a floating-point hair above an integer stays it). */
function wholeUp(value: number | null | undefined): string {
  return value === null || value === undefined ? dash : whole.format(Math.ceil(value - 1e-9));
}

function money(value: number | null | undefined): string {
  return value === null || value === undefined ? dash : whole.format(Math.round(value));
}

function leverValue(lever: string, value: number | null): string {
  if (value === null) return dash;
  return lever === "deal-size" ? money(value) : formatValue(value, "rate");
}

function dateOf(iso: string, timezone: string): string {
  return new Intl.DateTimeFormat("en", {
    timeZone: timezone,
    month: "short",
    day: "numeric",
    year: "numeric",
  }).format(new Date(iso));
}

interface FormState {
  target: number | string;
  period: string;
  from: string;
  to: string;
  trailingDays: number | string;
  by: "total" | "source" | "segment";
}

export default function PlannerPage() {
  const [form, setForm] = useState<FormState>({
    target: "",
    period: "next-quarter",
    from: "",
    to: "",
    trailingDays: 180,
    by: "total",
  });
  const [formProblem, setFormProblem] = useState<string | undefined>();
  const [asked, setAsked] = useState<PlanQuery | undefined>();
  const answer = useApi(
    () =>
      asked === undefined
        ? Promise.resolve(undefined)
        : unwrap(api.GET("/api/plan", { params: { query: asked } })),
    [JSON.stringify(asked)],
  );

  const submit = (event: FormEvent) => {
    event.preventDefault();
    const target = Number(form.target);
    if (!Number.isFinite(target) || target <= 0) {
      setFormProblem("Give the period's revenue target, an amount above 0.");
      return;
    }
    const trailingDays = Number(form.trailingDays);
    if (!Number.isFinite(trailingDays) || trailingDays <= 0) {
      setFormProblem("Give the trailing window in days, above 0 (180 by default).");
      return;
    }
    let period = form.period;
    if (period === "range") {
      if (form.from === "" || form.to === "") {
        setFormProblem("Give both dates of the period; the second is excluded.");
        return;
      }
      period = `${form.from}..${form.to}`;
    }
    setFormProblem(undefined);
    setAsked({
      target,
      period,
      trailingDays,
      ...(form.by === "total" ? {} : { by: form.by }),
    });
  };

  return (
    <Stack gap="lg">
      <div>
        <Title order={2}>Planner</Title>
        <Text size="sm" c="dimmed">
          From a revenue target back to the MQLs needed a week, at the rates Baton measures
        </Text>
      </div>
      <Card withBorder padding="md" component="form" onSubmit={submit} aria-label="Plan a target">
        <Group align="flex-end" gap="md" wrap="wrap">
          <NumberInput
            label="Revenue target"
            name="target"
            placeholder="1,200,000"
            thousandSeparator=","
            min={1}
            allowNegative={false}
            value={form.target}
            onChange={(value) => setForm({ ...form, target: value })}
            w={180}
          />
          <Select
            label="Period"
            data={periodOptions}
            value={form.period}
            onChange={(value) => setForm({ ...form, period: value ?? "next-quarter" })}
            allowDeselect={false}
            w={170}
          />
          {form.period === "range" && (
            <>
              <TextInput
                type="date"
                label="From"
                value={form.from}
                onChange={(event) => setForm({ ...form, from: event.currentTarget.value })}
              />
              <TextInput
                type="date"
                label="To (excluded)"
                value={form.to}
                onChange={(event) => setForm({ ...form, to: event.currentTarget.value })}
              />
            </>
          )}
          <NumberInput
            label="Trailing window (days)"
            name="trailingDays"
            min={1}
            max={3650}
            allowNegative={false}
            value={form.trailingDays}
            onChange={(value) => setForm({ ...form, trailingDays: value })}
            w={170}
          />
          <Stack gap={2}>
            <Text size="sm" fw={500} id="breakdown-label">
              Breakdown
            </Text>
            <SegmentedControl
              aria-labelledby="breakdown-label"
              value={form.by}
              onChange={(value) => setForm({ ...form, by: value as FormState["by"] })}
              data={[
                { value: "total", label: "Total" },
                { value: "source", label: "By source" },
                { value: "segment", label: "By segment" },
              ]}
            />
          </Stack>
          <Button type="submit">Plan</Button>
        </Group>
        {formProblem !== undefined && (
          <Text size="sm" c="red.9" mt="sm" role="alert">
            {formProblem}
          </Text>
        )}
      </Card>
      {answer.status === "failed" && (
        <ErrorState problem={answer.problem} onRetry={answer.reload} title="Could not plan this" />
      )}
      {asked !== undefined && answer.status === "loading" && answer.data === undefined && (
        <LoadingState label="Measuring the rates" />
      )}
      {asked === undefined && (
        <EmptyState
          title="Enter a target to plan"
          action="Baton measures MQL→SQL, SQL→opportunity, the win rate and the mean deal size over the trailing window, and works back from your target to the volume needed each week."
        />
      )}
      {answer.data !== undefined && <PlanView plan={answer.data} />}
    </Stack>
  );
}

function Section({ title, children, note }: { title: string; children: ReactNode; note?: string }) {
  return (
    <Card withBorder padding="md" component="section" aria-label={title}>
      <Title order={3} size="h4">
        {title}
      </Title>
      {note !== undefined && (
        <Text size="xs" c="dimmed" mb="sm">
          {note}
        </Text>
      )}
      {children}
    </Card>
  );
}

function PlanView({ plan }: { plan: PlanAnswer }) {
  const stage = (name: StageName) => plan.stages.find((entry) => entry.stage === name);
  const mqls = stage("mqls");
  const begun = plan.period.planFrom !== plan.period.from;
  return (
    <Stack gap="lg">
      <Text size="sm" data-testid="plan-period">
        {dateOf(plan.period.from, plan.timezone)} – {dateOf(plan.period.to, plan.timezone)}{" "}
        (excluded), {oneDecimal.format(plan.period.weekCount)} weeks to plan
        {begun && ` from today: ${money(plan.wonSoFar)} won so far, ${money(plan.remaining)} to go`}
        .{" "}
        {plan.window.clippedToHistory
          ? `Rates since the history began on ${dateOf(plan.window.from, plan.timezone)} (${whole.format(plan.window.trailingDays)} days asked).`
          : `Rates over the last ${whole.format(plan.window.trailingDays)} days.`}
      </Text>
      {plan.missing.length > 0 && (
        <Alert color="yellow" title="Some figures have no data" data-testid="plan-missing">
          <Stack gap={2}>
            {plan.missing.map((sentence) => (
              <Text size="sm" key={sentence}>
                {sentence.charAt(0).toUpperCase() + sentence.slice(1)}.
              </Text>
            ))}
          </Stack>
        </Alert>
      )}
      <SimpleGrid cols={{ base: 1, xs: 2, md: 4 }} spacing="md">
        <Headline
          testId="plan-mqls-per-week"
          label="MQLs needed a week"
          value={perWeek(mqls?.neededPerWeek)}
          detail={`${wholeUp(mqls?.needed)} in all`}
        />
        <Headline
          testId="plan-mqls-now"
          label="MQLs a week now"
          value={perWeek(mqls?.runRatePerWeek)}
          detail={`gap ${perWeek(mqls?.gapPerWeek)} a week`}
        />
        <Headline
          testId="plan-won-per-week"
          label="Won deals needed a week"
          value={perWeek(stage("won")?.neededPerWeek)}
          detail={`${wholeUp(stage("won")?.needed)} in all`}
        />
        <Headline
          testId="plan-run-rate"
          label="Revenue at the current run rate"
          value={money(plan.revenue.runRate)}
          detail={`of ${money(plan.revenue.target)} · gap ${money(plan.revenue.gap)}`}
        />
      </SimpleGrid>
      <SimpleGrid cols={{ base: 1, md: 2 }} spacing="lg">
        <FunnelBack plan={plan} />
        <Sensitivity plan={plan} />
      </SimpleGrid>
      <Weeks plan={plan} />
      <Rates plan={plan} />
      {plan.by !== null && <Groups plan={plan} />}
    </Stack>
  );
}

function Headline({
  label,
  value,
  detail,
  testId,
}: {
  label: string;
  value: string;
  detail: string;
  testId: string;
}) {
  return (
    <Card withBorder padding="sm" data-testid={testId}>
      <Text size="sm" c="dimmed" fw={500}>
        {label}
      </Text>
      <Text fz={28} fw={700} lh={1.2}>
        {value}
      </Text>
      <Text size="xs" c="dimmed">
        {detail}
      </Text>
    </Card>
  );
}

function FunnelBack({ plan }: { plan: PlanAnswer }) {
  const data = plan.stages.map((entry) => ({
    stage: stageLabels[entry.stage],
    Needed: entry.neededPerWeek ?? 0,
    Now: entry.runRatePerWeek ?? 0,
  }));
  return (
    <Section title="From the target back, a week" note="Needed a week beside the current run rate">
      <BarChart
        h={220}
        data={data}
        dataKey="stage"
        series={[
          { name: "Needed", color: "indigo.6" },
          { name: "Now", color: "gray.5" },
        ]}
        valueFormatter={(value) => axis.format(value)}
        withLegend
        tickLine="y"
      />
      <Table mt="md" data-testid="plan-stages-table">
        <Table.Thead>
          <Table.Tr>
            <Table.Th>Stage</Table.Th>
            <Table.Th ta="right">Needed</Table.Th>
            <Table.Th ta="right">A week</Table.Th>
            <Table.Th ta="right">Now a week</Table.Th>
            <Table.Th ta="right">Gap a week</Table.Th>
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {plan.stages.map((entry) => (
            <Table.Tr key={entry.stage} data-stage={entry.stage}>
              <Table.Td>{stageLabels[entry.stage]}</Table.Td>
              <Table.Td ta="right">{wholeUp(entry.needed)}</Table.Td>
              <Table.Td ta="right">{perWeek(entry.neededPerWeek)}</Table.Td>
              <Table.Td ta="right">{perWeek(entry.runRatePerWeek)}</Table.Td>
              <Table.Td
                ta="right"
                c={entry.gapPerWeek !== null && entry.gapPerWeek > 0 ? "red.9" : "teal.9"}
              >
                {perWeek(entry.gapPerWeek)}
              </Table.Td>
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
    </Section>
  );
}

function Sensitivity({ plan }: { plan: PlanAnswer }) {
  const data = plan.sensitivity.map((entry) => ({
    lever: `${entry.label} ${entry.change}`,
    "MQLs a week fewer": entry.fewerMqlsPerWeek ?? 0,
  }));
  return (
    <Section
      title="What each lever is worth"
      note="One at a time, the others as measured: +5 points of a rate (at most 100 %), +5 % of deal size"
    >
      <BarChart
        h={220}
        data={data}
        dataKey="lever"
        orientation="vertical"
        yAxisProps={{ width: 170 }}
        series={[{ name: "MQLs a week fewer", color: "teal.7" }]}
        valueFormatter={(value) => axis.format(value)}
        gridAxis="x"
      />
      <Table mt="md" data-testid="plan-sensitivity">
        <Table.Thead>
          <Table.Tr>
            <Table.Th>Lever</Table.Th>
            <Table.Th ta="right">From → to</Table.Th>
            <Table.Th ta="right">MQLs a week fewer</Table.Th>
            <Table.Th ta="right">Run-rate revenue more</Table.Th>
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {plan.sensitivity.map((entry) => (
            <Table.Tr key={entry.lever} data-lever={entry.lever}>
              <Table.Td>
                {entry.label} {entry.change}
                {entry.missing !== null && (
                  <Text size="xs" c="dimmed">
                    {entry.missing}
                  </Text>
                )}
              </Table.Td>
              <Table.Td ta="right">
                {leverValue(entry.lever, entry.before)} → {leverValue(entry.lever, entry.after)}
              </Table.Td>
              <Table.Td ta="right">{perWeek(entry.fewerMqlsPerWeek)}</Table.Td>
              <Table.Td ta="right">{money(entry.extraRunRateRevenue)}</Table.Td>
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
    </Section>
  );
}

function Weeks({ plan }: { plan: PlanAnswer }) {
  const data = plan.weeks.map((week) => ({
    week: dateOf(week.start, plan.timezone),
    "Path to target": Math.round(week.cumulativeTarget),
    "Current run rate": week.cumulativeRunRate === null ? null : Math.round(week.cumulativeRunRate),
  }));
  return (
    <Section
      title="Week by week"
      note="Cumulative revenue: the straight path to the target and the current run rate; the volume each week needs (a short week needs its share)"
    >
      <LineChart
        h={240}
        data={data}
        dataKey="week"
        series={[
          { name: "Path to target", color: "indigo.6" },
          { name: "Current run rate", color: "orange.7" },
        ]}
        valueFormatter={(value) => formatValue(value, "currency")}
        withLegend
        curveType="linear"
      />
      <Table.ScrollContainer minWidth={640} mt="md">
        <Table data-testid="plan-weeks-table" striped>
          <Table.Thead>
            <Table.Tr>
              <Table.Th>Week of</Table.Th>
              <Table.Th ta="right">MQLs</Table.Th>
              <Table.Th ta="right">SQLs</Table.Th>
              <Table.Th ta="right">Opportunities</Table.Th>
              <Table.Th ta="right">Won</Table.Th>
              <Table.Th ta="right">Revenue by then</Table.Th>
              <Table.Th ta="right">At run rate</Table.Th>
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {plan.weeks.map((week) => (
              <Table.Tr key={week.start}>
                <Table.Td>
                  {dateOf(week.start, plan.timezone)}
                  {week.fraction < 0.999 && (
                    <Text span size="xs" c="dimmed">
                      {" "}
                      ({oneDecimal.format(week.fraction * 7)} days)
                    </Text>
                  )}
                </Table.Td>
                <Table.Td ta="right">{perWeek(week.needed.mqls)}</Table.Td>
                <Table.Td ta="right">{perWeek(week.needed.sqls)}</Table.Td>
                <Table.Td ta="right">{perWeek(week.needed.opportunities)}</Table.Td>
                <Table.Td ta="right">{perWeek(week.needed.won)}</Table.Td>
                <Table.Td ta="right">{money(week.cumulativeTarget)}</Table.Td>
                <Table.Td ta="right">{money(week.cumulativeRunRate)}</Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      </Table.ScrollContainer>
    </Section>
  );
}

function Rates({ plan }: { plan: PlanAnswer }) {
  return (
    <Section
      title="Rates measured"
      note={`Over ${dateOf(plan.window.from, plan.timezone)} – ${dateOf(plan.window.to, plan.timezone)}, each read from its metric (METRICS.md)`}
    >
      <Table data-testid="plan-rates">
        <Table.Thead>
          <Table.Tr>
            <Table.Th>Rate</Table.Th>
            <Table.Th ta="right">Value</Table.Th>
            <Table.Th ta="right">Counts</Table.Th>
            <Table.Th>Metric</Table.Th>
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {plan.rates.levers.map((lever) => (
            <Table.Tr key={lever.lever}>
              <Table.Td>{lever.label}</Table.Td>
              <Table.Td ta="right">{leverValue(lever.lever, lever.value)}</Table.Td>
              <Table.Td ta="right">
                {lever.numerator !== undefined && lever.denominator !== undefined
                  ? `${whole.format(lever.numerator)} of ${whole.format(lever.denominator)}`
                  : ""}
              </Table.Td>
              <Table.Td>
                <Text size="xs" ff="monospace">
                  {lever.metric} · {lever.figure}
                </Text>
              </Table.Td>
            </Table.Tr>
          ))}
          <Table.Tr>
            <Table.Td>MQLs a week now</Table.Td>
            <Table.Td ta="right">{perWeek(plan.rates.mqlsPerWeek)}</Table.Td>
            <Table.Td ta="right">
              {whole.format(plan.rates.mqlEvents)} in {oneDecimal.format(plan.rates.trailingWeeks)}{" "}
              weeks
            </Table.Td>
            <Table.Td>
              <Text size="xs" ff="monospace">
                mqls · events
              </Text>
            </Table.Td>
          </Table.Tr>
        </Table.Tbody>
      </Table>
    </Section>
  );
}

function Groups({ plan }: { plan: PlanAnswer }) {
  const need = (group: PlanAnswer["groups"][number], name: StageName) =>
    group.plan?.stages.find((entry) => entry.stage === name);
  return (
    <Section
      title={`By ${plan.by}`}
      note={`The target split in the current mix (each ${plan.by}'s share of the run-rate revenue), planned at its own rates`}
    >
      <Table.ScrollContainer minWidth={720}>
        <Table data-testid="plan-groups" highlightOnHover>
          <Table.Thead>
            <Table.Tr>
              <Table.Th>{plan.by === "segment" ? "Segment" : "Source"}</Table.Th>
              <Table.Th ta="right">Share</Table.Th>
              <Table.Th ta="right">Target</Table.Th>
              <Table.Th ta="right">Won needed</Table.Th>
              <Table.Th ta="right">MQLs a week</Table.Th>
              <Table.Th ta="right">Now a week</Table.Th>
              <Table.Th>Missing</Table.Th>
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {plan.groups.map((group) => (
              <Table.Tr key={group.key}>
                <Table.Td>{group.label}</Table.Td>
                <Table.Td ta="right" style={{ whiteSpace: "nowrap" }}>
                  {group.share === null ? dash : formatValue(group.share, "rate")}
                </Table.Td>
                <Table.Td ta="right">{money(group.plan?.target)}</Table.Td>
                <Table.Td ta="right">{wholeUp(need(group, "won")?.needed)}</Table.Td>
                <Table.Td ta="right">{perWeek(need(group, "mqls")?.neededPerWeek)}</Table.Td>
                <Table.Td ta="right">{perWeek(need(group, "mqls")?.runRatePerWeek)}</Table.Td>
                <Table.Td>
                  <Text size="xs" c="dimmed">
                    {group.missing ?? group.plan?.missing.join("; ") ?? ""}
                  </Text>
                </Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      </Table.ScrollContainer>
    </Section>
  );
}
