import { describe, expect, it } from "vitest";
import { snippet } from "./search.js";

describe("fallback snippet", () => {
  it("marks query words inside longer tokens, around the first one", () => {
    expect(snippet("长沙市人社局帮助农民工追回拖欠工资，工人表示感谢。", ["工资"])).toEqual(["长沙市人社局帮助农民工追回拖欠<em>工资</em>，工人表示感谢。"]);
    const long = `${"甲".repeat(100)}工资拖欠${"乙".repeat(300)}`;
    const [cut] = snippet(long, ["工资", "拖欠"]);
    expect(cut?.startsWith("甲".repeat(40) + "<em>工资</em><em>拖欠</em>")).toBe(true);
  });

  it("gives the text's start without words, and never lets stored text become markup", () => {
    expect(snippet("  新图书馆\n开放  ", [])).toEqual(["新图书馆 开放"]);
    expect(snippet("<em>伪造</em>的标记 工资", ["工资"])).toEqual(["＜em＞伪造＜/em＞的标记 <em>工资</em>"]);
    expect(snippet(undefined, ["x"])).toEqual([]);
  });
});
