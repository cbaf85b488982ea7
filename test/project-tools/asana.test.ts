import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { asanaTool } from "../../src/connectors/project-tools/index.js";
import {
  closedAddress,
  type FakeAsana,
  pushedAt,
  sampleItem,
  sampleLink,
  sampleReviewTitle,
  startFakeAsana,
  startSilentServer,
} from "./fake-tools.js";

const accessToken = "2/1200000000000001/1209999:asana-pat-0123";
const projectGid = "1204519874563219";
const workspaceGid = "1200000000000042";

let asana: FakeAsana;
beforeAll(async () => {
  asana = await startFakeAsana({ accessToken, projects: { [projectGid]: workspaceGid } });
});
afterAll(() => asana.close());

function tool(
  overrides: { projectGid?: string; accessToken?: string; workspaceGid?: string } = {},
) {
  return asanaTool({
    accessToken: overrides.accessToken ?? accessToken,
    projectGid: overrides.projectGid ?? projectGid,
    workspaceGid: overrides.workspaceGid,
    baseUrl: asana.baseUrl,
  });
}

const target = { item: sampleItem(), link: sampleLink, reviewTitle: sampleReviewTitle };

describe("Asana: create a task", () => {
  it("sends the documented request and returns the task's gid and permalink", async () => {
    asana.mode = "normal";
    const before = asana.requests.length;
    const result = await tool().push(target, pushedAt);

    expect(result).toEqual({
      ok: true,
      reference: {
        tool: "asana",
        key: "1209000000000001",
        url: "https://app.asana.com/0/1204519874563219/1209000000000001",
        at: pushedAt,
      },
    });
    expect(asana.requests.length).toBe(before + 1);
    const request = asana.requests.at(-1)!;
    expect(request.status).toBe(201);
    expect(request.method).toBe("POST");
    expect(request.path).toBe("/api/1.0/tasks");
    expect(request.headers.authorization).toBe(`Bearer ${accessToken}`);
    expect(request.headers["content-type"]).toBe("application/json");
    expect(JSON.parse(request.body)).toEqual({
      data: {
        name: "Tighten the MQL threshold for webinar leads",
        notes: [
          "Webinar leads convert at half the rate of demo requests.",
          "Raise the score threshold by 10.",
          "",
          "Revisit after two weeks.",
          "",
          "Due: 2026-12-11",
          "Type: targeting",
          "Owner: dana@example.com",
          "Metric: mql_to_sql_rate",
          "Leads: lead-101, lead-102",
          "From the review: Joint revenue review, week of 2026-11-30",
          "Baton action item ai_7",
          "",
          "In Baton: https://baton.example.com/reviews/actions/ai_7",
        ].join("\n"),
        due_on: "2026-12-11",
        projects: [projectGid],
      },
    });
  });

  it("sends the workspace when it is configured", async () => {
    asana.mode = "normal";
    const result = await tool({ workspaceGid }).push(target, pushedAt);
    expect(result.ok).toBe(true);
    expect(JSON.parse(asana.requests.at(-1)!.body).data.workspace).toBe(workspaceGid);
  });

  it("lists at most 25 leads and says how many more there are", async () => {
    asana.mode = "normal";
    const leadIds = Array.from({ length: 30 }, (_, index) => `lead-${index + 1}`);
    const result = await tool().push({ item: sampleItem({ leadIds, notes: "" }) }, pushedAt);
    expect(result.ok).toBe(true);
    const notes: string = JSON.parse(asana.requests.at(-1)!.body).data.notes;
    expect(notes.split("\n")).toContain(`Leads: ${leadIds.slice(0, 25).join(", ")} and 5 more`);
    expect(notes).not.toContain("lead-26");
  });

  it("surfaces Asana's error message when it refuses the project (400)", async () => {
    asana.mode = "normal";
    const result = await tool({ projectGid: "1111" }).push(target, pushedAt);
    expect(result).toEqual({
      ok: false,
      error: {
        code: "rejected",
        status: 400,
        message: "Asana refused the request (HTTP 400): projects: [0]: Not a recognized ID: 1111",
      },
    });
  });

  it("surfaces Asana's error for a workspace that is not the project's (400)", async () => {
    asana.mode = "normal";
    const result = await tool({ workspaceGid: "999" }).push(target, pushedAt);
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.error.code).toBe("rejected");
    expect(result.error.message).toContain("workspace: Not a recognized ID: 999");
  });

  it("reports refused credentials (401) with what to check, and no secret", async () => {
    asana.mode = "normal";
    const result = await tool({ accessToken: "2/1/wrong-pat-4567" }).push(target, pushedAt);
    expect(result).toEqual({
      ok: false,
      error: {
        code: "rejected",
        status: 401,
        message: `Asana refused the credentials (HTTP 401): Not Authorized; check the personal access token (BATON_ASANA_TOKEN) and that its owner is a member of project ${projectGid}`,
      },
    });
  });

  it("treats a 500 as unreachable and keeps Asana's error phrase for its support", async () => {
    asana.mode = "fail";
    const result = await tool().push(target, pushedAt);
    asana.mode = "normal";
    expect(result).toEqual({
      ok: false,
      error: {
        code: "unreachable",
        status: 500,
        message:
          'Asana failed (HTTP 500): Server Error (Asana error phrase "6 sad squid snuggle softly"); try again later',
      },
    });
  });

  it("calls a 201 without the task's gid an invalid response", async () => {
    asana.mode = "no-gid";
    const result = await tool().push(target, pushedAt);
    asana.mode = "normal";
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.error.code).toBe("invalid_response");
    expect(result.error.status).toBe(201);
    expect(result.error.message).toContain(`look in Asana project ${projectGid}`);
  });

  it("gives up on a server that never answers, after the time limit", async () => {
    const silent = await startSilentServer();
    try {
      const result = await asanaTool({
        accessToken,
        projectGid,
        baseUrl: `${silent.origin}/api/1.0`,
        timeoutMs: 150,
      }).push(target, pushedAt);
      expect(silent.requests).toHaveLength(1);
      expect(result).toEqual({
        ok: false,
        error: {
          code: "unreachable",
          message:
            "Asana did not answer within 150 ms; it may have been created anyway: look in Asana before pushing again",
        },
      });
    } finally {
      await silent.close();
    }
  });

  it("reports an address where nothing listens as unreachable", async () => {
    const address = await closedAddress();
    const result = await asanaTool({ accessToken, projectGid, baseUrl: address }).push(
      target,
      pushedAt,
    );
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.error.code).toBe("unreachable");
    expect(result.error.message).toContain(
      `Asana could not be reached at ${new URL(address).host}`,
    );
  });

  it("describes itself by host and project only, app.asana.com by default", () => {
    expect(asanaTool({ accessToken, projectGid }).describe()).toBe(
      `Asana project ${projectGid} at app.asana.com`,
    );
  });
});
