import { readFile } from "node:fs/promises";
import { CliError, exitCodes } from "./exit-codes.js";

/** What a command may touch of the outside world; tests pass their own. */
export interface CliIo {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
  readText: (file: string) => Promise<string>;
}

export const processIo: CliIo = {
  stdout: (text) => process.stdout.write(text.endsWith("\n") ? text : `${text}\n`),
  stderr: (text) => process.stderr.write(text.endsWith("\n") ? text : `${text}\n`),
  readText: async (file) => {
    try {
      return await readFile(file, "utf8");
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
  },
};
