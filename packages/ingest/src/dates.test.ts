import { describe, expect, it } from "vitest";
import { parseFeedDate } from "./dates.js";

describe("parseFeedDate", () => {
  it.each([
    ["Wed, 01 May 2024 09:30:00 +0800", "2024-05-01T01:30:00.000Z"],
    ["Wed, 01 May 2024 09:30:00 GMT", "2024-05-01T09:30:00.000Z"],
    ["Wed, 01 May 2024 09:30:00", "2024-05-01T01:30:00.000Z"],
    ["1 May 24 09:30 CST", "2024-05-01T01:30:00.000Z"],
    ["Wed, 01 May 2024 09:30:00 -0500", "2024-05-01T14:30:00.000Z"],
    ["2024-05-01T09:30:00Z", "2024-05-01T09:30:00.000Z"],
    ["2024-05-01T09:30:00+08:00", "2024-05-01T01:30:00.000Z"],
    ["2024-05-01T09:30:00", "2024-05-01T01:30:00.000Z"],
    ["2024-05-01 09:30:00", "2024-05-01T01:30:00.000Z"],
    ["2024/5/1 9:30", "2024-05-01T01:30:00.000Z"],
    ["2024年5月1日 09:30", "2024-05-01T01:30:00.000Z"],
    ["2024年5月1日", "2024-04-30T16:00:00.000Z"],
  ])("reads %s as %s (no zone = Beijing time)", (input, expected) => {
    expect(parseFeedDate(input)).toBe(expected);
  });

  it.each(["", "soon", "31 Feb 2024 10:00:00", "2024/2/30", "Wed, 01 Foo 2024 09:30:00", "x".repeat(100)])("rejects %j", (input) => {
    expect(parseFeedDate(input)).toBeUndefined();
  });
});
