import { describe, expect, it } from "vitest";
import { parse as parseYaml } from "yaml";
import { calendarCoverage, chineseCalendar, holidayConflicts, nthWorkdayAfter, uncoveredNote, workingDaysDeadline } from "./calendar.js";
import { HolidaysConfig } from "./holidays.js";

/** Beijing wall time → instant. */
const bj = (text: string) => Date.parse(`${text}+08:00`);

// A made-up 2027 schedule for the tests (not the official one, which is not published yet): 元旦 Friday 01-01 to
// Sunday 01-03, with Saturday 01-09 made a working day, and 春节 02-06 – 02-12 with Sunday 02-14 worked.
const year2027 = {
  year: 2027,
  notice: "测试用安排",
  holidays: [
    { name: "元旦", from: "2027-01-01", to: "2027-01-03" },
    { name: "春节", from: "2027-02-06", to: "2027-02-12" },
  ],
  workdays: [
    { name: "元旦", date: "2027-01-09" },
    { name: "春节", date: "2027-02-14" },
  ],
};

describe("config/holidays.yaml", () => {
  it("reads the YAML form, unquoted dates included", () => {
    const yaml = "years:\n  - year: 2027\n    holidays:\n      - { name: 元旦, from: 2027-01-01, to: 2027-01-03 }\n    workdays:\n      - { name: 元旦, date: 2027-01-09 }\n";
    const config = HolidaysConfig.parse(parseYaml(yaml));
    expect(config.years[0]).toMatchObject({ year: 2027, holidays: [{ name: "元旦", from: "2027-01-01", to: "2027-01-03" }], workdays: [{ name: "元旦", date: "2027-01-09" }] });
  });

  it("refuses a 调休 working day that is no weekend day, a date both off and worked, dates outside the year and a year twice", () => {
    const issues = (input: unknown) => {
      const result = HolidaysConfig.safeParse(input);
      return result.success ? [] : result.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`);
    };
    expect(issues({ years: [{ ...year2027, workdays: [{ name: "春节", date: "2027-02-15" }] }] })).toEqual(["years.0.workdays.0.date: 春节: a 调休 working day is a Saturday or Sunday; 2027-02-15 is a 星期一"]);
    expect(issues({ years: [{ ...year2027, workdays: [{ name: "元旦", date: "2027-01-02" }] }] })).toEqual(["years.0.workdays.0.date: 元旦: 2027-01-02 is listed both as a holiday and as a 调休 working day"]);
    expect(issues({ years: [{ ...year2027, holidays: [{ name: "国庆节", from: "2028-10-01" }] }] })).toEqual(["years.0.holidays.0: 国庆节: 2028-10-01 is outside the 2027 schedule (2026-12-01 – 2027-12-31)"]);
    expect(issues({ years: [{ ...year2027, holidays: [{ name: "国庆节", from: "2027-10-07", to: "2027-10-01" }] }] })).toEqual(["years.0.holidays.0.to: 国庆节: ends (2027-10-01) before it starts (2027-10-07)"]);
    expect(issues({ years: [year2027, year2027] })).toEqual(["years.1.year: 2027 is listed twice"]);
    expect(issues({ years: [{ ...year2027, holidays: [{ name: "元旦", from: "2027-02-30" }] }] })).toEqual(["years.0.holidays.0.from: not a calendar date"]);
  });
});

describe("a deadline crossing into a year the package does not cover", () => {
  const packageOnly = chineseCalendar();

  it("counts Monday–Friday in the uncovered year and says so in zh-CN", () => {
    expect(packageOnly.covers(2026)).toBe(true);
    expect(packageOnly.covers(2027)).toBe(false);
    // Published Tuesday 2026-12-29: 12-30, 12-31 (covered), then Friday 2027-01-01 counted as a working day.
    const counted = workingDaysDeadline(bj("2026-12-29T10:00:00"), 3, packageOnly);
    expect(counted.lastDay).toBe("2027-01-01");
    expect(new Date(counted.dueAt).toISOString()).toBe("2027-01-01T16:00:00.000Z");
    expect(counted.note).toBe("2027年节假日安排尚未发布，暂按周一至周五计算，发布后请更新日历");
  });

  it("has no note when every day counted is covered", () => {
    const counted = workingDaysDeadline(bj("2026-12-24T10:00:00"), 3, packageOnly); // 12-25, 12-28, 12-29
    expect(counted.lastDay).toBe("2026-12-29");
    expect(counted.note).toBeUndefined();
    expect(uncoveredNote("2026-12-25", "2026-12-29", packageOnly)).toBeUndefined();
  });

  it("uses the configured 2027 schedule: holidays skipped, the 调休 Saturday counted", () => {
    const calendar = chineseCalendar(HolidaysConfig.parse({ years: [year2027] }));
    expect(calendar.covers(2027)).toBe(true);
    expect(calendar.isWorkday("2027-01-01")).toBe(false);
    expect(calendar.dayName("2027-01-01")).toBe("元旦");
    expect(calendar.isWorkday("2027-01-09")).toBe(true); // Saturday made a working day
    expect(calendar.isWorkday("2027-01-10")).toBe(false); // an ordinary Sunday
    expect(calendar.isWorkday("2027-01-11")).toBe(true); // an ordinary Monday
    // Published Tuesday 2026-12-29: 12-30, 12-31, then 01-04 (元旦 01-01 – 01-03 off); no note, 2027 is known.
    const crossing = workingDaysDeadline(bj("2026-12-29T10:00:00"), 3, calendar);
    expect(crossing.lastDay).toBe("2027-01-04");
    expect(crossing.note).toBeUndefined();
    // Published Thursday 2027-01-07: Friday 01-08, Saturday 01-09 (调休), Monday 01-11.
    expect(nthWorkdayAfter("2027-01-07", 3, calendar)).toBe("2027-01-11");
    expect(new Date(workingDaysDeadline(bj("2027-01-07T15:00:00"), 3, calendar).dueAt).toISOString()).toBe("2027-01-11T16:00:00.000Z");
    // The package's years are untouched.
    expect(calendar.isWorkday("2026-10-10")).toBe(true);
    expect(calendar.isWorkday("2026-10-01")).toBe(false);
  });

  it("lets the config's listed days win over the package and reports where they differ", () => {
    const correction = HolidaysConfig.parse({ years: [{ year: 2026, holidays: [{ name: "测试假日", from: "2026-12-04" }], workdays: [] }] });
    expect(chineseCalendar(correction).isWorkday("2026-12-04")).toBe(false);
    expect(holidayConflicts(correction)).toEqual([{ year: 2026, date: "2026-12-04", config: "restday", package: "workday" }]);
    expect(holidayConflicts(HolidaysConfig.parse({ years: [year2027] }))).toEqual([]);
  });
});

describe("how far the calendar reaches (injected clock)", () => {
  it("warns within 60 days of its end and names the year to add", () => {
    const calendar = chineseCalendar();
    const now = bj("2026-12-03T09:00:00");
    expect(calendarCoverage(calendar, now)).toEqual({
      today: "2026-12-03",
      coveredUntil: "2026-12-31",
      daysLeft: 28,
      warning: "节假日日历只到2026-12-31（还有28天）：2027年节假日安排发布后请更新 chinese-days 或在 config/holidays.yaml 中补充",
    });
    expect(calendarCoverage(calendar, bj("2026-10-01T09:00:00")).warning).toBeNull(); // 91 days left
    expect(calendarCoverage(calendar, bj("2026-11-02T09:00:00")).daysLeft).toBe(59);
    expect(calendarCoverage(calendar, bj("2026-11-02T09:00:00")).warning).not.toBeNull();
  });

  it("reaches the end of a configured year, and says when this year is not covered at all", () => {
    const calendar = chineseCalendar(HolidaysConfig.parse({ years: [year2027] }));
    expect(calendarCoverage(calendar, bj("2026-12-03T09:00:00"))).toMatchObject({ coveredUntil: "2027-12-31", daysLeft: 393, warning: null });
    expect(calendarCoverage(chineseCalendar(), bj("2027-01-05T09:00:00"))).toEqual({
      today: "2027-01-05",
      coveredUntil: null,
      daysLeft: 0,
      warning: "2027年节假日安排尚未录入，暂按周一至周五计算工作日；发布后请更新 chinese-days 或在 config/holidays.yaml 中补充",
    });
  });
});
