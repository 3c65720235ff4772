import { describe, expect, it } from "vitest";
import { IngestRecord } from "@liaowang/schemas";
import { documentId, normaliseRecord } from "./normalise.js";

const now = new Date("2024-05-01T02:00:00Z");

describe("documentId", () => {
  it("is 32 hex characters, stable, and depends on source, title, text and url only", () => {
    const id = documentId({ source: "a", title: "t", text: "x" });
    expect(id).toMatch(/^[0-9a-f]{32}$/);
    expect(documentId({ source: "a", title: "t", text: "x" })).toBe(id);
    expect(documentId({ source: "b", title: "t", text: "x" })).not.toBe(id);
    expect(documentId({ source: "a", title: "", text: "tx" })).not.toBe(documentId({ source: "a", title: "t", text: "x" }));
  });
});

describe("normaliseRecord", () => {
  const record = IngestRecord.parse({
    source: " weibo ",
    title: "<b>星河市</b>　化工厂爆炸",
    text: "<p>造成３人死亡</p><p>１２人受伤</p>",
    url: "https://weibo.com/1",
    publishedAt: "2024-05-01 09:30",
    metrics: { reposts: 5 },
  });

  it("gives a normalised raw document with a content-derived id and the ingest time", () => {
    const doc = normaliseRecord(record, "api", now);
    expect(doc).toEqual({
      v: 1,
      id: documentId({ source: "weibo", title: "星河市 化工厂爆炸", text: "造成3人死亡\n12人受伤", url: "https://weibo.com/1" }),
      source: "weibo",
      sourceKind: "api",
      title: "星河市 化工厂爆炸",
      text: "造成3人死亡\n12人受伤",
      url: "https://weibo.com/1",
      publishedAt: "2024-05-01T01:30:00.000Z",
      ingestedAt: "2024-05-01T02:00:00.000Z",
      lang: "zh",
      metrics: { reposts: 5 },
    });
  });

  it("gives the same id whatever the markup, width or publication date", () => {
    const other = IngestRecord.parse({ source: "weibo", title: "星河市 化工厂爆炸", text: "造成3人死亡\n\n12人受伤", url: "https://weibo.com/1", publishedAt: "2024-05-02T00:00:00Z" });
    expect(normaliseRecord(other, "file", now).id).toBe(normaliseRecord(record, "api", now).id);
  });

  it("refuses a record with no readable text, naming it", () => {
    const empty = IngestRecord.parse({ source: "weibo", title: "空", text: "<img src=x>", publishedAt: "2024-05-01" });
    expect(() => normaliseRecord(empty, "api", now)).toThrow('record "空" from weibo: text is empty after removing HTML and control characters');
  });
});
