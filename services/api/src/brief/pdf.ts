import { existsSync } from "node:fs";
import PDFDocument from "pdfkit";
import { zonedTime } from "@liaowang/alerting";
import { LiaowangError } from "@liaowang/errors";
import { AUDIT_TITLE, auditLines, type LinkedBrief, type LinkedLine } from "./links.js";

/**
 * CJK fonts Debian installs (scripts/setup.sh installs fonts-wqy-microhei), with the face to use inside a
 * collection. The first one present is used unless LIAOWANG_CJK_FONT names a file.
 */
const CANDIDATES: readonly { path: string; face?: string }[] = [
  { path: "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc", face: "WenQuanYiMicroHei" },
  { path: "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc", face: "NotoSansCJKsc-Regular" },
  { path: "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc", face: "WenQuanYiZenHei" },
];

/** The CJK font a PDF is set in: an explicit file (`path` or `path#face` for a collection) or the first installed candidate. */
export function resolveCjkFont(explicit: string | undefined): { path: string; face?: string } {
  if (explicit) {
    const [path = "", face] = explicit.split("#");
    if (!existsSync(path)) throw new LiaowangError("unavailable", `the CJK font ${path} (LIAOWANG_CJK_FONT) does not exist`);
    return face ? { path, face } : { path };
  }
  const found = CANDIDATES.find((c) => existsSync(c.path));
  if (!found) throw new LiaowangError("unavailable", "no Chinese font installed for PDF briefs: run scripts/setup.sh (installs fonts-wqy-microhei) or set LIAOWANG_CJK_FONT to a .ttf/.otf/.ttc file");
  return found;
}

const COLORS = { text: "#1a1a1a", muted: "#666666", link: "#1a56b0", alarm: "#b3261e", warn: "#9a5b00", rule: "#cccccc" };

/**
 * Render a brief as an A4 PDF in Chinese: each statement followed by its references as links (absolute
 * dashboard URLs: `linkBrief(brief, publicUrl)`), hot words as a bar list with their trend.
 */
export async function renderBriefPdf(brief: LinkedBrief, options: { fontPath?: string | undefined }): Promise<Buffer> {
  const font = resolveCjkFont(options.fontPath);
  const doc = new PDFDocument({ size: "A4", margins: { top: 56, bottom: 56, left: 56, right: 56 }, info: { Title: brief.title, Author: "瞭望 Liaowang", Subject: "舆情日报" } });
  doc.registerFont("cjk", font.path, font.face ?? "");
  doc.font("cjk");
  const chunks: Buffer[] = [];
  doc.on("data", (chunk: Buffer) => chunks.push(chunk));
  const done = new Promise<Buffer>((resolve, reject) => {
    doc.on("end", () => resolve(Buffer.concat(chunks)));
    doc.on("error", reject);
  });
  const width = doc.page.width - doc.page.margins.left - doc.page.margins.right;

  doc.fontSize(20).fillColor(COLORS.text).text(brief.title, { align: "center" });
  doc.moveDown(0.3);
  const at = (instant: string) => zonedTime(instant, brief.timeZone);
  const scope = `统计时段：${at(brief.period.from)} 至 ${at(brief.period.to)}（${brief.timeZone === "Asia/Shanghai" ? "北京时间" : brief.timeZone}）｜生成于 ${at(brief.generatedAt)}${brief.partial ? "｜当日未结束，数据截至生成时" : ""}`;
  doc.fontSize(9).fillColor(COLORS.muted).text(scope, { align: "center" });
  doc.moveDown(0.8);

  const line = (l: LinkedLine, bullet: string) => {
    doc.fontSize(11).fillColor(l.tone === "alarm" ? COLORS.alarm : l.tone === "warn" ? COLORS.warn : COLORS.text).text(`${bullet}${l.text}`, { width });
    const refs = l.refs.slice(0, 6);
    doc.fontSize(8.5).fillColor(COLORS.muted).text("依据：", { continued: true, indent: 14 });
    refs.forEach((r, i) => {
      doc.fillColor(COLORS.link).text(r.label, { link: r.href, underline: true, continued: i < refs.length - 1 || l.refs.length > refs.length });
      if (i < refs.length - 1) doc.fillColor(COLORS.muted).text("、", { link: null, underline: false, continued: true });
    });
    if (l.refs.length > refs.length) doc.fillColor(COLORS.muted).text(` 等 ${l.refs.length} 项`, { link: null, underline: false });
    doc.moveDown(0.35);
  };

  doc.fontSize(13).fillColor(COLORS.text).text("概要");
  doc.moveDown(0.2);
  for (const l of brief.summary) line(l, "• ");
  for (const section of brief.sections) {
    doc.moveDown(0.5);
    doc.fontSize(13).fillColor(COLORS.text).text(section.title);
    doc.moveTo(doc.page.margins.left, doc.y + 2).lineTo(doc.page.margins.left + width, doc.y + 2).strokeColor(COLORS.rule).stroke();
    doc.moveDown(0.4);
    if (section.id === "hotwords" && brief.hotWords.length > 0) hotWordBars(doc, brief.hotWords.slice(0, 12), width);
    if (section.lines.length === 0) doc.fontSize(10).fillColor(COLORS.muted).text(section.empty);
    for (const l of section.lines) line(l, "");
  }
  // 审计存证: the audit's chain head as it was when the brief was made, so the printed page pins the audit log.
  doc.moveDown(0.8);
  doc.fontSize(10).fillColor(COLORS.text).text(AUDIT_TITLE);
  doc.moveDown(0.2);
  for (const text of auditLines(brief)) doc.fontSize(8).fillColor(COLORS.muted).text(text, { width });
  doc.end();
  return done;
}

/** Hot words as horizontal bars (today solid, the day before as an outline) — the PDF's form of the page's chart. */
function hotWordBars(doc: PDFKit.PDFDocument, words: LinkedBrief["hotWords"], width: number): void {
  const max = Math.max(1, ...words.map((w) => Math.max(w.count, w.previous)));
  const left = doc.page.margins.left;
  const labelWidth = 90;
  const barWidth = width - labelWidth - 60;
  for (const w of words) {
    if (doc.y > doc.page.height - doc.page.margins.bottom - 20) doc.addPage();
    const y = doc.y;
    doc.fontSize(9).fillColor(COLORS.text).text(w.word, left, y, { width: labelWidth - 6, align: "right", lineBreak: false });
    doc.rect(left + labelWidth, y + 1, Math.max(1, (w.count / max) * barWidth), 7).fillColor("#d9822b").fill();
    doc.rect(left + labelWidth, y + 8.5, Math.max(1, (w.previous / max) * barWidth), 2.5).fillColor("#999999").fill();
    doc.fontSize(8).fillColor(COLORS.muted).text(`${w.count}（前日 ${w.previous}）`, left + labelWidth + barWidth + 4, y, { width: 80, lineBreak: false });
    doc.x = left;
    doc.y = y + 14;
  }
  doc.fontSize(8).fillColor(COLORS.muted).text("橙色为当日篇数，灰线为前一日", left, doc.y, { width });
  doc.moveDown(0.4);
}
