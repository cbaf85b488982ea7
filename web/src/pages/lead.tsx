import {
  Anchor,
  Badge,
  Card,
  Code,
  Group,
  List,
  SimpleGrid,
  Stack,
  Table,
  Text,
  Timeline,
  Title,
} from "@mantine/core";
import { useState } from "react";
import { Link, useParams } from "react-router";
import { type Agreement, asAgreement, personName, stageLabel } from "../agreement/agreement-model";
import { api, unwrap } from "../api/client";
import type { paths } from "../api/schema";
import { useSignedIn } from "../api/session";
import { useApi } from "../api/use-api";
import { formatDateTime, formatMinutes, formatValue, humanise } from "../components/format";
import { LeadActionButtons } from "../components/lead-actions";
import { EmptyState, ErrorState, LoadingState } from "../components/states";

/**
 * One lead: who it is, where it stands, its clocks, the handoff context sales was given, the
 * opportunity, and the timeline of every event with the "why" Baton recorded for it (score
 * contributions, the matching and routing rules, excluded reps and their reasons, clock starts,
 * pauses, warnings, breaches and escalations).
 */

type LeadAnswer = paths["/api/leads/{id}"]["get"]["responses"][200]["content"]["application/json"];
type LeadEvent =
  paths["/api/leads/{id}/events"]["get"]["responses"][200]["content"]["application/json"]["items"][number];

interface Clock {
  id: string;
  step: string;
  state: string;
  cycles: number;
  goal: string | null;
  startedAt: string | null;
  dueAt: string | null;
  stoppedAt: string | null;
  breachRecordedAt: string | null;
  paused: boolean;
  detail?: {
    targetMs?: number;
    elapsedBusinessMs?: number;
    warningsSent?: number[];
    pauseConditions?: string[];
    calendar?: string;
    endedBy?: string | null;
  } | null;
}

interface View {
  fields?: Record<string, unknown>;
  company?: Record<string, unknown>;
  contextMissing?: string[];
  escalations?: string[];
  recycledUntil?: number | null;
  lastDisposition?: { action: string; reason: string | null; at: number } | null;
}

async function loadLead(id: string, signal: AbortSignal) {
  const [lead, events, active] = await Promise.all([
    unwrap(api.GET("/api/leads/{id}", { params: { path: { id } }, signal })),
    unwrap(
      api.GET("/api/leads/{id}/events", {
        params: { path: { id }, query: { limit: 1000 } },
        signal,
      }),
    ),
    unwrap(api.GET("/api/agreements/active", { signal })).catch(() => undefined),
  ]);
  return { lead, events: events.items, agreement: asAgreement(active?.agreement) };
}

export default function LeadPage() {
  const { id = "" } = useParams();
  const session = useSignedIn();
  const [done, setDone] = useState<string | undefined>();
  const loaded = useApi((signal) => loadLead(id, signal), [id]);

  if (loaded.status === "failed")
    return (
      <Stack>
        <BackLink />
        <ErrorState
          problem={loaded.problem}
          onRetry={loaded.reload}
          title={
            loaded.problem.code === "unknown_lead"
              ? "This lead is not one you can open"
              : "Could not load the lead"
          }
        />
      </Stack>
    );
  if (loaded.data === undefined) return <LoadingState label="Loading the lead" />;
  const { lead: answer, events, agreement } = loaded.data;
  const { lead } = answer;
  const view = (answer.view ?? {}) as View;
  const clocks = answer.clocks as Clock[];
  const canAct = session.capabilities.includes("leads.act") && lead.open;

  return (
    <Stack gap="md">
      <BackLink />
      <Group justify="space-between" align="flex-start" wrap="wrap">
        <div>
          <Title order={2}>{lead.name}</Title>
          <Text size="sm" c="dimmed">
            {[lead.company, lead.email].filter(Boolean).join(" · ")}
          </Text>
        </div>
        <Group gap="xs">
          <Badge variant="light" size="lg">
            {stageLabel(agreement, lead.stage)}
          </Badge>
          <Badge variant="outline" size="lg" color="gray">
            Score {Math.round(lead.score)}
          </Badge>
        </Group>
      </Group>
      {done !== undefined && (
        <Text role="status" c="green.8" size="sm">
          {done}
        </Text>
      )}
      {canAct && (
        <LeadActionButtons
          agreement={agreement}
          lead={{ id: lead.id, name: lead.name, stage: lead.stage }}
          role={session.user.role}
          onDone={(message) => {
            setDone(message);
            loaded.reload();
          }}
        />
      )}

      <SimpleGrid cols={{ base: 1, md: 2 }} spacing="md">
        <Card withBorder padding="md">
          <Title order={3} size="h4" mb="xs">
            Lead
          </Title>
          <Facts
            facts={[
              [
                "Owner",
                lead.owner === null
                  ? "Unassigned"
                  : lead.owner.kind === "queue"
                    ? `Queue: ${humanise(lead.owner.id)}`
                    : personName(agreement, lead.owner.id),
              ],
              ["Source", lead.source === null ? "—" : humanise(lead.source)],
              [
                "Arrived",
                `${formatDateTime(lead.createdAt)}${lead.system ? ` from ${lead.system}` : ""}`,
              ],
              ["In this stage since", formatDateTime(lead.stageEnteredAt)],
              ["First touch", formatDateTime(lead.firstTouchAt)],
              ["Last activity", formatDateTime(lead.lastActivityAt)],
              ["Agreement version", String(lead.agreementVersion)],
              ...(view.lastDisposition
                ? ([
                    [
                      "Last disposition",
                      `${humanise(view.lastDisposition.action)}${view.lastDisposition.reason ? `: ${humanise(view.lastDisposition.reason)}` : ""} (${formatDateTime(view.lastDisposition.at)})`,
                    ],
                  ] as [string, string][])
                : []),
              ...(view.recycledUntil
                ? ([["May qualify again", formatDateTime(view.recycledUntil)]] as [
                    string,
                    string,
                  ][])
                : []),
            ]}
          />
        </Card>
        <HandoffContext agreement={agreement} view={view} />
      </SimpleGrid>

      <Card withBorder padding="md">
        <Title order={3} size="h4" mb="xs">
          SLA clocks now
        </Title>
        {clocks.length === 0 ? (
          <Text size="sm" c="dimmed">
            No SLA clock has started for this lead (clocks start when the agreement's triggers fire,
            e.g. when the lead arrives or becomes an MQL).
          </Text>
        ) : (
          <ClockTable clocks={clocks} agreement={agreement} />
        )}
      </Card>

      <Card withBorder padding="md">
        <Title order={3} size="h4" mb="xs">
          Opportunity
        </Title>
        <OpportunityFacts opportunity={answer.opportunity} agreement={agreement} />
      </Card>

      <Card withBorder padding="md">
        <Title order={3} size="h4" mb="sm">
          Timeline, with the why of every decision
        </Title>
        {events.length === 0 ? (
          <EmptyState
            title="No events"
            action="This lead has no recorded events; if it just arrived, reload in a moment."
          />
        ) : (
          <Timeline bulletSize={14} lineWidth={2} active={events.length}>
            {events.map((event) => (
              <Timeline.Item
                key={event.id}
                title={<EventTitle event={event} agreement={agreement} />}
              >
                <EventBody event={event} agreement={agreement} />
              </Timeline.Item>
            ))}
          </Timeline>
        )}
      </Card>
    </Stack>
  );
}

function BackLink() {
  return (
    <Anchor component={Link} to="/my-queue" size="sm">
      ← My queue
    </Anchor>
  );
}

function Facts({ facts }: { facts: [string, string][] }) {
  return (
    <Table withRowBorders={false} verticalSpacing={2} layout="fixed">
      <Table.Tbody>
        {facts.map(([name, value]) => (
          <Table.Tr key={name}>
            <Table.Th
              w="40%"
              fw={500}
              c="dimmed"
              style={{ fontSize: "var(--mantine-font-size-sm)" }}
            >
              {name}
            </Table.Th>
            <Table.Td style={{ fontSize: "var(--mantine-font-size-sm)", overflowWrap: "anywhere" }}>
              {value}
            </Table.Td>
          </Table.Tr>
        ))}
      </Table.Tbody>
    </Table>
  );
}

/** The context the agreement's handoff asks for (the accept transition's), filled or missing. */
function HandoffContext({ agreement, view }: { agreement: Agreement; view: View }) {
  const required = new Set<string>();
  for (const transition of agreement.lifecycle?.transitions ?? [])
    for (const field of transition.requires?.context ?? []) required.add(field);
  for (const field of view.contextMissing ?? []) required.add(field);
  const extra = ["handoff_notes", "agreed_purpose", "objections", "use_case"].filter(
    (field) => view.fields?.[field] !== undefined && !required.has(field),
  );
  const missing = new Set(view.contextMissing ?? []);
  const rows = [...required, ...extra];
  return (
    <Card withBorder padding="md">
      <Title order={3} size="h4" mb="xs">
        Handoff context
      </Title>
      {rows.length === 0 ? (
        <Text size="sm" c="dimmed">
          The agreement asks for no handoff context.
        </Text>
      ) : (
        <Table withRowBorders={false} verticalSpacing={2} layout="fixed">
          <Table.Tbody>
            {rows.map((field) => {
              const value = view.fields?.[field];
              return (
                <Table.Tr key={field}>
                  <Table.Th
                    w="40%"
                    fw={500}
                    c="dimmed"
                    style={{ fontSize: "var(--mantine-font-size-sm)" }}
                  >
                    {humanise(field)}
                  </Table.Th>
                  <Table.Td
                    style={{ fontSize: "var(--mantine-font-size-sm)", overflowWrap: "anywhere" }}
                  >
                    {value === undefined || value === null || value === "" ? (
                      <Text span size="sm" c={missing.has(field) ? "red.8" : "dimmed"}>
                        {missing.has(field) ? "Missing: required before accepting" : "—"}
                      </Text>
                    ) : (
                      String(value)
                    )}
                  </Table.Td>
                </Table.Tr>
              );
            })}
          </Table.Tbody>
        </Table>
      )}
    </Card>
  );
}

const clockStateColors: Record<string, string> = {
  running: "teal",
  met: "green",
  breached: "red",
  paused: "gray",
  stopped: "gray",
};

function ClockTable({ clocks, agreement }: { clocks: Clock[]; agreement: Agreement }) {
  const stepName = (id: string) =>
    agreement.sla?.steps?.find((step) => step.id === id)?.name ?? humanise(id);
  return (
    <Table.ScrollContainer minWidth={640}>
      <Table striped verticalSpacing="xs">
        <Table.Thead>
          <Table.Tr>
            <Table.Th>Step</Table.Th>
            <Table.Th>State</Table.Th>
            <Table.Th>Goal</Table.Th>
            <Table.Th>Started</Table.Th>
            <Table.Th>Due</Table.Th>
            <Table.Th>Stopped</Table.Th>
            <Table.Th>Business time used</Table.Th>
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {clocks.map((clock) => {
            const detail = clock.detail ?? {};
            const state = clock.paused ? "paused" : clock.state;
            return (
              <Table.Tr key={clock.id}>
                <Table.Td>{stepName(clock.step)}</Table.Td>
                <Table.Td miw={110}>
                  <Badge color={clockStateColors[state] ?? "gray"} variant="light">
                    {humanise(state)}
                  </Badge>
                  {(detail.pauseConditions ?? []).length > 0 && (
                    <Text size="xs" c="dimmed">
                      paused while {(detail.pauseConditions ?? []).join(", ")}
                    </Text>
                  )}
                </Table.Td>
                <Table.Td>
                  {clock.goal === null ? "—" : humanise(clock.goal)}
                  {detail.targetMs !== undefined && (
                    <Text size="xs" c="dimmed">
                      {formatMinutes(detail.targetMs / 60_000)}
                      {detail.calendar
                        ? ` on ${humanise(detail.calendar.replace(/@\d+$/, ""))}`
                        : ""}
                    </Text>
                  )}
                </Table.Td>
                <Table.Td>{formatDateTime(clock.startedAt)}</Table.Td>
                <Table.Td>{formatDateTime(clock.dueAt)}</Table.Td>
                <Table.Td>{formatDateTime(clock.stoppedAt)}</Table.Td>
                <Table.Td>
                  {detail.elapsedBusinessMs === undefined
                    ? "—"
                    : formatMinutes(detail.elapsedBusinessMs / 60_000)}
                  {(detail.warningsSent ?? []).length > 0 && (
                    <Text size="xs" c="dimmed">
                      warned at {(detail.warningsSent ?? []).join(", ")} %
                    </Text>
                  )}
                  {clock.cycles > 1 && (
                    <Text size="xs" c="dimmed">
                      cycle {clock.cycles}
                    </Text>
                  )}
                </Table.Td>
              </Table.Tr>
            );
          })}
        </Table.Tbody>
      </Table>
    </Table.ScrollContainer>
  );
}

function OpportunityFacts({
  opportunity,
  agreement,
}: {
  opportunity: LeadAnswer["opportunity"];
  agreement: Agreement;
}) {
  if (opportunity === null || opportunity === undefined)
    return (
      <Text size="sm" c="dimmed">
        No opportunity yet. Converting the lead opens one.
      </Text>
    );
  const found = opportunity as {
    id: string;
    stage: string;
    amount: number | null;
    owner: string | null;
    openedAt: string;
    closedAt: string | null;
    outcome: string | null;
  };
  return (
    <Facts
      facts={[
        ["Stage", humanise(found.stage)],
        ["Amount", found.amount === null ? "—" : formatValue(found.amount, "currency")],
        ["Owner", personName(agreement, found.owner)],
        ["Opened", formatDateTime(found.openedAt)],
        ["Closed", found.closedAt === null ? "Still open" : formatDateTime(found.closedAt)],
        ["Outcome", found.outcome === null ? "—" : humanise(found.outcome)],
      ]}
    />
  );
}

const eventTitles: Record<string, string> = {
  "lead.created": "Lead arrived",
  "lead.updated": "Lead updated",
  "lead.scored": "Scored",
  "lead.stage_changed": "Stage changed",
  "lead.assigned": "Assigned",
  "lead.context_checked": "Handoff context checked",
  "lead.activity_logged": "Activity",
  "lead.fields_changed": "Fields changed",
  "lead.matched": "Matched",
  "opportunity.opened": "Opportunity opened",
  "opportunity.stage_changed": "Opportunity stage changed",
  "opportunity.closed": "Opportunity closed",
};

type Data = Record<string, unknown>;
const record = (value: unknown): Data =>
  value !== null && typeof value === "object" && !Array.isArray(value) ? (value as Data) : {};
const text = (value: unknown): string | undefined =>
  typeof value === "string" ? value : typeof value === "number" ? String(value) : undefined;

function eventHeadline(event: LeadEvent, agreement: Agreement): string {
  const data = record(event.data);
  switch (event.type) {
    case "lead.stage_changed":
      return `${stageLabel(agreement, text(data.from) ?? "?")} → ${stageLabel(agreement, text(data.to) ?? "?")} (${humanise(text(data.action) ?? "change")})`;
    case "lead.assigned": {
      const owner = record(data.owner);
      const id = text(owner.id);
      return `Assigned to ${id === undefined ? "nobody" : owner.kind === "queue" ? `queue ${humanise(id)}` : personName(agreement, id)}`;
    }
    case "lead.scored":
      return `Scored ${Math.round(Number(data.score ?? 0))}${data.mql === true ? " (MQL)" : ""}`;
    case "lead.activity_logged": {
      const activity = record(data.activity);
      const by = text(activity.actor);
      return `${humanise(text(activity.type) ?? "activity")}${by ? ` by ${personName(agreement, by)}` : ""}${data.touch === true ? " (a touch)" : ""}`;
    }
    case "clock.event": {
      const clockEvent = record(data.event);
      const step = text(data.step) ?? "";
      const name = agreement.sla?.steps?.find((entry) => entry.id === step)?.name ?? humanise(step);
      const kind = text(clockEvent.type) ?? "event";
      const words: Record<string, string> = {
        start: "started",
        stop: "stopped",
        pause: "paused",
        resume: "resumed",
        warning: "warned",
        breach: "breached",
        reset: "reset",
        escalation: "escalated",
      };
      return `Clock ${name}: ${words[kind] ?? humanise(kind)}`;
    }
    default:
      return eventTitles[event.type] ?? humanise(event.type.replace(".", " "));
  }
}

function EventTitle({ event, agreement }: { event: LeadEvent; agreement: Agreement }) {
  const breach = event.type === "clock.event" && record(record(event.data).event).type === "breach";
  return (
    <Group gap={6} wrap="wrap">
      <Text size="sm" fw={600} c={breach ? "red.8" : undefined}>
        {eventHeadline(event, agreement)}
      </Text>
      <Text size="xs" c="dimmed">
        {formatDateTime(event.at)} ·{" "}
        {event.actor === "system" ? "Baton" : personName(agreement, event.actor)}
      </Text>
    </Group>
  );
}

/** The explanation Baton stored with the event, in words and small tables. */
function EventBody({ event, agreement }: { event: LeadEvent; agreement: Agreement }) {
  const explanation = record(event.explanation);
  const data = record(event.data);
  const why = text(explanation.why);
  const reasons = Array.isArray(explanation.reasons) ? explanation.reasons.map(String) : [];
  const mql = Array.isArray(explanation.mql) ? explanation.mql.map(String) : [];
  const sql = Array.isArray(explanation.sql) ? explanation.sql.map(String) : [];
  const contributions = Array.isArray(explanation.contributions)
    ? explanation.contributions.map(record)
    : [];
  const excluded = Array.isArray(explanation.excluded) ? explanation.excluded.map(record) : [];
  const match = record(explanation.match);
  const matchRule = text(match.rule);
  const stageData = event.type === "lead.stage_changed" ? data : {};
  const fields = event.type === "lead.fields_changed" ? record(data.fields) : {};
  const clockEvent = event.type === "clock.event" ? record(data.event) : {};

  return (
    <Stack gap={4} mt={2}>
      {why !== undefined && (
        <Text size="sm">
          <Text span fw={500} size="sm">
            Why:{" "}
          </Text>
          {why}
        </Text>
      )}
      {reasons.length > 0 && (
        <List size="sm" spacing={0}>
          {reasons.map((reason) => (
            <List.Item key={reason}>{reason}</List.Item>
          ))}
        </List>
      )}
      {[...mql, ...sql].length > 0 && (
        <List size="sm" spacing={0}>
          {[...mql, ...sql].map((line) => (
            <List.Item key={line}>{line}</List.Item>
          ))}
        </List>
      )}
      {contributions.length > 0 && (
        <Table.ScrollContainer minWidth={360}>
          <Table verticalSpacing={2} fz="sm" withTableBorder>
            <Table.Thead>
              <Table.Tr>
                <Table.Th>Scoring rule</Table.Th>
                <Table.Th>Group</Table.Th>
                <Table.Th ta="right">Points</Table.Th>
                <Table.Th ta="right">Counted</Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {contributions.map((entry) => (
                <Table.Tr key={text(entry.rule)}>
                  <Table.Td>{humanise(text(entry.rule) ?? "")}</Table.Td>
                  <Table.Td>
                    {agreement.qualification?.groups?.[text(entry.group) ?? ""]?.label ??
                      humanise(text(entry.group) ?? "")}
                  </Table.Td>
                  <Table.Td ta="right">{Math.round(Number(entry.points) * 10) / 10}</Table.Td>
                  <Table.Td ta="right">{Math.round(Number(entry.counted) * 10) / 10}</Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        </Table.ScrollContainer>
      )}
      {event.type === "lead.created" && (
        <Text size="sm">
          {matchRule === undefined
            ? "No existing lead or account matched."
            : `Matched by rule ${humanise(matchRule)}.`}
        </Text>
      )}
      {excluded.length > 0 && (
        <div>
          <Text size="sm" fw={500}>
            Reps not chosen
          </Text>
          <List size="sm" spacing={0}>
            {excluded.map((entry) => (
              <List.Item key={text(entry.rep)}>
                {personName(agreement, text(entry.rep))}: {humanise(text(entry.reason) ?? "")}
                {entry.load !== undefined && entry.cap !== undefined
                  ? ` (${text(entry.load)} open of a cap of ${text(entry.cap)})`
                  : ""}
              </List.Item>
            ))}
          </List>
        </div>
      )}
      {text(stageData.reason) !== undefined && (
        <Text size="sm">Reason: {humanise(text(stageData.reason) ?? "")}</Text>
      )}
      {text(stageData.note) !== undefined && <Text size="sm">Note: {text(stageData.note)}</Text>}
      {Object.keys(record(stageData.feedback)).length > 0 && (
        <Text size="sm">
          Feedback:{" "}
          {Object.entries(record(stageData.feedback))
            .map(
              ([field, value]) =>
                `${agreement.feedback?.[field]?.label ?? humanise(field)}: ${humanise(String(value))}`,
            )
            .join(" · ")}
        </Text>
      )}
      {Object.keys(fields).length > 0 && (
        <List size="sm" spacing={0}>
          {Object.entries(fields).map(([field, value]) => (
            <List.Item key={field}>
              {humanise(field)}: {String(value)}
            </List.Item>
          ))}
        </List>
      )}
      {text(clockEvent.reason) !== undefined && (
        <Text size="sm">Because: {text(clockEvent.reason)}</Text>
      )}
      {event.type === "clock.event" && record(clockEvent.goal).targetMs !== undefined && (
        <Text size="sm" c="dimmed">
          Goal {humanise(text(record(clockEvent.goal).goalId) ?? "")}:{" "}
          {formatMinutes(Number(record(clockEvent.goal).targetMs) / 60_000)}
        </Text>
      )}
      {why === undefined &&
        contributions.length === 0 &&
        Object.keys(fields).length === 0 &&
        event.type.startsWith("opportunity") && (
          <Text size="sm" c="dimmed">
            {Object.entries(data)
              .filter(([key]) =>
                ["stage", "to", "from", "amount", "outcome", "owner"].includes(key),
              )
              .map(([key, value]) => `${humanise(key)}: ${String(value)}`)
              .join(" · ")}
          </Text>
        )}
      {event.explanation !== null && event.explanation !== undefined && (
        <details>
          <summary style={{ fontSize: "var(--mantine-font-size-xs)", cursor: "pointer" }}>
            Everything Baton recorded
          </summary>
          <Code block fz="xs" style={{ maxHeight: 240, overflow: "auto" }}>
            {JSON.stringify({ explanation: event.explanation, data: event.data }, null, 2)}
          </Code>
        </details>
      )}
    </Stack>
  );
}
