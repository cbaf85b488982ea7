import { createWriteStream } from "node:fs";

/**
 * A generated HubSpot-style contacts export for the streaming test and the audit bench: every 10th row an MQL, every 20th touched 30 minutes later;
 * five source spellings, 40 owners, one row a minute from 2026-01-01.
 */
export async function writeHubspotExport(file: string, rows: number): Promise<void> {
  const out = createWriteStream(file);
  const write = (text: string) =>
    new Promise<void>((resolve) => (out.write(text) ? resolve() : out.once("drain", resolve)));
  await write(
    "Record ID,Email,Create Date,Lifecycle Stage,Lead Status,Original Source,Contact owner,Last Activity Date,Became a Marketing Qualified Lead Date,First Contact Date\n",
  );
  const start = Date.UTC(2026, 0, 1);
  const sources = [
    "ORGANIC_SEARCH",
    "PAID_SEARCH",
    "REFERRALS",
    "Organic Search",
    "EMAIL_MARKETING",
  ];
  let chunk = "";
  for (let index = 0; index < rows; index++) {
    const created = new Date(start + index * 60_000).toISOString().slice(0, 16).replace("T", " ");
    const mql = index % 10 === 0;
    const touched = index % 20 === 0;
    const touch = new Date(start + index * 60_000 + 30 * 60_000)
      .toISOString()
      .slice(0, 16)
      .replace("T", " ");
    chunk += `${index + 1},c${index}@example.com,${created},${mql ? "marketingqualifiedlead" : "lead"},${touched ? "Connected" : "New"},${sources[index % 5]},Owner ${index % 40},,${mql ? created : ""},${touched ? touch : ""}\n`;
    if (chunk.length > 1 << 16) {
      await write(chunk);
      chunk = "";
    }
  }
  await write(chunk);
  await new Promise<void>((resolve) => out.end(resolve));
}
