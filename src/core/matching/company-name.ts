/**
 * Company-name normalisation: the key two spellings of one company share, so "ACME, Inc.",
 * "Acme Incorporated" and "The Acme Corporation" all become `acme`, and
 * "Société Générale S.A." becomes `societe generale`.
 *
 * Steps, in order: compatibility-decompose and drop accents (é → e), lower-case, spell out
 * letters that do not decompose (ß → ss, ø → o), `&` → `and`, apostrophes vanish (McDonald's →
 * `mcdonalds`), every other non-letter/digit becomes a space, runs of single letters join up
 * (`s a` from "S.A." → `sa`, `j p morgan` → `jp morgan`), then a leading "the" and trailing
 * legal forms are stripped until nothing more changes.
 *
 * A legal form is stripped only from the end and only while another word remains, so "Co"
 * alone stays `co`. Legal forms written first (Indonesia's "PT", Russia's "OOO") and words
 * that describe the business ("Holdings", "Group") are kept: they may tell two companies apart.
 */

/** Legal forms, as token sequences after the steps above. Longest first within a shared end. */
const legalForms: readonly (readonly string[])[] = [
  ["public", "limited", "company"],
  ["private", "limited"],
  ["kabushiki", "kaisha"],
  ["sa", "de", "cv"],
  ["s", "de", "rl"],
  ["sdn", "bhd"],
  ["sp", "zoo"],
  ...[
    "ab",
    "ag",
    "aps",
    "as",
    "asa",
    "bhd",
    "bv",
    "co",
    "company",
    "corp",
    "corporation",
    "cv",
    "ev",
    "gmbh",
    "inc",
    "incorporated",
    "jsc",
    "kft",
    "kg",
    "kgaa",
    "kk",
    "lda",
    "limited",
    "llc",
    "llp",
    "lp",
    "ltd",
    "ltda",
    "nv",
    "oy",
    "oyj",
    "pc",
    "plc",
    "pllc",
    "pte",
    "pty",
    "pvt",
    "sa",
    "sarl",
    "sas",
    "sasu",
    "se",
    "sl",
    "slu",
    "spa",
    "spzoo",
    "sro",
    "srl",
    "ulc",
  ].map((form) => [form]),
];

/** Letters Unicode decomposition leaves alone but people write in ASCII (lower-case forms). */
const spelledOut: Readonly<Record<string, string>> = {
  ß: "ss",
  æ: "ae",
  œ: "oe",
  ø: "o",
  ł: "l",
  đ: "d",
  ð: "d",
  þ: "th",
  ı: "i",
};

/** The matching key for a company name; an empty string when nothing name-like is left. */
export function normaliseCompanyName(input: string): string {
  // Lower-casing can itself produce combining marks (İ → i + dot), so decompose on both sides.
  let text = withoutMarks(withoutMarks(input).toLowerCase());
  text = text.replace(/[ßæœøłđðþı]/gu, (letter) => spelledOut[letter] ?? letter);
  text = text.replace(/&/g, " and ").replace(/['’`]/g, "");
  const words = text.split(/[^\p{L}\p{N}]+/u).filter((word) => word !== "");
  return stripForms(joinInitials(words)).join(" ");
}

function withoutMarks(text: string): string {
  return text.normalize("NFKD").replace(/\p{M}/gu, "");
}

/** `["s", "a", "de", "c", "v"]` → `["sa", "de", "cv"]`: initials typed with dots or spaces. */
function joinInitials(words: readonly string[]): string[] {
  const joined: string[] = [];
  let initials = "";
  for (const word of words) {
    if (/^\p{L}$/u.test(word)) {
      initials += word;
      continue;
    }
    if (initials !== "") joined.push(initials);
    initials = "";
    joined.push(word);
  }
  if (initials !== "") joined.push(initials);
  return joined;
}

function stripForms(words: string[]): string[] {
  let current = words;
  for (;;) {
    const next = stripOnce(current);
    if (next.length === current.length) return current;
    current = next;
  }
}

/** Removes one leading "the" or one trailing legal form (and a dangling "and" before it). */
function stripOnce(words: string[]): string[] {
  if (words.length > 1 && words[0] === "the") return words.slice(1);
  for (const form of legalForms) {
    if (words.length <= form.length) continue;
    const tail = words.slice(-form.length);
    if (!tail.every((word, index) => word === form[index])) continue;
    const rest = words.slice(0, -form.length);
    // "Smith & Co" → `smith and co` → `smith`, not `smith and`.
    return rest.length > 1 && rest.at(-1) === "and" ? rest.slice(0, -1) : rest;
  }
  return words;
}
