import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { jiraTool } from "../../src/connectors/project-tools/index.js";
import {
  closedAddress,
  type FakeJira,
  pushedAt,
  sampleItem,
  sampleLink,
  sampleReviewTitle,
  startFakeJira,
  startSilentServer,
} from "./fake-tools.js";

const email = "dana@example.com";
const apiToken = "jira-token-5ecret-0123";

let jira: FakeJira;
beforeAll(async () => {
  jira = await startFakeJira({ email, apiToken, projects: ["OPS"], issueTypes: ["Task", "Bug"] });
});
afterAll(() => jira.close());

function tool(overrides: { projectKey?: string; apiToken?: string; issueType?: string } = {}) {
  return jiraTool({
    baseUrl: `${jira.origin}/`,
    email,
    apiToken: overrides.apiToken ?? apiToken,
    projectKey: overrides.projectKey ?? "OPS",
    issueType: overrides.issueType,
  });
}

const target = { item: sampleItem(), link: sampleLink, reviewTitle: sampleReviewTitle };
const text = (value: string) => ({ type: "text", text: value });
const paragraph = (...content: unknown[]) => ({ type: "paragraph", content });

describe("Jira: create issue", () => {
  it("sends the documented request and returns the issue's key and browse address", async () => {
    jira.mode = "normal";
    const before = jira.requests.length;
    const result = await tool().push(target, pushedAt);

    expect(result).toEqual({
      ok: true,
      reference: { tool: "jira", key: "OPS-1", url: `${jira.origin}/browse/OPS-1`, at: pushedAt },
    });
    expect(jira.requests.length).toBe(before + 1);
    const request = jira.requests.at(-1)!;
    expect(request.status).toBe(201);
    expect(request.method).toBe("POST");
    expect(request.path).toBe("/rest/api/3/issue");
    expect(request.headers["content-type"]).toBe("application/json");
    expect(request.headers.accept).toBe("application/json");
    const [scheme, encoded] = (request.headers.authorization ?? "").split(" ");
    expect(scheme).toBe("Basic");
    expect(Buffer.from(encoded ?? "", "base64").toString("utf8")).toBe(`${email}:${apiToken}`);
    expect(JSON.parse(request.body)).toEqual({
      fields: {
        project: { key: "OPS" },
        summary: "Tighten the MQL threshold for webinar leads",
        issuetype: { name: "Task" },
        description: {
          type: "doc",
          version: 1,
          content: [
            paragraph(
              text("Webinar leads convert at half the rate of demo requests."),
              { type: "hardBreak" },
              text("Raise the score threshold by 10."),
            ),
            paragraph(text("Revisit after two weeks.")),
            paragraph(text("Due: 2026-12-11")),
            paragraph(text("Type: targeting")),
            paragraph(text("Owner: dana@example.com")),
            paragraph(text("Metric: mql_to_sql_rate")),
            paragraph(text("Leads: lead-101, lead-102")),
            paragraph(text("From the review: Joint revenue review, week of 2026-11-30")),
            paragraph(text("Baton action item ai_7")),
            paragraph(text("In Baton: "), {
              type: "text",
              text: "https://baton.example.com/reviews/actions/ai_7",
              marks: [
                { type: "link", attrs: { href: "https://baton.example.com/reviews/actions/ai_7" } },
              ],
            }),
          ],
        },
        duedate: "2026-12-11",
        labels: ["baton", "baton-targeting"],
      },
    });
  });

  it("uses the configured issue type, fits the summary to Jira's limits and leaves out what is unknown", async () => {
    jira.mode = "normal";
    const longTitle = `Rewrite\nthe ${"very ".repeat(60)}long title`;
    const result = await tool({ issueType: "Bug" }).push(
      {
        item: sampleItem({
          title: longTitle,
          type: "definition_change",
          metric: null,
          leadIds: [],
          notes: "  ",
        }),
      },
      pushedAt,
    );
    expect(result.ok).toBe(true);
    const fields = JSON.parse(jira.requests.at(-1)!.body).fields;
    expect(fields.issuetype).toEqual({ name: "Bug" });
    // One line: "Rewrite the " (12) + "very " × 60 + "long title"; cut to 254 characters, that
    // is 12 + 48 × "very " + "ve", then an ellipsis: 255 in all.
    expect(fields.summary).toBe(`Rewrite the ${"very ".repeat(48)}ve…`);
    expect(fields.labels).toEqual(["baton", "baton-definition_change"]);
    expect(fields.description.content).toEqual([
      paragraph(text("Due: 2026-12-11")),
      paragraph(text("Type: definition_change")),
      paragraph(text("Owner: dana@example.com")),
      paragraph(text("Baton action item ai_7")),
    ]);
  });

  it("surfaces Jira's field error when it refuses the project (400)", async () => {
    jira.mode = "normal";
    const result = await tool({ projectKey: "NOPE" }).push(target, pushedAt);
    expect(result).toEqual({
      ok: false,
      error: {
        code: "rejected",
        status: 400,
        message: "Jira refused the request (HTTP 400): project: valid project is required",
      },
    });
  });

  it("surfaces Jira's field error for an empty summary (400)", async () => {
    jira.mode = "normal";
    const result = await tool().push({ item: sampleItem({ title: "  " }) }, pushedAt);
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.error.code).toBe("rejected");
    expect(result.error.message).toContain("summary: You must specify a summary of the issue.");
  });

  it("points at the site address when the API is not found there (404)", async () => {
    jira.mode = "normal";
    const result = await jiraTool({
      baseUrl: `${jira.origin}/jira`,
      email,
      apiToken,
      projectKey: "OPS",
    }).push(target, pushedAt);
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.error).toMatchObject({ code: "rejected", status: 404 });
    expect(result.error.message).toBe(
      "Jira answered HTTP 404 (not found): Not found; check BATON_JIRA_URL: it is the site's address, e.g. https://example.atlassian.net, without /rest/…",
    );
  });

  it("reports refused credentials (401) with what to check, and no secret", async () => {
    jira.mode = "normal";
    const result = await tool({ apiToken: "wrong-token-9876" }).push(target, pushedAt);
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.error.code).toBe("rejected");
    expect(result.error.status).toBe(401);
    expect(result.error.message).toContain("Client must be authenticated to access this resource.");
    expect(result.error.message).toContain("BATON_JIRA_API_TOKEN");
    expect(result.error.message).not.toContain("wrong-token-9876");
  });

  it("never repeats the token or the encoded credentials, even when Jira echoes them", async () => {
    jira.mode = "echo-credentials";
    const result = await tool().push(target, pushedAt);
    jira.mode = "normal";
    expect(result.ok).toBe(false);
    if (result.ok) return;
    const encoded = Buffer.from(`${email}:${apiToken}`).toString("base64");
    expect(result.error.message).toBe(
      "Jira refused the request (HTTP 400): Unexpected header: Basic ***",
    );
    expect(result.error.message).not.toContain(encoded);
  });

  it("treats a 500 as unreachable, with Jira's message", async () => {
    jira.mode = "fail";
    const result = await tool().push(target, pushedAt);
    jira.mode = "normal";
    expect(result).toEqual({
      ok: false,
      error: {
        code: "unreachable",
        status: 500,
        message: "Jira failed (HTTP 500): Internal server error; try again later",
      },
    });
  });

  it("calls a 201 without the issue key an invalid response, and says the issue may exist", async () => {
    jira.mode = "no-key";
    const noKey = await tool().push(target, pushedAt);
    jira.mode = "not-json";
    const notJson = await tool().push(target, pushedAt);
    jira.mode = "normal";
    for (const result of [noKey, notJson]) {
      expect(result.ok).toBe(false);
      if (result.ok) continue;
      expect(result.error.code).toBe("invalid_response");
      expect(result.error.status).toBe(201);
      expect(result.error.message).toContain("look in Jira");
    }
  });

  it("does not follow a redirect (it would carry the credentials elsewhere)", async () => {
    jira.mode = "redirect";
    const before = jira.requests.length;
    const result = await tool().push(target, pushedAt);
    jira.mode = "normal";
    expect(jira.requests.length).toBe(before + 1);
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.error.code).toBe("rejected");
    expect(result.error.status).toBe(307);
    expect(result.error.message).toContain("elsewhere.example.net");
  });

  it("gives up on a server that never answers, after the time limit", async () => {
    const silent = await startSilentServer();
    try {
      const result = await jiraTool({
        baseUrl: silent.origin,
        email,
        apiToken,
        projectKey: "OPS",
        timeoutMs: 200,
      }).push(target, pushedAt);
      expect(silent.requests).toHaveLength(1);
      expect(result).toEqual({
        ok: false,
        error: {
          code: "unreachable",
          message:
            "Jira did not answer within 200 ms; it may have been created anyway: look in Jira before pushing again",
        },
      });
    } finally {
      await silent.close();
    }
  });

  it("reports an address where nothing listens as unreachable", async () => {
    const address = await closedAddress();
    const result = await jiraTool({ baseUrl: address, email, apiToken, projectKey: "OPS" }).push(
      target,
      pushedAt,
    );
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.error.code).toBe("unreachable");
    expect(result.error.message).toContain(`Jira could not be reached at ${new URL(address).host}`);
    expect(result.error.message).toContain("ECONNREFUSED");
  });

  it("describes itself by host and project only", () => {
    expect(tool().describe()).toBe(`Jira project OPS at ${new URL(jira.origin).host}`);
  });
});
