import { describe, expect, it } from "vitest";
import { WATCH_LIMITS, compileWatchRules, parseWatchRules } from "./watch.js";
import type { WatchInput, WatchRuleInput } from "./watch.js";

const jianghua = { code: "431129", name: "江华瑶族自治县", level: "county", province: "湖南省" } as const;

function post(text: string, extra: Partial<WatchInput> = {}): WatchInput {
  return { text, title: undefined, tokens: [], source: "新华网", regions: [], ...extra };
}

const mine: WatchRuleInput = { id: "mine", name: "煤矿事故", must: ["煤矿"], any: ["透水", "瓦斯爆炸"], exclude: ["演练"], level: "II" };

describe("watch rules: must / any / exclude", () => {
  const matcher = compileWatchRules([mine]);

  it("matches when every must term and one any term occur, naming the terms", () => {
    expect(matcher.match(post("江华县一煤矿发生透水事故"))).toEqual([{ ruleId: "mine", name: "煤矿事故", matched: ["煤矿", "透水"], level: "II" }]);
  });

  it("does not match without a must term, without any any term, or with an excluded term", () => {
    expect(matcher.match(post("某地发生透水事故"))).toEqual([]);
    expect(matcher.match(post("煤矿安全生产检查"))).toEqual([]);
    expect(matcher.match(post("煤矿透水应急演练顺利举行"))).toEqual([]);
  });

  it("honours minAny", () => {
    const m = compileWatchRules([{ id: "two", name: "两项", any: ["死亡", "受伤", "失联"], minAny: 2 }]);
    expect(m.match(post("3人死亡"))).toEqual([]);
    expect(m.match(post("3人死亡2人受伤"))).toHaveLength(1);
  });

  it("folds width and case (NFKC) on both sides", () => {
    const m = compileWatchRules([{ id: "covid", name: "疫情", must: ["COVID-19"] }]);
    expect(m.match(post("ｃｏｖｉｄ－１９病例"))).toHaveLength(1);
  });

  it("folds tokens too, the same for every post that carries them", () => {
    const m = compileWatchRules([{ id: "covid", name: "疫情", must: ["COVID-19"], fields: ["text"] }]);
    for (let i = 0; i < 3; i++) {
      expect(m.match(post("病例", { tokens: ["ｃｏｖｉｄ－１９", "病例"] }))).toHaveLength(1);
      expect(m.match(post("病例", { tokens: ["ｃｏｖｉｄ", "病例"] }))).toEqual([]);
    }
  });
});

describe("watch rules: fields, sources, regions", () => {
  it("looks only at the title when told to", () => {
    const m = compileWatchRules([{ id: "t", name: "标题", must: ["爆炸"], fields: ["title"] }]);
    expect(m.match(post("正文提到爆炸", { title: "普通标题", tokens: ["爆炸"] }))).toEqual([]);
    expect(m.match(post("正文", { title: "化工厂爆炸" }))).toHaveLength(1);
  });

  it("looks only at the body when told to (tokens count as body)", () => {
    const m = compileWatchRules([{ id: "b", name: "正文", must: ["爆炸"], fields: ["text"] }]);
    expect(m.match(post("正文", { title: "化工厂爆炸" }))).toEqual([]);
    expect(m.match(post("", { tokens: ["爆炸"] }))).toHaveLength(1);
  });

  it("filters by source and by region (a province code or name covers its counties)", () => {
    const m = compileWatchRules([
      { id: "src", name: "来源", must: ["煤矿"], sources: ["永州发布"] },
      { id: "prov", name: "湖南", must: ["煤矿"], regions: ["430000"] },
      { id: "provName", name: "湖南名", must: ["煤矿"], regions: ["湖南省"] },
      { id: "city", name: "永州", must: ["煤矿"], regions: ["431100"] },
      { id: "other", name: "山西", must: ["煤矿"], regions: ["140000"] },
    ]);
    const ids = (p: WatchInput) => m.match(p).map((x) => x.ruleId);
    expect(ids(post("煤矿透水", { regions: [jianghua] }))).toEqual(["prov", "provName", "city"]);
    expect(ids(post("煤矿透水", { source: "永州发布" }))).toEqual(["src"]);
  });
});

describe("watch rules: hostile input", () => {
  it("treats regex syntax as literal text", () => {
    const m = compileWatchRules([{ id: "re", name: "正则", must: ["(a+)+$"] }]);
    expect(m.match(post("a".repeat(10_000) + "!"))).toEqual([]);
    expect(m.match(post("xx(a+)+$yy"))).toHaveLength(1);
  });

  it("stays fast on long posts with many rules", () => {
    const rules = Array.from({ length: 500 }, (_, i) => ({ id: `r${i}`, name: `规则${i}`, must: [`词${i}`, "a".repeat(31)], any: ["b", "c"] }));
    const m = compileWatchRules(rules);
    const started = performance.now();
    const out = m.match(post("a".repeat(1_000_000), { tokens: Array.from({ length: 100_000 }, () => "a") }));
    expect(out).toEqual([]);
    expect(performance.now() - started).toBeLessThan(2000);
  });

  it("rejects rules over the size limits or without terms, naming the rule", () => {
    const tooMany = { id: "big", name: "大", any: Array.from({ length: WATCH_LIMITS.maxTermsPerList + 1 }, (_, i) => `词${i}`) };
    expect(() => compileWatchRules([tooMany])).toThrow(/watch rule "big" any: more than 50 terms/);
    expect(() => compileWatchRules([{ id: "long", name: "长", must: ["字".repeat(33)] }])).toThrow(/"long" must.0: term longer than 32/);
    expect(() => compileWatchRules([{ id: "none", name: "空", exclude: ["x"] }])).toThrow(/"none": needs at least one must or any term/);
    expect(() => compileWatchRules([{ id: "bad id!", name: "x", must: ["x"] }])).toThrow(/id must be/);
    expect(() => compileWatchRules([mine, mine])).toThrow(/duplicate watch rule id "mine"/);
    expect(() => compileWatchRules([{ id: "m", name: "x", any: ["a"], minAny: 2 }])).toThrow(/minAny 2 exceeds the 1 any terms/);
    expect(() => compileWatchRules({ not: "a list" })).toThrow(/invalid watch rules/);
  });

  it("parses without compiling for admin validation", () => {
    expect(parseWatchRules([mine])[0]).toMatchObject({ id: "mine", minAny: 1, fields: ["title", "text"] });
  });
});
