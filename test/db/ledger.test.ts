import { sql } from "kysely";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { migrate } from "../../src/db/migrate.js";
import { createTestDatabase, type TestDatabase } from "./test-database.js";

/** A fixed reference time: tests never read the clock. */
const occurredAt = new Date("2026-03-09T14:00:00.000Z");

let test: TestDatabase;
beforeAll(async () => {
  test = await createTestDatabase();
  const outcome = await migrate(test.db);
  if (!outcome.ok) throw new Error(outcome.error);
});
afterAll(async () => {
  await test.drop();
});

function leadEvent(overrides: { idempotency_key?: string; stream_id?: string } = {}) {
  return {
    workspace: "acme",
    stream_type: "lead",
    stream_id: overrides.stream_id ?? "lead-1",
    type: "lead.created",
    actor: "api:hubspot",
    occurred_at: occurredAt,
    agreement_version: null,
    explanation: JSON.stringify({ rule: "inbound" }),
    data: JSON.stringify({ email: "ada@example.com" }),
    idempotency_key: overrides.idempotency_key ?? null,
  };
}

describe("the events ledger", () => {
  it("appends events and reads them back with jsonb and timestamps parsed", async () => {
    const inserted = await test.db
      .insertInto("events")
      .values(leadEvent())
      .returning(["id", "recorded_at"])
      .executeTakeFirstOrThrow();
    const row = await test.db
      .selectFrom("events")
      .selectAll()
      .where("id", "=", inserted.id)
      .executeTakeFirstOrThrow();
    expect(row.occurred_at.toISOString()).toBe(occurredAt.toISOString());
    expect(row.data).toEqual({ email: "ada@example.com" });
    expect(row.explanation).toEqual({ rule: "inbound" });
    expect(row.recorded_at).toBeInstanceOf(Date);
  });

  it("refuses UPDATE, DELETE and TRUNCATE: the ledger is append-only", async () => {
    await test.db
      .insertInto("events")
      .values(leadEvent({ stream_id: "lead-2" }))
      .execute();
    await expect(
      test.db.updateTable("events").set({ type: "lead.rewritten" }).execute(),
    ).rejects.toThrow(/append-only: UPDATE/);
    await expect(test.db.deleteFrom("events").execute()).rejects.toThrow(/append-only: DELETE/);
    await expect(sql`truncate events`.execute(test.db)).rejects.toThrow(/append-only: TRUNCATE/);
    const count = await test.db
      .selectFrom("events")
      .select((eb) => eb.fn.countAll<string>().as("n"))
      .executeTakeFirstOrThrow();
    expect(Number(count.n)).toBe(2);
  });

  it("keeps idempotency keys unique", async () => {
    await test.db
      .insertInto("events")
      .values(leadEvent({ idempotency_key: "delivery-7" }))
      .execute();
    await expect(
      test.db
        .insertInto("events")
        .values(leadEvent({ idempotency_key: "delivery-7" }))
        .execute(),
    ).rejects.toThrow(/unique|duplicate/i);
  });
});

describe("agreement versions", () => {
  it("stores a version and one approval per side and approver", async () => {
    await test.db
      .insertInto("agreement_versions")
      .values({
        number: 1,
        yaml: "name: Acme\n",
        parsed: JSON.stringify({ name: "Acme" }),
        proposed_by: "maria@acme.test",
        proposed_at: occurredAt,
        activated_at: null,
        activation_mode: null,
      })
      .execute();
    const approval = { version: 1, side: "marketing", approver: "maria@acme.test" } as const;
    await test.db.insertInto("agreement_approvals").values(approval).execute();
    await expect(
      test.db.insertInto("agreement_approvals").values(approval).execute(),
    ).rejects.toThrow(/unique|duplicate/i);
    await expect(
      test.db
        .insertInto("agreement_approvals")
        .values({ ...approval, side: "finance" as "sales" })
        .execute(),
    ).rejects.toThrow(/check/i);
  });
});
