import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { IngestResult } from "../../src/app/ingest.js";
import { IngestQueue } from "../../src/app/ingest-queue.js";
import { activateExample, createEngineFixture, type EngineFixture } from "./engine-fixture.js";

/**
 * The group-commit queue the API ingests through, on the database of the run (PGlite, or the
 * server with DATABASE_URL). A transaction is counted by the notifications port: ingest asks it
 * once per batch it writes.
 */
let fixture: EngineFixture;
let batches: number[];
let serial = 0;

beforeEach(async () => {
  fixture = await createEngineFixture();
  await activateExample(fixture.engine);
  // the fixture's own record of calls; only the ingests below count
  fixture.enqueueCalls.length = 0;
  batches = fixture.enqueueCalls;
});

afterEach(async () => {
  await fixture.test.drop();
});

function lead() {
  serial += 1;
  return {
    system: "web-form",
    externalId: `queue-${serial}`,
    fields: { email: `buyer${serial}@queue${serial}.com`, country: "US", source: "website" },
    company: { name: `Queue ${serial}`, domain: `queue${serial}.com`, employees: 500 },
  };
}

/**
 * Calls that arrive together, each from a callback of its own as separate requests' handlers are,
 * with pending promise work run between them. They are immediates queued in one turn, so all of
 * them run in the next turn's check phase. Timers of 0 ms were not enough: on a loaded machine
 * timers set a millisecond apart fell due in different turns, and the calls in two batches.
 */
function arrivingTogether(queue: IngestQueue, count: number) {
  const inputs = Array.from({ length: count }, lead);
  return {
    inputs,
    results: Promise.all(
      inputs.map(
        (input) =>
          new Promise<IngestResult>((resolve, reject) =>
            setImmediate(() => queue.submit(input, { actor: "web" }).then(resolve, reject)),
          ),
      ),
    ),
  };
}

describe("the ingest queue", () => {
  it("writes calls that arrive together in one transaction, each with its own result", async () => {
    const queue = new IngestQueue(fixture.engine);
    const { inputs, results } = arrivingTogether(queue, 30);
    const written = await results;
    // Pumping inside submit started a batch of the first call alone; on PGlite, whose
    // transactions can end without giving the event loop a turn, every call got its own.
    expect(batches).toHaveLength(1);
    expect(written.every((result) => result.ok)).toBe(true);
    const leads = await fixture.test.db.selectFrom("leads").select(["id", "external_id"]).execute();
    const byExternal = new Map(leads.map((row) => [row.external_id, row.id]));
    // each caller gets the result of its own lead
    written.forEach((result, index) => {
      expect(result.ok && result.leadId).toBe(byExternal.get(inputs[index]!.externalId));
    });
  });

  it("still writes a call to an idle queue on its own, and the next ones after it", async () => {
    const queue = new IngestQueue(fixture.engine, { maxBatch: 10 });
    const alone = await queue.submit(lead(), { actor: "web" });
    expect(alone.ok).toBe(true);
    expect(batches).toHaveLength(1);
    // 25 together, at most 10 a transaction
    const { results } = arrivingTogether(queue, 25);
    expect((await results).every((result) => result.ok)).toBe(true);
    expect(batches).toHaveLength(4);
    expect(queue.waiting).toBe(0);
  });
});
