import { sql } from "kysely";
import { describe, expect, it } from "vitest";
import { openDatabase } from "../../src/db/database.js";

/**
 * A server connection ended while idle (a restart, an administrator, a dropped database) must not
 * end the process: the pool reports it and opens a new connection for the next query.
 */
describe.skipIf(!process.env.DATABASE_URL)("an idle server connection ended by the server", () => {
  it("is reported, and the next query runs on a new connection", async () => {
    const url = process.env.DATABASE_URL!;
    const db = await openDatabase({ kind: "server", url });
    const admin = await openDatabase({ kind: "server", url });
    try {
      const first = await sql<{ pid: number }>`select pg_backend_pid() as pid`.execute(db);
      const pid = first.rows[0]!.pid;
      await sql`select pg_terminate_backend(${pid})`.execute(admin);
      // the termination reaches the idle client as an error event
      await new Promise((resolve) => setTimeout(resolve, 300));
      const next = await sql<{ pid: number }>`select pg_backend_pid() as pid`.execute(db);
      expect(next.rows[0]!.pid).not.toBe(pid);
    } finally {
      await db.destroy();
      await admin.destroy();
    }
  });
});
