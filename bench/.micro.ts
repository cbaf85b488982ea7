import { ExpressionFrame } from "../src/core/expression/index.js";
const schema = { lead: { country: "string", seniority: "string", source: "string", persona_match: "bool", student: "bool" }, company: { employees: "number", revenue: "number", industry: "string", tier: "string", country: "string", funding_stage: "string", is_public: "bool", uses_competitor: "bool" } } as const;
const srcs = ["company.employees >= 200","company.employees >= 1000","company.employees < 10","company.revenue >= 10000000","company.revenue > 100000000",'lead.country in ["US", "CA", "GB", "IE", "AU"]','company.country == "US"','company.industry in ["software", "fintech", "healthcare", "insurance"]','company.industry == "education"','company.tier == "strategic"','company.tier in ["enterprise", "strategic"]',"company.is_public","company.uses_competitor == true",'company.funding_stage in ["series_b", "series_c", "public"] && company.employees >= 50','lead.seniority in ["vp", "c_level", "director"]','lead.seniority == "intern"',"lead.persona_match","lead.student == true",'lead.source in ["webinar", "demo", "referral"]','lead.source == "purchased_list"'];
const frame = new ExpressionFrame(schema);
const tests = srcs.map(s => { const c = frame.compileCondition(s); if (!c.ok) throw 1; return c.test; });
const values = frame.values();
let x = 1; const r = () => { x = (x * 1103515245 + 12345) & 0x7fffffff; return x / 0x7fffffff; };
const pick = <T,>(a: T[]) => a[Math.floor(r() * a.length)]!;
const ctxs = Array.from({length: 1_000_000}, () => ({ lead: { country: pick(["US","CA","DE"]), seniority: pick(["vp","intern","x"]), source: pick(["webinar","organic"]), persona_match: r() < .5, student: r() < .05 }, company: { employees: Math.floor(r()*5000), revenue: r()*1e9, industry: pick(["software","education","x"]), tier: pick(["strategic","smb"]), country: pick(["US","DE"]), funding_stage: pick(["series_b","seed"]), is_public: r()<.1, uses_competitor: r()<.2 } }));
for (let round = 0; round < 3; round++) {
  let n = 0; let t = process.hrtime.bigint();
  for (const c of ctxs) { frame.load(values, "lead", c.lead); frame.load(values, "company", c.company); }
  let s = Number(process.hrtime.bigint() - t) / 1e9;
  console.log("loads only:", Math.round(1e6 / s), "leads/s");
  t = process.hrtime.bigint();
  for (const c of ctxs) { frame.load(values, "lead", c.lead); frame.load(values, "company", c.company); for (const test of tests) if (test(values)) n++; }
  s = Number(process.hrtime.bigint() - t) / 1e9;
  console.log("loads + conditions:", Math.round(1e6 / s), "leads/s", n);
}
