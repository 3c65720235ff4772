import { Secret, TOTP } from "otpauth";

/**
 * An optional second factor: RFC 6238 TOTP (SHA-1, 6 digits, 30 s), as authenticator apps read it.
 * @example const { secret, uri } = newTotp("p-duty-1"); verifyTotp(secret, "123456")
 */
export function newTotp(account: string, issuer = "瞭望 Liaowang"): { secret: string; uri: string } {
  const secret = new Secret({ size: 20 });
  const totp = new TOTP({ issuer, label: account, secret });
  return { secret: secret.base32, uri: totp.toString() };
}

/** Whether a 6-digit code is valid now (one 30 s step of clock drift either way). */
export function verifyTotp(secret: string, code: string, now: number = Date.now()): boolean {
  if (!/^\d{6}$/.test(code)) return false;
  const totp = new TOTP({ secret: Secret.fromBase32(secret) });
  return totp.validate({ token: code, timestamp: now, window: 1 }) !== null;
}

/** The current code (tests, and the CLI's set-up check). */
export function totpCode(secret: string, now: number = Date.now()): string {
  return new TOTP({ secret: Secret.fromBase32(secret) }).generate({ timestamp: now });
}
