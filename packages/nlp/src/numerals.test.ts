import { describe, expect, it } from "vitest";
import { parseQuantity } from "./numerals.js";

describe("parseQuantity", () => {
  it("reads Chinese numerals", () => {
    const cases: Record<string, number> = {
      一: 1, 两: 2, 十: 10, 十二: 12, 二十: 20, 二十三: 23, 一百零五: 105, 一千零五十: 1050, 三百: 300,
      一千二百: 1200, 十二万三千: 123000, 一千二百万: 12_000_000, 一亿二千万: 120_000_000, 二〇二三: 2023, 壹佰: 100,
    };
    for (const [text, value] of Object.entries(cases)) expect(parseQuantity(text), text).toEqual({ value, approx: false });
  });

  it("reads Arabic numerals and mixes them with 万/亿", () => {
    const cases: Record<string, number> = {
      "12": 12, "1,200": 1200, "1.5": 1.5, "1.2亿": 120_000_000, "5000万": 50_000_000, "3万5千": 35_000,
      "1亿2000万": 120_000_000, "3.5万": 35_000, "0.8亿": 80_000_000,
    };
    for (const [text, value] of Object.entries(cases)) expect(parseQuantity(text), text).toEqual({ value, approx: false });
  });

  it("keeps the lower bound of vague numbers and flags them", () => {
    expect(parseQuantity("30余")).toEqual({ value: 30, approx: true, min: 30 });
    expect(parseQuantity("二十多")).toEqual({ value: 20, approx: true, min: 20 });
    expect(parseQuantity("3000余万")).toEqual({ value: 30_000_000, approx: true, min: 30_000_000 });
    expect(parseQuantity("上百")).toEqual({ value: 100, approx: true, min: 100 });
    expect(parseQuantity("上千")).toEqual({ value: 1000, approx: true, min: 1000 });
    expect(parseQuantity("十几")).toEqual({ value: 11, approx: true, min: 11, max: 19 });
    expect(parseQuantity("几十")).toEqual({ value: 20, approx: true, min: 20, max: 90 });
    expect(parseQuantity("数十万")).toEqual({ value: 200_000, approx: true, min: 200_000, max: 900_000 });
    expect(parseQuantity("10来")).toEqual({ value: 10, approx: true });
  });

  it("reads neighbouring digits as a range", () => {
    expect(parseQuantity("三四")).toEqual({ value: 3, approx: true, min: 3, max: 4 });
    expect(parseQuantity("二三十")).toEqual({ value: 20, approx: true, min: 20, max: 30 });
    expect(parseQuantity("十二三")).toEqual({ value: 12, approx: true, min: 12, max: 13 });
    expect(parseQuantity("一两")).toEqual({ value: 1, approx: true, min: 1, max: 2 });
  });

  it("rejects what is not a number", () => {
    for (const text of ["", "多", "余", "上", "上3", "百百", "十百", "余30", "30余多", "万", "3.2.1", "abc"]) {
      expect(parseQuantity(text), text).toBeUndefined();
    }
  });
});
