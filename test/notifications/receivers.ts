import { createServer, type IncomingHttpHeaders } from "node:http";
import type { AddressInfo } from "node:net";
import { type ParsedMail, simpleParser } from "mailparser";
import { SMTPServer } from "smtp-server";
import { verifyWebhookSignature } from "../../src/app/notifications/webhook-signature.js";

/** One request as a receiver saw it, with what it answered. */
export interface ReceivedRequest {
  path: string;
  eventId: string | undefined;
  headers: IncomingHttpHeaders;
  /** The raw body, as signed. */
  body: string;
  /** When it arrived (ms since the epoch), for retry timing. */
  at: number;
  status: number;
  verdict: "accepted" | "duplicate" | "failed-on-purpose" | `refused: ${string}`;
}

/**
 * A real HTTP receiver on 127.0.0.1, the way a user would write one: `/webhook` checks the
 * signature and de-duplicates by Baton-Event-Id; `/slack` stands in for Slack (no signature) and
 * de-duplicates too. A notification whose data says `failTimes: n` is answered 500 for its first
 * n attempts, until `recover()`.
 */
export interface HttpReceiver {
  baseUrl: string;
  requests: ReceivedRequest[];
  /** Accepted bodies by path and event id: what a de-duplicating receiver keeps. */
  accepted: Map<string, Map<string, unknown>>;
  recover(): void;
  close(): Promise<void>;
}

export async function startHttpReceiver(secret: string): Promise<HttpReceiver> {
  const requests: ReceivedRequest[] = [];
  const accepted = new Map<string, Map<string, unknown>>();
  const attemptsByEvent = new Map<string, number>();
  let recovered = false;
  const server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on("data", (chunk: Buffer) => chunks.push(chunk));
    request.on("end", () => {
      const raw = Buffer.concat(chunks).toString("utf8");
      const path = request.url ?? "/";
      const eventId = header(request.headers, "baton-event-id");
      const answer = (status: number, verdict: ReceivedRequest["verdict"]) => {
        requests.push({
          path,
          eventId,
          headers: request.headers,
          body: raw,
          at: Date.now(),
          status,
          verdict,
        });
        response.writeHead(status, { "content-type": "text/plain" }).end(verdict);
      };
      if (path === "/webhook") {
        const check = verifyWebhookSignature({
          secret,
          timestamp: header(request.headers, "baton-timestamp"),
          signature: header(request.headers, "baton-signature"),
          body: raw,
          now: new Date(),
        });
        if (!check.ok) return answer(401, `refused: ${check.reason}`);
      }
      if (eventId === undefined) return answer(400, "refused: no event id");
      const seen = accepted.get(path) ?? new Map<string, unknown>();
      accepted.set(path, seen);
      if (seen.has(eventId)) return answer(200, "duplicate");
      const body = JSON.parse(raw) as { data?: { failTimes?: number } };
      const attempt = (attemptsByEvent.get(`${path} ${eventId}`) ?? 0) + 1;
      attemptsByEvent.set(`${path} ${eventId}`, attempt);
      if (!recovered && attempt <= (body.data?.failTimes ?? 0))
        return answer(500, "failed-on-purpose");
      seen.set(eventId, body);
      answer(200, "accepted");
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    baseUrl: `http://127.0.0.1:${port}`,
    requests,
    accepted,
    recover() {
      recovered = true;
    },
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

export interface SmtpReceiver {
  url: string;
  messages: ParsedMail[];
  close(): Promise<void>;
}

/** A real SMTP server on 127.0.0.1 that accepts every message without authentication. */
export async function startSmtpReceiver(): Promise<SmtpReceiver> {
  const messages: ParsedMail[] = [];
  const server = new SMTPServer({
    authOptional: true,
    // Plain SMTP on loopback: offering STARTTLS would make the client insist on a trusted cert.
    disabledCommands: ["AUTH", "STARTTLS"],
    logger: false,
    onData(stream, _session, callback) {
      simpleParser(stream).then(
        (mail) => {
          messages.push(mail);
          callback();
        },
        (error: Error) => callback(error),
      );
    },
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.server.address() as AddressInfo;
  return {
    url: `smtp://127.0.0.1:${port}`,
    messages,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

function header(headers: IncomingHttpHeaders, name: string): string | undefined {
  const value = headers[name];
  return Array.isArray(value) ? value[0] : value;
}

/** Polls until `check` holds; fails the test with `what` after `timeoutMs`. */
export async function waitFor(
  what: string,
  check: () => boolean | Promise<boolean>,
  timeoutMs = 15_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
