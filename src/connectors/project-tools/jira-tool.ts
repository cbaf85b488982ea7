import { actionItemText } from "./action-item-text.js";
import type { ProjectTool, ProjectToolItem, PushResult } from "./project-tool.js";
import {
  createdWithout,
  defaultTimeoutMs,
  hostOf,
  isNonEmptyString,
  isRecord,
  jsonApiHeaders,
  postToTool,
} from "./tool-request.js";

/**
 * Jira Cloud, by its REST API v3 "Create issue" operation. What this relies on, as documented:
 * - POST {site}/rest/api/3/issue with `{ fields: { project: { key }, summary, issuetype: { name },
 *   description, duedate, labels } }`; 201 answers `CreatedIssue { id, key, self }`
 *   (developer.atlassian.com/cloud/jira/platform/rest/v3/api-group-issues/#api-rest-api-3-issue-post;
 *   the same shape in the published OpenAPI models, e.g. jira.js `CreatedIssue`).
 * - Basic auth with the Atlassian account's e-mail and an API token: `Authorization: Basic
 *   base64(email:api_token)` (developer.atlassian.com/cloud/jira/platform/basic-auth-for-rest-apis).
 * - In v3, rich-text fields such as `description` are Atlassian Document Format: a root
 *   `{ type: "doc", version: 1, content: [...] }` of block nodes; a `paragraph` holds inline nodes;
 *   a `text` node's `text` must not be empty; a `link` mark carries `attrs.href`; `hardBreak` is a
 *   line break (developer.atlassian.com/cloud/jira/platform/apis/document/structure, …/nodes/paragraph,
 *   …/nodes/text, …/marks/link).
 * - Errors answer `ErrorCollection { errorMessages: string[], errors: { field: message } }`, e.g.
 *   400 `{ "errorMessages": [], "errors": { "project": "valid project is required" } }`.
 */

export interface JiraSettings {
  /** the site, e.g. https://example.atlassian.net */
  baseUrl: string;
  /** the Atlassian account the issues are created as */
  email: string;
  apiToken: string;
  /** the project's key, e.g. OPS */
  projectKey: string;
  /** the issue type's name in that project; "Task" when not given */
  issueType?: string | undefined;
  timeoutMs?: number | undefined;
}

export const defaultJiraIssueType = "Task";
/** Jira's limit on `summary`. */
export const maximumSummaryLength = 255;

export function jiraTool(settings: JiraSettings): ProjectTool {
  const baseUrl = settings.baseUrl.replace(/\/+$/, "");
  const credentials = Buffer.from(`${settings.email}:${settings.apiToken}`, "utf8").toString(
    "base64",
  );
  return {
    name: "jira",
    describe: () => `Jira project ${settings.projectKey} at ${hostOf(baseUrl)}`,
    async push(target, now): Promise<PushResult> {
      const answer = await postToTool({
        tool: "Jira",
        url: `${baseUrl}/rest/api/3/issue`,
        headers: jsonApiHeaders(`Basic ${credentials}`),
        body: JSON.stringify(jiraIssueBody(settings, target)),
        timeoutMs: settings.timeoutMs ?? defaultTimeoutMs,
        secrets: [settings.apiToken, credentials],
        errorMessage: jiraErrorMessage,
        addressHint:
          "check BATON_JIRA_URL: it is the site's address, e.g. https://example.atlassian.net, without /rest/…",
        credentialsHint: `check the e-mail and API token (BATON_JIRA_EMAIL, BATON_JIRA_API_TOKEN) and that this account may create issues in ${settings.projectKey}`,
      });
      if (!answer.ok) return answer;
      const created = answer.body;
      if (!isRecord(created) || !isNonEmptyString(created.key) || /\s/.test(created.key))
        return createdWithout(
          "Jira",
          answer.status,
          "issue's key",
          `Jira project ${settings.projectKey}`,
        );
      return {
        ok: true,
        reference: {
          tool: "jira",
          key: created.key,
          url: `${baseUrl}/browse/${encodeURIComponent(created.key)}`,
          at: now,
        },
      };
    },
  };
}

/** The documented create-issue body for one action item. */
export function jiraIssueBody(settings: JiraSettings, target: ProjectToolItem) {
  const { item } = target;
  const summary = item.title.replace(/\s+/g, " ").trim();
  return {
    fields: {
      project: { key: settings.projectKey },
      // Jira refuses a summary with line breaks or over 255 characters.
      summary:
        summary.length > maximumSummaryLength
          ? `${summary.slice(0, maximumSummaryLength - 1)}…`
          : summary,
      issuetype: { name: settings.issueType ?? defaultJiraIssueType },
      description: jiraDescription(target),
      duedate: item.dueOn,
      // Labels cannot hold spaces; the type names are snake_case already.
      labels: ["baton", `baton-${item.type}`],
    },
  };
}

type AdfInline =
  | { type: "text"; text: string; marks?: { type: "link"; attrs: { href: string } }[] }
  | { type: "hardBreak" };
interface AdfParagraph {
  type: "paragraph";
  content: AdfInline[];
}
export interface AdfDocument {
  type: "doc";
  version: 1;
  content: AdfParagraph[];
}

/** The item as an Atlassian Document Format document: paragraphs of text, and a link back. */
export function jiraDescription(target: ProjectToolItem): AdfDocument {
  const text = actionItemText(target);
  const content: AdfParagraph[] = [
    ...text.notes.map(paragraphWithBreaks),
    ...text.facts.map((fact) => paragraph([{ type: "text", text: fact }])),
  ];
  if (text.link)
    content.push(
      paragraph([
        { type: "text", text: "In Baton: " },
        { type: "text", text: text.link, marks: [{ type: "link", attrs: { href: text.link } }] },
      ]),
    );
  return { type: "doc", version: 1, content };
}

function paragraph(content: AdfInline[]): AdfParagraph {
  return { type: "paragraph", content };
}

/** Single line breaks inside a notes paragraph become hardBreak nodes (text nodes are one line). */
function paragraphWithBreaks(block: string): AdfParagraph {
  const content: AdfInline[] = [];
  for (const line of block.split("\n")) {
    if (content.length > 0) content.push({ type: "hardBreak" });
    // An empty text node is invalid ADF; an empty line is just the break.
    if (line.trim() !== "") content.push({ type: "text", text: line.trimEnd() });
  }
  return paragraph(content);
}

/** `{ errorMessages, errors }` as one line: the general messages, then "field: message" pairs. */
export function jiraErrorMessage(body: unknown): string | undefined {
  if (!isRecord(body)) return undefined;
  const parts: string[] = [];
  if (Array.isArray(body.errorMessages))
    for (const message of body.errorMessages) if (isNonEmptyString(message)) parts.push(message);
  if (isRecord(body.errors))
    for (const [field, message] of Object.entries(body.errors))
      if (isNonEmptyString(message)) parts.push(`${field}: ${message}`);
  return parts.length > 0 ? parts.join("; ") : undefined;
}
