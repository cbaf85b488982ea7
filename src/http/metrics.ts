import { sql } from "kysely";
import { Counter, Gauge, Histogram, Registry } from "prom-client";
import type { Engine } from "../app/engine.js";

/**
 * Prometheus metrics, one registry per app: request latency by route, leads ingested by
 * outcome, and, read from the database when scraped, clock lag (how late the oldest due timer
 * is) and outbox depth (notifications waiting for delivery).
 */
export interface HttpMetrics {
  registry: Registry;
  observe(method: string, route: string, status: number, seconds: number): void;
  ingested(outcome: string, count?: number): void;
}

export function createHttpMetrics(engine: Engine): HttpMetrics {
  const registry = new Registry();
  const latency = new Histogram({
    name: "baton_http_request_duration_seconds",
    help: "HTTP request latency by method, route and status",
    labelNames: ["method", "route", "status"] as const,
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
    registers: [registry],
  });
  const ingested = new Counter({
    name: "baton_leads_ingested_total",
    help: "Leads received through the API and webhooks, by outcome (created, updated, duplicate, refused)",
    labelNames: ["outcome"] as const,
    registers: [registry],
  });
  new Gauge({
    name: "baton_clock_lag_seconds",
    help: "How long the oldest due SLA timer has been waiting to fire (0 when none is due)",
    registers: [registry],
    async collect() {
      const row = await sql<{ lag: number | null }>`
        select extract(epoch from (now() - min(due_at)))::float8 as lag from timers
        where fired_at is null and cancelled_at is null and failed_at is null and due_at <= now()`.execute(
        engine.db,
      );
      this.set(Math.max(0, row.rows[0]?.lag ?? 0));
    },
  });
  new Gauge({
    name: "baton_outbox_depth",
    help: "Notifications written to the outbox and not yet delivered or dead",
    registers: [registry],
    async collect() {
      const row = await sql<{ depth: string }>`
        select count(*) as depth from notifications where status in ('pending', 'queued')`.execute(
        engine.db,
      );
      this.set(Number(row.rows[0]?.depth ?? 0));
    },
  });
  return {
    registry,
    observe: (method, route, status, seconds) =>
      latency.observe({ method, route, status: String(status) }, seconds),
    ingested: (outcome, count = 1) => ingested.inc({ outcome }, count),
  };
}
