import type { FastifyInstance } from "fastify";
import { sql } from "kysely";
import { Type } from "typebox";
import { readMigrations } from "../../db/migrate.js";
import type { RouteContext } from "../app.js";
import { HttpError } from "../http-error.js";
import { errors } from "../schemas.js";

/** Liveness, readiness and Prometheus metrics. */
export async function registerOperationsRoutes(
  app: FastifyInstance,
  { engine, metrics }: RouteContext,
): Promise<void> {
  app.get(
    "/api/health",
    {
      config: { access: "public", rateLimit: false },
      schema: {
        tags: ["operations"],
        summary: "Liveness: the process answers",
        security: [],
        response: { 200: Type.Object({ status: Type.Literal("ok") }) },
      },
    },
    async () => ({ status: "ok" as const }),
  );

  app.get(
    "/api/ready",
    {
      config: { access: "public", rateLimit: false },
      schema: {
        tags: ["operations"],
        summary: "Readiness: the database answers and has every migration",
        security: [],
        response: {
          200: Type.Object({ status: Type.Literal("ready"), migrations: Type.Integer() }),
          ...errors(503),
        },
      },
    },
    async () => {
      const rows = await sql<{ name: string }>`select name from baton_migrations`
        .execute(engine.db)
        .then((result) => result.rows)
        .catch(() => {
          throw new HttpError("not_ready", "the database does not answer; check DATABASE_URL");
        });
      const known = new Set(rows.map((row) => row.name));
      const missing = (await readMigrations()).filter((migration) => !known.has(migration.name));
      if (missing.length > 0)
        throw new HttpError(
          "not_ready",
          `the database lacks ${missing.length} migration(s); run baton migrate`,
        );
      return { status: "ready" as const, migrations: known.size };
    },
  );

  app.get(
    "/metrics",
    {
      config: { access: "ops.metrics", rateLimit: false },
      schema: { hide: true },
    },
    async (_request, reply) => {
      reply.header("content-type", metrics.registry.contentType);
      return metrics.registry.metrics();
    },
  );
}
