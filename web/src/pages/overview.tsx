import { DonutChart } from "@mantine/charts";
import {
  ActionIcon,
  Badge,
  Card,
  Group,
  Popover,
  SegmentedControl,
  SimpleGrid,
  Stack,
  Table,
  Text,
  Title,
  UnstyledButton,
} from "@mantine/core";
import { type ReactNode, useMemo, useState } from "react";
import { api, unwrap } from "../api/client";
import type { paths } from "../api/schema";
import { useApi } from "../api/use-api";
import { BarList } from "../components/bar-list";
import {
  type FigureLike,
  formatDateTime,
  formatFigure,
  formatRatio,
  formatValue,
  humanise,
} from "../components/format";
import { DrillDownProvider, type RecordsQuery, useDrillDown } from "../components/records-drawer";
import { EmptyState, ErrorState, LoadingState } from "../components/states";
import { CreateActionItemButton } from "../review/action-item-form";

/**
 * The overview: METRICS.md's headline numbers for the period with the previous period beside
 * them, both sides' commitments, the funnel, speed to lead, SLA attainment by team, the
 * rejection mix, and conversion and deal quality by source. One request (GET /api/overview)
 * brings every panel, computed on one snapshot; every figure opens the records behind it.
 */

type OverviewAnswer =
  paths["/api/overview"]["get"]["responses"][200]["content"]["application/json"];
type Result = OverviewAnswer["current"][string];
type Figure = Result["total"][string];

const periods = [
  { value: "7", label: "7 days" },
  { value: "30", label: "30 days" },
  { value: "90", label: "90 days" },
];

export default function OverviewPage() {
  const [days, setDays] = useState("30");
  const answer = useApi(() => {
    // whole minutes, so a reload within the minute asks the same question
    const now = Math.floor(Date.now() / 60_000) * 60_000;
    const from = new Date(now - Number(days) * 86_400_000).toISOString();
    return unwrap(api.GET("/api/overview", { params: { query: { from } } }));
  }, [days]);

  return (
    <DrillDownProvider>
      <Stack gap="lg">
        <Group justify="space-between" align="flex-end">
          <div>
            <Title order={2}>Overview</Title>
            {answer.data !== undefined && (
              <Text size="sm" c="dimmed">
                {formatDateTime(answer.data.from)} – {formatDateTime(answer.data.to)}, compared with
                the {periods.find((p) => p.value === days)?.label} before
              </Text>
            )}
          </div>
          <Stack gap={2}>
            <Text size="sm" fw={500} id="period-label">
              Period
            </Text>
            <SegmentedControl
              aria-labelledby="period-label"
              value={days}
              onChange={setDays}
              data={periods}
            />
          </Stack>
        </Group>
        {answer.status === "failed" && (
          <ErrorState problem={answer.problem} onRetry={answer.reload} />
        )}
        {answer.data === undefined && answer.status === "loading" && (
          <LoadingState label="Computing the figures" />
        )}
        {answer.data !== undefined && <Panels overview={answer.data} />}
      </Stack>
    </DrillDownProvider>
  );
}

/** A figure's records, as the drawer asks for them. */
function recordsOf(result: Result, figure: string, title: string, group?: string): RecordsQuery {
  return {
    metric: result.metric,
    figure,
    group,
    by: result.by,
    from: result.from,
    to: result.to,
    title,
  };
}

function Panels({ overview }: { overview: OverviewAnswer }) {
  const { current, previous } = overview;
  const mqls = current.mqls;
  if (
    mqls !== undefined &&
    mqls.total.leads?.value === 0 &&
    current["win-rate"]?.total.decided?.denominator === 0
  )
    return (
      <EmptyState
        title="No leads in this period yet"
        action="Leads arrive through the API, the form webhook or `baton import`. Pick a longer period, or check that your lead sources are connected."
      />
    );
  return (
    <Stack gap="lg">
      <Headlines current={current} previous={previous} />
      <Commitments result={current.commitments} />
      <SimpleGrid cols={{ base: 1, md: 2 }} spacing="lg">
        <Funnel result={current["stage-conversion"]} />
        <SpeedToLead result={current["speed-to-lead"]} />
        <AttainmentByTeam result={current["sla-attainment-by-team"]} />
        <RejectionMix result={current["rejection-mix"]} />
      </SimpleGrid>
      <BySource
        mqls={current["mqls-by-source"]}
        conversion={current["mql-to-sql-by-source"]}
        quality={current["deal-quality-by-source"]}
      />
    </Stack>
  );
}

function Panel({
  title,
  result,
  children,
}: {
  title: string;
  result: Result | undefined;
  children: ReactNode;
}) {
  return (
    <Card withBorder padding="md" component="section" aria-label={title}>
      <Group justify="space-between" mb="sm" wrap="nowrap">
        <Title order={3} size="h4">
          {title}
        </Title>
        {result !== undefined && <Definition result={result} />}
      </Group>
      {result === undefined ? <Text c="dimmed">Not available.</Text> : children}
    </Card>
  );
}

/** METRICS.md's definition in use, as the API states it: where practice varies, which one. */
function Definition({ result }: { result: Result }) {
  return (
    <Popover width={360} position="bottom-end" withArrow shadow="md">
      <Popover.Target>
        <ActionIcon variant="subtle" color="gray" aria-label={`How ${result.title} is counted`}>
          ?
        </ActionIcon>
      </Popover.Target>
      <Popover.Dropdown>
        <Text size="sm" fw={600}>
          {result.title}
        </Text>
        <Text size="sm">{result.definition}</Text>
      </Popover.Dropdown>
    </Popover>
  );
}

interface Headline {
  key: string;
  figure: string;
  label: string;
  /** lower is better (speed) */
  lowerIsBetter?: boolean;
  detail?: (result: Result) => string | undefined;
}

const headlines: Headline[] = [
  { key: "mqls", figure: "leads", label: "MQLs" },
  { key: "acceptance", figure: "decided", label: "MQL→SAL acceptance" },
  { key: "mql-to-sql", figure: "rate", label: "MQL→SQL conversion" },
  {
    key: "speed-to-lead",
    figure: "p50-business-minutes",
    label: "Speed to lead, median (business time)",
    lowerIsBetter: true,
    detail: (result) => `P90 ${formatFigure(result.total["p90-business-minutes"])}`,
  },
  { key: "sla-attainment", figure: "attainment", label: "SLA attainment" },
  { key: "win-rate", figure: "decided", label: "Win rate" },
  { key: "marketing-sourced", figure: "pipeline", label: "Marketing-sourced pipeline" },
];

function Headlines({
  current,
  previous,
}: {
  current: OverviewAnswer["current"];
  previous: OverviewAnswer["previous"];
}) {
  const open = useDrillDown();
  return (
    <SimpleGrid cols={{ base: 1, xs: 2, md: 4 }} spacing="md">
      {headlines.map((headline) => {
        const result = current[headline.key];
        const figure = result?.total[headline.figure];
        const before = previous[headline.key]?.total[headline.figure];
        if (result === undefined || figure === undefined) return null;
        return (
          <Card withBorder padding="sm" key={headline.key} data-testid={`headline-${headline.key}`}>
            <Group justify="space-between" wrap="nowrap" align="flex-start">
              <Text size="sm" c="dimmed" fw={500}>
                {headline.label}
              </Text>
              <Definition result={result} />
              <CreateActionItemButton compact title={headline.label} metric={result.metric} />
            </Group>
            <UnstyledButton
              className="figure-button"
              onClick={() =>
                open(recordsOf(result, headline.figure, `${headline.label}: the records`))
              }
              aria-label={`${headline.label}: ${formatFigure(figure)}. Show the records`}
            >
              <Text fz={28} fw={700} lh={1.2}>
                {formatFigure(figure)}
              </Text>
            </UnstyledButton>
            <Text size="xs" c="dimmed">
              {[formatRatio(figure), headline.detail?.(result)].filter(Boolean).join(" · ") || " "}
            </Text>
            <Trend now={figure} before={before} lowerIsBetter={headline.lowerIsBetter === true} />
          </Card>
        );
      })}
    </SimpleGrid>
  );
}

function Trend({
  now,
  before,
  lowerIsBetter,
}: {
  now: FigureLike;
  before: FigureLike | undefined;
  lowerIsBetter: boolean;
}) {
  if (before === undefined || before.value === null || now.value === null)
    return (
      <Text size="xs" c="dimmed">
        No previous figure to compare
      </Text>
    );
  const change = now.value - before.value;
  const better = lowerIsBetter ? change < 0 : change > 0;
  const arrow = change === 0 ? "→" : change > 0 ? "▲" : "▼";
  const amount =
    now.unit === "rate"
      ? `${formatValue(Math.abs(change) * 100, "count")} pts`
      : before.value === 0
        ? formatValue(Math.abs(change), now.unit)
        : `${formatValue(Math.abs(change / before.value) * 100, "count")} %`;
  return (
    <Text size="xs" c={change === 0 ? "dimmed" : better ? "teal.9" : "red.9"} fw={500}>
      {arrow} {amount} vs {formatValue(before.value, before.unit)} before
    </Text>
  );
}

function Commitments({ result }: { result: Result | undefined }) {
  const open = useDrillDown();
  if (result === undefined) return null;
  const sides = ["marketing", "sales"] as const;
  const count = (side: string, outcome: string) => result.total[`${side}:${outcome}`]?.value ?? 0;
  return (
    <Panel title="Commitments of both sides" result={result}>
      <Group gap="lg" mb="sm">
        {sides.map((side) => (
          <Group key={side} gap={6}>
            <Text size="sm" fw={600}>
              {humanise(side)}
            </Text>
            <Badge color="teal.9" variant="light">
              {count(side, "met")} met
            </Badge>
            <Badge color="red.9" variant="light">
              {count(side, "missed")} missed
            </Badge>
            <Badge color="gray" variant="light">
              {count(side, "in-progress")} in progress
            </Badge>
          </Group>
        ))}
      </Group>
      {result.groups.length === 0 ? (
        <EmptyState
          title="No commitments in this period"
          action="The active agreement's commitments section sets each side's targets; propose a version with commitments to track them here."
        />
      ) : (
        <Table.ScrollContainer minWidth={560}>
          <Table highlightOnHover>
            <Table.Thead>
              <Table.Tr>
                <Table.Th>Side</Table.Th>
                <Table.Th>Commitment</Table.Th>
                <Table.Th ta="right">Target</Table.Th>
                <Table.Th ta="right">Actual</Table.Th>
                <Table.Th>Status</Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {result.groups.map((group) => {
                const side = group.key.split(":")[0] ?? "";
                const met = group.figures.met?.value;
                const status =
                  met === 1
                    ? "met"
                    : met === 0
                      ? "missed"
                      : group.figures.actual?.value === null
                        ? "no data"
                        : "in progress";
                return (
                  <Table.Tr key={group.key}>
                    <Table.Td>{humanise(side)}</Table.Td>
                    <Table.Td>{group.label}</Table.Td>
                    <Table.Td ta="right">{formatFigure(group.figures.target)}</Table.Td>
                    <Table.Td ta="right">
                      <UnstyledButton
                        className="figure-button"
                        onClick={() => open(recordsOf(result, "actual", group.label, group.key))}
                        aria-label={`${group.label}: actual ${formatFigure(group.figures.actual)}. Show the records`}
                      >
                        {formatFigure(group.figures.actual)}
                      </UnstyledButton>
                    </Table.Td>
                    <Table.Td>
                      <Badge
                        variant="light"
                        color={status === "met" ? "teal.9" : status === "missed" ? "red.9" : "gray"}
                      >
                        {status}
                      </Badge>
                    </Table.Td>
                  </Table.Tr>
                );
              })}
            </Table.Tbody>
          </Table>
        </Table.ScrollContainer>
      )}
    </Panel>
  );
}

function Funnel({ result }: { result: Result | undefined }) {
  const open = useDrillDown();
  const steps = useMemo(
    () =>
      Object.entries(result?.total ?? {})
        .filter(([name]) => name.endsWith(":cohort"))
        .map(([name, figure]) => {
          const [from = "", to = ""] = name.replace(/:cohort$/, "").split(">");
          return { name, from, to, figure };
        }),
    [result],
  );
  const largest = Math.max(1, ...steps.map((step) => step.figure.denominator ?? 0));
  return (
    <Panel title="Funnel" result={result}>
      {result !== undefined && steps.length === 0 ? (
        <EmptyState title="No stage entries in this period" action="Pick a longer period." />
      ) : (
        <BarList
          label="Entries into each stage and their conversion to the next"
          bars={steps.map((step) => ({
            key: step.name,
            label: `${humanise(step.from)} → ${humanise(step.to)}`,
            share: (step.figure.denominator ?? 0) / largest,
            display: `${formatValue(step.figure.denominator ?? 0, "count")} entered`,
            detail: `${formatFigure(step.figure)} went on`,
            onOpen: () =>
              result &&
              open(
                recordsOf(
                  result,
                  step.name,
                  `Entered ${humanise(step.from)}, then ${humanise(step.to)}`,
                ),
              ),
          }))}
        />
      )}
    </Panel>
  );
}

function SpeedToLead({ result }: { result: Result | undefined }) {
  const open = useDrillDown();
  if (result === undefined)
    return (
      <Panel title="Speed to lead" result={result}>
        {null}
      </Panel>
    );
  const total = result.total;
  const bands = Object.entries(total).filter(([name]) => /^band:[^:]+$/.test(name));
  const stat = (name: string, label: string) => (
    <UnstyledButton
      className="figure-button"
      onClick={() => open(recordsOf(result, name, `Speed to lead: ${label}`))}
      aria-label={`${label}: ${formatFigure(total[name])}. Show the records`}
    >
      <Text size="xs" c="dimmed">
        {label}
      </Text>
      <Text fw={700}>{formatFigure(total[name])}</Text>
    </UnstyledButton>
  );
  return (
    <Panel title="Speed to lead" result={result}>
      <SimpleGrid cols={{ base: 2, sm: 4 }} spacing="xs" mb="sm">
        {stat("p50-minutes", "P50, calendar")}
        {stat("p90-minutes", "P90, calendar")}
        {stat("p50-business-minutes", "P50, business")}
        {stat("p90-business-minutes", "P90, business")}
      </SimpleGrid>
      <Text size="sm" mb={4}>
        Within the goal: <b>{formatFigure(total["within-goal"])}</b> (
        {formatRatio(total["within-goal"]) ?? "—"}
        ), untouched: <b>{formatFigure(total.untouched)}</b>
      </Text>
      <BarList
        label="Speed to lead bands, calendar minutes"
        bars={bands.map(([name, figure]) => ({
          key: name,
          label: `${name.slice("band:".length)} minutes`,
          share: figure.value ?? 0,
          display: formatFigure(figure),
          detail: formatRatio(figure),
          onOpen: () =>
            open(recordsOf(result, `${name}:leads`, `Touched in ${name.slice(5)} minutes`)),
        }))}
      />
    </Panel>
  );
}

function AttainmentByTeam({ result }: { result: Result | undefined }) {
  const open = useDrillDown();
  return (
    <Panel title="SLA attainment by team" result={result}>
      {result !== undefined &&
        (result.groups.length === 0 ? (
          <EmptyState title="No SLA cycles settled in this period" action="Pick a longer period." />
        ) : (
          <BarList
            label="SLA attainment by team"
            bars={result.groups.map((group) => {
              const figure = group.figures.attainment;
              return {
                key: group.key,
                label:
                  group.key === "(none)"
                    ? "No team (queues, marketing steps)"
                    : humanise(group.label),
                share: figure?.value ?? 0,
                display: formatFigure(figure),
                detail: formatRatio(figure),
                color:
                  (figure?.value ?? 0) >= 0.9
                    ? "teal.7"
                    : (figure?.value ?? 0) >= 0.7
                      ? "yellow.6"
                      : "red.7",
                onOpen: () =>
                  open(recordsOf(result, "attainment", `SLA cycles of ${group.label}`, group.key)),
              };
            })}
          />
        ))}
    </Panel>
  );
}

const donutColors = [
  "indigo.6",
  "teal.6",
  "orange.6",
  "grape.6",
  "cyan.6",
  "red.6",
  "lime.7",
  "gray.6",
];

function RejectionMix({ result }: { result: Result | undefined }) {
  const open = useDrillDown();
  if (result === undefined)
    return (
      <Panel title="Rejection mix" result={result}>
        {null}
      </Panel>
    );
  const reasons = Object.entries(result.total)
    .filter(([name]) => name.startsWith("reason:"))
    .map(([name, figure]) => ({ reason: name.slice("reason:".length), figure }))
    .sort((a, b) => (b.figure.value ?? 0) - (a.figure.value ?? 0));
  const total = result.total.rejections?.value ?? 0;
  return (
    <Panel title="Rejection mix" result={result}>
      {total === 0 ? (
        <EmptyState
          title="No rejections in this period"
          action="Nothing was rejected or disqualified."
        />
      ) : (
        <Group align="center" wrap="wrap" gap="md">
          <DonutChart
            size={140}
            thickness={24}
            withTooltip={false}
            chartLabel={`${total}`}
            aria-hidden
            data={reasons.map((entry, index) => ({
              name: humanise(entry.reason),
              value: entry.figure.value ?? 0,
              color: donutColors[index % donutColors.length] ?? "gray.6",
            }))}
          />
          <Stack gap={2} style={{ flex: 1, minWidth: 200 }}>
            {reasons.map((entry, index) => (
              <UnstyledButton
                key={entry.reason}
                className="figure-button"
                onClick={() =>
                  open(
                    recordsOf(
                      result,
                      `reason:${entry.reason}`,
                      `Rejected: ${humanise(entry.reason)}`,
                    ),
                  )
                }
                aria-label={`${humanise(entry.reason)}: ${formatFigure(entry.figure)} rejections. Show the records`}
              >
                <Group justify="space-between" wrap="nowrap" gap="xs">
                  <Group gap={6} wrap="nowrap">
                    <Badge
                      circle
                      size="xs"
                      color={donutColors[index % donutColors.length]}
                      aria-hidden
                    >
                      {" "}
                    </Badge>
                    <Text size="sm">{humanise(entry.reason)}</Text>
                  </Group>
                  <Text size="sm" fw={600}>
                    {formatFigure(entry.figure)}{" "}
                    <Text span size="xs" c="dimmed" fw={400}>
                      {formatFigure(result.total[`share:${entry.reason}`])}
                    </Text>
                  </Text>
                </Group>
              </UnstyledButton>
            ))}
          </Stack>
        </Group>
      )}
    </Panel>
  );
}

function BySource({
  mqls,
  conversion,
  quality,
}: {
  mqls: Result | undefined;
  conversion: Result | undefined;
  quality: Result | undefined;
}) {
  const open = useDrillDown();
  const keys = [
    ...new Set(
      [...(mqls?.groups ?? []), ...(conversion?.groups ?? []), ...(quality?.groups ?? [])].map(
        (g) => g.key,
      ),
    ),
  ].sort();
  const cell = (result: Result | undefined, key: string, figure: string, title: string) => {
    const group = result?.groups.find((g) => g.key === key);
    const value = group?.figures[figure];
    if (result === undefined || group === undefined || value === undefined)
      return <Text c="dimmed">—</Text>;
    return (
      <UnstyledButton
        className="figure-button"
        onClick={() => open(recordsOf(result, figure, `${title}: ${group.label}`, group.key))}
        aria-label={`${group.label}, ${title}: ${formatFigure(value)}. Show the records`}
      >
        <Text size="sm">{formatFigure(value)}</Text>
        {formatRatio(value) !== undefined && (
          <Text size="xs" c="dimmed">
            {formatRatio(value)}
          </Text>
        )}
      </UnstyledButton>
    );
  };
  return (
    <Panel title="Conversion and deal quality by source" result={quality}>
      {keys.length === 0 ? (
        <EmptyState title="No leads by source in this period" action="Pick a longer period." />
      ) : (
        <Table.ScrollContainer minWidth={760}>
          <Table highlightOnHover data-testid="by-source">
            <Table.Thead>
              <Table.Tr>
                <Table.Th>Source</Table.Th>
                <Table.Th>MQLs</Table.Th>
                <Table.Th>MQL→SQL</Table.Th>
                <Table.Th>Acceptance</Table.Th>
                <Table.Th>Win rate</Table.Th>
                <Table.Th>Mean won amount</Table.Th>
                <Table.Th>Sales cycle</Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {keys.map((key) => (
                <Table.Tr key={key}>
                  <Table.Td fw={500}>{key === "(none)" ? "No source" : humanise(key)}</Table.Td>
                  <Table.Td>{cell(mqls, key, "leads", "MQLs")}</Table.Td>
                  <Table.Td>{cell(conversion, key, "rate", "MQL→SQL")}</Table.Td>
                  <Table.Td>{cell(quality, key, "acceptance", "Acceptance")}</Table.Td>
                  <Table.Td>{cell(quality, key, "win-rate", "Win rate")}</Table.Td>
                  <Table.Td>{cell(quality, key, "mean-won-amount", "Mean won amount")}</Table.Td>
                  <Table.Td>{cell(quality, key, "sales-cycle-days", "Sales cycle")}</Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        </Table.ScrollContainer>
      )}
    </Panel>
  );
}

export type { Figure };
