import { describe, expect, it } from "vitest";
import { rankKeywords } from "./keywords.js";
import type { KeywordInput } from "./keywords.js";

const IDF: Record<string, number> = { 疫情: 8, 甲方: 2, 乙方: 2, 丙方: 5, 水: 3, 的: 1 };
const base: KeywordInput = {
  tokens: [],
  idf: { get: (word) => IDF[word], average: 10 },
  isStopWord: (w) => w === "的" || w === "the",
  topN: 10,
};

describe("rankKeywords", () => {
  it("weighs a word by its count × IDF, and a word absent from the table by the average IDF", () => {
    const out = rankKeywords({ ...base, tokens: ["疫情", "，", "12345热线", "疫情"] });
    expect(out).toEqual([
      { word: "疫情", weight: 16 },
      { word: "12345热线", weight: 10 },
    ]);
  });

  it("weighs whole Latin words by count × average IDF, merged across case", () => {
    const out = rankKeywords({ ...base, tokens: ["COVID-19", "疫情", "covid-19", "5G"] });
    expect(out).toEqual([
      { word: "covid-19", weight: 20 },
      { word: "5g", weight: 10 },
      { word: "疫情", weight: 8 },
    ]);
  });

  it("drops numbers unless asked, stop words, single characters and punctuation", () => {
    const tokens = ["24", "1.2", "3.5%", "十二", "the", "x", "--", "5G"];
    expect(rankKeywords({ ...base, tokens }).map((k) => k.word)).toEqual(["5g"]);
    expect(rankKeywords({ ...base, tokens, options: { includeNumbers: true } }).map((k) => k.word)).toEqual(["1.2", "24", "3.5%", "5g", "十二"]);
    expect(rankKeywords({ ...base, tokens: ["的", "水", "……", " ", "\n"] })).toEqual([]);
  });

  it("orders by weight then word and cuts at topN", () => {
    const tokens = ["乙方", "甲方", "丙方"];
    expect(rankKeywords({ ...base, tokens, topN: 2 })).toEqual([
      { word: "丙方", weight: 5 },
      { word: "乙方", weight: 2 },
    ]);
    expect(rankKeywords({ ...base, tokens, topN: 0 })).toEqual([]);
  });
});
