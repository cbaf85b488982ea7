import type { FastifyInstance } from "fastify";
import { Type } from "typebox";
import { listAudit } from "../../app/access/audit.js";
import { signIn, signOut } from "../../app/access/sessions.js";
import { createToken, listTokens, revokeToken } from "../../app/access/tokens.js";
import { createUser, listUsers, updateUser } from "../../app/access/users.js";
import { capabilities, capabilitiesOf, roles } from "../../core/access/permissions.js";
import type { RouteContext } from "../app.js";
import { sessionCookie } from "../auth.js";
import { principalOf } from "../context.js";
import { refusal } from "../http-error.js";
import { errors, Id } from "../schemas.js";

const RoleSchema = Type.Enum(roles);
const CapabilitySchema = Type.Enum(capabilities);

const UserSchema = Type.Object({
  id: Type.String(),
  name: Type.String(),
  email: Type.Union([Type.String(), Type.Null()]),
  role: RoleSchema,
  person: Type.Union([Type.String(), Type.Null()]),
  disabled: Type.Boolean(),
  createdAt: Type.String({ format: "date-time" }),
});

const TokenSchema = Type.Object({
  id: Type.String(),
  name: Type.String(),
  userId: Type.String(),
  scopes: Type.Array(CapabilitySchema),
  createdBy: Type.String(),
  createdAt: Type.String({ format: "date-time" }),
  expiresAt: Type.Union([Type.String({ format: "date-time" }), Type.Null()]),
  lastUsedAt: Type.Union([Type.String({ format: "date-time" }), Type.Null()]),
  revoked: Type.Boolean(),
});

const SessionSchema = Type.Object({
  user: Type.Object({
    id: Type.String(),
    name: Type.String(),
    role: RoleSchema,
    person: Type.Union([Type.String(), Type.Null()]),
  }),
  capabilities: Type.Array(CapabilitySchema),
  csrfToken: Type.String({ description: "echo it in X-CSRF-Token on POST, PATCH and DELETE" }),
});

/** Sign-in, users, API tokens and the audit log. */
export async function registerAccessRoutes(
  app: FastifyInstance,
  { engine, options, auth }: RouteContext,
): Promise<void> {
  const typed =
    app.withTypeProvider<import("@fastify/type-provider-typebox").TypeBoxTypeProvider>();
  const signInAttempts = options.signInAttempts ?? 10;

  typed.post(
    "/api/session",
    {
      config: {
        access: "public",
        rateLimit: {
          max: signInAttempts,
          timeWindow: 15 * 60 * 1000,
          // after the body is parsed, so the key can hold the user name
          hook: "preHandler",
          keyGenerator: (request) => {
            const body = request.body as { user?: unknown } | undefined;
            return `sign-in:${request.ip}:${String(body?.user ?? "").toLowerCase()}`;
          },
        },
      },
      schema: {
        tags: ["access"],
        summary: "Sign in with a user name and password; sets the session cookie",
        security: [],
        body: Type.Object(
          {
            user: Type.String({ minLength: 1, maxLength: 63 }),
            password: Type.String({ minLength: 1, maxLength: 200 }),
          },
          { additionalProperties: false },
        ),
        response: { 200: SessionSchema, ...errors(401, 403, 422, 429) },
      },
    },
    async (request, reply) => {
      const outcome = await signIn(engine, {
        userId: request.body.user,
        password: request.body.password,
      });
      if (!outcome.ok) throw refusal(outcome.error);
      const { principal, secret, expiresAt } = outcome.value;
      reply.setCookie(sessionCookie, secret, {
        httpOnly: true,
        sameSite: "strict",
        secure: options.secureCookies ?? true,
        path: "/",
        expires: new Date(expiresAt),
      });
      return {
        user: {
          id: principal.userId,
          name: principal.name,
          role: principal.role,
          person: principal.person,
        },
        capabilities: capabilitiesOf(principal.role),
        csrfToken: principal.csrfToken ?? "",
      };
    },
  );

  typed.get(
    "/api/session",
    {
      config: { access: "signed-in" },
      schema: {
        tags: ["access"],
        summary: "Who is signed in, what they may do, and the session's CSRF token",
        response: { 200: SessionSchema, ...errors(401) },
      },
    },
    async (request) => {
      const principal = principalOf(request);
      return {
        user: {
          id: principal.userId,
          name: principal.name,
          role: principal.role,
          person: principal.person,
        },
        capabilities: capabilitiesOf(principal.role).filter(
          (capability) => principal.scopes === undefined || principal.scopes.includes(capability),
        ),
        csrfToken: principal.csrfToken ?? "",
      };
    },
  );

  typed.delete(
    "/api/session",
    {
      config: { access: "signed-in" },
      schema: {
        tags: ["access"],
        summary: "Sign out: ends the session",
        response: { 204: Type.Null(), ...errors(401, 403) },
      },
    },
    async (request, reply) => {
      const secret = request.cookies[sessionCookie];
      if (secret !== undefined) await signOut(engine, secret);
      reply.clearCookie(sessionCookie, { path: "/" });
      return reply.status(204).send(null);
    },
  );

  typed.get(
    "/api/users",
    {
      config: { access: "users.manage" },
      schema: {
        tags: ["access"],
        summary: "Every user",
        response: { 200: Type.Object({ items: Type.Array(UserSchema) }), ...errors(401, 403) },
      },
    },
    async () => ({ items: await listUsers(engine) }),
  );

  typed.post(
    "/api/users",
    {
      config: { access: "users.manage" },
      schema: {
        tags: ["access"],
        summary: "Create a user",
        body: Type.Object(
          {
            id: Type.String({ minLength: 1, maxLength: 63 }),
            name: Type.String({ minLength: 1, maxLength: 200 }),
            email: Type.Optional(Type.String({ format: "email", maxLength: 320 })),
            role: RoleSchema,
            person: Type.Optional(Id),
            password: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })),
          },
          { additionalProperties: false },
        ),
        response: { 201: UserSchema, ...errors(401, 403, 409, 422) },
      },
    },
    async (request, reply) => {
      const outcome = await createUser(engine, request.body);
      if (!outcome.ok) throw refusal(outcome.error);
      return reply.status(201).send(outcome.value);
    },
  );

  typed.patch(
    "/api/users/:id",
    {
      config: { access: "users.manage" },
      schema: {
        tags: ["access"],
        summary: "Change a user: name, e-mail, role, person, password, or disable/enable",
        params: Type.Object({ id: Id }),
        body: Type.Object(
          {
            name: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })),
            email: Type.Optional(
              Type.Union([Type.String({ format: "email", maxLength: 320 }), Type.Null()]),
            ),
            role: Type.Optional(RoleSchema),
            person: Type.Optional(Type.Union([Id, Type.Null()])),
            password: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })),
            disabled: Type.Optional(Type.Boolean()),
          },
          { additionalProperties: false },
        ),
        response: { 200: UserSchema, ...errors(401, 403, 404, 409, 422) },
      },
    },
    async (request) => {
      const outcome = await updateUser(engine, request.params.id, request.body);
      if (!outcome.ok) throw refusal(outcome.error);
      auth.forgetTokens();
      return outcome.value;
    },
  );

  typed.get(
    "/api/tokens",
    {
      config: { access: "tokens.manage" },
      schema: {
        tags: ["access"],
        summary: "Every API token (never their secrets)",
        response: { 200: Type.Object({ items: Type.Array(TokenSchema) }), ...errors(401, 403) },
      },
    },
    async () => ({ items: await listTokens(engine) }),
  );

  typed.post(
    "/api/tokens",
    {
      config: { access: "tokens.manage" },
      schema: {
        tags: ["access"],
        summary: "Create an API token for a user; the token is shown only in this response",
        body: Type.Object(
          {
            name: Type.String({ minLength: 1, maxLength: 100 }),
            userId: Id,
            scopes: Type.Optional(Type.Array(CapabilitySchema, { minItems: 1 })),
            expiresInDays: Type.Optional(Type.Integer({ minimum: 1, maximum: 3650 })),
          },
          { additionalProperties: false },
        ),
        response: {
          201: Type.Object({ token: Type.String(), info: TokenSchema }),
          ...errors(401, 403, 404, 422),
        },
      },
    },
    async (request, reply) => {
      const outcome = await createToken(engine, {
        ...request.body,
        createdBy: principalOf(request).userId,
      });
      if (!outcome.ok) throw refusal(outcome.error);
      return reply.status(201).send(outcome.value);
    },
  );

  typed.delete(
    "/api/tokens/:id",
    {
      config: { access: "tokens.manage" },
      schema: {
        tags: ["access"],
        summary: "Revoke an API token",
        params: Type.Object({ id: Id }),
        response: { 200: TokenSchema, ...errors(401, 403, 404) },
      },
    },
    async (request) => {
      const outcome = await revokeToken(engine, request.params.id);
      if (!outcome.ok) throw refusal(outcome.error);
      auth.forgetTokens();
      return outcome.value;
    },
  );

  typed.get(
    "/api/audit",
    {
      config: { access: "audit.read" },
      schema: {
        tags: ["access"],
        summary: "The audit log, newest first",
        querystring: Type.Object({
          limit: Type.Integer({ minimum: 1, maximum: 500, default: 100 }),
          before: Type.Optional(Type.String({ pattern: "^[0-9]+$" })),
          actor: Type.Optional(Id),
        }),
        response: {
          200: Type.Object({
            items: Type.Array(Type.Object({}, { additionalProperties: true })),
            nextCursor: Type.Union([Type.String(), Type.Null()]),
          }),
          ...errors(401, 403),
        },
      },
    },
    async (request) => {
      const items = await listAudit(engine, request.query);
      return {
        items,
        nextCursor: items.length === request.query.limit ? (items.at(-1)?.id ?? null) : null,
      };
    },
  );
}
