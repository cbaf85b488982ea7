import { Box, Group, Stack, Text, UnstyledButton } from "@mantine/core";

/**
 * Horizontal bars that are buttons: each opens the records behind it. Plain elements rather than
 * an SVG chart, so every bar is focusable, named for screen readers and readable at any width.
 */
export interface Bar {
  key: string;
  label: string;
  /** the bar's length, 0–1 of the longest */
  share: number;
  /** the figure as read */
  display: string;
  detail?: string | undefined;
  color?: string;
  onOpen: () => void;
}

export function BarList({ bars, label }: { bars: Bar[]; label: string }) {
  return (
    <Stack gap={6} role="group" aria-label={label}>
      {bars.map((bar) => (
        <UnstyledButton
          key={bar.key}
          onClick={bar.onOpen}
          aria-label={`${bar.label}: ${bar.display}${bar.detail ? ` (${bar.detail})` : ""}. Show the records`}
          className="bar-button"
        >
          <Group justify="space-between" gap="xs" wrap="nowrap">
            <Text size="sm" truncate>
              {bar.label}
            </Text>
            <Text size="sm" fw={600} style={{ whiteSpace: "nowrap" }}>
              {bar.display}
              {bar.detail !== undefined && (
                <Text span size="xs" c="dimmed" fw={400}>
                  {" "}
                  {bar.detail}
                </Text>
              )}
            </Text>
          </Group>
          <Box h={8} bg="gray.2" style={{ borderRadius: 4 }}>
            <Box
              h={8}
              bg={bar.color ?? "indigo.6"}
              style={{ borderRadius: 4, width: `${Math.max(0, Math.min(1, bar.share)) * 100}%` }}
            />
          </Box>
        </UnstyledButton>
      ))}
    </Stack>
  );
}
