import { createHash } from "node:crypto";
import type { Consumer } from "kafkajs";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { createEsClient } from "@liaowang/es";
import { createKafka, createProducer, ensureTopics, groupLag, type TypedProducer } from "@liaowang/kafka";
import { createLogger } from "@liaowang/logger";
import { Incident, SEGMENT_SEPARATOR, topicName, type EnrichedDocument, type Figure } from "@liaowang/schemas";
import { isolatedEnv, spawnService, waitFor, type SpawnedService } from "@liaowang/testing";

// The detector as a real process on the real stack: three sources report one coal mine flood → exactly one incident
// on the incidents topic, graded II with its reason; the detector is killed mid-stream and its restart continues the
// same incident instead of opening another.

const { env, topicPrefix, indexPrefix } = isolatedEnv("detector");
const detectorEnv = { ...env, DETECTOR_TICK_SCHEDULE: "*/2 * * * * *", LIAOWANG_JURISDICTION: "湖南省" };
const log = createLogger({ service: "detector-test", level: "warn" });
const es = createEsClient({ node: env.LIAOWANG_ES_URL ?? "", indexPrefix });
const kafka = createKafka({ brokers: [env.LIAOWANG_KAFKA_BROKERS ?? ""], clientId: "detector-test", topicPrefix }, log);
const services: SpawnedService[] = [];
const received: Incident[] = [];
let producer: TypedProducer;
let consumer: Consumer;

const jianghua = { code: "431129", name: "江华瑶族自治县", level: "county", province: "湖南省" } as const;
const yongzhou = { code: "431100", name: "永州市", level: "city", province: "湖南省" } as const;
const hunan = { code: "430000", name: "湖南省", level: "province", province: "湖南省" } as const;

interface Post {
  source: string;
  title?: string;
  text: string;
  minutesAfterOnset: number;
  keywords: string;
  tokens: string;
  regions: EnrichedDocument["regions"];
  figures: Figure[];
  category?: string;
  topics?: { id: string; score: number }[];
}

const onset = Date.now() - 60 * 60_000;

/** An enriched document as the enrich service emits it (keywords and tokens are real jieba output). */
function enriched(p: Post): EnrichedDocument {
  const tokens = p.tokens.split(" ");
  return {
    v: 1,
    id: createHash("sha256").update(`${p.source}|${p.text}`).digest("hex").slice(0, 32),
    source: p.source,
    sourceKind: "rss",
    ...(p.title ? { title: p.title } : {}),
    text: p.text,
    publishedAt: new Date(onset + p.minutesAfterOnset * 60_000).toISOString(),
    ingestedAt: new Date().toISOString(),
    lang: "zh",
    tokens,
    titleSeg: p.title ?? "",
    textSeg: tokens.join(SEGMENT_SEPARATOR),
    searchTerms: tokens,
    keywords: p.keywords.split(" ").map((kv) => {
      const [word, weight] = kv.split(":");
      return { word: word ?? "", weight: Number(weight) };
    }),
    enrichedAt: new Date().toISOString(),
    topics: p.topics ?? [{ id: "安全生产", score: 0.9 }],
    ...(p.category === undefined ? {} : { category: p.category }),
    sentiment: { score: -0.6, label: "negative" },
    regions: p.regions,
    figures: p.figures,
  };
}

const xinhua = enriched({
  source: "新华网",
  title: "湖南永州市江华县一煤矿发生透水事故 12人遇难",
  text: "记者从应急管理部获悉，7月1日凌晨，湖南省永州市江华瑶族自治县某煤矿发生透水事故，井下作业人员被困，经全力搜救，截至目前已造成12人遇难，事故原因正在调查中。",
  minutesAfterOnset: 0,
  keywords: "透水事故:23.48 遇难:18.21 煤矿:14.14 湖南永州:13.21 江华县:12.8 永州市:12.11 江华瑶族自治县:11.95 应急管理部:11.74 搜救:10.5 被困:9.16 井下:9.1 发生:8.7 湖南省:7.9 凌晨:7.66 全力:7.44 作业:7.31 事故:7.13 人员:5.59 截至:5.49 调查:5.48",
  tokens: "湖南永州 市 江华县 一 煤矿 发生 透水事故 12 人 遇难 记者 应急管理部 获悉 7 月 1 日 凌晨 湖南省 永州市 江华瑶族自治县 某 煤矿 发生 透水事故 井下 作业 人员 被困 全力 搜救 截至 目前 造成 12 人 遇难 事故 原因 正在 调查",
  regions: [jianghua, yongzhou, hunan],
  figures: [{ kind: "deaths", value: 12, approx: false, text: "12人遇难" }],
  category: "生产安全事故",
});

const local = enriched({
  source: "永州发布",
  title: "江华煤矿透水事故已致十二人死亡 当地全力开展救援",
  text: "据永州发布消息，江华县一煤矿井下发生透水，事故共造成十二人遇难，省应急管理厅工作组已赶赴现场指导救援和善后处置。",
  minutesAfterOnset: 25,
  keywords: "救援:15.77 十二:15.23 煤矿:14.14 江华县:12.8 已致:11.74 应急管理厅:11.74 透水事故:11.74 赶赴现场:11.19 透水:11.13 江华:10.6 永州:10.4 善后:9.38 井下:9.1 遇难:9.1 工作组:8.49 全力:7.44 事故:7.13 处置:7.11 指导:6.37 死亡:6.26",
  tokens: "江华 煤矿 透水事故 已致 十二 人 死亡 当地 全力 开展 救援 永州 发布 消息 江华县 一 煤矿 井下 发生 透水 事故 共 造成 十二 人 遇难 省 应急管理厅 工作组 赶赴现场 指导 救援 善后 处置",
  regions: [jianghua],
  figures: [{ kind: "deaths", value: 12, approx: false, text: "十二人遇难" }],
  category: "生产安全事故",
});

const weibo = enriched({
  source: "微博",
  text: "【突发】永州江华一煤矿透水 12名矿工遇难 网友：安全检查去哪了？事故发生在凌晨，救援队伍连夜下井搜救。",
  minutesAfterOnset: 40,
  keywords: "哪了:11.74 透水:11.13 安全检查:10.96 江华:10.6 搜救:10.5 永州:10.4 下井:9.65 遇难:9.1 突发:8.97 矿工:8.96 救援:7.88 凌晨:7.66 连夜:7.51 事故:7.13 煤矿:7.07 网友:6.62 队伍:6.59 发生:4.35",
  tokens: "突发 永州 江华 一 煤矿 透水 12 名 矿工 遇难 网友 安全检查 哪 了 事故 发生 凌晨 救援 队伍 连夜 下井 搜救",
  regions: [jianghua],
  figures: [{ kind: "deaths", value: 12, approx: false, text: "12名矿工遇难" }],
});

// Unrelated news from the same province: a candidate, never published.
const gaokao = enriched({
  source: "湖南教育发布",
  text: "湖南省教育厅发布2024年高考录取分数线，本科一批文科分数线为...",
  minutesAfterOnset: 30,
  keywords: "分数线:21.36 教育厅:9.77 文科:9.22 录取:8.89 本科:8.83 高考:8.49 湖南省:7.9 一批:6.33 发布:5.09",
  tokens: "湖南省 教育厅 发布 2024 年 高考 录取 分数线 本科 一批 文科 分数线",
  regions: [hunan],
  figures: [],
  topics: [{ id: "教育", score: 0.8 }],
});

// Another story in the province: a resident's 首发 with no figures and no risk signal (a candidate, not published),
// then the 应急管理局's 通报 with the death toll, which makes it II.
const suxian = { code: "431003", name: "苏仙区", level: "county", province: "湖南省" } as const;
const chenzhou = { code: "431000", name: "郴州市", level: "city", province: "湖南省" } as const;
const resident = {
  ...enriched({
    source: "微博网友@郴州小李",
    title: "苏仙区鑫达煤矿出事了",
    text: "苏仙区鑫达煤矿刚才好像出事了，好多救护车往矿上开，矿上的人都跑出来了！",
    minutesAfterOnset: 50,
    keywords: "鑫达煤矿:20.5 苏仙区:11.74 救护车:10.2 矿上:9.1 跑出来:8.2 出事:8.4",
    tokens: "苏仙区 鑫达煤矿 出事 了 刚才 好像 出事 好多 救护车 往 矿上 开 矿上 的 人 都 跑出来 了",
    regions: [suxian, chenzhou, hunan],
    figures: [],
    topics: [],
  }),
  sentiment: { score: 0, label: "neutral" as const },
};
const notice = enriched({
  source: "苏仙区应急管理局",
  title: "关于苏仙区鑫达煤矿透水事故的情况通报",
  text: "苏仙区鑫达煤矿发生透水事故。截至目前，事故已造成15人遇难、3人受伤，搜救工作仍在进行，事故原因正在调查中。",
  minutesAfterOnset: 52,
  keywords: "鑫达煤矿:20.5 透水事故:15.2 遇难:12.1 苏仙区:11.74 搜救:10.5 情况通报:9.8 井下:6.1 事故:7.13 调查:5.48",
  tokens: "关于 苏仙区 鑫达煤矿 透水事故 的 情况通报 苏仙区 鑫达煤矿 发生 透水事故 截至 目前 事故 造成 15 人 遇难 3 人 受伤 搜救 工作 进行 事故 原因 调查",
  regions: [suxian, chenzhou, hunan],
  figures: [
    { kind: "deaths", value: 15, approx: false, text: "15人遇难" },
    { kind: "injured", value: 3, approx: false, text: "3人受伤" },
  ],
  category: "生产安全事故",
});

function latest(id?: string): Incident | undefined {
  return received.filter((i) => id === undefined || i.id === id).reduce<Incident | undefined>((best, i) => (!best || i.revision > best.revision ? i : best), undefined);
}

/** Waits until the detector committed everything sent (offsets are committed only once the work is durable). */
async function caughtUp(): Promise<void> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    await waitFor(async () => ((await groupLag(admin, `${topicPrefix}detector`, topicName(topicPrefix, "enriched"))).total === 0 ? true : undefined), {
      timeoutMs: 60_000,
      what: "the detector's offsets committed",
    });
  } finally {
    await admin.disconnect();
  }
}

beforeAll(async () => {
  const admin = kafka.admin();
  await admin.connect();
  await ensureTopics(admin, ["enriched", "incidents", "dead-letter"].map((t) => `${topicPrefix}${t}`));
  await admin.disconnect();
  producer = await createProducer(kafka, topicPrefix);
  consumer = kafka.consumer({ groupId: `${topicPrefix}observer` });
  await consumer.connect();
  await consumer.subscribe({ topic: topicName(topicPrefix, "incidents"), fromBeginning: true });
  await consumer.run({
    eachMessage: async ({ message }) => {
      received.push(Incident.parse(JSON.parse(message.value?.toString() ?? "null")));
    },
  });
});

afterEach((context) => {
  if (context.task.result?.state === "fail") for (const s of services) process.stderr.write(s.output().slice(-6000));
});

afterAll(async () => {
  await Promise.all(services.map((s) => s.stop()));
  await consumer?.disconnect();
  await producer?.disconnect();
  await es.indices.delete({ index: `${indexPrefix}*` }).catch(() => undefined);
  await es.close();
});

describe("detector service", () => {
  it("opens one incident from three sources, graded II with its reason, and continues it after a crash", async () => {
    const first = spawnService("services/detector/src/main.ts", detectorEnv);
    services.push(first);
    await producer.send("enriched", [xinhua, gaokao]);
    const opened = await waitFor(async () => latest(), { timeoutMs: 60_000, what: "the incident opened by the first report" });
    expect(opened).toMatchObject({ revision: 1, status: "open", level: "II", changes: expect.arrayContaining(["opened"]) });
    expect(opened.firstSource).toMatchObject({ source: "新华网", docId: xinhua.id, publishedAt: xinhua.publishedAt });
    expect(opened.onsetAt).toBe(xinhua.publishedAt);

    await producer.send("enriched", [local]);
    await waitFor(async () => (latest()?.sources.count === 2 ? true : undefined), { timeoutMs: 30_000, what: "the second source joining" });

    // A crash: no shutdown, no final state save. The incident must come back from Elasticsearch.
    await first.kill();
    const second = spawnService("services/detector/src/main.ts", detectorEnv);
    services.push(second);
    await producer.send("enriched", [weibo, local]);

    const done = await waitFor(async () => (latest()?.sources.count === 3 ? latest() : undefined), { timeoutMs: 60_000, what: "the third source joining after the restart" });
    expect(new Set(received.map((i) => i.id))).toEqual(new Set([opened.id]));
    expect(done).toMatchObject({ id: opened.id, level: "II", volume: 3, status: "open" });
    expect(done.gradeReason).toBe("据3个来源报道死亡12人，依《生产安全事故报告和调查处理条例》重大事故标准（死亡10–29人）定为II级（重大）");
    expect(done.gradeHistory).toEqual([expect.objectContaining({ from: null, to: "II" })]);
    expect(done.sources.names).toEqual(["新华网", "永州发布", "微博"]);
    expect(done.figures).toEqual([expect.objectContaining({ kind: "deaths", value: 12, sourceCount: 3 })]);
    expect(done.regions[0]).toMatchObject({ code: "431129", count: 3 });
    expect(done.firstSource.source).toBe("新华网");
    expect(done.onsetAt).toBe(xinhua.publishedAt);
    expect(done.category).toBe("生产安全事故");
    const revisions = received.map((i) => i.revision);
    expect(Math.max(...revisions)).toBe(done.revision);

    // Stored with a fixed id: the incidents index holds the latest revision, readable as the incident message.
    const stored = await waitFor(
      async () => {
        const doc = await es.get<unknown>({ index: `${indexPrefix}incidents`, id: opened.id }, { ignore: [404] });
        const parsed = doc.found ? Incident.parse(doc._source) : undefined;
        return parsed && parsed.revision === done.revision ? parsed : undefined;
      },
      { timeoutMs: 10_000, what: "the stored incident" },
    );
    expect(stored).toMatchObject({ id: opened.id, level: "II", volume: 3 });
    await es.indices.refresh({ index: `${indexPrefix}incidents` });
    expect((await es.count({ index: `${indexPrefix}incidents` })).count).toBe(1);
  });

  it("keeps a candidate through a crash: a 首发 before kill -9 and its 通报 after are one II incident", async () => {
    const before = received.length;
    await producer.send("enriched", [resident]);
    await caughtUp();
    // Still a candidate: nothing published, no incidents document.
    expect(received.slice(before).filter((i) => i.firstSource.docId === resident.id)).toEqual([]);
    await services.at(-1)?.kill();
    const restarted = spawnService("services/detector/src/main.ts", detectorEnv);
    services.push(restarted);
    await producer.send("enriched", [notice]);
    const story = await waitFor(async () => received.slice(before).find((i) => i.level === "II" && i.volume === 2), { timeoutMs: 60_000, what: "the story published as II with both posts" });
    expect(story.firstSource).toMatchObject({ docId: resident.id, source: "微博网友@郴州小李" });
    expect(story.gradeReason).toMatch(/死亡15人.*定为II级（重大）/);
    expect(new Set(received.slice(before).map((i) => i.id))).toEqual(new Set([story.id]));
  });
});
