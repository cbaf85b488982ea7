import { Badge, Card, Group, Text, Title, UnstyledButton } from "@mantine/core";
import type { CSSProperties, ReactNode } from "react";
import { formatValue } from "../components/format";
import { type PackRecordsQuery, usePackRecords } from "./pack-records";
import type { Comparison, PackFigure } from "./review-api";

/** Pieces of the review pack page: a section card, a figure that opens its records, a change. */

export function Section({
  title,
  children,
  right,
  testId,
}: {
  title: string;
  children: ReactNode;
  right?: ReactNode;
  testId?: string;
}) {
  return (
    <Card withBorder padding="md" component="section" aria-label={title} data-testid={testId}>
      <Group justify="space-between" mb="sm" wrap="wrap" gap="xs">
        <Title order={3} size="h4">
          {title}
        </Title>
        {right}
      </Group>
      {children}
    </Card>
  );
}

export function formatPackFigure(figure: Pick<PackFigure, "value" | "unit"> | undefined): string {
  return figure === undefined ? "—" : formatValue(figure.value, figure.unit);
}

/** "15 of 48" for a rate, so a small denominator shows. */
export function ratioOf(figure: PackFigure): string | undefined {
  if (figure.numerator === null || figure.denominator === null) return undefined;
  return `${formatValue(figure.numerator, "count")} of ${formatValue(figure.denominator, "count")}`;
}

/** Whatever shows a count (a figure, a list of leads) as a button that opens its records. */
export function RecordsButton({
  query,
  label,
  style,
  role,
  children,
}: {
  query: PackRecordsQuery;
  /** what a screen reader says, ending with what the button does */
  label: string;
  style?: CSSProperties;
  /** "listitem" where the buttons make a list */
  role?: "listitem";
  children: ReactNode;
}) {
  const open = usePackRecords();
  return (
    <UnstyledButton
      className="figure-button"
      onClick={() => open(query)}
      aria-label={label}
      style={style}
      role={role}
    >
      {children}
    </UnstyledButton>
  );
}

/** A figure as a button that opens the records the pack keeps for it. */
export function FigureButton({
  figure,
  title,
  metric,
  size = "sm",
  withRatio = false,
}: {
  figure: PackFigure;
  title: string;
  metric?: { name: string; figure: string; from: number; to: number } | undefined;
  size?: "sm" | "md" | "xl";
  withRatio?: boolean;
}) {
  const text = formatPackFigure(figure);
  const ratio = withRatio ? ratioOf(figure) : undefined;
  return (
    <RecordsButton
      query={{ title, recordCount: figure.recordCount, records: figure.records, metric }}
      label={`${title}: ${text}. Show the records`}
      style={{ width: "auto", display: "inline-block" }}
    >
      <Text
        fz={size === "xl" ? 28 : size === "md" ? "lg" : "sm"}
        fw={size === "sm" ? 500 : 700}
        lh={1.2}
      >
        {text}
      </Text>
      {ratio !== undefined && (
        <Text size="xs" c="dimmed">
          {ratio}
        </Text>
      )}
    </RecordsButton>
  );
}

/** The change from the previous period, coloured by which direction is good news. */
export function Change({
  comparison,
  better,
  previousLabel,
}: {
  comparison: Comparison;
  better: "higher" | "lower";
  previousLabel?: string;
}) {
  const { current, previous, change } = comparison;
  if (change === null || previous.value === null)
    return (
      <Text size="xs" c="dimmed">
        No previous figure to compare
      </Text>
    );
  const good = better === "higher" ? change > 0 : change < 0;
  const arrow = change === 0 ? "→" : change > 0 ? "▲" : "▼";
  const amount =
    current.unit === "rate"
      ? `${formatValue(Math.abs(change) * 100, "count")} pts`
      : formatValue(Math.abs(change), current.unit);
  return (
    <Text size="xs" c={change === 0 ? "dimmed" : good ? "teal.9" : "red.9"} fw={500}>
      {arrow} {amount} vs {formatPackFigure(previous)} {previousLabel ?? "before"}
    </Text>
  );
}

export const commitmentColor: Record<string, string> = {
  met: "teal.9",
  missed: "red.9",
  "in-progress": "blue.8",
  "no-data": "gray",
};

export function CommitmentBadge({ status, label }: { status: string; label?: string }) {
  return (
    <Badge
      variant="light"
      color={commitmentColor[status] ?? "gray"}
      size="sm"
      style={{ flexShrink: 0, minWidth: "max-content" }}
    >
      {label === undefined ? status.replace("-", " ") : `${label}: ${status.replace("-", " ")}`}
    </Badge>
  );
}

export const severityColor: Record<string, string> = {
  high: "red.9",
  medium: "orange.9",
  low: "gray",
};
