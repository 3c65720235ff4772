import { z } from "zod";

const DAY = 86_400_000;
const DATE = /^\d{4}-\d{2}-\d{2}$/;
const WEEKDAY = ["星期日", "星期一", "星期二", "星期三", "星期四", "星期五", "星期六"] as const;

// YAML reads an unquoted 2027-01-01 as a Date: accept both and keep the calendar date.
const CalendarDate = z
  .union([z.string(), z.date()])
  .transform((v) => (v instanceof Date ? v.toISOString().slice(0, 10) : v))
  .pipe(z.string().regex(DATE, "expected a date YYYY-MM-DD").refine((d) => !Number.isNaN(Date.parse(`${d}T00:00:00Z`)) && new Date(`${d}T00:00:00Z`).toISOString().startsWith(d), "not a calendar date"));

function weekday(date: string): number {
  return new Date(`${date}T00:00:00Z`).getUTCDay();
}

function datesFrom(from: string, to: string): string[] {
  const out: string[] = [];
  for (let t = Date.parse(`${from}T00:00:00Z`); t <= Date.parse(`${to}T00:00:00Z`); t += DAY) out.push(new Date(t).toISOString().slice(0, 10));
  return out;
}

/** One year's official 节假日安排 (the State Council's notice), typed in from the notice. */
export const HolidayYear = z
  .object({
    year: z.number().int().min(2000).max(2100),
    /** Where it comes from, e.g. the notice's 文号 (国办发明电〔2026〕N号); shown nowhere but kept for review. */
    notice: z.string().optional(),
    /** 放假: each holiday's days off, `to` inclusive (one day when absent). */
    holidays: z.array(z.object({ name: z.string().min(1), from: CalendarDate, to: CalendarDate.optional() })).min(1, "a year's schedule has at least 元旦 and 春节"),
    /** 调休上班: the weekend days made working days. */
    workdays: z.array(z.object({ name: z.string().min(1), date: CalendarDate })).default([]),
  })
  .superRefine((y, ctx) => {
    // A notice's days lie in its year, but 元旦 may start on the last days of the year before (2018: 2017-12-30).
    const first = `${y.year - 1}-12-01`;
    const last = `${y.year}-12-31`;
    const inYear = (d: string) => d >= first && d <= last;
    const off = new Set<string>();
    y.holidays.forEach((h, i) => {
      const to = h.to ?? h.from;
      if (to < h.from) ctx.addIssue({ code: "custom", path: ["holidays", i, "to"], message: `${h.name}: ends (${to}) before it starts (${h.from})` });
      else if (Date.parse(`${to}T00:00:00Z`) - Date.parse(`${h.from}T00:00:00Z`) > 30 * DAY) ctx.addIssue({ code: "custom", path: ["holidays", i, "to"], message: `${h.name}: ${h.from}–${to} is longer than a month` });
      for (const d of new Set([h.from, to])) if (!inYear(d)) ctx.addIssue({ code: "custom", path: ["holidays", i], message: `${h.name}: ${d} is outside the ${y.year} schedule (${first} – ${last})` });
      if (to >= h.from) for (const d of datesFrom(h.from, to)) off.add(d);
    });
    y.workdays.forEach((w, i) => {
      const day = weekday(w.date);
      if (day !== 0 && day !== 6) ctx.addIssue({ code: "custom", path: ["workdays", i, "date"], message: `${w.name}: a 调休 working day is a Saturday or Sunday; ${w.date} is a ${WEEKDAY[day]}` });
      if (!inYear(w.date)) ctx.addIssue({ code: "custom", path: ["workdays", i, "date"], message: `${w.name}: ${w.date} is outside the ${y.year} schedule (${first} – ${last})` });
      if (off.has(w.date)) ctx.addIssue({ code: "custom", path: ["workdays", i, "date"], message: `${w.name}: ${w.date} is listed both as a holiday and as a 调休 working day` });
    });
  });
export type HolidayYear = z.output<typeof HolidayYear>;

/**
 * config/holidays.yaml: the official 放假 / 调休 schedule of years the `chinese-days` package does not have yet
 * (the State Council publishes the next year's in November or December; the package follows some weeks later).
 * @example HolidaysConfig.parse({ years: [{ year: 2027, holidays: [{ name: "元旦", from: "2027-01-01" }], workdays: [] }] })
 */
export const HolidaysConfig = z
  .object({ years: z.array(HolidayYear).default([]) })
  .superRefine((c, ctx) => {
    const seen = new Set<number>();
    c.years.forEach((y, i) => {
      if (seen.has(y.year)) ctx.addIssue({ code: "custom", path: ["years", i, "year"], message: `${y.year} is listed twice` });
      seen.add(y.year);
    });
  });
export type HolidaysConfig = z.output<typeof HolidaysConfig>;

/** The configured days of a schedule, by date: working or not, and the name. */
export interface ConfiguredDays {
  years: ReadonlySet<number>;
  days: ReadonlyMap<string, { work: boolean; name: string }>;
}

/** Index a holidays config by date (validated input: no date is both off and working). */
export function configuredDays(config: HolidaysConfig | undefined): ConfiguredDays {
  const days = new Map<string, { work: boolean; name: string }>();
  for (const y of config?.years ?? []) {
    for (const h of y.holidays) for (const d of datesFrom(h.from, h.to ?? h.from)) days.set(d, { work: false, name: h.name });
    for (const w of y.workdays) days.set(w.date, { work: true, name: w.name });
  }
  return { years: new Set((config?.years ?? []).map((y) => y.year)), days };
}
