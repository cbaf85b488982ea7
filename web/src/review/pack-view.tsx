import { BarChart } from "@mantine/charts";
import { Badge, Card, Group, SimpleGrid, Stack, Table, Text } from "@mantine/core";
import { BarList } from "../components/bar-list";
import { formatDateTime, formatValue, humanise } from "../components/format";
import { EmptyState } from "../components/states";
import { CreateActionItemButton } from "./action-item-form";
import {
  Change,
  CommitmentBadge,
  commitmentColor,
  FigureButton,
  formatPackFigure,
  RecordsButton,
  ratioOf,
  Section,
  severityColor,
} from "./pack-parts";
import { usePackRecords } from "./pack-records";
import {
  type ActionItem,
  type CommitmentRow,
  type Comparison,
  type DiscussionPoint,
  formatDay,
  leadIdOfRecord,
  type PackFigure,
  type ReviewPack,
  type StoredPack,
  statusColor,
  statusLabel,
  typeLabel,
} from "./review-api";

/**
 * One review pack, section by section, as the API froze it: headline numbers against the
 * previous period and both sides' commitments, what to discuss with its evidence, SLA breaches
 * by owner, stuck leads, the rejection mix, source quality, speed to lead, marketing's pipeline,
 * and the last review's action items. Every figure opens the records the pack keeps for it.
 */
export function PackView({
  stored,
  onActionItemCreated,
}: {
  stored: StoredPack;
  onActionItemCreated?: (item: ActionItem) => void;
}) {
  const pack = stored.pack;
  return (
    <Stack gap="lg">
      <Headlines pack={pack} packId={stored.id} />
      <DiscussionPoints
        pack={pack}
        packId={stored.id}
        {...(onActionItemCreated === undefined ? {} : { onCreated: onActionItemCreated })}
      />
      <Commitments pack={pack} />
      <SimpleGrid cols={{ base: 1, lg: 2 }} spacing="lg">
        <Sla pack={pack} />
        <Stuck pack={pack} />
        <Rejections pack={pack} />
        <Speed pack={pack} />
      </SimpleGrid>
      <Sources pack={pack} />
      <Marketing pack={pack} />
      <PackActionItems pack={pack} />
    </Stack>
  );
}

function Headlines({ pack, packId }: { pack: ReviewPack; packId: string }) {
  return (
    <SimpleGrid cols={{ base: 2, md: 3, xl: 4 }} spacing="sm" data-testid="pack-headlines">
      {pack.headlines.map((headline) => (
        <Card
          withBorder
          padding="sm"
          key={headline.id}
          data-testid={`pack-headline-${headline.id}`}
        >
          <Group justify="space-between" wrap="nowrap" align="flex-start" gap={4}>
            <Text size="sm" c="dimmed" fw={500}>
              {headline.label}
            </Text>
            <CreateActionItemButton
              compact
              title={headline.label}
              metric={headline.metric}
              leadIds={headline.current.records.map(leadIdOfRecord)}
              reviewPackId={packId}
              notes={`${headline.label}: ${formatPackFigure(headline.current)} in ${pack.period.label}, ${formatPackFigure(headline.previous)} in ${pack.previousPeriod.label}.`}
            />
          </Group>
          <FigureButton
            figure={headline.current}
            title={`${headline.label}, ${pack.period.label}`}
            size="xl"
            withRatio
            metric={{
              name: headline.metric,
              figure: headline.figure,
              from: pack.period.from,
              to: pack.period.to,
            }}
          />
          <Change comparison={headline} better={headline.better} />
          {headline.commitments.map((commitment) => (
            // plain text, not a badge: it wraps in a narrow card (a phone's two columns)
            <Text
              key={`${commitment.side}:${commitment.id}`}
              size="xs"
              fw={600}
              c={commitmentColor[commitment.status] ?? "gray"}
              title={commitment.label}
            >
              {humanise(commitment.side)} commitment: {commitment.status.replace("-", " ")}
            </Text>
          ))}
        </Card>
      ))}
    </SimpleGrid>
  );
}

function DiscussionPoints({
  pack,
  packId,
  onCreated,
}: {
  pack: ReviewPack;
  packId: string;
  onCreated?: (item: ActionItem) => void;
}) {
  return (
    <Section title="To discuss" testId="discussion-points">
      {pack.discussionPoints.length === 0 ? (
        <EmptyState
          title="Nothing stands out this period"
          action="No commitment was missed twice, no reason rose and no breaches concentrated. Walk through the figures below."
        />
      ) : (
        <Stack gap="sm">
          {pack.discussionPoints.map((point: DiscussionPoint) => {
            const leads = [
              ...new Set(
                point.evidence
                  .filter((evidence) => evidence.metric !== null)
                  .flatMap((evidence) => evidence.records.map(leadIdOfRecord)),
              ),
            ];
            return (
              <Card withBorder padding="sm" key={point.id} data-testid="discussion-point">
                <Group justify="space-between" align="flex-start" wrap="wrap" gap="xs">
                  <Group
                    gap="xs"
                    wrap="nowrap"
                    align="flex-start"
                    style={{ flex: 1, minWidth: 240 }}
                  >
                    <Badge
                      color={severityColor[point.severity] ?? "gray"}
                      variant="light"
                      style={{ flexShrink: 0, minWidth: "max-content" }}
                    >
                      {point.severity}
                    </Badge>
                    <Text size="sm" fw={500}>
                      {point.text}
                    </Text>
                  </Group>
                  <CreateActionItemButton
                    title={point.text.slice(0, 300)}
                    metric={point.evidence.find((evidence) => evidence.metric !== null)?.metric}
                    leadIds={leads}
                    reviewPackId={packId}
                    notes={`From the discussion point of ${pack.title}: ${point.text}`}
                    {...(onCreated === undefined ? {} : { onCreated })}
                  />
                </Group>
                <Stack gap={2} mt="xs" role="list" aria-label="Evidence">
                  {point.evidence.map((evidence) => {
                    const ratio =
                      evidence.numerator !== null && evidence.denominator !== null
                        ? ` (${formatValue(evidence.numerator, "count")} of ${formatValue(evidence.denominator, "count")})`
                        : "";
                    return (
                      <RecordsButton
                        role="listitem"
                        key={`${evidence.metric}:${evidence.figure}:${evidence.label}`}
                        query={{
                          title: evidence.label,
                          recordCount: evidence.recordCount,
                          records: evidence.records,
                        }}
                        label={`${evidence.label}: ${formatValue(evidence.value, evidence.unit)}. Show the records`}
                      >
                        <Group justify="space-between" wrap="nowrap" gap="xs">
                          <Text size="sm" c="dimmed">
                            {evidence.label}
                          </Text>
                          <Text size="sm" fw={600} style={{ whiteSpace: "nowrap" }}>
                            {formatValue(evidence.value, evidence.unit)}
                            <Text span size="xs" c="dimmed" fw={400}>
                              {ratio}
                            </Text>
                          </Text>
                        </Group>
                      </RecordsButton>
                    );
                  })}
                </Stack>
              </Card>
            );
          })}
        </Stack>
      )}
    </Section>
  );
}

/** A share as a chart's percentage, one decimal (the charts' value formatter adds " %"). */
function percentOf(share: PackFigure): number {
  return Math.round((share.value ?? 0) * 1000) / 10;
}

function target(row: CommitmentRow): string {
  const bound = (value: number | null) => formatValue(value, row.unit);
  if (row.min !== null && row.max !== null) return `${bound(row.min)}–${bound(row.max)}`;
  if (row.min !== null) return `≥ ${bound(row.min)}`;
  if (row.max !== null) return `≤ ${bound(row.max)}`;
  return "—";
}

function Commitments({ pack }: { pack: ReviewPack }) {
  const rows = [...pack.commitments.marketing, ...pack.commitments.sales];
  return (
    <Section title="Commitments of both sides" testId="pack-commitments">
      {rows.length === 0 ? (
        <EmptyState
          title="The agreement sets no commitments"
          action="Propose a version with a commitments section to see each side's targets here."
        />
      ) : (
        <Table.ScrollContainer minWidth={640}>
          <Table highlightOnHover>
            <Table.Thead>
              <Table.Tr>
                <Table.Th>Side</Table.Th>
                <Table.Th>Commitment</Table.Th>
                <Table.Th>Target</Table.Th>
                <Table.Th>Actual, by its period</Table.Th>
                <Table.Th>This period</Table.Th>
                <Table.Th>Previous</Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {rows.map((row) => (
                <Table.Tr key={`${row.side}:${row.id}`}>
                  <Table.Td>{humanise(row.side)}</Table.Td>
                  <Table.Td>
                    {row.label}
                    <Text size="xs" c="dimmed">
                      per {row.per}
                    </Text>
                  </Table.Td>
                  <Table.Td style={{ whiteSpace: "nowrap" }}>{target(row)}</Table.Td>
                  <Table.Td>
                    <Group gap={4}>
                      {row.periods.length === 0 && <Text c="dimmed">—</Text>}
                      {row.periods.map((period) => (
                        <Group key={period.key} gap={2} wrap="nowrap">
                          <Text size="xs" c="dimmed">
                            {period.key}
                          </Text>
                          <FigureButton
                            figure={period.actual}
                            title={`${row.label}, ${period.key}`}
                          />
                        </Group>
                      ))}
                    </Group>
                  </Table.Td>
                  <Table.Td>
                    <CommitmentBadge status={row.status} />
                  </Table.Td>
                  <Table.Td>
                    <CommitmentBadge status={row.previousStatus} />
                  </Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        </Table.ScrollContainer>
      )}
    </Section>
  );
}

function Stat({ label, children }: { label: string; children: React.ReactNode }) {
  return (
    <div>
      <Text size="xs" c="dimmed">
        {label}
      </Text>
      {children}
    </div>
  );
}

/** A headline figure that opens its records. */
function FigureStat({
  label,
  figure,
  title,
}: {
  label: string;
  figure: PackFigure;
  title: string;
}) {
  return (
    <Stat label={label}>
      <FigureButton figure={figure} title={title} size="md" />
    </Stat>
  );
}

function ComparisonStat({
  label,
  comparison,
  better,
  title,
}: {
  label: string;
  comparison: Comparison;
  better: "higher" | "lower";
  title: string;
}) {
  return (
    <Stat label={label}>
      <FigureButton figure={comparison.current} title={title} size="md" withRatio />
      <Change comparison={comparison} better={better} />
    </Stat>
  );
}

function Sla({ pack }: { pack: ReviewPack }) {
  const open = usePackRecords();
  const { sla } = pack;
  return (
    <Section title="SLA attainment and breaches" testId="pack-sla">
      <SimpleGrid cols={2} spacing="xs" mb="sm">
        <ComparisonStat
          label="Attainment"
          comparison={sla.attainment}
          better="higher"
          title="SLA cycles settled in the period"
        />
        <FigureStat label="Breached cycles" figure={sla.breached} title="Breached SLA cycles" />
      </SimpleGrid>
      {sla.steps.length > 0 && (
        <BarList
          label="Attainment by step"
          bars={sla.steps.map((step) => ({
            key: step.step,
            label: step.name,
            share: step.attainment.value ?? 0,
            display: formatPackFigure(step.attainment),
            detail: `${step.breached} breached`,
            color:
              (step.attainment.value ?? 0) >= 0.9
                ? "teal.7"
                : (step.attainment.value ?? 0) >= 0.7
                  ? "yellow.6"
                  : "red.7",
            onOpen: () =>
              open({
                title: `SLA cycles of ${step.name}`,
                recordCount: step.attainment.recordCount,
                records: step.attainment.records,
              }),
          }))}
        />
      )}
      <Text size="sm" fw={600} mt="md" mb={4}>
        Breaches by owner
      </Text>
      {sla.byOwner.length === 0 ? (
        <Text size="sm" c="dimmed">
          No breaches in the period.
        </Text>
      ) : (
        <Table.ScrollContainer minWidth={420}>
          <Table data-testid="breaches-by-owner">
            <Table.Thead>
              <Table.Tr>
                <Table.Th>Owner</Table.Th>
                <Table.Th>Breached</Table.Th>
                <Table.Th>Leads</Table.Th>
                <Table.Th>Steps</Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {sla.byOwner.map((owner) => (
                <Table.Tr key={owner.owner}>
                  <Table.Td>{owner.label}</Table.Td>
                  <Table.Td>
                    <FigureButton
                      figure={owner.breached}
                      title={`Breached cycles of ${owner.label}`}
                    />
                  </Table.Td>
                  <Table.Td>
                    <RecordsButton
                      style={{ width: "auto" }}
                      query={{
                        title: `Leads of ${owner.label}'s breaches`,
                        recordCount: owner.leadIds.length,
                        records: owner.leadIds,
                      }}
                      label={`${owner.leadIds.length} leads of ${owner.label}'s breaches. Show the leads`}
                    >
                      <Text size="sm">{owner.leadIds.length} leads</Text>
                    </RecordsButton>
                  </Table.Td>
                  <Table.Td>
                    <Text size="xs">
                      {owner.steps.map((step) => `${step.name} ${step.breached}`).join(", ")}
                    </Text>
                  </Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        </Table.ScrollContainer>
      )}
    </Section>
  );
}

function Stuck({ pack }: { pack: ReviewPack }) {
  const open = usePackRecords();
  const { stuck } = pack;
  const largest = Math.max(1, ...stuck.byOwner.map((owner) => owner.stuck.value ?? 0));
  return (
    <Section title="Stuck leads" testId="pack-stuck">
      <Text size="xs" c="dimmed" mb="xs">
        Open leads with no activity for {formatValue(stuck.stuckHours, "hours")}, as of{" "}
        {formatDateTime(stuck.asOf)}
      </Text>
      <SimpleGrid cols={3} spacing="xs" mb="sm">
        <FigureStat label="Stuck now" figure={stuck.total} title="Stuck leads" />
        <Stat label="Last pack">
          <Text fz="lg" fw={700}>
            {stuck.previousTotal === null ? "—" : formatValue(stuck.previousTotal, "count")}
          </Text>
        </Stat>
        <FigureStat label="Median age" figure={stuck.ageP50Hours} title="Stuck leads by age" />
      </SimpleGrid>
      {stuck.byOwner.length > 0 && (
        <BarList
          label="Stuck leads by owner"
          bars={stuck.byOwner.map((owner) => ({
            key: owner.owner,
            label: owner.label,
            share: (owner.stuck.value ?? 0) / largest,
            display: formatPackFigure(owner.stuck),
            color: "orange.6",
            onOpen: () =>
              open({
                title: `Stuck leads of ${owner.label}`,
                recordCount: owner.stuck.recordCount,
                records: owner.stuck.records,
              }),
          }))}
        />
      )}
    </Section>
  );
}

function Rejections({ pack }: { pack: ReviewPack }) {
  const { rejections } = pack;
  const chart = rejections.reasons.map((reason) => ({
    reason: reason.label,
    current: percentOf(reason.share),
    previous: percentOf(reason.previousShare),
  }));
  const groups = [
    { title: "Top reasons by source", rows: rejections.bySource },
    { title: "Top reasons by campaign", rows: rejections.byCampaign },
  ];
  return (
    <Section title="Rejection mix and trend" testId="pack-rejections">
      <SimpleGrid cols={3} spacing="xs" mb="sm">
        <ComparisonStat
          label="Rejections"
          comparison={rejections.rejections}
          better="lower"
          title="Rejections and disqualifications"
        />
        <FigureStat
          label="Without a reason"
          figure={rejections.noReason}
          title="Rejections without a reason"
        />
        <FigureStat
          label="Recycled, no reason"
          figure={rejections.recycledNoReason}
          title="Recycles without a reason"
        />
      </SimpleGrid>
      {chart.length === 0 ? (
        <Text size="sm" c="dimmed">
          Nothing was rejected in either period.
        </Text>
      ) : (
        <>
          <div aria-hidden>
            <BarChart
              h={Math.max(120, chart.length * 36)}
              data={chart}
              dataKey="reason"
              orientation="vertical"
              yAxisProps={{ width: 120 }}
              valueFormatter={(value) => `${value} %`}
              withLegend
              series={[
                { name: "current", label: pack.period.label, color: "indigo.6" },
                { name: "previous", label: pack.previousPeriod.label, color: "gray.4" },
              ]}
            />
          </div>
          <Stack gap={2} mt="xs">
            {rejections.reasons.map((reason) => (
              <RecordsButton
                key={reason.reason}
                query={{
                  title: `Rejected: ${reason.label}`,
                  recordCount: reason.count.recordCount,
                  records: reason.count.records,
                }}
                label={`${reason.label}: ${formatPackFigure(reason.count)} rejections. Show the records`}
              >
                <Group justify="space-between" wrap="nowrap" gap="xs">
                  <Text size="sm">{reason.label}</Text>
                  <Text size="sm" fw={600} style={{ whiteSpace: "nowrap" }}>
                    {formatPackFigure(reason.count)}{" "}
                    <Text span size="xs" c="dimmed" fw={400}>
                      {formatPackFigure(reason.share)}
                      {reason.change !== null &&
                        ` (${reason.change >= 0 ? "+" : "−"}${formatValue(Math.abs(reason.change) * 100, "count")} pts)`}
                    </Text>
                  </Text>
                </Group>
              </RecordsButton>
            ))}
          </Stack>
        </>
      )}
      {groups.map(
        (group) =>
          group.rows.length > 0 && (
            <div key={group.title}>
              <Text size="sm" fw={600} mt="md" mb={4}>
                {group.title}
              </Text>
              <Table.ScrollContainer minWidth={360}>
                <Table>
                  <Table.Tbody>
                    {group.rows.map((row) => (
                      <Table.Tr key={row.key}>
                        <Table.Td>
                          {row.label}
                          <Text size="xs" c="dimmed">
                            {row.rejections} {row.rejections === 1 ? "rejection" : "rejections"}
                          </Text>
                        </Table.Td>
                        <Table.Td>
                          <Text size="xs">
                            {row.top
                              .map(
                                (entry) =>
                                  `${entry.label} ${entry.count}${entry.share === null ? "" : ` (${formatValue(entry.share, "rate")})`}`,
                              )
                              .join(", ")}
                          </Text>
                        </Table.Td>
                      </Table.Tr>
                    ))}
                  </Table.Tbody>
                </Table>
              </Table.ScrollContainer>
            </div>
          ),
      )}
    </Section>
  );
}

function Speed({ pack }: { pack: ReviewPack }) {
  const { speed } = pack;
  return (
    <Section title="Speed to lead" testId="pack-speed">
      <SimpleGrid cols={2} spacing="xs" mb="sm">
        <ComparisonStat
          label="Median"
          comparison={speed.p50Minutes}
          better="lower"
          title="Speed to lead, median"
        />
        <ComparisonStat
          label="P90"
          comparison={speed.p90Minutes}
          better="lower"
          title="Speed to lead, P90"
        />
        <Stat
          label={`Within the goal${speed.goalMinutes === null ? "" : ` (${formatValue(speed.goalMinutes, "minutes")})`}`}
        >
          <FigureButton figure={speed.withinGoal} title="Touched within the goal" withRatio />
        </Stat>
        <Stat label="Untouched">
          <FigureButton figure={speed.untouched} title="MQLs not touched yet" />
        </Stat>
      </SimpleGrid>
      {speed.touched.value === 0 || speed.touched.value === null ? (
        <Text size="sm" c="dimmed">
          No MQL of the period was touched yet, so there is no distribution to show.
        </Text>
      ) : (
        <div aria-hidden>
          <BarChart
            h={160}
            data={speed.bands.map((band) => ({
              band: `${band.band} min`,
              share: percentOf(band.share),
            }))}
            dataKey="band"
            valueFormatter={(value) => `${value} %`}
            series={[{ name: "share", label: "Share of touched MQLs", color: "teal.6" }]}
          />
        </div>
      )}
      <Group gap="xs" mt="xs">
        {speed.bands.map((band) => (
          <RecordsButton
            key={band.band}
            style={{ width: "auto" }}
            query={{
              title: `Touched in ${band.band} minutes`,
              recordCount: band.leads.recordCount,
              records: band.leads.records,
            }}
            label={`${band.band} minutes: ${formatPackFigure(band.leads)} leads. Show the leads`}
          >
            <Text size="xs">
              {band.band} min: <b>{formatPackFigure(band.leads)}</b>
            </Text>
          </RecordsButton>
        ))}
      </Group>
    </Section>
  );
}

function Sources({ pack }: { pack: ReviewPack }) {
  return (
    <Section title="Source quality" testId="pack-sources">
      {pack.sources.length === 0 ? (
        <EmptyState title="No MQLs by source in this period" action="Generate a longer period." />
      ) : (
        <Table.ScrollContainer minWidth={720}>
          <Table highlightOnHover>
            <Table.Thead>
              <Table.Tr>
                <Table.Th>Source</Table.Th>
                <Table.Th>MQLs</Table.Th>
                <Table.Th>Acceptance</Table.Th>
                <Table.Th>MQL→SQL</Table.Th>
                <Table.Th>Previous MQL→SQL</Table.Th>
                <Table.Th>Win rate</Table.Th>
                <Table.Th>Mean deal</Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {pack.sources.map((source) => (
                <Table.Tr key={source.key}>
                  <Table.Td fw={500}>
                    {source.label}{" "}
                    {source.marketing && (
                      <Badge size="xs" variant="light">
                        marketing
                      </Badge>
                    )}
                  </Table.Td>
                  <Table.Td>
                    <FigureButton figure={source.mqls} title={`MQLs from ${source.label}`} />
                  </Table.Td>
                  <Table.Td>
                    <FigureButton
                      figure={source.acceptance}
                      title={`Acceptance, ${source.label}`}
                      withRatio
                    />
                  </Table.Td>
                  <Table.Td>
                    <FigureButton
                      figure={source.mqlToSql}
                      title={`MQL→SQL, ${source.label}`}
                      withRatio
                    />
                  </Table.Td>
                  <Table.Td>
                    <Text size="sm" c="dimmed">
                      {formatPackFigure(source.previousMqlToSql)}
                    </Text>
                    <Text size="xs" c="dimmed">
                      {ratioOf(source.previousMqlToSql)}
                    </Text>
                  </Table.Td>
                  <Table.Td>
                    <FigureButton
                      figure={source.winRate}
                      title={`Win rate, ${source.label}`}
                      withRatio
                    />
                  </Table.Td>
                  <Table.Td>
                    <FigureButton
                      figure={source.meanDealSize}
                      title={`Won deals, ${source.label}`}
                    />
                  </Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        </Table.ScrollContainer>
      )}
    </Section>
  );
}

function Marketing({ pack }: { pack: ReviewPack }) {
  const m = pack.marketing;
  const stats: { label: string; comparison: Comparison }[] = [
    { label: "Marketing-sourced pipeline", comparison: m.sourcedPipeline },
    { label: "Marketing-sourced revenue", comparison: m.sourcedRevenue },
    { label: "Marketing-sourced open pipeline", comparison: m.sourcedOpenPipeline },
    { label: "Marketing-sourced share", comparison: m.sourcedShare },
    { label: "Marketing-influenced pipeline", comparison: m.influencedPipeline },
    { label: "Marketing-influenced revenue", comparison: m.influencedRevenue },
    { label: "Marketing-influenced share", comparison: m.influencedShare },
    { label: "Pipeline velocity (per day)", comparison: m.velocity },
    { label: "Win rate", comparison: m.winRate },
  ];
  return (
    <Section title="Pipeline, velocity and win rate" testId="pack-marketing">
      <SimpleGrid cols={{ base: 1, xs: 2, md: 3 }} spacing="sm">
        {stats.map((stat) => (
          <ComparisonStat
            key={stat.label}
            label={stat.label}
            comparison={stat.comparison}
            better="higher"
            title={stat.label}
          />
        ))}
      </SimpleGrid>
    </Section>
  );
}

function PackActionItems({ pack }: { pack: ReviewPack }) {
  return (
    <Section title="Action items at generation" testId="pack-action-items">
      {pack.actionItems.length === 0 ? (
        <Text size="sm" c="dimmed">
          No action items were open or due when the pack was made.
        </Text>
      ) : (
        <Table.ScrollContainer minWidth={560}>
          <Table>
            <Table.Thead>
              <Table.Tr>
                <Table.Th>Item</Table.Th>
                <Table.Th>Owner</Table.Th>
                <Table.Th>Due</Table.Th>
                <Table.Th>Status</Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {pack.actionItems.map(({ item, overdue, fromLastReview }) => (
                <Table.Tr key={item.id}>
                  <Table.Td>
                    {item.title}
                    <Text size="xs" c="dimmed">
                      {typeLabel(item.type)}
                      {fromLastReview ? " · from the last review" : ""}
                    </Text>
                  </Table.Td>
                  <Table.Td>{item.owner}</Table.Td>
                  <Table.Td>
                    <Text size="sm" c={overdue ? "red.9" : undefined} fw={overdue ? 600 : 400}>
                      {formatDay(item.dueOn)}
                      {overdue ? " · overdue" : ""}
                    </Text>
                  </Table.Td>
                  <Table.Td>
                    <Badge variant="light" color={statusColor[item.status]}>
                      {statusLabel(item.status)}
                    </Badge>
                  </Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        </Table.ScrollContainer>
      )}
    </Section>
  );
}
