import { createHmac } from "node:crypto";
import { isDeliveryResult, postJson, type HttpChannelOptions } from "../http.js";
import type { Channel, DeliveryResult, DingtalkTarget, Notification } from "../notification.js";
import { renderMarkdown, renderSubject } from "../render.js";
import { robotResult, type ErrcodeRule } from "./robot-reply.js";

/** Kept well under DingTalk's message size limit (about 20 000 bytes). */
export const DINGTALK_MARKDOWN_MAX_BYTES = 16_000;

/** DingTalk mutes a robot for 10 minutes once it exceeds 20 messages a minute. */
export const DINGTALK_MUTE_MS = 10 * 60_000;

const DINGTALK_ERRCODES: Record<number, ErrcodeRule> = {
  [-1]: { retriable: true }, // 系统繁忙
  130101: { retriable: true, retryAfterMs: DINGTALK_MUTE_MS }, // send too fast, exceed 20 times per minute
  // 310000 (sign/keyword/IP mismatch), 300001 (token missing), 90030 (quota used up) need a human: not retriable.
};

/**
 * The 加签 signature, before URL-encoding: base64(HmacSHA256(key = secret, msg = `${timestamp}\n${secret}`)).
 * @example dingtalkSign("SECxxx", 1700000000000) // "…base64…"
 */
export function dingtalkSign(secret: string, timestampMs: number): string {
  return createHmac("sha256", secret).update(`${timestampMs}\n${secret}`, "utf8").digest("base64");
}

/**
 * The robot URL with `timestamp` (ms) and the URL-encoded `sign` appended; DingTalk rejects a
 * timestamp more than an hour off, so sign at send time.
 */
export function dingtalkSignedUrl(robotUrl: string, secret: string, timestampMs: number): string {
  const url = new URL(robotUrl);
  // URLSearchParams encodes "+", "/" and "=" as %2B, %2F, %3D: the urlEncode DingTalk expects.
  url.searchParams.set("timestamp", String(timestampMs));
  url.searchParams.set("sign", dingtalkSign(secret, timestampMs));
  return url.toString();
}

/** The JSON body of a DingTalk robot markdown message (title is what the chat list shows). */
export function dingtalkBody(message: Notification): { msgtype: "markdown"; markdown: { title: string; text: string } } {
  return {
    msgtype: "markdown",
    markdown: {
      title: renderSubject(message),
      // DingTalk only breaks lines at paragraph boundaries, so lines are separated by a blank line.
      text: renderMarkdown(message, { maxBytes: DINGTALK_MARKDOWN_MAX_BYTES, lineBreak: "\n\n" }),
    },
  };
}

/**
 * DingTalk (钉钉) custom robot with 加签; errcode 130101 (send too fast) is retriable after the mute.
 * @example await createDingtalkChannel().send(notification, { channel: "dingtalk", url, secret })
 */
export function createDingtalkChannel(options: HttpChannelOptions = {}): Channel<DingtalkTarget> {
  const clock = options.clock ?? Date.now;
  return {
    kind: "dingtalk",
    async send(message: Notification, target: DingtalkTarget): Promise<DeliveryResult> {
      const now = clock();
      const reply = await postJson(dingtalkSignedUrl(target.url, target.secret, now), JSON.stringify(dingtalkBody(message)), {}, options);
      if (isDeliveryResult(reply)) return reply;
      return robotResult(reply, clock(), "DingTalk", DINGTALK_ERRCODES);
    },
  };
}
