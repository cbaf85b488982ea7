/**
 * Domain normalisation for matching a lead to an account.
 *
 * Glossary
 * - host: the name in a URL or after the `@` of an address (`eu.mail.acme.co.uk`).
 * - public suffix: the part of a host under which anyone may register a name (`com`, `co.uk`).
 * - registrable domain: the public suffix plus one label (`acme.co.uk`); one organisation owns
 *   everything under it, so it is the key accounts are matched on.
 *
 * The full Public Suffix List (tldts) is not a dependency. Instead a small rule covers the
 * common case: under a two-letter country code, a second-level label from
 * `genericSecondLevelLabels` (`co`, `com`, `org`, `ac`, `gov`, …) is part of the suffix, so
 * `shop.acme.co.uk` → `acme.co.uk`, `acme.com.au` → `acme.com.au`, `acme.co.jp` → `acme.co.jp`.
 * Known gaps: private suffixes (`github.io`, `herokuapp.com`) are not known, so every site
 * hosted there collapses to one domain; deeper suffixes (`k12.ca.us`) are cut one label short;
 * and a name registered directly under a listed label where a country allows it (`info.xx`)
 * reads as a bare suffix. `web` and `go` are left out on purpose: `web.de` and `go.ro` are mail
 * providers, not suffixes.
 */

/** Second-level labels that, under a two-letter country code, belong to the public suffix. */
const genericSecondLevelLabels = new Set([
  "ac",
  "biz",
  "co",
  "com",
  "edu",
  "firm",
  "gen",
  "gob",
  "gov",
  "govt",
  "gv",
  "info",
  "ind",
  "int",
  "lg",
  "ltd",
  "me",
  "mil",
  "ne",
  "net",
  "nhs",
  "nom",
  "or",
  "org",
  "plc",
  "sch",
]);

const ipv4 = /^\d{1,3}(\.\d{1,3}){3}$/;
const asciiHost = /^[a-z0-9-]+(\.[a-z0-9-]+)*$/;
const hasScheme = /^[a-z][a-z0-9+.-]*:\/\//i;

/**
 * The lower-case ASCII form of a host: trailing dots removed, international names in punycode
 * (`bücher.de` → `xn--bcher-kva.de`, the form DNS and most CRMs store). Undefined when the text
 * is not a host name.
 */
export function normaliseHost(host: string): string | undefined {
  const trimmed = host.trim().replace(/\.+$/, "");
  if (trimmed === "" || /[\s/@:?#]/.test(trimmed)) return undefined;
  let ascii: string;
  try {
    // The URL parser applies IDNA (punycode, case folding) the same way browsers do.
    ascii = new URL(`http://${trimmed}`).hostname;
  } catch {
    return undefined;
  }
  ascii = ascii.replace(/\.+$/, "");
  return asciiHost.test(ascii) ? ascii : undefined;
}

/**
 * The registrable domain of a host, by the rule above. IPv4 addresses are returned as they are
 * (no suffix to strip); a bare suffix or a single label (`co.uk`, `localhost`) has none.
 */
export function registrableDomain(host: string): string | undefined {
  const normal = normaliseHost(host);
  if (normal === undefined) return undefined;
  if (ipv4.test(normal)) return normal;
  const labels = normal.split(".");
  const last = labels.at(-1) ?? "";
  const secondLast = labels.at(-2);
  const suffixLength =
    last.length === 2 && secondLast !== undefined && genericSecondLevelLabels.has(secondLast)
      ? 2
      : 1;
  if (labels.length <= suffixLength) return undefined;
  return labels.slice(-(suffixLength + 1)).join(".");
}

/**
 * The registrable domain behind a website, URL, host or e-mail address as people type them:
 * `https://www.Acme.co.uk:443/contact?x=1` → `acme.co.uk`, `WWW.ACME.COM.` → `acme.com`,
 * `mike@eu.acme.com` → `acme.com`. Undefined when there is no usable host (empty, IPv6,
 * garbage). `www.` needs no rule of its own: it is a subdomain like any other.
 */
export function normaliseDomain(input: string): string | undefined {
  let text = input.trim();
  if (text === "") return undefined;
  text = text.replace(/^mailto:/i, "");
  if (!hasScheme.test(text)) text = `http://${text.replace(/^\/\//, "")}`;
  let host: string;
  try {
    // URL drops the scheme, `user@`, port, path, query and fragment for us.
    host = new URL(text).hostname;
  } catch {
    return undefined;
  }
  if (host.startsWith("[")) return undefined;
  return registrableDomain(host);
}
