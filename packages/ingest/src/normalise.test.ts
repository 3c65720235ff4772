import { describe, expect, it } from "vitest";
import { IngestRecord } from "@liaowang/schemas";
import { DEFAULT_DATE_WINDOW, documentId, inDateWindow, normaliseRecord } from "./normalise.js";

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

  it("flags text with U+FFFD replacement characters instead of indexing it as if it were clean", () => {
    const garbled = IngestRecord.parse({ source: "gov", title: "通\ufffd", text: "造成\ufffd\ufffd人死亡", publishedAt: "2024-05-01 09:30" });
    expect(normaliseRecord(garbled, "rss", now).flags).toEqual(["replacement_characters"]);
    expect(normaliseRecord(record, "api", now).flags).toBeUndefined();
  });

  it("carries what the parser noted: an unreadable date and its text", () => {
    const doc = normaliseRecord(record, "rss", now, { notes: { flags: ["date_unreadable"], dateText: "昨天" } });
    expect(doc).toMatchObject({ flags: ["date_unreadable"], dateText: "昨天", publishedAt: "2024-05-01T01:30:00.000Z" });
  });
});

// Issue 9 finding 3: any four-digit year validated, and each absurd month became its own index.
describe("the publishedAt window", () => {
  const at = (publishedAt: string) => normaliseRecord(IngestRecord.parse({ source: "gov", text: "通报", publishedAt }), "rss", now);

  it("keeps the claimed time of an implausible date but flags it", () => {
    expect(at("1001-05-01T00:00:00Z")).toMatchObject({ publishedAt: "1001-05-01T00:00:00.000Z", flags: ["date_out_of_window"] });
    expect(at("9999-05-01T00:00:00Z")).toMatchObject({ publishedAt: "9999-05-01T00:00:00.000Z", flags: ["date_out_of_window"] });
    expect(at("2024-05-01T02:16:00Z").flags).toEqual(["date_out_of_window"]);
  });

  it("accepts dates inside the window: years back and a small future skew", () => {
    expect(at("2020-05-01T00:00:00Z").flags).toBeUndefined();
    expect(at("2024-05-01T02:14:00Z").flags).toBeUndefined();
  });

  it("is configurable", () => {
    const window = { maxAgeDays: 30, maxFutureMinutes: 0 };
    expect(inDateWindow("2024-04-02T02:00:00Z", now, window)).toBe(true);
    expect(inDateWindow("2024-03-31T02:00:00Z", now, window)).toBe(false);
    expect(inDateWindow("2024-05-01T02:00:01Z", now, window)).toBe(false);
    expect(inDateWindow("2019-05-02T00:00:00Z", now, DEFAULT_DATE_WINDOW)).toBe(true);
    const doc = normaliseRecord(IngestRecord.parse({ source: "gov", text: "通报", publishedAt: "2024-03-01T00:00:00Z" }), "rss", now, { window });
    expect(doc.flags).toEqual(["date_out_of_window"]);
  });
});
