import { readFile } from "node:fs/promises";
import { approveAgreement, proposeAgreement } from "../../src/app/agreements.js";
import {
  createEngine,
  type Engine,
  type NotificationPort,
  type NotificationRequest,
} from "../../src/app/engine.js";
import { fireTimer, fireTimers } from "../../src/app/fire-timer.js";
import { migrate } from "../../src/db/migrate.js";
import { fireDueTimers } from "../../src/worker/scheduler.js";
import { timerPort } from "../../src/worker/timer-port.js";
import { createTestDatabase, type TestDatabase } from "../db/test-database.js";

/** Monday 2026-03-09 14:00 UTC = 10:00 in New York: inside the example's us-east hours. */
export const mondayMorning = Date.parse("2026-03-09T14:00:00Z");

export interface EngineFixture {
  test: TestDatabase;
  engine: Engine;
  clock: { now: number };
  advance(minutes: number): void;
  /** notifications the use cases enqueued, in order (the outbox has its own tests) */
  notifications: NotificationRequest[];
  /** how many requests each call to the notifications port carried, in order: ingest calls it
   * once per transaction it writes, so its length counts transactions */
  enqueueCalls: number[];
  /** fires every timer due at the fixture's clock, as a worker would; returns how many fired */
  fireDue(): Promise<number>;
}

export async function exampleAgreementYaml(): Promise<string> {
  return readFile(new URL("../../examples/agreement.yaml", import.meta.url), "utf8");
}

/** A fresh schema, migrated, with an engine on a settable clock and sequential ids. */
export async function createEngineFixture(start = mondayMorning): Promise<EngineFixture> {
  const test = await createTestDatabase();
  const migrated = await migrate(test.db);
  if (!migrated.ok) throw new Error(migrated.error);
  const clock = { now: start };
  let next = 0;
  const notifications: NotificationRequest[] = [];
  const enqueueCalls: number[] = [];
  // records what the use cases asked for; the outbox itself has its own tests
  const recorder: NotificationPort = {
    enqueue: (requests) => {
      notifications.push(...requests);
      enqueueCalls.push(requests.length);
      return [];
    },
  };
  const engine = createEngine({
    db: test.db,
    now: () => clock.now,
    newId: (prefix) => `${prefix}-${String(++next).padStart(5, "0")}`,
    timers: timerPort,
    notifications: recorder,
  });
  const fireDue = async () => {
    let fired = 0;
    for (;;) {
      const outcome = await fireDueTimers({
        db: test.db,
        workerId: "test",
        signal: new AbortController().signal,
        now: () => clock.now,
        handle: async (trx, timer) => void (await fireTimer(trx, engine, timer, clock.now)),
        handleBatch: async (trx, timers) => void (await fireTimers(trx, engine, timers, clock.now)),
        report: (event) => {
          if (event.type === "dead" || event.type === "retry") throw new Error(event.error);
        },
      });
      fired += outcome.fired;
      if (outcome.claimed === 0) return fired;
    }
  };
  return {
    test,
    engine,
    clock,
    advance: (minutes) => {
      clock.now += minutes * 60_000;
    },
    notifications,
    enqueueCalls,
    fireDue,
  };
}

/** Proposes the example agreement (or `yaml`) and has Maria (marketing) and Sam (sales) sign it. */
export async function activateExample(engine: Engine, yaml?: string): Promise<number> {
  const proposed = await proposeAgreement(engine, {
    yaml: yaml ?? (await exampleAgreementYaml()),
    actor: "riley",
  });
  if (!proposed.ok) throw new Error(proposed.error.message);
  const first = await approveAgreement(engine, {
    number: proposed.value.number,
    approver: "maria",
  });
  if (!first.ok) throw new Error(first.error.message);
  const second = await approveAgreement(engine, {
    number: proposed.value.number,
    approver: "sam",
    mode: "new_cycles_only",
  });
  if (!second.ok || !second.value.activated)
    throw new Error("the example agreement did not activate");
  return proposed.value.number;
}

/**
 * A lead the example agreement qualifies on arrival (fit 55, capped 50, and a demo request 40),
 * from a web form a minute before the fixture's clock. `key` makes its external id, e-mail domain
 * and company unique within a fixture (matching looks at the registrable domain: `key`.com);
 * `fields` are added to (or replace) its own fields.
 */
export function hotLead(fixture: EngineFixture, key: string, fields: Record<string, unknown> = {}) {
  return {
    system: "web-form",
    externalId: key,
    fields: {
      email: `buyer@${key}.com`,
      first_name: "Ada",
      country: "US",
      persona_match: true,
      source: "website",
      ...fields,
    },
    company: {
      name: `Company ${key}`,
      domain: `${key}.com`,
      employees: 500,
      industry: "software",
    },
    activities: [{ type: "form_submit", at: fixture.clock.now - 60_000, fields: { form: "demo" } }],
  };
}
