import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { processIo } from "../src/cli/io.js";
import { runCli } from "../src/cli/program.js";

/** Runs the CLI in memory and captures what it prints. */
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

const root = new URL("../", import.meta.url).pathname;
const example = join(root, "examples/agreement.yaml");
const newYork = join(root, "examples/calendar-new-york.yaml");
const scratch = mkdtempSync(join(tmpdir(), "baton-cli-"));

function file(name: string, text: string): string {
  const path = join(scratch, name);
  writeFileSync(path, text);
  return path;
}

describe("baton agreement", () => {
  it("validates the example", async () => {
    const result = await baton("agreement", "validate", example);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/valid — 'Acme Analytics revenue agreement'/);
  });

  it("exits 1 and prints file:line:column for an invalid agreement", async () => {
    const { readFileSync } = await import("node:fs");
    const text = readFileSync(example, "utf8").replace(
      "to: { pool: na-sdr }",
      "to: { pool: nope }",
    );
    const path = file("broken.yaml", text);
    const result = await baton("agreement", "validate", path);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(
      new RegExp(`${path}:\\d+:\\d+ error routing\\.rules\\[2\\]\\.to\\.pool: unknown pool 'nope'`),
    );
  });

  it("prints JSON with --json", async () => {
    const result = await baton("agreement", "validate", example, "--json");
    expect(JSON.parse(result.stdout)).toMatchObject({ ok: true });
  });

  it("exits 3 with a readable message for a missing file", async () => {
    const result = await baton("agreement", "validate", join(scratch, "missing.yaml"));
    expect(result.code).toBe(3);
    expect(result.stderr).toContain("no such file");
  });

  it("names a UTF-16 file instead of parsing it, and answers --json scripts in JSON", async () => {
    const path = join(scratch, "utf16.yaml");
    writeFileSync(
      path,
      Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from("baton: 1\n", "utf16le")]),
    );
    const result = await baton("agreement", "validate", path, "--json");
    expect(result.code).toBe(1);
    expect(result.stderr).toContain("is UTF-16 encoded");
    expect(JSON.parse(result.stdout)).toMatchObject({ ok: false, error: { exitCode: 1 } });
  });

  it("rejects unknown flags", async () => {
    const result = await baton("agreement", "validate", example, "--frobnicate");
    expect(result.code).toBe(2);
    expect(result.stderr).toContain("unknown option");
  });

  it("diffs two versions in words", async () => {
    const { readFileSync } = await import("node:fs");
    const text = readFileSync(example, "utf8").replace(
      "{ id: four-business-hours, target_minutes: 240, calendar: owner }",
      "{ id: four-business-hours, target_minutes: 120, calendar: owner }",
    );
    const result = await baton("agreement", "diff", example, file("proposal.yaml", text));
    expect(result.code).toBe(0);
    expect(result.stdout).toContain("target 240 → 120 business minutes");
  });
});

describe("baton calendar", () => {
  it("computes V5: Friday 15:00 EST + 4 business hours is Monday 11:00 EDT", async () => {
    const result = await baton(
      "calendar",
      "due",
      "--calendar",
      newYork,
      "--start",
      "2026-03-06T15:00",
      "--minutes",
      "240",
      "--json",
    );
    expect(result.code).toBe(0);
    const output = JSON.parse(result.stdout);
    expect(output.due.utc).toBe("2026-03-09T15:00:00Z");
    expect(output.realHoursAfterStart).toBe(67);
  });

  it("counts pauses (V10) in due and elapsed", async () => {
    const due = await baton(
      "calendar",
      "due",
      "--calendar",
      newYork,
      "--start",
      "2026-03-09T09:00",
      "--minutes",
      "240",
      "--pause",
      "2026-03-09T10:00/2026-03-09T13:00",
      "--json",
    );
    expect(JSON.parse(due.stdout).due.utc).toBe("2026-03-09T20:00:00Z");
    const elapsed = await baton(
      "calendar",
      "elapsed",
      "--calendar",
      newYork,
      "--from",
      "2026-03-09T16:00",
      "--to",
      "2026-03-10T10:00",
      "--json",
    );
    expect(JSON.parse(elapsed.stdout).businessMinutes).toBe(120);
  });

  it("accepts a JSON calendar and prints human-readable output", async () => {
    const path = file(
      "utc.json",
      JSON.stringify({
        timezone: "UTC",
        hours: {
          mon: ["10:00-18:00"],
          tue: ["10:00-18:00"],
          wed: ["10:00-18:00"],
          thu: ["10:00-18:00"],
          fri: ["10:00-18:00"],
        },
      }),
    );
    const result = await baton(
      "calendar",
      "due",
      "--calendar",
      path,
      "--start",
      "2026-03-04T15:00Z",
      "--minutes",
      "600",
    );
    expect(result.code).toBe(0);
    expect(result.stdout).toContain("Thu 5 Mar 2026 17:00");
  });

  it("explains a bad calendar file with its line", async () => {
    const path = file(
      "bad-calendar.yaml",
      'timezone: America/NewYork\nhours:\n  mon: ["09:00-17:00"]\n',
    );
    const result = await baton(
      "calendar",
      "elapsed",
      "--calendar",
      path,
      "--from",
      "2026-03-09T09:00",
      "--to",
      "2026-03-09T10:00",
    );
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(new RegExp(`${path}:1:\\d+ error timezone`));
  });

  it("takes one calendar out of an agreement with --name, and says how when it is missing", async () => {
    const london = await baton(
      "calendar",
      "due",
      "--calendar",
      example,
      "--name",
      "london",
      "--start",
      "2026-03-27T17:00",
      "--minutes",
      "60",
      "--json",
    );
    expect(london.code).toBe(0);
    // Friday closes at 16:00; Monday 30 March is after the UK clock change (BST, UTC+1)
    expect(JSON.parse(london.stdout).due.utc).toBe("2026-03-30T09:00:00Z");
    const missing = await baton(
      "calendar",
      "due",
      "--calendar",
      example,
      "--start",
      "2026-03-27T17:00",
      "--minutes",
      "60",
    );
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain(
      "pick one of its calendars with --name (always, us-east, london)",
    );
  });

  it("refuses a goal of more than ten years instead of searching for it", async () => {
    const result = await baton(
      "calendar",
      "due",
      "--calendar",
      newYork,
      "--start",
      "2026-03-06T15:00",
      "--minutes",
      "1000000000000",
    );
    expect(result.code).toBe(2);
    expect(result.stderr).toContain("more than ten years");
  });

  it("says how it read a local time the clocks skip or repeat", async () => {
    const gap = await baton(
      "calendar",
      "due",
      "--calendar",
      newYork,
      "--start",
      "2026-03-08T02:30",
      "--minutes",
      "60",
    );
    expect(gap.stderr).toContain(
      "does not exist in America/New_York (clocks skip it); read as 03:30 EDT",
    );
    const overlap = await baton(
      "calendar",
      "due",
      "--calendar",
      newYork,
      "--start",
      "2026-11-01T01:30",
      "--minutes",
      "60",
    );
    expect(overlap.stderr).toContain("happens twice in America/New_York");
  });

  it("refuses a malformed instant with exit code 2", async () => {
    const result = await baton(
      "calendar",
      "due",
      "--calendar",
      newYork,
      "--start",
      "next tuesday",
      "--minutes",
      "60",
    );
    expect(result.code).toBe(2);
    expect(result.stderr).toContain("--start 'next tuesday' is not an ISO 8601 date-time");
  });
});
