import { createHash } from "node:crypto";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { createEsClient } from "@liaowang/es";
import { createKafka, createProducer, ensureTopics, type TypedProducer } from "@liaowang/kafka";
import { createLogger } from "@liaowang/logger";
import { topicName, type RawDocument } from "@liaowang/schemas";
import { isolatedEnv, spawnService, waitFor, type SpawnedService } from "@liaowang/testing";
import { runCaptured } from "../packages/cli/src/capture.js";

// enrich + indexer as real processes on the real stack: documents become searchable by Chinese words,
// and an indexer killed mid-stream resumes from its committed offsets without indexing anything twice.

const { env, topicPrefix, indexPrefix } = isolatedEnv("pipeline");
const log = createLogger({ service: "pipeline-test", level: "warn" });
const es = createEsClient({ node: env.LIAOWANG_ES_URL!, indexPrefix });
const kafka = createKafka({ brokers: [env.LIAOWANG_KAFKA_BROKERS!], clientId: "pipeline-test", topicPrefix }, log);
let producer: TypedProducer;
const services: SpawnedService[] = [];

const districts = ["长沙市岳麓区", "武汉市洪山区", "成都市武侯区", "西安市雁塔区", "郑州市金水区"];
function post(i: number): RawDocument {
  const text = `${districts[i % districts.length]}第${i}号工地农民工反映工资拖欠问题，12345热线已转交人社部门处理，要求24小时内回复。`;
  return {
    v: 1,
    id: createHash("sha256").update(`pipeline-${i}-${text}`).digest("hex").slice(0, 32),
    source: `论坛${i % 3}`,
    sourceKind: "json",
    title: `农民工讨薪求助 ${i}`,
    text,
    publishedAt: new Date(Date.UTC(2026, 10, 20, 2, 0, i)).toISOString(),
    ingestedAt: new Date().toISOString(),
    lang: "zh",
  };
}

async function indexedCount(): Promise<number> {
  const exists = await es.indices.exists({ index: `${indexPrefix}docs` });
  if (!exists) return 0;
  await es.indices.refresh({ index: `${indexPrefix}docs` });
  return (await es.count({ index: `${indexPrefix}docs` })).count;
}

const cli = (args: string[]) => runCaptured(args, env);

beforeAll(async () => {
  const admin = kafka.admin();
  await admin.connect();
  await ensureTopics(admin, ["raw", "enriched", "dead-letter"].map((t) => `${topicPrefix}${t}`));
  await admin.disconnect();
  producer = await createProducer(kafka, topicPrefix);
  services.push(spawnService("services/enrich/src/main.ts", env));
});

afterEach((context) => {
  // a failing run shows what the services said
  if (context.task.result?.state === "fail") for (const s of services) process.stderr.write(s.output().slice(-4000));
});

afterAll(async () => {
  await Promise.all(services.map((s) => s.stop()));
  await producer?.disconnect();
  await es.indices.delete({ index: `${indexPrefix}*` }).catch(() => undefined);
  await es.close();
});

describe("enrich → indexer pipeline", () => {
  it("answers empty before anything is indexed", async () => {
    const search = await cli(["search", "工资拖欠", "--json"]);
    expect(search.stderr).toBe("");
    expect(JSON.parse(search.stdout)).toMatchObject({ total: 0, hits: [] });
    const trends = await cli(["trends", "--json"]);
    expect(JSON.parse(trends.stdout)).toMatchObject({ total: 0, volume: [] });
  });

  it("makes every document searchable by a Chinese word, with highlights", async () => {
    const indexer = spawnService("services/indexer/src/main.ts", env);
    services.push(indexer);
    const docs = Array.from({ length: 20 }, (_, i) => post(i));
    await producer.send("raw", docs);
    await waitFor(async () => (await indexedCount()) === 20, { timeoutMs: 60_000, what: "20 documents indexed" });

    const result = await cli(["search", "工资拖欠", "--json", "--size", "50"]);
    expect(result.stderr).toBe("");
    expect(result.code).toBe(0);
    const parsed = JSON.parse(result.stdout) as { total: number; hits: { id: string; highlights: { text: string[] } }[] };
    expect(parsed.total).toBe(20);
    expect(new Set(parsed.hits.map((h) => h.id))).toEqual(new Set(docs.map((d) => d.id)));
    expect(parsed.hits[0]!.highlights.text.join("")).toMatch(/<em>工资(拖欠)?<\/em>/);

    // a place name from the user dictionary is one searchable word
    const place = JSON.parse((await cli(["search", "岳麓区", "--json", "--size", "50"])).stdout) as { total: number };
    expect(place.total).toBe(4);

    const trends = JSON.parse((await cli(["trends", "--json", "--days", "30"])).stdout) as {
      total: number;
      series: { sources: { key: string; total: number }[]; keywords: { key: string }[] };
    };
    expect(trends.total).toBe(20);
    expect(Object.fromEntries(trends.series.sources.map((s) => [s.key, s.total]))).toEqual({ 论坛0: 7, 论坛1: 7, 论坛2: 6 });
    expect(trends.series.keywords.map((k) => k.key)).toContain("农民工");
    await indexer.stop();
  });

  it("resumes after the indexer is killed mid-stream and indexes nothing twice", async () => {
    const before = await indexedCount();
    const docs = Array.from({ length: 600 }, (_, i) => post(1000 + i));
    let indexer = spawnService("services/indexer/src/main.ts", env);
    services.push(indexer);
    // the first 100 are indexed and committed; the indexer is killed while the other 500 are still on their way
    await producer.send("raw", docs.slice(0, 100));
    await waitFor(async () => (await indexedCount()) - before >= 100, { timeoutMs: 60_000, what: "the first 100 documents indexed" });
    for (let i = 100; i < docs.length; i += 100) await producer.send("raw", docs.slice(i, i + 100));
    const partial = (await indexedCount()) - before;
    await indexer.kill();
    expect(partial).toBeLessThan(docs.length);

    indexer = spawnService("services/indexer/src/main.ts", env);
    services.push(indexer);
    await waitFor(async () => (await indexedCount()) - before === docs.length, { timeoutMs: 90_000, what: "all 600 documents indexed" });
    // let the restarted indexer drain anything redelivered, then check again
    await new Promise((r) => setTimeout(r, 2_000));
    expect(await indexedCount()).toBe(before + docs.length);
    const ids = await es.search({ index: `${indexPrefix}docs`, size: 0, aggs: { ids: { cardinality: { field: "id" } } } });
    expect((ids.aggregations?.ids as { value: number }).value).toBe(before + docs.length);
    const deadLetters = topicName(topicPrefix, "deadLetter");
    expect(deadLetters).toContain("dead-letter");
  });
});
