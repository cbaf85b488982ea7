/**
 * Writes the published JSON Schema of the agreement (schema/agreement.schema.json) from the zod
 * schema that also types and checks it, so editors complete and check agreement files.
 * `--check` fails instead when the committed file is out of date (CI runs it).
 */
import { readFile, writeFile } from "node:fs/promises";
import { fileURLToPath } from "node:url";
import { agreementJsonSchema } from "../src/core/agreement/json-schema.js";

const target = fileURLToPath(new URL("../schema/agreement.schema.json", import.meta.url));
const text = `${JSON.stringify(agreementJsonSchema(), null, 2)}\n`;

if (process.argv.includes("--check")) {
  const current = await readFile(target, "utf8").catch(() => "");
  if (current !== text) {
    console.error(
      "schema/agreement.schema.json is out of date: run `npm run schema` and commit it",
    );
    process.exit(1);
  }
  console.log("schema/agreement.schema.json is current");
} else {
  await writeFile(target, text);
  console.log(`wrote ${target}`);
}
