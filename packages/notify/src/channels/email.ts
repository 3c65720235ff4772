import { createHash } from "node:crypto";
import nodemailer, { type NodemailerError } from "nodemailer";
import type { SmtpConfig } from "../config.js";
import type { Channel, DeliveryResult, EmailTarget, Notification } from "../notification.js";
import { renderHtml, renderSubject, renderText } from "../render.js";

/** Options for the email channel. */
export interface EmailChannelOptions {
  /** Connection, greeting and idle-socket timeout. Default 10 s. */
  timeoutMs?: number;
}

// Codes that mean the connection failed before the server judged the message: worth another try.
const TRANSIENT_CODES = new Set(["ECONNECTION", "ETIMEDOUT", "ESOCKET", "EDNS", "ETLS", "EPROTOCOL", "EMAXLIMIT"]);

/**
 * A stable Message-ID per idempotency key, so a resent copy threads with (and can be deduplicated
 * against) the first one in mail clients and archives.
 */
export function emailMessageId(idempotencyKey: string, from: string): string {
  const domain = /@([^>\s]+)>?\s*$/.exec(from)?.[1] ?? "liaowang.invalid";
  return `<${createHash("sha256").update(idempotencyKey, "utf8").digest("hex").slice(0, 32)}@${domain}>`;
}

/** One nodemailer transport for the configured SMTP server; every timeout (connect, greeting, idle socket) bounded. */
export function smtpTransport(smtp: SmtpConfig, timeoutMs = 10_000): ReturnType<typeof nodemailer.createTransport> {
  return nodemailer.createTransport({
    host: smtp.host,
    port: smtp.port,
    secure: smtp.secure,
    requireTLS: !smtp.secure && smtp.requireTLS,
    ...(smtp.user !== undefined && smtp.pass !== undefined ? { auth: { user: smtp.user, pass: smtp.pass } } : {}),
    connectionTimeout: timeoutMs,
    greetingTimeout: timeoutMs,
    socketTimeout: timeoutMs,
  });
}

/**
 * Email via SMTP (nodemailer): zh-CN subject, plain text plus simple HTML, UTF-8.
 * @example await createEmailChannel(config.smtp).send(notification, { channel: "email", to: ["duty@example.gov.cn"] })
 */
export function createEmailChannel(smtp: SmtpConfig, options: EmailChannelOptions = {}): Channel<EmailTarget> {
  const transport = smtpTransport(smtp, options.timeoutMs);
  return {
    kind: "email",
    async send(message: Notification, target: EmailTarget): Promise<DeliveryResult> {
      try {
        const info = await transport.sendMail({
          from: smtp.from,
          to: target.to,
          subject: renderSubject(message),
          text: renderText(message),
          html: renderHtml(message),
          textEncoding: "base64",
          messageId: emailMessageId(message.idempotencyKey, smtp.from),
          headers: {
            "X-Liaowang-Idempotency-Key": message.idempotencyKey,
            "X-Liaowang-Alert-Id": message.alertId,
          },
        });
        const rejected = info.rejected.map(String);
        return {
          ok: true,
          retriable: false,
          status: 250,
          providerMessageId: info.messageId,
          ...(rejected.length > 0 ? { error: `some recipients were refused: ${rejected.length} of ${target.to.length}` } : {}),
        };
      } catch (error) {
        return emailFailure(error);
      }
    },
  };
}

function emailFailure(error: unknown): DeliveryResult {
  const err = error as NodemailerError;
  const reply = typeof err.responseCode === "number" ? err.responseCode : undefined;
  const code = typeof err.code === "string" ? err.code : undefined;
  // 4xx (and 503) replies are transient by RFC 5321; 5xx replies are final. Without a reply, only
  // connection-level failures are worth retrying: bad credentials or config stay bad.
  const retriable = reply !== undefined ? err.permanent === false || (reply >= 400 && reply < 500) : code !== undefined && TRANSIENT_CODES.has(code);
  const detail = err instanceof Error ? err.message : String(error);
  return {
    ok: false,
    retriable,
    ...(reply !== undefined ? { status: reply } : {}),
    error: `SMTP ${code ?? "error"}${reply !== undefined ? ` ${reply}` : ""}: ${detail.slice(0, 200)}`,
  };
}
