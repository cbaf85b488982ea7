import type { PushError } from "./project-tool.js";

/**
 * The one HTTP exchange every project tool makes: POST a JSON body, wait at most `timeoutMs`
 * (body included), and sort the answer into the push error vocabulary. Each tool supplies how to
 * read its documented error body; what a 2xx must contain is the tool's to check.
 */

/** Ten seconds: a person is waiting on the push button, and the tools answer in well under one. */
export const defaultTimeoutMs = 10_000;

export interface ToolRequest {
  /** the tool as a person names it mid-sentence ("Jira", "the webhook receiver"), for messages */
  tool: string;
  url: string;
  headers: Record<string, string>;
  body: string;
  timeoutMs: number;
  /** values that must never appear in a message (tokens, encoded credentials), even if echoed */
  secrets: string[];
  /** the tool's documented error body turned into one line, or undefined if it is not that shape */
  errorMessage(body: unknown): string | undefined;
  /** what to check when the tool refuses the credentials (401/403) */
  credentialsHint: string;
  /** what to check when the address answers 404 (no such API there) */
  addressHint: string;
  /** false when any 2xx will do, whatever its body (a generic receiver owes none) */
  expectJson?: boolean;
}

export type ToolAnswer =
  | { ok: true; status: number; body: unknown }
  | { ok: false; error: PushError };

export async function postToTool(request: ToolRequest): Promise<ToolAnswer> {
  const { tool, timeoutMs } = request;
  const fail = (error: PushError): ToolAnswer => ({
    ok: false,
    error: { ...error, message: sentence(scrub(error.message, request.secrets)) },
  });
  let status: number;
  let text: string;
  let location: string | null;
  let retryAfter: string | undefined;
  try {
    const response = await fetch(request.url, {
      method: "POST",
      headers: request.headers,
      body: request.body,
      // A redirect would re-send the credentials to another address; the configured URL is wrong.
      redirect: "manual",
      signal: AbortSignal.timeout(timeoutMs),
    });
    status = response.status;
    location = response.headers.get("location");
    // Seconds only; the HTTP-date form is rare from these APIs and not worth a parser.
    retryAfter = /^\d{1,6}$/.exec(response.headers.get("retry-after") ?? "")?.[0];
    text = await response.text();
  } catch (error) {
    // The request may have arrived and been acted on, with only the answer late.
    if (error instanceof Error && (error.name === "TimeoutError" || error.name === "AbortError"))
      return fail({
        code: "unreachable",
        message: `${tool} did not answer within ${formatSeconds(timeoutMs)}; ${checkBeforeRetrying(tool)}`,
      });
    return fail({
      code: "unreachable",
      message: `${tool} could not be reached at ${hostOf(request.url)}: ${messageOf(error)}`,
    });
  }

  const json = parseJson(text);
  if (status >= 200 && status < 300) {
    if (json === undefined && request.expectJson !== false)
      return fail({
        code: "invalid_response",
        status,
        message: `${tool} answered HTTP ${status} with a body that is not JSON; ${checkBeforeRetrying(tool)}`,
      });
    return { ok: true, status, body: json };
  }
  const detail = (json === undefined ? undefined : request.errorMessage(json)) ?? excerpt(text);
  const said = detail ? `: ${detail}` : "";
  if (status >= 300 && status < 400)
    return fail({
      code: "rejected",
      status,
      message: `${tool} answered HTTP ${status}, a redirect${location ? ` to ${hostOf(location)}` : ""}; set the tool's URL to the address it redirects to`,
    });
  if (status === 401 || status === 403)
    return fail({
      code: "rejected",
      status,
      message: `${tool} refused the credentials (HTTP ${status})${said}; ${request.credentialsHint}`,
    });
  if (status === 404)
    return fail({
      code: "rejected",
      status,
      message: `${tool} answered HTTP 404 (not found)${said}; ${request.addressHint}`,
    });
  // Too many requests is a 4xx, but nothing in the request is wrong: it is worth trying again.
  if (status === 429) {
    const wait = retryAfter ? ` in ${retryAfter} s` : " later";
    return fail({
      code: "unreachable",
      status,
      message: `${tool} is limiting requests (HTTP 429)${said}; try again${wait}`,
    });
  }
  if (status >= 400 && status < 500)
    return fail({
      code: "rejected",
      status,
      message: `${tool} refused the request (HTTP ${status})${said}`,
    });
  return fail({
    code: "unreachable",
    status,
    message: `${tool} failed (HTTP ${status})${said}; try again later`,
  });
}

/** The headers of a JSON API call, authorised by `authorization` ("Bearer …", "Basic …"). */
export function jsonApiHeaders(authorization: string): Record<string, string> {
  return {
    Authorization: authorization,
    Accept: "application/json",
    "Content-Type": "application/json",
  };
}

/**
 * A 2xx whose body lacks what names the created item (`missing`, e.g. "issue's key"): the item may
 * exist all the same, so the person looks in `place` before pushing again.
 */
export function createdWithout(
  tool: string,
  status: number,
  missing: string,
  place: string,
): { ok: false; error: PushError } {
  return {
    ok: false,
    error: {
      code: "invalid_response",
      status,
      message: `${tool} answered HTTP ${status} without the created ${missing}; ${checkBeforeRetrying(place)}`,
    },
  };
}

/** The tool may have acted on a request whose answer Baton cannot read: say so, to avoid a copy. */
export function checkBeforeRetrying(tool: string): string {
  return `it may have been created anyway: look in ${tool} before pushing again`;
}

export function isNonEmptyString(value: unknown): value is string {
  return typeof value === "string" && value.trim() !== "";
}

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** The host of an address, for messages: paths and queries can carry secrets (hook tokens). */
export function hostOf(url: string): string {
  try {
    return new URL(url).host;
  } catch {
    return "(an address that is not a URL)";
  }
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

/** A body that is not the documented error shape (a proxy's HTML page…): its start, on one line. */
function excerpt(text: string): string | undefined {
  const line = text.replace(/\s+/g, " ").trim();
  if (line === "") return undefined;
  return line.length > 200 ? `${line.slice(0, 200)}…` : line;
}

function scrub(message: string, secrets: string[]): string {
  let clean = message;
  for (const secret of secrets) if (secret.length >= 4) clean = clean.split(secret).join("***");
  return clean;
}

/** Messages start with the tool's name, which may be "the webhook receiver". */
function sentence(message: string): string {
  return message.charAt(0).toUpperCase() + message.slice(1);
}

function formatSeconds(ms: number): string {
  return ms % 1000 === 0 ? `${ms / 1000} s` : `${ms} ms`;
}

function messageOf(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  // fetch reports "fetch failed" and hides the reason (ECONNREFUSED, …) in `cause`.
  const cause = error.cause instanceof Error ? `: ${error.cause.message}` : "";
  return `${error.message}${cause}`;
}
