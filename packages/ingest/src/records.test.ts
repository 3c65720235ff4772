import { describe, expect, it } from "vitest";
import { parseJsonArray, parseLine, parseNdjson, validateRecord } from "./records.js";

const good = { source: "12345", text: "小区停水三天无人管", publishedAt: "2024-05-01 09:30" };

describe("validateRecord", () => {
  it("accepts a contract record and normalises its date to UTC", () => {
    expect(validateRecord(good)).toEqual({ ok: true, record: { ...good, publishedAt: "2024-05-01T01:30:00.000Z" } });
  });

  it("fills a missing source and region from the defaults but never overrides them", () => {
    const { source: _omit, ...rest } = good;
    expect(validateRecord(rest, { source: "hotline", region: "星河市" })).toMatchObject({ ok: true, record: { source: "hotline", region: "星河市" } });
    expect(validateRecord(good, { source: "hotline" })).toMatchObject({ ok: true, record: { source: "12345" } });
  });

  it("explains each problem with the field, the expectation and the value", () => {
    expect(validateRecord({ source: "a", text: "", publishedAt: "soon" })).toEqual({ ok: false, reason: 'text must not be empty (got ""); publishedAt: expected an ISO-8601 date-time, got "soon"' });
    expect(validateRecord({ text: "x", publishedAt: "2024-05-01" })).toEqual({ ok: false, reason: "source: required (expected string)" });
    expect(validateRecord([1])).toEqual({ ok: false, reason: "record: expected a JSON object, got an array" });
  });
});

describe("parseNdjson", () => {
  it("reports each bad line by number and keeps the good ones; blank lines count but are skipped", () => {
    const text = ["\ufeff" + JSON.stringify(good), "", "{not json", JSON.stringify({ ...good, publishedAt: 5 }), JSON.stringify(good) + "\r"].join("\n");
    const results = [...parseNdjson(text)];
    expect(results.map((r) => [r.line, r.ok])).toEqual([[1, true], [3, false], [4, false], [5, true]]);
    expect(results[1]).toMatchObject({ reason: expect.stringMatching(/^line 3: not valid JSON \(/) });
    expect(results[2]).toMatchObject({ reason: "line 4: publishedAt: expected string, got number 5" });
  });

  it("refuses an over-long line without parsing it", () => {
    expect(parseLine(7, JSON.stringify(good), { maxLineBytes: 10 })).toEqual({ line: 7, ok: false, reason: "line 7: longer than 10 bytes" });
  });
});

describe("parseJsonArray", () => {
  it("validates each item by index, accepts one object, and bounds the count", () => {
    expect(parseJsonArray(JSON.stringify([good, { text: 1 }])).map((r) => r.ok)).toEqual([true, false]);
    expect(parseJsonArray(JSON.stringify(good))).toHaveLength(1);
    const capped = parseJsonArray(JSON.stringify([good, good, good]), { maxItems: 2 });
    expect(capped[2]).toEqual({ index: 2, ok: false, reason: "index 2: 1 more items not read (at most 2 per document)" });
  });

  it("throws when the whole text is not JSON or not an object/array", () => {
    expect(() => parseJsonArray("[1,")).toThrow(/not valid JSON/);
    expect(() => parseJsonArray("42")).toThrow("expected a JSON array of records or one record object, got number");
  });
});
