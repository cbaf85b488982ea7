import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { normaliseCompanyName } from "./company-name.js";
import { normaliseDomain, normaliseHost, registrableDomain } from "./domain.js";
import { emailDomain, normaliseEmail } from "./email.js";
import { isFreeMailDomain } from "./free-mail.js";

describe("normaliseEmail", () => {
  it.each([
    ["Mike.Smith+promo@GoogleMail.com", "mikesmith@gmail.com"],
    ["  m.i.k.e.smith@gmail.com ", "mikesmith@gmail.com"],
    ["MIKESMITH@GMAIL.COM", "mikesmith@gmail.com"],
    ["mike.smith+newsletter@outlook.com", "mike.smith@outlook.com"],
    ["ana+crm@icloud.com", "ana@icloud.com"],
    ["ana+x+y@proton.me", "ana@proton.me"],
    ["Ana Ruiz <Ana.Ruiz@Acme.co.uk.>", "ana.ruiz@acme.co.uk"],
    ["mailto:Sales@Acme.com", "sales@acme.com"],
    ['"Ruiz, Ana" <ana@acme.com>', "ana@acme.com"],
    // A company's own domain keeps dots and +tags: they may be different mailboxes there.
    ["first.last+eu@acme.com", "first.last+eu@acme.com"],
    // Yahoo uses '-' for its disposable addresses, which cannot be told from a real hyphen.
    ["jo-sales@yahoo.com", "jo-sales@yahoo.com"],
    // A leading '+' is the whole local part, not a tag.
    ["+promo@gmail.com", "+promo@gmail.com"],
    ["josé@bücher.de", "josé@xn--bcher-kva.de"],
  ])("%s → %s", (input, expected) => {
    expect(normaliseEmail(input)).toBe(expected);
  });

  it.each([
    "",
    "   ",
    "mike",
    "@acme.com",
    "mike@",
    "mike@localhost",
    "mike smith@acme.com",
    "mike@acme .com",
    "mike@@acme.com",
    "...@gmail.com",
    "mike@-",
  ])("refuses %j", (input) => {
    expect(normaliseEmail(input)).toBeUndefined();
  });

  it("gives the address's host as its domain", () => {
    expect(emailDomain("Mike.Smith+promo@GoogleMail.com")).toBe("gmail.com");
    expect(emailDomain("ana@EU.Acme.co.uk")).toBe("eu.acme.co.uk");
    expect(emailDomain("not an address")).toBeUndefined();
  });
});

describe("normaliseDomain", () => {
  it.each([
    ["https://www.Acme.co.uk/contact", "acme.co.uk"],
    ["http://WWW.ACME.COM.", "acme.com"],
    ["acme.com:8443/pricing?utm_source=x#top", "acme.com"],
    ["//cdn.acme.io/x.js", "acme.io"],
    ["shop.eu.acme.com.au", "acme.com.au"],
    ["www.acme.co.jp", "acme.co.jp"],
    ["mail.acme.com.br", "acme.com.br"],
    ["acme.org.uk", "acme.org.uk"],
    ["acme.co", "acme.co"],
    ["blog.acme.co", "acme.co"],
    ["web.de", "web.de"],
    ["https://mike@portal.acme.de:443/", "acme.de"],
    ["mailto:mike@eu.acme.com", "acme.com"],
    ["  Acme.COM  ", "acme.com"],
    ["https://bücher.de/shop", "xn--bcher-kva.de"],
    ["10.0.0.1:8080", "10.0.0.1"],
  ])("%s → %s", (input, expected) => {
    expect(normaliseDomain(input)).toBe(expected);
  });

  it.each([
    "",
    "  ",
    "localhost",
    "co.uk",
    "https://",
    "http://[::1]/",
    "not a domain",
    "acme_corp.com",
  ])("has no registrable domain for %j", (input) => {
    expect(normaliseDomain(input)).toBeUndefined();
  });

  it("exposes the host and registrable-domain steps", () => {
    expect(normaliseHost("EU.Acme.co.uk..")).toBe("eu.acme.co.uk");
    expect(normaliseHost("acme.com/path")).toBeUndefined();
    expect(registrableDomain("eu.acme.co.uk")).toBe("acme.co.uk");
  });
});

describe("isFreeMailDomain", () => {
  it.each([
    "gmail.com",
    "googlemail.com",
    "GMAIL.COM.",
    "yahoo.co.uk",
    "hotmail.fr",
    "gmx.de",
    "web.de",
    "proton.me",
    "mailinator.com",
    "mike@gmail.com",
    "mail.yahoo.co.uk",
  ])("%s is free-mail", (domain) => {
    expect(isFreeMailDomain(domain)).toBe(true);
  });

  it.each(["acme.com", "acme.co.uk", "salesforce.com", "mike@acme.com", "", "not a domain"])(
    "%s is not free-mail",
    (domain) => {
      expect(isFreeMailDomain(domain)).toBe(false);
    },
  );
});

describe("normaliseCompanyName", () => {
  it.each([
    ["ACME, Inc.", "acme"],
    ["Acme Inc", "acme"],
    ["Acme Incorporated", "acme"],
    ["The Acme Corporation", "acme"],
    ["acme corp.", "acme"],
    ["Acme LLC", "acme"],
    ["Acme Ltd.", "acme"],
    ["Acme Pty Ltd", "acme"],
    ["Acme Pty. Limited", "acme"],
    ["ACME GmbH", "acme"],
    ["Acme GmbH & Co. KG", "acme"],
    ["Acme AG", "acme"],
    ["Acme plc", "acme"],
    ["Acme B.V.", "acme"],
    ["Acme BV", "acme"],
    ["Acme SAS", "acme"],
    ["Acme S.A.S.", "acme"],
    ["Acme Co., Ltd.", "acme"],
    ["Acme S.A. de C.V.", "acme"],
    ["Acme Sp. z o.o.", "acme"],
    ["Acme Sdn. Bhd.", "acme"],
    ["Acme Private Limited", "acme"],
    ["Société Générale S.A.", "societe generale"],
    ["SOCIETE GENERALE", "societe generale"],
    ["Nestlé S.A.", "nestle"],
    ["Müller Straße GmbH", "muller strasse"],
    ["Ørsted A/S", "orsted"],
    ["Procter & Gamble Co.", "procter and gamble"],
    ["Procter and Gamble", "procter and gamble"],
    ["Smith & Co", "smith"],
    ["McDonald's Corporation", "mcdonalds"],
    ["J.P. Morgan Chase & Co.", "jp morgan chase"],
    ["JP Morgan Chase", "jp morgan chase"],
    ["AT&T Inc.", "at and t"],
    ["Amazon.com, Inc.", "amazon com"],
    ["  acme   holdings  ", "acme holdings"],
    ["İstanbul Holding A.Ş.", "istanbul holding"],
    // A name that is only a legal form keeps it rather than becoming empty.
    ["Co", "co"],
    ["The Company", "company"],
    ["The", "the"],
    ["!!!", ""],
  ])("%s → %s", (input, expected) => {
    expect(normaliseCompanyName(input)).toBe(expected);
  });
});

describe("normalisation is idempotent", () => {
  const messy = fc.oneof(
    fc.string(),
    fc.string({ unit: "grapheme" }),
    fc.string({ unit: "binary" }),
    fc.constantFrom(
      "Mike.Smith+promo@GoogleMail.com",
      "https://www.Acme.co.uk/contact",
      "ACME, Inc.",
      "Société Générale S.A.",
      "ẞtraße GmbH",
      "İ",
    ),
  );
  const withParts = fc
    .tuple(
      fc.stringMatching(/^[A-Za-z0-9.+_-]{1,12}$/),
      fc.constantFrom("GMAIL.com", "googlemail.com", "Acme.co.uk", "outlook.com", "x.io"),
    )
    .map(([local, domain]) => `${local}@${domain}`);

  it("normaliseEmail(normaliseEmail(x)) = normaliseEmail(x)", () => {
    fc.assert(
      fc.property(fc.oneof(messy, withParts, fc.emailAddress()), (input) => {
        const once = normaliseEmail(input);
        if (once !== undefined) expect(normaliseEmail(once)).toBe(once);
      }),
      { numRuns: 2000 },
    );
  });

  it("normaliseDomain(normaliseDomain(x)) = normaliseDomain(x)", () => {
    fc.assert(
      fc.property(fc.oneof(messy, fc.webUrl(), fc.domain()), (input) => {
        const once = normaliseDomain(input);
        if (once !== undefined) expect(normaliseDomain(once)).toBe(once);
      }),
      { numRuns: 2000 },
    );
  });

  it("normaliseCompanyName(normaliseCompanyName(x)) = normaliseCompanyName(x)", () => {
    const legalWords = fc.constantFrom(
      "Inc.",
      "S.A.",
      "GmbH & Co. KG",
      "The",
      "&",
      "Co",
      "Pty Ltd",
      "a",
      "b",
      "é",
    );
    const names = fc
      .array(fc.oneof(legalWords, fc.string({ maxLength: 6 })), { maxLength: 6 })
      .map((words) => words.join(" "));
    fc.assert(
      fc.property(fc.oneof(messy, names), (input) => {
        const once = normaliseCompanyName(input);
        expect(normaliseCompanyName(once)).toBe(once);
      }),
      { numRuns: 3000 },
    );
  });
});
