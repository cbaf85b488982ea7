/**
 * Who may do what through Baton's interfaces: the role × capability table, declared once.
 *
 * Glossary
 * - role: what a user is to the agreement — admin (RevOps, who owns Baton's set-up), marketing,
 *   sales_manager, rep, viewer.
 * - capability: one kind of request (read leads, act on a lead, propose an agreement …). Every
 *   API route names exactly one; the route is allowed when the caller's role grants it and, for
 *   an API token, when the token's scopes include it.
 * - own: a rep's capabilities on leads reach only the leads they own (or that wait in a queue,
 *   which taking makes theirs); the route checks the lead, this table only says "own".
 *
 * Finer rules stay with the agreement: which role may take which lifecycle action
 * (`transitions[].by`), and who may approve a version (its named approvers). The table here is
 * the outer gate; a request it lets through can still be refused by the agreement.
 */

export const roles = ["admin", "marketing", "sales_manager", "rep", "viewer"] as const;
export type Role = (typeof roles)[number];

export const capabilities = [
  /** read leads, their timelines and clocks (a rep: their own) */
  "leads.read",
  /** submit leads (API, batch); webhooks authenticate by signature instead */
  "leads.ingest",
  /** accept, reject, recycle, convert, win, lose; log touches; move the opportunity */
  "leads.act",
  /** hand a lead to another rep or back to routing */
  "leads.reassign",
  /** read agreement versions, approvals and diffs */
  "agreements.read",
  "agreements.propose",
  /** sign a version (the agreement decides whether this user is one of its approvers) */
  "agreements.approve",
  /** the outbox: list notifications, replay dead ones */
  "notifications.manage",
  "users.manage",
  "tokens.manage",
  "audit.read",
  /** Prometheus metrics */
  "ops.metrics",
  /**
   * pipeline metrics (METRICS.md) and the records behind their figures; figures are
   * workspace-wide for every role, a rep's drill-down lists their own and queued leads
   */
  "metrics.read",
  /** review packs, action items and decisions of the joint review; the reverse-funnel plan */
  "reviews.read",
  /**
   * generate a review pack on demand, create and update action items, log decisions, push an
   * action item to a project tool: the work of the two sides meeting (not a rep's, not a viewer's)
   */
  "reviews.manage",
] as const;
export type Capability = (typeof capabilities)[number];

/** Whether a role's grant covers every lead or only the caller's own. */
export type Reach = "all" | "own";

const table: Record<Role, Partial<Record<Capability, Reach>>> = {
  admin: {
    "leads.read": "all",
    "leads.ingest": "all",
    "leads.act": "all",
    "leads.reassign": "all",
    "agreements.read": "all",
    "agreements.propose": "all",
    "agreements.approve": "all",
    "notifications.manage": "all",
    "users.manage": "all",
    "tokens.manage": "all",
    "audit.read": "all",
    "ops.metrics": "all",
    "metrics.read": "all",
    "reviews.read": "all",
    "reviews.manage": "all",
  },
  // Marketing submits and reads leads and signs the agreement, but never dispositions a lead.
  marketing: {
    "leads.read": "all",
    "leads.ingest": "all",
    "agreements.read": "all",
    "agreements.propose": "all",
    "agreements.approve": "all",
    "metrics.read": "all",
    "reviews.read": "all",
    "reviews.manage": "all",
  },
  sales_manager: {
    "leads.read": "all",
    "leads.act": "all",
    "leads.reassign": "all",
    "agreements.read": "all",
    "agreements.propose": "all",
    "agreements.approve": "all",
    "metrics.read": "all",
    "reviews.read": "all",
    "reviews.manage": "all",
  },
  // A rep sees the team's figures (the agreement binds both sides to them) but opens only
  // their own and queued leads behind a figure.
  rep: {
    "leads.read": "own",
    "leads.act": "own",
    "agreements.read": "all",
    "metrics.read": "own",
    "reviews.read": "all",
  },
  viewer: {
    "leads.read": "all",
    "agreements.read": "all",
    "metrics.read": "all",
    "reviews.read": "all",
  },
};

/** What `role` may do with `capability`: everywhere, on its own leads, or nothing. */
export function reachOf(role: Role, capability: Capability): Reach | undefined {
  return table[role][capability];
}

/** The capabilities a role holds: what a new token for that user may be scoped to. */
export function capabilitiesOf(role: Role): Capability[] {
  return capabilities.filter((capability) => table[role][capability] !== undefined);
}

export function isRole(value: string): value is Role {
  return (roles as readonly string[]).includes(value);
}

export function isCapability(value: string): value is Capability {
  return (capabilities as readonly string[]).includes(value);
}
