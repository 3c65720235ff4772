import type { Alert, AlertLevel, Deadline } from "@liaowang/schemas";
import { clockLabel } from "./clocks.js";
import { isLive, previousDate, zonedDate, zonedDayStart, zonedTime } from "./digest.js";
import { formatDurationZh } from "./duration.js";
import { stateLabel } from "./message.js";
import { iso, ms, toMs } from "./time.js";

// 舆情日报: a day's brief for the office or one department, composed from stored alerts and document figures.
// Every line carries the references it rests on (alerts, documents, or the exact search that counts them), so a
// reader can check each statement; a statement without evidence is never produced.

/** What a statement rests on: an alert (its incident detail), a stored document, or a search that reproduces a count. */
export type BriefRef =
  | { kind: "alert"; alertId: string; incidentId: string; label: string }
  | { kind: "document"; docId: string; label: string; url?: string | undefined }
  | { kind: "search"; label: string; query: { q?: string; topic?: string; since: string; until: string } };

/** One statement of the brief and what it rests on (never empty). */
export interface BriefLine {
  text: string;
  refs: BriefRef[];
  /** A tone for renderers: overdue or missed deadlines, negative posts. */
  tone?: "alarm" | "warn";
}

export type BriefSectionId = "incidents" | "deadlines" | "topics" | "hotwords" | "negative";

export interface BriefSection {
  id: BriefSectionId;
  title: string;
  lines: BriefLine[];
  /** Shown instead of lines when there are none (not a statement: nothing to rest on). */
  empty: string;
}

/** A term's count in the brief's day and the day before, with a few documents that carry it. */
export interface TermCount {
  key: string;
  count: number;
  previous: number;
  samples: { docId: string; title: string; source: string }[];
}

/** A negative post of the day, as the document store has it. */
export interface NegativePost {
  docId: string;
  source: string;
  title: string;
  url?: string | undefined;
  publishedAt: string;
  score: number;
  engagement: number;
}

/** The security audit's chain head (and its newest anchor) when a brief is made. */
export interface AuditPin {
  seq: number;
  hash: string;
  /** When the head record was written. */
  at: string;
  anchor?: { seq: number; auditSeq: number; auditHash: string; at: string } | undefined;
}

/** What a brief is composed from; the caller reads it from the stores for `period`. */
export interface BriefInput {
  /**
   * The security audit's chain head now: a printed or mailed brief then pins the audit log outside the system.
   * null while the audit holds no record; absent when it could not be read.
   */
  audit?: AuditPin | null | undefined;
  /** Live alerts and alerts opened, due or met in the period (the composer filters). */
  alerts: readonly Alert[];
  volume: { count: number; previous: number };
  topics: readonly TermCount[];
  hotWords: readonly TermCount[];
  negative: readonly NegativePost[];
}

/** The composed brief: title, period, summary, sections, and the hot words for a chart. */
export interface Brief {
  date: string;
  timeZone: string;
  department: { id: string; name: string } | null;
  title: string;
  period: { from: string; to: string };
  generatedAt: string;
  /** True while the day is not over: figures are "so far". */
  partial: boolean;
  summary: BriefLine[];
  sections: BriefSection[];
  hotWords: { word: string; count: number; previous: number }[];
  /** 审计存证: the security audit's chain head when the brief was made, as zh-CN lines (see {@link auditPinLines}). */
  audit: { head: AuditPin | null; lines: string[] } | null;
}

export interface BriefOptions {
  date: string;
  timeZone: string;
  department?: { id: string; name: string } | undefined;
  /** Most lines listed per section. */
  limit?: number;
}

/**
 * The zh-CN lines that pin the security audit in a brief: the chain head in the form `audit verify --head` takes,
 * the newest anchor, and how to check it later (a chain cut or rewritten since the brief was made is reported).
 * @example auditPinLines({ seq: 12, hash: "ab…", at: "2026-12-03T00:00:00Z" }, "Asia/Shanghai")[0] // "安全审计链头（日报生成时）：第 12 条记录，写入于 2026-12-03 08:00"
 */
export function auditPinLines(pin: AuditPin | null, timeZone: string): string[] {
  if (!pin) return ["安全审计尚无记录"];
  return [
    `安全审计链头（日报生成时）：第 ${pin.seq} 条记录，写入于 ${zonedTime(pin.at, timeZone)}`,
    `链头标识：${pin.seq}:${pin.hash}`,
    pin.anchor ? `最近锚点：第 ${pin.anchor.seq} 号，锚定第 ${pin.anchor.auditSeq} 条记录，写入于 ${zonedTime(pin.anchor.at, timeZone)}` : "尚无锚点",
    `核对：pnpm liaowang audit verify --head ${pin.seq}:${pin.hash}（审计记录被截断或改写即报错）`,
  ];
}

/** The period a brief covers: the calendar day `date` in `timeZone`. */
export function briefPeriod(date: string, timeZone: string): { from: string; to: string } {
  const next = iso(Date.parse(`${date}T00:00:00Z`) + 86_400_000).slice(0, 10);
  return { from: iso(zonedDayStart(date, timeZone)), to: iso(zonedDayStart(next, timeZone)) };
}

/** The date of the day before `now` in `timeZone` (what a morning brief reports on). */
export function briefDateBefore(now: Date | number, timeZone: string): string {
  return previousDate(zonedDate(now, timeZone));
}

const LEVELS: readonly (AlertLevel)[] = ["I", "II", "III", "IV", null];
const LEVEL_NAMES: Record<string, string> = { I: "I级（特别重大）", II: "II级（重大）", III: "III级（较大）", IV: "IV级（一般）" };
const levelName = (level: AlertLevel) => (level === null ? "未定级" : (LEVEL_NAMES[level] ?? level));

/** "↑ 35%", "↓ 20%", "持平", "新出现" — a day's count against the day before. */
export function trendText(count: number, previous: number): string {
  if (previous === 0) return count > 0 ? "新出现" : "持平";
  const change = Math.round(((count - previous) / previous) * 100);
  if (change === 0) return "持平";
  return change > 0 ? `↑ ${change}%` : `↓ ${-change}%`;
}

function inPeriod(at: string | null | undefined, period: { from: string; to: string }): boolean {
  if (!at) return false;
  const t = ms(at);
  return t >= ms(period.from) && t < ms(period.to);
}

function plain(text: string): string {
  return text.replace(/[\r\n]+/g, " ").trim();
}

const alertRef = (a: Alert): BriefRef => ({ kind: "alert", alertId: a.id, incidentId: a.incidentId, label: plain(a.title).slice(0, 60) || a.incidentId });

type DeadlineOutcome = "met" | "met_late" | "missed";

/** How a deadline ended in the period: met (on time or late) when its milestone fell in it, missed when it fell due in it unmet. */
function outcome(d: Deadline, period: { from: string; to: string }, now: number): DeadlineOutcome | null {
  if (d.metAt !== null && inPeriod(d.metAt, period)) return ms(d.metAt) <= ms(d.dueAt) ? "met" : "met_late";
  if (inPeriod(d.dueAt, period) && ms(d.dueAt) <= now && d.cancelledAt === null && (d.metAt === null || ms(d.metAt) > ms(d.dueAt))) return "missed";
  return null;
}

const LEVEL_RANK = (level: AlertLevel) => (level === null ? 4 : LEVELS.indexOf(level));

/**
 * Compose a day's brief (zh-CN) for the office or one department. Pure: `now` decides whether the day is over
 * and which deadlines have passed.
 * @example composeBrief(input, { date: "2024-05-01", timeZone: "Asia/Shanghai" }, new Date())
 */
export function composeBrief(input: BriefInput, options: BriefOptions, now: Date | number): Brief {
  const t = toMs(now);
  const { date, timeZone } = options;
  const limit = options.limit ?? 20;
  const period = briefPeriod(date, timeZone);
  const dept = options.department ?? null;
  const alerts = input.alerts.filter((a) => !dept || a.department === dept.id || a.coDepartments.includes(dept.id));
  const day = (at: string) => zonedTime(at, timeZone).slice(5);
  const search = { since: period.from, until: period.to };

  // --- incidents: new in the day, and open now, by level
  const newAlerts = alerts.filter((a) => inPeriod(a.openedAt, period));
  const openAlerts = alerts.filter((a) => isLive(a) && ms(a.openedAt) < ms(period.to));
  const listed = [...new Map([...newAlerts, ...openAlerts].map((a) => [a.id, a])).values()].sort(
    (x, y) => LEVEL_RANK(x.level) - LEVEL_RANK(y.level) || ms(y.openedAt) - ms(x.openedAt) || x.id.localeCompare(y.id),
  );
  const incidentLines: BriefLine[] = [];
  for (const level of LEVELS) {
    const ofLevel = listed.filter((a) => a.level === level);
    if (ofLevel.length === 0) continue;
    const fresh = ofLevel.filter((a) => inPeriod(a.openedAt, period)).length;
    const open = ofLevel.filter(isLive).length;
    incidentLines.push({ text: `${levelName(level)}：新增 ${fresh} 起，在办 ${open} 起`, refs: ofLevel.map(alertRef), ...(level === "I" || level === "II" ? { tone: "alarm" as const } : {}) });
    for (const a of ofLevel.slice(0, limit)) {
      const mark = inPeriod(a.openedAt, period) ? "【新增】" : "";
      incidentLines.push({ text: `${mark}${plain(a.title)}｜${levelName(a.level)}｜当前状态：${stateLabel(a.state)}｜首发 ${day(a.onsetAt)}｜${a.departmentName}`, refs: [alertRef(a)] });
    }
  }

  // --- deadlines met and missed in the day
  const outcomes = alerts.flatMap((a) => a.deadlines.map((d) => ({ a, d, o: outcome(d, period, t) }))).filter((x): x is { a: Alert; d: Deadline; o: DeadlineOutcome } => x.o !== null);
  const deadlineLines: BriefLine[] = [];
  if (outcomes.length > 0) {
    const count = (o: DeadlineOutcome) => outcomes.filter((x) => x.o === o);
    const [met, late, missed] = [count("met"), count("met_late"), count("missed")];
    deadlineLines.push({
      text: `法定时限：按时完成 ${met.length} 项，逾期完成 ${late.length} 项，超时未完成 ${missed.length} 项`,
      refs: [...new Map(outcomes.map((x) => [x.a.id, alertRef(x.a)])).values()],
      ...(missed.length + late.length > 0 ? { tone: "warn" as const } : {}),
    });
    const order: Record<DeadlineOutcome, number> = { missed: 0, met_late: 1, met: 2 };
    for (const { a, d, o } of [...outcomes].sort((x, y) => order[x.o] - order[y.o] || ms(x.d.dueAt) - ms(y.d.dueAt)).slice(0, limit)) {
      const what = `${clockLabel(d.clock)}（${d.hours} 小时）`;
      const text =
        o === "met"
          ? `按时：${plain(a.title)}｜${what}于 ${day(d.metAt ?? d.dueAt)} 完成，时限 ${day(d.dueAt)}`
          : o === "met_late"
            ? `逾期：${plain(a.title)}｜${what}于 ${day(d.metAt ?? d.dueAt)} 完成，超出时限 ${formatDurationZh(ms(d.metAt ?? d.dueAt) - ms(d.dueAt))}`
            : `超时未完成：${plain(a.title)}｜${what}时限 ${day(d.dueAt)} 已过`;
      deadlineLines.push({ text, refs: [alertRef(a)], ...(o === "met" ? {} : { tone: o === "missed" ? ("alarm" as const) : ("warn" as const) }) });
    }
  }

  // --- topics and hot words with their trend
  const termLine = (kind: "topic" | "word", term: TermCount): BriefLine => ({
    text: `${kind === "topic" ? "话题" : "热词"}「${term.key}」：${term.count} 篇，前一日 ${term.previous} 篇，${trendText(term.count, term.previous)}`,
    refs: [
      { kind: "search", label: `查看当日 ${term.count} 篇`, query: kind === "topic" ? { topic: term.key, ...search } : { q: term.key, ...search } },
      ...term.samples.slice(0, 2).map((s): BriefRef => ({ kind: "document", docId: s.docId, label: `${s.source}：${plain(s.title).slice(0, 30)}` })),
    ],
  });
  const topicLines = input.topics.filter((x) => x.count > 0).slice(0, limit).map((x) => termLine("topic", x));
  const wordLines = input.hotWords.filter((x) => x.count > 0).slice(0, limit).map((x) => termLine("word", x));

  // --- notable negative posts
  const negativeLines: BriefLine[] = input.negative.slice(0, limit).map((p) => ({
    text: `${p.source}｜${plain(p.title).slice(0, 80)}｜${day(p.publishedAt)}｜情感 ${p.score.toFixed(2)}${p.engagement > 0 ? `｜互动 ${p.engagement}` : ""}`,
    refs: [{ kind: "document", docId: p.docId, label: "原文", url: p.url }],
    tone: "warn",
  }));

  // --- summary: each figure with the evidence for it
  const summary: BriefLine[] = [
    {
      text: `当日监测信息 ${input.volume.count} 篇（前一日 ${input.volume.previous} 篇，${trendText(input.volume.count, input.volume.previous)}）`,
      refs: [{ kind: "search", label: "当日全部信息", query: { ...search } }],
    },
  ];
  if (newAlerts.length > 0) summary.push({ text: `新增预警 ${newAlerts.length} 起`, refs: newAlerts.map(alertRef) });
  if (openAlerts.length > 0) summary.push({ text: `在办预警 ${openAlerts.length} 起`, refs: openAlerts.map(alertRef) });
  const shown = negativeLines.length;
  if (shown > 0) summary.push({ text: `需关注的负面信息 ${shown} 篇`, refs: input.negative.slice(0, limit).map((p): BriefRef => ({ kind: "document", docId: p.docId, label: `${p.source}：${plain(p.title).slice(0, 30)}`, url: p.url })), tone: "warn" });

  const scopeName = dept ? dept.name : "全市";
  return {
    date,
    timeZone,
    department: dept,
    title: `${scopeName}舆情日报（${date}）`,
    period,
    generatedAt: iso(t),
    partial: t < ms(period.to),
    summary,
    sections: [
      { id: "incidents", title: "一、新增与在办事件", lines: incidentLines, empty: "当日无新增事件，亦无在办事件" },
      { id: "deadlines", title: "二、法定时限执行情况", lines: deadlineLines, empty: "当日无到期或完成的法定时限" },
      { id: "topics", title: "三、热点话题", lines: topicLines, empty: "当日无话题数据" },
      { id: "hotwords", title: "四、热词及走势", lines: wordLines, empty: "当日无热词数据" },
      { id: "negative", title: "五、需关注的负面信息", lines: negativeLines, empty: "当日未发现负面信息" },
    ],
    hotWords: input.hotWords.filter((x) => x.count > 0).map((x) => ({ word: x.key, count: x.count, previous: x.previous })),
    audit: input.audit === undefined ? null : { head: input.audit, lines: auditPinLines(input.audit, timeZone) },
  };
}
