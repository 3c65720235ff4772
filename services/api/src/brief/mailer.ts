import { existsSync, readFileSync } from "node:fs";
import { schedule } from "node-cron";
import { parse as parseYaml } from "yaml";
import { briefDateBefore } from "@liaowang/alerting";
import { formatIssues, interpolateEnv, type Env } from "@liaowang/config";
import type { Client } from "@liaowang/es";
import { describeError, invalidInput } from "@liaowang/errors";
import type { Logger } from "@liaowang/logger";
import { createReportMailer, SmtpConfig, type ReportEmail } from "@liaowang/notify";
import type { DepartmentsConfig } from "@liaowang/alerting";
import { buildBrief, type BriefSettings } from "../routes/brief.js";
import type { BriefConfig } from "./config.js";
import { AUDIT_TITLE, auditLines, linkBrief, type LinkedBrief, type LinkedLine } from "./links.js";
import { renderBriefPdf } from "./pdf.js";

/**
 * The `smtp` settings of config/notify.yaml (only that section is read and `${VAR}`-interpolated, so the api needs
 * the SMTP password and none of the robots' secrets); undefined when the file or the section is absent.
 */
export function readSmtp(notifyFile: string, env: Env): SmtpConfig | undefined {
  if (!existsSync(notifyFile)) return undefined;
  const data = parseYaml(readFileSync(notifyFile, "utf8")) as { smtp?: unknown } | null;
  if (!data?.smtp) return undefined;
  const smtp = interpolateEnv(data.smtp, env, notifyFile);
  const parsed = SmtpConfig.safeParse(smtp);
  if (!parsed.success) throw invalidInput(`Invalid smtp settings in ${notifyFile}:\n${formatIssues(parsed.error.issues, smtp, "  ")}`);
  return parsed.data;
}

const ESC: Record<string, string> = { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" };
const esc = (text: string) => text.replace(/[&<>"']/g, (c) => ESC[c] ?? c);

/** The brief as an email: HTML with every reference a link, plain text with the URLs. */
export function briefEmail(brief: LinkedBrief): { subject: string; html: string; text: string } {
  const htmlLine = (l: LinkedLine) =>
    `<li style="margin:4px 0${l.tone === "alarm" ? ";color:#b3261e" : l.tone === "warn" ? ";color:#9a5b00" : ""}">${esc(l.text)}<br><small>依据：${l.refs.map((r) => `<a href="${esc(r.href)}">${esc(r.label)}</a>`).join("、")}</small></li>`;
  const textLine = (l: LinkedLine) => `- ${l.text}\n${l.refs.map((r) => `    ${r.label}: ${r.href}`).join("\n")}`;
  const blocks = [{ title: "概要", lines: brief.summary, empty: "" }, ...brief.sections];
  const html = `<!doctype html><html lang="zh-CN"><body style="font-family:sans-serif;color:#1a1a1a">
<h1 style="font-size:20px">${esc(brief.title)}</h1>
${blocks.map((b) => `<h2 style="font-size:16px;border-bottom:1px solid #ccc">${esc(b.title)}</h2>${b.lines.length ? `<ul>${b.lines.map(htmlLine).join("")}</ul>` : `<p style="color:#666">${esc(b.empty)}</p>`}`).join("\n")}
<h2 style="font-size:16px;border-bottom:1px solid #ccc">${AUDIT_TITLE}</h2><p style="color:#666;font-size:12px;word-break:break-all">${auditLines(brief).map(esc).join("<br>")}</p>
<p style="color:#666">完整日报见附件 PDF；每条信息后的链接打开其依据（事件、原文或检索）。</p></body></html>`;
  const text = [brief.title, "", ...blocks.flatMap((b) => [b.title, ...(b.lines.length ? b.lines.map(textLine) : [b.empty]), ""]), AUDIT_TITLE, ...auditLines(brief)].join("\n");
  return { subject: `【瞭望】${brief.title}`, html, text };
}

/** Claims of sent briefs: one document per brief key, created before sending so replicas and reruns send once. */
export function briefSendsIndex(prefix: string): string {
  return `${prefix}brief-sends`;
}

/** A claim whose sender died mid-send is taken over after this long. */
const STALE_CLAIM_MS = 15 * 60_000;

interface Claim {
  key: string;
  date: string;
  department: string | null;
  to: string[];
  claimedAt: string;
  sentAt: string | null;
  messageId: string | null;
}

/**
 * Sends the previous day's brief to the configured recipients, once per brief and day across runs, restarts and
 * replicas (a create-only claim document in Elasticsearch); a failed send releases its claim so the next run retries.
 */
export class BriefMailer {
  private readonly index: string;

  constructor(
    private readonly deps: { es: Client; indexPrefix: string; departments: DepartmentsConfig | undefined; log: Logger },
    private readonly settings: BriefSettings,
    private readonly config: BriefConfig,
    private readonly mailer: { send(report: ReportEmail): Promise<{ messageId: string; rejected: string[] }> },
  ) {
    this.index = briefSendsIndex(deps.indexPrefix);
  }

  /** Build from SMTP settings. */
  static create(deps: BriefMailer["deps"], settings: BriefSettings, config: BriefConfig, smtp: SmtpConfig): BriefMailer {
    return new BriefMailer(deps, settings, config, createReportMailer(smtp));
  }

  private async ensureIndex(): Promise<void> {
    if (await this.deps.es.indices.exists({ index: this.index })) return;
    await this.deps.es.indices
      .create({ index: this.index, mappings: { dynamic: false, properties: { key: { type: "keyword" }, date: { type: "keyword" }, department: { type: "keyword" }, claimedAt: { type: "date" }, sentAt: { type: "date" } } } })
      .catch((error: unknown) => {
        // another replica created it first
        if (!describeError(error).includes("resource_already_exists_exception")) throw error;
      });
  }

  /** Take the claim for a key; false when another run holds it or already sent it. */
  private async claim(claim: Claim, now: Date): Promise<boolean> {
    try {
      await this.deps.es.create({ index: this.index, id: claim.key, document: claim, refresh: "wait_for" });
      return true;
    } catch (error) {
      if ((error as { meta?: { statusCode?: number } }).meta?.statusCode !== 409) throw error;
    }
    const existing = await this.deps.es.get<Claim>({ index: this.index, id: claim.key }, { ignore: [404] });
    const held = existing._source;
    if (!existing.found || !held || held.sentAt !== null || now.getTime() - Date.parse(held.claimedAt) < STALE_CLAIM_MS) return false;
    // A sender that died mid-send: take over with compare-and-set, so only one taker wins.
    try {
      await this.deps.es.index({ index: this.index, id: claim.key, document: claim, if_seq_no: existing._seq_no, if_primary_term: existing._primary_term, refresh: "wait_for" });
      return true;
    } catch (error) {
      if ((error as { meta?: { statusCode?: number } }).meta?.statusCode === 409) return false;
      throw error;
    }
  }

  /** Send every configured brief for the day before `now`; returns the keys sent and those that failed. */
  async runOnce(now: Date): Promise<{ sent: string[]; failed: string[] }> {
    if (this.config.recipients.length === 0) return { sent: [], failed: [] };
    await this.ensureIndex();
    const date = briefDateBefore(now, this.settings.timeZone);
    const sent: string[] = [];
    const failed: string[] = [];
    for (const recipient of this.config.recipients) {
      const key = `brief:${recipient.department ?? "office"}:${date}`;
      const log = this.deps.log.child({ brief: key });
      const claim: Claim = { key, date, department: recipient.department ?? null, to: [...recipient.to], claimedAt: now.toISOString(), sentAt: null, messageId: null };
      if (!(await this.claim(claim, now))) continue;
      try {
        const brief = linkBrief(await buildBrief(this.deps, this.settings, { date, department: recipient.department }, now), this.settings.publicUrl);
        const pdf = await renderBriefPdf(brief, { fontPath: this.settings.fontPath });
        const mail = briefEmail(brief);
        const result = await this.mailer.send({ ...mail, to: recipient.to, idempotencyKey: key, attachments: [{ filename: `${brief.title}.pdf`, content: pdf, contentType: "application/pdf" }] });
        await this.deps.es.index({ index: this.index, id: key, document: { ...claim, sentAt: new Date().toISOString(), messageId: result.messageId }, refresh: "wait_for" });
        if (result.rejected.length > 0) log.warn({ rejected: result.rejected.length }, "some brief recipients were refused by the SMTP server");
        log.info({ to: recipient.to.length }, "daily brief sent");
        sent.push(key);
      } catch (error) {
        log.error({ err: error }, `daily brief ${key} not sent: ${describeError(error)}; retried later`);
        failed.push(key);
        await this.deps.es.delete({ index: this.index, id: key, refresh: "wait_for" }, { ignore: [404] }).catch(() => undefined);
      }
    }
    return { sent, failed };
  }

  /**
   * Run on the configured schedule; a run with failures is retried every `retryMs` (up to `retries` times) the
   * same day, and the claims keep every retry and replica from sending a brief twice.
   */
  start(clock: () => Date, options: { retryMs?: number; retries?: number } = {}): { stop(): Promise<void> } {
    const retryMs = options.retryMs ?? 10 * 60_000;
    const retries = options.retries ?? 12;
    let timer: NodeJS.Timeout | undefined;
    const attempt = async (left: number) => {
      try {
        const { failed } = await this.runOnce(clock());
        if (failed.length === 0 || left <= 0) return;
      } catch (error) {
        this.deps.log.error({ err: error }, `daily brief run failed: ${describeError(error)}`);
        if (left <= 0) return;
      }
      timer = setTimeout(() => void attempt(left - 1), retryMs);
    };
    const task = schedule(this.config.schedule, () => attempt(retries), { name: "api-brief", timezone: this.config.timezone, noOverlap: true });
    this.deps.log.info({ schedule: this.config.schedule, timezone: this.config.timezone, briefs: this.config.recipients.length }, "daily brief email scheduled");
    return {
      stop: async () => {
        clearTimeout(timer);
        await task.stop();
        await task.destroy();
      },
    };
  }
}
