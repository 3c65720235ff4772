import { createHash } from "node:crypto";
import type { Consumer } from "kafkajs";
import { afterEach, describe, expect, it } from "vitest";
import { createEsClient } from "@liaowang/es";
import { createKafka, createProducer, type TypedProducer } from "@liaowang/kafka";
import { createLogger } from "@liaowang/logger";
import { Incident, SEGMENT_SEPARATOR, topicName, type EnrichedDocument } from "@liaowang/schemas";
import { isolatedEnv, spawnService, waitFor, type SpawnedService } from "@liaowang/testing";

// Burst baselines move with their partition. Replica A counts eight hours of ordinary 工资拖欠 posts from 江华 (its
// baseline); then A goes away, cleanly (SIGTERM) or not (SIGKILL), and a wave of posts about one new wage protest arrives
// at replica B. The wave's only risk signal is the burst: B must see it against A's baseline. Without the baseline B
// would be at a cold start (bursts need six hours of history) and the story would stay an unreported candidate.

const HOUR = 3_600_000;
const log = createLogger({ service: "detector-handover-test", level: "warn" });
const region = { code: "431129", name: "江华瑶族自治县", level: "county" as const, province: "湖南省" };
const companies = ["鑫达建材", "宏远物流", "金源食品", "华盛纺织", "永兴矿业", "瑶乡茶业", "南岭电子", "潇湘印务", "江华水泥", "锦绣服装", "新瑶建设", "绿源农业", "顺丰石材", "岭东制衣", "天元木业", "恒通机械"];

function enriched(id: string, text: string, tokens: string[], keywords: { word: string; weight: number }[], source: string, publishedAt: number): EnrichedDocument {
  return {
    v: 1,
    id: createHash("sha256").update(id).digest("hex").slice(0, 32),
    source,
    sourceKind: "rss",
    text,
    publishedAt: new Date(publishedAt).toISOString(),
    ingestedAt: new Date().toISOString(),
    lang: "zh",
    tokens,
    titleSeg: "",
    textSeg: tokens.join(SEGMENT_SEPARATOR),
    searchTerms: tokens,
    keywords,
    enrichedAt: new Date().toISOString(),
    topics: [{ id: "工资拖欠", score: 0.85 }],
    sentiment: { score: 0, label: "neutral" },
    regions: [region],
    figures: [],
  };
}

/** Two ordinary posts an hour for the eight hours before the current one, each about another employer. */
function baseline(): EnrichedDocument[] {
  const hourStart = Math.floor(Date.now() / HOUR) * HOUR;
  return Array.from({ length: 16 }, (_, i) => {
    const company = companies[i]!;
    const text = `江华瑶族自治县${company}有员工反映上月工资尚未发放，公司称将于本周补发。`;
    const tokens = ["江华瑶族自治县", company, "员工", "反映", "工资", "尚未", "发放", "补发"];
    const at = hourStart - (8 - Math.floor(i / 2)) * HOUR + (i % 2) * 20 * 60_000 + 5 * 60_000;
    return enriched(`base-${i}`, text, tokens, [{ word: company, weight: 20 }, { word: "补发", weight: 8 }, { word: "工资", weight: 6 }], `本地论坛${i}`, at);
  });
}

/**
 * One wage protest told by twelve sources within the last two minutes, all within the current hour. Burst counters are
 * hourly: a wave sent just after a full hour used to straddle it (e.g. 4 posts at 15:59, 8 at 16:00), so neither
 * bucket held a topic burst and the test failed whenever it ran in the first two minutes of an hour.
 */
function wave(): EnrichedDocument[] {
  const now = Date.now();
  const step = Math.min(10_000, Math.floor((now - Math.floor(now / HOUR) * HOUR) / 13));
  return Array.from({ length: 12 }, (_, n) => {
    const source = `来源${n}`;
    const text = `江华瑶族自治县城南一工地数十名农民工聚集讨薪，称被拖欠工资半年（${source}）。`;
    const tokens = ["江华瑶族自治县", "城南", "工地", "数十名", "农民工", "聚集", "讨薪", "拖欠", "工资", "半年"];
    return enriched(`wave-${n}`, text, tokens, [{ word: "讨薪", weight: 20 }, { word: "农民工", weight: 12 }, { word: "工地", weight: 10 }, { word: "聚集", weight: 8 }, { word: "城南", weight: 6 }], source, now - (12 - n) * step);
  });
}

interface Case {
  env: Record<string, string>;
  topicPrefix: string;
  services: SpawnedService[];
  received: Incident[];
  producer: TypedProducer;
  reader: Consumer;
  close(): Promise<void>;
  detector(id: string): SpawnedService;
  members(): Promise<{ state: string | undefined; count: number }>;
  storedBaseline(): Promise<number>;
}

async function openCase(label: string): Promise<Case> {
  const { env, topicPrefix, indexPrefix } = isolatedEnv(label);
  const es = createEsClient({ node: env.LIAOWANG_ES_URL ?? "", indexPrefix });
  const kafka = createKafka({ brokers: [env.LIAOWANG_KAFKA_BROKERS ?? ""], clientId: label, topicPrefix }, log);
  const admin = kafka.admin();
  await admin.connect();
  await admin.createTopics({
    waitForLeaders: true,
    topics: ["enriched", "incidents", "deadLetter"].map((t) => ({ topic: topicName(topicPrefix, t as "enriched"), numPartitions: 2, replicationFactor: -1 })),
  });
  const producer = await createProducer(kafka, topicPrefix);
  const received: Incident[] = [];
  const reader = kafka.consumer({ groupId: `${topicPrefix}reader` });
  await reader.connect();
  await reader.subscribe({ topic: topicName(topicPrefix, "incidents"), fromBeginning: true });
  await reader.run({ eachMessage: async ({ message }) => void received.push(Incident.parse(JSON.parse(message.value!.toString()))) });
  const services: SpawnedService[] = [];
  return {
    env,
    topicPrefix,
    services,
    received,
    producer,
    reader,
    detector(id) {
      const s = spawnService("services/detector/src/main.ts", {
        ...env,
        DETECTOR_INSTANCE_ID: id,
        DETECTOR_TICK_SCHEDULE: "*/2 * * * * *",
        DETECTOR_BURST_FLUSH_MS: "1000",
        LIAOWANG_JURISDICTION: "全国",
        LOG_LEVEL: "info",
      });
      services.push(s);
      return s;
    },
    async members() {
      const group = (await admin.describeGroups([`${topicPrefix}detector`])).groups[0];
      return { state: group?.state, count: group?.members.length ?? 0 };
    },
    /** The baseline mean of 工资拖欠 in the stored counters of the partition 湖南省 lands on (0 when none yet). */
    async storedBaseline() {
      const res = await es.search<{ bursts?: { keys?: Record<string, { mean: number }> } }>({ index: `${indexPrefix}detector-bursts`, size: 10 }, { ignore: [404] });
      const key = res.hits?.hits.map((h) => h._source?.bursts?.keys?.["topic:工资拖欠"]).find((k) => k !== undefined);
      return key?.mean ?? 0;
    },
    async close() {
      await Promise.all(services.map((s) => s.kill()));
      await reader.disconnect();
      await producer.disconnect();
      await admin.disconnect();
      await es.indices.delete({ index: `${indexPrefix}*` }).catch(() => undefined);
      await es.close();
    },
  };
}

let current: Case | undefined;

afterEach(async (context) => {
  if (context.task.result?.state === "fail") {
    for (const s of current?.services ?? []) process.stderr.write(s.output().slice(-4000));
    // What the reader got, so a missing burst is told apart from a missing incident.
    for (const i of current?.received ?? []) process.stderr.write(`received ${i.id} r${i.revision} volume ${i.volume} [${i.changes.join(",")}] bursts ${i.bursts.map((b) => `${b.kind}:${b.value}=${b.count}/${b.baselineMean.toFixed(2)}`).join(" ") || "none"}\n`);
  }
  await current?.close();
  current = undefined;
});

/** Replica A alone in the group counts the baseline and saves it. */
async function baselineOnA(c: Case): Promise<SpawnedService> {
  const a = c.detector("det-a");
  await waitFor(async () => {
    const g = await c.members();
    return g.state === "Stable" && g.count === 1;
  }, { timeoutMs: 90_000, intervalMs: 1_000, what: "replica A in the group" });
  await c.producer.send("enriched", baseline());
  // saved within a second of the batch (DETECTOR_BURST_FLUSH_MS) or at A's next tick
  await waitFor(async () => (await c.storedBaseline()) > 0.5, { timeoutMs: 60_000, intervalMs: 500, what: "A's baseline of 工资拖欠 saved" });
  return a;
}

/** The wave reaches B; the story is published because of a 工资拖欠 burst measured against A's baseline. */
async function burstDetectedOnB(c: Case, b: SpawnedService): Promise<void> {
  await waitFor(async () => {
    const g = await c.members();
    return g.state === "Stable" && g.count === 1;
  }, { timeoutMs: 90_000, intervalMs: 1_000, what: "replica B alone in the group" });
  await c.producer.send("enriched", wave());
  const incident = await waitFor(async () => c.received.find((i) => i.bursts.some((x) => x.kind === "topic" && x.value === "工资拖欠")), {
    timeoutMs: 90_000,
    intervalMs: 500,
    what: "the wage protest published with its burst",
  });
  const burst = incident.bursts.find((x) => x.kind === "topic" && x.value === "工资拖欠")!;
  expect(burst.baselineMean).toBeGreaterThan(0.5);
  expect(burst.count).toBeGreaterThanOrEqual(12);
  expect(incident.volume).toBe(12);
  expect(incident.changes).toContain("opened");
  // B handled it: A is gone (B logs the publication once the send returned, which may be after the reader saw it)
  await waitFor(async () => b.output().includes("incident published"), { timeoutMs: 15_000, intervalMs: 200, what: "B's log line of the publication" });
}

describe("burst baselines move with their partition", () => {
  it("clean stop: A hands its counters over, B detects the burst against A's baseline", async () => {
    const c = (current = await openCase("detector-handover-stop"));
    const a = await baselineOnA(c);
    const b = c.detector("det-b");
    await waitFor(async () => {
      const g = await c.members();
      return g.state === "Stable" && g.count === 2;
    }, { timeoutMs: 90_000, intervalMs: 1_000, what: "both replicas in the group" });
    expect(await a.stop()).toBe(0);
    await burstDetectedOnB(c, b);
    // handed over at the rebalance or at A's stop, never taken from a stale periodic save
    expect(a.output()).toContain("burst counters handed over");
    expect(b.output()).not.toContain("previous owner did not hand over");
  });

  it("kill -9: B continues from A's last save and detects the burst against it", async () => {
    const c = (current = await openCase("detector-handover-kill"));
    const a = await baselineOnA(c);
    await a.kill();
    // B joins while A's dead member is still in the group; it gets every partition once A's session expires
    const b = c.detector("det-b");
    await burstDetectedOnB(c, b);
    expect(b.output()).toContain("previous owner did not hand over the partition's burst counters; continuing from its last save");
  });
});
