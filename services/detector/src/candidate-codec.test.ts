import { describe, expect, it } from "vitest";
import { DEFAULT_ENGINE_CONFIG, DetectorEngine, compileWatchRules, parseIncidentState, type DocFeatures, type IncidentState } from "@liaowang/detect";
import { applyPatch, compactCandidate, expandCandidate, patchCandidate } from "./candidate-codec.js";

const T0 = Date.parse("2024-07-01T01:10:00+08:00");

function doc(id: string, minutes: number, extra: Partial<DocFeatures> = {}): DocFeatures {
  return {
    id,
    source: "微博网友",
    text: "江华瑶族自治县某煤矿今天上午发生透水事故，现场有多人被困，救援队伍已经赶到。",
    publishedAt: T0 + minutes * 60_000,
    tokens: ["江华", "煤矿", "透水", "事故", "被困", "救援"],
    keywords: [
      { word: "透水", weight: 0.31234567890123 },
      { word: "煤矿", weight: 0.2 },
      { word: "被困", weight: 0.11 },
    ],
    simhash: "0f0f0f0f0f0f0f0f",
    topics: [{ id: "安全生产", score: 0.9 }],
    regions: [{ code: "431129", name: "江华瑶族自治县", level: "county", province: "湖南省" }],
    sentiment: -0.4,
    figures: [],
    ...extra,
  };
}

/** What a stored state reads back as, the way the candidate log reads it. */
const readBack = (stored: unknown): IncidentState => parseIncidentState(expandCandidate(JSON.parse(JSON.stringify(stored))));
const asStored = (state: IncidentState): IncidentState => parseIncidentState(JSON.parse(JSON.stringify(state)));

describe("candidate codec", () => {
  const engine = new DetectorEngine(DEFAULT_ENGINE_CONFIG, compileWatchRules([]));
  const single = engine.process([doc("a", 0)], T0).updates[0]!.incident;
  const grown = (() => {
    const e = new DetectorEngine(DEFAULT_ENGINE_CONFIG, compileWatchRules([]));
    e.commit(e.process([doc("b", 0)], T0));
    const plan = e.process([doc("c", 3, { source: "永州发布", simhash: "0f0f0f0f0f0f0f1f", title: "江华县煤矿透水事故已致多人被困，救援正在进行中" })], T0 + 300_000);
    return plan.updates.find((u) => u.incident.volume === 2)!.incident;
  })();

  it("stores a one-post candidate's repeated parts as references and reads back the same state", () => {
    const stored = compactCandidate(single);
    const json = JSON.stringify(stored);
    expect(json).toContain('"firstPost":{"$post":0}');
    expect(json).toContain('"$prefix"');
    expect(json.length).toBeLessThan(JSON.stringify(single).length * 0.85);
    expect(readBack(stored)).toEqual(asStored(single));
  });

  it("reads back a grown incident's state exactly", () => {
    expect(grown.volume).toBe(2);
    expect(readBack(compactCandidate(grown))).toEqual(asStored(grown));
  });

  it("keeps parts that only look alike as they are", () => {
    const changed: IncidentState = {
      ...single,
      // The 首发 is not among the posts as it is (another snippet), and a keyword set that equals the keywords' head
      // in value but not as the same objects is kept too.
      posts: single.posts.map((p) => ({ ...p, snippet: `${p.snippet}（转）` })),
      recentKeywordSets: single.recentKeywordSets.map((set) => set.map((k) => ({ ...k }))),
    };
    const stored = compactCandidate(changed) as unknown as IncidentState;
    expect(stored.firstPost).toEqual(changed.firstPost);
    expect(stored.recentKeywordSets).toEqual(changed.recentKeywordSets);
    expect(readBack(stored)).toEqual(asStored(changed));
  });

  it("reads states stored before references as they are", () => {
    expect(readBack(single)).toEqual(asStored(single));
    expect(expandCandidate(null)).toBeNull();
  });

  it("stores a grown candidate as the change from the state stored before, which applied to it gives the new state", () => {
    const e = new DetectorEngine(DEFAULT_ENGINE_CONFIG, compileWatchRules([]));
    e.commit(e.process([doc("d", 0)], T0));
    let before = e.open()[0]!;
    for (let n = 1; n <= 12; n++) {
      const plan = e.process([doc(`d${n}`, n, { source: `来源${n}`, simhash: n % 2 ? "0f0f0f0f0f0f0f1f" : "0f0f0f0f0f0f0f0e" })], T0 + n * 60_000);
      const after = plan.updates.find((u) => u.incident.id === before.id)!.incident;
      const patch = patchCandidate(before, after)!;
      expect(patch.from).toBe(before.revision);
      // Lists that only gained entries are stored as what they gained.
      expect(patch.append?.recentDocIds).toEqual([expect.any(Number), [`d${n}`]]);
      expect(JSON.stringify(patch).length).toBeLessThan(JSON.stringify(after).length);
      expect(parseIncidentState(applyPatch(JSON.parse(JSON.stringify(before)), JSON.parse(JSON.stringify(patch))))).toEqual(asStored(after));
      e.commit(plan);
      before = e.get(before.id)!;
    }
    expect(before.volume).toBe(13);
  });

  it("makes no patch against the same object or another incident, and removes fields the new state lacks", () => {
    expect(patchCandidate(single, single)).toBeUndefined();
    expect(patchCandidate(single, grown)).toBeUndefined();
    const withCategory = { ...single, category: "生产安全事故", revision: single.revision + 1 };
    const patch = patchCandidate(withCategory, { ...single, revision: single.revision + 2 })!;
    expect(patch.unset).toEqual(["category"]);
    expect(applyPatch(withCategory, patch)).not.toHaveProperty("category");
    expect(() => applyPatch({ ...single, recentDocIds: "x" }, { id: single.id, from: 1, append: { recentDocIds: [0, ["y"]] } })).toThrow(/does not fit/);
  });

  // Patches are made by identity: they rely on the engine never changing a committed state in place.
  it("relies on the engine leaving committed states as they are", () => {
    const e = new DetectorEngine(DEFAULT_ENGINE_CONFIG, compileWatchRules([]));
    e.commit(e.process([doc("f", 0)], T0));
    const committed = e.open().map((s) => [s, JSON.stringify(s)] as const);
    for (let n = 1; n <= 5; n++) e.commit(e.process([doc(`f${n}`, n, { source: `来源${n}` })], T0 + n * 60_000));
    e.commit(e.tick(T0 + 3_600_000));
    for (const [state, json] of committed) expect(JSON.stringify(state)).toBe(json);
  });
});
