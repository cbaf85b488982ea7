import type { FastifyInstance } from "fastify";
import type { RouteContext } from "../app.js";

/** Inbound webhook settings: secrets and mappings per format. */
export interface WebhookSettings {
  formSecret?: string;
}

export async function registerWebhookRoutes(
  _app: FastifyInstance,
  _context: RouteContext,
): Promise<void> {}
