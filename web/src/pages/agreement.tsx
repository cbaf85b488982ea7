import {
  Alert,
  Badge,
  Button,
  Card,
  Code,
  FileButton,
  Group,
  List,
  Radio,
  SimpleGrid,
  Stack,
  Table,
  Tabs,
  Text,
  Textarea,
  TextInput,
  Title,
} from "@mantine/core";
import { type FormEvent, useState } from "react";
import { useSearchParams } from "react-router";
import {
  type Agreement,
  asAgreement,
  describeCommitment,
  describeDeadline,
  describeTarget,
  describeTrigger,
  ownersOf,
  personName,
  teamName,
} from "../agreement/agreement-model";
import { BacktestPanel } from "../agreement/backtest-panel";
import { type ApiProblem, api, problemOf, unwrap } from "../api/client";
import type { paths } from "../api/schema";
import { useSignedIn } from "../api/session";
import { useApi } from "../api/use-api";
import { formatDateTime, humanise } from "../components/format";
import { EmptyState, ErrorState, LoadingState } from "../components/states";

/**
 * The agreement both teams signed: the active version as the seeds' SLA table, its definitions,
 * routing and commitments in plain language; the proposals waiting for sign-off with what they
 * change, approved by marketing's and sales' approvers, the second choosing how open clocks take
 * the new version; proposing a new version from YAML; and every version's history.
 */

type Versions = paths["/api/agreements"]["get"]["responses"][200]["content"]["application/json"];
type Version = Versions["items"][number];
type Detail =
  paths["/api/agreements/{number}"]["get"]["responses"][200]["content"]["application/json"];

async function loadAgreements(signal: AbortSignal) {
  const versions = await unwrap(api.GET("/api/agreements", { signal }));
  const active = versions.items.find((version) => version.status === "active");
  const proposed = versions.items.filter((version) => version.status === "proposed");
  const details = await Promise.all(
    [...(active === undefined ? [] : [active]), ...proposed].map((version) =>
      unwrap(
        api.GET("/api/agreements/{number}", {
          params: { path: { number: version.number } },
          signal,
        }),
      ),
    ),
  );
  const byNumber = new Map(details.map((detail) => [detail.number, detail]));
  return {
    versions: versions.items,
    active: active === undefined ? undefined : byNumber.get(active.number),
    proposed: proposed.map((version) => byNumber.get(version.number)!),
  };
}

export default function AgreementPage() {
  const session = useSignedIn();
  const [params, setParams] = useSearchParams();
  const loaded = useApi(loadAgreements, []);
  const tab = params.get("tab") ?? "active";
  const mayPropose = session.capabilities.includes("agreements.propose");

  if (loaded.data === undefined)
    return loaded.status === "failed" ? (
      <ErrorState
        problem={loaded.problem}
        onRetry={loaded.reload}
        title="Could not load the agreement"
      />
    ) : (
      <LoadingState label="Loading the agreement" />
    );
  const { active, proposed, versions } = loaded.data;
  const agreement = asAgreement(active?.agreement);

  return (
    <Stack gap="md">
      <div>
        <Title order={2}>Agreement</Title>
        <Text size="sm" c="dimmed">
          {active === undefined
            ? "No version is active yet."
            : `${agreement.name ?? "The agreement"}${agreement.version ? ` (${agreement.version})` : ""}: version ${active.number}, active since ${formatDateTime(active.activatedAt)}.`}
        </Text>
      </div>
      {loaded.status === "failed" && (
        <ErrorState problem={loaded.problem} onRetry={loaded.reload} title="Could not refresh" />
      )}
      <Tabs
        value={tab}
        onChange={(value) => {
          const next = new URLSearchParams(params);
          next.set("tab", value ?? "active");
          setParams(next, { replace: true });
        }}
        keepMounted={false}
      >
        <Tabs.List>
          <Tabs.Tab value="active">Active version</Tabs.Tab>
          <Tabs.Tab
            value="proposals"
            rightSection={
              proposed.length > 0 ? (
                <Badge size="xs" circle>
                  {proposed.length}
                </Badge>
              ) : undefined
            }
          >
            Proposals
          </Tabs.Tab>
          {mayPropose && <Tabs.Tab value="propose">Propose a version</Tabs.Tab>}
          <Tabs.Tab value="history">History</Tabs.Tab>
        </Tabs.List>

        <Tabs.Panel value="active" pt="md">
          {active === undefined ? (
            <EmptyState
              title="No agreement is active"
              action={
                mayPropose
                  ? "Propose a version (the Propose tab), then its marketing and sales approvers sign it under Proposals."
                  : "Ask RevOps, marketing or a sales manager to propose one; both sides' approvers then sign it."
              }
            />
          ) : (
            <ActiveVersion agreement={agreement} />
          )}
        </Tabs.Panel>
        <Tabs.Panel value="proposals" pt="md">
          {proposed.length === 0 ? (
            <EmptyState
              title="No proposal waits for sign-off"
              action={
                mayPropose
                  ? "Propose a new version from the Propose tab; it shows here with what it changes until both sides approve it."
                  : "When someone proposes a new version it shows here with what it changes."
              }
            />
          ) : (
            <Stack gap="md">
              {proposed.map((version) => (
                <Proposal
                  key={version.number}
                  version={version}
                  onChanged={loaded.reload}
                  hasActive={active !== undefined}
                />
              ))}
            </Stack>
          )}
        </Tabs.Panel>
        {mayPropose && (
          <Tabs.Panel value="propose" pt="md">
            <ProposeForm
              startFrom={active?.yaml ?? ""}
              onProposed={() => {
                loaded.reload();
                const next = new URLSearchParams(params);
                next.set("tab", "proposals");
                setParams(next, { replace: true });
              }}
            />
          </Tabs.Panel>
        )}
        <Tabs.Panel value="history" pt="md">
          <History versions={versions} />
        </Tabs.Panel>
      </Tabs>
    </Stack>
  );
}

function ActiveVersion({ agreement }: { agreement: Agreement }) {
  return (
    <Stack gap="lg">
      <SlaTable agreement={agreement} />
      <Definitions agreement={agreement} />
      <Routing agreement={agreement} />
      <Commitments agreement={agreement} />
    </Stack>
  );
}

/** The seeds' SLA table: process step | owner | deadline | trigger. */
export function SlaTable({ agreement }: { agreement: Agreement }) {
  const steps = agreement.sla?.steps ?? [];
  return (
    <section aria-labelledby="sla-table-title">
      <Title order={3} size="h4" id="sla-table-title" mb="xs">
        SLA table
      </Title>
      {steps.length === 0 ? (
        <Text size="sm" c="dimmed">
          The agreement declares no SLA steps.
        </Text>
      ) : (
        <Table.ScrollContainer minWidth={720}>
          <Table striped withTableBorder verticalSpacing="sm" data-testid="sla-table">
            <Table.Thead>
              <Table.Tr>
                <Table.Th>Process step</Table.Th>
                <Table.Th>Owner</Table.Th>
                <Table.Th>Deadline</Table.Th>
                <Table.Th>Trigger</Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {steps.map((step) => (
                <Table.Tr key={step.id}>
                  <Table.Td>
                    <Text size="sm" fw={500}>
                      {step.name}
                    </Text>
                    {step.kind === "clock" && (
                      <Text size="xs" c="dimmed">
                        Starts when{" "}
                        {(step.start_on ?? [])
                          .map((t) => describeTrigger(agreement, t))
                          .join(" or ")}
                        ; stops when{" "}
                        {(step.stop_on ?? [])
                          .map((t) => describeTrigger(agreement, t))
                          .join(" or ")}
                        {(step.pause_when ?? []).length > 0
                          ? `; paused while ${(step.pause_when ?? []).join(", ")}`
                          : ""}
                        .
                      </Text>
                    )}
                    {(step.escalation ?? []).length > 0 && (
                      <Text size="xs" c="dimmed">
                        Escalation: {(step.escalation ?? []).map(describeEscalation).join("; ")}.
                      </Text>
                    )}
                  </Table.Td>
                  <Table.Td>{ownersOf(agreement, step)}</Table.Td>
                  <Table.Td>{describeDeadline(agreement, step)}</Table.Td>
                  <Table.Td>{step.crm_trigger ?? "—"}</Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        </Table.ScrollContainer>
      )}
    </section>
  );
}

function describeEscalation(rung: { at: unknown; actions: Record<string, unknown>[] }): string {
  const at = rung.at as string | { warning?: number; after_breach_minutes?: number };
  const when =
    at === "breach"
      ? "at breach"
      : typeof at === "object" && at.warning !== undefined
        ? `at ${at.warning} % of the goal`
        : typeof at === "object" && at.after_breach_minutes !== undefined
          ? `${at.after_breach_minutes} min after breach`
          : "";
  const actions = rung.actions.map((action) => {
    if (typeof action.notify === "string")
      return `notify the ${humanise(action.notify).toLowerCase()}`;
    if (action.reassign === "routing") return "route the lead again";
    const set = action.set_field as { field?: string; value?: unknown } | undefined;
    if (set !== undefined) return `set ${humanise(set.field ?? "")} to “${String(set.value)}”`;
    return JSON.stringify(action);
  });
  return `${when} ${actions.join(" and ")}`;
}

function Definitions({ agreement }: { agreement: Agreement }) {
  const qualification = agreement.qualification ?? {};
  const groups = qualification.groups ?? {};
  const rules = qualification.rules ?? [];
  const thresholds = Object.entries(qualification.thresholds ?? {});
  return (
    <section aria-labelledby="definitions-title">
      <Title order={3} size="h4" id="definitions-title" mb="xs">
        Definitions
      </Title>
      <Stack gap="sm">
        {thresholds.map(([name, threshold]) => (
          <Text size="sm" key={name}>
            <Text span fw={600} size="sm">
              {name.toUpperCase()}:{" "}
            </Text>
            a lead scoring at least {threshold.score} points
            {Object.entries(threshold.min_groups ?? {}).length > 0
              ? `, with at least ${Object.entries(threshold.min_groups ?? {})
                  .map(
                    ([group, min]) =>
                      `${min} ${groups[group]?.label?.toLowerCase() ?? humanise(group)} points`,
                  )
                  .join(" and ")}`
              : ""}
            .
          </Text>
        ))}
        {rules.length > 0 && (
          <Table.ScrollContainer minWidth={560}>
            <Table withTableBorder verticalSpacing={4} fz="sm">
              <Table.Thead>
                <Table.Tr>
                  <Table.Th>Scoring rule</Table.Th>
                  <Table.Th>When</Table.Th>
                  <Table.Th ta="right">Points</Table.Th>
                </Table.Tr>
              </Table.Thead>
              <Table.Tbody>
                {rules.map((rule) => (
                  <Table.Tr key={rule.id}>
                    <Table.Td>
                      {humanise(rule.id)}
                      <Text size="xs" c="dimmed">
                        {groups[rule.group]?.label ?? humanise(rule.group)}
                        {groups[rule.group]?.cap !== undefined
                          ? ` (group capped at ${groups[rule.group]?.cap})`
                          : ""}
                      </Text>
                    </Table.Td>
                    <Table.Td>
                      {rule.activity !== undefined
                        ? `each ${humanise(rule.activity).toLowerCase()}${rule.where ? ` where ${rule.where}` : ""} in the last ${rule.within_days ?? "—"} days${rule.half_life_days ? `, worth half after ${rule.half_life_days} days` : ""}`
                        : (rule.when ?? "always")}
                    </Table.Td>
                    <Table.Td ta="right">
                      {rule.points > 0 ? `+${rule.points}` : rule.points}
                      {rule.max_points !== undefined ? ` (max ${rule.max_points})` : ""}
                    </Table.Td>
                  </Table.Tr>
                ))}
              </Table.Tbody>
            </Table>
          </Table.ScrollContainer>
        )}
        {Object.keys(agreement.reasons ?? {}).length > 0 && (
          <SimpleGrid cols={{ base: 1, sm: 3 }} spacing="sm">
            {Object.entries(agreement.reasons ?? {}).map(([list, reasons]) => (
              <Card withBorder padding="sm" key={list}>
                <Text size="sm" fw={600}>
                  Agreed {humanise(list).toLowerCase()} reasons
                </Text>
                <List size="sm" spacing={0}>
                  {reasons.map((reason) => (
                    <List.Item key={reason.id}>
                      {reason.label}
                      {reason.note_required ? " (with a note)" : ""}
                    </List.Item>
                  ))}
                </List>
              </Card>
            ))}
          </SimpleGrid>
        )}
      </Stack>
    </section>
  );
}

function Routing({ agreement }: { agreement: Agreement }) {
  const routing = agreement.routing ?? {};
  return (
    <section aria-labelledby="routing-title">
      <Title order={3} size="h4" id="routing-title" mb="xs">
        Routing
      </Title>
      <List type="ordered" size="sm" spacing={2}>
        {(routing.rules ?? []).map((rule) => (
          <List.Item key={rule.id}>
            {rule.when === undefined ? "Every lead" : `When ${rule.when}`}: to{" "}
            {describeTarget(rule.to)}
            {rule.description ? ` — ${rule.description}` : ""}
          </List.Item>
        ))}
        {routing.fallback !== undefined && (
          <List.Item>Otherwise: to {describeTarget(routing.fallback)}</List.Item>
        )}
      </List>
      <SimpleGrid cols={{ base: 1, sm: 2 }} spacing="sm" mt="sm">
        {Object.entries(routing.pools ?? {}).map(([id, pool]) => (
          <Card withBorder padding="sm" key={id}>
            <Text size="sm" fw={600}>
              Pool {humanise(id)}
            </Text>
            <Text size="sm">
              {pool.strategy === "fewest_assigned"
                ? "To the member with the fewest open leads for their weight"
                : "In turn (round robin), by weight"}
              {pool.cap !== undefined ? `; at most ${pool.cap} open leads each` : ""}
              {pool.working_hours === "required" ? "; only reps in working hours" : ""}
              {pool.overflow !== undefined
                ? `; when nobody can take it, to ${describeTarget(pool.overflow)}`
                : ""}
              .
            </Text>
            <Text size="sm" c="dimmed">
              {pool.members
                .map(
                  (member) =>
                    `${personName(agreement, member.rep)}${member.weight !== undefined && member.weight !== 1 ? ` ×${member.weight}` : ""}${member.cap !== undefined ? ` (cap ${member.cap})` : ""}`,
                )
                .join(", ")}
            </Text>
          </Card>
        ))}
      </SimpleGrid>
    </section>
  );
}

function Commitments({ agreement }: { agreement: Agreement }) {
  const sides = Object.entries(agreement.commitments ?? {});
  return (
    <section aria-labelledby="commitments-title">
      <Title order={3} size="h4" id="commitments-title" mb="xs">
        Commitments
      </Title>
      {sides.length === 0 ? (
        <Text size="sm" c="dimmed">
          The agreement records no commitments.
        </Text>
      ) : (
        <SimpleGrid cols={{ base: 1, sm: 2 }} spacing="sm">
          {sides.map(([side, commitments]) => (
            <Card withBorder padding="sm" key={side}>
              <Text size="sm" fw={600}>
                {humanise(side)} commits to
              </Text>
              <List size="sm" spacing={2}>
                {commitments.map((commitment) => (
                  <List.Item key={commitment.id}>
                    <Text span size="sm" fw={500}>
                      {commitment.label}:
                    </Text>{" "}
                    {describeCommitment(commitment)}
                  </List.Item>
                ))}
              </List>
            </Card>
          ))}
        </SimpleGrid>
      )}
      {Object.keys(agreement.approvers ?? {}).length > 0 && (
        <Text size="sm" c="dimmed" mt="xs">
          Signed for by{" "}
          {Object.entries(agreement.approvers ?? {})
            .map(
              ([side, people]) =>
                `${humanise(side)}: ${people.map((id) => personName(agreement, id)).join(", ")}`,
            )
            .join("; ")}
          . Teams:{" "}
          {Object.keys(agreement.teams ?? {})
            .map((id) => teamName(agreement, id))
            .join(", ")}
          .
        </Text>
      )}
    </section>
  );
}

const modes = [
  {
    value: "new_cycles_only",
    label: "New cycles only",
    description:
      "Clocks already running keep the goals they started with; new clocks follow this version.",
  },
  {
    value: "new_and_open_cycles",
    label: "New and open cycles",
    description: "Clocks already running are recalculated under this version's goals now.",
  },
] as const;

function Proposal({
  version,
  onChanged,
  hasActive,
}: {
  version: Detail;
  onChanged(): void;
  hasActive: boolean;
}) {
  const session = useSignedIn();
  const agreement = asAgreement(version.agreement);
  const approvers = agreement.approvers ?? {};
  const person = session.user.person;
  const mySides = Object.entries(approvers)
    .filter(([, people]) => person !== null && people.includes(person))
    .map(([side]) => side);
  const signed = new Set(version.approvals.map((approval) => approval.side));
  const waiting = Object.keys(approvers).filter((side) => !signed.has(side));
  const mine = mySides.filter((side) => !signed.has(side));
  const completes = mine.length > 0 && waiting.every((side) => mine.includes(side));
  const [mode, setMode] = useState<string>("");
  const [problem, setProblem] = useState<ApiProblem | undefined>();
  const [busy, setBusy] = useState(false);
  const mayApprove = session.capabilities.includes("agreements.approve");

  async function approve(event: FormEvent) {
    event.preventDefault();
    setBusy(true);
    setProblem(undefined);
    try {
      await unwrap(
        api.POST("/api/agreements/{number}/approvals", {
          params: { path: { number: version.number } },
          body: mode === "new_cycles_only" || mode === "new_and_open_cycles" ? { mode } : {},
        }),
      );
      onChanged();
    } catch (error) {
      setProblem(problemOf(error));
    } finally {
      setBusy(false);
    }
  }

  return (
    <Card withBorder padding="md" data-testid={`proposal-${version.number}`}>
      <Stack gap="sm">
        <Group justify="space-between" wrap="wrap">
          <Title order={3} size="h4">
            Version {version.number}
            {agreement.version ? ` (${agreement.version})` : ""}
          </Title>
          <Text size="sm" c="dimmed">
            Proposed by {personName(agreement, version.proposedBy)} on{" "}
            {formatDateTime(version.proposedAt)}
          </Text>
        </Group>
        <div>
          <Text size="sm" fw={600}>
            What it changes{hasActive ? " against the version active when it was proposed" : ""}
          </Text>
          {version.diff === null || version.diff.length === 0 ? (
            <Text size="sm" c="dimmed">
              {version.diff === null
                ? "Nothing to compare: no version was active."
                : "No change in meaning."}
            </Text>
          ) : (
            <List size="sm" spacing={2} data-testid="proposal-diff">
              {version.diff.map((line) => (
                <List.Item key={line}>{line}</List.Item>
              ))}
            </List>
          )}
        </div>
        {hasActive && <BacktestPanel number={version.number} />}
        <div>
          <Text size="sm" fw={600}>
            Sign-off
          </Text>
          <List size="sm" spacing={2}>
            {Object.entries(approvers).map(([side, people]) => {
              const approval = version.approvals.find((entry) => entry.side === side);
              return (
                <List.Item key={side}>
                  {humanise(side)} ({people.map((id) => personName(agreement, id)).join(" or ")}):{" "}
                  {approval === undefined ? (
                    <Text span size="sm" c="orange.9">
                      waiting
                    </Text>
                  ) : (
                    <Text span size="sm" c="green.8">
                      approved by {personName(agreement, approval.approver)} on{" "}
                      {formatDateTime(approval.approvedAt)}
                    </Text>
                  )}
                </List.Item>
              );
            })}
          </List>
        </div>
        {problem !== undefined && (
          <Alert color="red" role="alert" title="Not approved">
            {problem.message}
          </Alert>
        )}
        {mayApprove && mine.length > 0 && (
          <form onSubmit={approve}>
            <Stack gap="sm">
              {completes && (
                <Radio.Group
                  label="When this version takes effect, open SLA clocks…"
                  description="Your approval completes the pair and activates the version now."
                  value={mode}
                  onChange={setMode}
                  withAsterisk
                  error={
                    problem?.code === "activation_mode_required"
                      ? "Choose how open clocks take the new version"
                      : undefined
                  }
                >
                  <Stack gap={6} mt={6}>
                    {modes.map((option) => (
                      <Radio
                        key={option.value}
                        value={option.value}
                        label={option.label}
                        description={option.description}
                      />
                    ))}
                  </Stack>
                </Radio.Group>
              )}
              <Group>
                <Button type="submit" loading={busy} disabled={completes && mode === ""}>
                  {completes
                    ? `Approve as ${mine.map(humanise).join(" and ")} and activate`
                    : `Approve as ${mine.map(humanise).join(" and ")}`}
                </Button>
              </Group>
            </Stack>
          </form>
        )}
        {mayApprove && mine.length === 0 && mySides.length === 0 && (
          <Text size="sm" c="dimmed">
            Only the approvers named in the version can sign it.
          </Text>
        )}
        <details>
          <summary style={{ cursor: "pointer", fontSize: "var(--mantine-font-size-sm)" }}>
            The proposed YAML
          </summary>
          <Code block fz="xs" style={{ maxHeight: 360, overflow: "auto" }}>
            {version.yaml}
          </Code>
        </details>
      </Stack>
    </Card>
  );
}

interface LocatedIssue {
  severity: string;
  code: string;
  path: (string | number)[];
  message: string;
  hint?: string;
  line: number;
  column: number;
}

function ProposeForm({ startFrom, onProposed }: { startFrom: string; onProposed(): void }) {
  const [yaml, setYaml] = useState(startFrom);
  const [note, setNote] = useState("");
  const [busy, setBusy] = useState(false);
  const [problem, setProblem] = useState<ApiProblem | undefined>();
  const [result, setResult] = useState<string | undefined>();
  const issues = (problem?.details?.issues as LocatedIssue[] | undefined) ?? [];

  async function propose(event: FormEvent) {
    event.preventDefault();
    setBusy(true);
    setProblem(undefined);
    setResult(undefined);
    try {
      const proposed = await unwrap(
        api.POST("/api/agreements", {
          body: { yaml, ...(note.trim() === "" ? {} : { note: note.trim() }) },
        }),
      );
      setResult(
        `Version ${proposed.number} proposed; both sides' approvers can now sign it under Proposals.`,
      );
      onProposed();
    } catch (error) {
      setProblem(problemOf(error));
    } finally {
      setBusy(false);
    }
  }

  return (
    <form onSubmit={propose}>
      <Stack gap="sm">
        <Text size="sm">
          Paste the agreement's YAML or upload the file. The active version is filled in to start
          from. Baton checks it and lists every problem with its line and column; nothing changes
          until marketing's and sales' approvers both sign.
        </Text>
        {result !== undefined && (
          <Alert color="green" role="status">
            {result}
          </Alert>
        )}
        {problem !== undefined && (
          <Alert color="red" role="alert" title="The version was not proposed">
            <Text size="sm">{problem.message}</Text>
            {issues.length > 0 && (
              <Table.ScrollContainer minWidth={520} mt="xs">
                <Table fz="sm" verticalSpacing={2} data-testid="agreement-issues">
                  <Table.Thead>
                    <Table.Tr>
                      <Table.Th>Line:column</Table.Th>
                      <Table.Th>Where</Table.Th>
                      <Table.Th>Problem</Table.Th>
                    </Table.Tr>
                  </Table.Thead>
                  <Table.Tbody>
                    {issues.map((issue) => (
                      <Table.Tr key={`${issue.line}:${issue.column}:${issue.message}`}>
                        <Table.Td>
                          {issue.line}:{issue.column}
                          {issue.severity === "warning" ? " (warning)" : ""}
                        </Table.Td>
                        <Table.Td>
                          <Code>
                            {issue.path.length === 0 ? "(document)" : issue.path.join(".")}
                          </Code>
                        </Table.Td>
                        <Table.Td>
                          {issue.message}
                          {issue.hint ? <Text size="xs">Fix: {issue.hint}</Text> : null}
                        </Table.Td>
                      </Table.Tr>
                    ))}
                  </Table.Tbody>
                </Table>
              </Table.ScrollContainer>
            )}
          </Alert>
        )}
        <Group>
          <FileButton
            accept=".yaml,.yml,text/yaml,application/yaml"
            onChange={(file) => {
              if (file !== null) void file.text().then(setYaml);
            }}
          >
            {(props) => (
              <Button variant="default" {...props}>
                Upload a YAML file
              </Button>
            )}
          </FileButton>
        </Group>
        <Textarea
          label="Agreement YAML"
          value={yaml}
          onChange={(event) => setYaml(event.currentTarget.value)}
          autosize
          minRows={12}
          maxRows={30}
          styles={{ input: { fontFamily: "var(--mantine-font-family-monospace)", fontSize: 12 } }}
          required
        />
        <TextInput
          label="Note for the approvers"
          description="Optional: why this change"
          value={note}
          onChange={(event) => setNote(event.currentTarget.value)}
        />
        <Group>
          <Button type="submit" loading={busy} disabled={yaml.trim() === ""}>
            Propose this version
          </Button>
        </Group>
      </Stack>
    </form>
  );
}

const statusColors: Record<Version["status"], string> = {
  active: "green",
  proposed: "orange",
  superseded: "gray",
};

function History({ versions }: { versions: Version[] }) {
  if (versions.length === 0)
    return (
      <EmptyState
        title="No versions yet"
        action="Propose the first version; it becomes active once both sides approve it."
      />
    );
  return (
    <Table.ScrollContainer minWidth={720}>
      <Table striped withTableBorder verticalSpacing="xs" data-testid="agreement-history">
        <Table.Thead>
          <Table.Tr>
            <Table.Th>Version</Table.Th>
            <Table.Th>Status</Table.Th>
            <Table.Th>Proposed</Table.Th>
            <Table.Th>Approvals</Table.Th>
            <Table.Th>Active</Table.Th>
            <Table.Th>Changes</Table.Th>
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {versions.map((version) => (
            <Table.Tr key={version.number}>
              <Table.Td>{version.number}</Table.Td>
              <Table.Td>
                <Badge color={statusColors[version.status]} variant="light">
                  {humanise(version.status)}
                </Badge>
              </Table.Td>
              <Table.Td>
                {formatDateTime(version.proposedAt)}
                <Text size="xs" c="dimmed">
                  by {version.proposedBy}
                </Text>
              </Table.Td>
              <Table.Td>
                {version.approvals.length === 0
                  ? "—"
                  : version.approvals
                      .map((approval) => `${humanise(approval.side)}: ${approval.approver}`)
                      .join(", ")}
              </Table.Td>
              <Table.Td>
                {version.activatedAt === null
                  ? "—"
                  : `${formatDateTime(version.activatedAt)}${version.supersededAt ? ` – ${formatDateTime(version.supersededAt)}` : ""}`}
                {version.activationMode !== null && (
                  <Text size="xs" c="dimmed">
                    {humanise(version.activationMode)}
                  </Text>
                )}
              </Table.Td>
              <Table.Td>
                {version.diff === null || version.diff.length === 0 ? (
                  "—"
                ) : (
                  <details>
                    <summary style={{ cursor: "pointer" }}>
                      {version.diff.length} {version.diff.length === 1 ? "change" : "changes"}
                    </summary>
                    <List size="xs">
                      {version.diff.map((line) => (
                        <List.Item key={line}>{line}</List.Item>
                      ))}
                    </List>
                  </details>
                )}
              </Table.Td>
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
    </Table.ScrollContainer>
  );
}
