// Lists every optional platform package in package-lock.json by version.
//
// Why: the registry this project installs from serves the platform binaries of Biome, Rollup
// and esbuild only for the platforms it runs on, so `npm install` leaves the other platforms'
// optional packages out of the lockfile, and `npm ci` then refuses the lockfile as out of sync
// ("Missing: @biomejs/cli-darwin-arm64@ from lock file"). An entry with only a version and
// `optional: true` satisfies `npm ci`; on a platform that needs one, npm fetches it by version.
// Run after every dependency change: `node scripts/complete-lockfile.mjs` (CI checks it).
import { readFileSync, writeFileSync } from "node:fs";

const file = new URL("../package-lock.json", import.meta.url);
const text = readFileSync(file, "utf8");
const lock = JSON.parse(text);
const packages = lock.packages;
let added = 0;
for (const node of Object.values(packages)) {
  for (const [name, version] of Object.entries(node.optionalDependencies ?? {})) {
    const key = `node_modules/${name}`;
    if (packages[key]) continue;
    packages[key] = { version, ...(node.dev ? { dev: true } : {}), optional: true };
    added++;
  }
}
const ordered = Object.fromEntries(
  Object.keys(packages)
    .sort((a, b) => (a === "" ? -1 : b === "" ? 1 : a.localeCompare(b)))
    .map((key) => [key, packages[key]]),
);
const next = `${JSON.stringify({ ...lock, packages: ordered }, null, 2)}\n`;
if (process.argv.includes("--check")) {
  if (next !== text) {
    console.error(
      "package-lock.json lacks optional platform packages: run `node scripts/complete-lockfile.mjs` and commit it",
    );
    process.exit(1);
  }
  console.log("package-lock.json lists every optional platform package");
} else {
  writeFileSync(file, next);
  console.log(
    `package-lock.json: ${added} optional platform package${added === 1 ? "" : "s"} listed`,
  );
}
