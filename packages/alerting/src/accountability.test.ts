import { describe, expect, it } from "vitest";
import { accountability } from "./accountability.js";
import { applyCommand, openAlert } from "./lifecycle.js";
import { composeMessage } from "./message.js";
import { dueItems } from "./schedule.js";
import { sampleIncident, testConfig } from "./testing/fixtures.js";

const config = testConfig();
const MIN = 60_000;
const H = 60 * MIN;
const onset = Date.parse("2024-05-01T02:00:00.000Z");
const t0 = onset + 10 * MIN;

describe("accountability", () => {
  it("counts per department: time to acknowledge, late acknowledgements, deadlines met, missed and overdue, dismissals and re-raises", () => {
    // Kunshan: one II acknowledged in 5 min and answered in time; one II acknowledged after 50 min, 5 h clock missed.
    let fast = openAlert(sampleIncident({ id: "inc-a" }), config, t0).alert;
    fast = applyCommand(fast, { type: "acknowledge", actor: "p-ks-duty" }, config, t0 + 5 * MIN).alert;
    fast = applyCommand(fast, { type: "respond", actor: "p-ks-duty" }, config, onset + 3 * H).alert;
    let slow = openAlert(sampleIncident({ id: "inc-b" }), config, t0).alert;
    slow = applyCommand(slow, { type: "acknowledge", actor: "p-ks-duty" }, config, t0 + 50 * MIN).alert;
    slow = applyCommand(slow, { type: "respond", actor: "p-ks-duty" }, config, onset + 6 * H).alert;
    // Education: a IV still unacknowledged and overdue at 49 h; a dismissed one that was re-raised.
    const edu = { topics: ["教育"], regions: [], title: "某学校食堂学生腹泻", level: "IV" as const };
    const stale = openAlert(sampleIncident({ id: "inc-c", ...edu }), config, t0).alert;
    let bounced = openAlert(sampleIncident({ id: "inc-d", ...edu, volume: 5 }), config, t0).alert;
    bounced = applyCommand(bounced, { type: "dismiss", actor: "p1", reason: "不实" }, config, t0 + H).alert;
    bounced = applyCommand(bounced, { type: "incident", incident: sampleIncident({ id: "inc-d", ...edu, volume: 40, revision: 2 }) }, config, t0 + 2 * H).alert;
    // Outside the period.
    const later = openAlert(sampleIncident({ id: "inc-e" }), config, Date.parse("2024-06-02T00:00:00Z")).alert;

    const report = accountability([fast, slow, stale, bounced, later], { from: "2024-05-01T00:00:00Z", to: "2024-06-01T00:00:00Z" }, onset + 49 * H, config.escalation.ackTarget);
    expect(report).toEqual([
      {
        department: "education",
        alerts: 2,
        acknowledged: 0,
        timeToAcknowledgeMs: null,
        lateAcknowledgements: 2,
        unacknowledgedNow: 2,
        deadlines: { met: 0, metLate: 0, missed: 2, overdueNow: 2, running: 0, backdated: 0 },
        dismissed: 0,
        reraised: 1,
      },
      {
        department: "kunshan-emergency",
        alerts: 2,
        acknowledged: 2,
        timeToAcknowledgeMs: { mean: 27.5 * MIN, median: 5 * MIN, p90: 50 * MIN, max: 50 * MIN },
        lateAcknowledgements: 1,
        unacknowledgedNow: 0,
        // Both press conferences are overdue at 49 h: missed and overdue now.
        deadlines: { met: 1, metLate: 1, missed: 3, overdueNow: 2, running: 0, backdated: 0 },
        dismissed: 0,
        reraised: 0,
      },
    ]);
  });
});

describe("composeMessage", () => {
  it("says in zh-CN what is due, by when, who answers, and keeps feed text from becoming markup", () => {
    const { alert } = openAlert(sampleIncident({ title: "[点我](https://evil.example) <@all> 化工厂爆炸" }), config, onset + 10 * MIN);
    const reminder = dueItems(alert, config.escalation, onset + 3 * H).send.find((i) => i.kind === "reminder");
    if (!reminder) throw new Error("no reminder due at T-2h");
    const message = composeMessage(alert, reminder, { departmentName: (id) => config.departments.departments.find((d) => d.id === id)?.name ?? id });
    expect(message.title).toBe("［点我］(https://evil.example) ＜@all＞ 化工厂爆炸");
    expect(message.body[0]).toBe("**催办**：权威信息发布时限 2024-05-01 15:00，距时限还有 2小时");
    expect(message.body).toContain("**责任单位**：昆山市应急管理局");
    expect(message.body).toContain("**协同单位**：市委宣传部、市委网信办、市公安局、市通信管理办公室");
    expect(message.deadlines).toEqual([
      { label: "权威信息发布", dueAt: "2024-05-01T07:00:00.000Z" },
      { label: "新闻发布会", dueAt: "2024-05-02T02:00:00.000Z" },
    ]);
  });
});
