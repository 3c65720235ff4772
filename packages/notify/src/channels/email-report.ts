import type { SmtpConfig } from "../config.js";
import { emailMessageId, smtpTransport } from "./email.js";

/** A report mailed as it is (not an alert notification): subject, bodies, attachments. */
export interface ReportEmail {
  to: readonly string[];
  subject: string;
  text: string;
  html: string;
  attachments?: { filename: string; content: Buffer; contentType: string }[];
  /** One report per key: also the stable Message-ID, so a resent copy threads with the first. */
  idempotencyKey: string;
}

/**
 * Send reports (the daily brief) through the same SMTP settings as the email channel.
 * @example await createReportMailer(config.smtp).send({ to: ["office@example.gov.cn"], subject: "…", text, html, idempotencyKey: "brief:office:2024-05-01" })
 */
export function createReportMailer(smtp: SmtpConfig, options: { timeoutMs?: number } = {}): { send(report: ReportEmail): Promise<{ messageId: string; rejected: string[] }> } {
  const transport = smtpTransport(smtp, options.timeoutMs);
  return {
    async send(report) {
      const info = await transport.sendMail({
        from: smtp.from,
        to: [...report.to],
        subject: report.subject,
        text: report.text,
        html: report.html,
        textEncoding: "base64",
        messageId: emailMessageId(report.idempotencyKey, smtp.from),
        headers: { "X-Liaowang-Idempotency-Key": report.idempotencyKey },
        attachments: (report.attachments ?? []).map((a) => ({ filename: a.filename, content: a.content, contentType: a.contentType })),
      });
      return { messageId: info.messageId, rejected: info.rejected.map(String) };
    },
  };
}
