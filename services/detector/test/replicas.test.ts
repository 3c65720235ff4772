import { createHash } from "node:crypto";
import { describe, expect, it } from "vitest";
import { createEsClient } from "@liaowang/es";
import { createKafka } from "@liaowang/kafka";
import { createLogger } from "@liaowang/logger";
import { SEGMENT_SEPARATOR, type EnrichedDocument, type Incident } from "@liaowang/schemas";
import { isolatedEnv, spawnService, waitFor } from "@liaowang/testing";
import { detectorHarness } from "./harness.js";

// Two detector replicas in one consumer group on the real stack. Enriched documents are keyed by province, so each
// local story lands on one partition and one replica owns it: every story becomes exactly one published incident
// (none missed, none twice), whichever replica handles it.

const { env, topicPrefix, indexPrefix } = isolatedEnv("detector-replicas");
const log = createLogger({ service: "detector-replicas-test", level: "warn" });
const es = createEsClient({ node: env.LIAOWANG_ES_URL ?? "", indexPrefix });
const kafka = createKafka({ brokers: [env.LIAOWANG_KAFKA_BROKERS ?? ""], clientId: "detector-replicas-test", topicPrefix }, log);
const harness = detectorHarness({ kafka, es, topicPrefix, indexPrefix, tailChars: 3000 });
const { services, received } = harness;

// Six provinces, one story each (a county-level accident with a death toll), told by three sources.
const places = [
  { county: { code: "431129", name: "江华瑶族自治县" }, province: "湖南省", what: "煤矿透水", where: "江华" },
  { county: { code: "420111", name: "洪山区" }, province: "湖北省", what: "工地塔吊倒塌", where: "洪山" },
  { county: { code: "510107", name: "武侯区" }, province: "四川省", what: "火锅店燃气爆炸", where: "武侯" },
  { county: { code: "610113", name: "雁塔区" }, province: "陕西省", what: "商场火灾", where: "雁塔" },
  { county: { code: "410105", name: "金水区" }, province: "河南省", what: "居民楼坍塌", where: "金水" },
  { county: { code: "350102", name: "鼓楼区" }, province: "福建省", what: "化工厂泄漏", where: "鼓楼" },
] as const;
const sources = ["新华网", "本地发布", "微博"];
const onset = Date.now() - 30 * 60_000;

function post(story: number, n: number): EnrichedDocument {
  const p = places[story]!;
  const deaths = 10 + story;
  const text = `${p.province}${p.county.name}发生${p.what}事故，已造成${deaths}人死亡，${p.where}当地正在全力救援（${sources[n]}报道）。`;
  const tokens = [p.province, p.county.name, "发生", p.what, "事故", "造成", String(deaths), "人", "死亡", p.where, "全力", "救援"];
  return {
    v: 1,
    id: createHash("sha256").update(`${story}|${n}|${text}`).digest("hex").slice(0, 32),
    source: sources[n]!,
    sourceKind: "rss",
    text,
    publishedAt: new Date(onset + n * 5 * 60_000).toISOString(),
    ingestedAt: new Date().toISOString(),
    lang: "zh",
    tokens,
    titleSeg: "",
    textSeg: tokens.join(SEGMENT_SEPARATOR),
    searchTerms: tokens,
    keywords: [
      { word: p.what, weight: 20 },
      { word: p.where, weight: 12 },
      { word: p.county.name, weight: 11 },
      { word: "死亡", weight: 8 },
      { word: "救援", weight: 6 },
    ],
    enrichedAt: new Date().toISOString(),
    topics: [{ id: "安全生产", score: 0.9 }],
    category: "生产安全事故",
    sentiment: { score: -0.6, label: "negative" },
    regions: [{ code: p.county.code, name: p.county.name, level: "county", province: p.province }],
    figures: [{ kind: "deaths", value: deaths, approx: false, text: `${deaths}人死亡` }],
  };
}

describe("two detector replicas", () => {
  it("share the stories by place: one published incident per story, none missed", async () => {
    for (const id of ["det-a", "det-b"]) {
      services.push(spawnService("services/detector/src/main.ts", { ...env, DETECTOR_INSTANCE_ID: id, DETECTOR_TICK_SCHEDULE: "*/2 * * * * *", LIAOWANG_JURISDICTION: "全国", LOG_LEVEL: "info" }));
    }
    // both replicas in the group before the posts arrive, so the partitions are really split between them
    await waitFor(
      async () => {
        const group = await (async () => {
          const admin = kafka.admin();
          await admin.connect();
          try {
            return (await admin.describeGroups([`${topicPrefix}detector`])).groups[0];
          } finally {
            await admin.disconnect();
          }
        })();
        return group?.state === "Stable" && group.members.length === 2;
      },
      { timeoutMs: 90_000, intervalMs: 1_000, what: "both detector replicas in the consumer group" },
    );

    // posts of all stories interleaved, as they would arrive
    for (let n = 0; n < sources.length; n++) await harness.producer.send("enriched", places.map((_, story) => post(story, n)));

    const storyOf = (i: Incident) => places.findIndex((p) => i.regions.some((r) => r.code === p.county.code));
    await waitFor(
      async () => {
        const full = new Set(received.filter((i) => i.volume === sources.length).map(storyOf));
        return full.size === places.length;
      },
      { timeoutMs: 120_000, intervalMs: 500, what: "every story published with all three posts" },
    );
    const ids = new Map<number, Set<string>>();
    for (const i of received) ids.set(storyOf(i), (ids.get(storyOf(i)) ?? new Set()).add(i.id));
    expect([...ids.keys()].sort()).toEqual(places.map((_, i) => i));
    for (const [story, set] of ids) expect(set.size, `incidents for story ${story}`).toBe(1);
    for (const i of received.filter((x) => x.volume === sources.length)) expect(i.level).toBe("II");
    // the work was shared, and no replica fought the other (or itself) over an incident
    const logs = services.map((s) => s.output());
    expect(logs.filter((o) => o.includes("incident published"))).toHaveLength(2);
    expect(logs.every((o) => !o.includes("changed elsewhere"))).toBe(true);
  });
});
