import { describe, expect, it } from "vitest";
import { PhraseIndex } from "./phrases.js";

const index = new PhraseIndex<number>([
  ["爆炸", 1],
  ["燃气爆炸", 2],
  ["没人管", 3],
  ["江西", 4],
  ["covid-19", 5],
]);

describe("PhraseIndex.findAll", () => {
  it("matches whole tokens and runs of tokens, leftmost-longest", () => {
    expect(index.findAll(["燃气", "爆炸", "后", "没人", "管"]).map((m) => [m.phrase, m.start, m.end])).toEqual([
      ["燃气爆炸", 0, 2],
      ["没人管", 3, 5],
    ]);
  });

  it("never matches across a word boundary inside a token or across punctuation", () => {
    expect(index.findAll(["浙江", "西部"])).toEqual([]);
    expect(index.findAll(["没人", "，", "管"])).toEqual([]);
  });

  it("finds phrases inside longer tokens only when asked", () => {
    expect(index.findAll(["发生爆炸"])).toEqual([]);
    expect(index.findAll(["发生爆炸"], { insideTokens: true })).toEqual([{ start: 0, end: 1, phrase: "爆炸", value: 1 }]);
    expect(index.findAll(["夜间燃气爆炸事故"], { insideTokens: true }).map((m) => m.phrase)).toEqual(["燃气爆炸"]);
  });

  it("compares in index form", () => {
    expect(index.findAll(["ＣＯＶＩＤ－１９"]).map((m) => m.value)).toEqual([5]);
  });
});

describe("PhraseIndex lookups", () => {
  it("tells phrases from mere prefixes, counts each phrase once, and keeps the last value of a repeated one", () => {
    const idx = new PhraseIndex<number>([
      ["燃气爆炸", 1],
      ["燃气", 2],
      ["燃气爆炸", 3],
    ]);
    expect(idx.size).toBe(2);
    expect(idx.get("燃气")).toBe(2);
    expect(idx.get("燃气爆炸")).toBe(3);
    expect(idx.get("燃气爆")).toBeUndefined();
    expect(idx.startsPhrase("燃气爆")).toBe(true);
    expect(idx.startsPhrase("燃气")).toBe(true);
    expect(idx.startsPhrase("燃气爆炸")).toBe(false);
    expect(idx.longestAt(["燃气", "爆"], 0)).toEqual({ start: 0, end: 1, phrase: "燃气", value: 2 });
  });
});


describe("PhraseIndex start filters", () => {
  it("finds every phrase of a large index however the tokens split it, inside tokens too, and no mere neighbour", () => {
    // Enough phrases that the hashed pair filter has collisions: it may let a token through, never stop a phrase.
    let seed = 7;
    const random = (n: number): number => {
      seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
      return seed % n;
    };
    const char = (): string => String.fromCharCode(0x4e00 + random(3000));
    const phrases = Array.from({ length: 20_000 }, () => Array.from({ length: 2 + random(3) }, char).join(""));
    const idx = new PhraseIndex<number>(phrases.map((p, i) => [p, i]));
    for (const phrase of phrases.slice(0, 2_000)) {
      const cut = 1 + random(phrase.length - 1);
      const tokens = [phrase.slice(0, cut), phrase.slice(cut)];
      expect(idx.longestAt(tokens, 0)?.phrase, tokens.join("/")).toBe(idx.longestAt([phrase], 0)?.phrase);
      expect(idx.get(phrase)).toBeDefined();
      expect(idx.findAll([`龥${phrase}`], { insideTokens: true }).map((m) => m.phrase)).toEqual([phrase]);
    }
    // A one-character token followed by one that no phrase continues it with: nothing.
    const lone = new PhraseIndex<number>([["没人管", 1]]);
    expect(lone.longestAt(["没", "事"], 0)).toBeUndefined();
    expect(lone.longestAt(["没", "人管"], 0)?.phrase).toBe("没人管");
    expect(lone.findAll(["没事没人管"], { insideTokens: true }).map((m) => m.phrase)).toEqual(["没人管"]);
  });
});
