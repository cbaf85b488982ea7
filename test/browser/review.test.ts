import { randomBytes } from "node:crypto";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, expect, it } from "vitest";
import {
  type BrowserHarness,
  browserSuite,
  hotLead,
  shot,
  startBrowserHarness,
} from "./browser-harness.js";

/**
 * The review in the web app, in Chromium against the real `baton serve` (see browser-harness.ts
 * for the set-up): a manager generates this week's pack and sees its headline numbers,
 * creates an action item from a discussion point, changes its status and pushes it to the
 * action-item webhook (a local receiver that refuses the first push and takes the second); a
 * viewer reads the same pages without a single manage control. Screenshots go to
 * test/browser/artifacts/review-*.png.
 */

let harness: BrowserHarness;
let receiver: Server | undefined;
/** The pack the manager generates (the viewer reads it). */
let packId = "";
/** The action item due two days ago. */
let lateId = "";
/** What the webhook receiver answered, in order. */
const receiverAnswers: number[] = [];

/** YYYY-MM-DD, `days` from today in UTC (the overdue item is days late in any zone). */
function dayFromToday(days: number): string {
  return new Date(Date.now() + days * 86_400_000).toISOString().slice(0, 10);
}

browserSuite("the review in Chromium", () => {
  beforeAll(async () => {
    // the action-item webhook's receiver: refuses the first push (403), takes the rest
    receiver = createServer((request, response) => {
      request.resume();
      request.on("end", () => {
        const status = receiverAnswers.length === 0 ? 403 : 200;
        receiverAnswers.push(status);
        response.writeHead(status, { "content-type": "application/json" });
        response.end(status === 200 ? "{}" : '{"error":"not allowed"}');
      });
    });
    await new Promise<void>((resolve) => receiver!.listen(0, "127.0.0.1", resolve));
    const receiverPort = (receiver.address() as AddressInfo).port;

    harness = await startBrowserHarness({
      store: "review",
      users: [
        { id: "riley", role: "admin", person: "riley" },
        { id: "vera", role: "viewer" },
      ],
      env: {
        BATON_ACTIONS_WEBHOOK_URL: `http://127.0.0.1:${receiverPort}/actions`,
        BATON_ACTIONS_WEBHOOK_SECRET: randomBytes(32).toString("hex"),
      },
    });

    // three MQLs this week, and an action item two days late (a discussion point of its own)
    const leadIds: string[] = [];
    for (const n of [1, 2, 3]) {
      leadIds.push(await harness.submitLead(hotLead(n, "review", "Review")));
    }
    // one of them rejected (still one of the week's MQLs): the rejection mix has one reason
    const rejected = await harness.asAdmin("POST", `/api/leads/${leadIds[2]}/actions`, {
      action: "reject",
      reason: "wrong_persona",
      feedback: { next_action: "disqualify" },
    });
    if (rejected.status !== 200) throw new Error(`rejection refused: ${await rejected.text()}`);
    const late = await harness.asAdmin("POST", "/api/action-items", {
      title: "Refresh the webinar follow-up sequence",
      owner: "maria",
      dueOn: dayFromToday(-2),
      type: "content",
    });
    if (late.status !== 201) throw new Error(`action item refused: ${await late.text()}`);
    lateId = ((await late.json()) as { id: string }).id;
  }, 300_000);

  afterAll(async () => {
    await harness?.close();
    receiver?.closeAllConnections();
    await new Promise((resolve) =>
      receiver === undefined ? resolve(null) : receiver.close(resolve),
    );
  });

  it("a manager generates this week's pack, creates an action item from a discussion point, moves it and pushes it", async () => {
    const page = await harness.newPage({ width: 1366, height: 900 });
    await harness.signIn(page, "riley");
    await page
      .getByRole("navigation", { name: "Pages" })
      .getByRole("link", { name: /^Review/ })
      .click();
    // the worker may have made a scheduled pack already: wait for the list, whatever it holds
    await page.getByRole("button", { name: "Generate now" }).waitFor();

    await page.getByRole("textbox", { name: "Period" }).click();
    await page.getByRole("option", { name: "This week", exact: true }).click();
    await page.getByRole("button", { name: "Generate now" }).click();
    // the new pack's id comes into the address, then the pack itself (a scheduled one may show before)
    await page.waitForURL(/[?&]pack=/, { timeout: 60_000 });
    packId = new URL(page.url()).searchParams.get("pack") ?? "";
    await page.locator(`[data-testid="review-pack"][data-pack="${packId}"]`).waitFor();

    // the three leads submitted above are this week's MQLs (none existed before)
    const mqls = page.getByTestId("pack-headline-mqls");
    expect(await mqls.getByRole("button", { name: /Show the records/ }).textContent()).toBe("3");
    expect(await page.getByTestId("past-pack").first().textContent()).toContain("by riley");
    // the downloads are the API's renderings of this pack
    const downloads = page.getByRole("group", { name: "Download the pack" });
    expect(await downloads.getByRole("link", { name: "HTML" }).getAttribute("href")).toBe(
      `/api/reviews/${packId}/pack.html`,
    );
    const markdown = await harness.asAdmin("GET", `/api/reviews/${packId}/pack.md`);
    expect(markdown.status).toBe(200);

    // the headline's records: the three leads, by name
    await mqls.getByRole("button", { name: /Show the records/ }).click();
    const records = page.getByTestId("pack-records-table");
    await records.waitFor();
    expect(await records.locator("tbody tr").count()).toBe(3);
    expect(await records.textContent()).toContain("BigCo");
    await shot(page, "review-records", false);
    await page.keyboard.press("Escape");
    await records.waitFor({ state: "hidden" });

    // the rejection: one, for the one reason, all of the mix
    const mix = page.getByTestId("pack-rejections");
    expect(
      await mix.getByRole("button", { name: /^Rejections and disqualifications/ }).textContent(),
    ).toBe("1");
    expect(
      await mix
        .getByRole("button", { name: "Wrong persona: 1 rejections. Show the records" })
        .textContent(),
    ).toContain("100 %");

    // the late item is a discussion point; an action item is made from it
    const point = page
      .getByTestId("discussion-point")
      .filter({ hasText: "Refresh the webinar follow-up sequence" });
    await point.waitFor();
    await shot(page, "review-pack");
    await point.getByRole("button", { name: "Create action item" }).click();
    const dialog = page.getByRole("dialog");
    const title = dialog.getByRole("textbox", { name: "Title" });
    expect(await title.inputValue()).toContain("overdue");
    await title.fill("Chase the overdue follow-up with Maria");
    // no owner, no type: the form says so at the fields and sends nothing
    await dialog.getByRole("button", { name: "Create action item" }).click();
    await dialog.getByText("Required: a person of the agreement or an e-mail address").waitFor();
    await dialog.getByText("Required: pick what kind of change it asks for").waitFor();
    await shot(page, "review-action-item-invalid", false);
    await dialog.getByRole("textbox", { name: "Owner" }).fill("sam");
    await dialog.getByRole("textbox", { name: "Type" }).click();
    await page.getByRole("option", { name: "Process" }).click();
    await dialog.getByRole("button", { name: "Create action item" }).click();
    await dialog.waitFor({ state: "hidden" });
    await point.getByRole("link", { name: /Created: Chase the overdue/ }).click();

    // the list: the new item (open, from the pack) and the late one, marked overdue
    const table = page.getByTestId("action-items");
    await table.waitFor();
    const created = table.locator("tr", { hasText: "Chase the overdue follow-up" });
    const late = table.locator(`tr[data-item="${lateId}"]`);
    expect(await created.getAttribute("data-overdue")).toBe("false");
    expect(await late.getAttribute("data-overdue")).toBe("true");
    expect(await late.textContent()).toContain("Overdue");
    const id = (await created.getAttribute("data-item"))!;
    const stored = (await (
      await harness.asAdmin("GET", "/api/action-items?status=open")
    ).json()) as {
      items: { id: string; owner: string; type: string; reviewPackId: string | null }[];
    };
    const item = stored.items.find((entry) => entry.id === id);
    expect(item).toMatchObject({ owner: "sam", type: "process" });
    expect(item?.reviewPackId).not.toBeNull();

    await created.getByRole("textbox", { name: /^Status of/ }).click();
    await page.getByRole("option", { name: "In progress" }).click();
    await expect.poll(() => created.getAttribute("data-status")).toBe("in_progress");
    const after = (await (
      await harness.asAdmin("GET", "/api/action-items?status=in_progress")
    ).json()) as {
      items: { id: string }[];
    };
    expect(after.items.map((entry) => entry.id)).toEqual([id]);
    await shot(page, "review-action-items");

    // push: the receiver refuses the first, and the form says so; the second gives a key
    await created.getByRole("button", { name: /^Change / }).click();
    const form = page.getByRole("dialog");
    await form.getByRole("button", { name: "Push" }).click();
    const refused = form.getByRole("alert").filter({ hasText: "Not pushed" });
    await refused.waitFor();
    expect(await refused.textContent()).toContain("403");
    await shot(page, "review-push-refused", false);
    await form.getByRole("button", { name: "Push" }).click();
    const pushed = form.getByRole("status").filter({ hasText: "Pushed to Webhook" });
    await pushed.waitFor();
    expect(receiverAnswers).toEqual([403, 200]);
    const reference = (await (
      await harness.asAdmin("GET", "/api/action-items?status=in_progress")
    ).json()) as {
      items: { pushedTo: { tool: string; key: string }[] }[];
    };
    const key = reference.items[0]?.pushedTo[0]?.key;
    expect(key).toBeTruthy();
    expect(await pushed.textContent()).toContain(key!);
    await shot(page, "review-push-done", false);
    await page.keyboard.press("Escape");

    // a decision logged with the pack
    await page.goto(`${harness.baseUrl}/reviews?pack=${packId}`);
    await page.getByTestId("review-pack").waitFor();
    await page
      .getByRole("textbox", { name: "Log a decision" })
      .fill("Sales follows up webinar MQLs within a day");
    await page.getByRole("button", { name: "Log the decision" }).click();
    await page
      .getByTestId("decisions")
      .locator("li", { hasText: "Sales follows up webinar MQLs within a day" })
      .waitFor();
    expect(await page.getByTestId("decisions").locator("li").textContent()).toContain("riley");
    await page.close();
  }, 180_000);

  it("creates an action item from a figure of the overview, about its metric", async () => {
    const page = await harness.newPage({ width: 1280, height: 900 });
    await harness.signIn(page, "riley");
    const mqls = page.getByTestId("headline-mqls");
    await mqls.waitFor();
    await mqls.getByRole("button", { name: /^Create action item/ }).click();
    const dialog = page.getByRole("dialog");
    expect(await dialog.getByRole("textbox", { name: "Title" }).inputValue()).toBe("MQLs");
    expect(await dialog.getByRole("textbox", { name: "Metric concerned" }).inputValue()).toBe(
      "mqls",
    );
    await dialog.getByRole("textbox", { name: "Title" }).fill("Lift webinar MQLs");
    await dialog.getByRole("textbox", { name: "Owner" }).fill("maria@example.com");
    await dialog.getByRole("textbox", { name: "Type" }).click();
    await page.getByRole("option", { name: "Targeting" }).click();
    await shot(page, "review-overview-action-item", false);
    await dialog.getByRole("button", { name: "Create action item" }).click();
    await dialog.waitFor({ state: "hidden" });
    const listed = (await (
      await harness.asAdmin("GET", "/api/action-items?status=open")
    ).json()) as {
      items: { title: string; metric: string | null; reviewPackId: string | null }[];
    };
    expect(listed.items.find((item) => item.title === "Lift webinar MQLs")).toMatchObject({
      metric: "mqls",
      reviewPackId: null,
    });
    await page.close();
  }, 60_000);

  it("a viewer reads the pack and the action items without a manage control", async () => {
    const page = await harness.newPage({ width: 1280, height: 900 });
    await harness.signIn(page, "vera");
    await page.goto(`${harness.baseUrl}/reviews?pack=${packId}`);
    await page.getByTestId("review-pack").waitFor();
    expect(
      await page
        .getByTestId("pack-headline-mqls")
        .getByRole("button", { name: /Show the records/ })
        .textContent(),
    ).toBe("3");
    expect(await page.getByRole("button", { name: "Generate now" }).count()).toBe(0);
    expect(await page.getByRole("button", { name: /Create action item/ }).count()).toBe(0);
    expect(await page.getByRole("button", { name: "Log the decision" }).count()).toBe(0);
    // the decision riley logged is there to read
    await page
      .getByTestId("decisions")
      .getByText("Sales follows up webinar MQLs within a day")
      .waitFor();
    await shot(page, "review-viewer");

    await page.goto(`${harness.baseUrl}/reviews/actions`);
    const table = page.getByTestId("action-items");
    await table.waitFor();
    // the late item, the one made from the discussion point and the one from the overview
    expect(await table.locator("tbody tr").count()).toBe(3);
    expect(await page.getByRole("button", { name: "New action item" }).count()).toBe(0);
    expect(await page.getByRole("button", { name: /^Change / }).count()).toBe(0);
    expect(await page.getByRole("textbox", { name: /^Status of/ }).count()).toBe(0);
    await shot(page, "review-action-items-viewer");
    await page.close();
  }, 60_000);

  it("fits a phone's width", async () => {
    const page = await harness.newPage({ width: 390, height: 844 });
    await harness.signIn(page, "riley");
    await harness.expectFitsWidth(page, [
      ["/reviews", page.getByTestId("review-pack"), "review-phone"],
      ["/reviews/actions", page.getByTestId("action-items"), "review-action-items-phone"],
    ]);
    await page.close();
  }, 60_000);
});
