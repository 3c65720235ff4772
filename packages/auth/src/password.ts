import { randomBytes, scrypt as scryptCb, timingSafeEqual, type ScryptOptions } from "node:crypto";
import { invalidInput } from "@liaowang/errors";

function scrypt(password: string, salt: Buffer, keylen: number, options: ScryptOptions): Promise<Buffer> {
  return new Promise((resolve, reject) => scryptCb(password, salt, keylen, options, (error, key) => (error ? reject(error) : resolve(key))));
}

// scrypt (RFC 7914) from node:crypto: N = 2^15, r = 8, p = 1 costs ~32 MiB and ~100 ms per guess.
const N = 1 << 15;
const R = 8;
const P = 1;
const KEYLEN = 32;
const MAXMEM = 64 * 1024 * 1024;

/** Shortest password accepted (等保: complexity; length is what counts). */
export const MIN_PASSWORD_LENGTH = 12;

/** Why a password is refused, or undefined when acceptable. */
export function passwordProblem(password: string, userId: string): string | undefined {
  if (password.length < MIN_PASSWORD_LENGTH) return `a password needs at least ${MIN_PASSWORD_LENGTH} characters`;
  if (password.length > 1024) return "a password has at most 1024 characters";
  if (password.toLowerCase().includes(userId.toLowerCase())) return "a password must not contain the user name";
  const classes = [/[a-z]/, /[A-Z]/, /[0-9]/, /[^A-Za-z0-9]/].filter((re) => re.test(password)).length;
  if (classes < 3) return "a password needs three of: lower case, upper case, digits, other characters";
  return undefined;
}

/**
 * The stored form of a password: `scrypt$N$r$p$<salt b64>$<key b64>`.
 * @example const stored = await hashPassword("correct horse battery 9!")
 */
export async function hashPassword(password: string): Promise<string> {
  if (password.length === 0) throw invalidInput("empty password");
  const salt = randomBytes(16);
  const key = await scrypt(password, salt, KEYLEN, { N, r: R, p: P, maxmem: MAXMEM });
  return ["scrypt", N, R, P, salt.toString("base64"), key.toString("base64")].join("$");
}

/** Check a password against its stored form, in constant time; false for anything malformed. */
export async function verifyPassword(password: string, stored: string): Promise<boolean> {
  const parts = stored.split("$");
  if (parts.length !== 6 || parts[0] !== "scrypt") return false;
  const [n, r, p] = parts.slice(1, 4).map(Number) as [number, number, number];
  const salt = Buffer.from(parts[4] ?? "", "base64");
  const expected = Buffer.from(parts[5] ?? "", "base64");
  if (!Number.isInteger(n) || !Number.isInteger(r) || !Number.isInteger(p) || expected.length === 0 || password.length > 1024) return false;
  const key = await scrypt(password, salt, expected.length, { N: n, r, p, maxmem: MAXMEM });
  return timingSafeEqual(key, expected);
}

/** A hash to verify against when the account does not exist, so timing does not tell which user names exist. */
export const DUMMY_HASH = "scrypt$32768$8$1$AAAAAAAAAAAAAAAAAAAAAA==$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=";
