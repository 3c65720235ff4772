import { describe, expect, it } from "vitest";
import { BACKGROUND_POSTS, EXPLOSION_POSTS } from "./__fixtures__/explosion.js";
import { storyDoc } from "./__fixtures__/stories.js";
import type { StoryName } from "./__fixtures__/stories.js";
import { burstKey, emptyBurstState, observeMany } from "./burst.js";
import { DEFAULT_ENGINE_CONFIG, DetectorEngine, engineSnapshotSchema } from "./engine.js";
import type { EngineConfig, EngineSnapshot, Plan } from "./engine.js";
import { emptyFeedsState } from "./feeds.js";
import { fnv1a32 } from "./hash.js";
import { parseIncidentState } from "./incident-state.js";
import type { IncidentState } from "./incident-state.js";
import { incidentIdFor } from "./incident.js";
import type { DocFeatures } from "./types.js";
import { compileWatchRules } from "./watch.js";

const T0 = Date.parse("2024-07-01T01:10:00+08:00");
const MIN = 60_000;
const HOUR = 3_600_000;
const noRules = compileWatchRules([]);
const at = (name: StoryName, minutes: number, overrides: Partial<DocFeatures> = {}): DocFeatures => storyDoc(name, T0 + minutes * MIN, overrides);

function step(engine: DetectorEngine, docs: DocFeatures[], now = T0 + HOUR): Plan {
  const plan = engine.process(docs, now);
  engine.commit(plan);
  return plan;
}

const summary = (plan: Plan) => plan.updates.map((u) => [u.incident.openedBy, u.action, u.incident.revision, u.changes]);

describe("DetectorEngine.process", () => {
  it("publishes one graded incident for three sources, revision by revision", () => {
    const engine = new DetectorEngine(DEFAULT_ENGINE_CONFIG, noRules);
    const first = step(engine, [at("xinhua", 0)]);
    expect(summary(first)).toEqual([["doc-xinhua", "publish", 1, ["opened"]]]);
    expect(first.updates[0]?.reportedBecause).toBe("事发地江华瑶族自治县在辖区（全国）内；定为II级（重大）");
    const next = step(engine, [at("yongzhou", 25), at("weibo", 40)]);
    expect(summary(next)).toEqual([["doc-xinhua", "publish", 2, ["grew", "sources", "figures"]]]);
    const inc = next.updates[0]?.incident as IncidentState;
    expect(inc.gradeReason).toMatch(/^据3个来源报道死亡12人，.*定为II级（重大）$/);
    expect(engine.open().map((i) => i.id)).toEqual([incidentIdFor("doc-xinhua")]);
  });

  it("keeps an unremarkable post a stored candidate even when more sources carry it: sources are no risk signal", () => {
    const engine = new DetectorEngine(DEFAULT_ENGINE_CONFIG, noRules);
    expect(summary(step(engine, [at("gaokao", 0)]))).toEqual([["doc-gaokao", "store", 1, ["opened"]]]);
    const second = step(engine, [at("gaokao", 5, { id: "doc-gaokao-2", source: "红网" }), at("gaokao", 6, { id: "doc-gaokao-3", source: "新华网" })]);
    expect(summary(second)).toEqual([["doc-gaokao", "store", 2, ["grew", "sources"]]]);
    expect(second.updates[0]?.incident.reportedAt).toBeUndefined();
  });

  it("reports a clearly negative story once two sources carry it, or at once when it is about the area itself", () => {
    // Jurisdiction 长沙市: a post naming only 湖南省 is 未知 there.
    const changsha = { ...DEFAULT_ENGINE_CONFIG, jurisdiction: { all: false, codes: ["430100"], label: "长沙市", entities: [], localSources: [] } };
    const engine = new DetectorEngine(changsha, noRules);
    expect(summary(step(engine, [at("gaokao", 0, { sentiment: -0.8 })]))).toEqual([["doc-gaokao", "store", 1, ["opened"]]]);
    const second = step(engine, [at("gaokao", 5, { id: "doc-gaokao-2", source: "红网", sentiment: -0.7 })]);
    expect(second.updates[0]?.action).toBe("publish");
    expect(second.updates[0]?.reportedBecause).toMatch(/舆情明显负面（情感均值-0\.75，2个来源）/);
    expect(second.updates[0]?.incident.board?.onBoard).toBe(false);

    const national = new DetectorEngine(DEFAULT_ENGINE_CONFIG, noRules);
    const one = step(national, [at("gaokao", 0, { sentiment: -0.8 })]);
    expect(one.updates[0]?.action).toBe("publish");
    expect(one.updates[0]?.incident.board).toMatchObject({ scope: "本地", onBoard: true });
  });

  it("reports a candidate that a watch rule matches", () => {
    const rules = compileWatchRules([{ id: "wages", name: "欠薪", must: ["讨薪"] }]);
    const engine = new DetectorEngine(DEFAULT_ENGINE_CONFIG, rules);
    const plan = step(engine, [at("wages", 0)]);
    expect(summary(plan)).toEqual([["doc-wages", "publish", 1, ["opened", "watch"]]]);
    expect(plan.updates[0]?.incident.watch[0]).toMatchObject({ ruleId: "wages", count: 1 });
  });

  it("ignores redeliveries and changes nothing until a plan is committed", () => {
    const engine = new DetectorEngine(DEFAULT_ENGINE_CONFIG, noRules);
    step(engine, [at("xinhua", 0)]);
    const redelivered = engine.process([at("xinhua", 0)], T0 + 2 * HOUR);
    expect(redelivered.updates).toEqual([]);
    expect(redelivered.duplicates).toBe(1);
    // Which held incident the redelivered post belongs to: the service sends its stored version again.
    expect(redelivered.redelivered).toEqual([incidentIdFor("doc-xinhua")]);
    expect(engine.process([at("gaokao", 1)], T0 + 2 * HOUR).redelivered).toBeUndefined();

    const a = engine.process([at("yongzhou", 25)], T0 + 2 * HOUR);
    const b = engine.process([at("yongzhou", 25)], T0 + 2 * HOUR);
    expect(b.updates).toEqual(a.updates);
    engine.commit(a);
    expect(() => engine.commit(b)).toThrow(/is stale/);
  });

  it("plans a batch the same when it is processed again after its plan was dropped, leaving held incidents untouched", () => {
    // The service drops a plan it could not make durable and processes the batch again (a retry, or another
    // replica's conflict): nothing of the dropped step may leak into the held incidents or the next plan.
    const rules = compileWatchRules([{ id: "blast", name: "爆炸", any: ["爆炸"] }]);
    const posts = [...EXPLOSION_POSTS, ...BACKGROUND_POSTS];
    const now = (EXPLOSION_POSTS[0] as DocFeatures).publishedAt + 2 * HOUR;
    const engine = new DetectorEngine(DEFAULT_ENGINE_CONFIG, rules);
    engine.commit(engine.process(posts.slice(0, 3), now));
    const batch = posts.slice(3);
    for (let attempt = 0; attempt < 3; attempt++) {
      const held = JSON.stringify(engine.open());
      const first = engine.process(batch, now + MIN);
      expect(JSON.stringify(engine.open())).toBe(held);
      const again = engine.process(batch, now + MIN);
      expect(JSON.stringify(again.updates)).toBe(JSON.stringify(first.updates));
      expect(first.updates.length).toBeGreaterThan(0);
      // A replica that never saw the dropped step plans the same from the same held incidents.
      const fresh = new DetectorEngine(DEFAULT_ENGINE_CONFIG, rules, { incidents: JSON.parse(held) });
      expect(JSON.stringify(fresh.process(batch, now + MIN).updates)).toBe(JSON.stringify(first.updates));
    }
    const plan = engine.process(batch, now + MIN);
    engine.commit(plan);
    const blast = engine.open().filter((i) => i.volume > 1);
    expect(blast).toHaveLength(1);
    expect(blast[0]?.watch.map((w) => w.ruleId)).toEqual(["blast"]);
    // The empty lists new incidents share are never written to.
    expect(engine.open().filter((i) => i.bursts.length === 0 && Object.isFrozen(i.bursts)).length).toBeGreaterThan(0);
  });

  it("continues the same incidents after a restore from stored JSON", () => {
    const engine = new DetectorEngine(DEFAULT_ENGINE_CONFIG, noRules);
    step(engine, [at("xinhua", 0), at("gaokao", 1)]);
    const stored = JSON.parse(JSON.stringify({ incidents: engine.open(), snapshot: engine.snapshot() })) as { incidents: unknown[]; snapshot: unknown };
    const restored = new DetectorEngine(DEFAULT_ENGINE_CONFIG, noRules, {
      incidents: stored.incidents.map(parseIncidentState),
      snapshot: engineSnapshotSchema.parse(stored.snapshot),
    });
    const plan = step(restored, [at("weibo", 40), at("xinhua", 0)]);
    expect(plan.duplicates).toBe(1);
    expect(summary(plan)).toEqual([["doc-xinhua", "publish", 2, ["grew", "sources", "figures"]]]);
  });

  it("takes in newer incidents written elsewhere and ignores older ones", () => {
    const engine = new DetectorEngine(DEFAULT_ENGINE_CONFIG, noRules);
    step(engine, [at("xinhua", 0)]);
    const held = engine.open()[0] as IncidentState;
    expect(engine.replace([{ ...held, revision: 0, volume: 99 }])).toBe(0);
    expect(engine.replace([{ ...held, revision: 5, volume: 7 }])).toBe(1);
    expect(engine.get(held.id)?.volume).toBe(7);
  });

  it("drops the oldest candidates beyond maxOpen, never reported incidents", () => {
    const config: EngineConfig = { ...DEFAULT_ENGINE_CONFIG, cluster: { ...DEFAULT_ENGINE_CONFIG.cluster, maxOpen: 2 } };
    const engine = new DetectorEngine(config, noRules);
    const first = step(engine, [at("xinhua", 0), at("gaokao", 1), at("wages", 2)]);
    expect(summary(first).map(([opener, action]) => [opener, action])).toEqual([
      ["doc-xinhua", "publish"],
      ["doc-gaokao", "discard"],
      ["doc-wages", "store"],
    ]);
    const plan = step(engine, [at("shenzhen", 3)]);
    expect(plan.updates.find((u) => u.incident.openedBy === "doc-wages")).toMatchObject({ action: "discard", incident: { status: "expired" } });
    expect(engine.open().map((i) => i.openedBy).sort()).toEqual(["doc-shenzhen", "doc-xinhua"]);
  });

  it("drops candidates in chunks of 1% of maxOpen, the least recently active first", () => {
    const config: EngineConfig = { ...DEFAULT_ENGINE_CONFIG, cluster: { ...DEFAULT_ENGINE_CONFIG.cluster, maxOpen: 300 } };
    const engine = new DetectorEngine(config, noRules);
    const word = (i: number) => String.fromCharCode(0x4e00 + (i * 37) % 9000) + String.fromCharCode(0x6e00 + (i * 53) % 9000);
    const post = (i: number) => at("gaokao", i, { id: `c${i}`, simhash: fnv1a32(`hi${i}`).toString(16).padStart(8, "0") + fnv1a32(`lo${i}`).toString(16).padStart(8, "0"), keywords: [{ word: word(i), weight: 1 }] });
    step(engine, Array.from({ length: 300 }, (_, i) => post(i)));
    expect(engine.open()).toHaveLength(300);
    const over = step(engine, [post(300)]);
    // 301 open: down to 297 at once, the four oldest go.
    expect(over.updates.filter((u) => u.action === "discard").map((u) => u.incident.openedBy).sort()).toEqual(["c0", "c1", "c2", "c3"]);
    expect(engine.open()).toHaveLength(297);
    expect(step(engine, [post(301), post(302), post(303)]).updates.filter((u) => u.action === "discard")).toEqual([]);
  });

  it("keeps a 首发 that just arrived under a heavy stream, though it claims an earlier time, so the 通报 joins it (II)", () => {
    const config: EngineConfig = { ...DEFAULT_ENGINE_CONFIG, cluster: { ...DEFAULT_ENGINE_CONFIG.cluster, maxOpen: 3 } };
    const engine = new DetectorEngine(config, noRules);
    const word = (i: number) => String.fromCharCode(0x4e00 + (i * 37) % 9000) + String.fromCharCode(0x6e00 + (i * 53) % 9000);
    const background = (i: number) => at("gaokao", 30 + i, { id: `bg${i}`, simhash: fnv1a32(`hi${i}`).toString(16).padStart(8, "0") + fnv1a32(`lo${i}`).toString(16).padStart(8, "0"), keywords: [{ word: word(i), weight: 1 }] });
    // The stream fills the candidates at 01:40; a resident's 首发 (no figures yet: a candidate) arrives a second later
    // saying it was posted at 01:10, then the official 通报 with the death toll.
    const now = T0 + HOUR;
    step(engine, [background(0), background(1), background(2)], now);
    const first = step(engine, [at("weibo", 0, { figures: [] })], now + 1_000);
    expect(first.updates.filter((u) => u.action === "discard").map((u) => u.incident.openedBy)).toEqual(["bg0"]);
    const second = step(engine, [at("xinhua", 1)], now + 2_000);
    const story = second.updates.find((u) => u.action === "publish")?.incident;
    expect(story).toMatchObject({ openedBy: "doc-weibo", volume: 2, level: "II" });
    expect(second.updates.filter((u) => u.action === "publish")).toHaveLength(1);
  });
});

describe("DetectorEngine bursts", () => {
  it("attaches a burst of the incident's region and reports the incident", () => {
    // Twelve hours of ~1 post an hour from 江华 before the story breaks.
    const history = Array.from({ length: 12 }, (_, h) => ({ key: burstKey("region", "431129"), ts: T0 - (12 - h) * HOUR }));
    const snapshot: EngineSnapshot = { v: 1, bursts: observeMany(emptyBurstState(), history), feeds: emptyFeedsState(), watermark: T0 - HOUR };
    const engine = new DetectorEngine(DEFAULT_ENGINE_CONFIG, noRules, { snapshot });
    const posts = ["followup", "followup", "followup", "followup", "followup", "wages"].map((n, i) =>
      at(n as StoryName, i, { id: `p${i}`, source: `源${i}`, keywords: [{ word: `词${i}`, weight: 1 }], simhash: fnv1a32(`hi${i}`).toString(16).padStart(8, "0") + fnv1a32(`lo${i}`).toString(16).padStart(8, "0") }),
    );
    // Five of them one story (two words in common), the sixth alone.
    const story = posts.map((p, i) => (i < 5 ? { ...p, keywords: [{ word: "讨薪", weight: 1 }, { word: "工地", weight: 1 }, { word: `词${i}`, weight: 0.2 }] } : p));
    const plan = step(engine, story, T0 + 10 * MIN);
    expect(plan.bursts.map((b) => b.key)).toEqual(expect.arrayContaining(["region:431129", "region:431100", "region:430000"]));
    const withBurst = plan.updates.filter((u) => u.incident.bursts.some((b) => b.value === "431129"));
    expect(withBurst.map((u) => [u.incident.volume, u.action]).sort()).toEqual([
      [1, "store"],
      [5, "publish"],
    ]);
    // The story carries the burst as its risk signal; a lone post in the bursting region is not the story that bursts.
    expect(withBurst.find((u) => u.incident.volume === 5)?.reportedBecause).toMatch(/「43\d{4}」突增（为基线的/);
  });
});

describe("DetectorEngine burst shards", () => {
  // Twelve hours of ~1 post an hour from 江华, counted in shard "3" (a Kafka partition) on another replica.
  const history = Array.from({ length: 12 }, (_, h) => ({ key: burstKey("region", "431129"), ts: T0 - (12 - h) * HOUR }));
  const posts = () =>
    ["followup", "followup", "followup", "followup", "followup", "wages"].map((n, i) =>
      at(n as StoryName, i, { id: `p${i}`, source: `源${i}`, keywords: [{ word: `词${i}`, weight: 1 }], simhash: fnv1a32(`hi${i}`).toString(16).padStart(8, "0") + fnv1a32(`lo${i}`).toString(16).padStart(8, "0") }),
    );

  it("counts a shard's posts in that shard's counters, so the baseline moves with the shard to another engine", () => {
    const previous = new DetectorEngine(DEFAULT_ENGINE_CONFIG, noRules);
    previous.adoptBurstShards({ "3": observeMany(emptyBurstState(), history) });
    const handedOver = previous.burstShard("3");
    expect(handedOver?.keys["region:431129"]).toBeDefined();

    const next = new DetectorEngine(DEFAULT_ENGINE_CONFIG, noRules);
    next.adoptBurstShards({ "3": handedOver! });
    const plan = next.process(posts(), T0 + 10 * MIN, { shard: "3" });
    next.commit(plan);
    expect(plan.bursts.map((b) => b.key)).toContain("region:431129");
    expect(plan.bursts.find((b) => b.key === "region:431129")?.baselineMean).toBeGreaterThan(0.5);
    // counted in the shard, not in the engine's own counters
    expect(next.burstShard("3")?.keys["region:431129"]?.count).toBe(6);
    expect(next.snapshot().bursts).toEqual(emptyBurstState());
    expect(next.burstShards()).toEqual(["3"]);
    // the tick evaluates the shards too
    expect(next.tick(T0 + 11 * MIN).bursts.map((b) => b.key)).toContain("region:431129");

    // without the baseline the same posts are a cold start: nothing is a burst yet
    const cold = new DetectorEngine(DEFAULT_ENGINE_CONFIG, noRules);
    expect(cold.process(posts(), T0 + 10 * MIN, { shard: "3" }).bursts).toEqual([]);
  });

  it("a plan made before shards were adopted or dropped is stale", () => {
    const engine = new DetectorEngine(DEFAULT_ENGINE_CONFIG, noRules);
    const before = engine.process(posts(), T0 + 10 * MIN, { shard: "3" });
    engine.adoptBurstShards({ "3": observeMany(emptyBurstState(), history) });
    expect(() => engine.commit(before)).toThrow(/stale/);
    const made = engine.process(posts(), T0 + 10 * MIN, { shard: "3" });
    engine.dropBurstShards(["3"]);
    expect(() => engine.commit(made)).toThrow(/stale/);
    expect(engine.burstShard("3")).toBeUndefined();
  });
});

describe("DetectorEngine.tick: bursts", () => {
  it("attaches a burst to incidents the bursting batch did not touch at the next tick", () => {
    const history = Array.from({ length: 12 }, (_, h) => ({ key: burstKey("region", "431129"), ts: T0 - (12 - h) * HOUR }));
    const snapshot: EngineSnapshot = { v: 1, bursts: observeMany(emptyBurstState(), history), feeds: emptyFeedsState(), watermark: T0 - HOUR };
    const engine = new DetectorEngine(DEFAULT_ENGINE_CONFIG, noRules, { snapshot });
    step(engine, [at("xinhua", 0)], T0 + MIN);
    const others = Array.from({ length: 6 }, (_, i) =>
      at("gaokao", 1 + i, { id: `o${i}`, source: `源${i}`, regions: [{ code: "431129", name: "江华瑶族自治县", level: "county", province: "湖南省" }], keywords: [{ word: `别的${i}`, weight: 1 }], simhash: fnv1a32(`a${i}`).toString(16).padStart(8, "0") + fnv1a32(`b${i}`).toString(16).padStart(8, "0") }),
    );
    const batch = step(engine, others, T0 + 8 * MIN);
    expect(batch.bursts.map((b) => b.key)).toContain("region:431129");
    expect(batch.updates.some((u) => u.incident.openedBy === "doc-xinhua")).toBe(false);
    const tick = engine.tick(T0 + 9 * MIN);
    const xinhua = tick.updates.find((u) => u.incident.openedBy === "doc-xinhua");
    expect(xinhua).toMatchObject({ action: "publish", changes: ["burst"] });
    expect(xinhua?.incident.bursts.map((b) => b.value)).toContain("431129");
  });
});

describe("DetectorEngine.tick", () => {
  it("expires reported incidents at the event-time watermark and discards stale candidates", () => {
    const engine = new DetectorEngine(DEFAULT_ENGINE_CONFIG, noRules);
    step(engine, [at("xinhua", 0), at("gaokao", 0)]);
    // Posts 7 h later move the watermark: the candidate (6 h TTL) goes, the reported incident (48 h window) stays.
    step(engine, [at("shenzhen", 7 * 60), at("shenzhen", 7 * 60, { id: "sz2", source: "深圳新闻网" })], T0 + 8 * HOUR);
    const t1 = engine.tick(T0 + 8 * HOUR);
    expect(summary(t1)).toEqual([["doc-gaokao", "discard", 2, ["expired"]]]);
    engine.commit(t1);

    step(engine, [at("shanxi", 50 * 60), at("shanxi", 50 * 60, { id: "sx2", source: "人民网" })], T0 + 51 * HOUR);
    const t2 = engine.tick(T0 + 51 * HOUR);
    expect(summary(t2)).toEqual([["doc-xinhua", "publish", 2, ["expired"]]]);
    engine.commit(t2);
    expect(engine.open().map((i) => i.openedBy).sort()).toEqual(["doc-shanxi", "doc-shenzhen"]);
  });

  it("does not expire anything during a replay of old posts (the watermark follows the posts)", () => {
    const engine = new DetectorEngine(DEFAULT_ENGINE_CONFIG, noRules);
    step(engine, [at("xinhua", 0)], T0 + 1000 * HOUR);
    expect(engine.tick(T0 + 1000 * HOUR).updates).toEqual([]);
  });

  it("reports a source gone silent once", () => {
    const engine = new DetectorEngine(DEFAULT_ENGINE_CONFIG, noRules);
    for (let i = 0; i < 8; i++) step(engine, [at("gaokao", i * 30, { id: `g${i}`, source: "湖南教育发布" })], T0 + i * 30 * MIN);
    const quiet = engine.tick(T0 + 7 * 30 * MIN + 4 * HOUR);
    expect(quiet.flatlines?.flat.map((f) => [f.source, f.isNew])).toEqual([["湖南教育发布", true]]);
    engine.commit(quiet);
    expect(engine.tick(T0 + 7 * 30 * MIN + 5 * HOUR).flatlines?.flat.map((f) => f.isNew)).toEqual([false]);
  });
});

describe("DetectorEngine: closed incidents", () => {
  it("does not reopen an incident that was closed when its opening post is replayed", () => {
    const engine = new DetectorEngine(DEFAULT_ENGINE_CONFIG, noRules);
    const first = step(engine, [at("xinhua", 0)]);
    const stored = first.updates[0]?.incident as IncidentState;
    engine.replace([{ ...stored, status: "expired", revision: 2 }]);
    expect(engine.open()).toEqual([]);
    const replay = step(engine, [at("xinhua", 0)]);
    expect(replay.updates).toEqual([]);
    expect(replay.duplicates).toBe(1);
  });

  it("lets the stored version win a conflict with force, whatever its revision", () => {
    const engine = new DetectorEngine(DEFAULT_ENGINE_CONFIG, noRules);
    step(engine, [at("xinhua", 0)]);
    const held = engine.open()[0] as IncidentState;
    expect(engine.replace([{ ...held, volume: 42 }], { force: true })).toBe(1);
    expect(engine.get(held.id)?.volume).toBe(42);
  });
});

describe("DetectorEngine: arrival order does not split a story", () => {
  // Kafka interleaves its partitions arbitrarily: whatever order the posts arrive in, one explosion is one incident.
  const posts = [...EXPLOSION_POSTS, ...BACKGROUND_POSTS];
  const first = EXPLOSION_POSTS[0] as DocFeatures;
  const now = first.publishedAt + 2 * HOUR;

  function seededShuffle<T>(items: readonly T[], seed: number): T[] {
    // mulberry32: a fixed seed gives the same order on every run.
    let s = seed >>> 0;
    const random = (): number => {
      s = (s + 0x6d2b79f5) >>> 0;
      let t = s;
      t = Math.imul(t ^ (t >>> 15), t | 1);
      t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
      return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
    };
    const out = [...items];
    for (let i = out.length - 1; i > 0; i--) {
      const j = Math.floor(random() * (i + 1));
      [out[i], out[j]] = [out[j] as T, out[i] as T];
    }
    return out;
  }

  const rotations = posts.map((_, r) => [...posts.slice(r), ...posts.slice(0, r)]);
  const orders: DocFeatures[][] = [
    ...rotations,
    ...rotations.map((o) => [...o].reverse()),
    ...Array.from({ length: 100 }, (_, seed) => seededShuffle(posts, seed + 1)),
  ];

  function feed(order: readonly DocFeatures[], batch: number): { engine: DetectorEngine; plans: Plan[] } {
    const engine = new DetectorEngine(DEFAULT_ENGINE_CONFIG, noRules);
    const plans: Plan[] = [];
    // Processing time advances with each batch, so "older incident" means opened first.
    for (let i = 0; i < order.length; i += batch) plans.push(step(engine, order.slice(i, i + batch), now + i * MIN));
    return { engine, plans };
  }

  function check(engine: DetectorEngine, label: string, background: readonly DocFeatures[] = BACKGROUND_POSTS): void {
    const open = engine.open();
    const holding = (id: string) => open.filter((i) => i.recentDocIds.includes(id));
    for (const doc of [...EXPLOSION_POSTS, ...background]) expect(holding(doc.id), `${label}: ${doc.id} is in exactly one open incident`).toHaveLength(1);
    const blast = holding(first.id)[0] as IncidentState;
    expect(EXPLOSION_POSTS.map((d) => holding(d.id)[0]?.id), label).toEqual(EXPLOSION_POSTS.map(() => blast.id));
    expect(blast.volume, label).toBe(EXPLOSION_POSTS.length);
    expect(blast.firstPost.id, label).toBe(first.id);
    expect(blast.onsetAt, label).toBe(first.publishedAt);
    expect(blast.level, label).toBe("II");
    expect(blast.figures.deaths?.value, label).toBe(12);
    expect(blast.sources.count, label).toBe(EXPLOSION_POSTS.length);
    for (const bg of background) expect(holding(bg.id)[0]?.volume, `${label}: ${bg.id} stays alone`).toBe(1);
    expect(open, label).toHaveLength(1 + background.length);
  }

  /**
   * What consumers (the alerter) see of the story: per incident id, revisions only increase; an incident they were
   * shown is never absorbed into one they were not (its alert would be closed and a new one opened); and the last
   * version published of the surviving incident carries the true 首发 (onset and first post).
   */
  function checkPublished(plans: readonly Plan[], label: string): void {
    const seen = new Map<string, IncidentState>();
    for (const plan of plans) {
      const before = new Set(seen.keys());
      for (const u of plan.updates.filter((x) => x.action === "publish")) {
        const prior = seen.get(u.incident.id);
        if (prior) expect(u.incident.revision, `${label}: ${u.incident.id} revision`).toBeGreaterThan(prior.revision);
        if (u.incident.status === "merged" && prior) expect(before.has(u.incident.mergedInto ?? ""), `${label}: ${u.incident.id} merged into an incident consumers know`).toBe(true);
        seen.set(u.incident.id, u.incident);
      }
    }
    const stories = [...seen.values()].filter((i) => i.status === "open" && i.recentDocIds.includes(first.id));
    expect(stories.map((i) => [i.firstPost.id, i.onsetAt, i.level]), label).toEqual([[first.id, first.publishedAt, "II"]]);
  }

  // Hundreds of replays: seconds on a loaded 2-core machine.
  it(`forms one II incident with the earliest post as 首发 in each of ${orders.length} orders, post by post`, { timeout: 60_000 }, () => {
    for (const order of orders) {
      const label = order.map((d) => d.id).join(",");
      const { engine, plans } = feed(order, 1);
      check(engine, label);
      checkPublished(plans, label);
    }
  });

  it("forms the same incident when the posts arrive in batches", () => {
    for (const order of orders.slice(0, 40)) {
      const label = `batches of 4: ${order.map((d) => d.id).join(",")}`;
      const { engine, plans } = feed(order, 4);
      check(engine, label);
      checkPublished(plans, label);
    }
  });

  it("keeps the reported incident when a post shows it and an older unreported candidate to be one story", () => {
    // A neutral video post without a category stays a candidate; the repost with 12 deaths opens a reported II incident (an alert);
    // the 红网 report matches both. The candidate is older, but consumers only know the reported one: it survives,
    // taking the candidate's earlier 首发, so its alert moves its clocks instead of a new alert opening.
    const video = { ...(EXPLOSION_POSTS[1] as DocFeatures), sentiment: 0, category: undefined };
    const [repost, report] = [EXPLOSION_POSTS[5], EXPLOSION_POSTS[3]] as [DocFeatures, DocFeatures];
    const engine = new DetectorEngine(DEFAULT_ENGINE_CONFIG, noRules);
    expect(summary(step(engine, [video], now))).toEqual([[video.id, "store", 1, ["opened"]]]);
    expect(summary(step(engine, [repost], now + MIN))).toEqual([[repost.id, "publish", 1, ["opened"]]]);
    const merging = step(engine, [report], now + 2 * MIN);
    expect(summary(merging)).toEqual([
      [repost.id, "publish", 2, ["merged", "onset_moved", "grew", "sources"]],
      [video.id, "discard", 2, ["merged"]],
    ]);
    expect(merging.updates[0]?.incident).toMatchObject({ firstPost: { id: video.id }, onsetAt: video.publishedAt, level: "II", mergedFrom: [incidentIdFor(video.id)] });
  });

  it("merges the repost's own incident into the story once a post links them, closing the absorbed one", () => {
    // The repost (index 5) shares few words with the eyewitness posts: it opens its own incident until the 红网
    // report, which matches both, arrives.
    const order = [5, 0, 1, 2, 3, 4].map((i) => EXPLOSION_POSTS[i] as DocFeatures);
    const { engine, plans } = feed(order, 1);
    check(engine, "repost first", []);
    const merging = plans.find((p) => p.updates.some((u) => u.changes.includes("merged") && u.incident.status === "open"));
    const survivor = merging?.updates.find((u) => u.incident.status === "open")?.incident as IncidentState;
    const absorbed = merging?.updates.find((u) => u.incident.status === "merged")?.incident as IncidentState;
    expect(absorbed).toMatchObject({ status: "merged", mergedInto: survivor.id, closedAt: merging?.now });
    expect(survivor.mergedFrom).toEqual([absorbed.id]);
    // The older incident keeps its id; the 首发 and onset come from the absorbed one.
    expect(survivor.id).toBe(incidentIdFor(EXPLOSION_POSTS[5]?.id ?? ""));
    expect(absorbed.id).toBe(incidentIdFor(first.id));
    expect(engine.get(absorbed.id)).toBeUndefined();
  });
});
