import { describe, expect, it } from "vitest";
import { DistinctLeads, type LeadReference } from "./distinct-leads.js";
import { lead } from "./history-fixtures.js";

const leads = [lead("a"), lead("b"), lead("c")];
const ref = (index: number): LeadReference => ({ lead: leads[index]!, leadIndex: index });

describe("DistinctLeads", () => {
  it("lists each lead once, in the order first seen, and counts past its limit", () => {
    const all = new DistinctLeads({ leads });
    expect(all.ids(ref, [2, 0, 2], [0, 1])).toEqual(["c", "a", "b"]);
    const limited = new DistinctLeads({ leads }, 1);
    expect(limited.ids(ref, [2, 0, 2], [0, 1])).toEqual({ ids: ["c"], count: 3 });
  });

  it("keeps two instances over the same leads apart, whatever the order of their calls", () => {
    const first = new DistinctLeads({ leads });
    const second = new DistinctLeads({ leads }, 0);
    expect(first.ids(ref, [0, 1])).toEqual(["a", "b"]);
    expect(second.ids(ref, [1, 1])).toEqual({ ids: [], count: 1 });
    // a lead stamped by the other instance's call still counts here
    expect(first.ids(ref, [1, 2, 1])).toEqual(["b", "c"]);
    expect(second.ids(ref, [0, 1, 2])).toEqual({ ids: [], count: 3 });
  });

  it("stamps a list of leads afresh once it has grown", () => {
    const growing = [lead("a")];
    const refIn = (index: number): LeadReference => ({ lead: growing[index]!, leadIndex: index });
    expect(new DistinctLeads({ leads: growing }).ids(refIn, [0, 0])).toEqual(["a"]);
    growing.push(lead("b"));
    expect(new DistinctLeads({ leads: growing }).ids(refIn, [1, 0, 1])).toEqual(["b", "a"]);
  });
});
