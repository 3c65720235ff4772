import { describe, expect, it } from "vitest";
import { fnv1a32, fnv1a64Hex, simhash64, tokenFeatures } from "./hash.js";
import { codeContains, codeDepth, hamming, keywordCosine, keywordVector, mostSpecificRegions, regionRelation, topKeywords } from "./similarity.js";
import type { Region } from "./types.js";

const r = (code: string, name: string, level: Region["level"], province: string): Region => ({ code, name, level, province });
const jianghua = r("431129", "江华瑶族自治县", "county", "湖南省");
const yongzhou = r("431100", "永州市", "city", "湖南省");
const lengshuitan = r("431103", "冷水滩区", "county", "湖南省");
const suxian = r("431003", "苏仙区", "county", "湖南省");
const lvliang = r("141100", "吕梁市", "city", "山西省");

describe("SimHash", () => {
  const text = "湖南 永州 江华 煤矿 发生 透水 事故 12 人 遇难 应急管理部 全力 搜救 井下 作业 人员 被困 事故 原因 正在 调查".split(" ");

  it("puts reposts a few bits apart and unrelated texts about half the bits apart", () => {
    const original = simhash64(tokenFeatures(text));
    const repost = simhash64(tokenFeatures(["转发", "微博", ...text]));
    const other = simhash64(tokenFeatures("湖南省 教育厅 发布 高考 录取 分数线 本科 一批 文科".split(" ")));
    expect(original).toMatch(/^[0-9a-f]{16}$/);
    expect(hamming(original, repost)).toBeLessThanOrEqual(8);
    expect(hamming(original, other)).toBeGreaterThan(16);
  });

  it("is deterministic and ignores non-positive weights", () => {
    expect(simhash64([{ word: "煤矿", weight: 1 }])).toBe(simhash64([{ word: "煤矿", weight: 1 }, { word: "x", weight: 0 }]));
    expect(simhash64([])).toBe("0000000000000000");
  });

  it("hamming counts differing bits and rejects non-hex", () => {
    expect(hamming("ffff0000ffff0000", "ffff0000ffff0001")).toBe(1);
    expect(hamming("0", "ffffffffffffffff")).toBe(64);
    expect(() => hamming("zz", "00")).toThrow(/simhash "zz" is not a 64-bit hex string/);
  });

  it("derives ids deterministically", () => {
    expect(fnv1a64Hex("doc-1")).toBe(fnv1a64Hex("doc-1"));
    expect(fnv1a64Hex("doc-1")).not.toBe(fnv1a64Hex("doc-2"));
    expect(fnv1a32("a", 1)).not.toBe(fnv1a32("a", 2));
  });
});

describe("keyword similarity", () => {
  it("matches variants of one name through character bigrams", () => {
    expect(keywordCosine([{ word: "江华县", weight: 1 }], [{ word: "江华", weight: 1 }])).toBeCloseTo(Math.SQRT1_2, 6);
    expect(keywordCosine([{ word: "透水事故", weight: 1 }], [{ word: "透水", weight: 1 }])).toBeGreaterThan(0.5);
    expect(keywordCosine([{ word: "透水", weight: 1 }], [{ word: "高考", weight: 1 }])).toBe(0);
    expect(keywordCosine([], [{ word: "透水", weight: 1 }])).toBe(0);
  });

  it("ignores non-positive weights and keeps single characters apart from bigrams", () => {
    expect([...keywordVector([{ word: "水", weight: 1 }, { word: "煤矿", weight: -1 }]).weights.keys()]).toEqual(["w:水"]);
  });

  it("merges duplicate keywords and ranks by weight, then word", () => {
    expect(topKeywords([{ word: "b", weight: 1 }, { word: "a", weight: 1 }, { word: "b", weight: 1 }], 2)).toEqual([
      { word: "b", weight: 2 },
      { word: "a", weight: 1 },
    ]);
  });
});

describe("regions", () => {
  it("reads administrative depth and containment from GB/T 2260 codes", () => {
    expect([codeDepth("430000"), codeDepth("431100"), codeDepth("431129"), codeDepth("湖南")]).toEqual([1, 2, 3, 0]);
    expect(codeContains("431100", "431129")).toBe(true);
    expect(codeContains("430000", "431129")).toBe(true);
    expect(codeContains("431129", "431100")).toBe(false);
    expect(codeContains("431100", "431003")).toBe(false);
  });

  it("relates places: same (or containing), same city, same province, different", () => {
    expect(regionRelation(jianghua, yongzhou)).toBe("same");
    expect(regionRelation(jianghua, lengshuitan)).toBe("same_city");
    expect(regionRelation(jianghua, suxian)).toBe("same_province");
    expect(regionRelation(jianghua, lvliang)).toBe("different");
  });

  it("keeps the most specific places of a list", () => {
    expect(mostSpecificRegions([yongzhou, jianghua, lvliang])).toEqual([jianghua, lvliang]);
  });
});
