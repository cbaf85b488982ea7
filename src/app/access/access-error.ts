/** Every way an access use case can refuse, one vocabulary (mapped to HTTP and exit codes once). */
export const accessErrorCodes = [
  "invalid_input",
  "user_exists",
  "unknown_user",
  "unknown_person",
  "person_taken",
  "bad_credentials",
  "user_disabled",
  "unknown_token",
  "scope_not_held",
  "last_admin",
] as const;
export type AccessErrorCode = (typeof accessErrorCodes)[number];

export interface AccessError {
  code: AccessErrorCode;
  message: string;
  field?: string;
}

export type AccessResult<Value> = { ok: true; value: Value } | { ok: false; error: AccessError };

export function refuse(
  code: AccessErrorCode,
  message: string,
  field?: string,
): AccessResult<never> {
  return { ok: false, error: field === undefined ? { code, message } : { code, message, field } };
}
