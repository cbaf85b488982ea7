import { readFile } from "node:fs/promises";
import { createDemoUsers } from "../app/access/demo-users.js";
import { type SeedDemoResult, seedDemo } from "../app/seed-demo.js";
import { seedDemoReview } from "../app/seed-demo-review.js";
import type { Role } from "../core/access/permissions.js";
import { fireDueTimers } from "../worker/scheduler.js";
import { timerPort } from "../worker/timer-port.js";
import type { Store } from "./open-store.js";

/** The example agreement, shipped with the package (`files` in package.json). */
const exampleAgreement = new URL("../../examples/agreement.yaml", import.meta.url);

/**
 * Seeds the demo company into an opened store and gives its people sign-ins: what `baton demo`
 * and `baton serve --demo` share. The store's engine runs on the real clock and notifies;
 * seedDemo builds its own on the same database, with a simulated clock and a notification port
 * that drops history.
 */
export async function seedDemoStore(
  store: Store,
  options: { seed: number; days: number; append?: boolean; onProgress?: (share: number) => void },
): Promise<{ result: SeedDemoResult; users: { id: string; role: Role; name: string }[] }> {
  const result = await seedDemo({
    db: store.db,
    workspace: store.engine.workspace,
    timers: timerPort,
    fireDueTimers,
    seed: options.seed,
    days: options.days,
    end: Date.now(),
    agreementYaml: await readFile(exampleAgreement, "utf8"),
    append: options.append === true,
    ...(options.onProgress ? { onProgress: options.onProgress } : {}),
  });
  // the seeding activated the agreement through its own engine
  store.engine.registry.forgetActive();
  const users = result.ok ? await createDemoUsers(store.engine) : [];
  // the review packs and action items need the seeded history; a top-up (`append`) adds none
  if (result.ok && options.append !== true) await seedDemoReview(store.engine);
  return { result, users };
}
