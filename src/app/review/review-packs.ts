import { type Selectable, sql } from "kysely";
import type { Agreement } from "../../core/agreement/agreement-schema.js";
import { buildReviewPack } from "../../core/review/review-pack.js";
import type { ReviewPack } from "../../core/review/review-pack-types.js";
import {
  lastCompletePeriod,
  parsePeriod,
  type ReviewPeriods,
} from "../../core/review/review-period.js";
import type { ReviewPackTable } from "../../db/review-table.js";
import type { Engine } from "../engine.js";
import type { Executor } from "../ledger-store.js";
import { currentHistory } from "../metrics.js";
import { listActionItems, listDecisions } from "./action-items.js";
import { noActiveAgreement, type ReviewError, type ReviewOutcome } from "./review-error.js";
import type { AgreementReview } from "./review-schedule.js";

/**
 * Review packs on the database: built for a period from the metrics history as of now (the pure
 * builder in src/core/review/review-pack.ts) and stored with their figures frozen, so a pack
 * reads the same next month whatever happened since.
 *
 * Terms
 * - trigger: `schedule` (a worker at the review's cadence, once per period: see
 *   review-delivery.ts) or `demand` (the CLI, the API, the web page; as many as asked).
 * - previous pack: the latest stored pack of the same review (or of no review) for an earlier
 *   period; its decisions and its stuck-lead count go into the new pack.
 */

export interface StoredPackSummary {
  id: string;
  review: string | null;
  title: string;
  period: { from: number; to: number; label: string };
  trigger: "schedule" | "demand";
  generatedBy: string;
  agreementVersion: number;
  /** epoch ms */
  createdAt: number;
}

export interface StoredPack extends StoredPackSummary {
  pack: ReviewPack;
}

export interface GenerateRequest {
  /** an agreement review id; without it the pack covers the period with no review's cadence */
  review?: string | undefined;
  /**
   * a `--period` word or `YYYY-MM-DD..YYYY-MM-DD`; default: the review's last complete period,
   * or last week without a review
   */
  period?: string | undefined;
  /** who asked: a user id, or `schedule` */
  generatedBy: string;
}

/** A built pack with what storing it needs; nothing written yet. */
export interface BuiltPack {
  pack: ReviewPack;
  review: AgreementReview | null;
  periods: ReviewPeriods;
  agreementVersion: number;
}

/** Finds the review and the period a request asks for, in the active agreement. */
export async function resolveRequest(
  engine: Engine,
  request: Pick<GenerateRequest, "review" | "period">,
): Promise<
  ReviewOutcome<{
    agreement: Agreement;
    version: number;
    review: AgreementReview | null;
    periods: ReviewPeriods;
  }>
> {
  const active = await engine.registry.active(engine.db);
  if (active === undefined) return { ok: false, error: noActiveAgreement };
  const agreement = active.compiled.agreement;
  const reviews = agreement.reviews ?? [];
  let review: AgreementReview | null = null;
  if (request.review !== undefined) {
    const found = reviews.find((candidate) => candidate.id === request.review);
    if (found === undefined)
      return {
        ok: false,
        error: {
          code: "unknown_review",
          message: `the agreement has no review '${request.review}'${reviews.length > 0 ? `; its reviews: ${reviews.map((r) => r.id).join(", ")}` : " (it has no reviews section)"}`,
          known: reviews.map((r) => r.id),
        },
      };
    review = found;
  }
  const now = engine.now();
  let periods: ReviewPeriods;
  if (request.period !== undefined) {
    const parsed = parsePeriod(request.period, now, agreement.timezone);
    if (!parsed.ok) return { ok: false, error: parsed.error };
    periods = parsed.value;
  } else if (review !== null) {
    periods = lastCompletePeriod(review.every, now, agreement.timezone);
  } else {
    const parsed = parsePeriod("last-week", now, agreement.timezone);
    if (!parsed.ok) throw new Error(parsed.error.message);
    periods = parsed.value;
  }
  return { ok: true, value: { agreement, version: active.version, review, periods } };
}

/** Builds (does not store) the pack of a review and period on the current history. */
export async function buildPack(
  engine: Engine,
  agreement: Agreement,
  version: number,
  review: AgreementReview | null,
  periods: ReviewPeriods,
): Promise<ReviewOutcome<BuiltPack>> {
  const history = await currentHistory(engine);
  if (!history.ok) return { ok: false, error: noActiveAgreement };
  const previous = await previousPack(engine, review?.id ?? null, periods.period.from);
  // Still to do, plus what was closed since the previous period began: the review sees both
  // what is open and what got finished.
  const items = await listActionItems(engine, { limit: 1000 });
  const actionItems = items.filter(
    (item) =>
      item.status === "open" ||
      item.status === "in_progress" ||
      (item.closedAt !== null && item.closedAt >= periods.previous.from),
  );
  const decisions = previous === undefined ? [] : await listDecisions(engine, previous.id);
  const pack = buildReviewPack({
    history: history.value,
    agreement,
    review: review === null ? null : { id: review.id, name: review.name, every: review.every },
    period: periods.period,
    previousPeriod: periods.previous,
    now: engine.now(),
    timezone: agreement.timezone,
    actionItems,
    decisions,
    previousPack: previous?.pack ?? null,
    previousPackId: previous?.id ?? null,
  });
  return { ok: true, value: { pack, review, periods, agreementVersion: version } };
}

/** Generates the pack a person asked for and stores it. */
export async function generateReviewPack(
  engine: Engine,
  request: GenerateRequest,
): Promise<ReviewOutcome<StoredPack>> {
  const resolved = await resolveRequest(engine, request);
  if (!resolved.ok) return resolved;
  const { agreement, version, review, periods } = resolved.value;
  const built = await buildPack(engine, agreement, version, review, periods);
  if (!built.ok) return built;
  const row = await engine.db
    .insertInto("review_packs")
    .values(packRow(engine, built.value, "demand", request.generatedBy))
    .returningAll()
    .executeTakeFirstOrThrow();
  return { ok: true, value: storedPackOf(row) };
}

/** The row of a built pack; the id is new. */
export function packRow(
  engine: Engine,
  built: BuiltPack,
  trigger: "schedule" | "demand",
  generatedBy: string,
) {
  return {
    workspace: engine.workspace,
    id: engine.newId("rp"),
    review: built.review?.id ?? null,
    title: built.pack.title,
    period_from: new Date(built.periods.period.from),
    period_to: new Date(built.periods.period.to),
    trigger,
    generated_by: generatedBy,
    agreement_version: built.agreementVersion,
    pack: JSON.stringify(built.pack),
    created_at: new Date(engine.now()),
  };
}

/** The latest stored pack of the same review for a period before `before`. */
async function previousPack(
  engine: Engine,
  review: string | null,
  before: number,
): Promise<StoredPack | undefined> {
  let query = engine.db
    .selectFrom("review_packs")
    .selectAll()
    .where("workspace", "=", engine.workspace)
    .where("period_from", "<", new Date(before))
    .orderBy("period_from", "desc")
    .orderBy("created_at", "desc")
    .limit(1);
  query = review === null ? query.where("review", "is", null) : query.where("review", "=", review);
  const row = await query.executeTakeFirst();
  return row === undefined ? undefined : storedPackOf(row);
}

export interface PackListRequest {
  review?: string | undefined;
  limit?: number | undefined;
  /** list packs created before this one (keyset: created_at, id) */
  before?: { createdAt: number; id: string } | undefined;
}

/** Newest first, without the pack bodies. */
export async function listPacks(
  engine: Engine,
  request: PackListRequest = {},
  db: Executor = engine.db,
): Promise<StoredPackSummary[]> {
  let query = db
    .selectFrom("review_packs")
    .select([
      "id",
      "review",
      "title",
      "period_from",
      "period_to",
      "trigger",
      "generated_by",
      "agreement_version",
      "created_at",
    ])
    .select(sql<string | null>`pack -> 'period' ->> 'label'`.as("label"))
    .where("workspace", "=", engine.workspace)
    .orderBy("created_at", "desc")
    .orderBy("id", "desc")
    .limit(request.limit ?? 50);
  if (request.review !== undefined) query = query.where("review", "=", request.review);
  const before = request.before;
  if (before !== undefined)
    query = query.where((eb) =>
      eb.or([
        eb("created_at", "<", new Date(before.createdAt)),
        eb.and([eb("created_at", "=", new Date(before.createdAt)), eb("id", "<", before.id)]),
      ]),
    );
  const rows = await query.execute();
  return rows.map((row) => summaryOf(row, row.label ?? ""));
}

export async function getPack(engine: Engine, id: string): Promise<ReviewOutcome<StoredPack>> {
  const row = await engine.db
    .selectFrom("review_packs")
    .selectAll()
    .where("workspace", "=", engine.workspace)
    .where("id", "=", id)
    .executeTakeFirst();
  return row === undefined ? unknownPack(id) : { ok: true, value: storedPackOf(row) };
}

export function unknownPack(id: string): { ok: false; error: ReviewError } {
  return {
    ok: false,
    error: {
      code: "unknown_pack",
      message: `review pack '${id}' does not exist; GET /api/reviews (or baton review list) lists them`,
    },
  };
}

type SummaryRow = Pick<
  Selectable<ReviewPackTable>,
  | "id"
  | "review"
  | "title"
  | "period_from"
  | "period_to"
  | "trigger"
  | "generated_by"
  | "agreement_version"
  | "created_at"
>;

function summaryOf(row: SummaryRow, label: string): StoredPackSummary {
  return {
    id: row.id,
    review: row.review,
    title: row.title,
    period: { from: row.period_from.getTime(), to: row.period_to.getTime(), label },
    trigger: row.trigger,
    generatedBy: row.generated_by,
    agreementVersion: row.agreement_version,
    createdAt: row.created_at.getTime(),
  };
}

export function storedPackOf(row: Selectable<ReviewPackTable>): StoredPack {
  const pack = row.pack as ReviewPack;
  return { ...summaryOf(row, pack.period.label), pack };
}
