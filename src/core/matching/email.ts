import { normaliseHost } from "./domain.js";

/**
 * E-mail normalisation for matching, not for sending: the result identifies a mailbox, so two
 * spellings of one mailbox compare equal. Always send to the address the person gave.
 *
 * Choices
 * - The whole address is lower-cased. RFC 5321 lets a server treat the local part (before `@`)
 *   as case-sensitive, but no mainstream provider does, and CRMs compare case-insensitively.
 * - `Name <address>` and `mailto:` wrappers are unwrapped; quoted local parts are not supported
 *   (the address is refused rather than guessed).
 * - Sub-addressing (`+tag`) and Gmail's ignored dots are removed only for providers known to
 *   deliver those variants to the same mailbox (`providerRules`). A company's own domain keeps
 *   its local part as typed: many support `+tags`, but `first.last` and `firstlast` may be two
 *   different people there.
 * - `googlemail.com` is the same service as `gmail.com` and is rewritten to it.
 */

interface ProviderRule {
  /** the domain every alias of the provider is rewritten to */
  canonicalDomain?: string;
  /** the provider ignores dots in the local part (Gmail) */
  ignoresDots?: boolean;
  /** `local+anything@` is delivered to `local@` */
  plusTags?: boolean;
}

const gmail: ProviderRule = { canonicalDomain: "gmail.com", ignoresDots: true, plusTags: true };
const plusOnly: ProviderRule = { plusTags: true };

/** Providers whose aliasing behaviour is documented; anything else is left as typed. */
const providerRules: Readonly<Record<string, ProviderRule>> = {
  "gmail.com": gmail,
  "googlemail.com": gmail,
  // Microsoft consumer mail (Outlook.com) supports plus addressing on all its domains.
  "outlook.com": plusOnly,
  "hotmail.com": plusOnly,
  "hotmail.co.uk": plusOnly,
  "hotmail.fr": plusOnly,
  "hotmail.de": plusOnly,
  "hotmail.it": plusOnly,
  "hotmail.es": plusOnly,
  "live.com": plusOnly,
  "live.co.uk": plusOnly,
  "live.fr": plusOnly,
  "msn.com": plusOnly,
  "icloud.com": plusOnly,
  "me.com": plusOnly,
  "mac.com": plusOnly,
  "fastmail.com": plusOnly,
  "fastmail.fm": plusOnly,
  "protonmail.com": plusOnly,
  "protonmail.ch": plusOnly,
  "proton.me": plusOnly,
  "pm.me": plusOnly,
};

/**
 * The matching key for an e-mail address, or undefined when the text is not one:
 * `" Mike.Smith+promo@GoogleMail.com "` → `mikesmith@gmail.com`,
 * `"Ana Ruiz <Ana.Ruiz@Acme.co.uk.>"` → `ana.ruiz@acme.co.uk`.
 */
export function normaliseEmail(input: string): string | undefined {
  let text = input.trim();
  const wrapped = /<([^<>]*)>$/.exec(text);
  if (wrapped?.[1] !== undefined) text = wrapped[1].trim();
  text = text.replace(/^mailto:/i, "").toLowerCase();

  const at = text.lastIndexOf("@");
  if (at <= 0) return undefined;
  let local = text.slice(0, at);
  const host = normaliseHost(text.slice(at + 1));
  // A host without a dot (`localhost`) never receives a lead's mail.
  if (host === undefined || !host.includes(".")) return undefined;
  if (/[\s"<>(),;:@[\]\\]/.test(local)) return undefined;

  const rule = providerRules[host];
  if (rule?.plusTags === true) {
    const plus = local.indexOf("+");
    // `+tag@` with nothing before the `+` is an address of its own, not a tagged one.
    if (plus > 0) local = local.slice(0, plus);
  }
  if (rule?.ignoresDots === true) local = local.replaceAll(".", "");
  if (local === "") return undefined;
  return `${local}@${rule?.canonicalDomain ?? host}`;
}

/**
 * The host of a normalised address (`mike@eu.acme.com` → `eu.acme.com`,
 * `x@googlemail.com` → `gmail.com`). Use `normaliseDomain` for the registrable domain.
 */
export function emailDomain(input: string): string | undefined {
  const email = normaliseEmail(input);
  return email === undefined ? undefined : email.slice(email.lastIndexOf("@") + 1);
}
