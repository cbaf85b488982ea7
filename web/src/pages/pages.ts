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
  /** false for pages reached by a link, not listed in the navigation (one lead) */
  inNavigation?: boolean;
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
  {
    path: "/my-queue",
    label: "My queue",
    description: "Leads to act on, most urgent first",
    capability: "leads.act",
    component: lazy(() => import("./my-queue")),
  },
  {
    path: "/planner",
    label: "Planner",
    description: "From a revenue target to MQLs a week",
    capability: "reviews.read",
    component: lazy(() => import("./planner")),
  },
  {
    path: "/reviews",
    label: "Review",
    description: "Review packs, discussion points, decisions",
    capability: "reviews.read",
    component: lazy(() => import("./review")),
  },
  {
    path: "/reviews/actions",
    label: "Action items",
    description: "Who does what by when, from the reviews",
    capability: "reviews.read",
    component: lazy(() => import("./action-items")),
  },
  {
    path: "/reviews/actions/:id",
    label: "Action item",
    description: "One action item, highlighted in the list",
    capability: "reviews.read",
    component: lazy(() => import("./action-items")),
    inNavigation: false,
  },
  {
    path: "/agreement",
    label: "Agreement",
    description: "The SLA table, proposals and sign-off",
    capability: "agreements.read",
    component: lazy(() => import("./agreement")),
  },
  {
    path: "/settings",
    label: "Settings",
    description: "Users, tokens, calendars, notifications",
    capability: "users.manage",
    component: lazy(() => import("./settings")),
  },
  {
    path: "/leads/:id",
    label: "Lead",
    description: "One lead, its clocks and timeline",
    capability: "leads.read",
    component: lazy(() => import("./lead")),
    inNavigation: false,
  },
];

export function visiblePages(capabilities: readonly Capability[]): PageEntry[] {
  return pages.filter((page) => capabilities.includes(page.capability));
}
