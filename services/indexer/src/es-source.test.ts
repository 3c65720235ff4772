import { describe, expect, it } from "vitest";
import { toEsDocument } from "@liaowang/es";
import type { EnrichedDocument } from "@liaowang/schemas";
import { esSource, parseForIndex, scanForIndex, sourceTail } from "./es-source.js";

const AT = "2026-12-01T08:00:00.000Z";
const SEP = "\u2009";

function doc(over: Partial<EnrichedDocument> = {}): EnrichedDocument {
  return {
    v: 1,
    id: "0123456789abcdef0123456789abcdef",
    source: "微博",
    sourceKind: "api",
    title: "某区突发火灾",
    text: "今天上午，某区一小区发生火灾，3人受伤。",
    publishedAt: "2026-11-30T02:00:00.000Z",
    ingestedAt: "2026-11-30T02:00:01.000Z",
    lang: "zh",
    tokens: ["某区", "火灾", "受伤"],
    titleSeg: ["某区", "突发", "火灾"].join(SEP),
    textSeg: ["今天", "上午", "，", "某区", "一", "小区", "发生", "火灾", "，", "3", "人", "受伤", "。"].join(SEP),
    searchTerms: ["某区", "突发", "火灾", "小区", "受伤"],
    keywords: [
      { word: "火灾", weight: 1.2345 },
      { word: "受伤", weight: 0.5 },
    ],
    enrichedAt: "2026-11-30T02:00:02.000Z",
    topics: [{ id: "fire", score: 0.9 }],
    sentiment: { score: -0.6, label: "negative" },
    regions: [{ code: "430102", name: "芙蓉区", level: "county", province: "湖南省", role: "venue" }],
    abroad: [],
    figures: [{ kind: "injured", value: 3, approx: false, unit: "人", text: "3人受伤" }],
    timeRef: { kind: "current", cue: "今天" },
    simhash: "0123456789abcdef",
    scope: "本地",
    ...over,
  };
}

/** The document Elasticsearch gets for an enriched record, as JSON.stringify wrote it to Kafka. */
function indexed(d: EnrichedDocument | string, prefix = "l-"): { id: string; index: string; source: unknown } {
  const parsed = parseForIndex(prefix)(Buffer.from(typeof d === "string" ? d : JSON.stringify(d)));
  if (!parsed.ok) throw new Error(parsed.reason);
  return { id: parsed.value.id, index: parsed.value.index, source: JSON.parse(Buffer.concat(esSource(parsed.value, sourceTail(AT))).toString()) };
}

const scanned = (d: unknown) => scanForIndex(Buffer.from(typeof d === "string" ? d : JSON.stringify(d)), "l-");

// Text with what JSON escapes and what could fool a scanner: quotes, backslashes, brackets, separators, line breaks.
// Long ones too: past 32 bytes the scanner finds quotes natively and must still skip the escaped ones.
const LONG = "长文本".repeat(12);
const TRICKY = ['他说："火灾"', "a\\", '\\"', '","', "]}", "{[", "换行\n回车\r制表\t", "emoji 🚒 \u0000 \u2028", 'x\\","y', `${LONG}"${LONG}\\"${LONG}\\`, `${LONG}\\\\"`];

describe("parseForIndex", () => {
  it("gives toEsDocument's document without parsing the record: segmented fields renamed, tokens left out, search terms joined", () => {
    const d = doc();
    expect(scanned(d)).toBeDefined();
    expect(indexed(d)).toEqual({ id: d.id, index: "l-docs-2026.11", source: toEsDocument(d, AT) });
  });

  it("keeps every character of text, title and terms that JSON escapes, and documents without the optional fields", () => {
    for (const s of TRICKY) {
      const d = doc({ title: s, text: `正文${s}`, titleSeg: s, textSeg: `正文${SEP}${s}`, searchTerms: [s, "正文", s], keywords: [{ word: s, weight: 1 }], author: s, dateText: s.slice(0, 80) });
      expect(scanned(d), JSON.stringify(s)).toBeDefined();
      expect(indexed(d).source).toEqual(toEsDocument(d, AT));
    }
    const { title: _title, topics: _topics, sentiment: _sentiment, regions: _regions, abroad: _abroad, figures: _figures, timeRef: _timeRef, simhash: _simhash, scope: _scope, ...bare } = doc({ searchTerms: [] });
    expect(indexed(bare).source).toEqual(toEsDocument(bare, AT));
  });

  it("leaves tokens out wherever they are in the record, first, between or last", () => {
    const { v, id, tokens, ...rest } = doc();
    for (const d of [{ tokens, v, id, ...rest }, { v, id, ...rest, tokens }, { v, id, tokens, indexedAt: "old", ...rest }, { v, id, ...rest, tokens, indexedAt: "old" }]) {
      expect(scanned(d)).toBeDefined();
      expect(indexed(JSON.stringify(d)).source).toEqual(toEsDocument(doc(), AT));
    }
  });

  it("files a document whose date ingest flagged out of window in the one out-of-window index", () => {
    const d = doc({ publishedAt: "1001-05-01T00:00:00.000Z", flags: ["date_out_of_window"] });
    expect(indexed(d).index).toBe("l-docs-out-of-window");
    expect(indexed(doc({ flags: ["date_unreadable"] })).index).toBe("l-docs-2026.11");
  });

  it("reads a record laid out otherwise (indented JSON) the same way, through the schema", () => {
    const d = doc();
    const text = JSON.stringify(d, null, 2);
    expect(scanned(text)).toBeUndefined();
    expect(indexed(text).source).toEqual(toEsDocument(d, AT));
  });

  it("refuses what is not an enriched document with the schema's reasons (dead-lettered as invalid_message)", () => {
    const refusal = (text: string) => {
      const parsed = parseForIndex("l-")(Buffer.from(text));
      return parsed.ok ? "accepted" : parsed.reason;
    };
    expect(refusal("{not json")).toMatch(/^not valid JSON/);
    expect(refusal(JSON.stringify({ ...doc(), id: "short" }))).toMatch(/^id: /);
    expect(refusal(JSON.stringify({ ...doc(), publishedAt: 20261130 }))).toMatch(/publishedAt: /);
    const { textSeg: _textSeg, ...withoutTextSeg } = doc();
    expect(refusal(JSON.stringify(withoutTextSeg))).toMatch(/textSeg: /);
    expect(refusal(JSON.stringify({ ...doc(), searchTerms: ["a", 1] }))).toMatch(/searchTerms\.1: /);
    expect(refusal("[]")).toMatch(/expected object/);
  });
});
