import { describe, expect, it } from "vitest";
import nodejieba from "nodejieba";
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

// Each native load takes a second or more (several on a loaded machine), so the cases share a few dictionaries.
const USER_WORDS = [{ word: "瞭望哨兵", freq: 3000 }, { word: "Ⅳ级", freq: 3000 }, { word: "应急响应" }, { word: "12345热线", tag: "nz" }, { word: "信办", freq: 3000 }];

describe("loadEngine", () => {
  it("shares one engine per dictionary key and puts the user words on top of jieba's dictionary", { timeout: 60_000 }, () => {
    const engine = loadEngine("test-user", USER_WORDS);
    expect(loadEngine("test-user", USER_WORDS)).toBe(engine);
    expect(engine.cut("瞭望哨兵系统上线")).toContain("瞭望哨兵");
    // Characters outside the CJK block (Ⅳ) and digits inside a user word do not break it up.
    expect(engine.cut("启动Ⅳ级应急响应")).toEqual(["启动", "Ⅳ级", "应急响应"]);
    expect(engine.cut("Ⅳ类水质")).toEqual(expect.arrayContaining(["Ⅳ"]));
    expect(engine.cut("拨打12345热线反映")).toContain("12345热线");
    expect(engine.searchPieces(["网信办"])).toEqual(["信办", "网信办"]);
  });

  it("builds search mode from precise pieces exactly as the native search mode cuts the text", { timeout: 60_000 }, () => {
    const engine = loadEngine("test-plain", []);
    expect(engine.cut("瞭望哨兵系统上线")).not.toContain("瞭望哨兵");
    for (const text of ["国务院办公厅印发通知", "中华人民共和国应急管理部", "某市化工厂发生爆炸事故，造成3人死亡", "小明硕士毕业于中国科学院计算所，后在日本京都大学深造"]) {
      const pieces = engine.cut(text);
      // The same native engine, holding this engine's dictionary since the cut above.
      expect(engine.searchPieces(pieces), text).toEqual(nodejieba.cutForSearch(text, true));
    }
    expect(engine.searchPieces(["化工厂"])).toEqual(["化工", "工厂", "化工厂"]);
    expect(engine.searchPieces(["😀化工厂"])).toEqual(["化工", "工厂", "化工厂", "😀化工厂"]);
  });

  it("cuts exactly as the native string cut, from word lengths: surrogate pairs, controls, whitespace, long texts", { timeout: 60_000 }, () => {
    const engine = loadEngine("test-plain", []);
    const texts = [
      "某市化工厂发生爆炸事故，造成3人死亡",
      "emoji 😀😀 和\u0000控制符\t\r\n　全角空格",
      "𠮷野家𠀀𡈽在COVID-19期间 24小时营业，PM2.5指数152。",
      "",
      "a",
      "国务院办公厅印发通知。".repeat(400),
    ];
    for (const text of texts) {
      const words = engine.cut(text);
      expect(words, text.slice(0, 20)).toEqual(nodejieba.cut(text, true));
      expect(words.join("")).toBe(text);
    }
  });

  it("reloads its own dictionary when another engine replaced the process's native one", { timeout: 60_000 }, () => {
    const plain = loadEngine("test-plain", []);
    const withWords = loadEngine("test-user", USER_WORDS);
    expect(plain.cut("瞭望哨兵系统上线")).not.toContain("瞭望哨兵");
    expect(withWords.cut("瞭望哨兵系统上线")).toContain("瞭望哨兵");
  });
});
