import { type ComponentType, type LazyExoticComponent, lazy } from "react";
import type { Capability } from "../api/session";

/**
 * Every page of the app, in navigation order. A page is listed in the navigation, and routed,
 * only for roles that hold its capability (the API's role table, src/core/access/permissions.ts,
 * which GET /api/session reports as `capabilities`); the API refuses the rest anyway.
 * To add a page: write web/src/pages/<page>.tsx exporting a default component and add it here.
 */
export interface PageEntry {
  path: string;
  label: string;
  /** one line under the label in the navigation */
  description: string;
  capability: Capability;
  component: LazyExoticComponent<ComponentType>;
}

export const pages: PageEntry[] = [
  {
    path: "/",
    label: "Overview",
    description: "Headline numbers, funnel, speed and SLA",
    capability: "metrics.read",
    component: lazy(() => import("./overview")),
  },
  {
    path: "/sla-board",
    label: "SLA board",
    description: "Every open MQL and its clocks, live",
    capability: "leads.read",
    component: lazy(() => import("./sla-board")),
  },
];

export function visiblePages(capabilities: readonly Capability[]): PageEntry[] {
  return pages.filter((page) => capabilities.includes(page.capability));
}
