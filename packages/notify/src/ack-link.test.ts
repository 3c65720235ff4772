import { createHmac } from "node:crypto";
import { describe, expect, it } from "vitest";
import { ACK_TOKEN_PARAM, ackTokenId, signAckLink, signAckToken, verifyAckToken } from "./ack-link.js";

const secret = "ack-secret-0123456789abcdefghijklmnop";
const claims = { alertId: "alert-20240501-001", personId: "张三-p7", raisedAt: "2024-05-01T07:30:00.000Z", expiresAt: new Date("2024-05-02T00:00:00.000Z") };
const now = new Date("2024-05-01T08:00:00.000Z");

function tokenOf(link: string): string {
  return new URL(link).searchParams.get(ACK_TOKEN_PARAM) ?? "";
}

describe("signed acknowledge links", () => {
  it("round-trips alert, person, raising and expiry through the link", () => {
    const link = signAckLink("https://liaowang.example.gov.cn/ack?src=wecom", claims, secret);
    expect(link.startsWith("https://liaowang.example.gov.cn/ack?src=wecom&t=")).toBe(true);
    expect(verifyAckToken(tokenOf(link), secret, now)).toEqual({ ok: true, claims });
  });

  it("rejects a token whose payload or signature was altered", () => {
    const token = signAckToken(claims, secret);
    const [payload, mac] = token.split(".") as [string, string];
    const forgedPayload = Buffer.from(`v2\nalert-OTHER\n${claims.personId}\n1714548600000\n1714608000`, "utf8").toString("base64url");
    expect(verifyAckToken(`${forgedPayload}.${mac}`, secret, now)).toEqual({ ok: false, reason: "bad_signature" });
    const flipped = mac.startsWith("A") ? `B${mac.slice(1)}` : `A${mac.slice(1)}`;
    expect(verifyAckToken(`${payload}.${flipped}`, secret, now)).toEqual({ ok: false, reason: "bad_signature" });
    expect(verifyAckToken(`${payload}.${mac.slice(0, -2)}`, secret, now)).toEqual({ ok: false, reason: "bad_signature" });
  });

  it("rejects a later expiry grafted onto a genuine signature", () => {
    const token = signAckToken(claims, secret);
    const mac = token.split(".")[1] ?? "";
    const extended = Buffer.from(`v2\n${claims.alertId}\n${claims.personId}\n1714548600000\n1999999999`, "utf8").toString("base64url");
    expect(verifyAckToken(`${extended}.${mac}`, secret, now)).toEqual({ ok: false, reason: "bad_signature" });
  });

  it("binds the token to one raising: a later raising cannot be grafted onto a genuine signature", () => {
    const token = signAckToken(claims, secret);
    const mac = token.split(".")[1] ?? "";
    const reraised = Buffer.from(`v2\n${claims.alertId}\n${claims.personId}\n${Date.parse("2024-05-01T09:00:00Z")}\n1714608000`, "utf8").toString("base64url");
    expect(verifyAckToken(`${reraised}.${mac}`, secret, now)).toEqual({ ok: false, reason: "bad_signature" });
    const other = signAckToken({ ...claims, raisedAt: "2024-05-01T09:00:00.000Z" }, secret);
    expect(verifyAckToken(other, secret, now)).toMatchObject({ ok: true, claims: { raisedAt: "2024-05-01T09:00:00.000Z" } });
    expect(ackTokenId(other)).not.toBe(ackTokenId(token));
    expect(ackTokenId(token)).toMatch(/^[0-9a-f]{64}$/);
    expect(ackTokenId(token)).not.toContain(token.split(".")[0]);
  });

  it("refuses v1 links, which name no raising", () => {
    const payload = Buffer.from(`v1\n${claims.alertId}\n${claims.personId}\n1714608000`, "utf8").toString("base64url");
    const mac = createHmac("sha256", secret).update(`liaowang.ack.${payload}`, "utf8").digest().subarray(0, 16).toString("base64url");
    expect(verifyAckToken(`${payload}.${mac}`, secret, now)).toEqual({ ok: false, reason: "malformed" });
  });

  it("rejects a token signed with another secret", () => {
    const token = signAckToken(claims, "another-secret-0123456789abcdefghijkl");
    expect(verifyAckToken(token, secret, now)).toEqual({ ok: false, reason: "bad_signature" });
  });

  it("expires exactly at expiresAt", () => {
    const token = signAckToken(claims, secret);
    expect(verifyAckToken(token, secret, claims.expiresAt.getTime() - 1).ok).toBe(true);
    expect(verifyAckToken(token, secret, claims.expiresAt)).toEqual({ ok: false, reason: "expired" });
    expect(verifyAckToken(token, secret, new Date("2024-06-01T00:00:00Z"))).toEqual({ ok: false, reason: "expired" });
  });

  it("accepts the previous secret during a key rotation", () => {
    const old = "old-secret-0123456789abcdefghijklmnop";
    const token = signAckToken(claims, old);
    expect(verifyAckToken(token, [secret, old], now).ok).toBe(true);
    expect(verifyAckToken(token, [secret], now).ok).toBe(false);
  });

  it("calls garbage malformed", () => {
    for (const junk of ["", "abc", "a.b.c", "不是令牌.签名", "..."]) {
      expect(verifyAckToken(junk, secret, now)).toEqual({ ok: false, reason: "malformed" });
    }
  });

  it("refuses weak secrets and multi-line ids when signing", () => {
    expect(() => signAckToken(claims, "short")).toThrow(/at least 32/);
    expect(() => signAckToken({ ...claims, personId: "a\nb" }, secret)).toThrow(/single-line/);
    expect(() => verifyAckToken("x.y", [], now)).toThrow(/at least one secret/);
  });
});
