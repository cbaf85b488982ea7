import { signWebhook, webhookHeaders } from "../../app/notifications/webhook-signature.js";
import type { ProjectTool, ProjectToolItem, PushResult } from "./project-tool.js";
import { defaultTimeoutMs, hostOf, postToTool } from "./tool-request.js";

/**
 * Any other tool, through a receiver of the team's own: a JSON POST signed exactly like Baton's
 * notification webhooks (webhook-signature.ts), so one receiver and one secret-checking routine
 * serve both. Any 2xx is success; the reference's key is the event id the receiver de-duplicates
 * by.
 */

export interface WebhookSettings {
  url: string;
  /** shared with the receiver; signs each request (HMAC-SHA256) */
  secret: string;
  timeoutMs?: number | undefined;
}

export const actionItemPushedEvent = "action_item.pushed";

/** What the receiver gets. `link` and `reviewTitle` are null rather than absent when unknown. */
export interface ActionItemPushedBody {
  type: typeof actionItemPushedEvent;
  item: ProjectToolItem["item"];
  link: string | null;
  reviewTitle: string | null;
}

/**
 * One push of one item: the same item pushed again later is a new event (a person asked for it
 * twice), while a retry of this request would carry the same id.
 */
export function pushEventId(itemId: string, now: number): string {
  return `${itemId}:${now}`;
}

export function webhookTool(settings: WebhookSettings): ProjectTool {
  return {
    name: "webhook",
    describe: () => `webhook at ${hostOf(settings.url)}`,
    async push(target, now): Promise<PushResult> {
      const request = webhookPushRequest(settings.secret, target, now);
      const answer = await postToTool({
        tool: "the webhook receiver",
        url: settings.url,
        headers: request.headers,
        body: request.body,
        timeoutMs: settings.timeoutMs ?? defaultTimeoutMs,
        secrets: [settings.secret],
        // A receiver's error body is its own; its start is quoted as is.
        errorMessage: () => undefined,
        expectJson: false,
        addressHint: "check BATON_ACTIONS_WEBHOOK_URL: the receiver has no such address",
        credentialsHint:
          "check that the receiver verifies with the same secret as BATON_ACTIONS_WEBHOOK_SECRET",
      });
      if (!answer.ok) return answer;
      return { ok: true, reference: { tool: "webhook", key: request.eventId, at: now } };
    },
  };
}

/** The signed request: body, headers (event id, timestamp, signature) and the event id. */
export function webhookPushRequest(
  secret: string,
  target: ProjectToolItem,
  now: number,
): { eventId: string; body: string; headers: Record<string, string> } {
  const eventId = pushEventId(target.item.id, now);
  const payload: ActionItemPushedBody = {
    type: actionItemPushedEvent,
    item: target.item,
    link: target.link ?? null,
    reviewTitle: target.reviewTitle ?? null,
  };
  const body = JSON.stringify(payload);
  const timestamp = Math.floor(now / 1000);
  return {
    eventId,
    body,
    headers: {
      "Content-Type": "application/json",
      [webhookHeaders.eventId]: eventId,
      [webhookHeaders.timestamp]: String(timestamp),
      [webhookHeaders.signature]: signWebhook(secret, timestamp, body),
    },
  };
}
