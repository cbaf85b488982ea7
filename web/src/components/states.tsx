import { Alert, Button, Center, Loader, Stack, Text } from "@mantine/core";
import type { ApiProblem } from "../api/client";

/** What the user should do about a refusal, in words, by the API's error code. */
function adviceFor(problem: ApiProblem): string {
  if (problem.status === 0) return "Check your connection, then try again.";
  if (problem.status === 403) return "Your role may not see this. Ask an admin if you need it.";
  if (problem.code === "no_active_agreement")
    return "No agreement is active yet: marketing and sales approve one first (baton agreement approve).";
  if (problem.status === 429)
    return "Too many requests just now; wait a few seconds and try again.";
  if (problem.status >= 500)
    return "Baton failed on its side; try again, and tell an admin if it keeps failing.";
  return "Try again; if it keeps failing, tell an admin.";
}

export function ErrorState({
  problem,
  onRetry,
  title = "Could not load this",
}: {
  problem: ApiProblem;
  onRetry?: () => void;
  title?: string;
}) {
  return (
    <Alert color="red" title={title} role="alert">
      <Stack gap="xs">
        <Text size="sm">{problem.message}</Text>
        <Text size="sm">{adviceFor(problem)}</Text>
        {onRetry !== undefined && (
          <div>
            <Button size="xs" variant="white" color="red" onClick={onRetry}>
              Try again
            </Button>
          </div>
        )}
      </Stack>
    </Alert>
  );
}

export function LoadingState({ label }: { label: string }) {
  return (
    <Center py="lg" role="status" aria-label={label}>
      <Stack align="center" gap="xs">
        <Loader size="sm" />
        <Text size="sm" c="dimmed">
          {label}
        </Text>
      </Stack>
    </Center>
  );
}

export function EmptyState({ title, action }: { title: string; action: string }) {
  return (
    <Center py="xl">
      <Stack align="center" gap={4} maw={480} ta="center">
        <Text fw={600}>{title}</Text>
        <Text size="sm" c="dimmed">
          {action}
        </Text>
      </Stack>
    </Center>
  );
}
