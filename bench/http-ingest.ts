import { type ChildProcess, execFile, spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { readFile } from "node:fs/promises";
import { promisify } from "node:util";
import autocannon from "autocannon";
import pg from "pg";

/**
 * Load on `POST /api/leads` through the real server process (`baton serve --no-worker`) on the
 * PostgreSQL server: autocannon for 60 s (BATON_BENCH_SECONDS), every request a new lead.
 * Targets from the issue: ≥ 1,000 requests/s, p99 < 100 ms, zero errors, and resident memory
 * growing less than 10 % from second 10 to the end. Needs DATABASE_URL and `npm run build`.
 * Prints; asserts nothing.
 */

const run = promisify(execFile);
const cli = new URL("../dist/cli/main.js", import.meta.url).pathname;

function rssOf(pid: number): Promise<number> {
  return readFile(`/proc/${pid}/status`, "utf8").then((status) => {
    const match = /VmRSS:\s+(\d+) kB/.exec(status);
    return match ? Number(match[1]) * 1024 : Number.NaN;
  });
}

export async function runHttpIngestBench(): Promise<void> {
  const base = process.env.DATABASE_URL;
  if (!base) {
    console.log("HTTP ingest load: skipped (set DATABASE_URL to the PostgreSQL server)");
    return;
  }
  const seconds = Number(process.env.BATON_BENCH_SECONDS ?? 60);
  const connections = Number(process.env.BATON_BENCH_CONNECTIONS ?? 64);
  const database = `baton_bench_${randomBytes(4).toString("hex")}`;
  const admin = new pg.Client({ connectionString: base });
  await admin.connect();
  await admin.query(`create database ${database}`);
  const url = new URL(base);
  url.pathname = `/${database}`;
  const env = { ...process.env, DATABASE_URL: url.toString(), BATON_COOKIE_SECURE: "false" };
  let server: ChildProcess | undefined;
  try {
    const baton = (args: string[]) => run(process.execPath, [cli, ...args], { env });
    await baton(["migrate"]);
    await baton(["users", "create", "bench", "--role", "admin", "--person", "riley"]);
    await baton(["agreement", "propose", "examples/agreement.yaml", "--by", "riley"]);
    await baton(["agreement", "approve", "1", "--by", "maria"]);
    await baton(["agreement", "approve", "1", "--by", "sam", "--mode", "new_cycles_only"]);
    const created = await baton([
      "tokens",
      "create",
      "bench",
      "--user",
      "bench",
      "--scope",
      "leads.ingest",
      "--json",
    ]);
    const token = (JSON.parse(created.stdout) as { token: string }).token;

    const port = 4300 + Math.floor(Math.random() * 500);
    // BATON_BENCH_PROFILE=<folder> writes the server's CPU profile there, to see where time goes
    const profile = process.env.BATON_BENCH_PROFILE;
    server = spawn(
      process.execPath,
      [
        ...(profile ? ["--cpu-prof", "--cpu-prof-dir", profile] : []),
        cli,
        "serve",
        "--no-worker",
        "--port",
        String(port),
        "--log-level",
        "warn",
      ],
      {
        env,
        stdio: ["ignore", "pipe", "pipe"],
      },
    );
    let serverLog = "";
    // JSON logs (warnings and errors only) on stdout, kept for the report
    server.stdout!.on("data", (chunk: Buffer) => {
      serverLog = (serverLog + chunk.toString()).slice(-20_000);
    });
    await new Promise<void>((resolve, reject) => {
      server!.stderr!.on("data", (chunk: Buffer) => {
        serverLog = (serverLog + chunk.toString()).slice(-20_000);
        if (serverLog.includes("Baton is running")) resolve();
      });
      server!.once("exit", (code) => reject(new Error(`server exited with ${code}`)));
    });
    const pid = server.pid!;
    const samples: { at: number; rss: number }[] = [];
    const started = Date.now();
    const sampler = setInterval(() => {
      void rssOf(pid).then((rss) => samples.push({ at: (Date.now() - started) / 1000, rss }));
    }, 1000);

    let serial = 0;
    const result = await autocannon({
      url: `http://127.0.0.1:${port}`,
      connections,
      duration: seconds,
      requests: [
        {
          method: "POST",
          path: "/api/leads",
          headers: { "content-type": "application/json", authorization: `Bearer ${token}` },
          setupRequest: (request: autocannon.Request) => {
            serial += 1;
            return {
              ...request,
              body: JSON.stringify({
                system: "bench",
                externalId: `lead-${serial}`,
                fields: {
                  email: `buyer${serial}@company${serial % 5000}.example`,
                  first_name: "Ada",
                  country: serial % 3 === 0 ? "GB" : "US",
                  persona_match: serial % 2 === 0,
                  source: "webinar",
                },
                company: { name: `Company ${serial % 5000}`, employees: 50 + (serial % 900) },
              }),
            };
          },
        },
      ],
    });
    clearInterval(sampler);
    const at = (second: number) => samples.find((sample) => sample.at >= second) ?? samples.at(-1);
    // RSS swings with each garbage collection, so compare the means of two windows: seconds
    // 5–15 against the last ten seconds
    const mean = (from: number, to: number) => {
      const window = samples.filter((sample) => sample.at >= from && sample.at < to);
      return window.reduce((sum, sample) => sum + sample.rss, 0) / Math.max(window.length, 1);
    };
    const early = { at: 10, rss: mean(5, 15) };
    const late = { at: seconds, rss: mean(seconds - 10, seconds + 1) };
    const growth = (late.rss - early.rss) / early.rss;
    const mb = (bytes: number | undefined) => ((bytes ?? Number.NaN) / 1024 / 1024).toFixed(0);
    const errors = result.errors + result.timeouts + result.non2xx;
    console.log(
      `HTTP ingest load — POST /api/leads, ${connections} connections, ${seconds} s, PostgreSQL server`,
    );
    console.log(
      `  ${result.requests.average.toFixed(0)} requests/s average (target ≥ 1,000: ${(result.requests.average / 1000).toFixed(2)}×)`,
    );
    console.log(
      `  latency p50 ${result.latency.p50} ms, p99 ${result.latency.p99} ms, max ${result.latency.max} ms (target p99 < 100 ms: ${(100 / Math.max(result.latency.p99, 0.001)).toFixed(2)}× headroom)`,
    );
    console.log(
      `  ${result.requests.total} requests, ${errors} errors (${result.errors} socket, ${result.timeouts} timeouts, ${result.non2xx} non-2xx)`,
    );
    console.log(
      `  server resident memory, mean of seconds 5–15 ${mb(early.rss)} MB → mean of the last 10 s ${mb(late.rss)} MB: ${(growth * 100).toFixed(1)} % growth (target < 10 %)`,
    );
    if (result.non2xx > 0)
      console.log(
        `  statuses: ${JSON.stringify(result.statusCodeStats)}; server log: ${serverLog.slice(-1500)}`,
      );
    console.log(
      `  resident memory every 10 s: ${[10, 20, 30, 40, 50, 60]
        .map((second) => at(second))
        .filter((sample) => sample !== undefined)
        .map((sample) => `${mb(sample!.rss)} MB`)
        .join(" → ")}`,
    );
    const stored = new pg.Client({ connectionString: url.toString() });
    await stored.connect();
    const leads = await stored.query<{ n: string }>("select count(*) as n from leads");
    await stored.end();
    console.log(
      `  ${leads.rows[0]?.n} leads stored for ${result["2xx"]} successful responses (requests in flight when the run stopped are stored too)`,
    );
  } finally {
    if (server && server.exitCode === null) {
      server.kill("SIGTERM");
      await new Promise((resolve) => server!.once("exit", resolve));
    }
    await admin.query(`drop database if exists ${database} with (force)`);
    await admin.end();
  }
}

if (import.meta.url === `file://${process.argv[1]}`) await runHttpIngestBench();
