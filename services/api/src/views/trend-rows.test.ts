import { describe, expect, it } from "vitest";
import { toCsv } from "./csv.js";
import { trendRows } from "./trend-rows.js";

describe("trends as CSV rows", () => {
  it("gives one row per bucket and series in Beijing time, volume first, sentiment in Chinese", () => {
    const rows = trendRows({
      interval: "day",
      buckets: ["2026-12-01T16:00:00.000Z", "2026-12-02T16:00:00.000Z"],
      volume: [5, 2],
      series: { topics: [{ key: "工资拖欠", counts: [3, 1] }], sentiment: [{ key: "negative", counts: [4, 0] }] },
    });
    expect(rows).toEqual([
      ["2026-12-02", "全部", "", 5],
      ["2026-12-02", "话题", "工资拖欠", 3],
      ["2026-12-02", "情感", "负面", 4],
      ["2026-12-03", "全部", "", 2],
      ["2026-12-03", "话题", "工资拖欠", 1],
      ["2026-12-03", "情感", "负面", 0],
    ]);
    expect(trendRows({ interval: "hour", buckets: ["2026-12-02T01:00:00.000Z"], volume: [1], series: {} })).toEqual([["2026-12-02 09:00", "全部", "", 1]]);
    expect(toCsv(["时间（北京）", "维度", "值", "篇数"], rows.slice(0, 1))).toBe("\uFEFF时间（北京）,维度,值,篇数\r\n2026-12-02,全部,,5\r\n");
  });
});
