import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { repoRoot } from "@liaowang/config";
import { isolatedEnv } from "@liaowang/testing";
import { createEsClient } from "../src/client.js";
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
