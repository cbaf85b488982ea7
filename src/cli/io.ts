import { access, constants, readFile, stat } from "node:fs/promises";
import { formatIssue, type LocatedIssue } from "../core/agreement/agreement-issue.js";
import { CliError, exitCodes } from "./exit-codes.js";

/** What a command may touch of the outside world; tests pass their own. */
export interface CliIo {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
  readText: (file: string) => Promise<string>;
}

/**
 * Files are UTF-8 (a byte-order mark is allowed). UTF-16 and binary files are refused by name
 * rather than parsed into nonsense.
 */
export function decodeText(file: string, bytes: Buffer): string {
  const utf16 =
    (bytes[0] === 0xff && bytes[1] === 0xfe) ||
    (bytes[0] === 0xfe && bytes[1] === 0xff) ||
    (bytes.length > 1 && (bytes[0] === 0 || bytes[1] === 0));
  if (utf16)
    throw new CliError(
      `${file} is UTF-16 encoded`,
      exitCodes.invalid,
      "save it as UTF-8 and try again",
    );
  if (bytes.subarray(0, 8192).includes(0))
    throw new CliError(
      `${file} is not a text file`,
      exitCodes.invalid,
      "pass the YAML or JSON file",
    );
  const text = bytes.toString("utf8");
  return text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
}

export const processIo: CliIo = {
  stdout: (text) => process.stdout.write(text.endsWith("\n") ? text : `${text}\n`),
  stderr: (text) => process.stderr.write(text.endsWith("\n") ? text : `${text}\n`),
  readText: async (file) => {
    let bytes: Buffer;
    try {
      bytes = await readFile(file);
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      const reason =
        code === "ENOENT"
          ? "no such file"
          : code === "EISDIR"
            ? "it is a folder"
            : code === "EACCES"
              ? "permission denied"
              : String(code ?? error);
      throw new CliError(
        `cannot read ${file}: ${reason}`,
        exitCodes.unreadable,
        "check the path and try again",
      );
    }
    return decodeText(file, bytes);
  },
};

/**
 * The size of a file the command is about to stream, or a CliError (exit 3) saying why it cannot
 * be read: missing, a folder, or not readable.
 */
export async function readableFileSize(file: string): Promise<number> {
  try {
    const info = await stat(file);
    if (!info.isFile())
      throw new CliError(
        `cannot read ${file}: it is a folder`,
        exitCodes.unreadable,
        "pass the CSV file",
      );
    await access(file, constants.R_OK);
    return info.size;
  } catch (error) {
    if (error instanceof CliError) throw error;
    const code = (error as NodeJS.ErrnoException).code;
    throw new CliError(
      `cannot read ${file}: ${code === "ENOENT" ? "no such file" : code === "EACCES" ? "permission denied" : String(code ?? error)}`,
      exitCodes.unreadable,
      "check the path and try again",
    );
  }
}

/**
 * A mapping file's problems: each on stderr as `file:line:column …` with its fix and a count, and
 * the JSON failure on stdout when the command was asked for JSON.
 */
export function reportMappingIssues(
  io: CliIo,
  file: string | undefined,
  issues: readonly LocatedIssue[],
  json: boolean | undefined,
): void {
  if (json)
    io.stdout(JSON.stringify({ ok: false, error: { code: "mapping_invalid", issues } }, null, 2));
  for (const issue of issues) io.stderr(formatIssue(issue));
  io.stderr(`baton: the mapping file ${file} has ${issues.length} problem(s)`);
}
