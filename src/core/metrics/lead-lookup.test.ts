import { describe, expect, it } from "vitest";
import { history, lead } from "./history-fixtures.js";
import { leadLookup, leadPosition } from "./lead-lookup.js";

describe("finding a record's lead", () => {
  const whole = history({ leads: [lead("a"), lead("b"), lead("c")], lineage: {} });

  it("takes the position a record gives when the lead there has the id", () => {
    expect(leadPosition(whole, "b", 1)).toBe(1);
    expect(leadLookup(whole)("c", 2)?.id).toBe("c");
  });

  it("finds the lead by its id when the position names another lead or none", () => {
    expect(leadPosition(whole, "b", 0)).toBe(1);
    expect(leadPosition(whole, "b", 7)).toBe(1);
    expect(leadPosition(whole, "b")).toBe(1);
    expect(leadLookup(whole)("a", 2)?.id).toBe("a");
    expect(leadLookup(whole)("a", -1)?.id).toBe("a");
    expect(leadPosition(whole, "z", 0)).toBe(-1);
    expect(leadLookup(whole)("z", 1)).toBeUndefined();
  });
});
