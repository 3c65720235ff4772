import { describe, expect, it } from "vitest";
import type { EnrichedDocument } from "@liaowang/schemas";
import { documentIndex, documentIndexFor, outOfWindowIndex, toEsDocument } from "./documents.js";

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

describe("toEsDocument", () => {
  it("keeps every field, renames the segmented ones, joins the search terms and leaves the detection tokens out", () => {
    const doc = {
      v: 1,
      id: "0123456789abcdef0123456789abcdef",
      source: "微博",
      sourceKind: "api",
      title: "通报",
      text: "某区发生火灾",
      publishedAt: "2026-12-03T01:00:00.000Z",
      ingestedAt: "2026-12-03T01:00:01.000Z",
      lang: "zh",
      flags: ["replacement_characters"],
      tokens: ["某区", "火灾"],
      titleSeg: "通报",
      textSeg: "某区\u2009发生\u2009火灾",
      searchTerms: ["某区", "发生", "火灾"],
      keywords: [{ word: "火灾", weight: 1.2 }],
      enrichedAt: "2026-12-03T01:00:02.000Z",
      region: undefined,
    } as unknown as EnrichedDocument;
    const es = toEsDocument(doc, "2026-12-03T01:00:03.000Z");
    expect(es).toEqual({
      v: 1,
      id: doc.id,
      source: "微博",
      sourceKind: "api",
      title: "通报",
      text: "某区发生火灾",
      publishedAt: "2026-12-03T01:00:00.000Z",
      ingestedAt: "2026-12-03T01:00:01.000Z",
      lang: "zh",
      flags: ["replacement_characters"],
      keywords: [{ word: "火灾", weight: 1.2 }],
      enrichedAt: "2026-12-03T01:00:02.000Z",
      region: undefined,
      title_seg: "通报",
      text_seg: "某区\u2009发生\u2009火灾",
      search_terms: "某区 发生 火灾",
      indexedAt: "2026-12-03T01:00:03.000Z",
    });
    expect(Object.keys(es)).not.toContain("tokens");
    // the input is left as it was (the detector reads the same record)
    expect(doc.tokens).toEqual(["某区", "火灾"]);
  });
});
