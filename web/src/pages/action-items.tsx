import {
  Alert,
  Anchor,
  Badge,
  Button,
  Group,
  MultiSelect,
  Select,
  Stack,
  Switch,
  Table,
  Text,
  Title,
  UnstyledButton,
} from "@mantine/core";
import { useState } from "react";
import { Link, useParams } from "react-router";
import { asAgreement, personName } from "../agreement/agreement-model";
import { type ApiProblem, api, problemOf, unwrap } from "../api/client";
import { useApi } from "../api/use-api";
import { DrillDownProvider } from "../components/records-drawer";
import { EmptyState, ErrorState, LoadingState } from "../components/states";
import { ActionItemModal, PushedTo } from "../review/action-item-form";
import { PackRecordsProvider, usePackRecords } from "../review/pack-records";
import {
  type ActionItem,
  type ActionItemStatus,
  actionItemStatuses,
  actionItemTypes,
  formatDay,
  statusColor,
  statusLabel,
  typeLabel,
  useCanManageReviews,
} from "../review/review-api";

/**
 * Action items from the reviews (and from any figure): who does what by when, about which metric
 * or leads, with the ones past their due date marked. Managers create and change them, move
 * their status and push them to a project tool; every role reads.
 */
export default function ActionItemsPage() {
  const { id: focused } = useParams();
  const canManage = useCanManageReviews();
  const [statuses, setStatuses] = useState<string[]>(["open", "in_progress"]);
  const [owner, setOwner] = useState<string | null>(null);
  const [type, setType] = useState<string | null>(null);
  const [overdueOnly, setOverdueOnly] = useState(false);
  const [editing, setEditing] = useState<ActionItem | "new" | undefined>();
  const [problem, setProblem] = useState<ApiProblem | undefined>();

  const items = useApi(
    (signal) =>
      unwrap(
        api.GET("/api/action-items", {
          params: {
            query: {
              limit: 1000,
              ...(statuses.length > 0 ? { status: statuses as ActionItemStatus[] } : {}),
              ...(owner === null ? {} : { owner }),
              ...(overdueOnly ? { overdue: true } : {}),
            },
          },
          signal,
        }),
      ),
    [statuses.join(","), owner, overdueOnly],
  );
  const agreement = useApi(
    (signal) =>
      unwrap(api.GET("/api/agreements/active", { signal })).then(
        (active) => asAgreement(active.agreement),
        () => asAgreement(undefined),
      ),
    [],
  );
  const people = agreement.data ?? {};
  const ownerLabel = (id: string) => (id.includes("@") ? id : personName(people, id));

  const ownerIds = new Set<string>(Object.keys(people.people ?? {}));
  for (const item of items.data?.items ?? []) ownerIds.add(item.owner);
  if (owner !== null) ownerIds.add(owner);
  const owners = [...ownerIds].sort().map((id) => ({ value: id, label: ownerLabel(id) }));

  const shown = (items.data?.items ?? []).filter((item) => type === null || item.type === type);

  async function changeStatus(item: ActionItem, status: ActionItemStatus) {
    setProblem(undefined);
    try {
      await unwrap(
        api.PATCH("/api/action-items/{id}", {
          params: { path: { id: item.id } },
          body: { status },
        }),
      );
      items.reload();
    } catch (error) {
      setProblem(problemOf(error));
    }
  }

  return (
    <DrillDownProvider>
      <PackRecordsProvider>
        <Stack gap="lg">
          <Group justify="space-between" align="flex-end">
            <div>
              <Title order={2}>Action items</Title>
              <Text size="sm" c="dimmed">
                From the reviews and from any figure.{" "}
                <Anchor component={Link} to="/reviews" size="sm">
                  Review packs
                </Anchor>
                {items.data !== undefined &&
                  ` · overdue is judged on ${formatDay(items.data.today)}`}
              </Text>
            </div>
            {canManage && <Button onClick={() => setEditing("new")}>New action item</Button>}
          </Group>
          <Group gap="sm" align="flex-end" wrap="wrap" role="search" aria-label="Filters">
            <MultiSelect
              label="Status"
              placeholder={statuses.length === 0 ? "Any" : undefined}
              data={actionItemStatuses}
              value={statuses}
              onChange={setStatuses}
              clearable
              w={300}
            />
            <Select
              label="Owner"
              placeholder="Anyone"
              data={owners}
              value={owner}
              onChange={setOwner}
              clearable
              searchable
              w={200}
            />
            <Select
              label="Type"
              placeholder="Any type"
              data={actionItemTypes}
              value={type}
              onChange={setType}
              clearable
              w={180}
            />
            <Switch
              label="Overdue only"
              checked={overdueOnly}
              onChange={(event) => setOverdueOnly(event.currentTarget.checked)}
              mb={8}
            />
          </Group>
          {problem !== undefined && (
            <Alert
              color="red"
              title="Not changed"
              role="alert"
              withCloseButton
              onClose={() => setProblem(undefined)}
            >
              {problem.message}
            </Alert>
          )}
          {items.status === "failed" && (
            <ErrorState problem={items.problem} onRetry={items.reload} />
          )}
          {items.data === undefined && items.status === "loading" && (
            <LoadingState label="Loading the action items" />
          )}
          {items.data !== undefined &&
            (shown.length === 0 ? (
              <EmptyState
                title="No action item matches"
                action={
                  canManage
                    ? "Clear a filter, or create one here or from a figure of a review pack."
                    : "Clear a filter. Marketing, sales managers and admins create action items in the reviews."
                }
              />
            ) : (
              <Table.ScrollContainer minWidth={900}>
                <Table highlightOnHover data-testid="action-items">
                  <Table.Thead>
                    <Table.Tr>
                      <Table.Th>Action item</Table.Th>
                      <Table.Th>Owner</Table.Th>
                      <Table.Th>Due</Table.Th>
                      <Table.Th>Type</Table.Th>
                      <Table.Th>Concerns</Table.Th>
                      <Table.Th>Status</Table.Th>
                      {canManage && <Table.Th aria-label="Change" />}
                    </Table.Tr>
                  </Table.Thead>
                  <Table.Tbody>
                    {shown.map((item) => (
                      <Row
                        key={item.id}
                        item={item}
                        focused={item.id === focused}
                        ownerLabel={ownerLabel(item.owner)}
                        canManage={canManage}
                        onStatus={(status) => void changeStatus(item, status)}
                        onEdit={() => setEditing(item)}
                      />
                    ))}
                  </Table.Tbody>
                </Table>
              </Table.ScrollContainer>
            ))}
        </Stack>
        <ActionItemModal
          opened={editing !== undefined}
          onClose={() => setEditing(undefined)}
          item={editing === "new" ? undefined : editing}
          onSaved={() => items.reload()}
        />
      </PackRecordsProvider>
    </DrillDownProvider>
  );
}

/** The item a link names (/reviews/actions/:id) comes into view once, not on every render. */
let scrolledTo: HTMLElement | null = null;
function scrollOnce(row: HTMLTableRowElement | null) {
  if (row === null || row === scrolledTo) return;
  scrolledTo = row;
  row.scrollIntoView({ block: "center" });
}

function Row({
  item,
  focused,
  ownerLabel,
  canManage,
  onStatus,
  onEdit,
}: {
  item: ActionItem;
  focused: boolean;
  ownerLabel: string;
  canManage: boolean;
  onStatus: (status: ActionItemStatus) => void;
  onEdit: () => void;
}) {
  const open = usePackRecords();
  const background = item.overdue
    ? "var(--mantine-color-red-0)"
    : focused
      ? "var(--mantine-color-indigo-0)"
      : undefined;
  return (
    <Table.Tr
      data-item={item.id}
      data-status={item.status}
      data-overdue={item.overdue ? "true" : "false"}
      style={{ background }}
      ref={focused ? scrollOnce : undefined}
    >
      <Table.Td maw={360}>
        <Text size="sm" fw={500}>
          {item.title}
        </Text>
        {item.notes !== "" && (
          <Text size="xs" c="dimmed" lineClamp={2}>
            {item.notes}
          </Text>
        )}
        {item.reviewPackId !== null && (
          <Anchor
            component={Link}
            to={`/reviews?pack=${encodeURIComponent(item.reviewPackId)}`}
            size="xs"
          >
            From its review pack
          </Anchor>
        )}
        <PushedTo item={item} />
      </Table.Td>
      <Table.Td>{ownerLabel}</Table.Td>
      <Table.Td>
        <Text size="sm" c={item.overdue ? "red.9" : undefined} fw={item.overdue ? 600 : 400}>
          {formatDay(item.dueOn)}
        </Text>
        {item.overdue && (
          <Badge color="red.9" variant="filled" size="xs">
            Overdue
          </Badge>
        )}
      </Table.Td>
      <Table.Td>{typeLabel(item.type)}</Table.Td>
      <Table.Td>
        {item.metric !== null && (
          <Text size="sm" ff="monospace" title="the metric, as GET /api/metrics names it">
            {item.metric}
          </Text>
        )}
        {item.leadIds.length > 0 && (
          <UnstyledButton
            className="figure-button"
            style={{ width: "auto" }}
            onClick={() =>
              open({
                title: `Leads of "${item.title}"`,
                recordCount: item.leadIds.length,
                records: item.leadIds.slice(0, 50),
              })
            }
            aria-label={`${item.leadIds.length} leads concerned. Show the leads`}
          >
            <Text size="sm">
              {item.leadIds.length} {item.leadIds.length === 1 ? "lead" : "leads"}
            </Text>
          </UnstyledButton>
        )}
        {item.metric === null && item.leadIds.length === 0 && <Text c="dimmed">—</Text>}
      </Table.Td>
      <Table.Td>
        {canManage ? (
          <Select
            aria-label={`Status of ${item.title}`}
            data={actionItemStatuses}
            value={item.status}
            onChange={(value) =>
              value !== null && value !== item.status && onStatus(value as ActionItemStatus)
            }
            allowDeselect={false}
            size="xs"
            w={130}
          />
        ) : (
          <Badge variant="light" color={statusColor[item.status]}>
            {statusLabel(item.status)}
          </Badge>
        )}
      </Table.Td>
      {canManage && (
        <Table.Td>
          <Button size="xs" variant="default" onClick={onEdit} aria-label={`Change ${item.title}`}>
            Change / push
          </Button>
        </Table.Td>
      )}
    </Table.Tr>
  );
}
