import { describe, expect, it } from "vitest";
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { Jieba } from "@node-rs/jieba";
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
    const words = [{ word: "瞭望哨兵", freq: 3000 }];
    const engine = loadEngine("test-a", words);
    expect(loadEngine("test-a", words)).toBe(engine);
    expect(engine.cut("瞭望哨兵系统上线")).toContain("瞭望哨兵");
    expect(loadEngine("test-b", []).cut("瞭望哨兵系统上线")).not.toContain("瞭望哨兵");
  });

  it("keeps a user word whole when jieba's block splitting would cut it at a character outside its blocks", () => {
    const engine = loadEngine("test-c", [{ word: "Ⅳ级", freq: 3000 }, { word: "应急响应" }]);
    expect(engine.cut("启动Ⅳ级应急响应")).toEqual(["启动", "Ⅳ级", "应急响应"]);
    expect(engine.cut("Ⅳ类水质")).toEqual(expect.arrayContaining(["Ⅳ"]));
  });

  it("builds search mode from precise pieces exactly as the native search mode cuts the text", () => {
    const engine = loadEngine("test-d", []);
    const native = Jieba.withDict(readFileSync(createRequire(import.meta.url).resolve("@node-rs/jieba/dict.txt")));
    for (const text of ["国务院办公厅印发通知", "中华人民共和国应急管理部", "某市化工厂发生爆炸事故，造成3人死亡", "小明硕士毕业于中国科学院计算所，后在日本京都大学深造"]) {
      expect(engine.searchPieces(engine.cut(text)), text).toEqual(native.cutForSearch(text, true));
    }
    expect(engine.searchPieces(["化工厂"])).toEqual(["化工", "工厂", "化工厂"]);
    expect(engine.searchPieces(["😀化工厂"])).toEqual(["化工", "工厂", "化工厂", "😀化工厂"]);
  });

  it("adds the user words to search mode", () => {
    const engine = loadEngine("test-e", [{ word: "信办", freq: 3000 }]);
    expect(engine.searchPieces(["网信办"])).toEqual(["信办", "网信办"]);
  });
});
