import type { FastifyInstance, FastifyRequest } from "fastify";
import {
  applyCrmChanges,
  type CrmChangesConfig,
  crmChangesConfigSchema,
} from "../../app/crm-changes.js";
import { ingestLeads } from "../../app/ingest.js";
import { parseHubSpotWebhook } from "../../connectors/webhooks/hubspot-webhook.js";
import type { InboundRequest, WebhookError } from "../../connectors/webhooks/inbound-request.js";
import { parseLeadWebhook } from "../../connectors/webhooks/lead-webhook.js";
import {
  parseSalesforceOutboundMessage,
  salesforceAck,
  salesforceFault,
} from "../../connectors/webhooks/salesforce-outbound-message.js";
import type { RouteContext } from "../app.js";
import { HttpError, refusal } from "../http-error.js";

/**
 * Inbound webhooks: each is authenticated by its sender's signature (or, for Salesforce, its
 * organisation id and a token), not by a session, so they are `public` to the role gate. The
 * body is read as raw bytes because signatures cover the bytes. A refused request stores nothing.
 */
export interface WebhookSettings {
  /** the generic lead webhook's shared secret (BATON_LEAD_WEBHOOK_SECRET) */
  leadSecret?: string;
  hubspot?: { clientSecret: string; portalId?: number };
  salesforce?: { organizationId: string; token?: string };
  /** how CRM statuses, stages and owners map onto the agreement (defaults fit the example) */
  crm?: CrmChangesConfig;
}

/** Reads the webhook settings from the environment; problems name the variable. */
export function webhookSettingsFromEnvironment(env: NodeJS.ProcessEnv): WebhookSettings {
  const settings: WebhookSettings = {};
  if (env.BATON_LEAD_WEBHOOK_SECRET) {
    if (env.BATON_LEAD_WEBHOOK_SECRET.length < 16)
      throw new Error(
        "BATON_LEAD_WEBHOOK_SECRET must be at least 16 characters (openssl rand -hex 32)",
      );
    settings.leadSecret = env.BATON_LEAD_WEBHOOK_SECRET;
  }
  if (env.BATON_HUBSPOT_CLIENT_SECRET) {
    const portal = env.BATON_HUBSPOT_PORTAL_ID;
    if (portal !== undefined && !/^\d+$/.test(portal))
      throw new Error(
        `BATON_HUBSPOT_PORTAL_ID must be the HubSpot account's number, not '${portal}'`,
      );
    settings.hubspot = {
      clientSecret: env.BATON_HUBSPOT_CLIENT_SECRET,
      ...(portal ? { portalId: Number(portal) } : {}),
    };
  }
  if (env.BATON_SALESFORCE_ORG_ID)
    settings.salesforce = {
      organizationId: env.BATON_SALESFORCE_ORG_ID,
      ...(env.BATON_SALESFORCE_TOKEN ? { token: env.BATON_SALESFORCE_TOKEN } : {}),
    };
  if (env.BATON_CRM_CONFIG) {
    const parsed = crmChangesConfigSchema.safeParse(JSON.parse(env.BATON_CRM_CONFIG));
    if (!parsed.success)
      throw new Error(
        `BATON_CRM_CONFIG: ${parsed.error.issues.map((issue) => `${issue.path.join(".")}: ${issue.message}`).join("; ")}`,
      );
    settings.crm = parsed.data;
  }
  return settings;
}

function inbound(request: FastifyRequest): InboundRequest {
  return {
    method: request.method,
    url: request.url,
    headers: request.headers,
    rawBody: Buffer.isBuffer(request.body) ? request.body : Buffer.alloc(0),
  };
}

function notConfigured(what: string, variables: string): HttpError {
  return new HttpError(
    "webhook_not_configured",
    `the ${what} webhook is not configured on this server; set ${variables}`,
  );
}

export async function registerWebhookRoutes(
  app: FastifyInstance,
  { engine, queue, metrics, options }: RouteContext,
): Promise<void> {
  const settings = options.webhooks ?? {};
  const crm = settings.crm ?? crmChangesConfigSchema.parse({});

  await app.register(async (scope) => {
    // raw bytes for every content type: signatures are over the body exactly as sent
    scope.removeAllContentTypeParsers();
    scope.addContentTypeParser("*", { parseAs: "buffer" }, (_request, body, done) =>
      done(null, body),
    );

    scope.post(
      "/api/webhooks/leads",
      {
        config: { access: "public" },
        schema: {
          tags: ["webhooks"],
          summary: "Submit leads from a form or another system, signed with the shared secret",
          description:
            'Body: one lead (as POST /api/leads) or `{ leads: [...] }`. Headers: `Baton-Timestamp` (unix seconds, within 5 minutes) and `Baton-Signature: v1=<hex HMAC-SHA256 of "<timestamp>.<raw body>">`.',
          security: [],
        },
      },
      async (request, reply) => {
        if (settings.leadSecret === undefined)
          throw notConfigured("lead", "BATON_LEAD_WEBHOOK_SECRET");
        const parsed = parseLeadWebhook(
          inbound(request),
          { secret: settings.leadSecret },
          new Date(engine.now()),
        );
        if (!parsed.ok) throw webhookRefusal(parsed.error);
        const actor = "webhook:leads";
        if (!parsed.batch) {
          const result = await queue.submit(parsed.leads[0], { actor });
          metrics.ingested(result.ok ? result.outcome : "refused");
          if (!result.ok) throw refusal(result.error);
          return reply.status(result.outcome === "created" ? 201 : 200).send(result);
        }
        const results = await ingestLeads(engine, parsed.leads, { actor });
        for (const result of results) metrics.ingested(result.ok ? result.outcome : "refused");
        return { results };
      },
    );

    scope.post(
      "/api/webhooks/hubspot",
      {
        config: { access: "public" },
        schema: {
          tags: ["webhooks"],
          summary: "HubSpot webhooks v3: contact creation and property changes (signature v3)",
          security: [],
        },
      },
      async (request) => {
        if (settings.hubspot === undefined)
          throw notConfigured("HubSpot", "BATON_HUBSPOT_CLIENT_SECRET");
        const parsed = parseHubSpotWebhook(
          inbound(request),
          {
            ...settings.hubspot,
            publicBaseUrl: options.publicUrl ?? `${request.protocol}://${request.host}`,
          },
          new Date(engine.now()),
        );
        if (!parsed.ok) throw webhookRefusal(parsed.error);
        const results = await applyCrmChanges(engine, parsed.changes, crm);
        return { results, ignored: parsed.ignored };
      },
    );

    scope.post(
      "/api/webhooks/salesforce",
      {
        config: { access: "public" },
        schema: {
          tags: ["webhooks"],
          summary: "Salesforce Outbound Messaging: Lead notifications (SOAP), answered with Ack",
          security: [],
        },
      },
      async (request, reply) => {
        const soap = (status: number, body: string) =>
          reply.status(status).header("content-type", "text/xml; charset=utf-8").send(body);
        if (settings.salesforce === undefined) {
          const error = notConfigured(
            "Salesforce",
            "BATON_SALESFORCE_ORG_ID (and BATON_SALESFORCE_TOKEN)",
          );
          return soap(
            error.status,
            salesforceFault({ status: error.status, code: "bad_token", message: error.message }),
          );
        }
        const parsed = parseSalesforceOutboundMessage(
          inbound(request),
          settings.salesforce,
          new Date(engine.now()),
        );
        if (!parsed.ok) return soap(parsed.error.status, salesforceFault(parsed.error));
        try {
          await applyCrmChanges(engine, parsed.changes, crm);
        } catch (error) {
          request.log.error({ err: error }, "applying Salesforce changes failed");
          // Salesforce sends the message again when it gets no Ack
          return soap(
            500,
            salesforceFault({
              status: 500,
              code: "malformed_body",
              message: "Baton could not store the message; Salesforce will retry it",
            }),
          );
        }
        return soap(200, salesforceAck());
      },
    );
  });
}

function webhookRefusal(error: WebhookError): HttpError {
  return new HttpError(error.code, error.message);
}
