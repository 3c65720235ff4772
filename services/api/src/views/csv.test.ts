import { describe, expect, it } from "vitest";
import { toCsv } from "./csv.js";

describe("toCsv", () => {
  it("writes a BOM, CRLF rows and quotes what needs quoting", () => {
    expect(toCsv(["标题", "摘要"], [["工资拖欠", 'a "b", c\nd'], ["x", null]])).toBe('\uFEFF标题,摘要\r\n工资拖欠,"a ""b"", c\nd"\r\nx,\r\n');
  });

  it("defuses cells a spreadsheet would run as formulas", () => {
    expect(toCsv(["a"], [["=HYPERLINK(\"http://x\")"], ["+1"], ["-2"], ["@SUM(A1)"], ["正常"]])).toBe('\uFEFFa\r\n"\'=HYPERLINK(""http://x"")"\r\n\'+1\r\n\'-2\r\n\'@SUM(A1)\r\n正常\r\n');
  });
});
