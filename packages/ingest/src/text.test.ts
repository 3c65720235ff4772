import { describe, expect, it } from "vitest";
import { normaliseLine, normaliseText, removeControlChars, stripHtml, toHalfWidth } from "./text.js";

describe("stripHtml", () => {
  it("turns markup into text and leaves prose with a bare '<' alone", () => {
    expect(stripHtml("<p>某市&nbsp;发布</p><script>alert(1)</script>")).toBe("某市\u00a0发布");
    expect(stripHtml("温度<5度，a<b")).toBe("温度<5度，a<b");
    expect(stripHtml("工资&amp;社保")).toBe("工资&社保");
    expect(stripHtml("https://x.cn/?a=1&b=2")).toBe("https://x.cn/?a=1&b=2");
  });
});

describe("toHalfWidth", () => {
  it("makes full-width ASCII half-width but keeps Chinese punctuation and figure-bearing symbols", () => {
    expect(toHalfWidth("ＡＢＣ１２３　，。！？（）")).toBe("ABC123 ，。！？（）");
    expect(toHalfWidth("①3人死亡，面积120㎡")).toBe("①3人死亡，面积120㎡");
  });
});

describe("removeControlChars", () => {
  it("drops controls and invisible characters, keeps line breaks", () => {
    expect(removeControlChars("工\u200b资\u0000拖\r\n欠\t!")).toBe("工资拖\n欠 !");
  });
});

describe("normaliseText / normaliseLine", () => {
  it("strips HTML, collapses whitespace and blank lines, half-widths", () => {
    expect(normaliseText("<p>ＡＢＣ　 造成3人死亡</p><p></p><p>12人受伤</p>")).toBe("ABC 造成3人死亡\n12人受伤");
    expect(normaliseLine("  某市<br>通报 ")).toBe("某市 通报");
  });
});
