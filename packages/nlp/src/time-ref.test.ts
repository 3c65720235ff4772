import { describe, expect, it } from "vitest";
import { locateFigures } from "./figures.js";
import { groundFigures } from "./time-ref.js";

const PUBLISHED = new Date("2026-06-10T02:00:00Z");

/** The post's time kind (with its cue) and each figure as kind:value@time. */
function ground(text: string, publishedAt: Date | null = PUBLISHED): { ref: string; figures: string[] } {
  const { timeRef, figures } = groundFigures(text, locateFigures(text), { publishedAt: publishedAt ?? undefined });
  return {
    ref: timeRef.cue === undefined ? timeRef.kind : `${timeRef.kind}(${timeRef.cue})`,
    figures: figures.map((f) => `${f.kind}:${f.value}@${f.time ?? "current"}`),
  };
}

describe("groundFigures: current incidents stay current", () => {
  it("keeps a fresh incident current, whatever older dates describe", () => {
    expect(ground("今天凌晨，2019年建成的跨江大桥坍塌，3人死亡")).toEqual({ ref: "current(今天)", figures: ["deaths:3@current"] });
    expect(ground("某化工厂爆炸已致4人遇难12人受伤")).toEqual({ ref: "current", figures: ["deaths:4@current", "injured:12@current"] });
    expect(ground("6月9日晚，一辆客车侧翻，造成2人死亡")).toEqual({ ref: "current", figures: ["deaths:2@current"] });
    expect(ground("【默哀】昨日某市商场火灾致5人死亡").ref).toBe("current(昨日)");
  });

  it("does not let a plan beside an incident make the incident a plan", () => {
    expect(ground("台风将于今晚再次登陆 已致2人死亡")).toEqual({ ref: "current(今晚)", figures: ["deaths:2@current"] });
    expect(ground("一名游客坠崖身亡 警方将于明日通报调查结果").ref).toBe("current");
  });

  it("reads a date without a year near publication as this year's, and a coming date as no past", () => {
    expect(ground("1月2日，某矿透水，3人被困", new Date("2026-01-03T00:00:00Z")).figures).toEqual(["trapped:3@current"]);
    expect(ground("12月30日，某矿透水，3人被困", new Date("2026-01-03T00:00:00Z")).figures).toEqual(["trapped:3@current"]);
    expect(ground("距7月1日新规实施还有三周").ref).toBe("current");
  });
});

describe("groundFigures: past events", () => {
  it("marks anniversaries, recollections and earlier years as past", () => {
    expect(ground("某地震十周年：当年69227人遇难")).toEqual({ ref: "past(周年)", figures: ["deaths:69227@past"] });
    expect(ground("十年前的今天，一场矿难造成12人遇难")).toEqual({ ref: "past(十年前)", figures: ["deaths:12@past"] });
    expect(ground("2015年8月12日，某港区发生爆炸，造成165人遇难")).toEqual({ ref: "past(2015年8月12日)", figures: ["deaths:165@past"] });
    expect(groundFigures("2015年8月12日，某港区发生爆炸", [], { publishedAt: PUBLISHED }).timeRef).toEqual({ kind: "past", cue: "2015年8月12日", year: 2015 });
    expect(ground("回顾：那场洪灾中30人失踪").ref).toBe("past(回顾)");
    expect(ground("地震十年后的北川：当年2万人遇难").ref).toBe("past(十年后)");
  });

  it("dates a figure by its own sentence inside a current post", () => {
    const text = "今天上午，某县一煤矿发生瓦斯爆炸，造成3人死亡。该矿曾于2012年发生事故致5人死亡。";
    expect(ground(text)).toEqual({ ref: "current(今天)", figures: ["deaths:3@current", "deaths:5@past"] });
    // A figure only after the lead is still dated by its own sentence.
    expect(ground("某小区一栋居民楼今天上午突发火灾，消防已赶到现场。去年该小区曾发生火灾致2人死亡。")).toEqual({ ref: "current(今天)", figures: ["deaths:2@past"] });
  });

  it("reads the post's time from its lead, whatever later sentences without figures say", () => {
    expect(ground("某小区一栋居民楼今天上午突发火灾，消防已赶到现场。去年该小区曾发生类似火灾，官方计划年底前完成整改。").ref).toBe("current(今天)");
    expect(ground("某小区一栋居民楼上午突发火灾，消防已赶到现场。去年该小区曾发生类似火灾").ref).toBe("current(突发)");
  });

  it("reads a date more than a month before publication as past, a recent one as current", () => {
    expect(ground("3月1日，某厂发生爆炸，2人受伤", new Date("2026-03-02T00:00:00Z")).figures).toEqual(["injured:2@current"]);
    expect(ground("3月1日，某厂发生爆炸，2人受伤", new Date("2026-06-01T00:00:00Z")).figures).toEqual(["injured:2@past"]);
  });

  it("does not compare years when the publication time is unknown", () => {
    expect(ground("2015年某港区发生爆炸，造成165人遇难", null).figures).toEqual(["deaths:165@current"]);
  });
});

describe("groundFigures: statistics and plans", () => {
  it("marks period totals as statistics", () => {
    expect(ground("今年以来全省共发生生产安全事故120起，死亡85人，同比下降12%")).toEqual({
      ref: "statistic(今年以来)",
      figures: ["deaths:85@statistic"],
    });
    expect(ground("去年全年道路交通事故死亡3000人").figures).toEqual(["deaths:3000@statistic"]);
    expect(ground("近5年来全市累计因溺水死亡200余人").ref).toBe("statistic(近5年)");
    expect(ground("战争爆发以来已有4000名士兵阵亡，1万人受伤").figures).toEqual(["deaths:4000@statistic", "injured:10000@statistic"]);
    expect(ground("历届赛事共有3人遇难").ref).toBe("statistic(历届)");
    expect(ground("近三年全市因溺水死亡42人").ref).toBe("statistic(近三年)");
    expect(ground("过去一年里，该路段车祸致9人死亡").figures).toEqual(["deaths:9@statistic"]);
  });

  it("marks plans and drills as plans", () => {
    expect(ground("该县拟于明年搬迁受灾群众1200人")).toEqual({ ref: "plan(拟于)", figures: ["affected:1200@plan"] });
    expect(ground("应急演练模拟化工厂泄漏，8人受伤").figures).toEqual(["injured:8@plan"]);
  });
});

describe("groundFigures: follow-ups of an old incident", () => {
  it("marks trials, sentences, compensation, punishment and memorials as follow-ups", () => {
    expect(ground("一审宣判：致3人死亡的肇事司机获刑7年")).toEqual({ ref: "followup(一审)", figures: ["deaths:3@past"] });
    expect(ground("矿难遇难者家属获赔120万元").ref).toBe("followup(获赔)");
    expect(ground("致2死事故多名责任人被问责").ref).toBe("followup(问责)");
    expect(ground("全市各界悼念遇难同胞").ref).toBe("followup(悼念)");
    expect(ground("潜逃12年的杀人嫌犯落网").ref).toBe("followup(潜逃12年)");
    // A new crime after years on the run is today's news, not a follow-up of the old one.
    expect(ground("杀人潜逃十年后再次作案杀害一人").ref).toBe("current");
    expect(ground("潜逃8年后又持刀伤人致2人受伤").figures).toEqual(["injured:2@current"]);
    expect(ground("见义勇为牺牲者家属获2万元慰问金").ref).toBe("followup(慰问金)");
    expect(ground("【默哀】昨日某市商场火灾致5人死亡").ref).toBe("current(昨日)");
  });
});
