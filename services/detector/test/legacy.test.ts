import { createHash } from "node:crypto";
import { describe, expect, it } from "vitest";
import { DetectorEngine } from "@liaowang/detect";
import { createEsClient } from "@liaowang/es";
import { createKafka } from "@liaowang/kafka";
import { createLogger } from "@liaowang/logger";
import { SEGMENT_SEPARATOR, topicName, type EnrichedDocument } from "@liaowang/schemas";
import { isolatedEnv, spawnService, waitFor } from "@liaowang/testing";
import { loadConfig, loadDomainConfig } from "../src/config.js";
import { toFeatures } from "../src/features.js";
import { listedDeltas, type HeadSource } from "../src/candidates.js";
import { LEGACY_MARKER_ID } from "../src/legacy.js";
import { detectorHarness } from "./harness.js";

// Upgrading from a version that kept candidates one document each in <prefix>incident-candidates: two replicas start
// on the old index; one carries its candidates into the per-partition log (once), the other waits for it; a broken
// candidate is named with the reason and skipped; the 通报 that follows the carried-over 首发 joins it, and the story is
// published as one II incident opened by the 首发.

const { env, topicPrefix, indexPrefix } = isolatedEnv("detector-legacy");
const detectorEnv = { ...env, DETECTOR_TICK_SCHEDULE: "*/2 * * * * *", LIAOWANG_JURISDICTION: "湖南省", LOG_LEVEL: "info" };
const log = createLogger({ service: "detector-legacy-test", level: "warn" });
const es = createEsClient({ node: env.LIAOWANG_ES_URL ?? "", indexPrefix });
const kafka = createKafka({ brokers: [env.LIAOWANG_KAFKA_BROKERS ?? ""], clientId: "detector-legacy-test", topicPrefix }, log);
const enrichedTopic = topicName(topicPrefix, "enriched");
const oldIndex = `${indexPrefix}incident-candidates`;
const newIndex = `${indexPrefix}detector-candidates`;
const harness = detectorHarness({ kafka, es, topicPrefix, indexPrefix, tailChars: 5000 });
const { services, received } = harness;

const suxian = { code: "431003", name: "苏仙区", level: "county", province: "湖南省" } as const;
const chenzhou = { code: "431000", name: "郴州市", level: "city", province: "湖南省" } as const;
const hunan = { code: "430000", name: "湖南省", level: "province", province: "湖南省" } as const;
const onset = Date.now() - 20 * 60_000;

function enriched(source: string, title: string, text: string, minutes: number, keywords: string, tokens: string, extra: Partial<EnrichedDocument> = {}): EnrichedDocument {
  const toks = tokens.split(" ");
  return {
    v: 1,
    id: createHash("sha256").update(`${source}|${text}`).digest("hex").slice(0, 32),
    source,
    sourceKind: "rss",
    title,
    text,
    publishedAt: new Date(onset + minutes * 60_000).toISOString(),
    ingestedAt: new Date().toISOString(),
    lang: "zh",
    tokens: toks,
    titleSeg: title,
    textSeg: toks.join(SEGMENT_SEPARATOR),
    searchTerms: toks,
    keywords: keywords.split(" ").map((kv) => {
      const [word, weight] = kv.split(":");
      return { word: word!, weight: Number(weight) };
    }),
    enrichedAt: new Date().toISOString(),
    topics: [],
    sentiment: { score: 0, label: "neutral" },
    regions: [suxian, chenzhou, hunan],
    figures: [],
    ...extra,
  };
}

// A resident's 首发 (no figures, no risk signal: a candidate), stored by the old version; then the 通报 with the toll.
const resident = enriched(
  "微博网友@郴州小李",
  "苏仙区鑫达煤矿出事了",
  "苏仙区鑫达煤矿刚才好像出事了，好多救护车往矿上开，矿上的人都跑出来了！",
  0,
  "鑫达煤矿:20.5 苏仙区:11.74 救护车:10.2 矿上:9.1 跑出来:8.2 出事:8.4",
  "苏仙区 鑫达煤矿 出事 了 刚才 好像 出事 好多 救护车 往 矿上 开 矿上 的 人 都 跑出来 了",
);
const notice = enriched(
  "苏仙区应急管理局",
  "关于苏仙区鑫达煤矿透水事故的情况通报",
  "苏仙区鑫达煤矿发生透水事故。截至目前，事故已造成15人遇难、3人受伤，搜救工作仍在进行，事故原因正在调查中。",
  2,
  "鑫达煤矿:20.5 透水事故:15.2 遇难:12.1 苏仙区:11.74 搜救:10.5 情况通报:9.8 井下:6.1 事故:7.13 调查:5.48",
  "关于 苏仙区 鑫达煤矿 透水事故 的 情况通报 苏仙区 鑫达煤矿 发生 透水事故 截至 目前 事故 造成 15 人 遇难 3 人 受伤 搜救 工作 进行 事故 原因 调查",
  {
    figures: [
      { kind: "deaths", value: 15, approx: false, text: "15人遇难" },
      { kind: "injured", value: 3, approx: false, text: "3人受伤" },
    ],
    category: "生产安全事故",
  },
);

/** The partitions whose log lists a delta holding candidate `id`. */
async function partitionsHolding(id: string): Promise<number[]> {
  const out: number[] = [];
  for (let p = 0; p < 3; p++) {
    const head = await es.get<HeadSource>({ index: newIndex, id: `h${p}` }, { ignore: [404] });
    const deltas = head.found ? listedDeltas(head._source) : [];
    if (deltas.length === 0) continue;
    const docs = await es.mget<{ candidates: { id: string }[] }>({ index: newIndex, ids: deltas });
    if (docs.docs.some((d) => "found" in d && d.found && d._source?.candidates.some((c) => c.id === id))) out.push(p);
  }
  return out;
}

describe("candidates of the old index after an upgrade", () => {
  it("are carried into the per-partition log once, with two replicas, and a later post joins them", async () => {
    // The old version's documents: the resident's candidate as its engine made it, a broken one, an expired one.
    const domain = loadDomainConfig(loadConfig(detectorEnv));
    const engine = new DetectorEngine(domain.engine, domain.watch);
    const plan = engine.process([toFeatures(resident)], Date.now());
    const candidate = plan.updates.find((u) => u.incident.reportedAt === undefined)?.incident;
    expect(candidate).toBeDefined();
    const state = candidate!;
    const oldDoc = (s: typeof state, status = s.status) => ({ id: s.id, status, lastActivityAt: new Date(s.lastActivityAt).toISOString(), storedAt: new Date().toISOString(), state: s });
    await es.bulk({
      refresh: true,
      operations: [
        { index: { _index: oldIndex, _id: state.id } },
        oldDoc(state),
        { index: { _index: oldIndex, _id: "inc-broken" } },
        oldDoc({ ...state, id: "inc-broken", volume: -1 }),
        { index: { _index: oldIndex, _id: "inc-expired" } },
        oldDoc({ ...state, id: "inc-expired" }, "expired"),
      ],
    });

    const a = spawnService("services/detector/src/main.ts", { ...detectorEnv, DETECTOR_INSTANCE_ID: "det-a" });
    const b = spawnService("services/detector/src/main.ts", { ...detectorEnv, DETECTOR_INSTANCE_ID: "det-b" });
    services.push(a, b);
    await waitFor(async () => [a, b].every((s) => s.output().includes('"msg":"started"')), { timeoutMs: 90_000, what: "both replicas started" });

    // Exactly one replica carried them over; the other found it running (and waited) or already done.
    const carriers = [a, b].filter((s) => s.output().includes("old candidates carried over"));
    expect(carriers).toHaveLength(1);
    const carrier = carriers[0]!.output();
    expect(carrier).toMatch(/"carried":1,"skipped":1,"closed":1/);
    expect(carrier).toMatch(/old candidate inc-broken cannot be carried over: stored incident inc-broken is not valid incident state: volume: [^"]+; skipped/);
    const marker = await es.get<{ status: string; carried: number; skipped: { id: string }[] }>({ index: newIndex, id: LEGACY_MARKER_ID });
    expect(marker._source).toMatchObject({ status: "done", carried: 1, skipped: [expect.objectContaining({ id: "inc-broken" })] });

    // It is in the log of the partition the story's posts are keyed to: the 通报 lands there.
    const holding = await partitionsHolding(state.id);
    expect(holding).toHaveLength(1);
    const admin = kafka.admin();
    await admin.connect();
    const before = await admin.fetchTopicOffsets(enrichedTopic);
    await harness.producer.send("enriched", [notice]);
    const after = await admin.fetchTopicOffsets(enrichedTopic);
    await admin.disconnect();
    const landed = after.filter((o) => o.high !== before.find((x) => x.partition === o.partition)?.high).map((o) => o.partition);
    expect(landed).toEqual(holding);

    const story = await waitFor(async () => received.find((i) => i.level === "II" && i.volume === 2), { timeoutMs: 60_000, what: "the carried-over 首发 and the 通报 published as one II incident" });
    expect(story.id).toBe(state.id);
    expect(story.firstSource).toMatchObject({ docId: resident.id, source: "微博网友@郴州小李" });
    expect(new Set(received.map((i) => i.id))).toEqual(new Set([state.id]));

    // Not repeated: a restarted replica leaves the done marker alone.
    expect(await a.stop()).toBe(0);
    const again = spawnService("services/detector/src/main.ts", { ...detectorEnv, DETECTOR_INSTANCE_ID: "det-a" });
    services.push(again);
    await waitFor(async () => again.output().includes('"msg":"started"'), { timeoutMs: 60_000, what: "the restarted replica" });
    expect(again.output()).not.toContain("carried over");
    expect(again.output()).not.toContain("cannot be carried over");
    const markerAfter = await es.get({ index: newIndex, id: LEGACY_MARKER_ID });
    expect(markerAfter._seq_no).toBe(marker._seq_no);
  });
});
