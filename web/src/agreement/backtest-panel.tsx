import { Alert, Anchor, Badge, Group, Loader, SimpleGrid, Stack, Table, Text } from "@mantine/core";
import { Link } from "react-router";
import { api, unwrap } from "../api/client";
import type { paths } from "../api/schema";
import { useApi } from "../api/use-api";
import { formatDateTime, humanise } from "../components/format";

/**
 * What a proposal would have done over the last 90 days, next to its diff and before the approve
 * buttons: MQLs before → after with the leads that flip and how they actually converted, SLA
 * cycles that flip per step, and each rep's load and cap hits. The API computes it once per
 * version and ledger position, so both approvers see the same figures.
 */
export type BacktestReport =
  paths["/api/agreements/{number}/backtest"]["get"]["responses"][200]["content"]["application/json"];
type FlipList = BacktestReport["qualification"]["droppingOut"];

const integer = new Intl.NumberFormat("en", { maximumFractionDigits: 0 });
/** scores as the reasons beside them read (63.39, not 63.39354850795088) */
const points = new Intl.NumberFormat("en", { maximumFractionDigits: 2 });
const percent = (rate: number | null) =>
  rate === null
    ? "—"
    : `${new Intl.NumberFormat("en", { maximumFractionDigits: 1 }).format(rate * 100)} %`;
const change = (before: number, after: number) => {
  const delta = after - before;
  return delta === 0 ? "no change" : `${delta > 0 ? "+" : "−"}${integer.format(Math.abs(delta))}`;
};

export function BacktestPanel({ number }: { number: number }) {
  const report = useApi(
    (signal) =>
      unwrap(
        api.GET("/api/agreements/{number}/backtest", {
          params: { path: { number } },
          signal,
        }),
      ),
    [number],
  );
  return (
    <div data-testid="backtest">
      <Text size="sm" fw={600}>
        Backtest: the last 90 days replayed under this version
      </Text>
      {report.status === "loading" && report.data === undefined && (
        <Group gap="xs">
          <Loader size="xs" />
          <Text size="sm" c="dimmed">
            Replaying history under the proposal…
          </Text>
        </Group>
      )}
      {report.status === "failed" && (
        <Alert color="orange" title="No backtest">
          {report.problem.message}
        </Alert>
      )}
      {report.data !== undefined && <BacktestFigures report={report.data} />}
    </div>
  );
}

export function BacktestFigures({ report }: { report: BacktestReport }) {
  const { qualification: q, sla, routing } = report;
  return (
    <Stack gap="sm" mt={4}>
      <Text size="xs" c="dimmed">
        {integer.format(report.leads)} leads created {formatDateTime(report.window.from)} –{" "}
        {formatDateTime(report.window.to)}, replayed under version {report.active.number} (in force)
        and this proposal.
      </Text>
      <SimpleGrid cols={{ base: 1, sm: 3 }} spacing="sm">
        <Figure
          label="MQLs"
          value={`${integer.format(q.before.mqls)} → ${integer.format(q.after.mqls)}`}
          detail={change(q.before.mqls, q.after.mqls)}
          testId="backtest-mqls"
        />
        <Figure
          label="Newly qualifying"
          value={integer.format(q.newlyQualifying.count)}
          detail={conversionLine(q.newlyQualifying)}
        />
        <Figure
          label="Dropping out"
          value={integer.format(q.droppingOut.count)}
          detail={conversionLine(q.droppingOut)}
        />
      </SimpleGrid>
      <FlipTable title="Dropping out" list={q.droppingOut} testId="backtest-dropping" />
      <FlipTable title="Newly qualifying" list={q.newlyQualifying} testId="backtest-newly" />

      <div>
        <Text size="sm" fw={600}>
          SLA cycles (attainment before → after)
        </Text>
        <Table fz="sm" verticalSpacing={4} data-testid="backtest-sla">
          <Table.Thead>
            <Table.Tr>
              <Table.Th>Step</Table.Th>
              <Table.Th>Cycles</Table.Th>
              <Table.Th>Attainment</Table.Th>
              <Table.Th>Met → breached</Table.Th>
              <Table.Th>Breached → met</Table.Th>
              <Table.Th>Would not start</Table.Th>
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {sla.steps.map((step) => (
              <Table.Tr key={step.step}>
                <Table.Td>
                  {humanise(step.step)}{" "}
                  {step.status !== "unchanged" && (
                    <Badge
                      size="xs"
                      variant="light"
                      color={step.status === "removed" ? "red" : "blue"}
                    >
                      {step.status}
                    </Badge>
                  )}
                </Table.Td>
                <Table.Td>{integer.format(step.cycles)}</Table.Td>
                <Table.Td>
                  {percent(step.before.rate)} →{" "}
                  {step.after === null ? "removed" : percent(step.after.rate)}
                </Table.Td>
                <Table.Td>
                  {integer.format(step.metToBreached.count)}
                  {step.metToBreached.items.slice(0, 3).map((flip) => (
                    <Text key={`${flip.clockId}#${flip.cycle}`} size="xs" c="dimmed">
                      <Anchor component={Link} to={`/leads/${flip.leadId}`} size="xs">
                        {flip.leadId}
                      </Anchor>{" "}
                      {flip.before.targetMinutes} → {flip.after.targetMinutes} min
                    </Text>
                  ))}
                </Table.Td>
                <Table.Td>{integer.format(step.breachedToMet.count)}</Table.Td>
                <Table.Td>
                  {integer.format(step.notStarted.count)}
                  {step.notStarted.count > 0 && (
                    <Text size="xs" c="dimmed">
                      the lead no longer qualifies
                    </Text>
                  )}
                  {step.noGoal.count > 0 && (
                    <Text size="xs" c="dimmed">
                      {integer.format(step.noGoal.count)} with no proposed goal
                    </Text>
                  )}
                </Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
        {sla.cyclesWithoutLog.count > 0 && (
          <Text size="xs" c="dimmed">
            {integer.format(sla.cyclesWithoutLog.count)} newly qualifying leads have no clock
            history for that qualification; their cycles are not simulated.
          </Text>
        )}
      </div>

      <div>
        <Text size="sm" fw={600}>
          Rep load (assignments, and times passed over at cap)
        </Text>
        <Table fz="sm" verticalSpacing={4} data-testid="backtest-reps">
          <Table.Thead>
            <Table.Tr>
              <Table.Th>Rep</Table.Th>
              <Table.Th>Actual</Table.Th>
              <Table.Th>In force</Table.Th>
              <Table.Th>Proposed</Table.Th>
              <Table.Th>At cap: in force → proposed</Table.Th>
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {routing.reps.map((row) => (
              <Table.Tr key={row.rep}>
                <Table.Td>{row.rep}</Table.Td>
                <Table.Td>{integer.format(row.actual)}</Table.Td>
                <Table.Td>{integer.format(row.before.assigned)}</Table.Td>
                <Table.Td fw={row.after.assigned !== row.before.assigned ? 600 : undefined}>
                  {integer.format(row.after.assigned)}
                </Table.Td>
                <Table.Td>
                  {integer.format(row.before.capExclusions)} →{" "}
                  {integer.format(row.after.capExclusions)}
                </Table.Td>
              </Table.Tr>
            ))}
            {routing.queues.map((queue) => (
              <Table.Tr key={`queue-${queue.queue}`}>
                <Table.Td>queue {queue.queue}</Table.Td>
                <Table.Td>—</Table.Td>
                <Table.Td>{integer.format(queue.before)}</Table.Td>
                <Table.Td>{integer.format(queue.after)}</Table.Td>
                <Table.Td />
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
        <Text size="xs" c="dimmed">
          {integer.format(routing.reassigned.count)} leads would go to someone else.
        </Text>
      </div>
    </Stack>
  );
}

function conversionLine(list: FlipList): string {
  const c = list.conversions;
  return `actually: ${integer.format(c.reachedSql)} reached SQL, ${integer.format(c.opportunity)} opportunity, ${integer.format(c.won)} won (${integer.format(c.wonAmount)})`;
}

function Figure({
  label,
  value,
  detail,
  testId,
}: {
  label: string;
  value: string;
  detail: string;
  testId?: string;
}) {
  return (
    <div data-testid={testId}>
      <Text size="xs" c="dimmed">
        {label}
      </Text>
      <Text fw={700} size="lg">
        {value}
      </Text>
      <Text size="xs" c="dimmed">
        {detail}
      </Text>
    </div>
  );
}

function FlipTable({ title, list, testId }: { title: string; list: FlipList; testId: string }) {
  if (list.count === 0) return null;
  return (
    <details data-testid={testId}>
      <summary style={{ cursor: "pointer", fontSize: "var(--mantine-font-size-sm)" }}>
        {title}: {integer.format(list.count)} {list.count === 1 ? "lead" : "leads"}
        {list.count > list.items.length ? ` (first ${list.items.length} shown)` : ""}
      </summary>
      <Table fz="sm" verticalSpacing={4}>
        <Table.Thead>
          <Table.Tr>
            <Table.Th>Lead</Table.Th>
            <Table.Th>Score in force → proposed</Table.Th>
            <Table.Th>Why</Table.Th>
            <Table.Th>Actually</Table.Th>
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {list.items.map((flip) => (
            <Table.Tr key={flip.leadId}>
              <Table.Td>
                <Anchor component={Link} to={`/leads/${flip.leadId}`} size="sm">
                  {flip.leadId}
                </Anchor>
              </Table.Td>
              <Table.Td>
                {points.format(flip.scoreBefore)} → {points.format(flip.scoreAfter)}
              </Table.Td>
              <Table.Td>
                <Text size="xs">{flip.reasons.join("; ")}</Text>
              </Table.Td>
              <Table.Td>
                {flip.won
                  ? `won ${integer.format(flip.amount ?? 0)}`
                  : flip.opportunity
                    ? "opportunity"
                    : flip.reachedSql
                      ? "reached SQL"
                      : "no conversion"}
              </Table.Td>
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
    </details>
  );
}
