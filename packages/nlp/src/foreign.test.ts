import { describe, expect, it } from "vitest";
import { buildForeignGazetteer, recognizeForeign } from "./foreign.js";
import { placeRoles } from "./places.js";
import { buildGazetteer, recognizeRegions } from "./regions.js";

const chinese = buildGazetteer();
const foreign = buildForeignGazetteer({ ambiguous: ["中非", "黑山"], chinese });
const codes = (...tokens: string[]) => recognizeForeign(tokens, foreign).map((f) => f.code);

describe("recognizeForeign", () => {
  it("reads countries from the maintained data, in short and full forms", () => {
    expect(codes("泰国", "发生", "地震")).toEqual(["TH"]);
    expect(codes("印尼", "和", "印度尼西亚")).toEqual(["ID"]);
    expect(codes("阿拉伯联合酋长国")).toEqual(["AE"]);
    expect(foreign.size).toBeGreaterThan(500);
  });

  it("reads well-known cities and places them in their country", () => {
    expect(recognizeForeign(["日本", "东京", "地铁"], foreign)).toEqual([{ code: "JP", name: "日本", city: "东京" }]);
    expect(recognizeForeign(["曼谷", "一", "商场"], foreign)).toEqual([{ code: "TH", name: "泰国", city: "曼谷" }]);
  });

  it("matches on word boundaries, so longer names are not read as the shorter country", () => {
    expect(codes("巴布亚新几内亚", "发生", "地震")).toEqual(["PG"]);
    expect(codes("新几内亚", "岛")).toEqual([]);
    expect(codes("几内亚湾", "海盗")).toEqual([]);
  });

  it("never takes China, its regions or a Chinese division for a place abroad", () => {
    expect(codes("中国", "香港", "澳门", "台北")).toEqual([]);
    expect(codes("上海", "乌鲁木齐")).toEqual([]);
  });

  it("counts ambiguous names only next to another place abroad", () => {
    expect(codes("中非", "合作", "论坛")).toEqual([]);
    expect(codes("黑山", "和", "塞尔维亚")).toEqual(["ME", "RS"]);
  });
});

describe("placeRoles", () => {
  const roles = (tokens: string[]) => {
    const regions = recognizeRegions(tokens, chinese);
    const abroad = recognizeForeign(tokens, foreign);
    return Object.fromEntries(placeRoles(tokens, chinese, foreign, regions, abroad));
  };

  it("tells where something happened from whose people are involved", () => {
    expect(roles(["长沙", "籍", "游客", "在", "泰国", "遇险"])).toEqual({ "430100": "origin", TH: "venue" });
    expect(roles(["来自", "泰国", "的", "游客", "在", "长沙", "橘子洲", "落水"])).toEqual({ TH: "origin", "430100": "venue" });
  });

  it("leaves plain mentions without a role", () => {
    expect(roles(["长沙市", "岳麓区", "一", "化工厂", "爆炸"])).toEqual({});
  });
});

describe("one-character abbreviations", () => {
  it("are derived from the country names and read only where headlines use them", () => {
    expect(foreign.abbreviations.get("美")?.code).toBe("US");
    expect(foreign.abbreviations.get("日")?.code).toBe("JP");
    expect(foreign.abbreviations.get("俄")?.code).toBe("RU");
    expect(foreign.abbreviations.has("中")).toBe(false);
    expect(foreign.abbreviations.has("澳")).toBe(false);
    expect(codes("美", "小型", "飞机", "当街", "坠落")).toEqual(["US"]);
    expect(codes("据", "报道", "，", "俄", "军", "演习")).toEqual(["RU"]);
    expect(codes("我", "觉得", "很", "美")).toEqual([]);
  });
});

describe("abbreviations in dates", () => {
  it("do not read the 日 of a date as Japan", () => {
    expect(codes("5", "月", "1", "日", "男子", "被捕")).toEqual([]);
  });
});

describe("abbreviations of less common countries", () => {
  it("need a cue after them, so a caption's (图) is no 图瓦卢", () => {
    expect(codes("第三者", "(", "图", ")")).toEqual([]);
    expect(codes("日", "首相", "访华")).toEqual(["JP"]);
  });
});

describe("recognizeForeign: a country named inside a longer word", () => {
  it("reads a name or headline abbreviation the segmenter kept in one word with what follows it", () => {
    expect(codes("美国公司", "生产", "疫苗")).toEqual(["US"]);
    expect(codes("朝鲜半岛", "局势")).toEqual(["KP"]);
    expect(codes("美军", "无人机", "空袭")).toEqual(["US"]);
    expect(codes("朝媒称", "核战争")).toEqual(["KP"]);
    // heading a headline on its own
    expect(codes("俄", "疗养院", "大火")).toEqual(["RU"]);
  });

  it("does not read words that only start like a country", () => {
    // 亚 (亚美尼亚) is no abbreviation that stands alone; 法国梧桐 is a tree; 美男子 a handsome man; 越 an adverb
    expect(codes("女子组", "亚军")).toEqual([]);
    expect(codes("法国梧桐", "落叶")).toEqual([]);
    expect(codes("美男子")).toEqual([]);
    expect(codes("越", "吃", "越", "胖")).toEqual([]);
  });
});
