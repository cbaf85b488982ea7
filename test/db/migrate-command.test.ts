import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it, vi } from "vitest";
import { processIo } from "../../src/cli/io.js";
import { runCli } from "../../src/cli/program.js";

async function baton(...argv: string[]) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await runCli(argv, {
    stdout: (text) => out.push(text),
    stderr: (text) => err.push(text),
    readText: processIo.readText,
  });
  return { code, stdout: out.join("\n"), stderr: err.join("\n") };
}

afterEach(() => {
  vi.unstubAllEnvs();
});

// Always embedded: on the server the command would migrate the shared database's own schema.
describe("baton migrate (embedded)", () => {
  it("creates the data folder, applies the migrations, then finds nothing to do", async () => {
    vi.stubEnv("DATABASE_URL", undefined);
    vi.stubEnv("BATON_DATA_DIR", join(mkdtempSync(join(tmpdir(), "baton-migrate-")), "data"));
    const first = await baton("migrate");
    expect(first.code).toBe(0);
    expect(first.stdout).toMatch(/0001-ledger-and-agreements\.sql: applied/);
    const second = await baton("migrate", "--json");
    expect(second.code).toBe(0);
    const outcome = JSON.parse(second.stdout);
    expect(outcome.ok).toBe(true);
    expect(outcome.results[0]).toEqual({
      name: "0001-ledger-and-agreements.sql",
      status: "already-applied",
    });
    expect(
      outcome.results.every((result: { status: string }) => result.status === "already-applied"),
    ).toBe(true);
  });

  it("exits 4 with a fix when the database cannot be reached", async () => {
    vi.stubEnv("DATABASE_URL", "postgres://baton@127.0.0.1:1/nowhere");
    const result = await baton("migrate");
    expect(result.code).toBe(4);
    expect(result.stderr).toMatch(/migration failed on PostgreSQL at .*\n {2}fix: /);
  });

  it("rejects unknown flags", async () => {
    expect((await baton("migrate", "--force")).code).toBe(2);
  });
});
