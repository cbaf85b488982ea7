import { type TSchema, Type } from "typebox";
import { HttpError } from "./http-error.js";

/** Schemas several routes share: the error body, pages, ids. */

export const ErrorBody = Type.Object(
  {
    error: Type.Object(
      {
        code: Type.String({ description: "stable, machine-readable: branch on this" }),
        message: Type.String({ description: "what is wrong and what to do" }),
        requestId: Type.String(),
      },
      { additionalProperties: true },
    ),
  },
  { $id: "Error", description: "Every refusal and failure" },
);

/** The error responses a route can give, for the OpenAPI description. */
export function errors(...statuses: number[]): Record<number, TSchema> {
  return Object.fromEntries(statuses.map((status) => [status, Type.Ref("Error")]));
}

export const Limit = Type.Integer({ minimum: 1, maximum: 500, default: 50 });

export function page<Item extends TSchema>(item: Item) {
  return Type.Object({
    items: Type.Array(item),
    nextCursor: Type.Union([Type.String(), Type.Null()], {
      description: "pass as `cursor` for the next page; null on the last page",
    }),
  });
}

export const Id = Type.String({ minLength: 1, maxLength: 200 });

/** A keyset page's position: the last row's sort value and id, opaque to callers. */
export function encodeCursor(value: unknown, id: string): string {
  return Buffer.from(JSON.stringify([value, id])).toString("base64url");
}

export function decodeCursor(cursor: string): [unknown, string] {
  try {
    const decoded = JSON.parse(Buffer.from(cursor, "base64url").toString("utf8")) as unknown;
    if (Array.isArray(decoded) && decoded.length === 2 && typeof decoded[1] === "string")
      return [decoded[0], decoded[1]];
  } catch {
    // falls through to the refusal
  }
  throw new HttpError(
    "invalid_request",
    "cursor is not one this API returned; start again without it",
  );
}
