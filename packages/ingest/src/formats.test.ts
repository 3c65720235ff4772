import { describe, expect, it } from "vitest";
import { detectFormat, parseDocument, parseJsonDocument } from "./formats.js";

const fetchedAt = new Date("2024-05-01T00:00:00Z");
const record = { source: "a", text: "正文", publishedAt: "2024-05-01T08:00:00+08:00" };

describe("detectFormat", () => {
  it("tells NDJSON, JSON and feeds apart by content", () => {
    expect(detectFormat(`${JSON.stringify(record)}\n${JSON.stringify(record)}`)).toBe("ndjson");
    expect(detectFormat(JSON.stringify(record))).toBe("ndjson");
    expect(detectFormat(JSON.stringify(record, null, 2))).toBe("json");
    expect(detectFormat(`\ufeff  [${JSON.stringify(record)}]`)).toBe("json");
    expect(detectFormat('<?xml version="1.0"?><rss/>')).toBe("feed");
    expect(detectFormat("source,text")).toBeUndefined();
  });
});

describe("parseJsonDocument", () => {
  it("maps JSON Feed items to records, with per-item reasons", () => {
    const feed = {
      version: "https://jsonfeed.org/version/1.1",
      title: "市场监管",
      items: [
        { id: "1", title: "抽检", content_html: "<p>3批次不合格</p>", url: "https://x.gov.cn/1", date_published: "2024-05-01T09:00:00+08:00", authors: [{ name: "市市场监管局" }] },
        { id: "2", content_text: "无日期" },
        { id: "3", title: "坏日期", content_text: "x", date_published: "tomorrow" },
      ],
    };
    const units = parseJsonDocument(JSON.stringify(feed), { fetchedAt, defaults: { source: "scjg" } });
    expect(units).toEqual([
      { at: { kind: "item", n: 1 }, ok: true, record: { source: "scjg", title: "抽检", text: "<p>3批次不合格</p>", url: "https://x.gov.cn/1", author: "市市场监管局", publishedAt: "2024-05-01T01:00:00.000Z" } },
      { at: { kind: "item", n: 2 }, ok: true, record: { source: "scjg", text: "无日期", publishedAt: "2024-05-01T00:00:00.000Z" } },
      { at: { kind: "item", n: 3 }, ok: false, reason: 'item 3 (坏日期): publishedAt: expected an ISO-8601 date-time, got "tomorrow"' },
    ]);
  });

  it("reads arrays by index", () => {
    expect(parseJsonDocument(JSON.stringify([record, {}]), { fetchedAt }).map((u) => [u.at, u.ok])).toEqual([[{ kind: "index", n: 0 }, true], [{ kind: "index", n: 1 }, false]]);
  });
});

describe("parseDocument", () => {
  it("parses whatever the content is, and needs a source for feeds", () => {
    expect(parseDocument(`${JSON.stringify(record)}\nbad`, { fetchedAt }).units.map((u) => u.at)).toEqual([{ kind: "line", n: 1 }, { kind: "line", n: 2 }]);
    const rss = "<rss><channel><item><title>通报</title></item></channel></rss>";
    expect(parseDocument(rss, { fetchedAt, defaults: { source: "gov", region: "星河市" } })).toMatchObject({ format: "feed", units: [{ ok: true, record: { source: "gov", region: "星河市" } }] });
    expect(() => parseDocument(rss, { fetchedAt })).toThrow("a feed needs a source name");
    expect(parseDocument("text,publishedAt\n通报,2024-05-01\n", { format: "csv", fetchedAt, defaults: { source: "12345" } }).units).toMatchObject([{ at: { kind: "line", n: 2 }, ok: true }]);
    expect(() => parseDocument("id,text", { fetchedAt })).toThrow('not NDJSON, JSON or an RSS/Atom feed (starts with "id,text")');
  });
});
