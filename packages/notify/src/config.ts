import { z } from "zod";

const httpUrl = z.url({ protocol: /^https?$/ });

/** A sliding-window budget: at most `limit` requests per `windowMs`. */
export const RateLimitConfig = z.object({
  limit: z.number().int().positive(),
  windowMs: z.number().int().positive(),
});
export type RateLimitConfig = z.infer<typeof RateLimitConfig>;

/** Robots accept about 20 messages a minute; 18 leaves margin for clock skew and other senders. */
export const DEFAULT_ROBOT_RATE_LIMIT: RateLimitConfig = { limit: 18, windowMs: 60_000 };

/** A generic webhook subscriber: URL and the HMAC secret it verifies signatures with. */
export const WebhookTargetConfig = z.object({
  channel: z.literal("webhook"),
  url: httpUrl,
  secret: z.string().min(16, "webhook secret must be at least 16 characters"),
  rateLimit: RateLimitConfig.optional(),
});

/** A WeCom group robot: either its key or its full webhook URL. */
export const WecomTargetConfig = z
  .object({
    channel: z.literal("wecom"),
    key: z.string().min(1).optional(),
    url: httpUrl.optional(),
    rateLimit: RateLimitConfig.optional(),
  })
  .refine((t) => (t.key === undefined) !== (t.url === undefined), "give exactly one of key or url for a WeCom robot");

/** A DingTalk robot with 加签: webhook URL (with access_token) and the SEC… secret. */
export const DingtalkTargetConfig = z.object({
  channel: z.literal("dingtalk"),
  url: httpUrl,
  secret: z.string().startsWith("SEC", "DingTalk 加签 secret starts with SEC"),
  rateLimit: RateLimitConfig.optional(),
});

/** Mailboxes reached through the `smtp` settings. */
export const EmailTargetConfig = z.object({
  channel: z.literal("email"),
  to: z.array(z.email()).min(1),
  rateLimit: RateLimitConfig.optional(),
});

/** Mobile numbers reached through the `sms` gateway. */
export const SmsTargetConfig = z.object({
  channel: z.literal("sms"),
  to: z.array(z.string().regex(/^\+?\d{6,15}$/, "expected a phone number of digits, optionally with a leading +")).min(1),
  rateLimit: RateLimitConfig.optional(),
});

/** One named notification target; the outbox stores only its id, never its secrets. */
export const TargetConfig = z.discriminatedUnion("channel", [
  WebhookTargetConfig,
  WecomTargetConfig,
  DingtalkTargetConfig,
  EmailTargetConfig,
  SmsTargetConfig,
]);
export type TargetConfig = z.infer<typeof TargetConfig>;

/** SMTP server settings for the email channel. */
export const SmtpConfig = z
  .object({
    host: z.string().min(1),
    port: z.number().int().min(1).max(65_535).default(465),
    /** Implicit TLS (port 465). With false, STARTTLS is required unless `requireTLS` is set to false explicitly. */
    secure: z.boolean().default(true),
    requireTLS: z.boolean().default(true),
    user: z.string().min(1).optional(),
    pass: z.string().min(1).optional(),
    from: z.string().min(3),
  })
  .refine((s) => (s.user === undefined) === (s.pass === undefined), "give both smtp user and pass, or neither");
export type SmtpConfig = z.infer<typeof SmtpConfig>;

/** A generic SMS HTTP gateway: JSON POST `{ to, text, idempotencyKey }` with a bearer token. */
export const SmsGatewayConfig = z.object({
  url: httpUrl,
  token: z.string().min(1),
  /** The registered 签名 prepended to every text, e.g. "【瞭望】"; empty when the gateway adds it. */
  signName: z.string().default(""),
  maxSegments: z.number().int().min(1).max(10).default(3),
});
export type SmsGatewayConfig = z.infer<typeof SmsGatewayConfig>;

/**
 * All notification settings: named targets plus the shared SMTP server and SMS gateway.
 * @example NotifyConfig.parse({ targets: { "propaganda-wecom": { channel: "wecom", key: "…" } } })
 */
export const NotifyConfig = z
  .object({
    timeoutMs: z.number().int().positive().default(10_000),
    smtp: SmtpConfig.optional(),
    sms: SmsGatewayConfig.optional(),
    targets: z.record(z.string().regex(/^[A-Za-z0-9._:-]{1,200}$/, "target ids are letters, digits and . _ : -"), TargetConfig).default({}),
    /** Per-channel defaults; a target's own `rateLimit` wins. Robots default to 18 per minute. */
    rateLimits: z
      .object({
        webhook: RateLimitConfig.optional(),
        wecom: RateLimitConfig.default(DEFAULT_ROBOT_RATE_LIMIT),
        dingtalk: RateLimitConfig.default(DEFAULT_ROBOT_RATE_LIMIT),
        email: RateLimitConfig.optional(),
        sms: RateLimitConfig.optional(),
      })
      .prefault({}),
  })
  .superRefine((config, ctx) => {
    for (const [id, target] of Object.entries(config.targets)) {
      if (target.channel === "email" && !config.smtp) ctx.addIssue({ code: "custom", path: ["targets", id], message: `email target "${id}" needs smtp settings` });
      if (target.channel === "sms" && !config.sms) ctx.addIssue({ code: "custom", path: ["targets", id], message: `sms target "${id}" needs sms gateway settings` });
    }
  });
export type NotifyConfigInput = z.input<typeof NotifyConfig>;
export type NotifyConfig = z.output<typeof NotifyConfig>;

const SECRET_FIELDS = [
  "smtp.user",
  "smtp.pass",
  "sms.token",
  "sms.url",
  "targets.*.secret",
  "targets.*.url",
  "targets.*.key",
  "targets.*.to",
  // A resolved ChannelTarget logged under `target`.
  "target.url",
  "target.secret",
  "target.to",
];

/**
 * pino redaction paths for notify config and targets, at the top level and one level down
 * (e.g. `notify.smtp.pass`). Robot URLs count as secrets: WeCom keys and DingTalk tokens live in them.
 * @example createLogger({ service: "alerter", extraRedact: notifyRedactPaths })
 */
export const notifyRedactPaths: string[] = [...SECRET_FIELDS, ...SECRET_FIELDS.map((p) => `*.${p}`)];
