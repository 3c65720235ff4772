import { describe, expect, it } from "vitest";
import { EscalationConfig } from "./config.js";
import { composeDigests, digestKey, previousDate, zonedDate, zonedDayStart } from "./digest.js";
import { applyCommand, openAlert } from "./lifecycle.js";
import { departmentRecipients } from "./recipients.js";
import { sampleIncident, testConfig } from "./testing/fixtures.js";

const config = testConfig();
const MIN = 60_000;
const H = 60 * MIN;
// 08:00 Beijing on 2 May; "yesterday" is 1 May Beijing = [30 Apr 16:00Z, 1 May 16:00Z).
const now = Date.parse("2024-05-02T00:00:00.000Z");
const options = { departments: config.departments, ackTargetMs: config.escalation.ackTarget, timeZone: "Asia/Shanghai" };

function fixtures() {
  // Kunshan: a II opened yesterday, acknowledged after 5 min; its 5 h clock is overdue, the 24 h one runs.
  let kunshan = openAlert(sampleIncident({ id: "inc-ks" }), config, Date.parse("2024-05-01T02:10:00.000Z")).alert;
  kunshan = applyCommand(kunshan, { type: "acknowledge", actor: "p-ks-duty" }, config, Date.parse("2024-05-01T02:15:00.000Z")).alert;
  // Education: a III opened the day before yesterday, still live, nothing opened yesterday.
  const education = openAlert(
    sampleIncident({ id: "inc-edu", level: "III", title: "某学校食堂食物中毒", topics: ["教育"], keywords: ["学校"], regions: [], onsetAt: "2024-04-30T01:00:00.000Z" }),
    config,
    Date.parse("2024-04-30T01:05:00.000Z"),
  ).alert;
  // Government office: one opened yesterday and dismissed, so nothing live but yesterday's figures.
  let office = openAlert(sampleIncident({ id: "inc-office", level: "IV", title: "网传某路段积水", topics: [], keywords: [], regions: [], onsetAt: "2024-05-01T03:00:00.000Z" }), config, Date.parse("2024-05-01T03:05:00.000Z")).alert;
  office = applyCommand(office, { type: "dismiss", actor: "p-office-head", reason: "旧闻" }, config, Date.parse("2024-05-01T04:00:00.000Z")).alert;
  // Closed long ago in the education department: neither live nor yesterday's.
  let old = openAlert(sampleIncident({ id: "inc-old", level: "IV", title: "旧事件", topics: ["教育"], keywords: ["学校"], regions: [], onsetAt: "2024-04-20T01:00:00.000Z" }), config, Date.parse("2024-04-20T01:05:00.000Z")).alert;
  old = applyCommand(old, { type: "acknowledge", actor: "p-office-head" }, config, Date.parse("2024-04-20T01:10:00.000Z")).alert;
  old = applyCommand(old, { type: "respond", actor: "p-office-head" }, config, Date.parse("2024-04-20T02:00:00.000Z")).alert;
  old = applyCommand(old, { type: "close", actor: "p-office-head" }, config, Date.parse("2024-04-21T01:00:00.000Z")).alert;
  return { kunshan, education, office, old };
}

describe("daily digest", () => {
  it("dates, day starts and keys follow the configured time zone", () => {
    expect(zonedDate(Date.parse("2024-05-01T15:59:00Z"), "Asia/Shanghai")).toBe("2024-05-01");
    expect(zonedDate(Date.parse("2024-05-01T16:00:00Z"), "Asia/Shanghai")).toBe("2024-05-02");
    expect(zonedDate(Date.parse("2024-05-01T16:00:00Z"), "UTC")).toBe("2024-05-01");
    expect(new Date(zonedDayStart("2024-05-02", "Asia/Shanghai")).toISOString()).toBe("2024-05-01T16:00:00.000Z");
    expect(new Date(zonedDayStart("2024-03-31", "Europe/Berlin")).toISOString()).toBe("2024-03-30T23:00:00.000Z");
    expect(new Date(zonedDayStart("2024-04-01", "Europe/Berlin")).toISOString()).toBe("2024-03-31T22:00:00.000Z");
    expect(previousDate("2024-03-01")).toBe("2024-02-29");
    expect(digestKey("emergency", "2024-05-02")).toBe("digest:emergency:2024-05-02");
  });

  it("composes one digest per department with live alerts or yesterday's alerts, and none for the rest", () => {
    const { kunshan, education, office, old } = fixtures();
    const digests = composeDigests([old, office, education, kunshan], options, now);
    expect(digests.map((d) => [d.department, d.key])).toEqual([
      ["gov-office", "digest:gov-office:2024-05-02"],
      ["kunshan-emergency", "digest:kunshan-emergency:2024-05-02"],
      ["education", "digest:education:2024-05-02"],
    ]);

    const ks = digests.find((d) => d.department === "kunshan-emergency");
    expect(ks?.title).toBe("昆山市应急管理局每日预警简报（2024-05-02）");
    expect(ks?.overdue).toBe(1);
    expect(ks?.alerts[0]).toMatchObject({ alertId: kunshan.id, level: "II", state: "acknowledged", overdue: true, next: { label: "权威信息发布", dueAt: "2024-05-01T07:00:00.000Z" } });
    expect(ks?.body).toEqual([
      "**在办预警**：1 起，其中超时 1 起",
      "1. II级　昆山某化工厂发生爆炸，已造成12人遇难｜研判中｜权威信息发布时限 2024-05-01 15:00，已超时 17小时",
      "**昨日（2024-05-01）**：新增预警 1 起，已确认 1 起，平均确认用时 5分钟，确认超时 0 起；时限按时完成 0 项、超时 1 项（其中仍未完成 1 项）；排除 0 起，重新预警 0 次",
    ]);

    const edu = digests.find((d) => d.department === "education");
    expect(edu?.yesterday).toBeNull();
    expect(edu?.alerts.map((a) => a.alertId)).toEqual([education.id]);
    expect(edu?.body.at(-1)).toBe("**昨日（2024-05-01）**：无新增预警");
    expect(edu?.body[1]).toMatch(/^1\. III级　某学校食堂食物中毒｜预警（待确认）｜.+时限 2024-05-0\d \d\d:\d\d，剩余 .+$/);

    const gov = digests.find((d) => d.department === "gov-office");
    expect(gov?.alerts).toEqual([]);
    expect(gov?.body[0]).toBe("**在办预警**：0 起，其中超时 0 起");
    expect(gov?.yesterday).toMatchObject({ alerts: 1, dismissed: 1 });
  });

  it("sends nothing when no department has live alerts or alerts yesterday", () => {
    const { old } = fixtures();
    expect(composeDigests([old], options, now)).toEqual([]);
    expect(composeDigests([], options, now)).toEqual([]);
  });

  it("keys stay the same across runs of one day and change with the date", () => {
    const { kunshan } = fixtures();
    const first = composeDigests([kunshan], options, now).map((d) => d.key);
    const later = composeDigests([kunshan], options, now + 15 * H + 59 * MIN).map((d) => d.key);
    const nextDay = composeDigests([kunshan], options, now + 16 * H).map((d) => d.key);
    expect(later).toEqual(first);
    expect(nextDay).toEqual(["digest:kunshan-emergency:2024-05-03"]);
  });

  it("orders live alerts by level, then next deadline", () => {
    const a = openAlert(sampleIncident({ id: "inc-iv", level: "IV" }), config, now - H).alert;
    const b = openAlert(sampleIncident({ id: "inc-i", level: "I" }), config, now - H).alert;
    expect(composeDigests([a, b], options, now)[0]?.alerts.map((x) => x.level)).toEqual(["I", "IV"]);
  });

  it("validates digest settings: defaults, time zone, audience", () => {
    expect(EscalationConfig.parse({}).digest).toBeUndefined();
    expect(EscalationConfig.parse({ digest: { schedule: "0 8 * * *" } }).digest).toEqual({ schedule: "0 8 * * *", timezone: "Asia/Shanghai", audience: "group" });
    expect(EscalationConfig.safeParse({ digest: { schedule: "0 8 * * *", timezone: "Mars/Olympus" } }).success).toBe(false);
    expect(EscalationConfig.safeParse({ digest: { schedule: "0 8 * * *", audience: "duty" } }).success).toBe(false);
  });

  it("reaches a department's group targets or its heads", () => {
    const emergency = config.departments.departments.find((d) => d.id === "emergency");
    if (!emergency) throw new Error("fixture department emergency missing");
    expect(departmentRecipients(emergency, "group").map((r) => r.via)).toEqual([{ type: "target", targetId: "emergency-wecom" }]);
    expect(departmentRecipients(emergency, "head").map((r) => [r.via, r.ackAs])).toEqual([
      [{ type: "person", personId: "p-em-head", channel: "sms" }, "p-em-head"],
      [{ type: "person", personId: "p-em-head", channel: "email" }, "p-em-head"],
    ]);
  });
});
