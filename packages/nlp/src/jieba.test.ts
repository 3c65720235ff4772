import { describe, expect, it } from "vitest";
import { idfTable, loadEngine } from "./jieba.js";

describe("idfTable", () => {
  it("gives jieba's IDF of a listed word, nothing for an unlisted one, and the table's mean as the average", () => {
    const idf = idfTable();
    expect(idf.get("泥石流")).toBeCloseTo(9.368, 2);
    expect(idf.get("应急")).toBeGreaterThan(0);
    expect(idf.get("瞭望哨兵")).toBeUndefined();
    expect(idf.get("qzxjvkwq")).toBeUndefined();
    expect(idf.get("")).toBeUndefined();
    expect(idf.average).toBeGreaterThan(10);
    expect(idf.average).toBeLessThan(13);
    expect(idfTable()).toBe(idf);
  });
});

describe("loadEngine", () => {
  it("shares one engine per dictionary key and puts the user words on top of jieba's dictionary", () => {
    const words = [{ word: "瞭望哨兵", freq: 3000, tag: "nz" }];
    const engine = loadEngine("test-a", words);
    expect(loadEngine("test-a", words)).toBe(engine);
    expect(engine.cut("瞭望哨兵系统上线")).toContain("瞭望哨兵");
    expect(loadEngine("test-b", []).cut("瞭望哨兵系统上线")).not.toContain("瞭望哨兵");
  });

  it("keeps a user word whole when jieba's block splitting would cut it at a character outside its blocks", () => {
    const engine = loadEngine("test-c", [{ word: "Ⅳ级", freq: 3000, tag: "n" }, { word: "应急响应" }]);
    expect(engine.cut("启动Ⅳ级应急响应")).toEqual(["启动", "Ⅳ级", "应急响应"]);
    expect(engine.cut("Ⅳ类水质")).toEqual(expect.arrayContaining(["Ⅳ"]));
    expect(engine.cutForSearch("启动Ⅳ级应急响应")).toContain("Ⅳ级");
  });
});
