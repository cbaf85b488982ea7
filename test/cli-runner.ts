import { processIo } from "../src/cli/io.js";
import { runCli } from "../src/cli/program.js";

/** Runs `baton` in memory with `env`, collecting what it prints: how the CLI tests call it. */
export function cliRunner(env: NodeJS.ProcessEnv) {
  return async (...argv: string[]) => {
    const out: string[] = [];
    const err: string[] = [];
    const code = await runCli(
      argv,
      {
        stdout: (text) => out.push(text),
        stderr: (text) => err.push(text),
        readText: processIo.readText,
      },
      env,
    );
    return { code, stdout: out.join("\n"), stderr: err.join("\n") };
  };
}
