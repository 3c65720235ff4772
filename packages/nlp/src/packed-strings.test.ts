import { describe, expect, it } from "vitest";
import { PackedStrings, packWordList } from "./packed-strings.js";

describe("PackedStrings", () => {
  it("finds each word, also as a slice of a longer text, and nothing else", () => {
    const set = new PackedStrings(["应急", "管理局", "应急管理局", "😀", "a"]);
    expect(set.length).toBe(5);
    expect(set.indexOf("应急")).toBe(0);
    expect(set.indexOf("应急管理局")).toBe(2);
    expect(set.indexOf("应急管理局", 2, 5)).toBe(1);
    expect(set.indexOf("应急管理局", 0, 2)).toBe(0);
    expect(set.indexOf("😀")).toBe(3);
    expect(set.indexOf("a")).toBe(4);
    for (const absent of ["应", "管理", "急管", "", "A", "\uD83D"]) expect(set.indexOf(absent)).toBe(-1);
  });

  it("stays exact when full: every one of many similar words at its own index, the last of a repeat", () => {
    const words = Array.from({ length: 20_000 }, (_, i) => `词${String.fromCharCode(0x4e00 + (i % 500))}${Math.floor(i / 500)}`);
    const set = new PackedStrings([...words, words[7]!]);
    words.forEach((w, i) => expect(set.indexOf(w)).toBe(i === 7 ? words.length : i));
    expect(set.indexOf("词")).toBe(-1);
    expect(set.indexOf(`${words[3]!}x`)).toBe(-1);
  });
});

describe("PackedStrings: words compared in their slot", () => {
  it("tells apart words sharing their first four units, padding from a real U+0000, and very long words", () => {
    const long = "长".repeat(200);
    const set = new PackedStrings(["应急管理", "应急管理局", "应急管理部门", "ab", "ab\u0000", long, `${long}x`]);
    expect(["应急管理", "应急管理局", "应急管理部门", "ab", "ab\u0000", long, `${long}x`].map((w) => set.indexOf(w))).toEqual([0, 1, 2, 3, 4, 5, 6]);
    for (const absent of ["应急管", "应急管理部", "应急管理局长", "ab\u0000\u0000", "长".repeat(199), "长".repeat(201)]) expect(set.indexOf(absent), absent).toBe(-1);
    expect(set.indexOf("在应急管理局", 1, 6)).toBe(1);
  });
});

describe("packWordList", () => {
  it("packs the first field of the lines whose length it keeps, and hands over the rest of each kept line", () => {
    const list = Buffer.from("应急 12.5 n\n应急管理局 3 nt\n😀笑 7\r\nab 1\n\n单\n化工厂 9\n");
    const rest: string[] = [];
    const set = packWordList(list, (chars) => chars === 2 || chars === 3, (index, from, to) => (rest[index] = list.toString("utf8", from, to)));
    expect(set.length).toBe(4);
    expect(["应急", "😀笑", "ab", "化工厂"].map((w) => set.indexOf(w))).toEqual([0, 1, 2, 3]);
    expect(set.indexOf("应急管理局")).toBe(-1);
    expect(set.indexOf("单")).toBe(-1);
    expect(rest).toEqual(["12.5 n", "7\r", "1", "9"]);
  });
});

