import { describe, expect, it } from "vitest";
import { DEFAULT_ENGINE_CONFIG, DetectorEngine, compileWatchRules, parseIncidentState, type DocFeatures, type IncidentState } from "@liaowang/detect";
import { compactCandidate, expandCandidate } from "./candidate-codec.js";

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
});
