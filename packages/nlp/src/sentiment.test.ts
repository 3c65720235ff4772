import { describe, expect, it } from "vitest";
import { parseSentimentLexicon, scoreSentiment } from "./sentiment.js";
import type { LexiconSources } from "./sentiment.js";

function sources(over: Partial<Record<keyof LexiconSources, string>> = {}): LexiconSources {
  const text = {
    positive: "满意 1.2\n点赞 1.5\n及时\n妥善\n好 0.6",
    negative: "# 政务\n不作为 1.5\n拖欠 1.2\n投诉\n推诿 1.5\n没人管 1.5\n伤亡 1.2\n不力 1.2",
    negations: "不\n没有\n未\n无\n不太 0.5",
    degrees: "非常 1.75\n太 1.6\n稍微 0.6",
    ...over,
  };
  return {
    positive: { text: text.positive, source: "positive.txt" },
    negative: { text: text.negative, source: "negative.txt" },
    negations: { text: text.negations, source: "negations.txt" },
    degrees: { text: text.degrees, source: "degrees.txt" },
  };
}

const lexicon = parseSentimentLexicon(sources());
const score = (...tokens: string[]) => scoreSentiment(tokens, lexicon);

describe("scoreSentiment", () => {
  it("labels plain positive, negative and neutral text", () => {
    expect(score("群众", "纷纷", "点赞")).toMatchObject({ label: "positive" });
    expect(score("多次", "投诉", "无果")).toMatchObject({ label: "negative" });
    expect(score("今天", "召开", "会议")).toEqual({ score: 0, label: "neutral" });
    expect(score()).toEqual({ score: 0, label: "neutral" });
  });

  it("flips polarity after a negation, also across a few neutral words", () => {
    expect(score("群众", "不", "满意").score).toBeLessThan(0);
    expect(score("没有", "及时", "回应").score).toBeLessThan(0);
    expect(score("事故", "未", "造成", "人员", "伤亡").score).toBeGreaterThan(0);
    expect(score("不", "是", "不", "满意").score).toBeGreaterThan(0);
  });

  it("does not carry a negation past punctuation or too many words", () => {
    expect(score("不", "，", "满意").score).toBeGreaterThan(0);
    expect(score("没有", "一", "二", "三", "四", "满意").score).toBeGreaterThan(0);
  });

  it("scales by degree words, and softens negation before a degree word", () => {
    const plain = score("满意").score;
    expect(score("非常", "满意").score).toBeGreaterThan(plain);
    expect(score("稍微", "满意").score).toBeLessThan(plain);
    const notVery = score("不", "太", "好").score;
    const veryNot = score("太", "不", "好").score;
    expect(notVery).toBeLessThan(0);
    expect(veryNot).toBeLessThan(notVery);
    expect(score("不太", "满意").score).toBeGreaterThan(score("不", "满意").score);
  });

  it("matches phrases that the segmenter split, and lets contrast clauses dominate", () => {
    expect(score("没人", "管").score).toBeLessThan(0);
    const mixed = score("虽然", "回应", "及时", "，", "但", "处置", "不力");
    expect(mixed.label).toBe("negative");
  });

  it("stays within [-1, 1] however long the text", () => {
    const many = Array.from({ length: 500 }, () => "投诉");
    expect(scoreSentiment(many, lexicon).score).toBeGreaterThanOrEqual(-1);
    expect(scoreSentiment(many, lexicon)).toMatchObject({ label: "negative" });
  });

  it("reads Latin and full-width tokens in index form", () => {
    const latin = parseSentimentLexicon(sources({ positive: "good" }));
    expect(scoreSentiment(["GOOD"], latin).label).toBe("positive");
  });
});

describe("parseSentimentLexicon", () => {
  it("counts the words of each list", () => {
    expect(lexicon.counts).toEqual({ positive: 5, negative: 7, negations: 5, degrees: 3 });
  });

  it("names the file and line of a bad entry", () => {
    expect(() => parseSentimentLexicon(sources({ positive: "满意\n点赞 很多" }))).toThrowError(/positive\.txt:2: weight "很多"/);
    expect(() => parseSentimentLexicon(sources({ degrees: "非常" }))).toThrowError(/degrees\.txt:1: degree word "非常" needs a factor/);
    expect(() => parseSentimentLexicon(sources({ negative: "投诉 1 2" }))).toThrowError(/negative\.txt:1: expected "word \[number\]"/);
    expect(() => parseSentimentLexicon(sources({ negative: "满意" }))).toThrowError(/negative\.txt:1: "满意" is already listed at positive\.txt:1/);
    expect(() => parseSentimentLexicon(sources({ positive: "好 -1" }))).toThrowError(/must be a number in \(0, 10\]/);
  });
});
