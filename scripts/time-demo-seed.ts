/**
 * Times `seedDemo` on a fresh embedded database (PGlite in a temporary folder, as `npm start`
 * would use), or on the server in DATABASE_URL when set (a fresh schema there). Not a test:
 * prints the volume and the elapsed time.
 *
 *   npx tsx scripts/time-demo-seed.ts [days] [seed]
 */
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { seedDemo } from "../src/app/seed-demo.js";
import { openDatabase } from "../src/db/database.js";
import { migrate } from "../src/db/migrate.js";
import { fireDueTimers } from "../src/worker/scheduler.js";
import { timerPort } from "../src/worker/timer-port.js";

const days = Number(process.argv[2] ?? 90);
const seed = Number(process.argv[3] ?? 1);
const folder = mkdtempSync(join(tmpdir(), "baton-demo-time-"));
const db = await openDatabase(
  process.env.DEMO_MEMORY ? { kind: "memory" } : { kind: "embedded", dataDir: folder },
);
try {
  const migrated = await migrate(db);
  if (!migrated.ok) throw new Error(migrated.error);
  const result = await seedDemo({
    db,
    timers: timerPort,
    fireDueTimers,
    seed,
    days,
    end: Date.now(),
    ...(process.env.DEMO_RESOLUTION_MINUTES
      ? { timerResolutionMs: Number(process.env.DEMO_RESOLUTION_MINUTES) * 60_000 }
      : {}),
    agreementYaml: readFileSync(new URL("../examples/agreement.yaml", import.meta.url), "utf8"),
    onProgress: (share) => process.stderr.write(`\r${Math.round(share * 100)} %`),
  });
  process.stderr.write("\n");
  console.log(JSON.stringify(result, null, 2));
} finally {
  await db.destroy();
  rmSync(folder, { recursive: true, force: true });
}
