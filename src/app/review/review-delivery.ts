import { sql } from "kysely";
import type { Agreement } from "../../core/agreement/agreement-schema.js";
import type { ReviewPack } from "../../core/review/review-pack-types.js";
import type { Engine } from "../engine.js";
import { enqueueNotifications, type NotificationRequest } from "../notifications/index.js";
import type { NotificationChannels } from "../notifications/notification-channels.js";
import { renderReviewHtml } from "./render-html.js";
import { renderReviewMarkdown } from "./render-markdown.js";
import { buildPack, packRow } from "./review-packs.js";
import { type AgreementReview, type DueRun, dueRuns } from "./review-schedule.js";

/**
 * Scheduled review packs: at each review's delivery instant (review-schedule.ts) the pack of its
 * last complete period is generated, stored and delivered — once per period per review, with
 * any number of workers. Storing a pack inserts the period's one `schedule` row with `on conflict
 * do nothing` (the unique index review_packs_scheduled) in the same transaction as its
 * notifications, so only the worker whose insert took the slot writes them, and a rolled-back
 * transaction leaves the slot free. That alone makes delivery exactly once; on a server
 * (`exclusive`) a worker also holds a session advisory lock on the review's period while it
 * builds the pack, so the others skip it instead of building the same pack for nothing (a
 * large workspace's pack takes seconds). The lock is a session's, on a connection of its own:
 * the build reads through the pool, and a worker that dies frees it with its connection. The
 * embedded database has one connection and one process, so there the insert alone decides.
 *
 * Delivered through the notification outbox (delivery is the worker's, at least once, with
 * retries): the webhook gets the pack as JSON (`data.pack`), Slack the Markdown, each owner's
 * e-mail the Markdown as text and the HTML (`data.html`) for an HTML part.
 *
 * Terms
 * - owners' addresses: a review's `owners` are person or team ids; a person is reached at their
 *   e-mail, a team at its manager's, or its members' when it has no manager.
 */

export interface DeliveredPack {
  packId: string;
  review: string;
  period: { from: number; to: number; label: string };
  notifications: number;
}

export interface DeliveryOptions {
  /** the address users reach Baton at (BATON_PUBLIC_URL), for links to the pack */
  publicUrl?: string | undefined;
  /** hold an advisory lock per review period while building (several workers on a server) */
  exclusive?: boolean;
  /** a line per pack built, with how long it took */
  log?: (line: string) => void;
}

/** Generates and delivers every review pack due at the engine's now that is not stored yet. */
export async function deliverDueReviews(
  engine: Engine,
  channels: NotificationChannels,
  options: DeliveryOptions = {},
): Promise<DeliveredPack[]> {
  const active = await engine.registry.active(engine.db);
  if (active === undefined) return [];
  const agreement = active.compiled.agreement;
  const delivered: DeliveredPack[] = [];
  for (const run of dueRuns(agreement, engine.now())) {
    if (await alreadyStored(engine, run)) continue;
    const deliver = () => deliverRun(engine, channels, options, active.version, agreement, run);
    const pack = options.exclusive
      ? await whileLocked(engine, run, async () =>
          // a worker that held the lock before may have stored it since the look above
          (await alreadyStored(engine, run)) ? undefined : deliver(),
        )
      : await deliver();
    if (pack !== undefined) delivered.push(pack);
  }
  return delivered;
}

/**
 * Runs `work` while this session holds the review period's advisory lock; undefined, without
 * running it, when another session holds it (that worker is building the same pack).
 */
async function whileLocked<Value>(
  engine: Engine,
  run: DueRun,
  work: () => Promise<Value | undefined>,
): Promise<Value | undefined> {
  const key = `baton-review-pack:${engine.workspace}:${run.review.id}:${run.periods.period.from}`;
  return engine.db.connection().execute(async (connection) => {
    const { rows } = await sql<{ locked: boolean }>`
      select pg_try_advisory_lock(hashtext(${key})) as locked`.execute(connection);
    if (rows[0]?.locked !== true) return undefined;
    try {
      return await work();
    } finally {
      await sql`select pg_advisory_unlock(hashtext(${key}))`.execute(connection);
    }
  });
}

/** Builds one due pack, stores it and enqueues its notifications, unless its slot is taken. */
async function deliverRun(
  engine: Engine,
  channels: NotificationChannels,
  options: DeliveryOptions,
  version: number,
  agreement: Agreement,
  run: DueRun,
): Promise<DeliveredPack | undefined> {
  const began = performance.now();
  const built = await buildPack(engine, agreement, version, run.review, run.periods);
  if (!built.ok) return undefined;
  options.log?.(
    `review pack ${run.review.id} ${run.periods.period.label} built in ${Math.round(performance.now() - began)} ms`,
  );
  const row = packRow(engine, built.value, "schedule", "schedule");
  const written = await engine.db.transaction().execute(async (trx) => {
    const inserted = await trx
      .insertInto("review_packs")
      .values(row)
      .onConflict((conflict) =>
        conflict
          .columns(["workspace", "review", "period_from"])
          .where("trigger", "=", "schedule")
          .doNothing(),
      )
      .returning("id")
      .executeTakeFirst();
    if (inserted === undefined) return undefined;
    const requests = packNotifications(
      engine.workspace,
      inserted.id,
      built.value.pack,
      run.review,
      agreement,
      channels,
      options.publicUrl,
    );
    // one write per channel, however many owners it reaches
    const byChannel = new Map<(typeof requests)[number]["channel"], typeof requests>();
    for (const entry of requests) {
      const entries = byChannel.get(entry.channel) ?? [];
      entries.push(entry);
      byChannel.set(entry.channel, entries);
    }
    let count = 0;
    for (const [channel, entries] of byChannel)
      count += (
        await enqueueNotifications(
          trx,
          entries.map((entry) => entry.request),
          { [channel]: channels[channel] },
        )
      ).written;
    return count;
  });
  if (written === undefined) return undefined;
  return {
    packId: row.id,
    review: run.review.id,
    period: run.periods.period,
    notifications: written,
  };
}

async function alreadyStored(engine: Engine, run: DueRun): Promise<boolean> {
  const row = await engine.db
    .selectFrom("review_packs")
    .select("id")
    .where("workspace", "=", engine.workspace)
    .where("review", "=", run.review.id)
    .where("period_from", "=", new Date(run.periods.period.from))
    .where("trigger", "=", "schedule")
    .executeTakeFirst();
  return row !== undefined;
}

/** Where a review's owners are reached by e-mail: people, team managers, or team members. */
export function ownerAddresses(
  agreement: Agreement,
  review: AgreementReview,
): { person: string; email: string; name: string }[] {
  const found = new Map<string, { person: string; email: string; name: string }>();
  const add = (id: string) => {
    const person = agreement.people[id];
    if (person !== undefined && !found.has(person.email))
      found.set(person.email, { person: id, email: person.email, name: person.name });
  };
  for (const owner of review.owners) {
    if (agreement.people[owner] !== undefined) add(owner);
    const team = agreement.teams[owner];
    if (team === undefined) continue;
    if (team.manager !== undefined) add(team.manager);
    else
      for (const [id, person] of Object.entries(agreement.people))
        if (person.team === owner) add(id);
  }
  return [...found.values()];
}

type Channel = keyof NotificationChannels;

/** One request per channel (and per owner address for e-mail), each with its own format. */
export function packNotifications(
  workspace: string,
  packId: string,
  pack: ReviewPack,
  review: AgreementReview,
  agreement: Agreement,
  channels: NotificationChannels,
  publicUrl: string | undefined,
): { channel: Channel; request: NotificationRequest }[] {
  const key = `review-pack:${workspace}:${review.id}:${new Date(pack.period.from).toISOString()}`;
  const link = publicUrl ? `${publicUrl.replace(/\/$/, "")}/reviews/${packId}` : undefined;
  const markdown = renderReviewMarkdown(pack);
  const text = link === undefined ? markdown : `${markdown}\n\nThe pack in Baton: ${link}\n`;
  const subject = pack.title;
  const period = { from: pack.period.from, to: pack.period.to, label: pack.period.label };
  const facts = { packId, review: review.id, period, link: link ?? null };
  const requests: { channel: Channel; request: NotificationRequest }[] = [];
  if (channels.webhook)
    requests.push({
      channel: "webhook",
      request: {
        key,
        kind: "review_pack",
        recipient: { name: review.name },
        subject,
        text,
        data: { ...facts, pack },
      },
    });
  if (channels.slack)
    requests.push({
      channel: "slack",
      request: {
        key,
        kind: "review_pack",
        recipient: { name: review.name },
        subject,
        text: slackSummary(markdown, link),
        data: facts,
      },
    });
  if (channels.email)
    for (const owner of ownerAddresses(agreement, review))
      requests.push({
        channel: "email",
        request: {
          key: `${key}:${owner.email}`,
          kind: "review_pack",
          recipient: owner,
          subject,
          text,
          data: { ...facts, html: renderReviewHtml(pack) },
        },
      });
  return requests;
}

/**
 * Slack shows about 3,000 characters of a section: the Markdown up to the last whole line that
 * fits, and the link to the full pack.
 */
export function slackSummary(markdown: string, link: string | undefined): string {
  const limit = 2600;
  const tail = link === undefined ? "" : `\n\nFull pack: ${link}`;
  if (markdown.length <= limit) return `${markdown.trimEnd()}${tail}`;
  const cut = markdown.lastIndexOf("\n", limit);
  return `${markdown.slice(0, cut > 0 ? cut : limit).trimEnd()}\n…${tail}`;
}
