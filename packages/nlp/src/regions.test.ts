import { describe, expect, it } from "vitest";
import { buildGazetteer, parseAmbiguousPlaceNames, recognizeRegions } from "./regions.js";

const gazetteer = buildGazetteer(["朝阳", "安康", "东方"]);
const names = (...tokens: string[]) => recognizeRegions(tokens, gazetteer).map((r) => r.name);

describe("buildGazetteer", () => {
  it("holds every province, city and county of the division package", () => {
    expect(gazetteer.size).toBeGreaterThan(3000);
  });
});

describe("recognizeRegions", () => {
  it("returns the hierarchy, most specific first, with codes and parents", () => {
    const regions = recognizeRegions(["湖南省", "长沙市", "浏阳市", "发生", "爆炸"], gazetteer);
    expect(regions).toEqual([
      { code: "430181", name: "浏阳市", level: "county", province: "湖南省", city: "长沙市" },
      { code: "430100", name: "长沙市", level: "city", province: "湖南省" },
      { code: "430000", name: "湖南省", level: "province", province: "湖南省" },
    ]);
  });

  it("reads short forms of provinces, cities and county-level cities", () => {
    expect(names("湖南", "长沙", "浏阳", "一", "烟花厂", "爆炸")).toEqual(["浏阳市", "长沙市", "湖南省"]);
    expect(names("浏阳", "一", "烟花厂")).toEqual(["浏阳市", "长沙市", "湖南省"]);
    expect(names("新疆", "内蒙古", "广西", "香港")).toEqual(["新疆维吾尔自治区", "内蒙古自治区", "广西壮族自治区", "香港特别行政区"]);
    expect(names("恩施州", "巴东县")).toEqual(["巴东县", "恩施土家族苗族自治州", "湖北省"]);
    expect(names("锡林郭勒")).toEqual(["锡林郭勒盟", "内蒙古自治区"]);
  });

  it("adds the implied city and province of a county", () => {
    expect(recognizeRegions(["巴东县"], gazetteer)[2]).toMatchObject({ code: "420000", level: "province" });
    // 省直辖县 have no city.
    expect(recognizeRegions(["仙桃市"], gazetteer)).toEqual([
      { code: "429004", name: "仙桃市", level: "county", province: "湖北省" },
      { code: "420000", name: "湖北省", level: "province", province: "湖北省" },
    ]);
  });

  it("prefers the province for a name shared across levels", () => {
    expect(names("吉林")).toEqual(["吉林省"]);
    expect(names("海南")).toEqual(["海南省"]);
    expect(names("吉林省", "吉林市", "船营区")).toEqual(["船营区", "吉林市", "吉林省"]);
    expect(names("青海省", "海南州")).toEqual(["海南藏族自治州", "青海省"]);
  });

  it("resolves names shared by several divisions only with their province or city in the text", () => {
    expect(names("朝阳区", "一", "小区")).toEqual([]);
    expect(names("北京市", "朝阳区")).toEqual(["朝阳区", "北京市"]);
    expect(names("长春", "朝阳区")).toEqual(["朝阳区", "长春市", "吉林省"]);
    expect(recognizeRegions(["长春", "朝阳区"], gazetteer)[0]?.code).toBe("220104");
    expect(names("辽宁", "朝阳")).toEqual(["朝阳市", "辽宁省"]);
  });

  it("does not take common words or bare short county names for places", () => {
    expect(names("朝阳", "产业")).toEqual([]);
    expect(names("祝您", "安康")).toEqual([]);
    expect(names("东方", "红")).toEqual([]);
    expect(names("赵", "县长", "表示")).toEqual([]);
    expect(names("赵县", "表示")).toEqual([]);
    expect(names("河北", "赵县")).toEqual(["赵县", "石家庄市", "河北省"]);
    expect(names("城区", "交通")).toEqual([]);
    expect(names("巴东", "发生", "滑坡")).toEqual([]);
    expect(names("恩施", "巴东", "发生", "滑坡")).toEqual(["巴东县", "恩施土家族苗族自治州", "湖北省"]);
    expect(names("陕西", "安康")).toEqual(["安康市", "陕西省"]);
  });

  it("finds names only on word boundaries, and inside a token made only of names", () => {
    expect(names("浙江", "西部", "山区")).toEqual(["浙江省"]);
    expect(names("上海", "南站")).toEqual(["上海市"]);
    expect(names("广西南宁")).toEqual(["南宁市", "广西壮族自治区"]);
  });

  it("reads a province or city at the start of a token kept whole, never a county or an ambiguous name", () => {
    expect(names("北京地铁", "划", "脸案")).toEqual(["北京市"]);
    expect(names("武汉长江大桥")).toEqual(["武汉市", "湖北省"]);
    expect(names("浏阳河")).toEqual([]);
    expect(names("朝阳产业")).toEqual([]);
    // The longest name at the start wins; a token that starts with no name, or only holds one later, names nothing.
    expect(names("长沙市民")).toEqual(["长沙市", "湖南省"]);
    expect(names("内蒙古草原")).toEqual(["内蒙古自治区"]);
    expect(names("发展北京")).toEqual([]);
  });

  it("returns each division once, ordered by level then first mention", () => {
    expect(names("成都", "，", "四川", "成都", "郫都区", "，", "重庆")).toEqual(["郫都区", "成都市", "四川省", "重庆市"]);
  });
});

describe("parseAmbiguousPlaceNames", () => {
  it("reads one name per line with comments", () => {
    expect(parseAmbiguousPlaceNames("# 常见词\n朝阳\n安康 # 祝您安康\n\n", "a.txt")).toEqual(["朝阳", "安康"]);
    expect(() => parseAmbiguousPlaceNames("朝阳 安康", "a.txt")).toThrowError(/a\.txt:1: one name per line/);
  });
});
