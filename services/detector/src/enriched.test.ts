import { describe, expect, it } from "vitest";
import { EnrichedDocument } from "@liaowang/schemas";
import { parseEnriched, readEnriched } from "./enriched.js";
import { toFeatures } from "./features.js";

const doc: EnrichedDocument = {
  v: 1,
  id: "0123456789abcdef0123456789abcdef",
  source: "永州发布",
  sourceKind: "rss",
  title: "江华县一煤矿发生透水事故",
  text: "江华瑶族自治县某煤矿发生透水事故，已造成12人遇难。",
  url: "https://example.org/a",
  publishedAt: "2024-07-01T01:10:00+08:00",
  ingestedAt: "2024-06-30T17:11:00.123Z",
  lang: "zh",
  metrics: { reposts: 3, likes: 10 },
  flags: ["replacement_characters"],
  tokens: ["江华县", "煤矿", "透水事故", "遇难"],
  titleSeg: "江华县\u2009一\u2009煤矿",
  textSeg: "江华\u2009瑶族",
  searchTerms: ["江华", "煤矿"],
  keywords: [
    { word: "透水事故", weight: 0.31 },
    { word: "煤矿", weight: 0.2 },
  ],
  enrichedAt: "2024-06-30T17:11:01Z",
  topics: [{ id: "安全生产", score: 0.9 }],
  category: "生产安全事故",
  sentiment: { score: -0.6, label: "negative" },
  regions: [{ code: "431129", name: "江华瑶族自治县", level: "county", province: "湖南省", role: "venue" }],
  abroad: [{ code: "VN", name: "越南", city: "河内", role: "origin" }],
  figures: [{ kind: "deaths", value: 12, approx: false, text: "12人遇难", unit: "人", time: "current" }],
  timeRef: { kind: "current", cue: "今天" },
  simhash: "0f0f0f0f0f0f0f0f",
  scope: "本地",
};

const bytes = (value: unknown) => Buffer.from(JSON.stringify(value));

describe("parseEnriched", () => {
  it("reads enrich's records as the schema does", () => {
    expect(parseEnriched(bytes(doc))).toEqual({ ok: true, value: EnrichedDocument.parse(doc) });
    const { topics: _t, regions: _r, figures: _f, sentiment: _s, abroad: _a, timeRef: _tr, simhash: _h, metrics: _m, flags: _fl, ...v1 } = doc;
    expect(parseEnriched(bytes(v1))).toEqual({ ok: true, value: EnrichedDocument.parse(v1) });
  });

  // Each refused with the schema's reason, naming the record and the field.
  const broken: [string, (d: Record<string, unknown>) => void, string][] = [
    ["an id that is not 32 hex", (d) => (d.id = "not-an-id"), "id"],
    ["an empty source", (d) => (d.source = ""), "source"],
    ["a missing text", (d) => delete d.text, "text"],
    ["a date without zone", (d) => (d.publishedAt = "2024-07-01 01:10"), "publishedAt"],
    ["an impossible date", (d) => (d.ingestedAt = "2024-13-45T01:10:00Z"), "ingestedAt"],
    ["a token that is not text", (d) => (d.tokens = ["煤矿", 7]), "tokens.1"],
    ["a keyword weight that is not a number", (d) => (d.keywords = [{ word: "煤矿", weight: "high" }]), "keywords.0.weight"],
    ["keywords that are not a list", (d) => (d.keywords = { word: "煤矿" }), "keywords"],
    ["a malformed SimHash", (d) => (d.simhash = "xyz"), "simhash"],
    ["an unknown region level", (d) => (d.regions = [{ code: "43", name: "湖南省", level: "planet", province: "湖南省" }]), "regions.0.level"],
    ["an unknown figure kind", (d) => (d.figures = [{ kind: "aliens", value: 1, approx: false, text: "1" }]), "figures.0.kind"],
    ["a negative figure", (d) => (d.figures = [{ kind: "deaths", value: -1, approx: false, text: "-1" }]), "figures.0.value"],
    ["an unknown time reference", (d) => (d.timeRef = { kind: "someday" }), "timeRef.kind"],
    ["a sentiment without score", (d) => (d.sentiment = { label: "negative" }), "sentiment.score"],
    ["a fractional repost count", (d) => (d.metrics = { reposts: 1.5 }), "metrics.reposts"],
    ["a topic score that is not a number", (d) => (d.topics = [{ id: "安全生产", score: null }]), "topics.0.score"],
    ["another schema version", (d) => (d.v = 2), "v"],
  ];
  for (const [what, breakIt, path] of broken) {
    it(`dead-letters ${what} with the schema's reason`, () => {
      const d = structuredClone(doc) as unknown as Record<string, unknown>;
      breakIt(d);
      const parsed = parseEnriched(bytes(d));
      expect(parsed.ok).toBe(false);
      if (parsed.ok) return;
      expect(parsed.reason).toContain(`${path}:`);
      if (typeof d.id === "string") expect(parsed.reason).toContain(`record ${d.id}`);
      expect(EnrichedDocument.safeParse(d).success).toBe(false);
    });
  }

  it("dead-letters what is not JSON or not an object", () => {
    const garbage = parseEnriched(Buffer.from("{not json"));
    expect(garbage).toMatchObject({ ok: false });
    expect(!garbage.ok && garbage.reason).toMatch(/^not valid JSON/);
    expect(parseEnriched(Buffer.from("[1,2]"))).toMatchObject({ ok: false, reason: expect.stringContaining("(root)") });
  });
});

describe("readEnriched", () => {
  it("hands detection what it reads of a record, and the same reasons for one it refuses", () => {
    expect(readEnriched(bytes(doc))).toEqual({ ok: true, value: toFeatures(doc) });
    expect(readEnriched(bytes({ ...doc, tokens: "煤矿" }))).toMatchObject({ ok: false, reason: expect.stringContaining("tokens:") });
  });
});
