import { afterAll, describe, expect, it } from "vitest";
import { DEFAULT_ENGINE_CONFIG, DetectorEngine, compileWatchRules, type DocFeatures, type IncidentUpdate } from "@liaowang/detect";
import { createEsClient } from "@liaowang/es";
import { createLogger } from "@liaowang/logger";
import { Incident } from "@liaowang/schemas";
import { isolatedEnv } from "@liaowang/testing";
import { toIncidentMessage } from "../src/message.js";
import { IncidentStore } from "../src/store.js";

// IncidentStore against the real Elasticsearch: only reported incidents are stored (candidates live in memory and in
// their partition's log, see candidates.test.ts), and a write based on a stale version is reported as a conflict
// instead of overwriting.

const { env, indexPrefix } = isolatedEnv("detector-store");
const es = createEsClient({ node: env.LIAOWANG_ES_URL ?? "", indexPrefix });
const log = createLogger({ service: "detector-store-test", level: "warn" });
const T0 = Date.parse("2024-07-01T01:10:00+08:00");

function doc(id: string, source: string, minutes: number, extra: Partial<DocFeatures> = {}): DocFeatures {
  return {
    id,
    source,
    title: "湖南省高考录取分数线公布",
    text: "湖南省教育厅发布2024年高考录取分数线。",
    publishedAt: T0 + minutes * 60_000,
    tokens: ["湖南省", "教育厅", "高考", "分数线"],
    keywords: [
      { word: "分数线", weight: 3 },
      { word: "高考", weight: 2 },
      { word: "教育厅", weight: 1 },
    ],
    simhash: "0123456789abcdef",
    topics: [{ id: "教育", score: 0.8 }],
    regions: [],
    // clearly negative: two sources of it are a risk signal, so a story is published at its second source
    sentiment: -0.8,
    figures: [],
    ...extra,
  };
}

const items = (updates: IncidentUpdate[]) => updates.map((update) => ({ update, message: toIncidentMessage(update.incident, update.changes) }));

afterAll(async () => {
  await es.indices.delete({ index: `${indexPrefix}*` }).catch(() => undefined);
  await es.close();
});

describe("IncidentStore", () => {
  it("stores an incident only once reported, reloads it, and refuses stale writes", async () => {
    const store = new IncidentStore(es, indexPrefix, log);
    await store.init();
    await store.init();
    const engine = new DetectorEngine(DEFAULT_ENGINE_CONFIG, compileWatchRules([]));

    const first = engine.process([doc("a", "湖南教育发布", 0)], T0);
    expect(first.updates.map((u) => u.action)).toEqual(["store"]);
    expect(await store.write(items(first.updates), new Date(T0))).toEqual({ conflicts: [] });
    engine.commit(first);
    const id = first.updates[0]?.incident.id ?? "";
    expect(await store.loadOpen(100)).toEqual([]);

    const second = engine.process([doc("b", "红网", 5, { simhash: "fedcba9876543210" })], T0 + 60_000);
    expect(second.updates.map((u) => u.action)).toEqual(["publish"]);
    await store.write(items(second.updates), new Date(T0 + 60_000));
    engine.commit(second);
    await es.indices.refresh({ index: `${indexPrefix}*` });
    const stored = await es.get<unknown>({ index: store.indices.incidents, id });
    expect(Incident.parse(stored._source)).toMatchObject({ id, revision: 2, sources: { count: 2 } });
    expect((await store.loadOpen(100)).map((i) => [i.id, i.revision])).toEqual([[id, 2]]);

    // A second replica (or a zombie) reads the incident and writes a newer revision first.
    const other = new IncidentStore(es, indexPrefix, log);
    const [theirs] = await other.loadOpen(100);
    expect(theirs?.revision).toBe(2);
    const otherEngine = new DetectorEngine(DEFAULT_ENGINE_CONFIG, compileWatchRules([]), { incidents: theirs ? [theirs] : [] });
    const otherPlan = otherEngine.process([doc("c", "人民网", 6, { simhash: "00ff00ff00ff00ff" })], T0 + 120_000);
    await other.write(items(otherPlan.updates), new Date(T0 + 120_000));

    const mine = engine.process([doc("d", "新华网", 7, { simhash: "ff00ff00ff00ff00" })], T0 + 180_000);
    expect(await store.write(items(mine.updates), new Date(T0 + 180_000))).toEqual({ conflicts: [id] });
    const fresh = await store.loadByIds([id]);
    expect(fresh.map((i) => [i.revision, i.sources.count])).toEqual([[3, 3]]);
    engine.replace(fresh, { force: true });
    const retry = engine.process([doc("d", "新华网", 7, { simhash: "ff00ff00ff00ff00" })], T0 + 180_000);
    expect(await store.write(items(retry.updates), new Date(T0 + 180_000))).toEqual({ conflicts: [] });
    engine.commit(retry);
    expect(engine.get(id)).toMatchObject({ revision: 4, sources: { count: 4 } });

    await es.indices.refresh({ index: store.indices.incidents });
    expect((await store.loadChangedSince(T0 + 150_000, 100)).map((i) => i.revision)).toEqual([4]);
  });

  it("syncs only what other replicas stored, and keeps counters per replica", async () => {
    const mine = new IncidentStore(es, `${indexPrefix}sync-`, log, "replica-1");
    const theirs = new IncidentStore(es, `${indexPrefix}sync-`, log, "replica-2");
    await mine.init();
    const story = (id: string, minutes: number) => doc(id, `源${id}`, minutes, { keywords: [{ word: `词${id}`, weight: 1 }], simhash: "1111111111111111".replace(/1/g, id.slice(-1)) });
    const report = async (store: IncidentStore, first: string, second: string) => {
      const engine = new DetectorEngine(DEFAULT_ENGINE_CONFIG, compileWatchRules([]));
      engine.commit(engine.process([story(first, 0)], T0));
      const plan = engine.process([{ ...story(second, 1), keywords: story(first, 0).keywords, simhash: story(first, 0).simhash }], T0 + 1000);
      expect(plan.updates.map((u) => u.action)).toEqual(["publish"]);
      await store.write(items(plan.updates), new Date(T0 + 1000));
      return plan.updates[0]?.incident.id;
    };
    await report(mine, "m1", "m2");
    const other = await report(theirs, "t3", "t4");
    await es.indices.refresh({ index: mine.indices.incidents });
    expect((await mine.loadChangedSince(T0, 100)).map((i) => i.id)).toEqual([other]);

    await mine.saveSnapshot("replica-1", new DetectorEngine(DEFAULT_ENGINE_CONFIG, compileWatchRules([])).snapshot(), [], new Date(T0));
    expect(await mine.loadSnapshot("replica-1")).toMatchObject({ v: 1, watermark: null });
    expect(await mine.loadSnapshot("replica-2")).toBeUndefined();
  });

  it("never conflicts with itself: a search that sees an older version (before Elasticsearch's refresh) does not replace what this replica wrote", async () => {
    // The reported storm: one detector, under load, kept logging "incidents … were changed elsewhere". Its periodic
    // sync searched incidents stored lately; search sees the last refreshed version, older than the one this
    // replica had just written, and that older _seq_no replaced the one held, so the next write conflicted.
    const store = new IncidentStore(es, indexPrefix, log);
    await store.init();
    await es.indices.putSettings({ index: store.indices.incidents, settings: { refresh_interval: "-1" } });
    try {
      const engine = new DetectorEngine(DEFAULT_ENGINE_CONFIG, compileWatchRules([]));
      const step = async (d: DocFeatures, at: number) => {
        const plan = engine.process([d], at);
        const result = await store.write(items(plan.updates), new Date(at));
        engine.commit(plan);
        return result;
      };
      const kw = { keywords: [{ word: "停水", weight: 3 }, { word: "小区", weight: 2 }], simhash: "0f0f0f0f0f0f0f0f", title: "某小区停水三天", text: "某小区停水三天无人处理" };
      await step(doc("s1", "甲", 0, kw), T0);
      await step(doc("s2", "乙", 1, kw), T0 + 60_000);
      await es.indices.refresh({ index: store.indices.incidents });
      expect(await step(doc("s3", "丙", 2, kw), T0 + 120_000)).toEqual({ conflicts: [] });
      // the sync's search sees revision 2 (refreshed) while revision 3 is stored
      const seen = (await store.loadChangedSince(T0, 100)).filter((i) => i.openedBy === "s1");
      expect(seen.map((i) => i.revision)).toEqual([2]);
      expect(engine.replace(seen)).toBe(0);
      expect(await step(doc("s4", "丁", 3, kw), T0 + 180_000)).toEqual({ conflicts: [] });
      expect(engine.open().find((i) => i.openedBy === "s1")).toMatchObject({ revision: 4, sources: { count: 4 } });
    } finally {
      await es.indices.putSettings({ index: store.indices.incidents, settings: { refresh_interval: "1s" } });
    }
  });
});
