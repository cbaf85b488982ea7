import { Alert, Anchor, Badge, Button, Card, Group, Stack, Text, Title } from "@mantine/core";
import { useMemo, useState } from "react";
import { Link } from "react-router";
import {
  type Agreement,
  asAgreement,
  personName,
  stageLabel,
  teamMembersOf,
  transitionsFrom,
} from "../agreement/agreement-model";
import { api, unwrap } from "../api/client";
import type { paths } from "../api/schema";
import { useSignedIn } from "../api/session";
import { useApi } from "../api/use-api";
import { formatCountdown, formatDateTime, humanise } from "../components/format";
import { LeadActionButtons } from "../components/lead-actions";
import { EmptyState, ErrorState, LoadingState } from "../components/states";

/**
 * My queue: the open leads a rep may act on (their own and the queues'), or a manager's team's,
 * most urgent first. Urgency is the worst state of the lead's SLA clocks on the SLA board
 * (breached, at risk, on track …); leads without a running clock come last. Every action opens a
 * form built from the active agreement (lead-actions.tsx).
 */

type Lead =
  paths["/api/leads"]["get"]["responses"][200]["content"]["application/json"]["items"][number];
type BoardRow =
  paths["/api/sla-board"]["get"]["responses"][200]["content"]["application/json"]["rows"][number];
type Urgency = BoardRow["state"] | "no-clock";

const order: Urgency[] = [
  "breached",
  "at-risk",
  "on-track",
  "outside-hours",
  "paused",
  "met",
  "no-clock",
];
const sections: { title: string; states: Urgency[]; color: string }[] = [
  { title: "Breached", states: ["breached"], color: "red" },
  { title: "At risk", states: ["at-risk"], color: "orange" },
  { title: "On track", states: ["on-track", "outside-hours", "paused"], color: "teal" },
  { title: "No running clock", states: ["met", "no-clock"], color: "gray" },
];
/** cards shown per section before "Show all": a long list buries the next section */
const perSection = 20;
const urgencyLabels: Record<Urgency, string> = {
  breached: "Breached",
  "at-risk": "At risk",
  "on-track": "On track",
  "outside-hours": "Outside hours",
  paused: "Paused",
  met: "Clock met",
  "no-clock": "No clock",
};

interface QueueEntry {
  lead: Lead;
  urgency: Urgency;
  /** the running clock that sets the urgency, if any */
  clock: BoardRow | undefined;
}

async function loadQueue(signal: AbortSignal) {
  const active = await unwrap(api.GET("/api/agreements/active", { signal }));
  const agreement = asAgreement(active.agreement);
  const [leads, board] = await Promise.all([
    unwrap(
      api.GET("/api/leads", {
        params: { query: { open: true, sort: "created_at", order: "desc", limit: 500 } },
        signal,
      }),
    ),
    unwrap(api.GET("/api/sla-board", { params: { query: {} }, signal })),
  ]);
  return { agreement, leads: leads.items, more: leads.nextCursor !== null, board: board.rows };
}

function queueOf(
  agreement: Agreement,
  leads: Lead[],
  board: BoardRow[],
  role: string,
  person: string | null,
): QueueEntry[] {
  const clocks = new Map<string, BoardRow[]>();
  for (const row of board) clocks.set(row.leadId, [...(clocks.get(row.leadId) ?? []), row]);
  // A manager's queue is their team's and the queues'; an admin, or a manager who manages no
  // team in the agreement, sees every open lead.
  const team = role === "sales_manager" ? teamMembersOf(agreement, person) : new Set<string>();
  const now = Date.now();
  return leads
    .filter((lead) => transitionsFrom(agreement, lead.stage, role).length > 0)
    .filter(
      (lead) =>
        team.size === 0 ||
        lead.owner === null ||
        lead.owner.kind === "queue" ||
        team.has(lead.owner.id),
    )
    .map((lead): QueueEntry => {
      const rows = (clocks.get(lead.id) ?? []).map((row) => ({
        row,
        state: (row.dueAt !== null &&
        Date.parse(row.dueAt) <= now &&
        (row.state === "on-track" || row.state === "at-risk" || row.state === "outside-hours")
          ? "breached"
          : row.state) as Urgency,
      }));
      rows.sort((a, b) => order.indexOf(a.state) - order.indexOf(b.state));
      const worst = rows[0];
      return { lead, urgency: worst?.state ?? "no-clock", clock: worst?.row };
    })
    .sort(
      (a, b) =>
        order.indexOf(a.urgency) - order.indexOf(b.urgency) ||
        due(a) - due(b) ||
        a.lead.createdAt.localeCompare(b.lead.createdAt),
    );
}

function due(entry: QueueEntry): number {
  return entry.clock?.dueAt ? Date.parse(entry.clock.dueAt) : Number.POSITIVE_INFINITY;
}

export default function MyQueuePage() {
  const session = useSignedIn();
  const [done, setDone] = useState<string | undefined>();
  const [expanded, setExpanded] = useState<string[]>([]);
  const loaded = useApi(loadQueue, []);
  const queue = useMemo(
    () =>
      loaded.data === undefined
        ? undefined
        : queueOf(
            loaded.data.agreement,
            loaded.data.leads,
            loaded.data.board,
            session.user.role,
            session.user.person,
          ),
    [loaded.data, session.user.role, session.user.person],
  );
  const intro =
    session.user.role === "rep"
      ? "Your open leads and those waiting in a queue, most urgent first."
      : session.user.role === "sales_manager"
        ? "Your team's open leads and the queues', most urgent first."
        : "Every open lead you may act on, most urgent first.";

  return (
    <Stack gap="md">
      <div>
        <Title order={2}>My queue</Title>
        <Text size="sm" c="dimmed">
          {intro} Each action asks for what the agreement requires.
        </Text>
      </div>
      {done !== undefined && (
        <Alert
          color="green"
          role="status"
          withCloseButton
          onClose={() => setDone(undefined)}
          closeButtonLabel="Dismiss"
        >
          {done}
        </Alert>
      )}
      {loaded.status === "failed" && (
        <ErrorState
          problem={loaded.problem}
          onRetry={loaded.reload}
          title="Could not load your queue"
        />
      )}
      {queue === undefined && loaded.status === "loading" && (
        <LoadingState label="Loading your queue" />
      )}
      {queue !== undefined && queue.length === 0 && (
        <EmptyState
          title="Nothing waits for you"
          action="New MQLs routed to you or to a queue appear here, most urgent first. The SLA board shows every open clock."
        />
      )}
      {queue !== undefined && loaded.data?.more === true && (
        <Text size="sm" c="dimmed">
          Showing the 500 newest open leads; older ones are on the SLA board.
        </Text>
      )}
      {queue !== undefined &&
        loaded.data !== undefined &&
        sections.map((section) => {
          const entries = queue.filter((entry) => section.states.includes(entry.urgency));
          if (entries.length === 0) return null;
          const headingId = `queue-${section.title.toLowerCase().replaceAll(" ", "-")}`;
          const all = expanded.includes(section.title);
          const shown = all ? entries : entries.slice(0, perSection);
          return (
            <section key={section.title} aria-labelledby={headingId}>
              <Group gap="xs" mb="xs">
                <Title order={3} size="h4" id={headingId}>
                  {section.title}
                </Title>
                <Badge color={section.color} variant="light">
                  {entries.length}
                </Badge>
              </Group>
              <Stack gap="xs" component="ul" style={{ listStyle: "none", padding: 0, margin: 0 }}>
                {shown.map((entry) => (
                  <li key={entry.lead.id} data-lead={entry.lead.id} data-urgency={entry.urgency}>
                    <QueueCard
                      entry={entry}
                      agreement={loaded.data!.agreement}
                      role={session.user.role}
                      onDone={(message) => {
                        setDone(message);
                        loaded.reload();
                      }}
                    />
                  </li>
                ))}
              </Stack>
              {shown.length < entries.length && (
                <Button
                  variant="subtle"
                  mt="xs"
                  onClick={() => setExpanded((current) => [...current, section.title])}
                >
                  Show all {entries.length} {section.title.toLowerCase()} leads
                </Button>
              )}
            </section>
          );
        })}
    </Stack>
  );
}

const urgencyColors: Record<Urgency, string> = {
  breached: "red",
  "at-risk": "orange",
  "on-track": "teal",
  "outside-hours": "blue",
  paused: "gray",
  met: "green",
  "no-clock": "gray",
};

function clockLine(entry: QueueEntry, now: number): string {
  const clock = entry.clock;
  if (clock === undefined) return "No SLA clock is running";
  const step = humanise(clock.step);
  const dueAt = clock.dueAt === null ? undefined : Date.parse(clock.dueAt);
  if (entry.urgency === "breached")
    return dueAt === undefined
      ? `${step}: breached`
      : `${step}: overdue by ${formatCountdown(now - dueAt)}`;
  if (entry.urgency === "paused") return `${step}: paused`;
  if (entry.urgency === "met") return `${step}: met`;
  if (dueAt === undefined) return step;
  return `${step}: due in ${formatCountdown(dueAt - now)} (${formatDateTime(dueAt)})`;
}

function QueueCard({
  entry,
  agreement,
  role,
  onDone,
}: {
  entry: QueueEntry;
  agreement: Agreement;
  role: string;
  onDone(message: string): void;
}) {
  const { lead } = entry;
  const owner =
    lead.owner === null
      ? "Unassigned"
      : lead.owner.kind === "queue"
        ? `Queue: ${humanise(lead.owner.id)}`
        : personName(agreement, lead.owner.id);
  return (
    <Card withBorder padding="sm" radius="sm">
      <Stack gap={6}>
        <Group justify="space-between" wrap="wrap" gap="xs">
          <Group gap="xs" wrap="wrap">
            <Badge color={urgencyColors[entry.urgency]} variant="light">
              {urgencyLabels[entry.urgency]}
            </Badge>
            <Anchor component={Link} to={`/leads/${lead.id}`} fw={600}>
              {lead.name}
            </Anchor>
            {lead.company !== null && (
              <Text size="sm" c="dimmed">
                {lead.company}
              </Text>
            )}
          </Group>
          <Text size="sm" c="dimmed">
            {stageLabel(agreement, lead.stage)} · score {Math.round(lead.score)}
          </Text>
        </Group>
        <Text size="sm" data-testid="queue-clock">
          {clockLine(entry, Date.now())}
        </Text>
        <Text size="xs" c="dimmed">
          Owner {owner} · source {lead.source === null ? "unknown" : humanise(lead.source)} ·
          arrived {formatDateTime(lead.createdAt)}
        </Text>
        <LeadActionButtons
          agreement={agreement}
          lead={{ id: lead.id, name: lead.name, stage: lead.stage }}
          role={role}
          onDone={onDone}
        />
      </Stack>
    </Card>
  );
}
