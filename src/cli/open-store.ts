import type { Kysely } from "kysely";
import { createEngine, type Engine } from "../app/engine.js";
import type { NotificationChannels } from "../app/notifications/notification-channels.js";
import { notificationChannelsFromEnvironment } from "../app/notifications/notification-channels.js";
import { outboxPort } from "../app/notifications/outbox-port.js";
import {
  type DatabaseLocation,
  describeLocation,
  locationFromEnvironment,
  openDatabase,
} from "../db/database.js";
import { migrate, readMigrations } from "../db/migrate.js";
import type { BatonDatabase } from "../db/schema.js";
import { timerPort } from "../worker/timer-port.js";
import { CliError, exitCodes } from "./exit-codes.js";

/**
 * Opens Baton's database for a command. The embedded database is migrated on open (it belongs to
 * this process, and `npm start` must need nothing else); a server must have been migrated with
 * `baton migrate`, because several processes share it and a deploy decides when.
 */
export interface Store {
  db: Kysely<BatonDatabase>;
  location: DatabaseLocation;
  where: string;
  channels: NotificationChannels;
  engine: Engine;
  close(): Promise<void>;
}

export async function openStore(env: NodeJS.ProcessEnv = process.env): Promise<Store> {
  const channels = notificationChannelsFromEnvironment(env);
  if (!channels.ok)
    throw new CliError(
      channels.errors.map((error) => `${error.variable}: ${error.message}`).join("; "),
      exitCodes.usage,
      channels.errors.map((error) => error.fix).join("; "),
    );
  const location = locationFromEnvironment(env);
  const where = describeLocation(location);
  let db: Kysely<BatonDatabase>;
  try {
    db = await openDatabase(location);
  } catch (error) {
    throw new CliError(
      `cannot open ${where}: ${error instanceof Error ? error.message : String(error)}`,
      exitCodes.database,
      "check DATABASE_URL, or that BATON_DATA_DIR is a writable folder made by this Baton version",
    );
  }
  try {
    if (location.kind === "embedded") {
      const outcome = await migrate(db);
      if (!outcome.ok)
        throw new CliError(
          `migrating ${where} failed: ${outcome.error}`,
          exitCodes.database,
          "run `baton migrate` to see which migration fails",
        );
    } else {
      const applied = await db
        .selectFrom("baton_migrations")
        .select("name")
        .execute()
        .catch(() => []);
      const known = new Set(applied.map((row) => row.name));
      const missing = (await readMigrations()).filter((migration) => !known.has(migration.name));
      if (missing.length > 0)
        throw new CliError(
          `${where} lacks ${missing.length} migration(s) (${missing.map((migration) => migration.name).join(", ")})`,
          exitCodes.database,
          "run `baton migrate` against this database first",
        );
    }
  } catch (error) {
    await db.destroy();
    throw error;
  }
  const engine = createEngine({
    db,
    ...(env.BATON_WORKSPACE ? { workspace: env.BATON_WORKSPACE } : {}),
    timers: timerPort,
    notifications: outboxPort({ channels: channels.channels }),
  });
  return { db, location, where, channels: channels.channels, engine, close: () => db.destroy() };
}
