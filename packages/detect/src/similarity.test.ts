import { describe, expect, it } from "vitest";
import { fnv1a32, fnv1a64Hex, simhash64, tokenFeatures } from "./hash.js";
import { codeContains, codeDepth, cosine, cosineFrom, hamming, keywordCosine, keywordVector, mostSpecificRegions, regionRelation, simhashHalves, topKeywords, vectorCosine } from "./similarity.js";
import type { FeatureVector } from "./similarity.js";
import type { Keyword, Region } from "./types.js";

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

describe("vectorCosine", () => {
  /** The plain string-keyed computation the packed one replaces (same order of operations). */
  function reference(a: FeatureVector, b: FeatureVector): number {
    if (a.norm === 0 || b.norm === 0) return 0;
    const [small, large] = a.weights.size <= b.weights.size ? [a, b] : [b, a];
    let dot = 0;
    for (const [f, w] of small.weights) dot += w * (large.weights.get(f) ?? 0);
    return Math.min(1, dot / (a.norm * b.norm));
  }
  const words = "江华 瑶族 自治县 煤矿 透水 事故 遇难 救援 井下 被困 应急 管理 调查 原因 高考 录取 分数线 发布 深圳 地铁 停运 乘客 滞留".split(" ");
  const pick = (seed: number, n: number) =>
    Array.from({ length: n }, (_, i) => ({ word: words[(seed * 7 + i * 5) % words.length] as string, weight: ((seed + i) % 5) + 0.25 }));

  it("gives exactly the string-keyed result, whichever vector is compared with which and in what order", () => {
    const vectors = Array.from({ length: 12 }, (_, i) => keywordVector(pick(i, 2 + (i % 9))));
    for (const a of vectors) for (const b of vectors) expect(vectorCosine(a, b)).toBe(reference(a, b));
    // Interleaved with fresh vectors (new features), the cached ones still agree.
    for (let i = 0; i < 5; i++) {
      const fresh = keywordVector([{ word: `新词${i}`, weight: 1 }, ...pick(i, 3)]);
      for (const a of vectors) expect(vectorCosine(fresh, a)).toBe(reference(fresh, a));
    }
    expect(vectorCosine(keywordVector([]), vectors[0] as FeatureVector)).toBe(0);
  });

  it("compares one post's list with many through its probe table to the very same number as cosine", () => {
    const lists = Array.from({ length: 40 }, (_, i) => pick(i, 1 + (i % 13)));
    for (const a of lists.slice(0, 8)) {
      // Longer and shorter lists than the post's, one after another (the probe table is kept between them).
      for (const b of lists) expect(cosineFrom(a, b)).toBe(cosine(a, b));
    }
    expect(cosineFrom([], lists[3] as Keyword[])).toBe(0);
    expect(cosineFrom(lists[3] as Keyword[], lists[3] as Keyword[])).toBe(cosine(lists[3] as Keyword[], lists[3] as Keyword[]));
  });

  it("still agrees after the bounded feature table filled up and started afresh", () => {
    const a = keywordVector(pick(1, 6));
    const b = keywordVector(pick(2, 7));
    expect(vectorCosine(a, b)).toBe(reference(a, b));
    // 300,000 distinct two-character words: more than the table holds (2^18), so it starts again at least once.
    const word = (i: number) => String.fromCharCode(0x4e00 + (i % 600)) + String.fromCharCode(0x5000 + Math.floor(i / 600));
    let last = 0;
    for (let v = 0; v < 300; v++) {
      const fresh = keywordVector(Array.from({ length: 1000 }, (_, k) => ({ word: word(v * 1000 + k), weight: 1 + (k % 3) })));
      last = vectorCosine(fresh, a);
    }
    expect(last).toBe(0);
    expect(vectorCosine(a, b)).toBe(reference(a, b));
    expect(vectorCosine(b, a)).toBe(reference(b, a));
  });
});

describe("simhashHalves", () => {
  it("parses 1–16 hex digits of any case into the high and low 32 bits", () => {
    expect([...simhashHalves("ffff0000FFFF0001")]).toEqual([0xffff0000, 0xffff0001]);
    expect([...simhashHalves("1")]).toEqual([0, 1]);
    expect([...simhashHalves("123456789")]).toEqual([0x1, 0x23456789]);
    expect(() => simhashHalves("")).toThrow(/not a 64-bit hex string/);
    expect(() => simhashHalves("0123456789abcdef0")).toThrow(/not a 64-bit hex string/);
  });
});
