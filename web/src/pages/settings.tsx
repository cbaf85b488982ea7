import {
  Alert,
  Badge,
  Button,
  Card,
  Checkbox,
  Code,
  CopyButton,
  Group,
  List,
  NumberInput,
  PasswordInput,
  Select,
  SimpleGrid,
  Stack,
  Table,
  Tabs,
  Text,
  TextInput,
  Title,
} from "@mantine/core";
import { type FormEvent, useState } from "react";
import { useSearchParams } from "react-router";
import { asAgreement, describeCalendarHours, personName } from "../agreement/agreement-model";
import { type ApiProblem, api, problemOf, unwrap } from "../api/client";
import type { paths } from "../api/schema";
import { type Capability, type Role, useSignedIn } from "../api/session";
import { useApi } from "../api/use-api";
import { roleLabels } from "../app";
import { formatDateTime, humanise } from "../components/format";
import { EmptyState, ErrorState, LoadingState } from "../components/states";

/**
 * Settings for admins: users and their roles, API tokens (the secret shown once), the active
 * agreement's calendars (read-only: they change with a new agreement version), and notification
 * delivery (the configured channels and the outbox, with replay of dead notifications).
 */

type User =
  paths["/api/users"]["get"]["responses"][200]["content"]["application/json"]["items"][number];
type Token =
  paths["/api/tokens"]["get"]["responses"][200]["content"]["application/json"]["items"][number];
type Notification =
  paths["/api/notifications"]["get"]["responses"][200]["content"]["application/json"]["items"][number];

const roleOptions = Object.entries(roleLabels).map(([value, label]) => ({ value, label }));

export default function SettingsPage() {
  const [params, setParams] = useSearchParams();
  const tab = params.get("tab") ?? "users";
  return (
    <Stack gap="md">
      <div>
        <Title order={2}>Settings</Title>
        <Text size="sm" c="dimmed">
          Who signs in and what they may do, API tokens for integrations, working calendars and
          notification delivery.
        </Text>
      </div>
      <Tabs
        value={tab}
        onChange={(value) => {
          const next = new URLSearchParams(params);
          next.set("tab", value ?? "users");
          setParams(next, { replace: true });
        }}
        keepMounted={false}
      >
        <Tabs.List>
          <Tabs.Tab value="users">Users and roles</Tabs.Tab>
          <Tabs.Tab value="tokens">API tokens</Tabs.Tab>
          <Tabs.Tab value="calendars">Calendars</Tabs.Tab>
          <Tabs.Tab value="notifications">Notifications</Tabs.Tab>
        </Tabs.List>
        <Tabs.Panel value="users" pt="md">
          <Users />
        </Tabs.Panel>
        <Tabs.Panel value="tokens" pt="md">
          <Tokens />
        </Tabs.Panel>
        <Tabs.Panel value="calendars" pt="md">
          <Calendars />
        </Tabs.Panel>
        <Tabs.Panel value="notifications" pt="md">
          <Notifications />
        </Tabs.Panel>
      </Tabs>
    </Stack>
  );
}

function Problem({ problem }: { problem: ApiProblem | undefined }) {
  if (problem === undefined) return null;
  return (
    <Alert color="red" role="alert" title="Baton refused this">
      {problem.message}
    </Alert>
  );
}

function Users() {
  const session = useSignedIn();
  const loaded = useApi((signal) => unwrap(api.GET("/api/users", { signal })), []);
  const [problem, setProblem] = useState<ApiProblem | undefined>();

  async function change(user: User, body: { role?: Role; disabled?: boolean }) {
    setProblem(undefined);
    try {
      await unwrap(api.PATCH("/api/users/{id}", { params: { path: { id: user.id } }, body }));
      loaded.reload();
    } catch (error) {
      setProblem(problemOf(error));
    }
  }

  if (loaded.data === undefined)
    return loaded.status === "failed" ? (
      <ErrorState problem={loaded.problem} onRetry={loaded.reload} />
    ) : (
      <LoadingState label="Loading users" />
    );
  return (
    <Stack gap="md">
      <Problem problem={problem} />
      <Table.ScrollContainer minWidth={760}>
        <Table striped withTableBorder verticalSpacing="xs" data-testid="users-table">
          <Table.Thead>
            <Table.Tr>
              <Table.Th>User</Table.Th>
              <Table.Th>Agreement person</Table.Th>
              <Table.Th>Role</Table.Th>
              <Table.Th>Status</Table.Th>
              <Table.Th>Since</Table.Th>
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {loaded.data.items.map((user) => (
              <Table.Tr key={user.id}>
                <Table.Td>
                  <Text size="sm" fw={500}>
                    {user.name}
                  </Text>
                  <Text size="xs" c="dimmed">
                    {user.id}
                    {user.email ? ` · ${user.email}` : ""}
                  </Text>
                </Table.Td>
                <Table.Td>{user.person ?? "—"}</Table.Td>
                <Table.Td>
                  <Select
                    aria-label={`Role of ${user.name}`}
                    data={roleOptions}
                    value={user.role}
                    onChange={(value) => {
                      if (value !== null && value !== user.role)
                        void change(user, { role: value as Role });
                    }}
                    allowDeselect={false}
                    size="xs"
                    w={160}
                  />
                </Table.Td>
                <Table.Td>
                  <Group gap="xs" wrap="nowrap">
                    <Badge color={user.disabled ? "gray" : "green"} variant="light">
                      {user.disabled ? "Disabled" : "Active"}
                    </Badge>
                    <Button
                      size="compact-xs"
                      variant="subtle"
                      color={user.disabled ? "indigo" : "red"}
                      disabled={user.id === session.user.id}
                      onClick={() => void change(user, { disabled: !user.disabled })}
                      aria-label={`${user.disabled ? "Enable" : "Disable"} ${user.name}`}
                    >
                      {user.disabled ? "Enable" : "Disable"}
                    </Button>
                  </Group>
                </Table.Td>
                <Table.Td>{formatDateTime(user.createdAt)}</Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      </Table.ScrollContainer>
      <NewUser onCreated={loaded.reload} />
    </Stack>
  );
}

function NewUser({ onCreated }: { onCreated(): void }) {
  const [id, setId] = useState("");
  const [name, setName] = useState("");
  const [email, setEmail] = useState("");
  const [role, setRole] = useState<string | null>("rep");
  const [person, setPerson] = useState("");
  const [password, setPassword] = useState("");
  const [problem, setProblem] = useState<ApiProblem | undefined>();
  const [created, setCreated] = useState<string | undefined>();
  const [busy, setBusy] = useState(false);

  async function submit(event: FormEvent) {
    event.preventDefault();
    setBusy(true);
    setProblem(undefined);
    setCreated(undefined);
    try {
      const user = await unwrap(
        api.POST("/api/users", {
          body: {
            id: id.trim(),
            name: name.trim(),
            role: (role ?? "viewer") as Role,
            ...(email.trim() === "" ? {} : { email: email.trim() }),
            ...(person.trim() === "" ? {} : { person: person.trim() }),
            ...(password === "" ? {} : { password }),
          },
        }),
      );
      setCreated(`${user.name} can now sign in as ${user.id}.`);
      setId("");
      setName("");
      setEmail("");
      setPerson("");
      setPassword("");
      onCreated();
    } catch (error) {
      setProblem(problemOf(error));
    } finally {
      setBusy(false);
    }
  }

  return (
    <Card withBorder padding="md">
      <form onSubmit={submit}>
        <Stack gap="sm">
          <Title order={3} size="h4">
            Add a user
          </Title>
          <Problem problem={problem} />
          {created !== undefined && (
            <Alert color="green" role="status">
              {created}
            </Alert>
          )}
          <SimpleGrid cols={{ base: 1, sm: 3 }} spacing="sm">
            <TextInput
              label="User name"
              description="What they sign in with"
              value={id}
              onChange={(e) => setId(e.currentTarget.value)}
              required
            />
            <TextInput
              label="Full name"
              value={name}
              onChange={(e) => setName(e.currentTarget.value)}
              required
            />
            <TextInput
              label="E-mail"
              type="email"
              value={email}
              onChange={(e) => setEmail(e.currentTarget.value)}
            />
            <Select
              label="Role"
              data={roleOptions}
              value={role}
              onChange={setRole}
              allowDeselect={false}
              required
            />
            <TextInput
              label="Agreement person"
              description="Their id in the agreement's people, to own leads or sign versions"
              value={person}
              onChange={(e) => setPerson(e.currentTarget.value)}
            />
            <PasswordInput
              label="Password"
              description="Leave empty to set it later"
              value={password}
              onChange={(e) => setPassword(e.currentTarget.value)}
            />
          </SimpleGrid>
          <Group>
            <Button type="submit" loading={busy} disabled={id.trim() === "" || name.trim() === ""}>
              Add the user
            </Button>
          </Group>
        </Stack>
      </form>
    </Card>
  );
}

const capabilityWords: Record<Capability, string> = {
  "leads.read": "Read leads",
  "leads.ingest": "Submit leads",
  "leads.act": "Act on leads",
  "leads.reassign": "Reassign leads",
  "agreements.read": "Read agreements",
  "agreements.propose": "Propose agreements",
  "agreements.approve": "Approve agreements",
  "notifications.manage": "Manage notifications",
  "users.manage": "Manage users",
  "tokens.manage": "Manage tokens",
  "audit.read": "Read the audit log",
  "ops.metrics": "Prometheus metrics",
  "metrics.read": "Read pipeline metrics",
  "reviews.read": "Read review packs and the plan",
  "reviews.manage": "Run the joint review (packs, action items, decisions)",
};

function Tokens() {
  const loaded = useApi(async (signal) => {
    const [tokens, users] = await Promise.all([
      unwrap(api.GET("/api/tokens", { signal })),
      unwrap(api.GET("/api/users", { signal })),
    ]);
    return { tokens: tokens.items, users: users.items };
  }, []);
  const [problem, setProblem] = useState<ApiProblem | undefined>();
  const [secret, setSecret] = useState<{ name: string; token: string } | undefined>();

  async function revoke(token: Token) {
    setProblem(undefined);
    try {
      await unwrap(api.DELETE("/api/tokens/{id}", { params: { path: { id: token.id } } }));
      loaded.reload();
    } catch (error) {
      setProblem(problemOf(error));
    }
  }

  if (loaded.data === undefined)
    return loaded.status === "failed" ? (
      <ErrorState problem={loaded.problem} onRetry={loaded.reload} />
    ) : (
      <LoadingState label="Loading API tokens" />
    );
  const { tokens, users } = loaded.data;
  return (
    <Stack gap="md">
      {secret !== undefined && (
        <Alert
          color="yellow"
          title={`The token “${secret.name}”: copy it now`}
          role="status"
          withCloseButton
          onClose={() => setSecret(undefined)}
          closeButtonLabel="I have copied it"
        >
          <Stack gap="xs">
            <Text size="sm">Baton stores only its hash and will not show it again.</Text>
            <Code block data-testid="new-token">
              {secret.token}
            </Code>
            <CopyButton value={secret.token}>
              {({ copied, copy }) => (
                <Button size="xs" variant="light" onClick={copy} w="fit-content">
                  {copied ? "Copied" : "Copy the token"}
                </Button>
              )}
            </CopyButton>
          </Stack>
        </Alert>
      )}
      <Problem problem={problem} />
      {tokens.length === 0 ? (
        <EmptyState
          title="No API tokens yet"
          action="Create one below for each integration (a form handler, a CRM sync), scoped to only what it needs."
        />
      ) : (
        <Table.ScrollContainer minWidth={760}>
          <Table striped withTableBorder verticalSpacing="xs" data-testid="tokens-table">
            <Table.Thead>
              <Table.Tr>
                <Table.Th>Token</Table.Th>
                <Table.Th>Acts as</Table.Th>
                <Table.Th>Scopes</Table.Th>
                <Table.Th>Created</Table.Th>
                <Table.Th>Last used</Table.Th>
                <Table.Th>Expires</Table.Th>
                <Table.Th />
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {tokens.map((token) => (
                <Table.Tr key={token.id}>
                  <Table.Td>
                    <Text size="sm" fw={500}>
                      {token.name}
                    </Text>
                    <Text size="xs" c="dimmed">
                      {token.id}
                    </Text>
                  </Table.Td>
                  <Table.Td>{token.userId}</Table.Td>
                  <Table.Td>
                    <Text size="xs">
                      {token.scopes.map((scope) => capabilityWords[scope]).join(", ")}
                    </Text>
                  </Table.Td>
                  <Table.Td>
                    {formatDateTime(token.createdAt)}
                    <Text size="xs" c="dimmed">
                      by {token.createdBy}
                    </Text>
                  </Table.Td>
                  <Table.Td>
                    {token.lastUsedAt === null ? "Never" : formatDateTime(token.lastUsedAt)}
                  </Table.Td>
                  <Table.Td>
                    {token.expiresAt === null ? "Never" : formatDateTime(token.expiresAt)}
                  </Table.Td>
                  <Table.Td>
                    {token.revoked ? (
                      <Badge color="gray" variant="light">
                        Revoked
                      </Badge>
                    ) : (
                      <Button
                        size="compact-xs"
                        color="red"
                        variant="subtle"
                        onClick={() => void revoke(token)}
                        aria-label={`Revoke ${token.name}`}
                      >
                        Revoke
                      </Button>
                    )}
                  </Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        </Table.ScrollContainer>
      )}
      <NewToken
        users={users}
        onCreated={(name, token) => {
          setSecret({ name, token });
          loaded.reload();
        }}
      />
    </Stack>
  );
}

function NewToken({
  users,
  onCreated,
}: {
  users: User[];
  onCreated(name: string, token: string): void;
}) {
  const [name, setName] = useState("");
  const [userId, setUserId] = useState<string | null>(null);
  const [scopes, setScopes] = useState<string[]>([]);
  const [days, setDays] = useState<number | string>(90);
  const [problem, setProblem] = useState<ApiProblem | undefined>();
  const [busy, setBusy] = useState(false);
  const user = users.find((entry) => entry.id === userId);
  // Every capability is offered; one the user's role lacks is refused by the API (scope_not_held),
  // so the role table stays in one place (src/core/access/permissions.ts).
  const allowed = Object.keys(capabilityWords) as Capability[];

  async function submit(event: FormEvent) {
    event.preventDefault();
    if (userId === null) return;
    setBusy(true);
    setProblem(undefined);
    try {
      const created = await unwrap(
        api.POST("/api/tokens", {
          body: {
            name: name.trim(),
            userId,
            ...(scopes.length === 0 ? {} : { scopes: scopes as Capability[] }),
            ...(typeof days === "number" ? { expiresInDays: days } : {}),
          },
        }),
      );
      onCreated(created.info.name, created.token);
      setName("");
      setScopes([]);
    } catch (error) {
      setProblem(problemOf(error));
    } finally {
      setBusy(false);
    }
  }

  return (
    <Card withBorder padding="md">
      <form onSubmit={submit}>
        <Stack gap="sm">
          <Title order={3} size="h4">
            Create a token
          </Title>
          <Problem problem={problem} />
          <SimpleGrid cols={{ base: 1, sm: 3 }} spacing="sm">
            <TextInput
              label="Name"
              description="What uses it, e.g. website form"
              value={name}
              onChange={(e) => setName(e.currentTarget.value)}
              required
            />
            <Select
              label="Acts as user"
              description="The token can do at most what this user's role may"
              data={users
                .filter((entry) => !entry.disabled)
                .map((entry) => ({
                  value: entry.id,
                  label: `${entry.name} (${roleLabels[entry.role] ?? entry.role})`,
                }))}
              value={userId}
              onChange={(value) => {
                setUserId(value);
                setScopes([]);
              }}
              searchable
              required
            />
            <NumberInput
              label="Expires after (days)"
              description="Empty: never"
              min={1}
              max={3650}
              value={days}
              onChange={setDays}
            />
          </SimpleGrid>
          {user !== undefined && (
            <Checkbox.Group
              label="Scopes"
              description="None ticked: everything the user's role may do. A scope beyond the role is refused."
              value={scopes}
              onChange={setScopes}
            >
              <SimpleGrid cols={{ base: 1, xs: 2, md: 3 }} spacing={6} mt={6}>
                {allowed.map((capability) => (
                  <Checkbox
                    key={capability}
                    value={capability}
                    label={capabilityWords[capability]}
                  />
                ))}
              </SimpleGrid>
            </Checkbox.Group>
          )}
          <Group>
            <Button type="submit" loading={busy} disabled={name.trim() === "" || userId === null}>
              Create the token
            </Button>
          </Group>
        </Stack>
      </form>
    </Card>
  );
}

function Calendars() {
  const loaded = useApi((signal) => unwrap(api.GET("/api/agreements/active", { signal })), []);
  if (loaded.data === undefined)
    return loaded.status === "failed" ? (
      <ErrorState
        problem={loaded.problem}
        onRetry={loaded.reload}
        title="Could not load the calendars"
      />
    ) : (
      <LoadingState label="Loading calendars" />
    );
  const agreement = asAgreement(loaded.data.agreement);
  const calendars = Object.entries(agreement.calendars ?? {});
  const usedBy = (id: string) => [
    ...Object.entries(agreement.teams ?? {})
      .filter(([, team]) => team.calendar === id)
      .map(([, team]) => team.label),
    ...Object.entries(agreement.people ?? {})
      .filter(([, person]) => person.calendar === id)
      .map(([personId]) => personName(agreement, personId)),
  ];
  return (
    <Stack gap="sm">
      <Text size="sm" c="dimmed">
        From the active agreement (version {loaded.data.number}). Calendars change with a new
        version: propose one on the Agreement page.
      </Text>
      {calendars.length === 0 ? (
        <EmptyState
          title="No calendars"
          action="The active agreement declares none; SLA goals then run around the clock."
        />
      ) : (
        <SimpleGrid cols={{ base: 1, sm: 2, lg: 3 }} spacing="sm">
          {calendars.map(([id, calendar]) => (
            <Card withBorder padding="sm" key={id} data-testid={`calendar-${id}`}>
              <Text fw={600}>{humanise(id)}</Text>
              <Text size="xs" c="dimmed">
                {calendar.timezone}
              </Text>
              <List size="sm" spacing={0} mt={4}>
                {describeCalendarHours(calendar).map((line) => (
                  <List.Item key={line}>{line}</List.Item>
                ))}
              </List>
              {(calendar.holidays ?? []).length > 0 && (
                <>
                  <Text size="sm" fw={500} mt={6}>
                    Holidays
                  </Text>
                  <List size="sm" spacing={0}>
                    {(calendar.holidays ?? []).map((holiday) => (
                      <List.Item key={`${holiday.date}${holiday.from ?? ""}`}>
                        {holiday.date}
                        {holiday.name ? ` ${holiday.name}` : ""}
                        {holiday.from !== undefined
                          ? ` (from ${holiday.from}${holiday.to ? ` to ${holiday.to}` : ""})`
                          : ""}
                        {holiday.yearly ? ", every year" : ""}
                      </List.Item>
                    ))}
                  </List>
                </>
              )}
              {usedBy(id).length > 0 && (
                <Text size="xs" c="dimmed" mt={6}>
                  Used by {usedBy(id).join(", ")}
                </Text>
              )}
            </Card>
          ))}
        </SimpleGrid>
      )}
    </Stack>
  );
}

const notificationColors: Record<Notification["status"], string> = {
  pending: "blue",
  queued: "indigo",
  delivered: "green",
  dead: "red",
};

function Notifications() {
  const [status, setStatus] = useState<string | null>(null);
  const [problem, setProblem] = useState<ApiProblem | undefined>();
  const [replayed, setReplayed] = useState<string | undefined>();
  const channels = useApi(
    (signal) => unwrap(api.GET("/api/notifications/channels", { signal })),
    [],
  );
  const outbox = useApi(
    (signal) =>
      unwrap(
        api.GET("/api/notifications", {
          params: {
            query: {
              limit: 100,
              ...(status === null ? {} : { status: status as Notification["status"] }),
            },
          },
          signal,
        }),
      ),
    [status],
  );

  async function replay(notification: Notification | undefined) {
    setProblem(undefined);
    setReplayed(undefined);
    try {
      if (notification === undefined) {
        const answer = await unwrap(api.POST("/api/notifications/replay-dead"));
        setReplayed(`${answer.replayed.length} dead notification(s) will be sent again.`);
      } else {
        await unwrap(
          api.POST("/api/notifications/{id}/replay", { params: { path: { id: notification.id } } }),
        );
        setReplayed(`“${notification.subject}” will be sent again.`);
      }
      outbox.reload();
    } catch (error) {
      setProblem(problemOf(error));
    }
  }

  return (
    <Stack gap="md">
      <section aria-labelledby="channels-title">
        <Title order={3} size="h4" id="channels-title" mb="xs">
          Channels
        </Title>
        {channels.data === undefined ? (
          channels.status === "failed" ? (
            <ErrorState problem={channels.problem} onRetry={channels.reload} />
          ) : (
            <LoadingState label="Loading channels" />
          )
        ) : (
          <SimpleGrid cols={{ base: 1, sm: 3 }} spacing="sm">
            {channels.data.items.map((channel) => (
              <Card
                withBorder
                padding="sm"
                key={channel.channel}
                data-testid={`channel-${channel.channel}`}
              >
                <Group justify="space-between">
                  <Text fw={600}>
                    {channel.channel === "email" ? "E-mail" : humanise(channel.channel)}
                  </Text>
                  <Badge color={channel.configured ? "green" : "gray"} variant="light">
                    {channel.configured ? "Configured" : "Off"}
                  </Badge>
                </Group>
                <Text size="sm" mt={4}>
                  {channel.configured
                    ? `Sends to ${channel.target ?? "the configured receiver"}`
                    : `Set ${channel.variables.join(" and ")} where Baton runs to turn it on.`}
                </Text>
              </Card>
            ))}
          </SimpleGrid>
        )}
      </section>

      <section aria-labelledby="outbox-title">
        <Group justify="space-between" align="flex-end" mb="xs" wrap="wrap">
          <Title order={3} size="h4" id="outbox-title">
            Outbox
          </Title>
          <Group gap="sm" align="flex-end">
            <Select
              label="Status"
              placeholder="Every status"
              data={["pending", "queued", "delivered", "dead"].map((value) => ({
                value,
                label: humanise(value),
              }))}
              value={status}
              onChange={setStatus}
              clearable
              w={180}
            />
            <Button variant="default" onClick={() => void replay(undefined)}>
              Replay every dead one
            </Button>
          </Group>
        </Group>
        <Problem problem={problem} />
        {replayed !== undefined && (
          <Alert color="green" role="status" mb="xs">
            {replayed}
          </Alert>
        )}
        {outbox.data === undefined ? (
          outbox.status === "failed" ? (
            <ErrorState problem={outbox.problem} onRetry={outbox.reload} />
          ) : (
            <LoadingState label="Loading the outbox" />
          )
        ) : outbox.data.items.length === 0 ? (
          <EmptyState
            title={status === null ? "The outbox is empty" : `No ${status} notifications`}
            action={
              status === null
                ? "Notifications appear here when clocks warn, breach or escalate and a channel is configured."
                : "Pick another status, or clear the filter."
            }
          />
        ) : (
          <Table.ScrollContainer minWidth={760}>
            <Table striped withTableBorder verticalSpacing="xs" data-testid="outbox-table">
              <Table.Thead>
                <Table.Tr>
                  <Table.Th>Notification</Table.Th>
                  <Table.Th>Channel</Table.Th>
                  <Table.Th>Status</Table.Th>
                  <Table.Th>Attempts</Table.Th>
                  <Table.Th>Created</Table.Th>
                  <Table.Th />
                </Table.Tr>
              </Table.Thead>
              <Table.Tbody>
                {outbox.data.items.map((notification) => (
                  <Table.Tr key={notification.id}>
                    <Table.Td>
                      <Text size="sm">{notification.subject}</Text>
                      <Text size="xs" c="dimmed">
                        {humanise(notification.kind)}
                        {notification.recipient ? ` to ${notification.recipient}` : ""}
                      </Text>
                      {notification.lastError !== null && (
                        <Text size="xs" c="red.8">
                          {notification.lastError}
                        </Text>
                      )}
                    </Table.Td>
                    <Table.Td>{humanise(notification.channel)}</Table.Td>
                    <Table.Td>
                      <Badge color={notificationColors[notification.status]} variant="light">
                        {humanise(notification.status)}
                      </Badge>
                    </Table.Td>
                    <Table.Td>
                      {notification.attempts}
                      {notification.replays > 0 ? ` (${notification.replays} replays)` : ""}
                    </Table.Td>
                    <Table.Td>{formatDateTime(notification.createdAt)}</Table.Td>
                    <Table.Td>
                      {(notification.status === "dead" || notification.status === "delivered") && (
                        <Button
                          size="compact-xs"
                          variant="subtle"
                          onClick={() => void replay(notification)}
                          aria-label={`Replay ${notification.subject}`}
                        >
                          Replay
                        </Button>
                      )}
                    </Table.Td>
                  </Table.Tr>
                ))}
              </Table.Tbody>
            </Table>
          </Table.ScrollContainer>
        )}
      </section>
    </Stack>
  );
}
