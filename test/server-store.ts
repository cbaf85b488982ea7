import { type ChildProcess, spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdtempSync } from "node:fs";
import { rm } from "node:fs/promises";
import { type AddressInfo, createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import pg from "pg";

/**
 * A fresh store for a test that starts the real `baton` processes: a new database on the
 * PostgreSQL server when DATABASE_URL is set (so runs never see each other's data), otherwise
 * an embedded folder. Sets DATABASE_URL or BATON_DATA_DIR in `env`; `cleanup` drops it all.
 */
export async function freshServerStore(
  env: NodeJS.ProcessEnv,
  prefix: string,
): Promise<{ folder: string; cleanup: () => Promise<void> }> {
  const folder = mkdtempSync(join(tmpdir(), `baton-${prefix}-`));
  const base = process.env.DATABASE_URL;
  if (!base) {
    env.BATON_DATA_DIR = join(folder, "data");
    return { folder, cleanup: () => rm(folder, { recursive: true, force: true }) };
  }
  const database = `baton_${prefix}_${randomBytes(4).toString("hex")}`;
  const admin = new pg.Client({ connectionString: base });
  await admin.connect();
  await admin.query(`create database ${database}`);
  const url = new URL(base);
  url.pathname = `/${database}`;
  env.DATABASE_URL = url.toString();
  return {
    folder,
    cleanup: async () => {
      await admin.query(`drop database if exists ${database} with (force)`);
      await admin.end();
      await rm(folder, { recursive: true, force: true });
    },
  };
}

/** A running `baton serve` started by a test, with what it printed on stderr. */
export interface ServedBaton {
  process: ChildProcess;
  baseUrl: string;
  log(): string;
  /** SIGTERM, then wait for it to exit */
  stop(): Promise<void>;
}

/**
 * A port nothing listens on now: the system's pick for port 0. A fixed range can hold another
 * service's port (PostgreSQL's 5432, RabbitMQ's 5672), so tests never pick one themselves.
 */
export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", resolve);
  });
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/**
 * Starts `baton serve` (the CLI from source, `command` = node's arguments before `serve`) on a
 * free port, and resolves once it says it is running; rejects with its log when it exits first.
 */
export async function startServe(
  command: string[],
  env: NodeJS.ProcessEnv,
  cwd: string,
): Promise<ServedBaton> {
  const port = await freePort();
  const child = spawn(process.execPath, [...command, "serve", "--port", String(port)], {
    env,
    cwd,
    stdio: ["ignore", "ignore", "pipe"],
  });
  let log = "";
  await new Promise<void>((resolve, reject) => {
    child.stderr!.on("data", (chunk: Buffer) => {
      log += chunk.toString();
      if (log.includes("Baton is running")) resolve();
    });
    child.once("exit", (code) => reject(new Error(`baton serve exited with ${code}: ${log}`)));
  });
  return {
    process: child,
    baseUrl: `http://127.0.0.1:${port}`,
    log: () => log,
    stop: async () => {
      if (child.exitCode !== null) return;
      child.kill("SIGTERM");
      await new Promise((resolve) => child.once("exit", resolve));
    },
  };
}
