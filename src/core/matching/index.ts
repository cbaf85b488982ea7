export { normaliseCompanyName } from "./company-name.js";
export { normaliseDomain, normaliseHost, registrableDomain } from "./domain.js";
export { emailDomain, normaliseEmail } from "./email.js";
export { isFreeMailDomain } from "./free-mail.js";
export * from "./match-lead.js";
