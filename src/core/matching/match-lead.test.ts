import { describe, expect, it } from "vitest";
import type { Lead } from "../lead/lead.js";
import {
  candidateFromLead,
  type ExistingAccount,
  type ExistingRecords,
  matchKeys,
  matchLead,
} from "./match-lead.js";

/** 2026-03-02T09:00:00Z */
const now = Date.UTC(2026, 2, 2, 9, 0, 0);
const day = 86_400_000;

const acme: ExistingAccount = {
  id: "acc_acme",
  name: "Acme Ltd",
  domains: ["https://www.acme.co.uk"],
  ownerId: "rep_ana",
  lastActivityAt: now - 3 * day,
};

describe("matchLead: people by exact address", () => {
  const existing: ExistingRecords = {
    contacts: [{ id: "con_1", email: "MikeSmith@gmail.com", accountId: "acc_acme" }],
    leads: [{ id: "lead_old", email: "mike.smith@googlemail.com", lastActivityAt: now - day }],
    accounts: [acme],
  };

  it("matches the contact despite Gmail dots, +tag, case and googlemail", () => {
    const decision = matchLead(
      { id: "lead_new", email: "Mike.Smith+promo@GoogleMail.com" },
      existing,
    );
    expect(decision.match).toEqual({
      kind: "contact",
      id: "con_1",
      rule: "email_exact",
      confidence: 1,
    });
    expect(decision.accountId).toBe("acc_acme");
    expect(decision.accountRule).toBe("linked_account");
    expect(decision.considered).toEqual([
      {
        kind: "contact",
        id: "con_1",
        rule: "email_exact",
        chosen: true,
        why: "same e-mail address (mikesmith@gmail.com)",
      },
      {
        kind: "lead",
        id: "lead_old",
        rule: "email_exact",
        chosen: false,
        why: "same e-mail address, but contact con_1 is preferred: contacts beat leads",
      },
    ]);
  });

  it("matches an earlier lead when no contact has the address, and never the lead itself", () => {
    const decision = matchLead(
      { id: "lead_new", email: "mikesmith@gmail.com" },
      { leads: [{ id: "lead_new", email: "mikesmith@gmail.com" }, ...(existing.leads ?? [])] },
    );
    expect(decision.match).toMatchObject({ kind: "lead", id: "lead_old" });
    expect(decision.considered.map((c) => c.id)).toEqual(["lead_old"]);
  });

  it("prefers the most recently active of several leads, then the lowest id", () => {
    const leads = [
      { id: "lead_b", email: "ana@acme.co.uk", lastActivityAt: now - 5 * day },
      { id: "lead_c", email: "ana@acme.co.uk", lastActivityAt: now - day },
      { id: "lead_a", email: "ana@acme.co.uk", lastActivityAt: now - day },
    ];
    const decision = matchLead({ email: "Ana@Acme.co.uk" }, { leads });
    expect(decision.match?.id).toBe("lead_a");
    expect(decision.considered.map((c) => [c.id, c.why])).toEqual([
      ["lead_a", "same e-mail address (ana@acme.co.uk)"],
      ["lead_c", "same e-mail address, but lead lead_a wins: equal otherwise, lower id"],
      [
        "lead_b",
        "same e-mail address, but lead lead_a wins: more recent activity (2026-03-01T09:00:00.000Z)",
      ],
    ]);
  });

  it("does not strip dots or tags on a company domain: those may be different people", () => {
    const decision = matchLead(
      { email: "first.last+eu@acme.co.uk" },
      { contacts: [{ id: "con_2", email: "firstlast@acme.co.uk" }] },
    );
    expect(decision.match?.kind).not.toBe("contact");
  });

  it("exact address beats a domain match", () => {
    const decision = matchLead(
      { email: "ana@acme.co.uk" },
      { leads: [{ id: "lead_ana", email: "ana@acme.co.uk" }], accounts: [acme] },
    );
    expect(decision.match).toMatchObject({ kind: "lead", id: "lead_ana", rule: "email_exact" });
    // The lead has no account of its own, so the domain supplies it.
    expect(decision.accountId).toBe("acc_acme");
    expect(decision.accountRule).toBe("email_domain_account");
  });
});

describe("matchLead: accounts by domain", () => {
  it("matches a subdomain address to the account's website", () => {
    const decision = matchLead({ email: "jo@eu.Acme.co.uk" }, { accounts: [acme] });
    expect(decision.match).toEqual({
      kind: "account",
      id: "acc_acme",
      rule: "email_domain_account",
      confidence: 0.9,
    });
    expect(decision.keys).toEqual({ email: "jo@eu.acme.co.uk", emailDomain: "acme.co.uk" });
  });

  it("never matches an account on a free-mail domain, and says so", () => {
    const gmailAccount: ExistingAccount = { id: "acc_g", name: "Google", domains: ["gmail.com"] };
    const decision = matchLead({ email: "jo@gmail.com" }, { accounts: [gmailAccount] });
    expect(decision.match).toBeUndefined();
    expect(decision.keys.emailDomain).toBeUndefined();
    expect(decision.notes).toContain(
      "gmail.com is a free-mail domain; accounts are never matched on it",
    );
  });

  it("falls back to the website when the address is free-mail", () => {
    const decision = matchLead(
      { email: "jo@yahoo.co.uk", website: "https://www.acme.co.uk/contact" },
      { accounts: [acme] },
    );
    expect(decision.match).toMatchObject({
      rule: "website_domain_account",
      id: "acc_acme",
      confidence: 0.85,
    });
  });

  it("ignores a free-mail website too", () => {
    const decision = matchLead(
      { website: "gmail.com" },
      { accounts: [{ id: "acc_g", domains: ["gmail.com"] }] },
    );
    expect(decision.match).toBeUndefined();
    expect(decision.notes).toEqual([
      "website gmail.com is a free-mail domain; accounts are never matched on it",
    ]);
  });

  it("prefers the address's domain over the website", () => {
    const other: ExistingAccount = { id: "acc_other", domains: ["other.com"] };
    const decision = matchLead(
      { email: "jo@acme.co.uk", website: "other.com" },
      { accounts: [other, acme] },
    );
    expect(decision.accountId).toBe("acc_acme");
  });

  describe("several accounts on one domain", () => {
    const a1: ExistingAccount = { id: "acc_1", domains: ["acme.com"], lastActivityAt: now - day };
    const a2: ExistingAccount = {
      id: "acc_2",
      domains: ["acme.com"],
      lastActivityAt: now - 9 * day,
    };
    const a3: ExistingAccount = {
      id: "acc_3",
      domains: ["www.acme.com"],
      lastActivityAt: now - 30 * day,
      openOpportunities: [
        { id: "opp_old", stage: "proposal", ownerId: "rep_old", updatedAt: now - 20 * day },
        { id: "opp_9", stage: "negotiation", ownerId: "rep_bo", updatedAt: now - 2 * day },
      ],
    };

    it("prefers the one with an open opportunity, and flags the conflict", () => {
      const decision = matchLead({ email: "new@acme.com" }, { accounts: [a1, a2, a3] });
      expect(decision.match).toEqual({
        kind: "account",
        id: "acc_3",
        rule: "email_domain_account",
        confidence: 0.8,
      });
      expect(decision.conflict).toEqual({
        accountId: "acc_3",
        opportunityId: "opp_9",
        stage: "negotiation",
        ownerId: "rep_bo",
      });
      expect(decision.considered.map((c) => [c.id, c.chosen, c.why])).toEqual([
        ["acc_3", true, "same domain acme.com; chosen among 3 accounts"],
        [
          "acc_1",
          false,
          "same domain acme.com, but account acc_3 wins: it has an open opportunity",
        ],
        [
          "acc_2",
          false,
          "same domain acme.com, but account acc_3 wins: it has an open opportunity",
        ],
      ]);
      expect(decision.notes).toContain(
        "active-opportunity conflict: account acc_3 has open opportunity opp_9 in stage 'negotiation' owned by rep_bo",
      );
    });

    it("then the most recent activity", () => {
      const decision = matchLead({ email: "new@acme.com" }, { accounts: [a2, a1] });
      expect(decision.accountId).toBe("acc_1");
      expect(decision.considered[1]?.why).toBe(
        "same domain acme.com, but account acc_1 wins: more recent activity (2026-03-01T09:00:00.000Z)",
      );
      expect(decision.conflict).toBeUndefined();
    });

    it("then the lowest id", () => {
      const decision = matchLead(
        { email: "new@acme.com" },
        {
          accounts: [
            { id: "acc_b", domains: ["acme.com"] },
            { id: "acc_a", domains: ["acme.com"] },
          ],
        },
      );
      expect(decision.accountId).toBe("acc_a");
    });
  });
});

describe("matchLead: accounts by company name", () => {
  const societe: ExistingAccount = { id: "acc_sg", name: "Société Générale S.A." };

  it("matches a normalised name when no domain matched", () => {
    const decision = matchLead(
      { email: "jo@gmail.com", companyName: "SOCIETE GENERALE" },
      { accounts: [societe] },
    );
    expect(decision.match).toEqual({
      kind: "account",
      id: "acc_sg",
      rule: "company_name",
      confidence: 0.6,
    });
  });

  it("is not run when a domain matched", () => {
    const namesake: ExistingAccount = { id: "acc_name", name: "Acme" };
    const decision = matchLead(
      { email: "jo@acme.co.uk", companyName: "ACME, Inc." },
      { accounts: [namesake, acme] },
    );
    expect(decision.accountId).toBe("acc_acme");
    expect(decision.considered.every((c) => c.rule !== "company_name")).toBe(true);
    expect(decision.notes).toContain("company-name rule not run: a domain rule matched");
  });

  it("lowers confidence when the account lists other domains than the lead's", () => {
    const decision = matchLead(
      { email: "jo@acme-widgets.com", companyName: "Acme Ltd" },
      { accounts: [acme] },
    );
    expect(decision.match).toMatchObject({ rule: "company_name", id: "acc_acme", confidence: 0.4 });
    expect(decision.notes).toContain(
      "account acc_acme matched by name only: its domains (acme.co.uk) do not include acme-widgets.com",
    );
  });

  it("ranks several namesakes like domain matches and lowers confidence", () => {
    const decision = matchLead(
      { companyName: "The Acme Corporation" },
      {
        accounts: [
          { id: "acc_x", name: "Acme Inc" },
          {
            id: "acc_y",
            name: "ACME LLC",
            openOpportunities: [{ id: "opp_1", stage: "discovery" }],
          },
        ],
      },
    );
    expect(decision.match).toMatchObject({ id: "acc_y", confidence: 0.5 });
    expect(decision.conflict).toEqual({
      accountId: "acc_y",
      opportunityId: "opp_1",
      stage: "discovery",
    });
  });

  it("matches nothing on an empty name", () => {
    expect(
      matchLead({ companyName: "Inc." }, { accounts: [{ id: "a", name: "Inc" }] }).match,
    ).toMatchObject({
      id: "a",
    });
    expect(
      matchLead({ companyName: "!!!" }, { accounts: [{ id: "a", name: "???" }] }).match,
    ).toBeUndefined();
  });
});

describe("matchLead: conflicts and nothing found", () => {
  it("flags a conflict on an account reached through a contact", () => {
    const decision = matchLead(
      { email: "ana@acme.co.uk" },
      {
        contacts: [{ id: "con_ana", email: "ana@acme.co.uk", accountId: "acc_acme" }],
        accounts: [
          { ...acme, openOpportunities: [{ id: "opp_1", stage: "proposal", ownerId: "rep_bo" }] },
        ],
      },
    );
    expect(decision.match?.kind).toBe("contact");
    expect(decision.conflict).toMatchObject({ opportunityId: "opp_1", ownerId: "rep_bo" });
  });

  it("returns no match, with keys, when nothing is known", () => {
    const decision = matchLead({ email: "new@startup.io", companyName: "Startup GmbH" }, {});
    expect(decision).toEqual({
      considered: [],
      notes: [],
      keys: { email: "new@startup.io", emailDomain: "startup.io", companyName: "startup" },
    });
  });

  it("ignores an unusable address rather than failing", () => {
    const decision = matchLead(
      { email: "not an email", website: "acme.co.uk" },
      { accounts: [acme] },
    );
    expect(decision.match?.rule).toBe("website_domain_account");
  });
});

describe("matchKeys and candidateFromLead", () => {
  it("derives the lookup keys from a lead's built-in fields", () => {
    const lead: Lead = {
      id: "lead_1",
      stage: "new",
      stageEnteredAt: now,
      createdAt: now,
      fields: { email: " Mike.Smith+promo@GoogleMail.com" },
      company: { name: "ACME, Inc.", domain: "https://www.Acme.co.uk/contact", employees: 40 },
      activities: [],
    };
    const candidate = candidateFromLead(lead);
    expect(candidate).toEqual({
      id: "lead_1",
      email: " Mike.Smith+promo@GoogleMail.com",
      website: "https://www.Acme.co.uk/contact",
      companyName: "ACME, Inc.",
    });
    expect(matchKeys(candidate)).toEqual({
      email: "mikesmith@gmail.com",
      websiteDomain: "acme.co.uk",
      companyName: "acme",
    });
  });

  it("leaves out fields that are not text", () => {
    const lead: Lead = {
      id: "lead_2",
      stage: "new",
      stageEnteredAt: now,
      createdAt: now,
      fields: { email: null },
      company: { name: 42 },
      activities: [],
    };
    expect(matchKeys(candidateFromLead(lead))).toEqual({});
  });
});
