import type { Alert, AlertLevel } from "@liaowang/schemas";
import { accountability, type DepartmentAccountability } from "./accountability.js";
import { clockLabel, deadlineStatus, isRunning } from "./clocks.js";
import type { DepartmentsConfig } from "./config.js";
import { formatDurationZh } from "./duration.js";
import { stateLabel } from "./message.js";
import { iso, ms, toMs } from "./time.js";


/** States in which an alert still needs work and appears in a digest. */
export function isLive(alert: Alert): boolean {
  return alert.state !== "closed" && alert.state !== "dismissed";
}

/**
 * The calendar date of an instant in a time zone, "YYYY-MM-DD".
 * @example zonedDate(Date.parse("2024-05-01T17:00:00Z"), "Asia/Shanghai") === "2024-05-02"
 */
export function zonedDate(now: Date | number, timeZone: string): string {
  // en-CA formats dates as YYYY-MM-DD.
  return new Intl.DateTimeFormat("en-CA", { timeZone, year: "numeric", month: "2-digit", day: "2-digit" }).format(toMs(now));
}

/** Wall-clock "YYYY-MM-DD HH:MM" of an instant in a time zone. */
export function zonedTime(at: string | number, timeZone: string): string {
  const parts = new Intl.DateTimeFormat("en-CA", { timeZone, year: "numeric", month: "2-digit", day: "2-digit", hour: "2-digit", minute: "2-digit", hourCycle: "h23" }).formatToParts(typeof at === "number" ? at : ms(at));
  const get = (type: Intl.DateTimeFormatPartTypes) => parts.find((p) => p.type === type)?.value ?? "00";
  return `${get("year")}-${get("month")}-${get("day")} ${get("hour")}:${get("minute")}`;
}

/** The instant a calendar date starts (local midnight) in a time zone. */
export function zonedDayStart(date: string, timeZone: string): number {
  const guess = Date.parse(`${date}T00:00:00Z`);
  // The zone's offset at a moment: its wall clock read as UTC, minus the moment. Twice, for days that start
  // right after an offset change.
  const offsetAt = (t: number) => Date.parse(`${zonedTime(t, timeZone).replace(" ", "T")}:00Z`) - Math.floor(t / 60_000) * 60_000;
  const first = guess - offsetAt(guess);
  return guess - offsetAt(first);
}

/** The calendar date before `date` ("YYYY-MM-DD"). */
export function previousDate(date: string): string {
  return iso(Date.parse(`${date}T00:00:00Z`) - 86_400_000).slice(0, 10);
}

/**
 * The idempotency key of a department's digest for one day: one send per department per day, whichever
 * replica or run composes it.
 * @example digestKey("emergency", "2024-05-02") === "digest:emergency:2024-05-02"
 */
export function digestKey(department: string, date: string): string {
  return `digest:${department}:${date}`;
}

/** One live alert as a digest lists it. */
export interface DigestAlert {
  alertId: string;
  incidentId: string;
  level: AlertLevel;
  title: string;
  state: Alert["state"];
  /** The alert's current raising: acknowledge links in the digest are bound to it. */
  raisedAt: string;
  /** Earliest running deadline, if any. */
  next: { label: string; dueAt: string; remainingMs: number } | null;
  overdue: boolean;
}

/** One department's digest: what to send, under which key. */
export interface DepartmentDigest {
  department: string;
  date: string;
  key: string;
  title: string;
  /** Markdown-ish lines (`**bold**` only). */
  body: string[];
  /** Live alerts, most urgent first. */
  alerts: DigestAlert[];
  overdue: number;
  /** The previous day's figures; null when no alert was opened then. */
  yesterday: DepartmentAccountability | null;
}

const LEVEL_RANK: Record<string, number> = { I: 0, II: 1, III: 2, IV: 3 };
const rank = (level: AlertLevel) => (level === null ? 4 : (LEVEL_RANK[level] ?? 4));

const nextDue = (a: DigestAlert) => (a.next ? ms(a.next.dueAt) : Number.POSITIVE_INFINITY);

function plain(text: string): string {
  return text.replace(/[[\]<>*]/g, " ").replace(/[\r\n]+/g, " ").trim();
}

function yesterdayLine(date: string, y: DepartmentAccountability | null): string {
  if (!y) return `**昨日（${date}）**：无新增预警`;
  const ack = y.timeToAcknowledgeMs ? `，平均确认用时 ${formatDurationZh(y.timeToAcknowledgeMs.mean)}` : "";
  return (
    `**昨日（${date}）**：新增预警 ${y.alerts} 起，已确认 ${y.acknowledged} 起${ack}，确认超时 ${y.lateAcknowledgements} 起；` +
    `时限按时完成 ${y.deadlines.met} 项、超时 ${y.deadlines.missed} 项（其中仍未完成 ${y.deadlines.overdueNow} 项）；排除 ${y.dismissed} 起，重新预警 ${y.reraised} 次`
  );
}

/**
 * Compose the daily digests (zh-CN), one per department that has live alerts or had alerts opened the
 * previous day (in `timeZone`); other departments get none. `alerts` must hold every live alert and every
 * alert opened since the start of the previous day.
 * @example composeDigests(alerts, { departments, ackTargetMs: 30 * 60_000, timeZone: "Asia/Shanghai" }, new Date())
 */
export function composeDigests(
  alerts: readonly Alert[],
  options: { departments: DepartmentsConfig; ackTargetMs: number; timeZone: string },
  now: Date | number,
): DepartmentDigest[] {
  const t = toMs(now);
  const { timeZone } = options;
  const date = zonedDate(t, timeZone);
  const yesterday = previousDate(date);
  const period = { from: iso(zonedDayStart(yesterday, timeZone)), to: iso(zonedDayStart(date, timeZone)) };
  const figures = new Map(accountability(alerts, period, t, options.ackTargetMs).map((a) => [a.department, a]));
  const names = new Map(options.departments.departments.map((d) => [d.id, d.name]));
  const ids = [...new Set([...names.keys(), ...alerts.map((a) => a.department)])];

  const out: DepartmentDigest[] = [];
  for (const department of ids) {
    const live: DigestAlert[] = alerts
      .filter((a) => a.department === department && isLive(a))
      .map((a) => {
        const running = a.deadlines.filter(isRunning).sort((x, y) => ms(x.dueAt) - ms(y.dueAt));
        const first = running[0];
        const item: DigestAlert = {
          alertId: a.id,
          incidentId: a.incidentId,
          level: a.level,
          title: plain(a.title).slice(0, 200) || a.incidentId,
          next: first ? { label: clockLabel(first.clock), dueAt: first.dueAt, remainingMs: ms(first.dueAt) - t } : null,
          overdue: running.some((d) => deadlineStatus(d, t) === "overdue"),
          state: a.state,
          raisedAt: a.raisedAt,
        };
        return item;
      })
      .sort((x, y) => rank(x.level) - rank(y.level) || nextDue(x) - nextDue(y) || x.alertId.localeCompare(y.alertId));
    const y = figures.get(department) ?? null;
    if (live.length === 0 && y === null) continue;
    const overdue = live.filter((a) => a.overdue).length;
    const name = names.get(department) ?? department;
    const body: string[] = [`**在办预警**：${live.length} 起，其中超时 ${overdue} 起`];
    live.forEach((a, i) => {
      const level = a.level === null ? "未定级" : `${a.level}级`;
      const deadline = a.next
        ? `${a.next.label}时限 ${zonedTime(a.next.dueAt, timeZone)}，${a.next.remainingMs > 0 ? `剩余 ${formatDurationZh(a.next.remainingMs)}` : `已超时 ${formatDurationZh(a.next.remainingMs)}`}`
        : "无在途时限";
      body.push(`${i + 1}. ${level}　${a.title}｜${stateLabel(a.state)}｜${deadline}`);
    });
    body.push(yesterdayLine(yesterday, y));
    out.push({ department, date, key: digestKey(department, date), title: `${name}每日预警简报（${date}）`, body, alerts: live, overdue, yesterday: y });
  }
  return out;
}
