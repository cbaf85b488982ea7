import { createHash, randomBytes, timingSafeEqual } from "node:crypto";

/** 256 random bits, URL-safe: session cookies, token secrets, CSRF tokens. */
export function randomSecret(): string {
  return randomBytes(32).toString("base64url");
}

/** Secrets with 256 random bits need no slow hash: SHA-256 hides them and is cheap per request. */
export function hashSecret(secret: string): string {
  return createHash("sha256").update(secret).digest("hex");
}

export function sameSecret(a: string, b: string): boolean {
  const left = Buffer.from(a);
  const right = Buffer.from(b);
  return left.length === right.length && timingSafeEqual(left, right);
}
