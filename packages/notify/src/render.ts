import type { DigestItem, Level, Notification, NotificationKind } from "./notification.js";

/** zh-CN label for a grade, e.g. "I级（特别重大）". */
export function levelLabel(level: Level | null): string {
  switch (level) {
    case "I":
      return "I级（特别重大）";
    case "II":
      return "II级（重大）";
    case "III":
      return "III级（较大）";
    case "IV":
      return "IV级（一般）";
    case null:
      return "未定级";
  }
}

/** Short zh-CN grade tag for tight spaces (SMS, digest lines), e.g. "I级". */
export function levelTag(level: Level | null): string {
  return level === null ? "未定级" : `${level}级`;
}

/** zh-CN label for why the notification is sent. */
export function kindLabel(kind: NotificationKind): string {
  switch (kind) {
    case "new":
      return "新预警";
    case "reminder":
      return "催办提醒";
    case "escalation":
      return "升级通知";
    case "regrade":
      return "定级变更";
    case "digest":
      return "预警汇总";
  }
}

const beijing = new Intl.DateTimeFormat("en-CA", {
  timeZone: "Asia/Shanghai",
  year: "numeric",
  month: "2-digit",
  day: "2-digit",
  hour: "2-digit",
  minute: "2-digit",
  hourCycle: "h23",
});

/**
 * An instant as Beijing wall-clock time, the way duty officers read deadlines.
 * @example formatBeijingTime("2024-05-01T06:00:00Z") === "2024-05-01 14:00"
 */
export function formatBeijingTime(iso: string): string {
  const parts = Object.fromEntries(beijing.formatToParts(new Date(iso)).map((p) => [p.type, p.value]));
  return `${parts.year}-${parts.month}-${parts.day} ${parts.hour}:${parts.minute}`;
}

/**
 * Neutralise characters that robot markdown would turn into links, mentions or tags, so untrusted
 * feed text in a title cannot inject `[x](evil)` or `<@all>`; full-width forms read naturally in Chinese.
 */
export function escapeInline(text: string): string {
  return text
    .replace(/\[/g, "［")
    .replace(/\]/g, "］")
    .replace(/</g, "＜")
    .replace(/>/g, "＞")
    .replace(/[\r\n]+/g, " ");
}

/** Markdown-ish body line to plain text: `**x**` → x, `[t](u)` → "t（u）". */
export function stripMarkdown(line: string): string {
  return line
    .replace(/\[([^\]]*)\]\((https?:[^)\s]+)\)/g, "$1（$2）")
    .replace(/\*\*([^*]+)\*\*/g, "$1")
    .replace(/^#+\s*/, "")
    .replace(/^>\s?/, "");
}

function escapeHtml(text: string): string {
  return text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;").replace(/'/g, "&#39;");
}

/** Markdown-ish body line to safe HTML: escaped, with `**x**` and http(s) `[t](u)` kept. */
export function markdownLineToHtml(line: string): string {
  return escapeHtml(line.replace(/^#+\s*/, "").replace(/^>\s?/, ""))
    .replace(/\[([^\]]*)\]\((https?:[^)\s]+)\)/g, '<a href="$2">$1</a>')
    .replace(/\*\*([^*]+)\*\*/g, "<strong>$1</strong>");
}

/** Cut a string to at most `maxBytes` of UTF-8 without splitting a character. */
export function truncateUtf8(text: string, maxBytes: number): string {
  if (Buffer.byteLength(text, "utf8") <= maxBytes) return text;
  let bytes = 0;
  let out = "";
  for (const ch of text) {
    const size = Buffer.byteLength(ch, "utf8");
    if (bytes + size > maxBytes) break;
    bytes += size;
    out += ch;
  }
  return out;
}

function clip(text: string, maxChars: number): string {
  const chars = Array.from(text);
  return chars.length <= maxChars ? text : `${chars.slice(0, Math.max(0, maxChars - 1)).join("")}…`;
}

function digestItemsOf(message: Notification): DigestItem[] {
  return message.items ?? [];
}

// A scheduled digest (the daily one) has its own title and body lines; a rate-limit digest has only items.
function isScheduledDigest(message: Notification): boolean {
  return message.kind === "digest" && message.body.length > 0;
}

/** The heading line shared by every rendering, e.g. "【瞭望·新预警】I级（特别重大）". */
export function renderHeading(message: Notification): string {
  if (isScheduledDigest(message)) return `【瞭望·${kindLabel("digest")}】${oneLine(message.title)}`;
  if (message.kind === "digest") return `【瞭望·${kindLabel("digest")}】共 ${digestItemsOf(message).length} 条`;
  return `【瞭望·${kindLabel(message.kind)}】${levelLabel(message.level)}`;
}

/**
 * The email subject (and DingTalk title): grade tag, kind and title, one line.
 * @example renderSubject(n) === "【瞭望·新预警】I级 某地发生爆炸事故"
 */
export function renderSubject(message: Notification): string {
  if (isScheduledDigest(message)) return `【瞭望·${kindLabel("digest")}】${clip(oneLine(message.title), 60)}`;
  if (message.kind === "digest") {
    const items = digestItemsOf(message);
    return `【瞭望·${kindLabel("digest")}】${items.length} 条预警，最高 ${levelTag(message.level)}：${clip(oneLine(message.title), 40)}`;
  }
  return `【瞭望·${kindLabel(message.kind)}】${levelTag(message.level)} ${clip(oneLine(message.title), 60)}`;
}

/** Said instead of a link to departments that are told but do not act (co-notified, parents). */
const WATCH_ONLY = "知会通报：由责任部门确认处置，详情请登录值班台查看。";
const WATCH_ONLY_SHORT = "（知会）";

function oneLine(text: string): string {
  return text.replace(/[\r\n]+/g, " ").trim();
}

/** Options for robot markdown: vendor byte limit and the line separator the vendor renders as a break. */
export interface MarkdownOptions {
  maxBytes: number;
  /** WeCom renders "\n"; DingTalk needs a blank line ("\n\n") between paragraphs. */
  lineBreak: string;
}

/**
 * Robot markdown (WeCom / DingTalk). Body lines or digest items that do not fit the vendor limit are
 * dropped with a "另有 N 条" note; the acknowledge link is always kept.
 */
export function renderMarkdown(message: Notification, options: MarkdownOptions): string {
  const head: string[] = [`### ${renderHeading(message)}`];
  const tail: string[] = [];
  const flexible: string[] = [];
  let overflowNote: (dropped: number) => string;

  if (message.kind === "digest") {
    const items = digestItemsOf(message);
    if (items.length > 0 && message.ackUrl) tail.push(`[打开最紧急的一条并确认](${message.ackUrl})`);
    for (const line of message.body) flexible.push(line.replace(/</g, "＜"));
    items.forEach((item, i) => {
      flexible.push(
        `${i + 1}. ${levelTag(item.level)}·${kindLabel(item.kind)} **${escapeInline(clip(item.title, 60))}**（${escapeInline(item.department)}）${item.ackUrl ? `[确认](${item.ackUrl})` : WATCH_ONLY_SHORT}`,
      );
    });
    overflowNote = (dropped) => `……另有 ${dropped} 条，请登录值班台查看`;
  } else {
    head.push(`**${escapeInline(message.title)}**`);
    head.push(`> 责任部门：${escapeInline(message.department)}`);
    for (const d of message.deadlines) head.push(`> ${escapeInline(d.label)}：${formatBeijingTime(d.dueAt)} 前（北京时间）`);
    for (const line of message.body) flexible.push(line.replace(/</g, "＜"));
    tail.push(message.ackUrl ? `[确认收到](${message.ackUrl})` : WATCH_ONLY);
    overflowNote = (dropped) => `……正文另有 ${dropped} 行，请登录值班台查看`;
  }

  const join = (lines: string[]): string => lines.join(options.lineBreak);
  const full = join([...head, ...flexible, ...tail]);
  if (Buffer.byteLength(full, "utf8") <= options.maxBytes) return full;

  // Keep as many flexible lines as fit, leaving room for the overflow note and the link.
  for (let keep = flexible.length - 1; keep >= 0; keep--) {
    const candidate = join([...head, ...flexible.slice(0, keep), overflowNote(flexible.length - keep), ...tail]);
    if (Buffer.byteLength(candidate, "utf8") <= options.maxBytes) return candidate;
  }
  // Even the fixed part is too long (an enormous title): shorten the head, never the link.
  const tailText = join(tail);
  const room = options.maxBytes - Buffer.byteLength(options.lineBreak + tailText, "utf8");
  return `${truncateUtf8(join(head), Math.max(0, room - 3))}…${options.lineBreak}${tailText}`;
}

/** Plain-text email body (zh-CN). */
export function renderText(message: Notification): string {
  const lines: string[] = [renderHeading(message)];
  if (message.kind === "digest") {
    lines.push(...message.body.map(stripMarkdown));
    digestItemsOf(message).forEach((item, i) => {
      lines.push(`${i + 1}. [${levelTag(item.level)}·${kindLabel(item.kind)}] ${oneLine(item.title)}（${item.department}）`);
      lines.push(item.ackUrl ? `   确认：${item.ackUrl}` : `   ${WATCH_ONLY_SHORT}`);
    });
    return lines.join("\n");
  }
  lines.push(oneLine(message.title), `责任部门：${message.department}`);
  if (message.deadlines.length > 0) {
    lines.push("时限：");
    for (const d of message.deadlines) lines.push(`  ${d.label}：${formatBeijingTime(d.dueAt)} 前（北京时间）`);
  }
  if (message.body.length > 0) lines.push("", ...message.body.map(stripMarkdown));
  lines.push("", message.ackUrl ? `确认收到：${message.ackUrl}` : WATCH_ONLY);
  return lines.join("\n");
}

/** Simple HTML email body (zh-CN, UTF-8), every value escaped. */
export function renderHtml(message: Notification): string {
  const parts: string[] = [`<h2>${escapeHtml(renderHeading(message))}</h2>`];
  if (message.kind === "digest") {
    for (const line of message.body) parts.push(`<p>${markdownLineToHtml(line)}</p>`);
    parts.push("<ol>");
    for (const item of digestItemsOf(message)) {
      parts.push(
        `<li>[${escapeHtml(levelTag(item.level))}·${escapeHtml(kindLabel(item.kind))}] <strong>${escapeHtml(oneLine(item.title))}</strong>（${escapeHtml(item.department)}） ${item.ackUrl ? `<a href="${escapeHtml(item.ackUrl)}">确认</a>` : escapeHtml(WATCH_ONLY_SHORT)}</li>`,
      );
    }
    parts.push("</ol>");
  } else {
    parts.push(`<p><strong>${escapeHtml(oneLine(message.title))}</strong></p>`, `<p>责任部门：${escapeHtml(message.department)}</p>`);
    if (message.deadlines.length > 0) {
      parts.push("<ul>");
      for (const d of message.deadlines) parts.push(`<li>${escapeHtml(d.label)}：${escapeHtml(formatBeijingTime(d.dueAt))} 前（北京时间）</li>`);
      parts.push("</ul>");
    }
    for (const line of message.body) parts.push(`<p>${markdownLineToHtml(line)}</p>`);
    parts.push(message.ackUrl ? `<p><a href="${escapeHtml(message.ackUrl)}">确认收到</a></p>` : `<p>${escapeHtml(WATCH_ONLY)}</p>`);
  }
  return `<!doctype html><html lang="zh-CN"><head><meta charset="utf-8"></head><body>${parts.join("\n")}</body></html>`;
}

/** SMS length rules: UCS-2 messages hold 70 characters, or 67 per part once concatenated. */
export interface SmsOptions {
  maxSegments: number;
  /** The gateway's registered 签名, e.g. "【瞭望】"; counted against the length. */
  signName: string;
}

/** How many characters `segments` UCS-2 SMS parts hold. */
export function smsCapacity(segments: number): number {
  return segments <= 1 ? 70 : 67 * segments;
}

/**
 * SMS text: grade, title and department shortened to fit `maxSegments`; the acknowledge link is
 * always kept whole, even if that costs an extra part.
 */
export function renderSms(message: Notification, options: SmsOptions): string {
  const scheduled = isScheduledDigest(message);
  // A scheduled digest without live alerts has nothing to acknowledge.
  const link = (scheduled && digestItemsOf(message).length === 0) || !message.ackUrl ? "" : `确认：${message.ackUrl}`;
  const headline = scheduled
    ? `${oneLine(message.title)}：${stripMarkdown(message.body[0] ?? "")}`
    : message.kind === "digest"
      ? `${digestItemsOf(message).length}条预警待处理，最高${levelTag(message.level)}：${oneLine(message.title)}`
      : `[${levelTag(message.level)}·${kindLabel(message.kind)}]${oneLine(message.title)}（${message.department}）`;
  const budget = smsCapacity(options.maxSegments) - options.signName.length - link.length - 1;
  // Never below a dozen characters: a link without any context is worse than one more SMS part.
  const room = Math.max(12, budget);
  const head = headline.length <= room ? headline : `${sliceCodeUnits(headline, room - 1)}…`;
  return link === "" ? `${options.signName}${head}` : `${options.signName}${head} ${link}`;
}

// SMS length is counted in UTF-16 code units; never cut between the halves of a surrogate pair.
function sliceCodeUnits(text: string, max: number): string {
  const end = max > 0 && /[\uD800-\uDBFF]/.test(text.charAt(max - 1)) ? max - 1 : max;
  return text.slice(0, end);
}
