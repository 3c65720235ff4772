import type { IncomingMessage, ServerResponse } from "node:http";
import type { AlertingConfig } from "@liaowang/alerting";
import { LiaowangError } from "@liaowang/errors";
import type { AuditLog } from "@liaowang/auth";
import type { Logger } from "@liaowang/logger";
import { ackTokenId, formatBeijingTime, verifyAckToken } from "@liaowang/notify";
import type { Alert } from "@liaowang/schemas";
import type { Alerter } from "./alerter.js";
import type { AlertStore } from "./store/alerts.js";

/** What the acknowledge-link endpoint uses. */
export interface AckDeps {
  alerter: Pick<Alerter, "transition">;
  store: Pick<AlertStore, "get" | "ackLinkUsed" | "useAckLink">;
  alerting: AlertingConfig;
  ackSecrets: readonly string[];
  log: Logger;
  clock: () => Date;
  /** The security audit (hash-chained, shared with the API): link acknowledgements and refusals are recorded there too. */
  securityAudit?: Pick<AuditLog, "append"> | undefined;
}

/** The path of an acknowledge link with its token replaced: the token is a credential and never reaches a log. */
export function redactAckPath(url: string | undefined): string {
  const path = (url ?? "").split("?")[0] ?? "";
  return path.replace(/^\/ack\/.*$/, "/ack/[redacted]");
}

function escapeHtml(text: string): string {
  return text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");
}

function page(res: ServerResponse, status: number, title: string, inner: string): void {
  res.writeHead(status, {
    "content-type": "text/html; charset=utf-8",
    "cache-control": "no-store",
    "referrer-policy": "no-referrer",
    "x-frame-options": "DENY",
    "content-security-policy": "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
  });
  res.end(
    `<!doctype html><html lang="zh-CN"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1"><meta name="robots" content="noindex"><title>${title}</title></head>` +
      `<body style="font-family:sans-serif;max-width:34rem;margin:2rem auto;padding:0 1rem;line-height:1.6"><h1 style="font-size:1.3rem">${title}</h1>${inner}</body></html>`,
  );
}

const LEVEL_NAMES: Record<string, string> = { I: "I级（特别重大）", II: "II级（重大）", III: "III级（较大）", IV: "IV级（一般）" };

/** Who a link was signed for, as a person reads it: a person of the department, or the department's group. */
function signer(personId: string, alert: Alert, alerting: AlertingConfig): { allowed: boolean; name: string } {
  const department = alerting.departments.departments.find((d) => d.id === alert.department);
  if (!department) return { allowed: false, name: personId };
  if (personId === `dept:${department.id}`) return { allowed: true, name: `${department.name}（群组通知）` };
  const person = department.people.find((p) => p.id === personId);
  return person ? { allowed: true, name: `${person.name}（${department.name}）` } : { allowed: false, name: personId };
}

function sourceOf(req: IncomingMessage): string {
  return req.socket.remoteAddress ?? "unknown";
}

/**
 * `GET /ack/<token>` shows what confirming will do; `POST /ack/<token>` (the page's button) acknowledges. A link
 * works only for the alert's responsible department, only in the raising it was sent for, once, and until it
 * expires; a plain GET (a person, a link preview, a mail scanner) never changes anything.
 */
export async function handleAck(req: IncomingMessage, res: ServerResponse, token: string, deps: AckDeps): Promise<void> {
  if (req.method !== "GET" && req.method !== "POST") {
    res.writeHead(405, { allow: "GET, POST", "content-type": "text/plain; charset=utf-8" });
    res.end("method not allowed");
    return;
  }
  const now = deps.clock();
  const verified = verifyAckToken(token, deps.ackSecrets, now);
  if (!verified.ok) return page(res, 403, "链接无效或已过期", "<p>确认链接无效或已过期（链接有效期较短，且只能使用一次）。请使用最新通知中的链接，或登录值班台处理该预警。</p>");
  const { alertId, personId, raisedAt, expiresAt } = verified.claims;
  const stored = await deps.store.get(alertId);
  if (!stored) return page(res, 404, "预警不存在", "<p>该预警不存在或已被删除。</p>");
  const alert = stored.value;
  const title = escapeHtml(alert.title);
  const who = signer(personId, alert, deps.alerting);
  if (!who.allowed) {
    deps.log.warn({ alertId, personId }, "acknowledge link refused: not the responsible department");
    await deps.securityAudit?.append({ actor: `link:${personId}`, action: "alert.acknowledge_link", outcome: "denied", source: sourceOf(req), target: alertId, details: { reason: "not the responsible department" } });
    return page(res, 403, "无权确认", `<p>${title}</p><p>该预警由责任部门确认处置，此链接无权确认。请登录值班台查看。</p>`);
  }
  if (raisedAt !== alert.raisedAt) {
    return page(res, 410, "链接已失效", `<p>${title}</p><p>该预警已重新发出，旧通知中的确认链接不再有效。请使用最新通知中的链接，或登录值班台处理。</p>`);
  }
  const id = ackTokenId(token);
  if (await deps.store.ackLinkUsed(id)) return page(res, 410, "链接已使用", `<p>${title}</p><p>此确认链接已使用过，每个链接只能使用一次。</p>`);
  if (alert.state !== "new") return page(res, 200, "该预警已确认", `<p>${title}</p><p>当前状态已不是待确认，无需重复操作。</p>`);

  if (req.method === "GET") {
    const level = alert.level ? (LEVEL_NAMES[alert.level] ?? alert.level) : "未定级";
    return page(
      res,
      200,
      "确认收到预警",
      `<p><strong>${title}</strong></p><p>级别：${escapeHtml(level)}　责任部门：${escapeHtml(alert.departmentName)}</p>` +
        `<p>点击“确认收到”后，该预警将转为“研判中”，对本部门的未确认升级提醒随即停止；确认人记为：${escapeHtml(who.name)}，并记入审计。</p>` +
        `<p>此链接只能使用一次，有效期至 ${escapeHtml(formatBeijingTime(expiresAt.toISOString()))}（北京时间）。打开本页面不会改变任何状态。</p>` +
        `<form method="post"><button type="submit" style="font-size:1.1rem;padding:.5rem 1.5rem">确认收到</button></form>`,
    );
  }

  // The button posts from this same page; a cross-site form post is not a person confirming here.
  if (req.headers["sec-fetch-site"] === "cross-site") return page(res, 403, "请求被拒绝", "<p>请在确认页面上点击“确认收到”。</p>");
  const source = sourceOf(req);
  // Written ahead like every audited API request: the attempt is on record before the link is spent or the alert
  // changes, and when it cannot be written nothing happens (503).
  let attempt: number | undefined;
  if (deps.securityAudit) {
    try {
      attempt = (await deps.securityAudit.append({ actor: `link:${personId}`, action: "alert.acknowledge_link", outcome: "attempted", source, target: alertId })).seq;
    } catch (error) {
      deps.log.error({ err: error, alertId }, "security audit write failed: acknowledge link refused");
      return page(res, 503, "暂时无法确认", `<p>${title}</p><p>审计记录暂时无法写入，为保证每次确认都有记录，本次未执行确认，链接仍可使用。请稍后重试，或登录值班台处理。</p>`);
    }
  }
  const outcome = async (result: "ok" | "failed", details: Record<string, unknown>): Promise<void> => {
    try {
      await deps.securityAudit?.append({ actor: `link:${personId}`, action: "alert.acknowledge_link", outcome: result, source, target: alertId, details: { ...details, ...(attempt !== undefined ? { attempt } : {}) } });
    } catch (error) {
      // The attempt is on record; the answer still goes out.
      deps.log.error({ err: error, alertId, attempt }, "security audit write of an acknowledge-link outcome failed");
    }
  };
  if (!(await deps.store.useAckLink(id, { alertId, personId, at: now.toISOString(), source }))) {
    await outcome("failed", { status: 410, reason: "link already used" });
    return page(res, 410, "链接已使用", `<p>${title}</p><p>此确认链接已使用过，每个链接只能使用一次。</p>`);
  }
  try {
    await deps.alerter.transition(alertId, { type: "acknowledge", actor: `link:${personId}`, note: `通过确认链接确认（来源 ${source}）`, expectRaisedAt: raisedAt });
  } catch (error) {
    // Someone acknowledged, or the alert was re-raised, between the read and the write.
    if (error instanceof LiaowangError && error.code === "conflict") {
      await outcome("failed", { status: 409, reason: "alert changed meanwhile" });
      return page(res, 409, "未能确认", `<p>${title}</p><p>该预警的状态已变化（已被确认或重新发出），请登录值班台查看。</p>`);
    }
    await outcome("failed", { status: 500, reason: error instanceof Error ? error.message.slice(0, 200) : "error" });
    throw error;
  }
  deps.log.info({ alertId, personId }, "acknowledged by link");
  await outcome("ok", { status: 200 });
  page(res, 200, "已确认", `<p>${title}</p><p>已记录确认，请尽快研判处置。</p>`);
}
