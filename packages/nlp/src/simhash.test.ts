import { describe, expect, it } from "vitest";
import { simhash64, simhashDistance } from "./simhash.js";

const kw = (...pairs: Array<[string, number]>) => pairs.map(([word, weight]) => ({ word, weight }));

const REPORT = kw(["化工厂", 5], ["爆炸", 4.5], ["遇难", 3], ["受伤", 2.8], ["应急管理局", 2.5], ["救援", 2], ["直接经济损失", 1.8], ["新闻发布会", 1.5], ["通报", 1.2], ["现场", 1]);

describe("simhash64", () => {
  it("is 16 hex digits, deterministic and independent of keyword order", () => {
    const h = simhash64(REPORT);
    expect(h).toMatch(/^[0-9a-f]{16}$/);
    expect(simhash64([...REPORT].reverse())).toBe(h);
  });

  it("keeps near-duplicates close and unrelated texts far apart", () => {
    const repost = REPORT.slice(0, 9).concat(kw(["转发", 0.8]));
    const other = kw(["工资拖欠", 5], ["农民工", 4], ["讨薪", 3], ["人社局", 2.5], ["维权", 2], ["建筑工地", 1.8], ["欠薪", 1.5], ["投诉", 1.2]);
    const near = simhashDistance(simhash64(REPORT), simhash64(repost));
    const far = simhashDistance(simhash64(REPORT), simhash64(other));
    expect(near).toBeLessThanOrEqual(6);
    expect(far).toBeGreaterThan(16);
  });

  it("lets heavy keywords weigh more than light ones", () => {
    const h = simhash64(REPORT);
    const withoutLightest = simhashDistance(h, simhash64(REPORT.filter((k) => k.word !== "现场")));
    const withoutHeaviest = simhashDistance(h, simhash64(REPORT.filter((k) => k.word !== "化工厂")));
    expect(withoutLightest).toBeLessThan(withoutHeaviest);
    expect(withoutLightest).toBeLessThanOrEqual(8);
  });

  it("hashes the words' UTF-8 bytes: values stored by earlier versions stay comparable", () => {
    // Pinned from the TextEncoder-based version: ASCII, 2-, 3- and 4-byte characters and a lone surrogate (as U+FFFD).
    expect(simhash64(REPORT)).toBe("421420024c0c1f93");
    expect(simhash64(kw(["covid-19", 3], ["café", 2], ["😀开心", 1.5], ["\uD800坏", 1], ["ⅳ级", 0.7]))).toBe("b5cb9b94be5c4518");
    expect(simhash64(kw(["😀", 1]))).toBe("3303a80aaa0ea5af");
    expect(simhash64(kw(["\uDC00x", 1]))).toBe("c6eba4d12bc3ccdb");
  });

  it("gives zeros for no usable keywords", () => {
    expect(simhash64([])).toBe("0000000000000000");
    expect(simhash64(kw(["无权重", 0], ["负", -1]))).toBe("0000000000000000");
  });
});

describe("simhashDistance", () => {
  it("counts differing bits", () => {
    expect(simhashDistance("0000000000000000", "0000000000000000")).toBe(0);
    expect(simhashDistance("ffff0000ffff0000", "ffff0000ffff0001")).toBe(1);
    expect(simhashDistance("0000000000000000", "ffffffffffffffff")).toBe(64);
    expect(simhashDistance("8000000000000001", "0000000000000000")).toBe(2);
  });
});
