import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { repoRoot } from "@liaowang/config";
import { isolatedEnv } from "@liaowang/testing";
import { EnrichedDocument } from "@liaowang/schemas";
import { createEsClient } from "../src/client.js";
import { toEsDocument } from "../src/documents.js";
import { DOCUMENTS, installTemplate } from "../src/templates.js";

// The documents template on the real Elasticsearch: indices made by an older template (with term vectors, without a
// field added since) keep working when the indexer starts with the new one, and new indices carry no term vectors and
// no positions.

const { env, indexPrefix: p } = isolatedEnv("templates");
const es = createEsClient({ node: env.LIAOWANG_ES_URL as string, indexPrefix: p });

afterAll(async () => {
  await es.indices.delete({ index: `${p}*` }).catch(() => undefined);
  await es.indices.deleteIndexTemplate({ name: `${p}docs` }).catch(() => undefined);
  await es.close();
});

describe("installTemplate (documents)", () => {
  it("adds new fields to an index from an older template whose fields cannot change, and drops term vectors and positions for new ones", async () => {
    const old = `${p}docs-2026.11`;
    await es.indices.create({
      index: old,
      mappings: { dynamic: "strict", properties: { id: { type: "keyword" }, text_seg: { type: "text", analyzer: "whitespace", term_vector: "with_positions_offsets" } } },
    });
    await installTemplate(es, join(repoRoot, "config"), p, DOCUMENTS);
    const held = (await es.indices.getMapping({ index: old }))[old]!.mappings.properties!;
    expect(held.text_seg).toMatchObject({ term_vector: "with_positions_offsets" });
    expect(held.publishedAt).toMatchObject({ type: "date" });
    // installing again (every start-up) is harmless
    await installTemplate(es, join(repoRoot, "config"), p, DOCUMENTS);

    const fresh = `${p}docs-2026.12`;
    await es.index({ index: fresh, id: "a", document: { id: "a", text_seg: "工资 拖欠", title_seg: "讨薪" }, refresh: true });
    const mapped = (await es.indices.getMapping({ index: fresh }))[fresh]!.mappings.properties!;
    // Neither term vectors nor positions: searches are matches of words, highlights re-analyse the hit.
    expect(mapped.text_seg).toEqual({ type: "text", analyzer: "whitespace", index_options: "freqs" });
    expect(mapped.title_seg).toEqual({ type: "text", analyzer: "whitespace", index_options: "freqs" });
    expect(mapped.search_terms).toEqual({ type: "text", analyzer: "whitespace", index_options: "freqs" });
    // highlights still come out (the unified highlighter analyses the hit's text), and a match of several words too
    const res = await es.search({ index: fresh, query: { match: { text_seg: "拖欠" } }, highlight: { fields: { text_seg: {} } } });
    expect(res.hits.hits[0]!.highlight!.text_seg).toEqual(["工资 <em>拖欠</em>"]);
    const both = await es.search({ index: `${p}docs-*`, query: { match: { text_seg: { query: "工资 拖欠", operator: "and" } } }, highlight: { fields: { text_seg: {} } } });
    expect(both.hits.hits.map((h) => [h._index, h.highlight?.text_seg])).toEqual([[fresh, ["<em>工资</em> <em>拖欠</em>"]]]);
  });
});

describe("documents template: what is indexed", () => {
  it("keeps every field of a post in its source and serves every search, filter, sort and aggregation the API, brief, retention and backfill run", async () => {
    const index = `${p}docs-2027.01`;
    await installTemplate(es, join(repoRoot, "config"), p, DOCUMENTS);
    const doc = EnrichedDocument.parse({
      v: 1,
      id: "0".repeat(31) + "1",
      source: "微博",
      sourceKind: "webhook",
      title: "化工厂爆炸",
      text: "江华县化工厂爆炸，已致3人遇难",
      url: "https://posts.example/1",
      author: "居民",
      publishedAt: "2027-01-05T02:00:00.000Z",
      ingestedAt: "2027-01-05T02:00:01.000Z",
      region: "湖南省",
      lang: "zh",
      metrics: { reposts: 3, comments: 1, likes: 9 },
      flags: ["replacement_characters"],
      dateText: "1月5日",
      tokens: ["江华县", "化工厂", "爆炸"],
      titleSeg: "化工厂\u2009爆炸",
      textSeg: "江华县\u2009化工厂\u2009爆炸",
      searchTerms: ["江华", "江华县", "化工", "化工厂", "爆炸"],
      keywords: [{ word: "化工厂", weight: 0.9 }, { word: "爆炸", weight: 0.8 }],
      enrichedAt: "2027-01-05T02:00:02.000Z",
      topics: [{ id: "safety", score: 0.9 }],
      category: "事故灾难",
      sentiment: { score: -0.7, label: "negative" },
      regions: [{ code: "431129", name: "江华瑶族自治县", level: "county", province: "湖南省", role: "venue" }],
      abroad: [{ code: "JP", name: "日本", city: "东京", role: "origin" }],
      figures: [{ kind: "deaths", value: 3, approx: false, unit: "人", text: "3人遇难", time: "current" }],
      timeRef: { kind: "current", cue: "今天", year: 2027 },
      simhash: "0123456789abcdef",
      scope: "本地",
    });
    const indexedAt = "2027-01-05T02:00:03.000Z";
    await es.index({ index, id: doc.id, document: toEsDocument(doc, indexedAt), refresh: true });

    // Fields nothing queries are kept in the source only: the API returns them as they were.
    const stored = await es.get({ index, id: doc.id });
    expect(stored._source).toEqual(toEsDocument(doc, indexedAt));

    const hits = async (query: object, extra: object = {}) => (await es.search({ index, query: query as never, ...extra })).hits.hits.length;
    expect(await hits({ match: { search_terms: { query: "化工厂 爆炸", operator: "and" } } })).toBe(1);
    expect(await hits({ match: { title_seg: "爆炸" } })).toBe(1);
    expect(await hits({ match: { text_seg: "江华县" } })).toBe(1);
    for (const [field, value] of [["source", "微博"], ["region", "湖南省"], ["regions.name", "江华瑶族自治县"], ["regions.province", "湖南省"], ["topics.id", "safety"], ["sentiment.label", "negative"], ["scope", "本地"]]) {
      expect(await hits({ term: { [field as string]: value } }), field).toBe(1);
    }
    expect(await hits({ range: { publishedAt: { gte: "2027-01-05T00:00:00Z" } } })).toBe(1);
    // retention drops out-of-window documents by when they were ingested; the scope backfill looks for analysed ones
    expect(await hits({ range: { ingestedAt: { lt: "2027-01-06T00:00:00Z" } } })).toBe(1);
    expect(await hits({ exists: { field: "sentiment.label" } })).toBe(1);
    expect(await hits({ ids: { values: [doc.id] } })).toBe(1);

    // trends and the brief: hot words, topics, provinces and sources over time; the most negative posts first
    const aggs = await es.search({
      index,
      size: 1,
      sort: [{ "sentiment.score": { order: "asc" } }, { publishedAt: { order: "desc" } }],
      aggs: {
        words: { terms: { field: "keywords.word" } },
        topics: { terms: { field: "topics.id" } },
        provinces: { terms: { field: "regions.province" } },
        sources: { terms: { field: "source" } },
        unscoped: { missing: { field: "scope" } },
        // the exactly-once checks (pipeline and fault tests) count distinct post ids
        ids: { cardinality: { field: "id" } },
        days: { date_histogram: { field: "publishedAt", calendar_interval: "1d", time_zone: "+08:00" } },
      },
    });
    const keys = (name: string) => ((aggs.aggregations?.[name] as { buckets: { key: string }[] }).buckets ?? []).map((b) => b.key).sort();
    expect(keys("words")).toEqual(["化工厂", "爆炸"]);
    expect(keys("topics")).toEqual(["safety"]);
    expect(keys("provinces")).toEqual(["湖南省"]);
    expect(keys("sources")).toEqual(["微博"]);
    expect((aggs.aggregations?.unscoped as { doc_count: number }).doc_count).toBe(0);
    expect((aggs.aggregations?.ids as { value: number }).value).toBe(1);
    expect(aggs.hits.hits[0]?.sort?.[0]).toBeCloseTo(-0.7);
  });
});
