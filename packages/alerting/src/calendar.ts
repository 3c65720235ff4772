import chineseDays from "chinese-days";
import { configuredDays, type HolidaysConfig } from "./holidays.js";

const DAY = 86_400_000;
const BEIJING_OFFSET_MS = 8 * 3_600_000;

/**
 * The official working-day calendar: public holidays and 调休 (weekend days made working days) as the State
 * Council publishes them each year. Dates are Beijing calendar dates "YYYY-MM-DD".
 */
export interface WorkCalendar {
  /** True on an official working day: Monday–Friday unless a public holiday, and 调休 weekend working days. */
  isWorkday(date: string): boolean;
  /** The holiday or 调休 name of a date ("国庆节", "春节"), if any. */
  dayName(date: string): string | undefined;
  /** Whether the calendar has the official schedule of this year; outside it, only weekends are rest days. */
  covers(year: number): boolean;
  /**
   * zh-CN, when an edit of the calendar's configuration (config/holidays.yaml) was refused: the last good calendar
   * stays in force, and the duty strip and health show this with the calendar's warning.
   */
  readonly problem?: string | undefined;
}

/**
 * The same calendar, with a note that its configuration could not be reloaded (see {@link WorkCalendar.problem}).
 * @example keptCalendar(lastGood, "节假日安排修改未生效：…").isWorkday("2027-01-04")
 */
export function keptCalendar(calendar: WorkCalendar, problem: string): WorkCalendar {
  return { isWorkday: (date) => calendar.isWorkday(date), dayName: (date) => calendar.dayName(date), covers: (year) => calendar.covers(year), problem };
}

const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

function checkDate(date: string): void {
  if (!DATE.test(date) || Number.isNaN(Date.parse(`${date}T00:00:00Z`))) throw new RangeError(`expected a date YYYY-MM-DD, got "${date}"`);
}

/** Monday–Friday only: the calendar for years the official schedule does not cover yet. */
function isWeekday(date: string): boolean {
  const day = new Date(`${date}T00:00:00Z`).getUTCDay();
  return day !== 0 && day !== 6;
}

/**
 * The calendar from the `chinese-days` package (the State Council's 节假日安排, updated with each year's
 * notice), plus the years an operator typed into config/holidays.yaml while the package lacks them: a date the
 * config lists decides, then the package for the years it covers, then the config's years (Monday–Friday but
 * its listed days). For a year neither covers, Monday–Friday are working days; `covers` tells the service so it
 * can warn that the calendar needs updating.
 * @example chineseCalendar().isWorkday("2026-10-01") === false // 国庆节
 */
export function chineseCalendar(holidays?: HolidaysConfig): WorkCalendar {
  const configured = configuredDays(holidays);
  return {
    isWorkday(date) {
      checkDate(date);
      const listed = configured.days.get(date);
      if (listed) return listed.work;
      return packageCovers(yearOf(date)) ? chineseDays.isWorkday(date) : isWeekday(date);
    },
    dayName(date) {
      checkDate(date);
      const listed = configured.days.get(date);
      if (listed) return listed.name;
      if (!packageCovers(yearOf(date))) return undefined;
      const detail = chineseDays.getDayDetail(date);
      // "National Day,国庆节,3" for holidays and 调休 days; a plain weekday name otherwise.
      const parts = detail.name.split(",");
      return parts.length >= 2 ? parts[1] : undefined;
    },
    covers: (year) => configured.years.has(year) || packageCovers(year),
  };
}

const packageYears = new Map<number, boolean>();

/** Whether the chinese-days package has the official schedule of a year. */
export function packageCovers(year: number): boolean {
  let known = packageYears.get(year);
  if (known === undefined) {
    // Every published schedule has 元旦 and 春节 off on weekdays; a year without any is not in the data.
    known = chineseDays.getHolidaysInRange(`${year}-01-01`, `${year}-12-31`, false).length > 0;
    packageYears.set(year, known);
  }
  return known;
}

function yearOf(date: string): number {
  return Number(date.slice(0, 4));
}

/**
 * The days config/holidays.yaml lists differently from the package, for years the package covers too (once it
 * has caught up, the config's entry should go; until then the config's listed days win). Empty when they agree.
 */
export function holidayConflicts(holidays: HolidaysConfig | undefined): { year: number; date: string; config: "workday" | "restday"; package: "workday" | "restday" }[] {
  const out: { year: number; date: string; config: "workday" | "restday"; package: "workday" | "restday" }[] = [];
  const { days } = configuredDays(holidays);
  for (const [date, day] of [...days].sort(([a], [b]) => a.localeCompare(b))) {
    if (!packageCovers(yearOf(date))) continue;
    const pkg = chineseDays.isWorkday(date);
    if (pkg !== day.work) out.push({ year: yearOf(date), date, config: day.work ? "workday" : "restday", package: pkg ? "workday" : "restday" });
  }
  return out;
}

/** How far ahead the calendar knows the official schedule, seen from a moment. */
export interface CalendarCoverage {
  /** Today (Beijing). */
  today: string;
  /** The last date of the last year covered without a gap from this year on; null when this year is not covered. */
  coveredUntil: string | null;
  /** Days from today to `coveredUntil` (0 when not covered). */
  daysLeft: number;
  /** zh-CN warning for the duty strip and health, when the calendar ends within `warnDays` (or already has). */
  warning: string | null;
}

const UPDATE_HINT = "发布后请更新 chinese-days 或在 config/holidays.yaml 中补充";

/**
 * Where the calendar's official data ends, seen from `now`, with a warning once that is within `warnDays`
 * (default 60): the State Council publishes next year's schedule in November or December, and a working-day
 * clock started late in December already counts days of the next year.
 * @example calendarCoverage(chineseCalendar(), Date.parse("2026-12-03T00:00:00Z")).warning // "节假日日历只到2026-12-31（还有28天）…"
 */
export function calendarCoverage(calendar: WorkCalendar, now: number, warnDays = 60): CalendarCoverage {
  const coverage = reach(calendar, now, warnDays);
  // A refused edit of the calendar comes first: the operator who made it looks for it here.
  if (calendar.problem) return { ...coverage, warning: coverage.warning ? `${calendar.problem}；${coverage.warning}` : calendar.problem };
  return coverage;
}

function reach(calendar: WorkCalendar, now: number, warnDays: number): CalendarCoverage {
  const today = beijingDate(now);
  const year = yearOf(today);
  if (!calendar.covers(year)) {
    return { today, coveredUntil: null, daysLeft: 0, warning: `${year}年节假日安排尚未录入，暂按周一至周五计算工作日；${UPDATE_HINT}` };
  }
  let last = year;
  while (last < year + 10 && calendar.covers(last + 1)) last++;
  const coveredUntil = `${last}-12-31`;
  const daysLeft = Math.round((Date.parse(`${coveredUntil}T00:00:00Z`) - Date.parse(`${today}T00:00:00Z`)) / DAY);
  const warning = daysLeft < warnDays ? `节假日日历只到${coveredUntil}（还有${daysLeft}天）：${last + 1}年节假日安排${UPDATE_HINT}` : null;
  return { today, coveredUntil, daysLeft, warning };
}

/** The years between two dates (inclusive) the calendar has no official schedule for. */
export function uncoveredYears(from: string, to: string, calendar: WorkCalendar): number[] {
  const out: number[] = [];
  for (let y = yearOf(from); y <= yearOf(to); y++) if (!calendar.covers(y)) out.push(y);
  return out;
}

/**
 * The zh-CN note a working-day deadline carries when it counted days of years without an official schedule, or
 * undefined when every day counted was covered.
 * @example uncoveredNote("2026-12-30", "2027-01-04", chineseCalendar()) // "2027年节假日安排尚未发布，暂按周一至周五计算，发布后请更新日历"
 */
export function uncoveredNote(from: string, to: string, calendar: WorkCalendar): string | undefined {
  const years = uncoveredYears(from, to, calendar);
  return years.length === 0 ? undefined : `${years.join("、")}年节假日安排尚未发布，暂按周一至周五计算，发布后请更新日历`;
}

/**
 * The Beijing calendar date of an instant (China has no DST, so a fixed +08:00 is exact).
 * @example beijingDate(Date.parse("2026-09-30T16:00:00Z")) === "2026-10-01"
 */
export function beijingDate(t: number): string {
  return new Date(t + BEIJING_OFFSET_MS).toISOString().slice(0, 10);
}

/** The instant a Beijing calendar date starts (00:00 +08:00). */
export function beijingDayStart(date: string): number {
  checkDate(date);
  return Date.parse(`${date}T00:00:00Z`) - BEIJING_OFFSET_MS;
}

/** The date `days` calendar days after `date` (negative for before). */
export function addDays(date: string, days: number): string {
  checkDate(date);
  return new Date(Date.parse(`${date}T00:00:00Z`) + days * DAY).toISOString().slice(0, 10);
}

/** Whether a date is a working day or a rest day (weekend or public holiday, but not a 调休 working Saturday). */
export function dayKind(date: string, calendar: WorkCalendar): "workday" | "restday" {
  return calendar.isWorkday(date) ? "workday" : "restday";
}

/**
 * The `n`-th working day after `date` (n ≥ 1), skipping weekends and public holidays and counting 调休 working
 * weekend days.
 * @example nthWorkdayAfter("2026-09-30", 1, chineseCalendar()) === "2026-10-08" // after 国庆节
 */
export function nthWorkdayAfter(date: string, n: number, calendar: WorkCalendar): string {
  if (!Number.isInteger(n) || n < 1) throw new RangeError(`expected a whole number of working days ≥ 1, got ${n}`);
  let day = date;
  let counted = 0;
  // A year has at most ~40 consecutive rest days even around 春节; 4× the span is a generous bound.
  for (let i = 0; i < n * 4 + 60; i++) {
    day = addDays(day, 1);
    if (calendar.isWorkday(day)) counted++;
    if (counted === n) return day;
  }
  throw new RangeError(`no ${n} working days found after ${date}`);
}

/**
 * The due time of a "within N working days" obligation for something published at `publishedAt`: the end
 * (24:00 Beijing time) of the N-th working day after the day of publication. 国办 practice counts working
 * days after the day of the act, so a document out on Friday evening is due at the end of the third working
 * day after, not on Monday.
 * @example workingDaysDue(Date.parse("2026-09-29T02:00:00Z"), 3, chineseCalendar()) // 24:00 of 2026-10-09 (9-30, 10-08, 10-09)
 */
export function workingDaysDue(publishedAt: number, workingDays: number, calendar: WorkCalendar): number {
  return workingDaysDeadline(publishedAt, workingDays, calendar).dueAt;
}

/**
 * `workingDaysDue` with how it was counted: the last working day, and a zh-CN `note` when some of the days
 * counted lie in a year without an official schedule (counted Monday–Friday), to show with the deadline.
 */
export function workingDaysDeadline(publishedAt: number, workingDays: number, calendar: WorkCalendar): { dueAt: number; lastDay: string; note?: string | undefined } {
  const published = beijingDate(publishedAt);
  const last = nthWorkdayAfter(published, workingDays, calendar);
  const note = uncoveredNote(addDays(published, 1), last, calendar);
  return { dueAt: beijingDayStart(addDays(last, 1)), lastDay: last, ...(note ? { note } : {}) };
}
