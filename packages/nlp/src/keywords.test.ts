import { describe, expect, it } from "vitest";
import { rankKeywords } from "./keywords.js";
import type { KeywordInput } from "./keywords.js";

const base: KeywordInput = {
  extracted: [],
  tokens: [],
  unknownIdf: 10,
  isStopWord: (w) => w === "的" || w === "the",
  topN: 10,
};

describe("rankKeywords", () => {
  it("keeps CJK keywords of the extractor and drops its split Latin pieces", () => {
    const out = rankKeywords({
      ...base,
      extracted: [
        { word: "疫情", weight: 8 },
        { word: "COVID", weight: 11 },
        { word: "19", weight: 11 },
        { word: "12345热线", weight: 9 },
      ],
    });
    expect(out).toEqual([
      { word: "12345热线", weight: 9 },
      { word: "疫情", weight: 8 },
    ]);
  });

  it("weighs whole Latin words by count × unknown IDF, lowercased", () => {
    const out = rankKeywords({ ...base, tokens: ["COVID-19", "疫情", "covid-19", "5G"] });
    expect(out).toEqual([
      { word: "covid-19", weight: 20 },
      { word: "5g", weight: 10 },
    ]);
  });

  it("drops numbers unless asked, stop words, single characters and punctuation", () => {
    const tokens = ["24", "1.2", "3.5%", "the", "x", "--", "5G"];
    expect(rankKeywords({ ...base, tokens }).map((k) => k.word)).toEqual(["5g"]);
    expect(rankKeywords({ ...base, tokens, options: { includeNumbers: true } }).map((k) => k.word)).toEqual(["1.2", "24", "3.5%", "5g"]);
    expect(rankKeywords({ ...base, extracted: [{ word: "的", weight: 3 }, { word: "水", weight: 3 }, { word: "……", weight: 3 }] })).toEqual([]);
  });

  it("orders by weight then word and cuts at topN", () => {
    const extracted = [
      { word: "乙方", weight: 2 },
      { word: "甲方", weight: 2 },
      { word: "丙方", weight: 5 },
    ];
    expect(rankKeywords({ ...base, extracted, topN: 2 })).toEqual([
      { word: "丙方", weight: 5 },
      { word: "乙方", weight: 2 },
    ]);
    expect(rankKeywords({ ...base, extracted, topN: 0 })).toEqual([]);
  });
});
