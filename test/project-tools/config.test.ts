import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { verifyWebhookSignature } from "../../src/app/notifications/webhook-signature.js";
import { projectToolsFromEnvironment } from "../../src/connectors/project-tools/index.js";
import {
  type FakeAsana,
  type FakeJira,
  type FakeReceiver,
  pushedAt,
  sampleItem,
  startFakeAsana,
  startFakeJira,
  startReceiver,
  startSilentServer,
} from "./fake-tools.js";

const jiraToken = "jira-token-5ecret-0123";
const asanaToken = "asana-pat-5ecret-4567";
const webhookSecret = "actions-secret-0123456789abcdef";

describe("project tools from the environment", () => {
  it("configures nothing, and reports nothing, when no variable is set", () => {
    expect(projectToolsFromEnvironment({})).toEqual({ tools: [], issues: [] });
  });

  it("builds each fully configured tool, in the order jira, asana, webhook", () => {
    const { tools, issues } = projectToolsFromEnvironment({
      BATON_ACTIONS_WEBHOOK_URL: "https://hooks.example.com/baton/T0/s3cr3t",
      BATON_ACTIONS_WEBHOOK_SECRET: webhookSecret,
      BATON_ASANA_TOKEN: asanaToken,
      BATON_ASANA_PROJECT: "1204519874563219",
      BATON_JIRA_URL: "https://example.atlassian.net/",
      BATON_JIRA_EMAIL: "dana@example.com",
      BATON_JIRA_API_TOKEN: jiraToken,
      BATON_JIRA_PROJECT: "OPS",
    });
    expect(issues).toEqual([]);
    expect(tools.map((tool) => [tool.name, tool.describe()])).toEqual([
      ["jira", "Jira project OPS at example.atlassian.net"],
      ["asana", "Asana project 1204519874563219 at app.asana.com"],
      ["webhook", "webhook at hooks.example.com"],
    ]);
  });

  it("names each missing variable of a partly configured tool, and leaves that tool out", () => {
    const { tools, issues } = projectToolsFromEnvironment({
      BATON_JIRA_URL: "https://example.atlassian.net",
      BATON_JIRA_EMAIL: "dana@example.com",
      BATON_ASANA_WORKSPACE: "1200000000000042",
      BATON_ACTIONS_WEBHOOK_SECRET: webhookSecret,
    });
    expect(tools).toEqual([]);
    expect(issues).toHaveLength(5);
    expect(issues[0]).toMatch(
      /^BATON_JIRA_API_TOKEN is not set, but Jira is partly configured \(BATON_JIRA_URL, BATON_JIRA_EMAIL are set\): create an API token/,
    );
    expect(issues[1]).toMatch(
      /^BATON_JIRA_PROJECT is not set, but Jira is partly configured .*e\.g\. OPS/,
    );
    expect(issues[2]).toMatch(
      /^BATON_ASANA_TOKEN is not set, but Asana is partly configured \(BATON_ASANA_WORKSPACE is set\)/,
    );
    expect(issues[3]).toMatch(/^BATON_ASANA_PROJECT is not set, .*the project's gid/);
    expect(issues[4]).toMatch(
      /^BATON_ACTIONS_WEBHOOK_URL is not set, but BATON_ACTIONS_WEBHOOK_SECRET is/,
    );
  });

  it("accepts http:// only for 127.0.0.1 and localhost, and says so", () => {
    const remote = projectToolsFromEnvironment({
      BATON_JIRA_URL: "http://jira.example.com",
      BATON_JIRA_EMAIL: "dana@example.com",
      BATON_JIRA_API_TOKEN: jiraToken,
      BATON_JIRA_PROJECT: "OPS",
      BATON_ACTIONS_WEBHOOK_URL: "http://hooks.example.com/x",
      BATON_ACTIONS_WEBHOOK_SECRET: webhookSecret,
    });
    expect(remote.tools).toEqual([]);
    expect(remote.issues).toHaveLength(2);
    expect(remote.issues[0]).toContain(
      'BATON_JIRA_URL "http://jira.example.com" uses http://, which is accepted only for 127.0.0.1 and localhost',
    );
    expect(remote.issues[1]).toContain("BATON_ACTIONS_WEBHOOK_URL");
    expect(remote.issues[1]).toContain("only for 127.0.0.1 and localhost");

    const local = projectToolsFromEnvironment({
      BATON_ACTIONS_WEBHOOK_URL: "http://localhost:9000/hook",
      BATON_ACTIONS_WEBHOOK_SECRET: webhookSecret,
    });
    expect(local).toMatchObject({ issues: [] });
    expect(local.tools.map((tool) => tool.name)).toEqual(["webhook"]);
  });

  it("refuses malformed values with what to write instead, and never repeats a secret", () => {
    const { tools, issues } = projectToolsFromEnvironment({
      BATON_JIRA_URL: "https://dana:hunter2-password@example.atlassian.net",
      BATON_JIRA_EMAIL: "dana",
      BATON_JIRA_API_TOKEN: jiraToken,
      BATON_JIRA_PROJECT: "Marketing ops",
      BATON_ASANA_TOKEN: asanaToken,
      BATON_ASANA_PROJECT: "https://app.asana.com/0/1204519874563219/list",
      BATON_ASANA_URL: "ftp://app.asana.com/api/1.0",
      BATON_ACTIONS_WEBHOOK_URL: "not a url",
      BATON_ACTIONS_WEBHOOK_SECRET: "short",
    });
    expect(tools).toEqual([]);
    expect(issues).toEqual([
      "BATON_JIRA_URL holds a user name or password in the address: remove it; the credentials have their own variables.",
      'BATON_JIRA_EMAIL "dana" is not an e-mail address: set it to the Atlassian account\'s e-mail, the one the API token belongs to.',
      "BATON_JIRA_PROJECT \"Marketing ops\" is not a Jira project key: write the key (the prefix of the project's issue keys, e.g. OPS for OPS-12), upper case, not the project's name or URL.",
      'BATON_ASANA_URL "ftp://app.asana.com/api/1.0" uses ftp://: write an https:// address, e.g. Asana\'s API address, https://app.asana.com/api/1.0 (leave it unset outside tests).',
      'BATON_ASANA_PROJECT "https://app.asana.com/0/1204519874563219/list" looks like an address: write only the project\'s gid, the long number in its address in Asana.',
      'BATON_ACTIONS_WEBHOOK_URL "not a url" is not a URL: write the receiver\'s address, e.g. https://hooks.example.com/baton/actions.',
      "BATON_ACTIONS_WEBHOOK_SECRET is 5 characters long; a signing secret needs at least 16: use a long random value, e.g. the output of `openssl rand -hex 32`.",
    ]);
    for (const issue of issues) {
      expect(issue).not.toContain("hunter2-password");
      expect(issue).not.toContain(jiraToken);
      expect(issue).not.toContain(asanaToken);
    }
  });

  it("refuses a Jira or Asana base address with a query", () => {
    const { issues } = projectToolsFromEnvironment({
      BATON_ASANA_TOKEN: asanaToken,
      BATON_ASANA_PROJECT: "1204519874563219",
      BATON_ASANA_URL: "https://app.asana.com/api/1.0?x=1",
    });
    expect(issues).toEqual([
      'BATON_ASANA_URL "https://app.asana.com/api/1.0?x=1" has a query or fragment: write the base address only, e.g. Asana\'s API address, https://app.asana.com/api/1.0 (leave it unset outside tests).',
    ]);
  });
});

describe("tools built from the environment push to their servers", () => {
  let jira: FakeJira;
  let asana: FakeAsana;
  let receiver: FakeReceiver;
  beforeAll(async () => {
    jira = await startFakeJira({
      email: "dana@example.com",
      apiToken: jiraToken,
      projects: ["OPS"],
      issueTypes: ["Task", "Story"],
    });
    asana = await startFakeAsana({
      accessToken: asanaToken,
      projects: { "1204519874563219": "1200000000000042" },
    });
    receiver = await startReceiver();
  });
  afterAll(async () => {
    await Promise.all([jira.close(), asana.close(), receiver.close()]);
  });

  it("creates an issue, a task and a signed event with the configured settings", async () => {
    const { tools, issues } = projectToolsFromEnvironment({
      BATON_JIRA_URL: jira.origin,
      BATON_JIRA_EMAIL: "dana@example.com",
      BATON_JIRA_API_TOKEN: jiraToken,
      BATON_JIRA_PROJECT: "OPS",
      BATON_JIRA_ISSUE_TYPE: "Story",
      BATON_ASANA_TOKEN: asanaToken,
      BATON_ASANA_PROJECT: "1204519874563219",
      BATON_ASANA_WORKSPACE: "1200000000000042",
      BATON_ASANA_URL: asana.baseUrl,
      BATON_ACTIONS_WEBHOOK_URL: `http://localhost:${new URL(receiver.origin).port}/actions`,
      BATON_ACTIONS_WEBHOOK_SECRET: webhookSecret,
    });
    expect(issues).toEqual([]);
    const target = { item: sampleItem() };
    const results = await Promise.all(tools.map((tool) => tool.push(target, pushedAt)));
    expect(results).toEqual([
      {
        ok: true,
        reference: { tool: "jira", key: "OPS-1", url: `${jira.origin}/browse/OPS-1`, at: pushedAt },
      },
      {
        ok: true,
        reference: {
          tool: "asana",
          key: "1209000000000001",
          url: "https://app.asana.com/0/1204519874563219/1209000000000001",
          at: pushedAt,
        },
      },
      { ok: true, reference: { tool: "webhook", key: `ai_7:${pushedAt}`, at: pushedAt } },
    ]);
    expect(JSON.parse(jira.requests[0]!.body).fields.issuetype).toEqual({ name: "Story" });
    expect(JSON.parse(asana.requests[0]!.body).data.workspace).toBe("1200000000000042");
    const event = receiver.requests[0]!;
    expect(
      verifyWebhookSignature({
        secret: webhookSecret,
        timestamp: event.headers["baton-timestamp"] as string,
        signature: event.headers["baton-signature"] as string,
        body: event.body,
        now: new Date(pushedAt),
      }),
    ).toEqual({ ok: true });
  });

  it("defaults the Jira issue type to Task and passes the time limit on", async () => {
    const { tools } = projectToolsFromEnvironment(
      {
        BATON_JIRA_URL: jira.origin,
        BATON_JIRA_EMAIL: "dana@example.com",
        BATON_JIRA_API_TOKEN: jiraToken,
        BATON_JIRA_PROJECT: "OPS",
      },
      { timeoutMs: 5_000 },
    );
    const result = await tools[0]!.push({ item: sampleItem() }, pushedAt);
    expect(result).toMatchObject({ ok: true, reference: { key: "OPS-2" } });
    expect(JSON.parse(jira.requests.at(-1)!.body).fields.issuetype).toEqual({ name: "Task" });

    const silent = await startSilentServer();
    try {
      const slow = projectToolsFromEnvironment(
        {
          BATON_ACTIONS_WEBHOOK_URL: silent.origin,
          BATON_ACTIONS_WEBHOOK_SECRET: webhookSecret,
        },
        { timeoutMs: 100 },
      );
      expect(await slow.tools[0]!.push({ item: sampleItem() }, pushedAt)).toEqual({
        ok: false,
        error: {
          code: "unreachable",
          message:
            "The webhook receiver did not answer within 100 ms; it may have been created anyway: look in the webhook receiver before pushing again",
        },
      });
    } finally {
      await silent.close();
    }
  });
});
