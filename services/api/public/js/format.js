// Formatting helpers: Beijing time, countdowns, escaping (feed text is untrusted: never inserted as HTML).

const ESC = { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" };

/** Escape text for HTML. */
export function esc(value) {
  return String(value ?? "").replace(/[&<>"']/g, (c) => ESC[c]);
}

/** Escape a highlight fragment but keep the search engine's <em>…</em> marks. */
export function highlight(fragment) {
  return esc(fragment).replace(/&lt;em&gt;/g, "<em>").replace(/&lt;\/em&gt;/g, "</em>");
}

const beijing = new Intl.DateTimeFormat("zh-CN", { timeZone: "Asia/Shanghai", year: "numeric", month: "2-digit", day: "2-digit", hour: "2-digit", minute: "2-digit", second: "2-digit", hour12: false });
const beijingShort = new Intl.DateTimeFormat("zh-CN", { timeZone: "Asia/Shanghai", month: "2-digit", day: "2-digit", hour: "2-digit", minute: "2-digit", hour12: false });

/** "2024/05/01 09:30:00" in Beijing time. */
export function bjTime(iso) {
  return iso ? beijing.format(new Date(iso)) : "—";
}

/** "05/01 09:30" in Beijing time. */
export function bjShort(iso) {
  return iso ? beijingShort.format(new Date(iso)) : "—";
}

const pad = (n) => String(n).padStart(2, "0");

/** A remaining time as "4:59:59" (or "1天 2:03:04"); negative → overdue. */
export function clockText(ms) {
  const abs = Math.abs(ms);
  const total = Math.floor(abs / 1000);
  const d = Math.floor(total / 86400);
  const h = Math.floor((total % 86400) / 3600);
  const m = Math.floor((total % 3600) / 60);
  const s = total % 60;
  return `${d > 0 ? `${d}天 ` : ""}${h}:${pad(m)}:${pad(s)}`;
}

/** Countdown text and its urgency class for a due time at `now`. */
export function countdown(dueAt, now) {
  const remaining = Date.parse(dueAt) - now;
  if (remaining < 0) return { text: `超时 ${clockText(remaining)}`, cls: "over" };
  return { text: `剩 ${clockText(remaining)}`, cls: remaining < 30 * 60_000 ? "hot" : remaining < 2 * 3_600_000 ? "warn" : "" };
}

const LEVEL_NAMES = { I: "特别重大", II: "重大", III: "较大", IV: "一般" };

/** A level badge: "I级 特别重大" in the level's colour. */
export function levelBadge(level) {
  if (!level) return `<span class="level level-none">未定级</span>`;
  return `<span class="level level-${esc(level)}" title="${esc(LEVEL_NAMES[level] ?? "")}">${esc(level)}级 ${esc(LEVEL_NAMES[level] ?? "")}</span>`;
}

export const STATE_LABELS = { new: "待确认", acknowledged: "研判中", handling: "处置中", responded: "已回应", closed: "已关闭", dismissed: "已排除" };

export function stateBadge(state) {
  return `<span class="state state-${esc(state)}" data-state="${esc(state)}">${esc(STATE_LABELS[state] ?? state)}</span>`;
}

const CLOCK_SHORT = { authoritative_info: "权威信息 5小时", press_conference: "发布会 24小时", response: "回应 48小时" };

/** The clock's short label with its statutory span, e.g. "权威信息 5小时". */
export function clockName(deadline) {
  if (deadline.clock === "policy_interpretation") return "政策解读 3个工作日";
  const span = deadline.hours ? `${Math.round(deadline.hours * 10) / 10}小时` : "";
  const base = { authoritative_info: "权威信息", press_conference: "发布会", response: "回应" }[deadline.clock];
  return base ? `${base} ${span}` : CLOCK_SHORT[deadline.clock] ?? deadline.label;
}

const DEADLINE_DONE = { met: "按时完成", met_late: "逾期完成", cancelled: "已停止", missed: "已错过" };

/** The static text of a stopped clock. */
export function doneText(deadline) {
  return `${DEADLINE_DONE[deadline.status] ?? deadline.status}${deadline.metAt ? ` ${bjShort(deadline.metAt)}` : ""}`;
}

export const EVENT_LABELS = {
  opened: "预警生成", acknowledged: "确认", handling_started: "开始处置", responded: "已回应", closed: "关闭", dismissed: "排除（误报）",
  reraised: "重新预警", regraded: "定级变更", onset_corrected: "首发时间更正", milestone_recorded: "记录节点", merged: "合并",
};

/** Who did it, readable: system actors and one-click links named as such. */
export function actorText(actor) {
  if (actor.startsWith("system:")) return `系统（${actor.slice(7)}）`;
  if (actor.startsWith("link:")) return `${actor.slice(5)}（一键确认链接）`;
  return actor;
}
