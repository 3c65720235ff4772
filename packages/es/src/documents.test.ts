import { describe, expect, it } from "vitest";
import { documentIndex, documentIndexFor, outOfWindowIndex } from "./documents.js";

describe("documentIndexFor", () => {
  it("files a document in its publication month", () => {
    expect(documentIndexFor("l-", { publishedAt: "2024-05-01T01:30:00.000Z" })).toBe("l-docs-2024.05");
    expect(documentIndexFor("l-", { publishedAt: "2024-05-01T01:30:00.000Z", flags: ["replacement_characters"] })).toBe(documentIndex("l-", "2024-05-01T01:30:00.000Z"));
  });

  // Issue 9 finding 3: every absurd month (1001-05, 9999-12 …) became a single-shard index of its own.
  it("files every document with an implausible date in one index, whatever the year", () => {
    const flags = ["date_out_of_window" as const];
    const names = ["1001-05-01T00:00:00.000Z", "1002-06-01T00:00:00.000Z", "9999-12-31T00:00:00.000Z"].map((publishedAt) => documentIndexFor("l-", { publishedAt, flags }));
    expect(new Set(names)).toEqual(new Set([outOfWindowIndex("l-")]));
    expect(outOfWindowIndex("l-")).toBe("l-docs-out-of-window");
  });
});
