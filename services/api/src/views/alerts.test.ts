import { describe, expect, it } from "vitest";
import type { Alert, Deadline } from "@liaowang/schemas";
import { alertTimeView, alertView, alertViewJson, compareUrgency } from "./alerts.js";

const H = 3_600_000;
const NOW = Date.parse("2024-05-01T12:00:00.000Z");
const iso = (ms: number) => new Date(ms).toISOString();

function deadline(clock: Deadline["clock"], dueInHours: number, extra: Partial<Deadline> = {}): Deadline {
  return { clock, dueAt: iso(NOW + dueInHours * H), hours: clock === "authoritative_info" ? 5 : clock === "press_conference" ? 24 : 48, metAt: null, milestoneId: null, cancelledAt: null, ...extra };
}

function alert(id: string, level: Alert["level"], deadlines: Deadline[], extra: Partial<Alert> = {}): Alert {
  const at = iso(NOW - H);
  return {
    v: 1, id, incidentId: id.replace("alert-", ""), title: id, level, levelReason: "", gradeHistory: [], onsetAt: at, onsetHistory: [], topics: [], regions: [], keywords: [],
    sourceCount: 1, volume: 1, incidentStatus: "open", incidentUpdatedAt: at, incidentRevision: 1, state: "new", stateChangedAt: at, openedAt: at, raisedAt: at, reraiseCount: 0,
    volumeAtDismissal: null, acknowledgedAt: null, acknowledgedBy: null, respondedAt: null, closedAt: null, dismissedAt: null, dismissReason: null, mergedInto: null,
    department: "hrss", departmentName: "人社局", coDepartments: [], routeReason: "", deadlines, deadlineHistory: [], milestones: [], notified: [], nextDueAt: null, seq: 1,
    pendingEvents: [], updatedAt: at, ...extra,
  };
}

describe("alertView", () => {
  it("derives each clock's status and remaining time from the stored deadline and now", () => {
    const view = alertView(alert("alert-a", "II", [deadline("authoritative_info", 1.5), deadline("press_conference", 20.5)]), NOW);
    expect(view.deadlines.map((d) => [d.label, d.status, d.remainingMs])).toEqual([
      ["权威信息发布", "running", 1.5 * H],
      ["新闻发布会", "running", 20.5 * H],
    ]);
    expect(view.nextDeadline?.clock).toBe("authoritative_info");
    expect(view.overdue).toBe(false);
    expect(view.levelName).toBe("重大");
    expect(view.stateLabel).toBe("预警（待确认）");
    expect("pendingEvents" in view).toBe(false);
  });

  it("counts an overdue clock as the next one and stops counting met or cancelled clocks", () => {
    const met = deadline("authoritative_info", -1, { metAt: iso(NOW - 2 * H), milestoneId: "m1" });
    const view = alertView(alert("alert-b", "I", [met, deadline("press_conference", -0.25)]), NOW);
    expect(view.deadlines.map((d) => [d.status, d.remainingMs])).toEqual([
      ["met", null],
      ["overdue", -0.25 * H],
    ]);
    expect(view.nextDeadline?.clock).toBe("press_conference");
    expect(view.overdue).toBe(true);
    const ended = alertView(alert("alert-c", "IV", [deadline("response", 3, { cancelledAt: iso(NOW - H) })], { state: "dismissed" }), NOW);
    expect(ended.nextDeadline).toBeNull();
    expect(ended.levelName).toBe("一般");
  });

  it("names an ungraded alert", () => {
    expect(alertView(alert("alert-d", null, [deadline("response", 40)]), NOW).levelName).toBe("未定级");
  });
});

describe("compareUrgency", () => {
  it("orders overdue first, then by the earliest running deadline, then alerts without a running clock by recency", () => {
    const views = [
      alert("alert-later", "IV", [deadline("response", 30)]),
      alert("alert-none-old", "IV", [], { raisedAt: iso(NOW - 5 * H) }),
      alert("alert-overdue", "III", [deadline("response", -2)]),
      alert("alert-soon", "II", [deadline("authoritative_info", 0.5), deadline("press_conference", 19.5)]),
      alert("alert-none-new", "IV", [], { raisedAt: iso(NOW - H) }),
    ].map((a) => alertView(a, NOW));
    expect(views.sort(compareUrgency).map((v) => v.id)).toEqual(["alert-overdue", "alert-soon", "alert-later", "alert-none-new", "alert-none-old"]);
  });

  it("breaks ties by level, then id", () => {
    const views = [alert("alert-b", "IV", [deadline("response", 1)]), alert("alert-c", "II", [deadline("authoritative_info", 1)]), alert("alert-a", "IV", [deadline("response", 1)])].map((a) => alertView(a, NOW));
    expect(views.sort(compareUrgency).map((v) => v.id)).toEqual(["alert-c", "alert-a", "alert-b"]);
  });
});

describe("alertViewJson", () => {
  it("is the view's JSON at each moment, the fixed fields serialised once per alert object and the clocks each time", () => {
    const alerts = [
      alert("alert-a", "II", [deadline("authoritative_info", 1.5), deadline("press_conference", 20.5)], { pendingEvents: [] }),
      alert("alert-b", "I", [deadline("authoritative_info", -1, { metAt: iso(NOW - 2 * H), milestoneId: "m1" }), deadline("press_conference", 0.001)]),
      alert("alert-c", null, [deadline("response", 3, { cancelledAt: iso(NOW - H) })], { state: "dismissed", dismissReason: "误报：\"引号\"与换行\n" }),
      alert("alert-d", "IV", []),
    ];
    // The same objects at three moments: before, across and after alert-b's press-conference clock runs out.
    for (const now of [NOW, NOW + 10_000, NOW + H]) {
      for (const a of alerts) expect(JSON.parse(alertViewJson(a, alertTimeView(a, now)))).toEqual(JSON.parse(JSON.stringify(alertView(a, now))));
    }
    expect(JSON.parse(alertViewJson(alerts[1] as Alert, alertTimeView(alerts[1] as Alert, NOW + H))).overdue).toBe(true);
  });

  it("serialises a changed alert afresh (a new stored version is a new object)", () => {
    const before = alert("alert-e", "III", [deadline("response", 10)]);
    const after = { ...before, level: "II" as const, volume: 99 };
    expect(JSON.parse(alertViewJson(before, alertTimeView(before, NOW)))).toMatchObject({ level: "III", volume: 1, levelName: "较大" });
    expect(JSON.parse(alertViewJson(after, alertTimeView(after, NOW)))).toMatchObject({ level: "II", volume: 99, levelName: "重大" });
  });
});
