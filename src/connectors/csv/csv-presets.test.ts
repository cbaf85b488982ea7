import { describe, expect, it } from "vitest";
import { detectPreset, presetMapping, presetNames } from "./csv-presets.js";

describe("presets", () => {
  it("are valid mapping files", () => {
    for (const name of presetNames) {
      const mapping = presetMapping(name);
      expect(mapping.system).toBe(name);
      expect(mapping.columns.find((column) => column.target.kind === "externalId")).toBeDefined();
      expect(
        mapping.columns.find(
          (column) => column.target.kind === "field" && column.target.name === "email",
        )?.required,
      ).toBe(true);
    }
  });

  it("detects Salesforce by API names and by labels", () => {
    const api = ["Id", "FirstName", "LastName", "Email", "Company", "LeadSource", "CreatedDate"];
    expect(detectPreset(api)).toEqual({
      preset: "salesforce",
      matched: ["Id", "Email", "FirstName", "LastName", "LeadSource", "CreatedDate", "Company"],
    });
    const labels = ["Lead ID", "First Name", "Last Name", "Email", "Lead Source", "Lead Status"];
    expect(detectPreset(labels)?.preset).toBe("salesforce");
  });

  it("detects HubSpot from a contacts export", () => {
    const header = [
      "Record ID",
      "First Name",
      "Last Name",
      "Email",
      "Company Name",
      "Original Source",
      "Lifecycle Stage",
      "Create Date",
    ];
    const detected = detectPreset(header);
    expect(detected?.preset).toBe("hubspot");
    expect(detected?.matched).toContain("Original Source");
  });

  it("detects nothing without an id and an e-mail column", () => {
    expect(detectPreset(["Email", "First Name", "Last Name", "Company Name"])).toBeUndefined();
    expect(detectPreset(["Record ID", "First Name", "Last Name"])).toBeUndefined();
    expect(detectPreset(["email", "name"])).toBeUndefined();
  });
});
