import {
  ActionIcon,
  Alert,
  Anchor,
  Autocomplete,
  Button,
  Divider,
  Group,
  Modal,
  Select,
  Stack,
  Text,
  Textarea,
  TextInput,
  Tooltip,
} from "@mantine/core";
import { type FormEvent, useState } from "react";
import { Link } from "react-router";
import { asAgreement } from "../agreement/agreement-model";
import { type ApiProblem, api, problemOf, unwrap } from "../api/client";
import { useApi } from "../api/use-api";
import {
  type ActionItem,
  type ActionItemStatus,
  type ActionItemType,
  actionItemStatuses,
  actionItemTypes,
  fieldErrorsOf,
  type ProjectToolName,
  toolLabel,
  useCanManageReviews,
} from "./review-api";

/**
 * Creating and changing an action item: one form for both, checked here for what a person can
 * fix at once (empty title, owner, date) and then by the API, whose refusals show at the field
 * they name. An existing item can be pushed from the form to a configured project tool; the
 * tool's key and link, or its refusal, show where the push was asked for.
 */

export interface ActionItemDraft {
  title: string;
  owner: string;
  dueOn: string;
  type: ActionItemType | "";
  status: ActionItemStatus;
  metric: string;
  leadIds: string;
  notes: string;
}

const emailPattern = /^[^@\s<>]+@[^@\s<>]+\.[^@\s<>]+$/;

/** Two weeks from today, the local date: a default the user changes. */
function inTwoWeeks(): string {
  const day = new Date(Date.now() + 14 * 86_400_000);
  const pad = (n: number) => String(n).padStart(2, "0");
  return `${day.getFullYear()}-${pad(day.getMonth() + 1)}-${pad(day.getDate())}`;
}

function draftOf(item: ActionItem | undefined, initial: Partial<ActionItemDraft>): ActionItemDraft {
  if (item !== undefined)
    return {
      title: item.title,
      owner: item.owner,
      dueOn: item.dueOn,
      type: item.type,
      status: item.status,
      metric: item.metric ?? "",
      leadIds: item.leadIds.join("\n"),
      notes: item.notes,
    };
  return {
    title: "",
    owner: "",
    dueOn: inTwoWeeks(),
    type: "",
    status: "open",
    metric: "",
    leadIds: "",
    notes: "",
    ...initial,
  };
}

function splitIds(text: string): string[] {
  return [
    ...new Set(
      text
        .split(/[\s,]+/)
        .map((id) => id.trim())
        .filter(Boolean),
    ),
  ];
}

/** What the form can say before asking the API; the API has the last word. */
export function checkDraft(draft: ActionItemDraft, people: string[]): Record<string, string> {
  const errors: Record<string, string> = {};
  const title = draft.title.trim();
  if (title === "") errors.title = "Required: say what is to be done";
  else if (title.length > 300) errors.title = `${title.length} characters; keep it under 300`;
  const owner = draft.owner.trim();
  if (owner === "") errors.owner = "Required: a person of the agreement or an e-mail address";
  else if (!people.includes(owner) && !emailPattern.test(owner))
    errors.owner = `'${owner}' is neither a person of the agreement nor an e-mail address`;
  if (!/^\d{4}-\d{2}-\d{2}$/.test(draft.dueOn) || Number.isNaN(Date.parse(draft.dueOn)))
    errors.dueOn = "Required: the date it is due";
  if (draft.type === "") errors.type = "Required: pick what kind of change it asks for";
  if (splitIds(draft.leadIds).length > 500) errors.leadIds = "At most 500 leads";
  if (draft.notes.length > 5000) errors.notes = `${draft.notes.length} characters; keep under 5000`;
  return errors;
}

/** The agreement's people (for the owner field) and the metric names (for the metric field). */
function useChoices(enabled: boolean) {
  return useApi(
    async (signal) => {
      if (!enabled)
        return { people: [] as { id: string; name: string }[], metrics: [] as string[] };
      const [active, metrics] = await Promise.all([
        unwrap(api.GET("/api/agreements/active", { signal })).catch(() => undefined),
        unwrap(api.GET("/api/metrics", { signal })).catch(() => undefined),
      ]);
      const agreement = asAgreement(active?.agreement);
      return {
        people: Object.entries(agreement.people ?? {}).map(([id, person]) => ({
          id,
          name: person.name,
        })),
        metrics: (metrics?.metrics ?? []).map((metric) => metric.name),
      };
    },
    [enabled],
  );
}

export function ActionItemModal({
  opened,
  onClose,
  item,
  initial = {},
  reviewPackId = null,
  onSaved,
}: {
  opened: boolean;
  onClose: () => void;
  /** the item to change; absent: a new one */
  item?: ActionItem | undefined;
  initial?: Partial<ActionItemDraft>;
  reviewPackId?: string | null;
  onSaved: (item: ActionItem) => void;
}) {
  return (
    <Modal
      opened={opened}
      onClose={onClose}
      title={
        <Text fw={600}>{item === undefined ? "New action item" : "Change the action item"}</Text>
      }
      size="lg"
    >
      {opened && (
        <ActionItemForm
          item={item}
          initial={initial}
          reviewPackId={reviewPackId}
          onSaved={onSaved}
          onClose={onClose}
        />
      )}
    </Modal>
  );
}

function ActionItemForm({
  item,
  initial,
  reviewPackId,
  onSaved,
  onClose,
}: {
  item: ActionItem | undefined;
  initial: Partial<ActionItemDraft>;
  reviewPackId: string | null;
  onSaved: (item: ActionItem) => void;
  onClose: () => void;
}) {
  const [draft, setDraft] = useState(() => draftOf(item, initial));
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [problem, setProblem] = useState<ApiProblem | undefined>();
  const [saving, setSaving] = useState(false);
  const [current, setCurrent] = useState(item);
  const choices = useChoices(true);
  const people = choices.data?.people ?? [];
  const set = <Key extends keyof ActionItemDraft>(key: Key, value: ActionItemDraft[Key]) => {
    setDraft((previous) => ({ ...previous, [key]: value }));
    setErrors((previous) => {
      const { [key]: _gone, ...rest } = previous;
      return rest;
    });
  };

  async function submit(event: FormEvent) {
    event.preventDefault();
    const found = checkDraft(
      draft,
      people.map((person) => person.id),
    );
    // without the agreement's people the owner check is the API's alone
    if (people.length === 0 && found.owner?.includes("neither")) delete found.owner;
    setErrors(found);
    setProblem(undefined);
    if (Object.keys(found).length > 0) return;
    const body = {
      title: draft.title.trim(),
      owner: draft.owner.trim(),
      dueOn: draft.dueOn,
      type: draft.type as ActionItemType,
      status: draft.status,
      metric: draft.metric === "" ? null : draft.metric,
      leadIds: splitIds(draft.leadIds),
      notes: draft.notes,
    };
    setSaving(true);
    try {
      const saved =
        current === undefined
          ? await unwrap(api.POST("/api/action-items", { body: { ...body, reviewPackId } }))
          : await unwrap(
              api.PATCH("/api/action-items/{id}", {
                params: { path: { id: current.id } },
                body,
              }),
            );
      onSaved(saved);
      onClose();
    } catch (error) {
      const refused = problemOf(error);
      const fields = fieldErrorsOf(refused);
      setErrors(fields);
      if (Object.keys(fields).length === 0) setProblem(refused);
    } finally {
      setSaving(false);
    }
  }

  const ownerName = people.find((person) => person.id === draft.owner.trim())?.name;
  return (
    <Stack gap="sm">
      <form onSubmit={submit} noValidate aria-label="Action item">
        <Stack gap="sm">
          <TextInput
            label="Title"
            required
            value={draft.title}
            onChange={(event) => set("title", event.currentTarget.value)}
            error={errors.title}
            maxLength={300}
          />
          <Group grow align="flex-start">
            <Autocomplete
              label="Owner"
              required
              description={ownerName ?? "A person of the agreement (their id) or an e-mail address"}
              value={draft.owner}
              onChange={(value) => set("owner", value)}
              data={people.map((person) => person.id)}
              renderOption={({ option }) => (
                <Text size="sm">
                  {people.find((person) => person.id === option.value)?.name ?? option.value}{" "}
                  <Text span size="xs" c="dimmed">
                    {option.value}
                  </Text>
                </Text>
              )}
              error={errors.owner}
            />
            <TextInput
              label="Due on"
              required
              type="date"
              description="In the workspace's time zone"
              value={draft.dueOn}
              onChange={(event) => set("dueOn", event.currentTarget.value)}
              error={errors.dueOn}
            />
          </Group>
          <Group grow align="flex-start">
            <Select
              label="Type"
              required
              placeholder="Pick one"
              data={actionItemTypes}
              value={draft.type === "" ? null : draft.type}
              onChange={(value) => set("type", (value ?? "") as ActionItemType | "")}
              error={errors.type}
              allowDeselect={false}
            />
            <Select
              label="Status"
              data={actionItemStatuses}
              value={draft.status}
              onChange={(value) => set("status", (value ?? "open") as ActionItemStatus)}
              error={errors.status}
              allowDeselect={false}
            />
          </Group>
          <Select
            label="Metric concerned"
            placeholder="None"
            clearable
            searchable
            data={[...new Set([...(choices.data?.metrics ?? []), draft.metric].filter(Boolean))]}
            value={draft.metric === "" ? null : draft.metric}
            onChange={(value) => set("metric", value ?? "")}
            error={errors.metric}
          />
          <Textarea
            label="Leads concerned"
            description="Lead ids, one a line or separated by commas"
            autosize
            minRows={1}
            maxRows={4}
            value={draft.leadIds}
            onChange={(event) => set("leadIds", event.currentTarget.value)}
            error={errors.leadIds}
          />
          <Textarea
            label="Notes"
            autosize
            minRows={2}
            maxRows={6}
            value={draft.notes}
            onChange={(event) => set("notes", event.currentTarget.value)}
            error={errors.notes}
          />
          {problem !== undefined && (
            <Alert color="red" title="Not saved" role="alert">
              {problem.message}
            </Alert>
          )}
          {Object.keys(errors).length > 0 && (
            <Text size="sm" c="red.8" role="alert">
              Fix the fields marked above, then save again.
            </Text>
          )}
          <Group justify="flex-end">
            <Button variant="default" onClick={onClose}>
              Cancel
            </Button>
            <Button type="submit" loading={saving}>
              {current === undefined ? "Create action item" : "Save changes"}
            </Button>
          </Group>
        </Stack>
      </form>
      {current !== undefined && (
        <PushSection
          item={current}
          onPushed={(pushed) => {
            setCurrent(pushed);
            onSaved(pushed);
          }}
        />
      )}
    </Stack>
  );
}

/** Push to a configured project tool; the reference it returns, or its refusal, shows here. */
function PushSection({
  item,
  onPushed,
}: {
  item: ActionItem;
  onPushed: (item: ActionItem) => void;
}) {
  const tools = useApi((signal) => unwrap(api.GET("/api/project-tools", { signal })), []);
  const [tool, setTool] = useState<ProjectToolName | null>(null);
  const [pushing, setPushing] = useState(false);
  const [outcome, setOutcome] = useState<
    | { ok: true; key: string; url?: string | undefined; tool: string }
    | { ok: false; message: string }
  >();
  const configured = tools.data?.tools ?? [];
  const chosen = tool ?? configured[0]?.name ?? null;

  async function push() {
    if (chosen === null) return;
    setPushing(true);
    setOutcome(undefined);
    try {
      const pushed = await unwrap(
        api.POST("/api/action-items/{id}/push", {
          params: { path: { id: item.id } },
          body: { tool: chosen },
        }),
      );
      const reference = pushed.pushedTo.filter((entry) => entry.tool === chosen).at(-1);
      setOutcome({
        ok: true,
        tool: toolLabel[chosen],
        key: reference?.key ?? "",
        url: reference?.url,
      });
      onPushed(pushed);
    } catch (error) {
      setOutcome({ ok: false, message: problemOf(error).message });
    } finally {
      setPushing(false);
    }
  }

  return (
    <Stack gap="xs" component="section" aria-label="Push to a project tool">
      <Divider label="Push to a project tool" labelPosition="left" />
      {item.pushedTo.length > 0 && <PushedTo item={item} />}
      {tools.data !== undefined && configured.length === 0 ? (
        <Text size="sm" c="dimmed">
          No project tool is configured. An admin sets BATON_JIRA_*, BATON_ASANA_* or
          BATON_ACTIONS_WEBHOOK_* for the server.
        </Text>
      ) : (
        <Group align="flex-end">
          <Select
            label="Tool"
            data={configured.map((entry) => ({
              value: entry.name,
              label: `${toolLabel[entry.name]} — ${entry.description}`,
            }))}
            value={chosen}
            onChange={(value) => setTool(value as ProjectToolName | null)}
            allowDeselect={false}
            style={{ flex: 1 }}
          />
          <Button
            variant="light"
            onClick={() => void push()}
            loading={pushing}
            disabled={chosen === null}
          >
            Push
          </Button>
        </Group>
      )}
      {outcome?.ok === true && (
        <Alert color="teal" title={`Pushed to ${outcome.tool}`} role="status">
          {outcome.url !== undefined ? (
            <Anchor href={outcome.url} target="_blank" rel="noreferrer">
              {outcome.key}
            </Anchor>
          ) : (
            outcome.key
          )}
        </Alert>
      )}
      {outcome?.ok === false && (
        <Alert color="red" title="Not pushed" role="alert">
          {outcome.message}
        </Alert>
      )}
    </Stack>
  );
}

/** The item's copies in project tools, as links where the tool gave one. */
export function PushedTo({ item }: { item: ActionItem }) {
  if (item.pushedTo.length === 0) return null;
  return (
    <Group gap={6}>
      {item.pushedTo.map((reference) => (
        <Text size="xs" key={`${reference.tool}:${reference.key}`}>
          {toolLabel[reference.tool]}:{" "}
          {reference.url !== undefined ? (
            <Anchor href={reference.url} target="_blank" rel="noreferrer" size="xs">
              {reference.key}
            </Anchor>
          ) : (
            reference.key
          )}
        </Text>
      ))}
    </Group>
  );
}

/**
 * "Create action item" from wherever a number is shown: the form opens with what the figure
 * knows (its metric, its leads, the pack). Nothing shows for roles that may not manage reviews.
 */
export function CreateActionItemButton({
  title = "",
  metric,
  leadIds = [],
  notes = "",
  reviewPackId = null,
  compact = false,
  label = "Create action item",
  onCreated,
}: {
  title?: string;
  metric?: string | null | undefined;
  leadIds?: string[];
  notes?: string;
  reviewPackId?: string | null;
  /** an icon button (a headline card) rather than a labelled one */
  compact?: boolean;
  label?: string;
  onCreated?: (item: ActionItem) => void;
}) {
  const canManage = useCanManageReviews();
  const [opened, setOpened] = useState(false);
  const [created, setCreated] = useState<ActionItem | undefined>();
  if (!canManage) return null;
  const initial: Partial<ActionItemDraft> = {
    title,
    metric: metric ?? "",
    leadIds: leadIds.join("\n"),
    notes,
  };
  return (
    <>
      {compact ? (
        <Tooltip label={label}>
          <ActionIcon
            variant="subtle"
            color="gray"
            aria-label={`${label}${title ? `: ${title}` : ""}`}
            onClick={() => setOpened(true)}
          >
            +
          </ActionIcon>
        </Tooltip>
      ) : (
        <Group gap="xs">
          <Button size="xs" variant="light" onClick={() => setOpened(true)}>
            {label}
          </Button>
          {created !== undefined && (
            <Anchor component={Link} to={`/reviews/actions/${created.id}`} size="xs">
              Created: {created.title}
            </Anchor>
          )}
        </Group>
      )}
      <ActionItemModal
        opened={opened}
        onClose={() => setOpened(false)}
        initial={initial}
        reviewPackId={reviewPackId}
        onSaved={(item) => {
          setCreated(item);
          onCreated?.(item);
        }}
      />
    </>
  );
}
