import { isDeliveryResult, postJson, type HttpChannelOptions } from "../http.js";
import type { Channel, DeliveryResult, Notification, WecomTarget } from "../notification.js";
import { renderMarkdown } from "../render.js";
import { robotResult, type ErrcodeRule } from "./robot-reply.js";

/** WeCom robot markdown content is limited to 4096 bytes of UTF-8. */
export const WECOM_MARKDOWN_MAX_BYTES = 4096;

/** Where a robot key points when only the key is configured. */
export const WECOM_WEBHOOK_BASE = "https://qyapi.weixin.qq.com/cgi-bin/webhook/send";

const WECOM_ERRCODES: Record<number, ErrcodeRule> = {
  [-1]: { retriable: true }, // 系统繁忙
  45009: { retriable: true, retryAfterMs: 60_000 }, // api freq out of limit: 20 messages/minute per robot
  45033: { retriable: true }, // api concurrent out of limit
};

/**
 * The robot webhook URL for a key.
 * @example wecomRobotUrl("693a91f6-…") === "https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=693a91f6-…"
 */
export function wecomRobotUrl(key: string): string {
  const url = new URL(WECOM_WEBHOOK_BASE);
  url.searchParams.set("key", key);
  return url.toString();
}

/** The JSON body of a WeCom robot markdown message. */
export function wecomBody(message: Notification): { msgtype: "markdown"; markdown: { content: string } } {
  return { msgtype: "markdown", markdown: { content: renderMarkdown(message, { maxBytes: WECOM_MARKDOWN_MAX_BYTES, lineBreak: "\n" }) } };
}

/**
 * WeCom (企业微信) group robot channel; errcode ≠ 0 is a failure, 45009 (rate limit) is retriable.
 * @example await createWecomChannel().send(notification, { channel: "wecom", url: wecomRobotUrl(key) })
 */
export function createWecomChannel(options: HttpChannelOptions = {}): Channel<WecomTarget> {
  const clock = options.clock ?? Date.now;
  return {
    kind: "wecom",
    async send(message: Notification, target: WecomTarget): Promise<DeliveryResult> {
      const reply = await postJson(target.url, JSON.stringify(wecomBody(message)), {}, options);
      if (isDeliveryResult(reply)) return reply;
      return robotResult(reply, clock(), "WeCom", WECOM_ERRCODES);
    },
  };
}
