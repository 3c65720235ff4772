import { z } from "zod";

/** Official grade of a 突发事件 (I 特别重大 … IV 一般); null while not yet graded. */
export const Level = z.enum(["I", "II", "III", "IV"]);
export type Level = z.infer<typeof Level>;

/** Why a notification is sent: a new alert, a reminder, an escalation, a grade change, or a merged digest. */
export const NotificationKind = z.enum(["new", "reminder", "escalation", "regrade", "digest"]);
export type NotificationKind = z.infer<typeof NotificationKind>;

/** The vendors a notification can go out through; one file per vendor under `channels/`. */
export const ChannelKind = z.enum(["webhook", "wecom", "dingtalk", "email", "sms"]);
export type ChannelKind = z.infer<typeof ChannelKind>;

const isoDateTime = z.iso.datetime({ offset: true });

/** One statutory clock shown in a notification, e.g. `{ label: "权威信息发布", dueAt: "2024-05-01T06:00:00Z" }`. */
export const DeadlineSummary = z.object({
  label: z.string().min(1).max(100),
  // Absolute instants, not countdowns: an outbox may deliver minutes late and a countdown would then lie.
  dueAt: isoDateTime,
});
export type DeadlineSummary = z.infer<typeof DeadlineSummary>;

/** One alert listed inside a digest notification. */
export const DigestItem = z.object({
  idempotencyKey: z.string().min(1),
  alertId: z.string().min(1),
  incidentId: z.string().min(1),
  level: Level.nullable(),
  kind: NotificationKind,
  title: z.string().min(1),
  department: z.string(),
  /** Only for recipients who may act on the alert (its responsible department). */
  ackUrl: z.url().optional(),
});
export type DigestItem = z.infer<typeof DigestItem>;

/**
 * What the alerter hands to a channel: zh-CN title and markdown-ish body lines, a signed acknowledge link
 * (responsible department only), and an idempotency key that stays the same across retries and restarts.
 */
export const Notification = z.object({
  idempotencyKey: z.string().min(1).max(300),
  alertId: z.string().min(1),
  incidentId: z.string().min(1),
  level: Level.nullable(),
  title: z.string().min(1),
  body: z.array(z.string()),
  deadlines: z.array(DeadlineSummary),
  // Optional since co-notified departments (宣传、网信、公安、通信管理) and parents only watch: their messages carry
  // no acknowledge link, so reading a group or a forwarded mail cannot silence the responsible department's escalation.
  ackUrl: z.url().optional(),
  department: z.string(),
  kind: NotificationKind,
  // Only digests carry items: the alerts merged into this one message (the top-level alert is the most urgent).
  items: z.array(DigestItem).optional(),
});
export type Notification = z.infer<typeof Notification>;

/** The outcome of one delivery attempt; `retriable` tells the outbox whether to back off and try again. */
export interface DeliveryResult {
  ok: boolean;
  retriable: boolean;
  /** HTTP status, SMTP reply code or vendor errcode, whichever explains the outcome best. */
  status?: number;
  error?: string;
  providerMessageId?: string;
  /** The peer asked us to wait at least this long (Retry-After, DingTalk's 10-minute mute). */
  retryAfterMs?: number;
}

/** A generic HTTPS webhook: JSON POST signed with HMAC-SHA256. */
export interface WebhookTarget {
  channel: "webhook";
  url: string;
  secret: string;
}

/** A WeCom (企业微信) group robot, addressed by its full webhook URL (which embeds the robot key). */
export interface WecomTarget {
  channel: "wecom";
  url: string;
}

/** A DingTalk (钉钉) custom robot with 加签; `url` carries the access_token, `secret` is the SEC… string. */
export interface DingtalkTarget {
  channel: "dingtalk";
  url: string;
  secret: string;
}

/** One or more mailboxes, sent through the configured SMTP server. */
export interface EmailTarget {
  channel: "email";
  to: string[];
}

/** One or more mobile numbers, sent through the configured SMS HTTP gateway. */
export interface SmsTarget {
  channel: "sms";
  to: string[];
}

/** Where a notification goes; resolved from config at send time so secrets never sit in the outbox. */
export type ChannelTarget = WebhookTarget | WecomTarget | DingtalkTarget | EmailTarget | SmsTarget;

/**
 * A notification channel: one implementation per vendor.
 * @example const result = await createWecomChannel().send(notification, { channel: "wecom", url });
 */
export interface Channel<T extends ChannelTarget = ChannelTarget> {
  readonly kind: T["channel"];
  send(message: Notification, target: T): Promise<DeliveryResult>;
}

/** Numeric rank for "most urgent first": I < II < III < IV < ungraded. */
export function levelRank(level: Level | null): number {
  switch (level) {
    case "I":
      return 0;
    case "II":
      return 1;
    case "III":
      return 2;
    case "IV":
      return 3;
    case null:
      return 4;
  }
}
