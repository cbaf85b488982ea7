import { randomBytes, scrypt, timingSafeEqual } from "node:crypto";

/**
 * Password hashing with scrypt (memory-hard, in Node's own crypto): N=2^15, r=8, p=1 costs about
 * 50–100 ms and 32 MiB per check, which makes guessing slow while a sign-in stays quick.
 * The parameters travel inside the stored hash so they can be raised later.
 */

const cost = { N: 2 ** 15, r: 8, p: 1 } as const;
const keyLength = 32;
const maxmem = 64 * 1024 * 1024;

function derive(
  password: string,
  salt: Buffer,
  params: { N: number; r: number; p: number },
): Promise<Buffer> {
  return new Promise((resolve, reject) =>
    scrypt(password, salt, keyLength, { ...params, maxmem }, (error, key) =>
      error ? reject(error) : resolve(key),
    ),
  );
}

export async function hashPassword(password: string): Promise<string> {
  const salt = randomBytes(16);
  const key = await derive(password, salt, cost);
  return `scrypt$${cost.N}$${cost.r}$${cost.p}$${salt.toString("base64")}$${key.toString("base64")}`;
}

export async function verifyPassword(password: string, stored: string): Promise<boolean> {
  const [scheme, n, r, p, salt, hash] = stored.split("$");
  if (scheme !== "scrypt" || !n || !r || !p || !salt || !hash) return false;
  const expected = Buffer.from(hash, "base64");
  const key = await derive(password, Buffer.from(salt, "base64"), {
    N: Number(n),
    r: Number(r),
    p: Number(p),
  });
  return key.length === expected.length && timingSafeEqual(key, expected);
}

/** The rule every new password meets; returns what is wrong, or undefined. */
export function passwordProblem(password: string): string | undefined {
  if (password.length < 12) return "use at least 12 characters";
  if (password.length > 200) return "use at most 200 characters";
  return undefined;
}

/** A random password for first-run bootstraps and resets: 20 characters, about 119 bits. */
export function randomPassword(): string {
  return randomBytes(15).toString("base64url");
}
