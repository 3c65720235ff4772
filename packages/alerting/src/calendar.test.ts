import { describe, expect, it } from "vitest";
import { beijingDate, chineseCalendar, dayKind, nthWorkdayAfter, workingDaysDue, type WorkCalendar } from "./calendar.js";

const calendar = chineseCalendar();

describe("the official calendar (chinese-days)", () => {
  it("knows public holidays on weekdays and 调休 working weekends", () => {
    expect(calendar.isWorkday("2026-10-01")).toBe(false); // Thursday, 国庆节
    expect(calendar.dayName("2026-10-01")).toBe("国庆节");
    expect(calendar.isWorkday("2026-10-10")).toBe(true); // Saturday made a working day (调休)
    expect(dayKind("2026-10-10", calendar)).toBe("workday");
    expect(calendar.isWorkday("2026-10-11")).toBe(false); // an ordinary Sunday
    expect(calendar.isWorkday("2026-02-17")).toBe(false); // Tuesday in 春节
    expect(calendar.isWorkday("2026-12-02")).toBe(true); // an ordinary Wednesday
  });

  it("says which years it covers and falls back to Monday–Friday beyond them", () => {
    expect(calendar.covers(2026)).toBe(true);
    const far = 2099;
    expect(calendar.covers(far)).toBe(false);
    expect(calendar.isWorkday("2099-01-01")).toBe(true); // a Thursday, no schedule known
    expect(calendar.isWorkday("2099-01-03")).toBe(false); // a Saturday
    expect(calendar.dayName("2099-01-01")).toBeUndefined();
  });

  it("rejects malformed dates", () => {
    expect(() => calendar.isWorkday("2026-13-01")).toThrow(/YYYY-MM-DD/);
  });
});

describe("counting working days", () => {
  it("uses the Beijing date of an instant", () => {
    expect(beijingDate(Date.parse("2026-09-30T16:00:00Z"))).toBe("2026-10-01");
    expect(beijingDate(Date.parse("2026-09-30T15:59:59Z"))).toBe("2026-09-30");
  });

  it("skips the National Day week and counts the 调休 Saturday", () => {
    expect(nthWorkdayAfter("2026-09-30", 1, calendar)).toBe("2026-10-08");
    expect(nthWorkdayAfter("2026-10-09", 1, calendar)).toBe("2026-10-10"); // 调休 Saturday
    expect(nthWorkdayAfter("2026-10-09", 2, calendar)).toBe("2026-10-12");
  });

  it("puts a 3-working-day deadline at 24:00 Beijing of the third working day after publication", () => {
    // Tuesday 2026-09-29 10:00 → 09-30, 10-08, 10-09 (the holiday week does not count).
    expect(new Date(workingDaysDue(Date.parse("2026-09-29T02:00:00Z"), 3, calendar)).toISOString()).toBe("2026-10-09T16:00:00.000Z");
    // Published on a holiday (10-03): 10-08, 10-09, 10-10 (调休 Saturday).
    expect(new Date(workingDaysDue(Date.parse("2026-10-03T04:00:00Z"), 3, calendar)).toISOString()).toBe("2026-10-10T16:00:00.000Z");
    // Friday 23:30 Beijing is still Friday: Monday, Tuesday, Wednesday.
    expect(new Date(workingDaysDue(Date.parse("2026-12-04T15:30:00Z"), 3, calendar)).toISOString()).toBe("2026-12-09T16:00:00.000Z");
  });

  it("takes any calendar, e.g. one where every day is a working day", () => {
    const always: WorkCalendar = { isWorkday: () => true, dayName: () => undefined, covers: () => true };
    expect(nthWorkdayAfter("2026-10-01", 3, always)).toBe("2026-10-04");
    expect(() => nthWorkdayAfter("2026-10-01", 0, always)).toThrow(/≥ 1/);
  });
});
