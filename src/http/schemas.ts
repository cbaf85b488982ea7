import { type TSchema, Type } from "typebox";

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
