import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { OutboxNotification } from "../../src/worker/notifications/channel-messages.js";
import { channelSenders } from "../../src/worker/notifications/channel-senders.js";

const notification: OutboxNotification = {
  id: "0b6f2f4e-8f8a-4c1e-9d0b-6a1f1e2d3c4b",
  dedupe_key: "timer:sla-1:slack",
  kind: "sla_breach",
  channel: "slack",
  recipient: "rep-ada",
  subject: "SLA breached",
  body: "Waited 61 min",
  payload: {},
  status: "queued",
  attempts: 0,
  replays: 0,
  last_error: null,
  created_at: new Date("2026-03-09T14:00:00.000Z"),
  queued_at: null,
  delivered_at: null,
  dead_at: null,
};

let server: Server;
let baseUrl: string;
beforeAll(async () => {
  // /hang never answers; /moved redirects, which a webhook sender must not follow with its POST.
  server = createServer((request, response) => {
    if (request.url === "/hang") return;
    response.writeHead(302, { location: "/elsewhere" }).end();
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

function slackSender(url: string, timeoutSeconds = 2) {
  const sender = channelSenders(
    { slack: { url } },
    { timeoutSeconds, now: () => new Date() },
  ).slack;
  if (!sender) throw new Error("no Slack sender");
  return sender;
}

describe("channel senders report failed attempts as values", () => {
  it("a refused connection", async () => {
    // A port just freed; not port 1, which fetch refuses outright ("bad port") by the Fetch spec.
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, "127.0.0.1", resolve));
    const { port } = closed.address() as AddressInfo;
    await new Promise((resolve) => closed.close(resolve));
    const outcome = await slackSender(`http://127.0.0.1:${port}/`).send(notification);
    expect(outcome).toMatchObject({ ok: false, error: expect.stringMatching(/ECONNREFUSED/) });
  });

  it("a receiver that does not answer in time", async () => {
    const outcome = await slackSender(`${baseUrl}/hang`, 0.3).send(notification);
    expect(outcome).toEqual({ ok: false, error: "no response within 0.3 s" });
  });

  it("a redirect", async () => {
    const outcome = await slackSender(`${baseUrl}/moved`).send(notification);
    expect(outcome).toEqual({ ok: false, error: "HTTP 302" });
  });

  it("an SMTP server that is not there", async () => {
    const sender = channelSenders(
      { email: { smtpUrl: "smtp://127.0.0.1:1", from: "baton@acme.test" } },
      { timeoutSeconds: 2, now: () => new Date() },
    ).email;
    const outcome = await sender?.send({ ...notification, recipient: "ada@acme.test" });
    sender?.close();
    expect(outcome).toMatchObject({ ok: false, error: expect.stringMatching(/^SMTP: /) });
  });
});
