import { z } from "zod";
import { agreementSchema } from "./agreement-schema.js";

/** The agreement's JSON Schema (draft 2020-12), generated from the same zod schema that checks files. */
export function agreementJsonSchema(): Record<string, unknown> {
  const schema = z.toJSONSchema(agreementSchema, {
    target: "draft-2020-12",
    unrepresentable: "any",
    io: "input",
  });
  return {
    ...schema,
    $id: "https://baton.dev/schema/agreement.schema.json",
    title: "Baton agreement",
    description:
      "The agreement between marketing and sales that Baton enforces: lifecycle, qualification, SLA steps, routing, feedback, commitments, reviews and approvers.",
  };
}
