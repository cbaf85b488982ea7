import { randomUUID } from "node:crypto";
import fastifyCookie from "@fastify/cookie";
import fastifyRateLimit from "@fastify/rate-limit";
import fastifySwagger from "@fastify/swagger";
import fastifySwaggerUi from "@fastify/swagger-ui";
import type { TypeBoxTypeProvider } from "@fastify/type-provider-typebox";
import { Ajv } from "ajv";
import addFormatsPlugin from "ajv-formats";
import Fastify, { type FastifyBaseLogger, type FastifyError, type FastifyInstance } from "fastify";
import { type AuditEntry, recordAudit } from "../app/access/audit.js";
import type { Engine } from "../app/engine.js";
import { IngestQueue } from "../app/ingest-queue.js";
import type { NotificationChannels } from "../app/notifications/notification-channels.js";
import type { ProjectTool } from "../connectors/project-tools/project-tool.js";
import { registerAuth } from "./auth.js";
import type { Access } from "./context.js";
import { HttpError } from "./http-error.js";
import { createHttpMetrics, type HttpMetrics } from "./metrics.js";
import { registerAccessRoutes } from "./routes/access-routes.js";
import { registerAgreementRoutes } from "./routes/agreement-routes.js";
import { registerDashboardRoutes } from "./routes/dashboard-routes.js";
import { registerLeadRoutes } from "./routes/lead-routes.js";
import { registerMetricRoutes } from "./routes/metric-routes.js";
import { registerNotificationRoutes } from "./routes/notification-routes.js";
import { registerOperationsRoutes } from "./routes/operations-routes.js";
import { registerPlanRoutes } from "./routes/plan-routes.js";
import { registerReviewRoutes } from "./routes/review-routes.js";
import { registerWebhookRoutes, type WebhookSettings } from "./routes/webhook-routes.js";
import { ErrorBody } from "./schemas.js";
import { defaultWebRoot, registerWebApp } from "./web-app.js";

/**
 * Baton's HTTP API: one Fastify app, built from the engine, testable in memory with
 * `app.inject()`. Fastify with TypeBox because one TypeBox schema per route validates the
 * request, serialises the response and writes the OpenAPI description, and because it was the
 * fastest of the frameworks measured for a validated POST (≈58k req/s against Hono's ≈48k).
 */

const addFormats = addFormatsPlugin as unknown as (ajv: Ajv) => Ajv;

export interface AppOptions {
  engine: Engine;
  /** structured JSON logs (pino options or true); off by default, for tests */
  logger?: boolean | Record<string, unknown> | FastifyBaseLogger;
  /** largest request body in bytes (default 1 MiB; batch ingestion allows 8 MiB) */
  bodyLimit?: number;
  /** requests per client (token, session or address) per second (default 5,000) */
  rateLimitPerSecond?: number;
  /** sign-in attempts per address and user name per 15 minutes (default 10) */
  signInAttempts?: number;
  /** the `Secure` cookie attribute (default true; browsers accept it on http://localhost) */
  secureCookies?: boolean;
  /** the address users reach Baton at, for links and HubSpot's signature (default from the request) */
  publicUrl?: string;
  webhooks?: WebhookSettings;
  ingestQueue?: IngestQueue;
  /** the built web app's folder (default dist/web when built); false serves no web app */
  webRoot?: string | false;
  /** where the worker delivers notifications, for the settings page (default: none configured) */
  notificationChannels?: NotificationChannels;
  /** where action items can be pushed (default: from the environment, BATON_JIRA_* …) */
  projectTools?: readonly ProjectTool[];
}

export interface RouteEntry {
  method: string;
  url: string;
  access: Access | undefined;
}

export type BatonApp = FastifyInstance & {
  metrics: HttpMetrics;
  flushAudit(): Promise<void>;
  /** every route with its declared access, for the role matrix test and docs */
  routeList: RouteEntry[];
};

export async function buildApp(options: AppOptions): Promise<BatonApp> {
  const { engine } = options;
  const app = Fastify({
    logger: options.logger ?? false,
    bodyLimit: options.bodyLimit ?? 1024 * 1024,
    requestIdHeader: "x-request-id",
    genReqId: () => randomUUID(),
    trustProxy: false,
  }).withTypeProvider<TypeBoxTypeProvider>();

  // Query strings and path parameters arrive as text, so their check converts ("50" → 50);
  // bodies are JSON with real types, and converting there would turn a lead's number into a
  // string, so bodies are checked exactly as sent.
  const ajvOptions = { allErrors: true, removeAdditional: false, useDefaults: true } as const;
  const bodyAjv = addFormats(new Ajv({ ...ajvOptions, coerceTypes: false }));
  const textAjv = addFormats(new Ajv({ ...ajvOptions, coerceTypes: "array" }));
  app.setValidatorCompiler(({ schema, httpPart }) =>
    (httpPart === "body" ? bodyAjv : textAjv).compile(schema),
  );

  const routeList: RouteEntry[] = [];
  app.addHook("onRoute", (route) => {
    for (const method of [route.method].flat())
      if (method !== "HEAD")
        routeList.push({ method, url: route.url, access: route.config?.access });
  });

  // Accept a caller's request id when it looks like one, so logs join across services.
  app.addHook("onRequest", async (request, reply) => {
    reply.header("x-request-id", request.id);
  });

  const metrics = createHttpMetrics(engine);
  app.addHook("onResponse", async (request, reply) => {
    metrics.observe(
      request.method,
      request.routeOptions.url ?? "unmatched",
      reply.statusCode,
      reply.elapsedTime / 1000,
    );
  });

  await app.register(fastifyCookie);
  await app.register(fastifyRateLimit, {
    global: true,
    max: options.rateLimitPerSecond ?? 5000,
    timeWindow: 1000,
    keyGenerator: (request) =>
      request.headers.authorization ??
      (request.cookies?.baton_session ? `session:${request.cookies.baton_session}` : request.ip),
    errorResponseBuilder: (_request, context) => {
      const error = new HttpError(
        "rate_limited",
        `too many requests: at most ${context.max} per ${context.after}; retry after ${context.after}`,
      );
      return error;
    },
  });

  await app.register(fastifySwagger, {
    openapi: {
      openapi: "3.1.0",
      info: {
        title: "Baton API",
        version: "1",
        description:
          "The agreement between marketing and sales, enforced: leads, SLA clocks, routing, feedback and agreement versions. Authenticate with a session cookie (POST /api/session; unsafe requests echo the X-CSRF-Token it returns) or an API token (Authorization: Bearer baton_tok_…).",
      },
      components: {
        securitySchemes: {
          token: { type: "http", scheme: "bearer", description: "a Baton API token" },
          session: { type: "apiKey", in: "cookie", name: "baton_session" },
        },
      },
      security: [{ token: [] }, { session: [] }],
    },
  });
  await app.register(fastifySwaggerUi, { routePrefix: "/api/docs" });

  app.setErrorHandler((error: FastifyError | HttpError, request, reply) => {
    const problem = problemOf(error);
    if (problem.status >= 500) request.log.error({ err: error }, "request failed");
    reply.status(problem.status).send({
      error: {
        code: problem.code,
        message: problem.message,
        ...problem.details,
        requestId: request.id,
      },
    });
  });
  app.setNotFoundHandler((request, reply) => {
    reply.status(404).send({
      error: {
        code: "not_found",
        message: `no route ${request.method} ${request.url}; the API is described at /api/docs`,
        requestId: request.id,
      },
    });
  });

  app.addSchema(ErrorBody);
  const auth = registerAuth(app, engine);

  // The audit log: every write through the API, with its actor and outcome, refusals included.
  // Lines are written in small batches after the response (a write per request would double the
  // database work of ingestion); the ledger already records every domain change atomically.
  const pending: AuditEntry[] = [];
  let flushing: Promise<void> = Promise.resolve();
  const flushAudit = async () => {
    await flushing;
    const entries = pending.splice(0, pending.length);
    if (entries.length > 0) {
      flushing = recordAudit(engine, entries).catch((error: unknown) => {
        app.log.error({ err: error }, "audit log write failed");
      });
      await flushing;
    }
  };
  const auditTimer = setInterval(() => void flushAudit(), 200);
  auditTimer.unref();
  app.addHook("onResponse", async (request, reply) => {
    if (!["POST", "PUT", "PATCH", "DELETE"].includes(request.method)) return;
    const principal = request.principal;
    const route = request.routeOptions.url ?? request.url;
    pending.push({
      actor: principal?.actor ?? (route.startsWith("/api/webhooks") ? "webhook" : "anonymous"),
      role: principal?.role ?? null,
      via:
        principal === undefined
          ? "anonymous"
          : principal.via === "token"
            ? `token:${principal.tokenId}`
            : "session",
      action: `${request.method} ${route}`,
      target: targetOf(request.params),
      status: reply.statusCode,
      requestId: request.id,
    });
    if (pending.length >= 200) void flushAudit();
  });
  app.addHook("onClose", async () => {
    clearInterval(auditTimer);
    await flushAudit();
  });

  const queue = options.ingestQueue ?? new IngestQueue(engine);
  const context = { engine, metrics, queue, auth, options };
  await registerOperationsRoutes(app, context);
  await registerAccessRoutes(app, context);
  await registerLeadRoutes(app, context);
  await registerAgreementRoutes(app, context);
  await registerNotificationRoutes(app, context);
  await registerMetricRoutes(app, context);
  await registerDashboardRoutes(app, context);
  await registerReviewRoutes(app, context, {
    ...(options.projectTools === undefined ? {} : { projectTools: options.projectTools }),
  });
  await registerPlanRoutes(app, context);
  await registerWebhookRoutes(app, context);
  if (options.webRoot !== false) await registerWebApp(app, options.webRoot ?? defaultWebRoot());

  return Object.assign(app, { metrics, flushAudit, routeList }) as unknown as BatonApp;
}

export interface RouteContext {
  engine: Engine;
  metrics: HttpMetrics;
  queue: IngestQueue;
  auth: { forgetTokens(): void };
  options: AppOptions;
}

function targetOf(params: unknown): string | null {
  if (params === null || typeof params !== "object") return null;
  const values = Object.values(params as Record<string, unknown>).filter(
    (value): value is string => typeof value === "string",
  );
  return values.length > 0 ? values.join("/") : null;
}

/** Whatever was thrown, as Baton's one HTTP error (its status comes from `statusOf`). */
function problemOf(error: FastifyError | HttpError): HttpError {
  if (error instanceof HttpError) return error;
  if (error.validation) {
    const problems = error.validation.map((issue) => {
      const path = issue.instancePath.replace(/^\//, "").replaceAll("/", ".");
      const missing = (issue.params as { missingProperty?: string }).missingProperty;
      const extra = (issue.params as { additionalProperty?: string }).additionalProperty;
      const field = [error.validationContext, path, missing ?? extra].filter(Boolean).join(".");
      const message = extra
        ? `'${extra}' is not a known property; remove it`
        : missing
          ? "is required"
          : (issue.message ?? "is invalid");
      return { field, message };
    });
    return new HttpError(
      "invalid_request",
      `the request is invalid: ${problems.map((problem) => `${problem.field} ${problem.message}`).join("; ")}`,
      { problems },
    );
  }
  switch (error.code) {
    case "FST_ERR_CTP_BODY_TOO_LARGE":
      return new HttpError(
        "payload_too_large",
        "the request body is too large; send fewer leads per request",
      );
    case "FST_ERR_CTP_INVALID_MEDIA_TYPE":
      return new HttpError("unsupported_media_type", "send the body as application/json");
    case "FST_ERR_CTP_INVALID_JSON_BODY":
    case "FST_ERR_CTP_EMPTY_JSON_BODY":
      return new HttpError("malformed_body", `the body is not valid JSON: ${error.message}`);
  }
  if (error.statusCode === 429) return new HttpError("rate_limited", error.message);
  if (error.statusCode !== undefined && error.statusCode >= 400 && error.statusCode < 500)
    return new HttpError("malformed_body", error.message);
  return new HttpError(
    "internal",
    "Baton failed to handle the request; the server log has the details under this request id",
  );
}
