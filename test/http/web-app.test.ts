import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Fastify from "fastify";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createEngine } from "../../src/app/engine.js";
import type { Database } from "../../src/app/ledger-store.js";
import { type BatonApp, buildApp } from "../../src/http/app.js";
import { registerWebApp } from "../../src/http/web-app.js";

/** The built web app served by the API process: files as built, index.html for app routes. */
describe("web app serving", () => {
  let folder: string;
  let app: BatonApp;

  beforeAll(async () => {
    folder = await mkdtemp(join(tmpdir(), "baton-web-"));
    await mkdir(join(folder, "assets"));
    await writeFile(join(folder, "index.html"), "<!doctype html><title>app shell</title>");
    await writeFile(join(folder, "assets", "main-abc123.js"), "console.log('app')");
    // no route reads the database before a request reaches it
    const engine = createEngine({
      db: {} as Database,
      timers: {} as never,
      notifications: {} as never,
    });
    app = await buildApp({ engine, webRoot: folder });
  });
  afterAll(async () => {
    await app?.close();
    await rm(folder, { recursive: true, force: true });
  });

  it("answers the app's own routes with index.html, revalidated and framed by nobody", async () => {
    for (const url of ["/", "/sla-board", "/sla-board?team=sdr"]) {
      const response = await app.inject({ method: "GET", url });
      expect(response.statusCode, url).toBe(200);
      expect(response.body, url).toContain("app shell");
      expect(response.headers["cache-control"], url).toBe("no-cache");
      expect(response.headers["x-frame-options"], url).toBe("DENY");
      expect(String(response.headers["content-security-policy"]), url).toContain(
        "script-src 'self'",
      );
    }
  });

  it("serves built assets by exact path, cached for a year", async () => {
    const response = await app.inject({ method: "GET", url: "/assets/main-abc123.js" });
    expect(response.statusCode).toBe(200);
    expect(response.body).toBe("console.log('app')");
    expect(response.headers["cache-control"]).toContain("immutable");
  });

  it("refuses missing assets and unknown API paths with the API's 404, never the page", async () => {
    for (const url of ["/assets/gone-old.js", "/api/nothing-here", "/assets/../index.html"]) {
      const response = await app.inject({ method: "GET", url });
      if (url === "/assets/../index.html") {
        // the path is normalised by the client or the router: never a file outside the build
        expect(response.body).not.toContain("console.log");
        continue;
      }
      expect(response.statusCode, url).toBe(404);
      expect(response.json().error.code, url).toBe("not_found");
    }
  });

  it("leaves the API's routes to the API", async () => {
    const response = await app.inject({ method: "GET", url: "/api/health" });
    expect(response.json()).toEqual({ status: "ok" });
  });

  it("says how to build the app when it is not built", async () => {
    const bare = Fastify();
    await registerWebApp(bare, undefined);
    const response = await bare.inject({ method: "GET", url: "/sla-board" });
    expect(response.statusCode).toBe(200);
    expect(response.body).toContain("npm run build");
    await bare.close();
  });
});
