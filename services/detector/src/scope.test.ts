import { beforeAll, describe, expect, it } from "vitest";
import { DEFAULT_ENGINE_CONFIG, DetectorEngine, compileWatchRules, docScope, type DocFeatures, type Jurisdiction } from "@liaowang/detect";
import { Analyzer, analyze, createSegmenter, type Segmenter } from "@liaowang/nlp";
import { loadJurisdiction, resolveArea } from "@liaowang/nlp/jurisdiction";
import { defaultConfigDir } from "@liaowang/config";

// Scope of real sentences as the production segmenter and analyzer read them, against a 长沙市 jurisdiction.
let segmenter: Segmenter;
let analyzer: Analyzer;
const T0 = Date.parse("2026-11-20T10:00:00+08:00");
const changsha = loadJurisdiction({ configDir: defaultConfigDir, env: { LIAOWANG_JURISDICTION: "长沙市" } });

// Loading the dictionaries takes seconds on a loaded machine.
beforeAll(() => {
  segmenter = createSegmenter();
  analyzer = new Analyzer();
}, 120_000);

let n = 0;
function features(text: string, source = "新华网", minutes = 0): DocFeatures {
  const segments = segmenter.segments(text);
  const tokens = segmenter.contentTokens(segments);
  const keywords = segmenter.keywords(text, 20);
  const a = analyze({ text, segments, tokens, keywords, publishedAt: new Date(T0 + minutes * 60_000) }, analyzer.resources);
  return {
    id: `doc-${++n}`,
    source,
    text,
    publishedAt: T0 + minutes * 60_000,
    tokens,
    keywords,
    simhash: a.simhash,
    topics: a.topics,
    category: a.category,
    regions: a.regions,
    abroad: a.abroad,
    timeRef: a.timeRef,
    sentiment: a.sentiment.score,
    figures: a.figures,
  };
}

const scopeOf = (text: string, j: Jurisdiction = changsha) => docScope(features(text), j).scope;

describe("jurisdiction config", () => {
  it("resolves names and GB/T 2260 codes of any level, and 全国", () => {
    expect(resolveArea(["长沙市"])).toEqual({ all: false, codes: ["430100"], label: "长沙市" });
    expect(resolveArea(["430104", "株洲"])).toEqual({ all: false, codes: ["430104", "430200"], label: "岳麓区、株洲市" });
    expect(resolveArea(["湖南省"]).codes).toEqual(["430000"]);
    expect(resolveArea(["全国"])).toMatchObject({ all: true, label: "全国" });
  });

  it("fails naming the entry that is unknown or shared by several divisions", () => {
    expect(() => resolveArea(["星河市"])).toThrow(/"星河市" is not the name of a province, city or county/);
    expect(() => resolveArea(["鼓楼区"])).toThrow(/"鼓楼区" names \d+ divisions .*give the GB\/T 2260 code/);
    expect(() => resolveArea(["999999"])).toThrow(/"999999" is not a GB\/T 2260 code/);
  });

  it("takes LIAOWANG_JURISDICTION over the file, and local media from the file and the feeds marked local", () => {
    expect(loadJurisdiction({ configDir: defaultConfigDir, env: {} }).label).toBe("长沙市");
    const national = loadJurisdiction({ configDir: defaultConfigDir, env: { LIAOWANG_JURISDICTION: "全国" } });
    expect(national.all).toBe(true);
    expect(loadJurisdiction({ configDir: defaultConfigDir, env: { LIAOWANG_JURISDICTION: "株洲市,湘潭市" } }).codes).toEqual(["430200", "430300"]);
    expect(changsha.localSources).toEqual(expect.arrayContaining(["长沙晚报", "demo-gov-news"]));
    expect(changsha.entities).toContain("橘子洲");
  });
});

describe("docScope on real sentences (jurisdiction 长沙市)", () => {
  it("本地: the place named is inside the jurisdiction, or one of its entities", () => {
    expect(scopeOf("长沙市岳麓区一化工厂发生爆炸，造成3人死亡")).toBe("本地");
    expect(scopeOf("浏阳一烟花厂发生爆炸")).toBe("本地");
    expect(scopeOf("橘子洲景区一游客不慎落水，已被救起")).toBe("本地");
    expect(scopeOf("来自泰国的游客在长沙橘子洲落水")).toBe("本地");
  });

  it("涉本地: a story elsewhere that involves the jurisdiction's people", () => {
    expect(scopeOf("长沙籍游客在泰国遇险，当地警方正在搜救")).toBe("涉本地");
    expect(scopeOf("湖南大学学生在云南大理旅游时失联")).toBe("涉本地");
  });

  it("外地: elsewhere in China; 境外: abroad", () => {
    expect(scopeOf("广东省深圳市宝安区一工地坍塌致3人死亡")).toBe("外地");
    expect(scopeOf("日本东京发生6.5级地震，暂无人员伤亡报告")).toBe("境外");
    expect(scopeOf("尼日利亚一油罐车爆炸致百余人死亡")).toBe("境外");
    expect(scopeOf("中国游客在泰国普吉岛遭遇车祸")).toBe("境外");
  });

  it("未知: no place, or only the province around the jurisdiction", () => {
    expect(scopeOf("一男子持刀伤人，警方已介入调查")).toBe("未知");
    expect(docScope(features("湖南一煤矿发生透水事故"), changsha)).toMatchObject({ scope: "未知", vague: ["湖南省"] });
  });

  it("follows the jurisdiction: a county, or 全国", () => {
    const yuelu = resolveArea(["岳麓区"]);
    const j = { ...changsha, ...yuelu };
    expect(scopeOf("长沙市岳麓区一化工厂发生爆炸", j)).toBe("本地");
    expect(scopeOf("长沙市雨花区一小区发生火灾", j)).toBe("外地");
    expect(scopeOf("广东省深圳市宝安区一工地坍塌", { ...changsha, all: true, codes: [], label: "全国" })).toBe("本地");
  });
});

describe("the duty board of a 长沙市 deployment", () => {
  const engine = () => new DetectorEngine({ ...DEFAULT_ENGINE_CONFIG, jurisdiction: changsha }, compileWatchRules([]));
  const board = (texts: [string, string][]) => {
    const e = engine();
    const plan = e.process(texts.map(([text, source], i) => features(text, source, i)), T0 + 3_600_000);
    return plan.updates.map((u) => ({ action: u.action, level: u.incident.level, board: u.incident.board }));
  };

  it("raises a local graded incident and says why in zh-CN", () => {
    const [u] = board([["长沙市岳麓区一化工厂发生爆炸，造成12人死亡", "新华网"]]);
    expect(u).toMatchObject({ action: "publish", level: "II", board: { scope: "本地", onBoard: true } });
    expect(u?.board?.reason).toBe("事发地岳麓区在辖区（长沙市）内；定为II级（重大）");
  });

  it("keeps the same incident abroad and elsewhere in China off the board, ungraded, for analysts", () => {
    const [abroad] = board([["日本东京一化工厂发生爆炸，造成12人死亡", "新华网"]]);
    expect(abroad).toMatchObject({ action: "publish", level: null, board: { scope: "境外", onBoard: false } });
    expect(abroad?.board?.reason).toMatch(/^事发地日本东京在境外，不属辖区（长沙市）；.*列入外地\/境外关注，不计时、不通知$/);
    const [elsewhere] = board([["广东省深圳市一化工厂发生爆炸，造成12人死亡", "新华网"]]);
    expect(elsewhere).toMatchObject({ level: null, board: { scope: "外地", onBoard: false } });
  });

  it("puts a placeless incident on the board only when local media report it", () => {
    const [national] = board([["一化工厂发生爆炸，造成3人死亡", "新华网"]]);
    expect(national?.board).toMatchObject({ scope: "未知", onBoard: false });
    const [local] = board([["一化工厂发生爆炸，造成3人死亡", "长沙晚报"]]);
    expect(local?.board).toMatchObject({ scope: "未知", onBoard: true });
    expect(local?.board?.reason).toContain("本地媒体（长沙晚报）报道，按辖区事件处理");
  });

  it("opens no alert for benign local chatter carried by many sources", () => {
    const updates = board([
      ["长沙市岳麓区新开一家商场，周末促销活动火爆", "长沙晚报"],
      ["长沙岳麓区新商场开业促销，周末客流火爆", "红网"],
      ["岳麓区新商场开业，周末促销活动吸引市民", "新浪"],
    ]);
    expect(updates.every((u) => u.action === "store")).toBe(true);
  });
});

describe("one incident per story: an official refutation joins the rumour it answers", () => {
  it("records the 辟谣 on the rumour's timeline, marks it 已辟谣 and never grades by the refuted numbers", () => {
    const e = new DetectorEngine({ ...DEFAULT_ENGINE_CONFIG, jurisdiction: changsha }, compileWatchRules([]));
    const rumour = features("网传长沙市岳麓区某小区发生燃气爆炸，已致5人死亡，现场浓烟滚滚", "微博", 0);
    const first = e.process([rumour], T0 + 3_600_000);
    e.commit(first);
    const refutation = {
      ...features("长沙市公安局岳麓分局辟谣：网传岳麓区某小区燃气爆炸致8人死亡系谣言，经核实该小区当日未发生爆炸", "长沙市公安局", 90),
      url: "https://example.gov.cn/piyao/1",
    };
    const second = e.process([refutation], T0 + 3 * 3_600_000);
    expect(second.updates).toHaveLength(1);
    const inc = second.updates[0]?.incident;
    expect(inc?.id).toBe(first.updates[0]?.incident.id);
    expect(inc?.refutedBy).toMatchObject({ kind: "辟谣", source: "长沙市公安局", authority: true, url: "https://example.gov.cn/piyao/1" });
    expect(inc?.timeline.at(-1)).toMatchObject({ kind: "refuted", source: "长沙市公安局" });
    expect(inc?.timeline.at(-1)?.text).toMatch(/^已辟谣：长沙市公安局（官方）发布「/);
    // The refutation's "8人死亡" is the rumour's number, not a figure of this incident.
    expect(inc?.figures.deaths?.value).toBe(5);
    expect(inc?.level).toBe("III");
  });

  it("an official 通报 of the same local incident joins it as a statement", () => {
    const e = new DetectorEngine({ ...DEFAULT_ENGINE_CONFIG, jurisdiction: changsha }, compileWatchRules([]));
    const p1 = e.process([features("长沙市雨花区一在建工地发生塔吊倒塌事故，造成3人死亡", "红网", 0)], T0 + 3_600_000);
    e.commit(p1);
    const p2 = e.process([features("雨花区应急管理局发布情况通报：塔吊倒塌事故原因正在调查，善后工作有序开展", "长沙发布", 60)], T0 + 2 * 3_600_000);
    expect(p2.updates[0]?.incident.id).toBe(p1.updates[0]?.incident.id);
    expect(p2.updates[0]?.incident.statements).toEqual([expect.objectContaining({ kind: "通报", authority: true, source: "长沙发布" })]);
  });
});

describe("time and place keep stories apart", () => {
  it("a blast abroad never joins the local blast however alike the words", () => {
    const e = new DetectorEngine({ ...DEFAULT_ENGINE_CONFIG, jurisdiction: changsha }, compileWatchRules([]));
    const p1 = e.process([features("长沙县星沙一化工厂发生爆炸，已造成12人死亡", "红网", 0)], T0 + 3_600_000);
    e.commit(p1);
    const p2 = e.process([features("印度孟买一化工厂发生爆炸，已造成12人死亡", "新华网", 10)], T0 + 3_600_000);
    expect(p2.updates[0]?.incident.id).not.toBe(p1.updates[0]?.incident.id);
    expect(p2.updates[0]?.incident.board).toMatchObject({ scope: "境外", onBoard: false });
  });

  it("a post that only recalls a past event opens no incident and grades none", () => {
    const e = new DetectorEngine({ ...DEFAULT_ENGINE_CONFIG, jurisdiction: changsha }, compileWatchRules([]));
    const plan = e.process([features("浏阳烟花厂爆炸事故十周年：2015年浏阳市一烟花厂发生爆炸，造成12人死亡", "长沙晚报", 0)], T0 + 3_600_000);
    expect(plan.updates).toEqual([]);
    expect(plan.ignored).toBe(1);
  });
});
