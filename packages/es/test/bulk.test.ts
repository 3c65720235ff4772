import { afterAll, describe, expect, it } from "vitest";
import { createLogger } from "@liaowang/logger";
import { isolatedEnv } from "@liaowang/testing";
import { bulkIndex } from "../src/bulk.js";
import { createEsClient } from "../src/client.js";

// bulkIndex on the real Elasticsearch, with the bulk answer cut to errors and statuses: the documents it refuses for
// good come back one by one with their reason (and the rest is indexed), a resend overwrites instead of duplicating,
// and `create` leaves an existing document alone.

const { env, indexPrefix: p } = isolatedEnv("bulk");
const es = createEsClient({ node: env.LIAOWANG_ES_URL as string, indexPrefix: p });
const log = createLogger({ service: "es-test", level: "silent" });
const index = `${p}bulk`;

afterAll(async () => {
  await es.indices.delete({ index: `${p}*` }).catch(() => undefined);
  await es.close();
});

describe("bulkIndex", () => {
  it("returns exactly the refused documents with their reasons, indexes the others once, and keeps create write-once", async () => {
    await es.indices.create({ index, mappings: { dynamic: "strict", properties: { n: { type: "integer" }, text: { type: "keyword" } } } });
    const items = Array.from({ length: 50 }, (_, i) => ({ index, id: `d${i}`, document: { n: i, text: `第${i}条` } as Record<string, unknown>, ref: i }));
    items[7]!.document = { n: "七", text: "not a number" };
    items[31]!.document = { n: 31, unknown: "a field the strict mapping does not have" };

    const failures = await bulkIndex(es, items, { log, refresh: true });
    expect(failures.map((f) => [f.ref, f.id, f.status])).toEqual([
      [7, "d7", 400],
      [31, "d31", 400],
    ]);
    expect(failures[0]!.reason).toMatch(/^document_parsing_exception: .*\[n\]/);
    expect(failures[1]!.reason).toMatch(/strict_dynamic_mapping_exception|unknown/);
    expect((await es.count({ index })).count).toBe(48);

    // A replay of the same ids (a redelivered batch) overwrites: still 48, with the newer content.
    const again = await bulkIndex(es, items.filter((_, i) => i !== 7 && i !== 31).map((it) => ({ ...it, document: { ...it.document, text: "重放" } })), { log, refresh: true });
    expect(again).toEqual([]);
    expect((await es.count({ index })).count).toBe(48);
    expect((await es.get<{ text: string }>({ index, id: "d3" }))._source?.text).toBe("重放");

    // create: an id that exists counts as written and is left as it was.
    const created = await bulkIndex(es, [{ index, id: "d3", document: { n: 3, text: "不应覆盖" }, ref: 3 }, { index, id: "new", document: { n: 99, text: "新" }, ref: 99 }], { log, refresh: true, op: "create" });
    expect(created).toEqual([]);
    expect((await es.get<{ text: string }>({ index, id: "d3" }))._source?.text).toBe("重放");
    expect((await es.count({ index })).count).toBe(49);
  });

  it("writes pre-serialised sources (JSON bytes) as given, and still reports a refused one with its reason", async () => {
    const raw = `${p}bulk-raw`;
    await es.indices.create({ index: raw, mappings: { dynamic: "strict", properties: { n: { type: "integer" }, text: { type: "keyword" } } } });
    const items = ['{"n":1,"text":"第一条\\n\\"引号\\""}', '{"n":"二","text":"not a number"}', '{"n":3,"text":"第三条"}'].map((json, i) => ({ index: raw, id: `r${i}`, document: Buffer.from(json), ref: i }));
    const failures = await bulkIndex(es, items, { log, refresh: true });
    expect(failures.map((f) => [f.ref, f.status])).toEqual([[1, 400]]);
    expect(failures[0]!.reason).toMatch(/^document_parsing_exception: .*\[n\]/);
    expect((await es.get<{ text: string }>({ index: raw, id: "r0" }))._source?.text).toBe('第一条\n"引号"');
    expect((await es.count({ index: raw })).count).toBe(2);
  });
});
