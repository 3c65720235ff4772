import { createHmac, timingSafeEqual } from "node:crypto";
import { httpFailure, isDeliveryResult, isSuccess, postJson, type HttpChannelOptions } from "../http.js";
import type { Channel, DeliveryResult, Notification, WebhookTarget } from "../notification.js";

/** Header carrying the unix-seconds timestamp that is part of the signed string. */
export const WEBHOOK_TIMESTAMP_HEADER = "X-Liaowang-Timestamp";
/** Header carrying `sha256=<hex HMAC-SHA256(secret, timestamp + "." + body)>`. */
export const WEBHOOK_SIGNATURE_HEADER = "X-Liaowang-Signature";
/** Header carrying the notification's idempotency key; the same on every retry, so receivers can dedupe. */
export const IDEMPOTENCY_KEY_HEADER = "Idempotency-Key";

/** The JSON body a webhook receiver gets. `version` lets receivers evolve with us. */
export interface WebhookPayload {
  version: 1;
  notification: Notification;
}

/**
 * The signature header value for a webhook body: HMAC-SHA256 over `${timestamp}.${body}`.
 * @example signWebhookBody("s3cret", 1714543200, '{"version":1}') // "sha256=…64 hex…"
 */
export function signWebhookBody(secret: string, timestamp: number, body: string): string {
  return `sha256=${createHmac("sha256", secret).update(`${timestamp}.${body}`, "utf8").digest("hex")}`;
}

/** Why a receiver rejected a webhook delivery. */
export type WebhookVerifyFailure = "missing" | "stale" | "bad_signature";

/**
 * Receiver-side check (for integrators and our own tests): constant-time signature compare and a
 * timestamp tolerance against replays.
 * @example verifyWebhookSignature({ secret, timestamp: req.headers["x-liaowang-timestamp"], signature, body, now: Date.now() })
 */
export function verifyWebhookSignature(input: {
  secret: string;
  timestamp: string | undefined;
  signature: string | undefined;
  body: string;
  now: number;
  toleranceSeconds?: number;
}): { ok: true } | { ok: false; reason: WebhookVerifyFailure } {
  if (!input.timestamp || !input.signature || !/^\d+$/.test(input.timestamp)) return { ok: false, reason: "missing" };
  const timestamp = Number(input.timestamp);
  if (Math.abs(input.now / 1000 - timestamp) > (input.toleranceSeconds ?? 300)) return { ok: false, reason: "stale" };
  const expected = Buffer.from(signWebhookBody(input.secret, timestamp, input.body), "utf8");
  const given = Buffer.from(input.signature, "utf8");
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) return { ok: false, reason: "bad_signature" };
  return { ok: true };
}

/**
 * Generic webhook channel: signed JSON POST with an Idempotency-Key header.
 * @example await createWebhookChannel().send(notification, { channel: "webhook", url, secret })
 */
export function createWebhookChannel(options: HttpChannelOptions = {}): Channel<WebhookTarget> {
  const clock = options.clock ?? Date.now;
  return {
    kind: "webhook",
    async send(message: Notification, target: WebhookTarget): Promise<DeliveryResult> {
      const payload: WebhookPayload = { version: 1, notification: message };
      const body = JSON.stringify(payload);
      const timestamp = Math.floor(clock() / 1000);
      const reply = await postJson(
        target.url,
        body,
        {
          [WEBHOOK_TIMESTAMP_HEADER]: String(timestamp),
          [WEBHOOK_SIGNATURE_HEADER]: signWebhookBody(target.secret, timestamp, body),
          [IDEMPOTENCY_KEY_HEADER]: message.idempotencyKey,
        },
        options,
      );
      if (isDeliveryResult(reply)) return reply;
      if (!isSuccess(reply.status)) return httpFailure(reply, clock());
      const providerMessageId = reply.headers.get("x-request-id") ?? undefined;
      return { ok: true, retriable: false, status: reply.status, ...(providerMessageId ? { providerMessageId } : {}) };
    },
  };
}
