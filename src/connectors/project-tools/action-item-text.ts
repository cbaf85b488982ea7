import type { ProjectToolItem } from "./project-tool.js";

/**
 * What a person reading the pushed task needs, as plain paragraphs in a fixed order: the notes,
 * then one line per fact (due date, type, owner, metric, leads, review), then the link back to
 * Baton. Jira renders these as document paragraphs, Asana as lines of its plain-text notes.
 */

/** Jira refuses a text field over 32,767 characters; the notes are cut well before that. */
export const maximumNotesLength = 20_000;
/** A long lead list buries the rest; the full list is in Baton behind the link. */
export const maximumListedLeads = 25;

export interface ActionItemText {
  /** the notes split into paragraphs (blank lines between them in the source), possibly none */
  notes: string[];
  /** "Due: 2026-12-11" and the like, each one line */
  facts: string[];
  /** the link back to the item in Baton, when the public URL is known */
  link: string | undefined;
}

export function actionItemText(target: ProjectToolItem): ActionItemText {
  const { item } = target;
  let notes = item.notes.trim();
  if (notes.length > maximumNotesLength)
    notes = `${notes.slice(0, maximumNotesLength)}… (cut here; the full notes are in Baton)`;
  const facts = [`Due: ${item.dueOn}`, `Type: ${item.type}`, `Owner: ${item.owner}`];
  if (item.metric !== null) facts.push(`Metric: ${item.metric}`);
  if (item.leadIds.length > 0) {
    const listed = item.leadIds.slice(0, maximumListedLeads).join(", ");
    const more = item.leadIds.length - maximumListedLeads;
    facts.push(`Leads: ${listed}${more > 0 ? ` and ${more} more` : ""}`);
  }
  if (target.reviewTitle) facts.push(`From the review: ${target.reviewTitle}`);
  facts.push(`Baton action item ${item.id}`);
  return {
    notes: notes === "" ? [] : notes.split(/\n\s*\n/).map((paragraph) => paragraph.trim()),
    facts,
    link: target.link,
  };
}

/** The same content as plain text, for tools whose description is a string. */
export function actionItemPlainText(target: ProjectToolItem): string {
  const text = actionItemText(target);
  const blocks = [...text.notes, text.facts.join("\n")];
  if (text.link) blocks.push(`In Baton: ${text.link}`);
  return blocks.join("\n\n");
}
