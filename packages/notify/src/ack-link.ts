import { createHmac, timingSafeEqual } from "node:crypto";
import { invalidInput } from "@liaowang/errors";

/** What a one-click acknowledge link vouches for: this person may acknowledge this alert until then. */
export interface AckClaims {
  alertId: string;
  personId: string;
  expiresAt: Date;
}

/** Why a token was refused; the ack endpoint should answer all three the same way to the client. */
export type AckRejection = "malformed" | "bad_signature" | "expired";

/** Outcome of `verifyAckToken`. */
export type AckVerification = { ok: true; claims: AckClaims } | { ok: false; reason: AckRejection };

/** Query parameter the token travels in. */
export const ACK_TOKEN_PARAM = "t";

const VERSION = "v1";
const DOMAIN = "liaowang.ack.";
// 128 bits of HMAC is ample against forgery and keeps SMS links short.
const MAC_BYTES = 16;
const MIN_SECRET_LENGTH = 32;

function mac(secret: string, payloadB64: string): Buffer {
  return createHmac("sha256", secret).update(DOMAIN + payloadB64, "utf8").digest().subarray(0, MAC_BYTES);
}

function checkSecret(secret: string): void {
  if (secret.length < MIN_SECRET_LENGTH) throw invalidInput(`ack link secret must be at least ${MIN_SECRET_LENGTH} characters`);
}

function toMs(value: Date | number): number {
  return typeof value === "number" ? value : value.getTime();
}

/**
 * A compact signed token `<payload>.<mac>` (base64url) for one person acknowledging one alert.
 * @example signAckToken({ alertId: "a1", personId: "p7", expiresAt: new Date("2024-05-02T00:00:00Z") }, secret)
 */
export function signAckToken(claims: { alertId: string; personId: string; expiresAt: Date | number }, secret: string): string {
  checkSecret(secret);
  for (const [name, value] of [["alertId", claims.alertId], ["personId", claims.personId]] as const) {
    if (value.length === 0 || value.includes("\n")) throw invalidInput(`ack link ${name} "${value.slice(0, 40)}" must be non-empty and single-line`);
  }
  const expMs = toMs(claims.expiresAt);
  if (!Number.isFinite(expMs)) throw invalidInput(`ack link for alert ${claims.alertId} has an invalid expiresAt`);
  const payload = [VERSION, claims.alertId, claims.personId, String(Math.floor(expMs / 1000))].join("\n");
  const payloadB64 = Buffer.from(payload, "utf8").toString("base64url");
  return `${payloadB64}.${mac(secret, payloadB64).toString("base64url")}`;
}

/**
 * The one-click acknowledge URL: `baseUrl` with the signed token in `?t=`.
 * @example signAckLink("https://liaowang.example.gov.cn/ack", { alertId, personId, expiresAt }, secret)
 */
export function signAckLink(baseUrl: string, claims: { alertId: string; personId: string; expiresAt: Date | number }, secret: string): string {
  const url = new URL(baseUrl);
  url.searchParams.set(ACK_TOKEN_PARAM, signAckToken(claims, secret));
  return url.toString();
}

const B64URL = /^[A-Za-z0-9_-]+$/;

/**
 * Check a token's MAC (constant time) and expiry. Pass several secrets to rotate keys: the
 * current one first, the previous one until its links have expired.
 * @example const v = verifyAckToken(url.searchParams.get("t") ?? "", [current, previous], new Date()); if (v.ok) acknowledge(v.claims)
 */
export function verifyAckToken(token: string, secret: string | readonly string[], now: Date | number): AckVerification {
  const secrets = typeof secret === "string" ? [secret] : secret;
  if (secrets.length === 0) throw invalidInput("verifyAckToken needs at least one secret");
  secrets.forEach(checkSecret);

  const parts = token.split(".");
  if (parts.length !== 2) return { ok: false, reason: "malformed" };
  const [payloadB64, macB64] = parts as [string, string];
  if (!B64URL.test(payloadB64) || !B64URL.test(macB64)) return { ok: false, reason: "malformed" };

  const given = Buffer.from(macB64, "base64url");
  const valid = secrets.some((s) => {
    const expected = mac(s, payloadB64);
    return given.length === expected.length && timingSafeEqual(given, expected);
  });
  if (!valid) return { ok: false, reason: "bad_signature" };

  const fields = Buffer.from(payloadB64, "base64url").toString("utf8").split("\n");
  if (fields.length !== 4 || fields[0] !== VERSION) return { ok: false, reason: "malformed" };
  const [, alertId, personId, exp] = fields as [string, string, string, string];
  if (!alertId || !personId || !/^\d+$/.test(exp)) return { ok: false, reason: "malformed" };

  const expiresAt = new Date(Number(exp) * 1000);
  if (toMs(now) >= expiresAt.getTime()) return { ok: false, reason: "expired" };
  return { ok: true, claims: { alertId, personId, expiresAt } };
}
