import { readFileSync } from "node:fs";
import { Ajv2020 } from "ajv/dist/2020.js";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { agreementJsonSchema } from "./json-schema.js";

const published = JSON.parse(
  readFileSync(new URL("../../../schema/agreement.schema.json", import.meta.url), "utf8"),
) as Record<string, unknown>;
const example = parse(
  readFileSync(new URL("../../../examples/agreement.yaml", import.meta.url), "utf8"),
) as Record<string, unknown>;

describe("the published JSON Schema", () => {
  it("is the one generated from the zod schema (run `npm run schema` after changing it)", () => {
    expect(published).toEqual(JSON.parse(JSON.stringify(agreementJsonSchema())));
  });

  it("accepts the example agreement and refuses an unknown key, checked by an independent validator", () => {
    const ajv = new Ajv2020({ strict: false, allErrors: true });
    const validate = ajv.compile(published);
    expect(validate(example), JSON.stringify(validate.errors)).toBe(true);
    expect(validate({ ...example, colour: "blue" })).toBe(false);
    expect(validate.errors?.some((error) => error.keyword === "additionalProperties")).toBe(true);
  });
});
