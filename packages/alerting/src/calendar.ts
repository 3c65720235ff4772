import chineseDays from "chinese-days";

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
 * notice). For a year it does not cover yet, Monday–Friday are working days; `covers` tells the service so it
 * can warn that the package needs updating.
 * @example chineseCalendar().isWorkday("2026-10-01") === false // 国庆节
 */
export function chineseCalendar(): WorkCalendar {
  const covered = new Map<number, boolean>();
  const covers = (year: number): boolean => {
    let known = covered.get(year);
    if (known === undefined) {
      // Every published schedule has 元旦 and 春节 off on weekdays; a year without any is not in the data.
      known = chineseDays.getHolidaysInRange(`${year}-01-01`, `${year}-12-31`, false).length > 0;
      covered.set(year, known);
    }
    return known;
  };
  return {
    isWorkday(date) {
      checkDate(date);
      return covers(Number(date.slice(0, 4))) ? chineseDays.isWorkday(date) : isWeekday(date);
    },
    dayName(date) {
      checkDate(date);
      if (!covers(Number(date.slice(0, 4)))) return undefined;
      const detail = chineseDays.getDayDetail(date);
      // "National Day,国庆节,3" for holidays and 调休 days; a plain weekday name otherwise.
      const parts = detail.name.split(",");
      return parts.length >= 2 ? parts[1] : undefined;
    },
    covers,
  };
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
  const last = nthWorkdayAfter(beijingDate(publishedAt), workingDays, calendar);
  return beijingDayStart(addDays(last, 1));
}
