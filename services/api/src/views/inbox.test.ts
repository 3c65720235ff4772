import { describe, expect, it } from "vitest";
import { applyCommand, DepartmentsConfig, dueItems, EscalationConfig, openAlert, type AlertingConfig, type IncidentInput } from "@liaowang/alerting";
import { inbox } from "./inbox.js";

const departments = DepartmentsConfig.parse({
  departments: [
    { id: "office", name: "市政府办公室" },
    { id: "hrss", name: "市人力资源和社会保障局", parent: "office", topics: ["工资拖欠"] },
    { id: "propaganda", name: "市委宣传部" },
  ],
  routing: { default: "office", coNotifyMajor: ["propaganda"] },
});
const escalation = EscalationConfig.parse({
  policies: [
    {
      id: "major",
      levels: ["I", "II"],
      steps: [
        { id: "duty-late", after: "10m", notify: [{ department: "responsible", audience: "duty" }] },
        { id: "head-late", after: "20m", notify: [{ department: "responsible", audience: "head" }] },
        { id: "parent-before", beforeDeadline: "1h", notify: [{ department: "parent", audience: "leader" }] },
      ],
    },
  ],
});
const config: AlertingConfig = { departments, escalation };
const t0 = Date.parse("2026-12-02T01:00:00Z");
const incident = (id: string, level: "II" | "IV"): IncidentInput => ({
  id,
  title: `讨薪 ${id}`,
  onsetAt: new Date(t0).toISOString(),
  level,
  levelReason: "test",
  topics: ["工资拖欠"],
  regions: [],
  keywords: [],
  sourceCount: 2,
  volume: 5,
  status: "open",
  updatedAt: new Date(t0).toISOString(),
  revision: 1,
});

/** The alert as the alerter's scans leave it at `at`: everything due recorded as notified. */
function scanned(id: string, level: "II" | "IV", at: number) {
  let alert = openAlert(incident(id, level), config, t0).alert;
  for (let t = t0; t <= at; t += 60_000) {
    const due = dueItems(alert, escalation, t);
    const items = [...due.send, ...due.superseded].map((i) => ({ key: i.key, at: new Date(t).toISOString(), outcome: due.send.includes(i) ? ("enqueued" as const) : ("superseded" as const) }));
    if (items.length) alert = applyCommand(alert, { type: "notified", items }, config, t).alert;
  }
  return alert;
}

describe("department inbox", () => {
  it("lists escalations addressed to the department's leadership, not the duty-level ones", () => {
    const major = scanned("inc-a", "II", t0 + 25 * 60_000);
    const minor = scanned("inc-b", "IV", t0 + 25 * 60_000);
    const box = inbox([major, minor], "hrss", departments, escalation, t0 + 25 * 60_000);
    expect(box.escalated.map((a) => [a.id, a.escalations.map((e) => e.stepId)])).toEqual([["alert-inc-a", ["head-late"]]]);
    expect(box.escalated[0]?.escalations[0]?.at).toBe("2026-12-02T01:20:00.000Z");
    expect(box.open.map((a) => a.id)).toEqual(["alert-inc-a", "alert-inc-b"]); // the 5 h clock is due before the 48 h one
    expect(box.overdue).toBe(0);
    expect(box.watching).toEqual([]);
  });

  it("lists a child department's alert escalated to the parent among the parent's escalations (not its open alerts), and gives co-notified departments a watch list", () => {
    const late = scanned("inc-c", "II", t0 + 4 * 3_600_000 + 5 * 60_000);
    const parent = inbox([late], "office", departments, escalation, t0 + 4.1 * 3_600_000);
    // office is not responsible (no open alert of its own), but the parent step addressed its leader about hrss's alert
    expect(parent.open).toEqual([]);
    expect(parent.escalated.map((a) => [a.id, a.escalations.map((e) => e.stepId)])).toEqual([["alert-inc-c", ["parent-before"]]]);
    const forHrss = inbox([late], "hrss", departments, escalation, t0 + 4.1 * 3_600_000);
    expect(forHrss.escalated[0]?.escalations.map((e) => e.stepId)).toEqual(["head-late"]);
    const watch = inbox([late], "propaganda", departments, escalation, t0 + 6 * 3_600_000);
    expect(watch.watching.map((a) => a.id)).toEqual(["alert-inc-c"]);
    expect(watch.watching[0]?.overdue).toBe(true);
    expect(inbox([late], "hrss", departments, undefined, t0).escalated).toEqual([]);
  });
});
