import freeMailDomains from "email-providers/all.json" with { type: "json" };
import { normaliseHost, registrableDomain } from "./domain.js";

/**
 * Free-mail and disposable providers (gmail.com, yahoo.co.uk, gmx.de, mailinator.com, …), from
 * the maintained `email-providers` package (about 8,700 domains). A lead writing from one says
 * nothing about their employer, so accounts are never matched on these domains.
 */
const freeMail: ReadonlySet<string> = new Set(freeMailDomains);

/**
 * True when the domain (or an address's domain) belongs to a free-mail provider. Both the host
 * and its registrable domain are looked up, so `mail.yahoo.co.uk` counts as `yahoo.co.uk`.
 */
export function isFreeMailDomain(domainOrAddress: string): boolean {
  const at = domainOrAddress.lastIndexOf("@");
  const host = normaliseHost(at >= 0 ? domainOrAddress.slice(at + 1) : domainOrAddress);
  if (host === undefined) return false;
  if (freeMail.has(host)) return true;
  const registrable = registrableDomain(host);
  return registrable !== undefined && freeMail.has(registrable);
}
