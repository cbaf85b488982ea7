import { minimumSecretLength } from "../../app/notifications/notification-channels.js";
import { asanaTool, defaultAsanaBaseUrl } from "./asana-tool.js";
import { defaultJiraIssueType, jiraTool } from "./jira-tool.js";
import type { ProjectTool } from "./project-tool.js";
import { webhookTool } from "./webhook-tool.js";

/**
 * Which project tools action items can be pushed to, from the environment. Each tool is optional;
 * one with some of its variables set but not all is left out and reported, so a typo shows up as
 * a sentence naming the variable rather than a missing button. Every problem is reported, not
 * just the first.
 *
 * Jira:    BATON_JIRA_URL, BATON_JIRA_EMAIL, BATON_JIRA_API_TOKEN, BATON_JIRA_PROJECT,
 *          BATON_JIRA_ISSUE_TYPE (optional, "Task")
 * Asana:   BATON_ASANA_TOKEN, BATON_ASANA_PROJECT, BATON_ASANA_WORKSPACE (optional),
 *          BATON_ASANA_URL (optional, for tests; https://app.asana.com/api/1.0)
 * Webhook: BATON_ACTIONS_WEBHOOK_URL, BATON_ACTIONS_WEBHOOK_SECRET
 *
 * Addresses are https://, or http:// to 127.0.0.1 or localhost only: the requests carry an API
 * token or the item's contents, which must not cross a network in clear text.
 */

export interface ProjectToolsOutcome {
  /** the fully configured tools, in the order jira, asana, webhook */
  tools: ProjectTool[];
  /** one sentence per problem: the variable, what is wrong, what to do */
  issues: string[];
}

export interface ProjectToolsOptions {
  /** per request; 10 s when not given */
  timeoutMs?: number;
}

export function projectToolsFromEnvironment(
  env: NodeJS.ProcessEnv = process.env,
  options: ProjectToolsOptions = {},
): ProjectToolsOutcome {
  const tools: ProjectTool[] = [];
  const issues: string[] = [];
  const value = (name: string) => {
    const raw = env[name]?.trim();
    return raw ? raw : undefined;
  };
  const { timeoutMs } = options;

  const jira = {
    url: value("BATON_JIRA_URL"),
    email: value("BATON_JIRA_EMAIL"),
    apiToken: value("BATON_JIRA_API_TOKEN"),
    project: value("BATON_JIRA_PROJECT"),
    issueType: value("BATON_JIRA_ISSUE_TYPE"),
  };
  if (Object.values(jira).some((set) => set !== undefined)) {
    const before = issues.length;
    const because = `Jira is partly configured (${setNames(env, jiraVariables)})`;
    const baseUrl = requireUrl(
      "BATON_JIRA_URL",
      jira.url,
      because,
      "your site's address, e.g. https://example.atlassian.net",
      issues,
    );
    if (jira.email === undefined)
      issues.push(
        `BATON_JIRA_EMAIL is not set, but ${because}: set it to the e-mail of the Atlassian account the issues are created as.`,
      );
    else if (!/^[^@\s]+@[^@\s]+$/.test(jira.email))
      issues.push(
        `BATON_JIRA_EMAIL "${jira.email}" is not an e-mail address: set it to the Atlassian account's e-mail, the one the API token belongs to.`,
      );
    if (jira.apiToken === undefined)
      issues.push(
        `BATON_JIRA_API_TOKEN is not set, but ${because}: create an API token for that account at https://id.atlassian.com/manage-profile/security/api-tokens and set it here.`,
      );
    if (jira.project === undefined)
      issues.push(
        `BATON_JIRA_PROJECT is not set, but ${because}: set it to the key of the project the issues go to, e.g. OPS (the prefix of its issue keys).`,
      );
    // Jira's own rule: an upper-case letter, then upper-case letters, digits or underscores.
    else if (!/^[A-Z][A-Z0-9_]+$/.test(jira.project))
      issues.push(
        `BATON_JIRA_PROJECT "${jira.project}" is not a Jira project key: write the key (the prefix of the project's issue keys, e.g. OPS for OPS-12), upper case, not the project's name or URL.`,
      );
    if (
      issues.length === before &&
      baseUrl &&
      jira.email &&
      jira.apiToken &&
      jira.project !== undefined
    )
      tools.push(
        jiraTool({
          baseUrl,
          email: jira.email,
          apiToken: jira.apiToken,
          projectKey: jira.project,
          issueType: jira.issueType ?? defaultJiraIssueType,
          timeoutMs,
        }),
      );
  }

  const asana = {
    token: value("BATON_ASANA_TOKEN"),
    project: value("BATON_ASANA_PROJECT"),
    workspace: value("BATON_ASANA_WORKSPACE"),
    url: value("BATON_ASANA_URL"),
  };
  if (Object.values(asana).some((set) => set !== undefined)) {
    const before = issues.length;
    const because = `Asana is partly configured (${setNames(env, asanaVariables)})`;
    const baseUrl =
      asana.url === undefined
        ? defaultAsanaBaseUrl
        : requireUrl(
            "BATON_ASANA_URL",
            asana.url,
            because,
            `Asana's API address, ${defaultAsanaBaseUrl} (leave it unset outside tests)`,
            issues,
          );
    if (asana.token === undefined)
      issues.push(
        `BATON_ASANA_TOKEN is not set, but ${because}: create a personal access token in Asana's developer console (https://app.asana.com/0/my-apps) and set it here.`,
      );
    if (asana.project === undefined)
      issues.push(
        `BATON_ASANA_PROJECT is not set, but ${because}: set it to the project's gid, the long number in the project's address in Asana.`,
      );
    else checkGid("BATON_ASANA_PROJECT", "project", asana.project, issues);
    if (asana.workspace !== undefined)
      checkGid("BATON_ASANA_WORKSPACE", "workspace", asana.workspace, issues);
    if (issues.length === before && baseUrl && asana.token && asana.project)
      tools.push(
        asanaTool({
          accessToken: asana.token,
          projectGid: asana.project,
          workspaceGid: asana.workspace,
          baseUrl,
          timeoutMs,
        }),
      );
  }

  const webhook = {
    url: value("BATON_ACTIONS_WEBHOOK_URL"),
    secret: value("BATON_ACTIONS_WEBHOOK_SECRET"),
  };
  if (webhook.url !== undefined || webhook.secret !== undefined) {
    const before = issues.length;
    const url =
      webhook.url === undefined
        ? undefined
        : checkUrl(
            "BATON_ACTIONS_WEBHOOK_URL",
            webhook.url,
            "the receiver's address, e.g. https://hooks.example.com/baton/actions",
            issues,
          );
    if (webhook.url === undefined)
      issues.push(
        "BATON_ACTIONS_WEBHOOK_URL is not set, but BATON_ACTIONS_WEBHOOK_SECRET is: there is nowhere to push action items; set it to the receiver's https:// address, or unset the secret.",
      );
    if (webhook.secret === undefined)
      issues.push(
        "BATON_ACTIONS_WEBHOOK_SECRET is not set, but BATON_ACTIONS_WEBHOOK_URL is: pushed items are always signed; set it to a long random value shared with the receiver, e.g. the output of `openssl rand -hex 32`.",
      );
    else if (webhook.secret.length < minimumSecretLength)
      issues.push(
        `BATON_ACTIONS_WEBHOOK_SECRET is ${webhook.secret.length} characters long; a signing secret needs at least ${minimumSecretLength}: use a long random value, e.g. the output of \`openssl rand -hex 32\`.`,
      );
    if (issues.length === before && url && webhook.secret)
      tools.push(webhookTool({ url, secret: webhook.secret, timeoutMs }));
  }

  return { tools, issues };
}

const jiraVariables = [
  "BATON_JIRA_URL",
  "BATON_JIRA_EMAIL",
  "BATON_JIRA_API_TOKEN",
  "BATON_JIRA_PROJECT",
  "BATON_JIRA_ISSUE_TYPE",
];
const asanaVariables = [
  "BATON_ASANA_TOKEN",
  "BATON_ASANA_PROJECT",
  "BATON_ASANA_WORKSPACE",
  "BATON_ASANA_URL",
];

/** Which of a tool's variables are set, to explain why the others are asked for. */
function setNames(env: NodeJS.ProcessEnv, names: string[]): string {
  const set = names.filter((name) => env[name]?.trim());
  return `${set.join(", ")} ${set.length === 1 ? "is" : "are"} set`;
}

function requireUrl(
  variable: string,
  value: string | undefined,
  because: string,
  example: string,
  issues: string[],
): string | undefined {
  if (value === undefined) {
    issues.push(`${variable} is not set, but ${because}: set it to ${example}.`);
    return undefined;
  }
  const url = checkUrl(variable, value, example, issues);
  // The API paths are appended to it: a query or fragment would end up in the middle.
  if (url !== undefined && /[?#]/.test(url)) {
    issues.push(
      `${variable} "${redact(value)}" has a query or fragment: write the base address only, e.g. ${example}.`,
    );
    return undefined;
  }
  return url;
}

/** https://, or http:// to this machine (a test server); no user name or password in it. */
function checkUrl(
  variable: string,
  value: string,
  example: string,
  issues: string[],
): string | undefined {
  let parsed: URL;
  try {
    parsed = new URL(value);
  } catch {
    issues.push(`${variable} "${redact(value)}" is not a URL: write ${example}.`);
    return undefined;
  }
  const local = parsed.hostname === "127.0.0.1" || parsed.hostname === "localhost";
  if (parsed.protocol === "http:" && !local) {
    issues.push(
      `${variable} "${redact(value)}" uses http://, which is accepted only for 127.0.0.1 and localhost (test servers): the request carries credentials or the item's contents; write an https:// address, e.g. ${example}.`,
    );
    return undefined;
  }
  if (parsed.protocol !== "https:" && parsed.protocol !== "http:") {
    issues.push(
      `${variable} "${redact(value)}" uses ${parsed.protocol}//: write an https:// address, e.g. ${example}.`,
    );
    return undefined;
  }
  if (parsed.username !== "" || parsed.password !== "") {
    issues.push(
      `${variable} holds a user name or password in the address: remove it; the credentials have their own variables.`,
    );
    return undefined;
  }
  return value;
}

function checkGid(variable: string, what: string, value: string, issues: string[]): void {
  if (/^\d+$/.test(value)) return;
  issues.push(
    /[/:]/.test(value)
      ? `${variable} "${redact(value)}" looks like an address: write only the ${what}'s gid, the long number in its address in Asana.`
      : `${variable} "${value}" is not an Asana gid: write the ${what}'s gid, a long number (e.g. 1204519874563219).`,
  );
}

/** Issues end up in logs: never repeat a password from a URL. */
function redact(value: string): string {
  return value.replace(/\/\/([^:/@]*):[^@/]*@/, "//$1:***@");
}
