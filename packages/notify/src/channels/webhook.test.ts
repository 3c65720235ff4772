import { describe, expect, it } from "vitest";
import { signWebhookBody, verifyWebhookSignature } from "./webhook.js";

const secret = "whsec-0123456789abcdef";

describe("webhook signature", () => {
  it("matches a vector computed independently with Python's hmac", () => {
    expect(signWebhookBody(secret, 1_714_543_200, '{"version":1}')).toBe("sha256=6397c655b436043e238b1d26e2c9d677bcb91239bac5c29db0118a754858ef1e");
  });

  it("verifies a genuine delivery and rejects tampering, a wrong secret and a stale timestamp", () => {
    const body = JSON.stringify({ version: 1, notification: { title: "测试" } });
    const now = 1_714_543_200_000;
    const signature = signWebhookBody(secret, now / 1000, body);
    const base = { secret, timestamp: String(now / 1000), signature, body, now };
    expect(verifyWebhookSignature(base)).toEqual({ ok: true });
    expect(verifyWebhookSignature({ ...base, body: body.replace("测试", "篡改") })).toEqual({ ok: false, reason: "bad_signature" });
    expect(verifyWebhookSignature({ ...base, secret: "another-secret-0000" })).toEqual({ ok: false, reason: "bad_signature" });
    expect(verifyWebhookSignature({ ...base, timestamp: String(now / 1000 + 1) })).toEqual({ ok: false, reason: "bad_signature" });
    expect(verifyWebhookSignature({ ...base, now: now + 301_000 })).toEqual({ ok: false, reason: "stale" });
    expect(verifyWebhookSignature({ ...base, signature: undefined })).toEqual({ ok: false, reason: "missing" });
  });
});
