import { describe, expect, it } from "vitest";
import { chineseCalendar } from "./calendar.js";
import { deadlineStatus } from "./clocks.js";
import { applyCommand } from "./lifecycle.js";
import { openPolicyAlert, policyAlertId } from "./policy.js";
import { dueItems } from "./schedule.js";
import { testConfig } from "./testing/fixtures.js";

const calendar = chineseCalendar();
const config = testConfig();
const bj = (text: string) => Date.parse(`${text}+08:00`);
const doc = { title: "关于进一步稳定和扩大就业的若干措施", docNumber: "某政发〔2026〕12号", publishedAt: "2026-09-29T10:00:00+08:00", department: "education", registeredBy: "p-duty-1" };

describe("the 3-working-day clock of a major policy document", () => {
  it("is due at 24:00 of the third working day after publication, skipping the National Day holiday", () => {
    const { alert, events } = openPolicyAlert(doc, config, calendar, bj("2026-09-29T11:00:00"));
    expect(alert.deadlines).toEqual([expect.objectContaining({ clock: "policy_interpretation", dueAt: "2026-10-09T16:00:00.000Z", metAt: null })]);
    expect(alert.policyDocument).toMatchObject({ workingDays: 3, dueAt: "2026-10-09T16:00:00.000Z", docNumber: "某政发〔2026〕12号" });
    expect(alert).toMatchObject({ state: "new", department: "education", departmentName: "市教育局", level: null });
    expect(alert.levelReason).toContain("3 个工作日内发布解读材料");
    expect(events).toEqual([expect.objectContaining({ type: "opened", actor: "p-duty-1", seq: 1 })]);
    expect(alert.pendingEvents).toHaveLength(1);
  });

  it("counts a 调休 Saturday as a working day", () => {
    const { alert } = openPolicyAlert({ ...doc, publishedAt: "2026-10-09T16:00:00+08:00" }, config, calendar, bj("2026-10-09T17:00:00"));
    // 10-10 (调休 Saturday), 10-12, 10-13.
    expect(alert.deadlines[0]?.dueAt).toBe("2026-10-13T16:00:00.000Z");
  });

  it("reminds before the deadline like every other clock and stops when the interpretation is published", () => {
    const { alert } = openPolicyAlert(doc, config, calendar, bj("2026-09-29T11:00:00"));
    const flushed = applyCommand(alert, { type: "notified", items: [{ key: `${alert.id}:g0:new`, at: "2026-09-29T03:00:00.000Z", outcome: "enqueued" }] }, config, bj("2026-09-29T11:00:00")).alert;
    const reminders = { ...config.escalation, policies: [], quietHours: undefined };
    expect(dueItems(flushed, reminders, bj("2026-10-09T21:59:00")).send).toEqual([]);
    const late = dueItems(flushed, reminders, bj("2026-10-09T22:00:00"));
    expect(late.send.map((i) => [i.kind, i.label, i.clock])).toEqual([["reminder", "T-2h", "policy_interpretation"]]);
    const published = applyCommand(flushed, { type: "record_milestone", actor: "p-duty-1", kind: "info_published", at: "2026-10-08T09:00:00+08:00", link: "https://gov.example/jd/1" }, config, bj("2026-10-08T10:00:00")).alert;
    expect(deadlineStatus(published.deadlines[0]!, bj("2026-10-10T10:00:00"))).toBe("met");
    expect(dueItems(published, reminders, bj("2026-10-09T22:00:00")).send).toEqual([]);
  });

  it("keeps its fixed clock through dismiss and re-raise, and refuses an onset correction", () => {
    const { alert } = openPolicyAlert(doc, config, calendar, bj("2026-09-29T11:00:00"));
    const dismissed = applyCommand(alert, { type: "dismiss", actor: "p1", reason: "非重大政策" }, config, bj("2026-09-29T12:00:00")).alert;
    const back = applyCommand(dismissed, { type: "reraise", actor: "p1" }, config, bj("2026-09-29T13:00:00")).alert;
    expect(back.deadlines.map((d) => [d.clock, d.dueAt])).toEqual([["policy_interpretation", "2026-10-09T16:00:00.000Z"]]);
    expect(() => applyCommand(back, { type: "correct_onset", actor: "p1", onsetAt: "2026-09-28T10:00:00+08:00", reason: "x" }, config, bj("2026-09-29T14:00:00"))).toThrow(/policy document/);
  });

  it("derives one id per document and refuses bad input", () => {
    expect(policyAlertId(doc)).toBe(policyAlertId({ ...doc, title: "另一个标题" }));
    expect(policyAlertId(doc)).not.toBe(policyAlertId({ ...doc, docNumber: "某政发〔2026〕13号" }));
    expect(() => openPolicyAlert({ ...doc, department: "nowhere" }, config, calendar, bj("2026-09-29T11:00:00"))).toThrow(/unknown department "nowhere"/);
    expect(() => openPolicyAlert({ ...doc, publishedAt: "2026-10-01T10:00:00+08:00" }, config, calendar, bj("2026-09-29T11:00:00"))).toThrow(/in the future/);
  });
});

describe("a policy document registered late in December (the calendar ends with 2026)", () => {
  it("counts 2027 Monday–Friday and says so in the deadline's reason", () => {
    const late = { ...doc, publishedAt: "2026-12-29T10:00:00+08:00" };
    const { alert } = openPolicyAlert(late, config, calendar, bj("2026-12-29T11:00:00"));
    // 12-30, 12-31, then Friday 2027-01-01, which no published schedule covers yet.
    expect(alert.deadlines[0]?.dueAt).toBe("2027-01-01T16:00:00.000Z");
    expect(alert.levelReason).toContain("2027年节假日安排尚未发布，暂按周一至周五计算，发布后请更新日历");
    expect(alert.policyDocument?.calendarNote).toBe("2027年节假日安排尚未发布，暂按周一至周五计算，发布后请更新日历");
  });

  it("says nothing of the calendar when every counted day is covered", () => {
    const { alert } = openPolicyAlert(doc, config, calendar, bj("2026-09-29T11:00:00"));
    expect(alert.levelReason).not.toContain("节假日安排尚未发布");
    expect(alert.policyDocument?.calendarNote).toBeUndefined();
  });
});
