import { existsSync, readdirSync } from "node:fs";
import { join, relative, sep } from "node:path";
import { fileURLToPath } from "node:url";
import fastifyStatic from "@fastify/static";
import type { FastifyInstance } from "fastify";

/**
 * The web app (web/, built by `npm run build` into dist/web), served by the API process: the
 * built files as they are, and index.html for every other GET outside /api, so the app's own
 * routes (/sla-board …) survive a reload. Only files present at start-up are served, by exact
 * path, so no request can name a file outside the build. Hashed assets are cached for a year;
 * index.html is revalidated, so a new build reaches browsers at once.
 */

/** dist/web beside the compiled server (dist/http/…), or from source (src/http/…) the build's. */
export function defaultWebRoot(): string | undefined {
  const here = fileURLToPath(new URL(".", import.meta.url));
  return [join(here, "../web"), join(here, "../../dist/web")].find((folder) =>
    existsSync(join(folder, "index.html")),
  );
}

function filesUnder(root: string): Set<string> {
  const files = new Set<string>();
  const walk = (folder: string) => {
    for (const entry of readdirSync(folder, { withFileTypes: true })) {
      const path = join(folder, entry.name);
      if (entry.isDirectory()) walk(path);
      else files.add(`/${relative(root, path).split(sep).join("/")}`);
    }
  };
  walk(root);
  return files;
}

const notBuilt = `<!doctype html><html lang="en"><meta charset="utf-8"><title>Baton</title>
<body style="font-family:system-ui;max-width:40rem;margin:3rem auto;line-height:1.5">
<h1>Baton's web app is not built</h1>
<p>The API is running (<a href="/api/docs">API documentation</a>). Build the web app with
<code>npm run build</code> and restart, or develop it with <code>npm run dev:web</code>.</p></body></html>`;

/** Scripts and data from Baton only; Mantine sets inline styles, so those are allowed. */
const contentSecurityPolicy =
  "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; connect-src 'self'; frame-ancestors 'none'; base-uri 'self'; form-action 'self'";

export async function registerWebApp(
  app: FastifyInstance,
  root: string | undefined,
): Promise<void> {
  const files = root === undefined ? new Set<string>() : filesUnder(root);
  if (root !== undefined)
    await app.register(fastifyStatic, { root, serve: false, index: false, etag: true });

  app.get("/*", { config: { access: "public" }, schema: { hide: true } }, (request, reply) => {
    const path = decodeURIComponent(request.url.split("?")[0] ?? "/");
    if (path === "/api" || path.startsWith("/api/")) return reply.callNotFound();
    if (root === undefined) return reply.type("text/html; charset=utf-8").send(notBuilt);
    if (files.has(path) && path !== "/index.html")
      return reply.sendFile(path.slice(1), {
        maxAge: path.startsWith("/assets/") ? 365 * 24 * 3600 * 1000 : 0,
        immutable: path.startsWith("/assets/"),
      });
    // a chunk of an older build is gone after a deploy: a 404, not the page in its place
    if (path.startsWith("/assets/")) return reply.callNotFound();
    reply.header("cache-control", "no-cache");
    reply.header("content-security-policy", contentSecurityPolicy);
    reply.header("x-frame-options", "DENY");
    return reply.sendFile("index.html", { cacheControl: false });
  });
}
