import { Alert, Button, Drawer, Group, ScrollArea, Stack, Table, Text } from "@mantine/core";
import { createContext, type ReactNode, useCallback, useContext, useEffect, useState } from "react";
import { api, problemOf, unwrap } from "../api/client";
import type { paths } from "../api/schema";
import { formatDateTime, formatValue, humanise } from "./format";
import { EmptyState, ErrorState, LoadingState } from "./states";

/**
 * The records behind a figure: every number on a dashboard opens this drawer, which pages
 * through GET /api/metrics/{name}/records (a rep sees their own and queued leads only).
 */

export interface RecordsQuery {
  metric: string;
  figure: string;
  group?: string | undefined;
  by?: string | null | undefined;
  from: string;
  to: string;
  /** what the user clicked, as a title */
  title: string;
}

type RecordsPage =
  paths["/api/metrics/{name}/records"]["get"]["responses"][200]["content"]["application/json"];
type Dimension = NonNullable<
  paths["/api/metrics/{name}/records"]["get"]["parameters"]["query"]
>["by"];

const DrillDownContext = createContext<(query: RecordsQuery) => void>(() => {});

export function useDrillDown() {
  return useContext(DrillDownContext);
}

export function DrillDownProvider({ children }: { children: ReactNode }) {
  const [query, setQuery] = useState<RecordsQuery | undefined>();
  const open = useCallback((next: RecordsQuery) => setQuery(next), []);
  return (
    <DrillDownContext.Provider value={open}>
      {children}
      <Drawer
        opened={query !== undefined}
        onClose={() => setQuery(undefined)}
        position="right"
        size="xl"
        title={<Text fw={600}>{query?.title}</Text>}
        scrollAreaComponent={ScrollArea.Autosize}
      >
        {query !== undefined && <RecordsTable key={JSON.stringify(query)} query={query} />}
      </Drawer>
    </DrillDownContext.Provider>
  );
}

function RecordsTable({ query }: { query: RecordsQuery }) {
  const [items, setItems] = useState<RecordsPage["items"]>([]);
  const [page, setPage] = useState<RecordsPage | undefined>();
  const [offset, setOffset] = useState(0);
  const [problem, setProblem] = useState<ReturnType<typeof problemOf> | undefined>();
  const [loading, setLoading] = useState(true);

  useEffect(() => {
    let live = true;
    setLoading(true);
    unwrap(
      api.GET("/api/metrics/{name}/records", {
        params: {
          path: { name: query.metric },
          query: {
            figure: query.figure,
            from: query.from,
            to: query.to,
            offset,
            limit: 100,
            ...(query.group === undefined ? {} : { group: query.group }),
            ...(query.by ? { by: query.by as Dimension } : {}),
          },
        },
      }),
    ).then(
      (next) => {
        if (!live) return;
        setPage(next);
        setItems((previous) => (offset === 0 ? next.items : [...previous, ...next.items]));
        setLoading(false);
      },
      (error: unknown) => {
        if (!live) return;
        setProblem(problemOf(error));
        setLoading(false);
      },
    );
    return () => {
      live = false;
    };
  }, [query, offset]);

  if (problem !== undefined) return <ErrorState problem={problem} />;
  if (page === undefined) return <LoadingState label="Loading the records" />;
  if (page.total === 0)
    return (
      <EmptyState
        title="No records behind this figure"
        action="Nothing in the period counts towards it. Try a longer period. A rep sees only their own and queued leads."
      />
    );
  return (
    <Stack gap="sm">
      <Text size="sm" c="dimmed">
        {page.total} {page.kind} — showing {items.length}
      </Text>
      <Table.ScrollContainer minWidth={640}>
        <Table striped highlightOnHover data-testid="records-table">
          <Table.Thead>
            <Table.Tr>
              <Table.Th>Lead</Table.Th>
              <Table.Th>Company</Table.Th>
              <Table.Th>Source</Table.Th>
              <Table.Th>Stage</Table.Th>
              <Table.Th>Owner</Table.Th>
              <Table.Th ta="right">Amount</Table.Th>
              <Table.Th>Created</Table.Th>
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {items.map((item) => (
              <Table.Tr key={item.ref}>
                <Table.Td>
                  <Text size="sm" fw={500}>
                    {item.name ?? item.email ?? item.leadId ?? item.ref}
                  </Text>
                  {item.name !== null && item.email !== null && (
                    <Text size="xs" c="dimmed">
                      {item.email}
                    </Text>
                  )}
                </Table.Td>
                <Table.Td>{item.company ?? "—"}</Table.Td>
                <Table.Td>{item.source === null ? "—" : humanise(item.source)}</Table.Td>
                <Table.Td>{item.outcome ?? item.stage ?? "—"}</Table.Td>
                <Table.Td>{item.owner ?? "—"}</Table.Td>
                <Table.Td ta="right">{formatValue(item.amount, "currency")}</Table.Td>
                <Table.Td>{formatDateTime(item.createdAt)}</Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      </Table.ScrollContainer>
      {page.nextOffset !== null && (
        <Group>
          <Button
            variant="default"
            loading={loading}
            onClick={() => setOffset(page.nextOffset ?? offset)}
          >
            Show more
          </Button>
        </Group>
      )}
      {loading && items.length === 0 && <Alert>Loading…</Alert>}
    </Stack>
  );
}
