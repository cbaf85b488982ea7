import {
  Alert,
  Button,
  Group,
  List,
  Modal,
  NumberInput,
  Select,
  Stack,
  Text,
  Textarea,
  TextInput,
} from "@mantine/core";
import { type FormEvent, useEffect, useState } from "react";
import {
  type Agreement,
  type AgreementTransition,
  feedbackLabel,
  reasonsFor,
  stageLabel,
  transitionsFrom,
} from "../agreement/agreement-model";
import { type ApiProblem, api, problemOf, unwrap } from "../api/client";
import { humanise } from "./format";

/**
 * The actions a user may take on one lead, as buttons, each opening a form built from the
 * agreement: the reason list the transition requires (approved reasons only), the note a reason
 * demands, the handoff context fields and the feedback fields with their allowed values. The
 * form does not pre-empt the API: what the API refuses comes back as coded problems, each shown
 * next to the field it names, so the rules live in one place (the agreement, enforced by the core).
 */

export interface ActionableLead {
  id: string;
  name: string;
  stage: string;
}

type Requirement =
  | { kind: "reason"; allowed?: string[] }
  | { kind: "note"; reason?: string }
  | { kind: "context"; missing: string[] }
  | { kind: "feedback"; missing: string[] }
  | { kind: "feedback_value"; field: string; allowed: string[] }
  | { kind: string; [key: string]: unknown };

interface Problem {
  code: string;
  message: string;
  requirement?: Requirement;
}

/** Field errors keyed "reason", "note", "context.<field>", "feedback.<field>"; the rest apart. */
export function fieldErrorsOf(problem: ApiProblem): {
  fields: Record<string, string>;
  general: string[];
} {
  const problems = (problem.details?.problems as Problem[] | undefined) ?? [
    {
      code: problem.code,
      message: problem.message,
      requirement: problem.details?.requirement as Requirement | undefined,
    },
  ];
  const fields: Record<string, string> = {};
  const general: string[] = [];
  for (const entry of problems) {
    const requirement = entry.requirement;
    const message = sentence(entry.message);
    if (requirement?.kind === "reason")
      fields.reason =
        entry.code === "reason_required"
          ? "Required: pick one of the agreed reasons before you submit"
          : message;
    else if (requirement?.kind === "note") fields.note = message;
    else if (requirement?.kind === "context" || requirement?.kind === "feedback") {
      const missing = (requirement as { missing: string[] }).missing;
      for (const field of missing)
        fields[`${requirement.kind}.${field}`] =
          requirement.kind === "context"
            ? "Required handoff context: fill it in"
            : "Required feedback: pick a value";
    } else if (requirement?.kind === "feedback_value")
      fields[`feedback.${(requirement as { field: string }).field}`] = message;
    else general.push(message);
  }
  return { fields, general };
}

function sentence(text: string): string {
  const trimmed = text.trim();
  return trimmed.charAt(0).toUpperCase() + trimmed.slice(1);
}

/** The acceptance rules of one transition, in words, for the top of its form. */
export function rulesOf(agreement: Agreement, transition: AgreementTransition): string[] {
  const rules: string[] = [];
  const reasons = reasonsFor(agreement, transition);
  if (reasons !== undefined) {
    rules.push(`A reason from the agreed ${humanise(transition.requires?.reason ?? "")} list.`);
    const noted = reasons.filter((reason) => reason.note_required === true);
    if (noted.length > 0)
      rules.push(
        `A note saying what happened when the reason is ${noted.map((r) => `“${r.label}”`).join(" or ")}.`,
      );
  }
  const context = transition.requires?.context ?? [];
  if (context.length > 0)
    rules.push(`Handoff context on the lead: ${context.map(humanise).join(", ")}.`);
  const feedback = transition.requires?.feedback ?? [];
  if (feedback.length > 0)
    rules.push(
      `Feedback for marketing: ${feedback.map((id) => feedbackLabel(agreement, id)).join(", ")}.`,
    );
  for (const rule of agreement.recycling ?? [])
    if (rule.after.action === transition.action)
      rules.push(
        `With reason ${(rule.after.reasons ?? []).map(humanise).join(" or ")}, the lead goes to ${stageLabel(agreement, rule.to)} and may not qualify again for ${rule.requalify_after_days} days.`,
      );
  rules.push(`The lead moves to ${stageLabel(agreement, transition.to)}.`);
  return rules;
}

export function LeadActionButtons({
  agreement,
  lead,
  role,
  onDone,
}: {
  agreement: Agreement;
  lead: ActionableLead;
  role: string;
  onDone(message: string): void;
}) {
  const [open, setOpen] = useState<AgreementTransition | "touch" | undefined>();
  const transitions = transitionsFrom(agreement, lead.stage, role);
  return (
    <>
      <Group gap={6} wrap="wrap">
        {transitions.map((transition) => (
          <Button
            key={transition.action}
            size="xs"
            variant={transition.action === "reject" ? "light" : "default"}
            color={transition.action === "reject" ? "red" : undefined}
            onClick={() => setOpen(transition)}
            aria-label={`${humanise(transition.action)} ${lead.name}`}
          >
            {humanise(transition.action)}
          </Button>
        ))}
        <Button
          size="xs"
          variant="default"
          onClick={() => setOpen("touch")}
          aria-label={`Log a touch on ${lead.name}`}
        >
          Log a touch
        </Button>
      </Group>
      <Modal
        opened={open !== undefined}
        onClose={() => setOpen(undefined)}
        title={
          open === "touch"
            ? `Log a touch: ${lead.name}`
            : open === undefined
              ? ""
              : `${humanise(open.action)}: ${lead.name}`
        }
        size="lg"
      >
        {open === "touch" && (
          <TouchForm
            lead={lead}
            onDone={(message) => {
              setOpen(undefined);
              onDone(message);
            }}
          />
        )}
        {open !== undefined && open !== "touch" && (
          <ActionForm
            agreement={agreement}
            lead={lead}
            transition={open}
            onCancel={() => setOpen(undefined)}
            onDone={(message) => {
              setOpen(undefined);
              onDone(message);
            }}
          />
        )}
      </Modal>
    </>
  );
}

function ActionForm({
  agreement,
  lead,
  transition,
  onCancel,
  onDone,
}: {
  agreement: Agreement;
  lead: ActionableLead;
  transition: AgreementTransition;
  onCancel(): void;
  onDone(message: string): void;
}) {
  const reasons = reasonsFor(agreement, transition);
  const contextFields = transition.requires?.context ?? [];
  const feedbackFields = transition.requires?.feedback ?? [];
  const [reason, setReason] = useState<string | null>(null);
  const [note, setNote] = useState("");
  const [context, setContext] = useState<Record<string, string>>({});
  const [feedback, setFeedback] = useState<Record<string, string | null>>({});
  const [amount, setAmount] = useState<number | string>("");
  const [busy, setBusy] = useState(false);
  const [errors, setErrors] = useState<{ fields: Record<string, string>; general: string[] }>({
    fields: {},
    general: [],
  });

  const contextKey = contextFields.join(",");
  // The lead's current values prefill the context, so the rep sees what marketing handed over.
  // biome-ignore lint/correctness/useExhaustiveDependencies: the fields are keyed by contextKey
  useEffect(() => {
    if (contextFields.length === 0) return;
    const controller = new AbortController();
    unwrap(
      api.GET("/api/leads/{id}", { params: { path: { id: lead.id } }, signal: controller.signal }),
    ).then(
      (found) => {
        const fields = (found.view as { fields?: Record<string, unknown> } | null)?.fields ?? {};
        setContext((current) => {
          const next = { ...current };
          for (const field of contextFields) {
            const value = fields[field];
            if (next[field] === undefined && value !== undefined && value !== null)
              next[field] = String(value);
          }
          return next;
        });
      },
      () => undefined,
    );
    return () => controller.abort();
  }, [lead.id, contextKey]);

  const chosen = reasons?.find((entry) => entry.id === reason);
  const noteRequired = chosen?.note_required === true;

  async function submit(event: FormEvent) {
    event.preventDefault();
    setBusy(true);
    const filledContext = Object.fromEntries(
      Object.entries(context).filter(([, value]) => value.trim() !== ""),
    );
    const filledFeedback = Object.fromEntries(
      Object.entries(feedback).filter((entry): entry is [string, string] => entry[1] !== null),
    );
    try {
      const result = await unwrap(
        api.POST("/api/leads/{id}/actions", {
          params: { path: { id: lead.id } },
          body: {
            action: transition.action,
            ...(reason === null ? {} : { reason }),
            ...(note.trim() === "" ? {} : { note: note.trim() }),
            ...(Object.keys(filledContext).length === 0 ? {} : { context: filledContext }),
            ...(Object.keys(filledFeedback).length === 0 ? {} : { feedback: filledFeedback }),
            ...(transition.action === "convert" && typeof amount === "number"
              ? { opportunity: { amount } }
              : {}),
            ...(transition.action === "win" && typeof amount === "number" ? { amount } : {}),
          },
        }),
      );
      onDone(
        `${lead.name}: ${humanise(transition.action)} done; the lead is now ${stageLabel(agreement, result.stage)}.`,
      );
    } catch (error) {
      setErrors(fieldErrorsOf(problemOf(error)));
      setBusy(false);
    }
  }

  return (
    <form onSubmit={submit} noValidate>
      <Stack gap="sm">
        <Alert variant="light" color="indigo" title="What the agreement asks">
          <List size="sm" spacing={2}>
            {rulesOf(agreement, transition).map((rule) => (
              <List.Item key={rule}>{rule}</List.Item>
            ))}
          </List>
        </Alert>
        {errors.general.length > 0 && (
          <Alert color="red" role="alert" title="Baton refused this">
            {errors.general.map((message) => (
              <Text size="sm" key={message}>
                {message}
              </Text>
            ))}
          </Alert>
        )}
        {reasons !== undefined && (
          <Select
            label="Reason"
            description="Only the reasons both teams agreed"
            placeholder="Pick a reason"
            data={reasons.map((entry) => ({ value: entry.id, label: entry.label }))}
            value={reason}
            onChange={setReason}
            error={errors.fields.reason}
            withAsterisk
            allowDeselect={false}
            comboboxProps={{ withinPortal: true }}
          />
        )}
        {(reasons !== undefined || transition.action !== "accept") && (
          <Textarea
            label="Note"
            description={
              noteRequired
                ? `Required for “${chosen?.label}”: say what happened`
                : "Optional: what marketing should know"
            }
            value={note}
            onChange={(event) => setNote(event.currentTarget.value)}
            error={errors.fields.note}
            withAsterisk={noteRequired}
            autosize
            minRows={2}
          />
        )}
        {contextFields.map((field) => (
          <TextInput
            key={field}
            label={humanise(field)}
            description="Handoff context"
            value={context[field] ?? ""}
            onChange={(event) => {
              const value = event.currentTarget.value;
              setContext((current) => ({ ...current, [field]: value }));
            }}
            error={errors.fields[`context.${field}`]}
            withAsterisk
          />
        ))}
        {feedbackFields.map((field) => (
          <Select
            key={field}
            label={feedbackLabel(agreement, field)}
            description="Feedback for marketing"
            placeholder="Pick a value"
            data={(agreement.feedback?.[field]?.values ?? []).map((value) => ({
              value,
              label: humanise(value),
            }))}
            value={feedback[field] ?? null}
            onChange={(value) => setFeedback((current) => ({ ...current, [field]: value }))}
            error={errors.fields[`feedback.${field}`]}
            withAsterisk
            allowDeselect={false}
          />
        ))}
        {(transition.action === "convert" || transition.action === "win") && (
          <NumberInput
            label={transition.action === "convert" ? "Opportunity amount" : "Final amount"}
            description="Optional"
            min={0}
            value={amount}
            onChange={setAmount}
            thousandSeparator=","
          />
        )}
        <Group justify="flex-end" gap="sm">
          <Button variant="default" onClick={onCancel}>
            Cancel
          </Button>
          <Button type="submit" loading={busy}>
            {humanise(transition.action)}
          </Button>
        </Group>
      </Stack>
    </form>
  );
}

const touchTypes = [
  { value: "call", label: "Call" },
  { value: "email", label: "E-mail" },
  { value: "meeting", label: "Meeting" },
];

function TouchForm({ lead, onDone }: { lead: ActionableLead; onDone(message: string): void }) {
  const [type, setType] = useState<string | null>("call");
  const [busy, setBusy] = useState(false);
  const [problem, setProblem] = useState<ApiProblem | undefined>();

  async function submit(event: FormEvent) {
    event.preventDefault();
    if (type !== "call" && type !== "email" && type !== "meeting") return;
    setBusy(true);
    try {
      await unwrap(
        api.POST("/api/leads/{id}/activities", {
          params: { path: { id: lead.id } },
          body: { type, at: new Date().toISOString() },
        }),
      );
      onDone(`${lead.name}: ${type === "email" ? "e-mail" : type} logged; it counts as a touch.`);
    } catch (error) {
      setProblem(problemOf(error));
      setBusy(false);
    }
  }

  return (
    <form onSubmit={submit}>
      <Stack gap="sm">
        <Text size="sm">
          A call, e-mail or meeting by a person stops the first-effort clock; automatic replies
          never do. It is logged as of now.
        </Text>
        {problem !== undefined && (
          <Alert color="red" role="alert" title="Baton refused this">
            {problem.message}
          </Alert>
        )}
        <Select
          label="Kind of touch"
          data={touchTypes}
          value={type}
          onChange={setType}
          allowDeselect={false}
        />
        <Group justify="flex-end">
          <Button type="submit" loading={busy}>
            Log the touch
          </Button>
        </Group>
      </Stack>
    </form>
  );
}
