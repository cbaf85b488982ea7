import { Anchor, Button, Drawer, Group, ScrollArea, Stack, Table, Text } from "@mantine/core";
import { createContext, type ReactNode, useCallback, useContext, useState } from "react";
import { Link } from "react-router";
import { api, unwrap } from "../api/client";
import { useApi } from "../api/use-api";
import { humanise } from "../components/format";
import { useDrillDown } from "../components/records-drawer";
import { EmptyState, LoadingState } from "../components/states";
import { leadIdOfRecord } from "./review-api";

/**
 * The records behind a pack's figure. A pack keeps, frozen at generation, how many records a
 * figure counts and the first few of their ids (a pack stays small); this drawer names those
 * (one GET /api/leads/{id} each: at most 20) and, when the figure is a metric's, opens the whole
 * list as the metric counts it now (the dashboard's records drawer).
 */

export interface PackRecordsQuery {
  title: string;
  recordCount: number;
  records: string[];
  /** the metric and figure, to open every record through GET /api/metrics/{name}/records */
  metric?: { name: string; figure: string; from: number; to: number } | undefined;
}

const PackRecordsContext = createContext<(query: PackRecordsQuery) => void>(() => {});

export function usePackRecords() {
  return useContext(PackRecordsContext);
}

export function PackRecordsProvider({ children }: { children: ReactNode }) {
  const [query, setQuery] = useState<PackRecordsQuery | undefined>();
  const open = useCallback((next: PackRecordsQuery) => setQuery(next), []);
  return (
    <PackRecordsContext.Provider value={open}>
      {children}
      <Drawer
        opened={query !== undefined}
        onClose={() => setQuery(undefined)}
        position="right"
        size="lg"
        title={<Text fw={600}>{query?.title}</Text>}
        scrollAreaComponent={ScrollArea.Autosize}
      >
        {query !== undefined && (
          <PackRecords
            key={JSON.stringify(query)}
            query={query}
            onClose={() => setQuery(undefined)}
          />
        )}
      </Drawer>
    </PackRecordsContext.Provider>
  );
}

function PackRecords({ query, onClose }: { query: PackRecordsQuery; onClose: () => void }) {
  const drillDown = useDrillDown();
  const leads = useApi(
    (signal) =>
      Promise.all(
        query.records.map(async (record) => {
          const leadId = leadIdOfRecord(record);
          const found = await unwrap(
            api.GET("/api/leads/{id}", { params: { path: { id: leadId } }, signal }),
          ).catch(() => undefined);
          return { record, leadId, lead: found?.lead };
        }),
      ),
    [query],
  );
  const metric = query.metric;
  return (
    <Stack gap="sm">
      <Text size="sm" c="dimmed" data-testid="pack-records-count">
        {query.recordCount === 0
          ? "No records behind this figure."
          : query.records.length < query.recordCount
            ? `${query.recordCount} records; the pack keeps the first ${query.records.length}.`
            : `${query.recordCount} ${query.recordCount === 1 ? "record" : "records"}.`}
      </Text>
      {metric !== undefined && query.recordCount > 0 && (
        <Group>
          <Button
            variant="default"
            size="xs"
            onClick={() => {
              onClose();
              drillDown({
                metric: metric.name,
                figure: metric.figure,
                from: new Date(metric.from).toISOString(),
                to: new Date(metric.to).toISOString(),
                title: `${query.title}: every record, as counted now`,
              });
            }}
          >
            Every record, as counted now
          </Button>
        </Group>
      )}
      {query.records.length === 0 ? (
        query.recordCount > 0 && (
          <EmptyState
            title="The pack keeps no ids for this figure"
            action="Open every record as counted now, or the dashboard for the period."
          />
        )
      ) : leads.data === undefined ? (
        <LoadingState label="Looking up the leads" />
      ) : (
        <Table.ScrollContainer minWidth={420}>
          <Table striped data-testid="pack-records-table">
            <Table.Thead>
              <Table.Tr>
                <Table.Th>Record</Table.Th>
                <Table.Th>Company</Table.Th>
                <Table.Th>Stage</Table.Th>
                <Table.Th>Owner</Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {leads.data.map(({ record, leadId, lead }) => (
                <Table.Tr key={record}>
                  <Table.Td>
                    {lead === undefined ? (
                      <Text size="sm" ff="monospace">
                        {record}
                      </Text>
                    ) : (
                      <>
                        <Anchor component={Link} to={`/leads/${leadId}`} size="sm" fw={500}>
                          {lead.name}
                        </Anchor>
                        {record !== leadId && (
                          <Text size="xs" c="dimmed">
                            {record.slice(leadId.length + 1)}
                          </Text>
                        )}
                      </>
                    )}
                  </Table.Td>
                  <Table.Td>{lead?.company ?? "—"}</Table.Td>
                  <Table.Td>{lead === undefined ? "—" : humanise(lead.stage)}</Table.Td>
                  <Table.Td>{lead?.owner?.id ?? "—"}</Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        </Table.ScrollContainer>
      )}
    </Stack>
  );
}
