import { actionItemPlainText } from "./action-item-text.js";
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
 * Asana, by its REST API "Create a task" operation. What this relies on, as documented:
 * - POST https://app.asana.com/api/1.0/tasks with the fields in a `data` block: `name`, `notes`
 *   (plain text; `html_notes` would need Asana's restricted HTML), `due_on` (YYYY-MM-DD),
 *   `projects` (gids) and optionally `workspace`, which "need not be set explicitly if you
 *   specify projects" (developers.asana.com/reference/createtask).
 * - A personal access token as `Authorization: Bearer <token>` (developers.asana.com/docs/using-curl).
 * - 201 Created answers `{ data: TaskResponse }` with `gid` and `permalink_url` among its fields.
 * - Errors answer `{ errors: [{ message, help?, phrase? }] }`; `phrase` identifies a 500 for Asana
 *   support, e.g. 400 `{ "errors": [{ "message": "workspace: Missing input" }] }`
 *   (developers.asana.com/docs/errors).
 */

export interface AsanaSettings {
  accessToken: string;
  /** the gid of the project the tasks go to */
  projectGid: string;
  /** the workspace's gid; optional, Asana infers it from the project */
  workspaceGid?: string | undefined;
  /** https://app.asana.com/api/1.0 unless given (tests point it at a local server) */
  baseUrl?: string | undefined;
  timeoutMs?: number | undefined;
}

export const defaultAsanaBaseUrl = "https://app.asana.com/api/1.0";

export function asanaTool(settings: AsanaSettings): ProjectTool {
  const baseUrl = (settings.baseUrl ?? defaultAsanaBaseUrl).replace(/\/+$/, "");
  return {
    name: "asana",
    describe: () => `Asana project ${settings.projectGid} at ${hostOf(baseUrl)}`,
    async push(target, now): Promise<PushResult> {
      const answer = await postToTool({
        tool: "Asana",
        url: `${baseUrl}/tasks`,
        headers: jsonApiHeaders(`Bearer ${settings.accessToken}`),
        body: JSON.stringify(asanaTaskBody(settings, target)),
        timeoutMs: settings.timeoutMs ?? defaultTimeoutMs,
        secrets: [settings.accessToken],
        errorMessage: asanaErrorMessage,
        addressHint: `check that project ${settings.projectGid} exists and that BATON_ASANA_URL, if set, is Asana's API address (${defaultAsanaBaseUrl})`,
        credentialsHint: `check the personal access token (BATON_ASANA_TOKEN) and that its owner is a member of project ${settings.projectGid}`,
      });
      if (!answer.ok) return answer;
      const task = isRecord(answer.body) ? answer.body.data : undefined;
      if (!isRecord(task) || !isNonEmptyString(task.gid))
        return createdWithout(
          "Asana",
          answer.status,
          "task's gid",
          `Asana project ${settings.projectGid}`,
        );
      return {
        ok: true,
        reference: {
          tool: "asana",
          key: task.gid,
          // Part of the documented task; a missing one loses a link, not the created task.
          url: isNonEmptyString(task.permalink_url) ? task.permalink_url : undefined,
          at: now,
        },
      };
    },
  };
}

/** The documented create-task body for one action item. */
export function asanaTaskBody(settings: AsanaSettings, target: ProjectToolItem) {
  const { item } = target;
  return {
    data: {
      name: item.title.trim(),
      notes: actionItemPlainText(target),
      due_on: item.dueOn,
      projects: [settings.projectGid],
      ...(settings.workspaceGid ? { workspace: settings.workspaceGid } : {}),
    },
  };
}

/** `{ errors: [{ message, phrase? }] }` as one line; a 500's phrase is kept for Asana support. */
export function asanaErrorMessage(body: unknown): string | undefined {
  if (!isRecord(body) || !Array.isArray(body.errors)) return undefined;
  const parts: string[] = [];
  for (const error of body.errors) {
    if (!isRecord(error) || !isNonEmptyString(error.message)) continue;
    parts.push(
      isNonEmptyString(error.phrase)
        ? `${error.message} (Asana error phrase "${error.phrase}")`
        : error.message,
    );
  }
  return parts.length > 0 ? parts.join("; ") : undefined;
}
