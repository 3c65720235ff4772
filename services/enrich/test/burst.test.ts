import { createHash } from "node:crypto";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { createKafka, createProducer, type TypedProducer } from "@liaowang/kafka";
import { createLogger } from "@liaowang/logger";
import { createEsClient } from "@liaowang/es";
import { DeadLetter, EnrichedDocument, stageHealthIndex, topicName, type RawDocument, type StageHealth } from "@liaowang/schemas";
import { isolatedEnv, spawnService, waitFor, type SpawnedService } from "@liaowang/testing";

// The reported stall: a burst lands in raw, enrich turns a whole fetch into one produce that is larger than the
// enriched topic accepts, Kafka refuses it, and the same batch is retried forever while nothing moves. Here the
// enriched topic's max.message.bytes is small so a few thousand short posts reproduce it in seconds; one post
// whose enriched form is alone above the limit must be dead-lettered with the reason, and everything else enriched.

const { env, topicPrefix, indexPrefix } = isolatedEnv("enrich-burst");
const es = createEsClient({ node: env.LIAOWANG_ES_URL!, indexPrefix });
const log = createLogger({ service: "enrich-burst-test", level: "silent" });
const kafka = createKafka({ brokers: [env.LIAOWANG_KAFKA_BROKERS!], clientId: "enrich-burst-test", topicPrefix }, log);
const TOPIC_LIMIT = 120_000;
const POSTS = 3_000;
let producer: TypedProducer;
let enrich: SpawnedService | undefined;
const stops: (() => Promise<void>)[] = [];

const places = ["长沙市岳麓区", "武汉市洪山区", "成都市武侯区", "西安市雁塔区", "郑州市金水区"];
function post(i: number, text = `${places[i % places.length]}第${i}号小区居民反映连续停水三天，物业称管道检修，12345热线已转交住建部门。`): RawDocument {
  return {
    v: 1,
    id: createHash("sha256").update(`burst-${i}`).digest("hex").slice(0, 32),
    source: `微博${i % 7}`,
    sourceKind: "webhook",
    text,
    publishedAt: new Date(Date.UTC(2026, 10, 20, 2, 0, 0, i)).toISOString(),
    ingestedAt: new Date().toISOString(),
    lang: "zh",
  };
}

async function readTopic<T>(topic: string, parse: (value: unknown) => T, into: T[]): Promise<void> {
  const consumer = kafka.consumer({ groupId: `reader-${topic}-${Date.now()}` });
  await consumer.connect();
  await consumer.subscribe({ topic, fromBeginning: true });
  await consumer.run({ eachMessage: async ({ message }) => void into.push(parse(JSON.parse(message.value!.toString()))) });
  stops.push(() => consumer.disconnect());
}

beforeAll(async () => {
  const admin = kafka.admin();
  await admin.connect();
  await admin.createTopics({
    waitForLeaders: true,
    topics: [
      // one partition: the whole burst is one big fetch, as with a hot partition in production
      { topic: topicName(topicPrefix, "raw"), numPartitions: 1, replicationFactor: -1 },
      { topic: topicName(topicPrefix, "enriched"), numPartitions: 3, replicationFactor: -1, configEntries: [{ name: "max.message.bytes", value: String(TOPIC_LIMIT) }] },
      { topic: topicName(topicPrefix, "deadLetter"), numPartitions: 1, replicationFactor: -1 },
    ],
  });
  await admin.disconnect();
  producer = await createProducer(kafka, topicPrefix);
});

afterEach((context) => {
  if (context.task.result?.state === "fail" && enrich) process.stderr.write(enrich.output().slice(-4000));
});

afterAll(async () => {
  await enrich?.stop();
  for (const stop of stops) await stop();
  await producer?.disconnect();
  await es.indices.delete({ index: `${indexPrefix}*` }).catch(() => undefined);
  await es.close();
});

describe("enrich under a burst", () => {
  it("never produces more than the topic accepts, and dead-letters the one post that is alone too large", async () => {
    const posts = Array.from({ length: POSTS }, (_, i) => post(i));
    // ~40,000 characters: under raw's limit, but tokens, segmented text and search terms make it several times larger
    const giant = post(POSTS, `${"市民反映某化工厂夜间偷排废水，河道发黑发臭，环保部门接报后已到场取样调查。".repeat(1_100)}`);
    posts.splice(1_500, 0, giant);
    for (let i = 0; i < posts.length; i += 500) await producer.send("raw", posts.slice(i, i + 500));

    enrich = spawnService("services/enrich/src/main.ts", { ...env, ENRICH_WATCH_DICTIONARIES: "off" });
    const enriched: EnrichedDocument[] = [];
    const letters: DeadLetter[] = [];
    await readTopic(topicName(topicPrefix, "enriched"), (v) => EnrichedDocument.parse(v), enriched);
    await readTopic(topicName(topicPrefix, "deadLetter"), (v) => DeadLetter.parse(v), letters);

    const ids = () => new Set(enriched.map((d) => d.id));
    await waitFor(async () => ids().size >= POSTS && letters.length >= 1, { timeoutMs: 150_000, intervalMs: 500, what: `${POSTS} posts enriched and the giant one dead-lettered` });

    expect(ids()).toEqual(new Set(posts.filter((p) => p !== giant).map((p) => p.id)));
    expect(ids().has(giant.id)).toBe(false);
    expect(letters).toHaveLength(1);
    expect(letters[0]).toMatchObject({ service: "enrich", recordId: giant.id, code: "too_large" });
    expect(letters[0]!.reason).toContain("max.message.bytes 120000");
    // no batch was retried: nothing failed on the way
    expect(enrich.output()).not.toContain("batch failed, retrying");
    // and the stage says so where the API's health endpoint reads it: caught up, not stuck
    const health = await waitFor(
      async () => {
        const res = await es.search<StageHealth>({ index: stageHealthIndex(indexPrefix), query: { term: { service: "enrich" } } }, { ignore: [404] });
        const doc = res.hits?.hits[0]?._source;
        return doc && doc.lag === 0 && doc.committed >= POSTS + 1 && doc;
      },
      { timeoutMs: 30_000, what: "enrich reporting lag 0 and every record committed" },
    );
    expect(health).toMatchObject({ topic: topicName(topicPrefix, "raw"), groupId: `${topicPrefix}enrich` });
    expect(health).not.toHaveProperty("stuck");
  });
});
