import {
  Alert,
  Anchor,
  Button,
  Card,
  Grid,
  Group,
  NavLink,
  Select,
  Stack,
  Text,
  Textarea,
  TextInput,
  Title,
} from "@mantine/core";
import { type FormEvent, useState } from "react";
import { Link, useSearchParams } from "react-router";
import { type ApiProblem, api, problemOf, unwrap } from "../api/client";
import { useApi } from "../api/use-api";
import { formatDateTime } from "../components/format";
import { DrillDownProvider } from "../components/records-drawer";
import { EmptyState, ErrorState, LoadingState } from "../components/states";
import { Section } from "../review/pack-parts";
import { PackRecordsProvider } from "../review/pack-records";
import { PackView } from "../review/pack-view";
import {
  type PackList,
  periodChoices,
  type StoredPack,
  useCanManageReviews,
} from "../review/review-api";

/**
 * The joint review: the packs generated so far (scheduled per the agreement's review cadence, or
 * on demand), one pack at a time with its figures and discussion points, its downloads, and the
 * decisions logged with it. Managers (reviews.manage) generate a pack now, log decisions and
 * create action items from any figure; everyone else reads.
 */
export default function ReviewPage() {
  const [params, setParams] = useSearchParams();
  const [listVersion, setListVersion] = useState(0);
  const list = useApi(
    (signal) => unwrap(api.GET("/api/reviews", { params: { query: { limit: 50 } }, signal })),
    [listVersion],
  );
  const chosen = params.get("pack") ?? list.data?.items[0]?.id ?? null;
  const choose = (id: string) => setParams({ pack: id });

  return (
    <DrillDownProvider>
      <PackRecordsProvider>
        <Stack gap="lg">
          <Group justify="space-between" align="flex-end">
            <div>
              <Title order={2}>Review</Title>
              <Text size="sm" c="dimmed">
                The pack for each period of the joint review: figures against the previous period
                and both sides' commitments, and what to discuss.{" "}
                <Anchor component={Link} to="/reviews/actions" size="sm">
                  Action items
                </Anchor>
              </Text>
            </div>
          </Group>
          {list.status === "failed" && <ErrorState problem={list.problem} onRetry={list.reload} />}
          {list.data === undefined && list.status === "loading" && (
            <LoadingState label="Loading the review packs" />
          )}
          {list.data !== undefined && (
            <Grid gutter="lg">
              <Grid.Col span={{ base: 12, md: 3 }}>
                <Stack gap="md">
                  <Generate
                    reviews={list.data.reviews}
                    onGenerated={(stored) => {
                      setListVersion((n) => n + 1);
                      choose(stored.id);
                    }}
                  />
                  <PastPacks list={list.data} chosen={chosen} onChoose={choose} />
                </Stack>
              </Grid.Col>
              <Grid.Col span={{ base: 12, md: 9 }}>
                {chosen === null ? (
                  <EmptyState
                    title="No review pack yet"
                    action="Packs are made on each review's schedule (the agreement's reviews section). A manager can generate one now."
                  />
                ) : (
                  <Pack id={chosen} />
                )}
              </Grid.Col>
            </Grid>
          )}
        </Stack>
      </PackRecordsProvider>
    </DrillDownProvider>
  );
}

function Generate({
  reviews,
  onGenerated,
}: {
  reviews: PackList["reviews"];
  onGenerated: (stored: StoredPack) => void;
}) {
  const canManage = useCanManageReviews();
  const [review, setReview] = useState<string | null>(reviews[0]?.id ?? "");
  const [period, setPeriod] = useState<string>("");
  const [from, setFrom] = useState("");
  const [to, setTo] = useState("");
  const [problem, setProblem] = useState<ApiProblem | undefined>();
  const [fieldError, setFieldError] = useState<string | undefined>();
  const [busy, setBusy] = useState(false);
  if (!canManage) return null;

  async function generate(event: FormEvent) {
    event.preventDefault();
    setProblem(undefined);
    setFieldError(undefined);
    let asked: string | undefined = period === "" ? undefined : period;
    if (period === "custom") {
      if (!/^\d{4}-\d{2}-\d{2}$/.test(from) || !/^\d{4}-\d{2}-\d{2}$/.test(to) || from >= to) {
        setFieldError("Pick a first day and an end day after it (the end day is not included)");
        return;
      }
      asked = `${from}..${to}`;
    }
    setBusy(true);
    try {
      const stored = await unwrap(
        api.POST("/api/reviews", {
          body: {
            ...(review ? { review } : {}),
            ...(asked === undefined ? {} : { period: asked }),
          },
        }),
      );
      onGenerated(stored);
    } catch (error) {
      setProblem(problemOf(error));
    } finally {
      setBusy(false);
    }
  }

  return (
    <Card withBorder padding="sm" component="section" aria-label="Generate a pack">
      <form onSubmit={generate}>
        <Stack gap="xs">
          <Select
            label="Review"
            data={[
              ...reviews.map((entry) => ({ value: entry.id, label: entry.name })),
              { value: "", label: "No review (ad-hoc period)" },
            ]}
            value={review}
            onChange={setReview}
            allowDeselect={false}
          />
          <Select
            label="Period"
            data={periodChoices}
            value={period}
            onChange={(value) => setPeriod(value ?? "")}
            allowDeselect={false}
          />
          {period === "custom" && (
            <Group grow>
              <TextInput
                label="From"
                type="date"
                value={from}
                onChange={(e) => setFrom(e.currentTarget.value)}
              />
              <TextInput
                label="Until"
                type="date"
                value={to}
                onChange={(e) => setTo(e.currentTarget.value)}
                error={fieldError}
              />
            </Group>
          )}
          {problem !== undefined && (
            <Alert color="red" title="Not generated" role="alert">
              {problem.message}
            </Alert>
          )}
          <Button type="submit" loading={busy}>
            Generate now
          </Button>
        </Stack>
      </form>
    </Card>
  );
}

function PastPacks({
  list,
  chosen,
  onChoose,
}: {
  list: PackList;
  chosen: string | null;
  onChoose: (id: string) => void;
}) {
  const nameOf = (id: string | null) =>
    id === null ? "Ad-hoc" : (list.reviews.find((review) => review.id === id)?.name ?? id);
  return (
    <Card withBorder padding="xs" component="nav" aria-label="Past packs">
      <Text size="sm" fw={600} px="xs" pb={4}>
        Past packs
      </Text>
      {list.items.length === 0 ? (
        <Text size="sm" c="dimmed" px="xs">
          None yet.
        </Text>
      ) : (
        list.items.map((item) => (
          <NavLink
            key={item.id}
            active={item.id === chosen}
            label={item.period.label}
            description={`${nameOf(item.review)} · ${item.trigger === "schedule" ? "scheduled" : `by ${item.generatedBy}`} · ${formatDateTime(item.createdAt)}`}
            onClick={() => onChoose(item.id)}
            data-testid="past-pack"
          />
        ))
      )}
      {list.reviews.length > 0 && (
        <Stack gap={2} px="xs" pt="xs">
          {list.reviews.map((review) => (
            <Text size="xs" c="dimmed" key={review.id}>
              {review.name}: next {formatDateTime(review.nextDeliveryAt)}
            </Text>
          ))}
        </Stack>
      )}
    </Card>
  );
}

function Pack({ id }: { id: string }) {
  const stored = useApi(
    (signal) => unwrap(api.GET("/api/reviews/{id}", { params: { path: { id } }, signal })),
    [id],
  );
  if (stored.status === "failed")
    return <ErrorState problem={stored.problem} onRetry={stored.reload} />;
  if (stored.data === undefined || stored.data.id !== id)
    return <LoadingState label="Loading the pack" />;
  const { pack } = stored.data;
  const base = `/api/reviews/${encodeURIComponent(id)}`;
  return (
    <Stack gap="lg" data-testid="review-pack" data-pack={id}>
      <Group justify="space-between" align="flex-start">
        <div>
          <Title order={2} size="h3">
            {pack.title}
          </Title>
          <Text size="sm" c="dimmed">
            {pack.period.label}, compared with {pack.previousPeriod.label} · generated{" "}
            {formatDateTime(pack.generatedAt)} · {pack.agreementName} ({pack.timezone})
          </Text>
        </div>
        <Group gap="xs" role="group" aria-label="Download the pack">
          <Button
            component="a"
            href={`${base}/pack.html`}
            target="_blank"
            variant="default"
            size="xs"
          >
            HTML
          </Button>
          <Button component="a" href={`${base}/pack.md?download=true`} variant="default" size="xs">
            Markdown
          </Button>
          <Button component="a" href={`${base}/pack.pdf?download=true`} variant="default" size="xs">
            PDF
          </Button>
        </Group>
      </Group>
      <PackView stored={stored.data} />
      <Decisions packId={id} />
    </Stack>
  );
}

function Decisions({ packId }: { packId: string }) {
  const canManage = useCanManageReviews();
  const decisions = useApi(
    (signal) =>
      unwrap(api.GET("/api/reviews/{id}/decisions", { params: { path: { id: packId } }, signal })),
    [packId],
  );
  const [text, setText] = useState("");
  const [error, setError] = useState<string | undefined>();
  const [busy, setBusy] = useState(false);

  async function log(event: FormEvent) {
    event.preventDefault();
    const trimmed = text.trim();
    if (trimmed === "") {
      setError("Required: write what was decided");
      return;
    }
    setBusy(true);
    setError(undefined);
    try {
      await unwrap(
        api.POST("/api/reviews/{id}/decisions", {
          params: { path: { id: packId } },
          body: { text: trimmed },
        }),
      );
      setText("");
      decisions.reload();
    } catch (failure) {
      setError(problemOf(failure).message);
    } finally {
      setBusy(false);
    }
  }

  return (
    <Section title="Decisions" testId="decisions">
      {decisions.status === "failed" && <ErrorState problem={decisions.problem} />}
      {decisions.data !== undefined &&
        (decisions.data.items.length === 0 ? (
          <Text size="sm" c="dimmed">
            No decision logged with this pack yet.
          </Text>
        ) : (
          <Stack gap="xs" component="ol" style={{ paddingLeft: 20, margin: 0 }}>
            {decisions.data.items.map((decision) => (
              <li key={decision.id}>
                <Text size="sm">{decision.text}</Text>
                <Text size="xs" c="dimmed">
                  {decision.decidedBy}, {formatDateTime(decision.at)}
                </Text>
              </li>
            ))}
          </Stack>
        ))}
      {canManage && (
        <form onSubmit={log}>
          <Stack gap="xs" mt="md">
            <Textarea
              label="Log a decision"
              description="What the two sides agreed in this review; the next pack lists it"
              autosize
              minRows={2}
              maxLength={2000}
              value={text}
              onChange={(event) => {
                setText(event.currentTarget.value);
                setError(undefined);
              }}
              error={error}
            />
            <Group>
              <Button type="submit" variant="light" loading={busy}>
                Log the decision
              </Button>
            </Group>
          </Stack>
        </form>
      )}
    </Section>
  );
}
