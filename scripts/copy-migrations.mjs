// tsc compiles TypeScript only: this copies the plain-SQL migrations beside the compiled
// migrator (dist/db/migrations), where it reads them at run time. Run by `npm run build`.
import { cpSync, rmSync } from "node:fs";

const from = new URL("../src/db/migrations/", import.meta.url);
const to = new URL("../dist/db/migrations/", import.meta.url);
rmSync(to, { recursive: true, force: true });
cpSync(from, to, { recursive: true, filter: (source) => !source.endsWith(".ts") });
