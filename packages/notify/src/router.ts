import { createHash } from "node:crypto";
import { createDingtalkChannel } from "./channels/dingtalk.js";
import { createEmailChannel } from "./channels/email.js";
import { createSmsChannel } from "./channels/sms.js";
import { createWebhookChannel } from "./channels/webhook.js";
import { createWecomChannel, wecomRobotUrl } from "./channels/wecom.js";
import type { NotifyConfig, RateLimitConfig, TargetConfig } from "./config.js";
import type { FetchLike } from "./http.js";
import type { Channel, ChannelKind, ChannelTarget, DeliveryResult, Notification } from "./notification.js";

/** A resolved target: how to send to it and what rate budget it has. */
export interface DeliveryRoute {
  /** Key of the target's rate window; derived from the address, so one robot configured under two ids shares one budget. */
  rateKey: string;
  rateLimit: RateLimitConfig | null;
  send(message: Notification): Promise<DeliveryResult>;
}

/** Resolves an outbox entry's (channel, targetId) to a route at send time; undefined when no longer configured. */
export interface ChannelRouter {
  route(channel: ChannelKind, targetId: string): DeliveryRoute | undefined;
}

/** Options for `createChannelRouter`. */
export interface RouterOptions {
  fetch?: FetchLike;
  /** Epoch ms for signature timestamps. Default `Date.now`. */
  clock?: () => number;
  /**
   * Targets not named in config, e.g. a person's mailbox or phone looked up from the directory by
   * person id. Consulted only when config has no target of that id.
   */
  resolveExtra?: (channel: ChannelKind, targetId: string) => ChannelTarget | undefined;
}

/** A configured target as a ChannelTarget (a WeCom key becomes its webhook URL). */
export function targetFromConfig(target: TargetConfig): ChannelTarget {
  switch (target.channel) {
    case "webhook":
      return { channel: "webhook", url: target.url, secret: target.secret };
    case "wecom":
      return { channel: "wecom", url: target.url ?? wecomRobotUrl(target.key ?? "") };
    case "dingtalk":
      return { channel: "dingtalk", url: target.url, secret: target.secret };
    case "email":
      return { channel: "email", to: target.to };
    case "sms":
      return { channel: "sms", to: target.to };
  }
}

function address(target: ChannelTarget): string {
  switch (target.channel) {
    case "webhook":
    case "wecom":
    case "dingtalk":
      return target.url;
    case "email":
    case "sms":
      return [...target.to].sort().join(",");
  }
}

/** The rate-window key of a target: channel plus a hash of its address (addresses hold secrets). */
export function rateKeyOf(target: ChannelTarget): string {
  return `${target.channel}:${createHash("sha256").update(address(target), "utf8").digest("hex").slice(0, 32)}`;
}

type Channels = { [K in ChannelKind]?: Channel<Extract<ChannelTarget, { channel: K }>> };

function sendVia(channels: Channels, target: ChannelTarget, message: Notification): Promise<DeliveryResult> | undefined {
  switch (target.channel) {
    case "webhook":
      return channels.webhook?.send(message, target);
    case "wecom":
      return channels.wecom?.send(message, target);
    case "dingtalk":
      return channels.dingtalk?.send(message, target);
    case "email":
      return channels.email?.send(message, target);
    case "sms":
      return channels.sms?.send(message, target);
  }
}

/**
 * Build every channel the config enables and resolve target ids against `config.targets`.
 * @example const router = createChannelRouter(NotifyConfig.parse(raw)); await dispatch(store, router, new Date(), { owner })
 */
export function createChannelRouter(config: NotifyConfig, options: RouterOptions = {}): ChannelRouter {
  const http = { timeoutMs: config.timeoutMs, ...(options.fetch ? { fetch: options.fetch } : {}), ...(options.clock ? { clock: options.clock } : {}) };
  const channels: Channels = {
    webhook: createWebhookChannel(http),
    wecom: createWecomChannel(http),
    dingtalk: createDingtalkChannel(http),
    ...(config.smtp ? { email: createEmailChannel(config.smtp, { timeoutMs: config.timeoutMs }) } : {}),
    ...(config.sms ? { sms: createSmsChannel(config.sms, http) } : {}),
  };
  return {
    route(channel, targetId) {
      const configured = Object.hasOwn(config.targets, targetId) ? config.targets[targetId] : undefined;
      const target = configured ? targetFromConfig(configured) : options.resolveExtra?.(channel, targetId);
      if (!target || target.channel !== channel || !channels[channel]) return undefined;
      return {
        rateKey: rateKeyOf(target),
        rateLimit: configured?.rateLimit ?? config.rateLimits[channel] ?? null,
        send: (message) => sendVia(channels, target, message) ?? Promise.resolve({ ok: false, retriable: false, error: `channel ${channel} is not configured` }),
      };
    },
  };
}
