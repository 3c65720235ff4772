import { describe, expect, it } from "vitest";
import { indexForm, isNumber, isPunctuation, isWhitespace, normalizeWidth, replaceLoneSurrogates } from "./text.js";

describe("normalizeWidth", () => {
  it("maps full-width letters, digits and number punctuation one for one", () => {
    const text = "２４小时，ＣＯＶＩＤ－１９，１．２亿元，３％";
    const out = normalizeWidth(text);
    expect(out).toBe("24小时，COVID-19，1.2亿元，3%");
    expect(out.length).toBe(text.length);
  });

  it("keeps Chinese punctuation", () => {
    expect(normalizeWidth("你好，世界！（测试）")).toBe("你好，世界！（测试）");
  });
});

describe("replaceLoneSurrogates", () => {
  it("replaces only unpaired surrogates", () => {
    expect(replaceLoneSurrogates("a\uD800b😀\uDC00")).toBe("a\uFFFDb😀\uFFFD");
  });
});

describe("token classes", () => {
  it("recognises punctuation, symbols and whitespace", () => {
    for (const t of ["，", "。", "...", "%", "——", "😀", " ", "\u3000", "\n"]) expect(isPunctuation(t)).toBe(true);
    for (const t of ["政务", "24", "3.5%", "COVID-19"]) expect(isPunctuation(t)).toBe(false);
    expect(isWhitespace("\u3000 \t")).toBe(true);
    expect(isWhitespace("，")).toBe(false);
  });

  it("recognises numbers", () => {
    for (const t of ["24", "1.2", "3.5%", "1,000", "12,345.6"]) expect(isNumber(t)).toBe(true);
    for (const t of ["5G", "COVID-19", "1,00", "1.", "二十"]) expect(isNumber(t)).toBe(false);
  });

  it("gives the index form: half-width lowercase", () => {
    expect(indexForm("ＣＯＶＩＤ-19")).toBe("covid-19");
    expect(indexForm("政务")).toBe("政务");
    // Beyond ASCII and ideographs too: Roman numerals, Greek, full-width letters inside a word.
    expect(indexForm("Ⅳ级")).toBe("ⅳ级");
    expect(indexForm("Δ变异株")).toBe("δ变异株");
    expect(indexForm("ＰＭ２.５浓度")).toBe("pm2.5浓度");
    expect(indexForm("pm2.5")).toBe("pm2.5");
  });

  it("classifies a token by all its characters, not only the first", () => {
    expect(isPunctuation("，政务")).toBe(false);
    expect(isPunctuation("政务，")).toBe(false);
    expect(isPunctuation("")).toBe(false);
    expect(isWhitespace(" 政")).toBe(false);
    expect(isWhitespace("政 ")).toBe(false);
    expect(isWhitespace("\u3000")).toBe(true);
  });

  it("leaves texts without full-width forms or lone surrogates as they are", () => {
    const text = "2024年6月3日，某市发生爆炸。😀";
    expect(normalizeWidth(text)).toBe(text);
    expect(replaceLoneSurrogates(text)).toBe(text);
    expect(normalizeWidth("损失１．２亿元")).toBe("损失1.2亿元");
    expect(replaceLoneSurrogates("\uDC00😀\uD800")).toBe("\uFFFD😀\uFFFD");
  });
});
