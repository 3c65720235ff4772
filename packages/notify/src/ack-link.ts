import { createHash, createHmac, timingSafeEqual } from "node:crypto";
import { invalidInput } from "@liaowang/errors";

/**
 * What a one-click acknowledge link vouches for: this person may acknowledge this raising of this alert until
 * then. `raisedAt` binds the link to one raising: once an alert is dismissed and re-raised, older links stop
 * working, so a forwarded mail cannot silence the new round of escalation.
 */
export interface AckClaims {
  alertId: string;
  personId: string;
  /** The alert's `raisedAt` when the link was signed (ISO-8601, UTC). */
  raisedAt: string;
  expiresAt: Date;
}

/** Why a token was refused; the ack endpoint should answer all three the same way to the client. */
export type AckRejection = "malformed" | "bad_signature" | "expired";

/** Outcome of `verifyAckToken`. */
export type AckVerification = { ok: true; claims: AckClaims } | { ok: false; reason: AckRejection };

/** Query parameter the token travels in (`signAckLink`). */
export const ACK_TOKEN_PARAM = "t";

const VERSION = "v2";
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

function toMs(value: Date | number | string): number {
  return typeof value === "number" ? value : typeof value === "string" ? Date.parse(value) : value.getTime();
}

/** Claims to sign; `raisedAt` and `expiresAt` as an ISO string, a Date or epoch milliseconds. */
export interface AckClaimsInput {
  alertId: string;
  personId: string;
  raisedAt: string | Date | number;
  expiresAt: Date | number;
}

/**
 * A compact signed token `<payload>.<mac>` (base64url) for one person acknowledging one raising of one alert.
 * @example signAckToken({ alertId: "a1", personId: "p7", raisedAt: alert.raisedAt, expiresAt: Date.now() + 12 * 3_600_000 }, secret)
 */
export function signAckToken(claims: AckClaimsInput, secret: string): string {
  checkSecret(secret);
  for (const [name, value] of [["alertId", claims.alertId], ["personId", claims.personId]] as const) {
    if (value.length === 0 || value.includes("\n")) throw invalidInput(`ack link ${name} "${value.slice(0, 40)}" must be non-empty and single-line`);
  }
  const expMs = toMs(claims.expiresAt);
  if (!Number.isFinite(expMs)) throw invalidInput(`ack link for alert ${claims.alertId} has an invalid expiresAt`);
  const raisedMs = toMs(claims.raisedAt);
  if (!Number.isFinite(raisedMs)) throw invalidInput(`ack link for alert ${claims.alertId} has an invalid raisedAt`);
  const payload = [VERSION, claims.alertId, claims.personId, String(raisedMs), String(Math.floor(expMs / 1000))].join("\n");
  const payloadB64 = Buffer.from(payload, "utf8").toString("base64url");
  return `${payloadB64}.${mac(secret, payloadB64).toString("base64url")}`;
}

/**
 * The acknowledge URL: `baseUrl` with the signed token in `?t=`.
 * @example signAckLink("https://liaowang.example.gov.cn/ack", { alertId, personId, raisedAt, expiresAt }, secret)
 */
export function signAckLink(baseUrl: string, claims: AckClaimsInput, secret: string): string {
  const url = new URL(baseUrl);
  url.searchParams.set(ACK_TOKEN_PARAM, signAckToken(claims, secret));
  return url.toString();
}

/**
 * A stable id of a token for single-use bookkeeping (the SHA-256 of the signed payload): the token itself is a
 * credential and is never stored or logged.
 */
export function ackTokenId(token: string): string {
  return createHash("sha256").update(token.split(".")[0] ?? "", "utf8").digest("hex");
}

const B64URL = /^[A-Za-z0-9_-]+$/;

/**
 * Check a token's MAC (constant time) and expiry. Pass several secrets to rotate keys: the
 * current one first, the previous one until its links have expired. Whether the alert is still in the raising
 * the token names, and whether the token was used, is the caller's check (it needs the stored alert).
 * @example const v = verifyAckToken(token, [current, previous], new Date()); if (v.ok && v.claims.raisedAt === alert.raisedAt) confirm()
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
  // v1 links (no raising) are refused: they cannot be tied to the raising they were sent for.
  if (fields.length !== 5 || fields[0] !== VERSION) return { ok: false, reason: "malformed" };
  const [, alertId, personId, raised, exp] = fields as [string, string, string, string, string];
  if (!alertId || !personId || !/^\d+$/.test(exp) || !/^\d+$/.test(raised)) return { ok: false, reason: "malformed" };

  const expiresAt = new Date(Number(exp) * 1000);
  if (toMs(now) >= expiresAt.getTime()) return { ok: false, reason: "expired" };
  return { ok: true, claims: { alertId, personId, raisedAt: new Date(Number(raised)).toISOString(), expiresAt } };
}
