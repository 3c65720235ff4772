import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { createEsClient } from "@liaowang/es";
import { isolatedEnv, spawnService, waitFor, type SpawnedService } from "@liaowang/testing";
import { runCaptured } from "../packages/cli/src/capture.js";

// `pnpm liaowang replay` into the running pipeline (enrich + indexer as real processes): every valid record of an
// NDJSON file and of feeds (one GB2312-encoded) becomes searchable by a Chinese word; each invalid line is reported.

const { env, indexPrefix } = isolatedEnv("replay");
const es = createEsClient({ node: env.LIAOWANG_ES_URL!, indexPrefix });
const services: SpawnedService[] = [];

const cli = (args: string[]) => runCaptured(args, env);

interface Hit {
  id: string;
  title?: string;
  source: string;
  publishedAt: string;
  highlights: { title?: string; text: string[] };
}
async function search(query: string): Promise<{ total: number; hits: Hit[] }> {
  const result = await cli(["search", query, "--json", "--size", "50"]);
  expect(result.code, result.stderr).toBe(0);
  return JSON.parse(result.stdout) as { total: number; hits: Hit[] };
}

async function indexed(ids: string[]): Promise<boolean> {
  if (!(await es.indices.exists({ index: `${indexPrefix}docs` }))) return false;
  await es.indices.refresh({ index: `${indexPrefix}docs` });
  // A search, not mget: the alias spans several monthly indices (an undatable feed item is dated at replay time).
  const found = await es.search({ index: `${indexPrefix}docs`, query: { ids: { values: ids } }, size: ids.length, _source: false });
  return found.hits.hits.length === new Set(ids).size;
}

beforeAll(() => {
  services.push(spawnService("services/enrich/src/main.ts", env), spawnService("services/indexer/src/main.ts", env));
});
afterEach((context) => {
  if (context.task.result?.state === "fail") for (const s of services) process.stderr.write(s.output().slice(-4000));
});
afterAll(async () => {
  await Promise.all(services.map((s) => s.stop()));
  await es.indices.delete({ index: `${indexPrefix}*` }).catch(() => undefined);
  await es.close();
});

describe("replay into the running pipeline", () => {
  it("reports each invalid NDJSON line with its reason and makes every valid record searchable", async () => {
    const text = await cli(["replay", "test/fixtures/ingest/mixed.ndjson"]);
    expect(text.code).toBe(0);
    expect(text.stdout).toContain("accepted:   4");
    expect(text.stdout).toContain("rejected:   4");
    expect(text.stdout).toMatch(/line 3: publishedAt: required/);
    expect(text.stdout).toMatch(/line 4: not valid JSON/);
    expect(text.stdout).toMatch(/line 6: .*text is empty/);
    expect(text.stdout).toMatch(/line 8: url: Invalid URL/);

    // replaying again is harmless: content-derived ids
    const again = JSON.parse((await cli(["replay", "test/fixtures/ingest/mixed.ndjson", "--json"])).stdout) as { accepted: number; ids: string[] };
    expect(again.ids).toHaveLength(4);
    await waitFor(() => indexed(again.ids), { timeoutMs: 60_000, what: "the 4 valid NDJSON records indexed" });

    expect((await search("停水")).hits.map((h) => h.source)).toEqual(["weibo"]);
    const wages = await search("农民工工资");
    expect(wages.hits.map((h) => h.source)).toContain("12345-hotline");
    // "2024-05-01 09:05" has no zone: Beijing time
    expect(wages.hits.find((h) => h.source === "12345-hotline")!.publishedAt).toBe("2024-05-01T01:05:00.000Z");
    const blast = await search("化工园区 爆炸");
    expect(blast.hits.find((h) => h.source === "toutiao")!.highlights.text.join("")).not.toContain("<p>");
    const count = await es.count({ index: `${indexPrefix}docs` });
    expect(count.count).toBe(4);
  });

  it("decodes a GB2312 RSS feed and an Atom feed into correct, searchable Chinese", async () => {
    const gb = JSON.parse((await cli(["replay", "test/fixtures/ingest/gb2312-feed.xml", "--source", "星河市政府网", "--json"])).stdout) as {
      accepted: number;
      rejected: unknown[];
      ids: string[];
    };
    expect(gb).toMatchObject({ accepted: 3, rejected: [] });
    const atom = JSON.parse((await cli(["replay", "test/fixtures/ingest/sample-atom.xml", "--json"])).stdout) as { accepted: number; ids: string[] };
    expect(atom.accepted).toBeGreaterThan(0);
    await waitFor(() => indexed([...gb.ids, ...atom.ids]), { timeoutMs: 60_000, what: "the feed items indexed" });

    const notice = await search("情况通报");
    const hit = notice.hits.find((h) => h.source === "星河市政府网");
    expect(hit?.title).toBe("关于城东化工园区爆炸事故的情况通报");
    const stored = (await es.search<{ text: string; publishedAt: string }>({ index: `${indexPrefix}docs`, query: { ids: { values: [hit!.id] } } })).hits.hits[0]!;
    // full-width digits normalised, HTML stripped, Beijing time for a zone-less pubDate
    expect(stored._source!.text).toContain("5月1日9时30分许，城东化工园区一企业发生爆炸事故，造成3人死亡、12人受伤。");
    expect(stored._source!.text).not.toContain("<p>");
    expect(stored._source!.publishedAt).toBe("2024-05-01T02:15:00.000Z");
    expect((await search("抽检")).hits.map((h) => h.title)).toContain("食品药品安全抽检结果公告（2024年第5期）");
  });

  it("fails clearly when Kafka is unreachable", async () => {
    const result = await runCaptured(["replay", "test/fixtures/ingest/mixed.ndjson"], { ...env, LIAOWANG_KAFKA_BROKERS: "127.0.0.1:1" });
    expect(result.code).not.toBe(0);
    expect(result.stderr).toMatch(/127\.0\.0\.1:1/);
  });
});
