import { afterAll, describe, expect, it } from "vitest";
import { isolatedEnv, waitFor } from "@liaowang/testing";
import { createEsClient } from "../src/client.js";
import { ensureIndex, INTERNAL_INDEX_SETTINGS } from "../src/ensure-index.js";

// The services' own small indices on the real Elasticsearch: made search-idle after 5 s (an occasional search no
// longer keeps them refreshing every second), an index made before that gets the setting at the next start, and a
// search of an idle shard still sees the writes made before it (up to the second before, as on a busy one).

const { env, indexPrefix: p } = isolatedEnv("ensure-index");
const es = createEsClient({ node: env.LIAOWANG_ES_URL as string, indexPrefix: p });
const MAPPINGS = { dynamic: false, properties: { k: { type: "keyword" } } };
const idleAfter = async (index: string) => (await es.indices.getSettings({ index, flat_settings: true }))[index]?.settings?.["index.search.idle.after"];

afterAll(async () => {
  await es.indices.delete({ index: `${p}*` }).catch(() => undefined);
  await es.close();
});

describe("ensureIndex", () => {
  it("creates an internal index search-idle after 5 s, and gives an existing one the setting", async () => {
    expect(INTERNAL_INDEX_SETTINGS["index.search.idle.after"]).toBe("5s");
    await ensureIndex(es, `${p}fresh`, MAPPINGS);
    expect(await idleAfter(`${p}fresh`)).toBe("5s");

    await es.indices.create({ index: `${p}older`, mappings: MAPPINGS as never });
    expect(await idleAfter(`${p}older`)).toBeUndefined();
    await ensureIndex(es, `${p}older`, MAPPINGS);
    expect(await idleAfter(`${p}older`)).toBe("5s");
  });

  it("leaves no write of an idle internal index out of a search", async () => {
    const index = `${p}idle`;
    await ensureIndex(es, index, MAPPINGS);
    // Unsearched for 5 s, the shard is idle: written to, it is no longer refreshed every second…
    await waitFor(
      async () => {
        const stats = (await es.indices.stats({ index, level: "shards" })) as { indices?: Record<string, { shards?: Record<string, { search_idle?: boolean }[]> }> };
        return stats.indices?.[index]?.shards?.["0"]?.[0]?.search_idle === true;
      },
      { timeoutMs: 30_000, intervalMs: 250, what: "the shard to go search-idle" },
    );
    const refreshes = async () => (await es.indices.stats({ index, metric: "refresh" }))._all.primaries?.refresh?.total ?? 0;
    const before = await refreshes();
    await es.index({ index, id: "a", document: { k: "a" } });
    await new Promise((resolve) => setTimeout(resolve, 2_500));
    expect(await refreshes()).toBe(before);
    // …yet nothing asks for a refresh here: the search refreshes the idle shard first and sees the write.
    const res = await es.search({ index, query: { term: { k: "a" } } });
    expect(res.hits.hits.map((h) => h._id)).toEqual(["a"]);
  });
});
