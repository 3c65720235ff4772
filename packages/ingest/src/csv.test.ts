import { describe, expect, it } from "vitest";
import { parseCsv } from "./csv.js";

describe("parseCsv", () => {
  it("maps Chinese headers to contract fields and reports bad rows by line", () => {
    const csv = [
      "\ufeff工单编号,来电时间,诉求内容,所属区域,来电人,转发数",
      'GD001,2024/5/1 9:30,"小区停水三天，\n老人生活困难",湖南省长沙市天心区,张先生,"1,024"',
      "GD002,明天,投诉工地夜间施工噪音,,李女士,",
      "GD003,2024-05-01 10:00,,湖南省长沙市,,",
    ].join("\n");
    expect(parseCsv(csv, { defaults: { source: "12345-hotline" } })).toEqual([
      {
        at: { kind: "line", n: 3 },
        ok: true,
        record: { source: "12345-hotline", publishedAt: "2024-05-01T01:30:00.000Z", text: "小区停水三天，\n老人生活困难", region: "湖南省长沙市天心区", author: "张先生", metrics: { reposts: 1024 } },
      },
      { at: { kind: "line", n: 4 }, ok: false, reason: 'line 4: publishedAt: expected an ISO-8601 date-time, got "明天"' },
      { at: { kind: "line", n: 5 }, ok: false, reason: "line 5: text: required (expected string)" },
    ]);
  });

  it("reads English contract headers", () => {
    const units = parseCsv("source,text,publishedAt,url\nweibo,工资拖欠,2024-05-01T08:00:00+08:00,https://weibo.com/1\n");
    expect(units).toEqual([{ at: { kind: "line", n: 2 }, ok: true, record: { source: "weibo", text: "工资拖欠", publishedAt: "2024-05-01T00:00:00.000Z", url: "https://weibo.com/1" } }]);
  });

  it("rejects a malformed row by line and keeps reading", () => {
    const units = parseCsv('source,text,publishedAt\nweibo,a"b,2024-05-01\nweibo,正常,2024-05-01\n');
    expect(units.map((u) => (u.ok ? u.at.n : u.reason))).toEqual(['line 2: Invalid Opening Quote: a quote is found on field 1 at line 2, value is "a"', 3]);
  });

  it("refuses a file without a text column", () => {
    expect(() => parseCsv("编号,时间\n1,2024-05-01\n")).toThrow("CSV header has no text column (expected one of text, content, 内容, 正文, 诉求内容, 来电内容, 留言内容; got 编号, 时间)");
  });
});
