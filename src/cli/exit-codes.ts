/**
 * The one place where outcomes become process exit codes. Scripts can rely on them:
 * 0 success, 1 the input was read but is invalid (the report says why), 2 the command line is
 * wrong, 3 a file could not be read, 4 the database could not be opened or a migration failed.
 */
export const exitCodes = {
  ok: 0,
  invalid: 1,
  usage: 2,
  unreadable: 3,
  database: 4,
} as const;
export type ExitCode = (typeof exitCodes)[keyof typeof exitCodes];

/** An expected CLI failure: printed as `baton: <message>` with its exit code, never a stack. */
export class CliError extends Error {
  constructor(
    message: string,
    readonly exitCode: ExitCode,
    readonly hint?: string,
  ) {
    super(message);
    this.name = "CliError";
  }
}
