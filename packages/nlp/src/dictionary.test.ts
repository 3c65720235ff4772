import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { defaultConfigDir } from "@liaowang/config";
import { formatUserDict, parseStopWords, parseUserDict } from "./dictionary.js";

describe("parseUserDict", () => {
  it("reads the three jieba forms, comments and blank lines", () => {
    const words = parseUserDict("# 机构\n国务院办公厅 5000 nt\n\n网信办 nt  # 简称\n政务舆情\n舆情回应 300\n", "t.txt");
    expect(words).toEqual([
      { word: "国务院办公厅", freq: 5000, tag: "nt" },
      { word: "网信办", tag: "nt" },
      { word: "政务舆情" },
      { word: "舆情回应", freq: 300 },
    ]);
  });

  it("names the file and line of a malformed entry", () => {
    expect(() => parseUserDict("好词 1 n\n坏 词 1 n x", "user.dict.txt")).toThrowError(/user\.dict\.txt:2: expected "word \[freq\] \[tag\]"/);
    expect(() => parseUserDict("词 0 n", "u")).toThrowError(/u:1: frequency "0" must be a positive integer/);
    expect(() => parseUserDict("词 10 名词", "u")).toThrowError(/u:1: tag "名词" must be letters/);
    expect(() => parseUserDict("词 -5", "u")).toThrowError(/u:1: "-5" is neither a frequency nor a tag/);
  });

  it("formats entries so the native loader reads them as written", () => {
    const text = formatUserDict([{ word: "甲", freq: 10, tag: "n" }, { word: "乙", tag: "nt" }, { word: "丙" }, { word: "丁", freq: 5 }]);
    expect(text).toBe("甲 10 n\n乙 nt\n丙\n丁 5 x");
  });
});

describe("parseStopWords", () => {
  it("lowercases, skips comments and rejects spaces", () => {
    expect(parseStopWords("的\n# x\nThe # article\n\n", "s")).toEqual(["的", "the"]);
    expect(() => parseStopWords("a b", "stop.txt")).toThrowError(/stop\.txt:1: a stop word must not contain spaces/);
  });
});

describe("shipped dictionaries", () => {
  const dir = join(defaultConfigDir, "dict");

  it("user dictionary parses and has a few hundred unique words", () => {
    const words = parseUserDict(readFileSync(join(dir, "user.dict.txt"), "utf8"), "user.dict.txt");
    expect(words.length).toBeGreaterThan(300);
    expect(new Set(words.map((w) => w.word)).size).toBe(words.length);
    for (const term of ["国务院办公厅", "国家卫生健康委", "应急管理部", "网信办", "市场监管局", "信访局", "政务舆情", "12345热线", "先诊疗后付费"]) {
      expect(words.map((w) => w.word)).toContain(term);
    }
  });

  it("stop words parse, are unique and leave negations and degree words to sentiment", () => {
    const words = parseStopWords(readFileSync(join(dir, "stopwords.txt"), "utf8"), "stopwords.txt");
    expect(words.length).toBeGreaterThan(200);
    expect(new Set(words).size).toBe(words.length);
    for (const kept of ["不", "没有", "未", "非常", "很", "最"]) expect(words).not.toContain(kept);
  });
});
