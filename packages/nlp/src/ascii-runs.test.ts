import { describe, expect, it } from "vitest";
import { mergeAsciiRuns } from "./ascii-runs.js";

describe("mergeAsciiRuns", () => {
  it("re-joins split digits, decimals and percentages", () => {
    expect(mergeAsciiRuns(["2", "4", "小时"])).toEqual(["24", "小时"]);
    expect(mergeAsciiRuns(["约", "1", ".", "2", "亿元"])).toEqual(["约", "1.2", "亿元"]);
    expect(mergeAsciiRuns(["增长", "3", ".", "5", "%"])).toEqual(["增长", "3.5%"]);
    expect(mergeAsciiRuns(["共", "1", ",", "0", "0", "0", "人"])).toEqual(["共", "1,000", "人"]);
  });

  it("re-joins Latin words with digits and inner hyphens", () => {
    expect(mergeAsciiRuns(["C", "O", "V", "I", "D", "-", "1", "9", "疫情"])).toEqual(["COVID-19", "疫情"]);
    expect(mergeAsciiRuns(["5", "G", "网络"])).toEqual(["5G", "网络"]);
    expect(mergeAsciiRuns(["PM2", ".", "5"])).toEqual(["PM2.5"]);
  });

  it("leaves trailing punctuation and list commas as separate tokens", () => {
    expect(mergeAsciiRuns(["end", "."])).toEqual(["end", "."]);
    expect(mergeAsciiRuns(["3", ",", "5"])).toEqual(["3", ",", "5"]);
    expect(mergeAsciiRuns(["-", "-"])).toEqual(["-", "-"]);
  });

  it("keeps tokens mixing CJK and ASCII, and whitespace, as boundaries", () => {
    expect(mergeAsciiRuns(["拨打", "12345热线"])).toEqual(["拨打", "12345热线"]);
    expect(mergeAsciiRuns(["New", " ", "York"])).toEqual(["New", " ", "York"]);
  });

  it("preserves the concatenation", () => {
    const tokens = ["a", "-", "b", ".", ".", "1", "%", "%", "中", "x", "'", "s"];
    expect(mergeAsciiRuns(tokens).join("")).toBe(tokens.join(""));
  });
});
