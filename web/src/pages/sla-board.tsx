import { Alert, Badge, Box, Button, Chip, Group, Select, Stack, Text, Title } from "@mantine/core";
import { useVirtualizer } from "@tanstack/react-virtual";
import { useEffect, useMemo, useRef, useState } from "react";
import { useSearchParams } from "react-router";
import { type ApiProblem, api, problemOf, unwrap } from "../api/client";
import type { paths } from "../api/schema";
import { useSignedIn } from "../api/session";
import { formatCountdown, formatDateTime, humanise } from "../components/format";
import { EmptyState, ErrorState, LoadingState } from "../components/states";

/**
 * The SLA board: every open lead's SLA clocks with their state, counting down live.
 *
 * Updates: the board polls GET /api/sla-board?since=<cursor> every 5 seconds for the rows changed
 * since the last answer (the worker's warnings and breaches are ledger events, so they arrive
 * within one poll), and loads whole once a minute (outside-hours changes with the clock, not
 * with events). Polling rather than server-sent events: it needs nothing more of the server,
 * survives proxies and restarts, and a delta of a quiet minute is a few hundred bytes. Between
 * polls the countdowns tick every second, and a clock whose due passes shows as breached at once.
 * The list is virtualised: only the rows in view are in the page, so 5,000 clocks scroll smoothly.
 */

type Board = paths["/api/sla-board"]["get"]["responses"][200]["content"]["application/json"];
type Row = Board["rows"][number];
type State = Row["state"];

const pollMs = 5_000;
const fullLoadMs = 60_000;

export const stateLabels: Record<State, string> = {
  breached: "Breached",
  "at-risk": "At risk",
  "on-track": "On track",
  "outside-hours": "Outside hours",
  paused: "Paused",
  met: "Met",
};
/** dark shades on light badges: AA contrast for the words */
const stateColors: Record<State, string> = {
  breached: "red",
  "at-risk": "orange",
  "on-track": "teal",
  "outside-hours": "blue",
  paused: "gray",
  met: "green",
};
const urgency: State[] = ["breached", "at-risk", "on-track", "outside-hours", "paused", "met"];

/** The state now: a running clock whose due has passed is breached before the worker says so. */
function liveState(row: Row, now: number): State {
  const running =
    row.state === "on-track" || row.state === "at-risk" || row.state === "outside-hours";
  if (running && row.dueAt !== null && Date.parse(row.dueAt) <= now) return "breached";
  return row.state;
}

function useBoard() {
  const [rows, setRows] = useState<Map<string, Row> | undefined>();
  const [problem, setProblem] = useState<ApiProblem | undefined>();
  const [updatedAt, setUpdatedAt] = useState<number | undefined>();
  const cursor = useRef<number | undefined>(undefined);
  const lastFull = useRef(0);

  useEffect(() => {
    let live = true;
    let timer: ReturnType<typeof setTimeout> | undefined;
    async function poll() {
      const whole = cursor.current === undefined || Date.now() - lastFull.current >= fullLoadMs;
      try {
        const board = await unwrap(
          api.GET("/api/sla-board", {
            params: { query: whole ? {} : { since: cursor.current } },
          }),
        );
        if (!live) return;
        cursor.current = board.cursor;
        if (whole) lastFull.current = Date.now();
        setRows((previous) => {
          const next = new Map(whole || previous === undefined ? [] : previous);
          for (const row of board.rows)
            if (row.onBoard) next.set(row.clockId, row);
            else next.delete(row.clockId);
          return next;
        });
        setProblem(undefined);
        setUpdatedAt(Date.now());
      } catch (error) {
        if (live) setProblem(problemOf(error));
      }
      if (live) timer = setTimeout(poll, pollMs);
    }
    void poll();
    return () => {
      live = false;
      clearTimeout(timer);
    };
  }, []);
  return { rows, problem, updatedAt };
}

function useNow(everyMs: number): number {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    const interval = setInterval(() => setNow(Date.now()), everyMs);
    return () => clearInterval(interval);
  }, [everyMs]);
  return now;
}

const filterNames = ["team", "rep", "source"] as const;

export default function SlaBoardPage() {
  const session = useSignedIn();
  const { rows, problem, updatedAt } = useBoard();
  const now = useNow(1000);
  const [params, setParams] = useSearchParams();
  const chosenStates = params.getAll("state") as State[];

  const all = useMemo(() => [...(rows?.values() ?? [])], [rows]);
  const options = useMemo(() => {
    const collect = (pick: (row: Row) => [string, string] | undefined) => {
      const found = new Map<string, string>();
      for (const row of all) {
        const entry = pick(row);
        if (entry !== undefined) found.set(entry[0], entry[1]);
      }
      return [...found]
        .map(([value, label]) => ({ value, label }))
        .sort((a, b) => a.label.localeCompare(b.label));
    };
    return {
      team: collect((row) =>
        row.team === null ? undefined : [row.team, row.teamName ?? row.team],
      ),
      rep: collect((row) =>
        row.owner === null
          ? undefined
          : [
              row.owner,
              row.ownerKind === "queue"
                ? `Queue: ${humanise(row.owner)}`
                : (row.ownerName ?? row.owner),
            ],
      ),
      source: collect((row) =>
        row.source === null ? undefined : [row.source, humanise(row.source)],
      ),
    };
  }, [all]);

  const withStates = useMemo(
    () =>
      all
        .map((row) => ({ row, state: liveState(row, now) }))
        .filter(
          ({ row }) =>
            (params.get("team") === null || row.team === params.get("team")) &&
            (params.get("rep") === null || row.owner === params.get("rep")) &&
            (params.get("source") === null || row.source === params.get("source")),
        ),
    [all, now, params],
  );
  const counts = useMemo(() => {
    const found = Object.fromEntries(urgency.map((state) => [state, 0])) as Record<State, number>;
    for (const { state } of withStates) found[state] += 1;
    return found;
  }, [withStates]);
  const shown = useMemo(
    () =>
      withStates
        .filter(({ state }) => chosenStates.length === 0 || chosenStates.includes(state))
        .sort(
          (a, b) =>
            urgency.indexOf(a.state) - urgency.indexOf(b.state) ||
            (a.row.dueAt === null ? Number.POSITIVE_INFINITY : Date.parse(a.row.dueAt)) -
              (b.row.dueAt === null ? Number.POSITIVE_INFINITY : Date.parse(b.row.dueAt)) ||
            a.row.clockId.localeCompare(b.row.clockId),
        ),
    [withStates, chosenStates],
  );

  const setFilter = (name: string, value: string | null) => {
    const next = new URLSearchParams(params);
    if (value === null) next.delete(name);
    else next.set(name, value);
    setParams(next, { replace: true });
  };
  const setStates = (states: string[]) => {
    const next = new URLSearchParams(params);
    next.delete("state");
    for (const state of states) next.append("state", state);
    setParams(next, { replace: true });
  };
  const filtered = filterNames.some((name) => params.get(name) !== null) || chosenStates.length > 0;

  return (
    <Stack gap="md">
      <Group justify="space-between" align="flex-end">
        <div>
          <Title order={2}>SLA board</Title>
          <Text size="sm" c="dimmed">
            {session.user.role === "rep"
              ? "Your open MQLs and the queues', with their SLA clocks."
              : "Every open MQL's SLA clocks."}{" "}
            <span aria-live="polite" data-testid="board-updated">
              {updatedAt === undefined
                ? ""
                : `Updated ${new Date(updatedAt).toLocaleTimeString()}; updates every 5 s.`}
            </span>
          </Text>
        </div>
      </Group>

      {problem !== undefined && rows !== undefined && (
        <Alert color="orange" role="status" title="Updates paused">
          {problem.message} The board shows what it last knew and keeps trying every 5 seconds.
        </Alert>
      )}

      <Group gap="sm" align="flex-end" wrap="wrap">
        <Select
          label="Team"
          placeholder="Every team"
          data={options.team}
          value={params.get("team")}
          onChange={(value) => setFilter("team", value)}
          clearable
          searchable
          w={200}
        />
        <Select
          label="Rep or queue"
          placeholder="Everyone"
          data={options.rep}
          value={params.get("rep")}
          onChange={(value) => setFilter("rep", value)}
          clearable
          searchable
          w={200}
        />
        <Select
          label="Source"
          placeholder="Every source"
          data={options.source}
          value={params.get("source")}
          onChange={(value) => setFilter("source", value)}
          clearable
          searchable
          w={200}
        />
        {filtered && (
          <Button
            variant="subtle"
            onClick={() => setParams(new URLSearchParams(), { replace: true })}
          >
            Clear filters
          </Button>
        )}
      </Group>
      <Box>
        <Text size="sm" fw={500} id="state-filter-label" mb={4}>
          State
        </Text>
        <Chip.Group multiple value={chosenStates} onChange={setStates}>
          <Group gap={6} role="group" aria-labelledby="state-filter-label">
            {urgency.map((state) => (
              <Chip key={state} value={state} color={stateColors[state]} variant="light" size="sm">
                {stateLabels[state]} ({counts[state]})
              </Chip>
            ))}
          </Group>
        </Chip.Group>
      </Box>

      {rows === undefined && problem !== undefined && <ErrorState problem={problem} />}
      {rows === undefined && problem === undefined && (
        <LoadingState label="Loading the SLA board" />
      )}
      {rows !== undefined && all.length === 0 && (
        <EmptyState
          title="No open leads with SLA clocks"
          action="Clocks start when leads arrive and qualify under the active agreement. If leads are arriving, check that an agreement is active (Agreement page or baton agreement activate)."
        />
      )}
      {rows !== undefined && all.length > 0 && shown.length === 0 && (
        <EmptyState
          title="No clocks match these filters"
          action="Clear a filter or pick other states."
        />
      )}
      {shown.length > 0 && <BoardList rows={shown} now={now} />}
    </Stack>
  );
}

function BoardList({ rows, now }: { rows: { row: Row; state: State }[]; now: number }) {
  const scroller = useRef<HTMLDivElement>(null);
  const virtualizer = useVirtualizer({
    count: rows.length,
    getScrollElement: () => scroller.current,
    estimateSize: () => 68,
    overscan: 8,
    getItemKey: (index) => rows[index]?.row.clockId ?? index,
  });
  return (
    <Box>
      <Text size="sm" c="dimmed" mb={4} data-testid="board-count">
        {rows.length} {rows.length === 1 ? "clock" : "clocks"}
      </Text>
      <Box
        ref={scroller}
        h="calc(100vh - 330px)"
        mih={320}
        style={{
          overflowY: "auto",
          border: "1px solid var(--mantine-color-gray-3)",
          borderRadius: 4,
        }}
        data-testid="board-list"
      >
        <ul
          aria-label="SLA clocks, most urgent first"
          style={{
            height: virtualizer.getTotalSize(),
            position: "relative",
            margin: 0,
            padding: 0,
            listStyle: "none",
          }}
        >
          {virtualizer.getVirtualItems().map((item) => {
            const entry = rows[item.index];
            if (entry === undefined) return null;
            return (
              <li
                key={item.key}
                className="board-row"
                data-state={entry.state}
                data-lead={entry.row.leadId}
                data-step={entry.row.step}
                data-owner={entry.row.owner ?? ""}
                data-owner-kind={entry.row.ownerKind ?? ""}
                style={{
                  position: "absolute",
                  top: 0,
                  left: 0,
                  right: 0,
                  height: item.size,
                  transform: `translateY(${item.start}px)`,
                }}
              >
                <BoardRow row={entry.row} state={entry.state} now={now} />
              </li>
            );
          })}
        </ul>
      </Box>
    </Box>
  );
}

function clockText(row: Row, state: State, now: number): string {
  const due = row.dueAt === null ? undefined : Date.parse(row.dueAt);
  switch (state) {
    case "met":
      return `Met ${formatDateTime(row.stoppedAt)}`;
    case "paused":
      return "Paused: the clock stands still";
    case "breached":
      return due === undefined ? "Breached" : `Overdue by ${formatCountdown(now - due)}`;
    case "outside-hours":
      return due === undefined
        ? "Outside working hours"
        : `Outside hours; due ${formatDateTime(due)}`;
    default:
      return due === undefined ? "No due time" : `Due in ${formatCountdown(due - now)}`;
  }
}

function BoardRow({ row, state, now }: { row: Row; state: State; now: number }) {
  const age = now - Date.parse(row.leadCreatedAt);
  const owner =
    row.owner === null
      ? "Unassigned"
      : row.ownerKind === "queue"
        ? `Queue: ${humanise(row.owner)}`
        : (row.ownerName ?? row.owner);
  return (
    <Box
      h="100%"
      px="sm"
      py={6}
      aria-label={`${row.name ?? row.leadId}, ${humanise(row.step)}: ${stateLabels[state]}, ${clockText(row, state, now)}. Owner ${owner}`}
      style={{ display: "flex", alignItems: "center" }}
    >
      <Group w="100%" gap="sm" wrap="nowrap" justify="space-between">
        <Stack gap={2} style={{ minWidth: 0, flex: 1 }}>
          <Group gap={6} wrap="nowrap">
            <Badge
              color={stateColors[state]}
              variant="light"
              size="sm"
              style={{ flexShrink: 0 }}
              data-testid="row-state"
            >
              {stateLabels[state]}
            </Badge>
            <Text size="sm" fw={600} truncate>
              {row.name ?? row.leadId}
              {row.company !== null && (
                <Text span size="sm" c="dimmed" fw={400}>
                  {" "}
                  · {row.company}
                </Text>
              )}
            </Text>
          </Group>
          <Text size="xs" c="dimmed" truncate>
            {humanise(row.step)} · {owner}
            {row.teamName !== null ? ` (${row.teamName})` : ""} ·{" "}
            {row.source === null ? "no source" : humanise(row.source)} · {humanise(row.stage)} · age{" "}
            {formatCountdown(age)}
          </Text>
        </Stack>
        <Text
          size="sm"
          fw={600}
          ta="right"
          c={state === "breached" ? "red.9" : state === "at-risk" ? "orange.9" : undefined}
          style={{ fontVariantNumeric: "tabular-nums", whiteSpace: "nowrap" }}
          data-testid="row-clock"
        >
          {clockText(row, state, now)}
        </Text>
      </Group>
    </Box>
  );
}
