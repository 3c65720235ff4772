import { createHash } from "node:crypto";
import { describe, expect, it } from "vitest";
import { DEFAULT_ENGINE_CONFIG, DetectorEngine, compileWatchRules, type DocFeatures } from "@liaowang/detect";
import { createEsClient } from "@liaowang/es";
import { createKafka, groupLag, type Delivered } from "@liaowang/kafka";
import { createLogger } from "@liaowang/logger";
import { SEGMENT_SEPARATOR, topicName, type EnrichedDocument, type Incident } from "@liaowang/schemas";
import { isolatedEnv, spawnService, startEsProxy, waitFor } from "@liaowang/testing";
import { CandidateLog } from "../src/candidates.js";
import { Detector } from "../src/detector.js";
import { readEnriched } from "../src/enriched.js";
import { IncidentStore } from "../src/store.js";
import { detectorHarness } from "./harness.js";

// What goes out on the incidents topic is what the alerter raises alerts from: it must only ever be an incident that
// was stored. A batch that could not be stored is processed again, possibly split by the consumer's retries into
// parts planned one after the other; when plans were published before they were stored, each failed attempt sent
// what it planned, and the second part, planned without the first, sent a story of its own. After the outage the
// parts joined one incident, but the alerter had already raised two alerts (the fault suite caught it: two alerts for
// one explosion after Elasticsearch stopped for 20 s).

const { env, topicPrefix, indexPrefix } = isolatedEnv("detector-outage");
const log = createLogger({ service: "detector-outage-test", level: "warn" });
const es = createEsClient({ node: env.LIAOWANG_ES_URL ?? "", indexPrefix });
const kafka = createKafka({ brokers: [env.LIAOWANG_KAFKA_BROKERS ?? ""], clientId: "detector-outage-test", topicPrefix }, log);
const harness = detectorHarness({ kafka, es, topicPrefix, indexPrefix, tailChars: 8_000 });

const onset = Date.now() - 30 * 60_000;
const lengshuijiang = { code: "431381", name: "冷水江市", level: "county", province: "湖南省" } as const;
const loudi = { code: "431300", name: "娄底市", level: "city", province: "湖南省" } as const;

/** An enriched post of a 冷水江 mine accident (each post alone is graded II: 11 deaths). */
function post(source: string, text: string, minutes: number, keywords: [string, number][], deaths: string): EnrichedDocument {
  const tokens = keywords.map(([word]) => word);
  return {
    v: 1,
    id: createHash("sha256").update(`${source}|${text}`).digest("hex").slice(0, 32),
    source,
    sourceKind: "rss",
    text,
    publishedAt: new Date(onset + minutes * 60_000).toISOString(),
    ingestedAt: new Date().toISOString(),
    lang: "zh",
    tokens,
    titleSeg: "",
    textSeg: tokens.join(SEGMENT_SEPARATOR),
    searchTerms: tokens,
    keywords: keywords.map(([word, weight]) => ({ word, weight })),
    enrichedAt: new Date().toISOString(),
    topics: [{ id: "安全生产", score: 0.9 }],
    category: "生产安全事故",
    sentiment: { score: -0.6, label: "negative" },
    regions: [lengshuijiang, loudi],
    figures: [{ kind: "deaths", value: 11, approx: false, text: deaths }],
  };
}

const firstReport = post(
  "新华网",
  "记者从应急管理部门获悉，娄底冷水江市锡矿山一锑矿井下发生冒顶事故，截至目前已造成11人遇难，事故原因正在调查。",
  0,
  [["锑矿", 20.1], ["冒顶事故", 18.3], ["遇难", 12.2], ["冷水江市", 11.9], ["锡矿山", 11.5], ["井下", 9.1], ["娄底", 8.8], ["事故", 7.1], ["调查", 5.5]],
  "11人遇难",
);
const localReport = post(
  "冷水江发布",
  "冷水江市锡矿山一锑矿发生井下冒顶事故，事故共造成11人遇难，市应急管理局工作组已赶赴现场处置。",
  12,
  [["锑矿", 20.1], ["冒顶事故", 17.9], ["锡矿山", 11.5], ["冷水江市", 11.9], ["遇难", 9.1], ["井下", 9.1], ["工作组", 8.5], ["赶赴现场", 11.2], ["事故", 7.1]],
  "11人遇难",
);
/** Unremarkable news of the province: a candidate, to see the detector consuming before the outage. */
const ordinary: EnrichedDocument = (() => {
  const { category: _category, ...doc } = post("湖南日报", "娄底市召开全市春耕生产工作会议，部署今年粮食生产任务。", 1, [["春耕", 15.2], ["粮食生产", 12.1], ["娄底市", 9.3], ["会议", 4.1]], "");
  return { ...doc, figures: [], topics: [{ id: "农业", score: 0.8 }], sentiment: { score: 0.1, label: "neutral" } };
})();

async function lag(): Promise<number> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    return (await groupLag(admin, `${topicPrefix}detector`, topicName(topicPrefix, "enriched"))).total;
  } finally {
    await admin.disconnect();
  }
}

async function storedIds(): Promise<string[]> {
  await es.indices.refresh({ index: `${indexPrefix}incidents` });
  const res = await es.search<{ id: string }>({ index: `${indexPrefix}incidents`, size: 100, _source: ["id"] });
  return res.hits.hits.map((h) => h._source?.id ?? "").sort();
}

describe("detector: the incidents topic carries only stored incidents", () => {
  it("publishes nothing while Elasticsearch refuses (429); once it answers, one incident for the story, the one stored", async () => {
    const proxy = await startEsProxy(env.LIAOWANG_ES_URL ?? "");
    try {
      const detector = spawnService("services/detector/src/main.ts", { ...env, LIAOWANG_ES_URL: proxy.url, DETECTOR_TICK_SCHEDULE: "*/2 * * * * *" });
      harness.services.push(detector);
      await harness.producer.send("enriched", [ordinary]);
      await waitFor(async () => (await lag()) === 0, { timeoutMs: 60_000, what: "the detector consuming" });

      proxy.setMode("throttle");
      // One batch (one partition: the same province): its retries split it into the two posts, planned one at a time.
      await harness.producer.send("enriched", [firstReport, localReport]);
      await new Promise((r) => setTimeout(r, 8_000));
      expect(proxy.throttled()).toBeGreaterThan(3);
      expect(harness.received, "published while nothing could be stored").toEqual([]);

      proxy.setMode("forward");
      const story = await waitFor(async () => harness.received.find((i) => i.volume === 2), { timeoutMs: 60_000, what: "the story published with both posts" });
      await waitFor(async () => (await lag()) === 0, { timeoutMs: 30_000, what: "the batch committed" });
      expect(story).toMatchObject({ firstSource: { docId: firstReport.id, source: "新华网" } });
      expect([...new Set(harness.received.map((i) => i.id))]).toEqual([story.id]);
      expect(await storedIds()).toEqual([story.id]);
    } finally {
      await proxy.close();
    }
  });

  it("sends what it stored when publishing failed: with the batch's retry, and after a crash with the redelivered posts", async () => {
    // In-process, on the real Elasticsearch: the publish step is the real producer behind a switch that fails it (as
    // a broker refusing would), since the broker cannot be stopped under the other tests.
    const store = new IncidentStore(es, `${indexPrefix}inproc-`, log, "inproc");
    await store.init();
    const candidates = new CandidateLog(es, `${indexPrefix}inproc-`, "inproc", log);
    await candidates.init();
    let brokerDown = true;
    const sent: Incident[] = [];
    const publish = async (messages: Incident[]): Promise<void> => {
      if (brokerDown) throw new Error("broker refused the produce (fault injection)");
      await harness.producer.send("incidents", messages, { validated: true });
      sent.push(...messages);
    };
    const rules = compileWatchRules([]);
    const replica = (engine: DetectorEngine) => new Detector({ engine, store, candidates, publish, instance: "inproc", log });
    const records: Delivered<DocFeatures>[] = [firstReport, localReport].map((doc, i) => {
      const parsed = readEnriched(Buffer.from(JSON.stringify(doc)));
      if (!parsed.ok) throw new Error(parsed.reason);
      return { value: parsed.value, topic: topicName(topicPrefix, "enriched"), partition: 0, offset: String(i), key: undefined };
    });

    const first = replica(new DetectorEngine(DEFAULT_ENGINE_CONFIG, rules));
    await first.assign([0]);
    await expect(first.handle(records)).rejects.toThrow(/fault injection/);
    // Stored although not sent; the retry (the same records: the offsets were not committed) sends it.
    const [id] = await storedIdsOf(`${indexPrefix}inproc-incidents`);
    expect(id).toBeDefined();
    brokerDown = false;
    await first.handle(records);
    expect(sent.map((m) => [m.id, m.revision, m.volume])).toEqual([[id, 1, 2]]);
    expect(sent[0]?.changes).toContain("opened");

    // A crash between storing and publishing: the next process loads the stored incident and gets the batch again.
    brokerDown = true;
    const restarted = replica(new DetectorEngine(DEFAULT_ENGINE_CONFIG, rules, { incidents: await store.loadOpen(100) }));
    await restarted.assign([0]);
    await expect(restarted.handle(records)).rejects.toThrow(/fault injection/);
    brokerDown = false;
    await restarted.handle(records);
    // The stored message itself (its changes say how it was opened), once: a further redelivery sends nothing.
    expect(sent.map((m) => [m.id, m.revision, m.changes])).toEqual([
      [id, 1, sent[0]?.changes],
      [id, 1, sent[0]?.changes],
    ]);
    await restarted.handle(records);
    expect(sent).toHaveLength(2);
  });
});

async function storedIdsOf(index: string): Promise<string[]> {
  await es.indices.refresh({ index });
  const res = await es.search<{ id: string }>({ index, size: 100, _source: ["id"] });
  return res.hits.hits.map((h) => h._source?.id ?? "");
}
