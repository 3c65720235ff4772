import { describe, expect, it } from "vitest";
import { briefDateBefore, briefPeriod, composeBrief, trendText, type BriefInput } from "./brief.js";
import { applyCommand, openAlert } from "./lifecycle.js";
import { sampleIncident, testConfig } from "./testing/fixtures.js";

const config = testConfig();
const TZ = "Asia/Shanghai";
// The brief of 1 May (Beijing) = [30 Apr 16:00Z, 1 May 16:00Z), composed at 08:00 on 2 May.
const now = Date.parse("2024-05-02T00:00:00.000Z");

function alerts() {
  // A II opened on 1 May at 10:10 (onset 10:00): information published at 14:00 (within 5 h), no press conference
  // by 2 May 10:00 — that clock is still running at 08:00 on 2 May, so it is neither met nor missed.
  let kunshan = openAlert(sampleIncident({ id: "inc-ks" }), config, Date.parse("2024-05-01T02:10:00.000Z")).alert;
  kunshan = applyCommand(kunshan, { type: "acknowledge", actor: "p-duty" }, config, Date.parse("2024-05-01T02:15:00.000Z")).alert;
  kunshan = applyCommand(kunshan, { type: "respond", actor: "p-duty", publishedAt: "2024-05-01T06:00:00.000Z" }, config, Date.parse("2024-05-01T06:05:00.000Z")).alert;
  // A III opened on 29 April, never answered: its 48 h clock fell due on 1 May 09:00 Beijing → missed.
  const school = openAlert(
    sampleIncident({ id: "inc-edu", level: "III", title: "某学校食堂食物中毒", topics: ["教育"], keywords: ["学校"], regions: [], onsetAt: "2024-04-29T01:00:00.000Z" }),
    config,
    Date.parse("2024-04-29T01:05:00.000Z"),
  ).alert;
  // A IV closed long before the day: not in the brief at all.
  let old = openAlert(sampleIncident({ id: "inc-old", level: "IV", title: "旧事件", topics: [], keywords: [], regions: [], onsetAt: "2024-04-20T01:00:00.000Z" }), config, Date.parse("2024-04-20T01:05:00.000Z")).alert;
  old = applyCommand(old, { type: "dismiss", actor: "p-duty", reason: "旧闻" }, config, Date.parse("2024-04-20T02:00:00.000Z")).alert;
  return { kunshan, school, old };
}

function input(): BriefInput {
  const { kunshan, school, old } = alerts();
  return {
    alerts: [kunshan, school, old],
    volume: { count: 120, previous: 80 },
    topics: [{ key: "安全生产", count: 40, previous: 10, samples: [{ docId: "d1", title: "化工厂爆炸", source: "微博" }] }],
    hotWords: [
      { key: "爆炸", count: 30, previous: 0, samples: [{ docId: "d1", title: "化工厂爆炸", source: "微博" }] },
      { key: "工资", count: 8, previous: 10, samples: [] },
      { key: "无", count: 0, previous: 3, samples: [] },
    ],
    negative: [{ docId: "d9", source: "论坛", title: "食堂饭菜吃出问题", url: "https://bbs.example/9", publishedAt: "2024-05-01T03:00:00.000Z", score: -0.8, engagement: 12 }],
  };
}

describe("daily brief", () => {
  it("covers the calendar day in the time zone and reports on the day before in the morning", () => {
    expect(briefPeriod("2024-05-01", TZ)).toEqual({ from: "2024-04-30T16:00:00.000Z", to: "2024-05-01T16:00:00.000Z" });
    expect(briefDateBefore(now, TZ)).toBe("2024-05-01");
  });

  it("every line rests on at least one alert, document or search of the day", () => {
    const brief = composeBrief(input(), { date: "2024-05-01", timeZone: TZ }, now);
    const lines = [...brief.summary, ...brief.sections.flatMap((s) => s.lines)];
    expect(lines.length).toBeGreaterThan(8);
    for (const line of lines) expect(line.refs.length, line.text).toBeGreaterThan(0);
    for (const ref of lines.flatMap((l) => l.refs)) if (ref.kind === "search") expect(ref.query).toMatchObject({ since: brief.period.from, until: brief.period.to });
    expect(brief.title).toBe("全市舆情日报（2024-05-01）");
    expect(brief.partial).toBe(false);
  });

  it("lists new and open incidents by level with their state, and leaves out what ended before the day", () => {
    const brief = composeBrief(input(), { date: "2024-05-01", timeZone: TZ }, now);
    const incidents = brief.sections.find((s) => s.id === "incidents")!;
    expect(incidents.lines.map((l) => l.text)).toEqual([
      "II级（重大）：新增 1 起，在办 1 起",
      "【新增】昆山某化工厂发生爆炸，已造成12人遇难｜II级（重大）｜当前状态：已回应｜首发 05-01 10:00｜昆山市应急管理局",
      "III级（较大）：新增 0 起，在办 1 起",
      "某学校食堂食物中毒｜III级（较大）｜当前状态：预警（待确认）｜首发 04-29 09:00｜市教育局",
    ]);
    expect(incidents.lines[1]!.refs).toEqual([{ kind: "alert", alertId: "alert-inc-ks", incidentId: "inc-ks", label: "昆山某化工厂发生爆炸，已造成12人遇难" }]);
    expect(JSON.stringify(brief)).not.toContain("旧事件");
  });

  it("counts deadlines met and missed in the day; a clock still running is neither", () => {
    const brief = composeBrief(input(), { date: "2024-05-01", timeZone: TZ }, now);
    const deadlines = brief.sections.find((s) => s.id === "deadlines")!;
    expect(deadlines.lines.map((l) => l.text)).toEqual([
      "法定时限：按时完成 1 项，逾期完成 0 项，超时未完成 1 项",
      "超时未完成：某学校食堂食物中毒｜舆情回应（48 小时）时限 05-01 09:00 已过",
      "按时：昆山某化工厂发生爆炸，已造成12人遇难｜权威信息发布（5 小时）于 05-01 14:00 完成，时限 05-01 15:00",
    ]);
    expect(deadlines.lines[1]!.tone).toBe("alarm");
  });

  it("gives topics and hot words with their trend and the search that counts them", () => {
    const brief = composeBrief(input(), { date: "2024-05-01", timeZone: TZ }, now);
    const words = brief.sections.find((s) => s.id === "hotwords")!;
    expect(words.lines.map((l) => l.text)).toEqual(["热词「爆炸」：30 篇，前一日 0 篇，新出现", "热词「工资」：8 篇，前一日 10 篇，↓ 20%"]);
    expect(words.lines[0]!.refs[0]).toEqual({ kind: "search", label: "查看当日 30 篇", query: { q: "爆炸", since: brief.period.from, until: brief.period.to } });
    expect(words.lines[0]!.refs[1]).toMatchObject({ kind: "document", docId: "d1" });
    const topics = brief.sections.find((s) => s.id === "topics")!;
    expect(topics.lines[0]!.refs[0]).toMatchObject({ kind: "search", query: { topic: "安全生产" } });
    expect(brief.hotWords).toEqual([{ word: "爆炸", count: 30, previous: 0 }, { word: "工资", count: 8, previous: 10 }]);
    expect(trendText(135, 100)).toBe("↑ 35%");
    expect(trendText(5, 5)).toBe("持平");
  });

  it("lists negative posts with a link to the stored document", () => {
    const brief = composeBrief(input(), { date: "2024-05-01", timeZone: TZ }, now);
    const negative = brief.sections.find((s) => s.id === "negative")!;
    expect(negative.lines).toEqual([
      { text: "论坛｜食堂饭菜吃出问题｜05-01 11:00｜情感 -0.80｜互动 12", refs: [{ kind: "document", docId: "d9", label: "原文", url: "https://bbs.example/9" }], tone: "warn" },
    ]);
  });

  it("a department's brief holds only the alerts it is responsible for or co-notified on", () => {
    const brief = composeBrief(input(), { date: "2024-05-01", timeZone: TZ, department: { id: "education", name: "教育局" } }, now);
    expect(brief.title).toBe("教育局舆情日报（2024-05-01）");
    const text = JSON.stringify(brief.sections.find((s) => s.id === "incidents"));
    expect(text).toContain("某学校食堂食物中毒");
    expect(text).not.toContain("昆山");
  });

  it("a day not over yet is marked partial and an empty section says so without a statement", () => {
    const brief = composeBrief({ alerts: [], volume: { count: 0, previous: 0 }, topics: [], hotWords: [], negative: [] }, { date: "2024-05-02", timeZone: TZ }, now);
    expect(brief.partial).toBe(true);
    expect(brief.sections.every((s) => s.lines.length === 0 && s.empty.length > 0)).toBe(true);
    expect(brief.summary).toHaveLength(1);
  });

  it("pins the security audit's chain head in the form audit verify --head takes, or says it has none", () => {
    const hash = "a".repeat(64);
    const empty = { alerts: [], volume: { count: 0, previous: 0 }, topics: [], hotWords: [], negative: [] };
    const pinned = composeBrief({ ...empty, audit: { seq: 42, hash, at: "2024-05-01T23:59:00.000Z", anchor: { seq: 7, auditSeq: 40, auditHash: "b".repeat(64), at: "2024-05-01T23:55:00.000Z" } } }, { date: "2024-05-01", timeZone: TZ }, now);
    expect(pinned.audit?.head?.seq).toBe(42);
    expect(pinned.audit?.lines).toEqual([
      "安全审计链头（日报生成时）：第 42 条记录，写入于 2024-05-02 07:59",
      `链头标识：42:${hash}`,
      "最近锚点：第 7 号，锚定第 40 条记录，写入于 2024-05-02 07:55",
      `核对：pnpm liaowang audit verify --head 42:${hash}（审计记录被截断或改写即报错）`,
    ]);
    expect(composeBrief({ ...empty, audit: null }, { date: "2024-05-01", timeZone: TZ }, now).audit).toEqual({ head: null, lines: ["安全审计尚无记录"] });
    // Not read (the audit was unreachable): no pin, which the renderers say.
    expect(composeBrief(empty, { date: "2024-05-01", timeZone: TZ }, now).audit).toBeNull();
  });
});
