import { createServer, type IncomingHttpHeaders, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import type { ActionItem } from "../../src/core/review/action-item.js";

/**
 * Real HTTP servers on 127.0.0.1 standing in for Jira Cloud and Asana. Each checks a request the
 * way the documented API states it (method, path, authentication, content type, the body's
 * required fields and their types) and answers what the documentation shows: 201 with the created
 * resource, or the tool's error body. `mode` makes one misbehave on purpose.
 */

/** A fixed push time: 2026-12-04T15:30:00Z. */
export const pushedAt = Date.UTC(2026, 11, 4, 15, 30, 0);

export function sampleItem(overrides: Partial<ActionItem> = {}): ActionItem {
  return {
    id: "ai_7",
    title: "Tighten the MQL threshold for webinar leads",
    owner: "dana@example.com",
    dueOn: "2026-12-11",
    type: "targeting",
    status: "open",
    metric: "mql_to_sql_rate",
    leadIds: ["lead-101", "lead-102"],
    notes:
      "Webinar leads convert at half the rate of demo requests.\nRaise the score threshold by 10.\n\nRevisit after two weeks.",
    reviewPackId: "rp_3",
    createdAt: Date.UTC(2026, 11, 1, 9, 0, 0),
    updatedAt: Date.UTC(2026, 11, 1, 9, 0, 0),
    closedAt: null,
    pushedTo: [],
    ...overrides,
  };
}

export const sampleLink = "https://baton.example.com/reviews/actions/ai_7";
export const sampleReviewTitle = "Joint revenue review, week of 2026-11-30";

export interface ReceivedRequest {
  method: string;
  path: string;
  headers: IncomingHttpHeaders;
  /** the raw body */
  body: string;
  /** what the server answered */
  status: number;
  answer: unknown;
}

export interface FakeServer {
  /** http://127.0.0.1:<port> */
  origin: string;
  requests: ReceivedRequest[];
  close(): Promise<void>;
}

type Handler = (request: {
  method: string;
  path: string;
  headers: IncomingHttpHeaders;
  body: string;
}) => { status: number; body: unknown; headers?: Record<string, string> } | "hang";

async function startServer(handler: Handler): Promise<FakeServer> {
  const requests: ReceivedRequest[] = [];
  const server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on("data", (chunk: Buffer) => chunks.push(chunk));
    request.on("end", () => {
      const received = {
        method: request.method ?? "",
        path: request.url ?? "/",
        headers: request.headers,
        body: Buffer.concat(chunks).toString("utf8"),
      };
      const outcome = handler(received);
      if (outcome === "hang") {
        requests.push({ ...received, status: 0, answer: undefined });
        return;
      }
      requests.push({ ...received, status: outcome.status, answer: outcome.body });
      send(response, outcome.status, outcome.body, outcome.headers);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    origin: `http://127.0.0.1:${port}`,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

function send(
  response: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  if (typeof body === "string")
    response.writeHead(status, { "content-type": "text/plain", ...headers }).end(body);
  else
    response
      .writeHead(status, { "content-type": "application/json", ...headers })
      .end(JSON.stringify(body));
}

/** A server that takes requests and never answers them. */
export function startSilentServer(): Promise<FakeServer> {
  return startServer(() => "hang");
}

/** An address where nothing listens: a server started and closed again. */
export async function closedAddress(): Promise<string> {
  const server = await startServer(() => ({ status: 200, body: "" }));
  await server.close();
  return server.origin;
}

/** The server with `state`'s properties read and written through (Object.assign would copy them). */
function withState<S extends object, T extends object>(server: S, state: T): S & T {
  for (const key of Object.keys(state) as (keyof T & string)[])
    Object.defineProperty(server, key, {
      get: () => state[key],
      set: (value: T[typeof key]) => {
        state[key] = value;
      },
      enumerable: true,
    });
  return server as S & T;
}

const datePattern = /^\d{4}-\d{2}-\d{2}$/;
function isDate(value: unknown): boolean {
  if (typeof value !== "string" || !datePattern.test(value)) return false;
  const parsed = new Date(`${value}T00:00:00Z`);
  return !Number.isNaN(parsed.getTime()) && parsed.toISOString().startsWith(value);
}
function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
function parse(body: string): unknown {
  try {
    return JSON.parse(body) as unknown;
  } catch {
    return undefined;
  }
}
function isJson(headers: IncomingHttpHeaders, name: "content-type" | "accept"): boolean {
  return (headers[name] ?? "").split(";")[0]?.trim().toLowerCase() === "application/json";
}

// ---------------------------------------------------------------------------------------------
// Jira Cloud: POST /rest/api/3/issue

export type JiraMode =
  | "normal"
  /** 500 with an ErrorCollection */
  | "fail"
  /** 201 whose body lacks the key */
  | "no-key"
  /** 201 whose body is not JSON */
  | "not-json"
  /** 400 whose message repeats the Authorization header it received */
  | "echo-credentials"
  /** 307 to another address */
  | "redirect";

export interface FakeJira extends FakeServer {
  mode: JiraMode;
}

export async function startFakeJira(accepted: {
  email: string;
  apiToken: string;
  projects: string[];
  issueTypes: string[];
}): Promise<FakeJira> {
  let created = 0;
  // `mode` is read per request, so a test can switch it between pushes.
  const state: { mode: JiraMode } = { mode: "normal" };
  let origin = "";
  const errors = (
    status: number,
    errorMessages: string[],
    fields: Record<string, string> = {},
  ) => ({
    status,
    body: { errorMessages, errors: fields },
  });
  const server = await startServer(({ method, path, headers, body }) => {
    if (state.mode === "redirect")
      return { status: 307, body: "", headers: { location: "https://elsewhere.example.net/x" } };
    if (method !== "POST" || path !== "/rest/api/3/issue") return errors(404, ["Not found"]);
    const expected = Buffer.from(`${accepted.email}:${accepted.apiToken}`).toString("base64");
    const authorization = headers.authorization ?? "";
    if (state.mode === "echo-credentials")
      return errors(400, [`Unexpected header: ${authorization}`]);
    if (authorization !== `Basic ${expected}`)
      // Jira Cloud answers a refused login with a plain-text sentence, not an ErrorCollection.
      return { status: 401, body: "Client must be authenticated to access this resource." };
    if (!isJson(headers, "content-type")) return errors(415, ["Unsupported media type"]);
    if (!isJson(headers, "accept")) return errors(406, ["Not acceptable"]);
    const json = parse(body);
    if (!isRecord(json) || !isRecord(json.fields))
      return errors(400, ["Can not deserialize the request: `fields` is required"]);
    const problems = jiraFieldProblems(json.fields, accepted);
    if (Object.keys(problems).length > 0) return errors(400, [], problems);
    if (state.mode === "fail") return errors(500, ["Internal server error"]);
    created += 1;
    const id = String(10_000 + created);
    const key = `${(json.fields.project as { key: string }).key}-${created}`;
    const self = `${origin}/rest/api/3/issue/${id}`;
    if (state.mode === "not-json") return { status: 201, body: "Created" };
    if (state.mode === "no-key") return { status: 201, body: { id, self } };
    return { status: 201, body: { id, key, self } };
  });
  origin = server.origin;
  return withState(server, state);
}

const jiraKnownFields = new Set([
  "project",
  "summary",
  "issuetype",
  "description",
  "duedate",
  "labels",
]);

/** Field errors as Jira words them, by field. */
function jiraFieldProblems(
  fields: Record<string, unknown>,
  accepted: { projects: string[]; issueTypes: string[] },
): Record<string, string> {
  const problems: Record<string, string> = {};
  for (const field of Object.keys(fields))
    if (!jiraKnownFields.has(field))
      problems[field] =
        `Field '${field}' cannot be set. It is not on the appropriate screen, or unknown.`;
  const project = fields.project;
  if (
    !isRecord(project) ||
    typeof project.key !== "string" ||
    !accepted.projects.includes(project.key)
  )
    problems.project = "valid project is required";
  const summary = fields.summary;
  if (typeof summary !== "string" || summary.trim() === "")
    problems.summary = "You must specify a summary of the issue.";
  else if (summary.length > 255) problems.summary = "Summary must be less than 255 characters.";
  else if (/[\r\n]/.test(summary))
    problems.summary = "The summary is invalid because it contains newline characters.";
  const issueType = fields.issuetype;
  if (
    !isRecord(issueType) ||
    typeof issueType.name !== "string" ||
    !accepted.issueTypes.includes(issueType.name)
  )
    problems.issuetype = "Specify a valid issue type";
  if ("description" in fields && !isAdfDocument(fields.description))
    problems.description =
      "Operation value must be an Atlassian Document (see the Atlassian Document Format)";
  if ("duedate" in fields && !isDate(fields.duedate))
    problems.duedate = `Error parsing date string: ${String(fields.duedate)}`;
  if (
    "labels" in fields &&
    !(
      Array.isArray(fields.labels) &&
      fields.labels.every((label) => typeof label === "string" && label !== "" && !/\s/.test(label))
    )
  )
    problems.labels = "The label must not contain spaces.";
  return problems;
}

/** The subset of ADF the push uses, checked strictly: doc → paragraphs → text / hardBreak. */
function isAdfDocument(value: unknown): boolean {
  if (!isRecord(value) || value.type !== "doc" || value.version !== 1) return false;
  if (!Array.isArray(value.content)) return false;
  return value.content.every(
    (block) =>
      isRecord(block) &&
      block.type === "paragraph" &&
      Array.isArray(block.content) &&
      block.content.every((inline) => {
        if (!isRecord(inline)) return false;
        if (inline.type === "hardBreak") return true;
        if (inline.type !== "text" || typeof inline.text !== "string" || inline.text === "")
          return false;
        if (inline.marks === undefined) return true;
        return (
          Array.isArray(inline.marks) &&
          inline.marks.every(
            (mark) =>
              isRecord(mark) &&
              mark.type === "link" &&
              isRecord(mark.attrs) &&
              typeof mark.attrs.href === "string" &&
              /^https?:\/\//.test(mark.attrs.href),
          )
        );
      }),
  );
}

// ---------------------------------------------------------------------------------------------
// Asana: POST /api/1.0/tasks

export type AsanaMode =
  | "normal"
  /** 500 with an error phrase */
  | "fail"
  /** 201 whose data lacks the gid */
  | "no-gid";

export interface FakeAsana extends FakeServer {
  /** the base URL to configure: <origin>/api/1.0 */
  baseUrl: string;
  mode: AsanaMode;
}

export async function startFakeAsana(accepted: {
  accessToken: string;
  /** project gid → its workspace's gid */
  projects: Record<string, string>;
}): Promise<FakeAsana> {
  let created = 0;
  const state: { mode: AsanaMode } = { mode: "normal" };
  const errors = (status: number, ...messages: string[]) => ({
    status,
    body: { errors: messages.map((message) => ({ message })) },
  });
  const server = await startServer(({ method, path, headers, body }) => {
    if (method !== "POST" || path !== "/api/1.0/tasks")
      return errors(404, "The requested resource does not exist");
    if (headers.authorization !== `Bearer ${accepted.accessToken}`)
      return errors(401, "Not Authorized");
    if (!isJson(headers, "content-type")) return errors(400, "Invalid Request: content type");
    const json = parse(body);
    if (!isRecord(json) || !isRecord(json.data)) return errors(400, "data: Missing input");
    const problems = asanaDataProblems(json.data, accepted.projects);
    if (problems.length > 0) return errors(400, ...problems);
    if (state.mode === "fail")
      return {
        status: 500,
        body: { errors: [{ message: "Server Error", phrase: "6 sad squid snuggle softly" }] },
      };
    created += 1;
    const gid = String(1_209_000_000_000_000 + created);
    const data = json.data as { name: string; notes?: string; due_on?: string; projects: string[] };
    const project = data.projects[0] as string;
    if (state.mode === "no-gid") return { status: 201, body: { data: { name: data.name } } };
    return {
      status: 201,
      body: {
        data: {
          gid,
          resource_type: "task",
          name: data.name,
          notes: data.notes ?? "",
          due_on: data.due_on ?? null,
          completed: false,
          projects: [{ gid: project, resource_type: "project" }],
          workspace: { gid: accepted.projects[project], resource_type: "workspace" },
          permalink_url: `https://app.asana.com/0/${project}/${gid}`,
        },
      },
    };
  });
  return withState(Object.assign(server, { baseUrl: `${server.origin}/api/1.0` }), state);
}

const asanaAllowedFields = new Set(["name", "notes", "due_on", "projects", "workspace"]);

function asanaDataProblems(
  data: Record<string, unknown>,
  projects: Record<string, string>,
): string[] {
  const problems: string[] = [];
  for (const field of Object.keys(data))
    if (!asanaAllowedFields.has(field)) problems.push(`${field}: Unknown property`);
  if (typeof data.name !== "string" || data.name.trim() === "")
    problems.push("name: Missing input");
  if ("notes" in data && typeof data.notes !== "string") problems.push("notes: Not a string");
  if ("due_on" in data && !isDate(data.due_on))
    problems.push(`due_on: Not a valid date: ${String(data.due_on)}`);
  const list = data.projects;
  if (!Array.isArray(list) || list.length === 0) {
    if (data.workspace === undefined) problems.push("workspace: Missing input");
  } else
    list.forEach((gid, index) => {
      if (typeof gid !== "string" || !(gid in projects))
        problems.push(`projects: [${index}]: Not a recognized ID: ${String(gid)}`);
    });
  if ("workspace" in data) {
    const project = Array.isArray(list) ? list[0] : undefined;
    if (typeof data.workspace !== "string") problems.push("workspace: Not a string");
    else if (
      typeof project === "string" &&
      projects[project] !== undefined &&
      projects[project] !== data.workspace
    )
      problems.push(`workspace: Not a recognized ID: ${data.workspace}`);
  }
  return problems;
}

// ---------------------------------------------------------------------------------------------
// A generic receiver: answers `status` (and records what it got).

export interface FakeReceiver extends FakeServer {
  status: number;
  answer: unknown;
  /** extra response headers */
  headers: Record<string, string>;
}

export async function startReceiver(): Promise<FakeReceiver> {
  const state = { status: 204, answer: "" as unknown, headers: {} as Record<string, string> };
  const server = await startServer(() => ({
    status: state.status,
    body: state.answer,
    headers: state.headers,
  }));
  return withState(server, state);
}
