import { describe, expect, it } from "vitest";
import { REGIONS, storyDoc } from "./__fixtures__/stories.js";
import { DEFAULT_CLUSTER_CONFIG } from "./cluster-config.js";
import { assign } from "./cluster.js";
import { effectiveOnset } from "./incident-state.js";
import type { IncidentBurst, IncidentState } from "./incident-state.js";
import { attachBursts, burstValuesOf, correctOnset, normalizedDocKeywords, primaryRegions, recordWatchMatches, velocity } from "./incident.js";

const T0 = Date.parse("2024-07-01T01:10:00+08:00");
const MIN = 60_000;
const HOUR = 3_600_000;
const config = DEFAULT_CLUSTER_CONFIG;

function jianghua(): IncidentState {
  let inc = assign([], storyDoc("xinhua", T0), T0).incident;
  inc = assign([inc], storyDoc("yongzhou", T0 + 20 * MIN), T0).incident;
  return inc;
}

function burst(kind: IncidentBurst["kind"], value: string, bucketStart = T0): IncidentBurst {
  return { id: `${kind}:${value}@${bucketStart}`, kind, value, bucketStart, bucketEnd: bucketStart + 3_600_000, count: 9, baselineMean: 2, ratio: 4.5, pValue: 0.001, detectedAt: T0 + 5 * MIN };
}

describe("recent keyword sets", () => {
  it("shares a held set when a repost brings the same keywords, with the contents a copy would have", () => {
    const first = assign([], storyDoc("xinhua", T0), T0).incident;
    const repost = assign([first], storyDoc("xinhua", T0 + MIN, { id: "doc-xinhua-repost", source: "repost-source" }), T0 + MIN).incident;
    expect(repost.id).toBe(first.id);
    expect(repost.recentKeywordSets).toHaveLength(2);
    expect(repost.recentKeywordSets[1]).toBe(repost.recentKeywordSets[0]);
    const own = normalizedDocKeywords(storyDoc("xinhua", T0), config.docKeywordLimit).slice(0, config.recentKeywordLimit);
    expect(JSON.parse(JSON.stringify(repost.recentKeywordSets))).toEqual([own, own]);
  });

  it("gives a post with other keywords a set of its own", () => {
    const inc = jianghua();
    expect(inc.recentKeywordSets).toHaveLength(2);
    expect(inc.recentKeywordSets[1]).not.toBe(inc.recentKeywordSets[0]);
    const own = normalizedDocKeywords(storyDoc("yongzhou", T0), config.docKeywordLimit).slice(0, config.recentKeywordLimit);
    expect(JSON.parse(JSON.stringify(inc.recentKeywordSets[1]))).toEqual(own);
  });
});

describe("recordWatchMatches", () => {
  const match = { ruleId: "mine", name: "煤矿事故", matched: ["煤矿", "透水"], level: "II" as const };

  it("records a rule's first match as a change with a timeline entry, and later matches as counts", () => {
    const first = recordWatchMatches(jianghua(), [match], T0, T0 + MIN, config);
    expect(first.changed).toBe(true);
    expect(first.incident.watch).toEqual([{ ruleId: "mine", name: "煤矿事故", level: "II", matched: ["煤矿", "透水"], count: 1, firstMatchedAt: T0, lastMatchedAt: T0 }]);
    expect(first.incident.timeline.at(-1)).toMatchObject({ kind: "watch", text: "命中监测规则「煤矿事故」（煤矿、透水）" });
    const second = recordWatchMatches(first.incident, [{ ...match, matched: ["煤矿", "瓦斯爆炸"] }], T0 - MIN, T0 + 2 * MIN, config);
    expect(second.changed).toBe(false);
    expect(second.incident.watch[0]).toMatchObject({ count: 2, matched: ["煤矿", "透水", "瓦斯爆炸"], firstMatchedAt: T0 - MIN, lastMatchedAt: T0 });
  });

  it("changes nothing without matches", () => {
    const inc = jianghua();
    expect(recordWatchMatches(inc, [], T0, T0, config)).toEqual({ incident: inc, changed: false });
  });
});

describe("attachBursts", () => {
  it("attaches bursts of the incident's keywords and regions (including parent regions), not others", () => {
    const inc = jianghua();
    expect(burstValuesOf(inc).regions).toEqual(expect.arrayContaining(["431129", "431100", "430000"]));
    const r = attachBursts(inc, [burst("keyword", "煤矿"), burst("region", "430000"), burst("region", "140000"), burst("topic", "教育")], T0 + 5 * MIN, config);
    expect(r.changed).toBe(true);
    expect(r.incident.bursts.map((b) => b.id).sort()).toEqual([burst("keyword", "煤矿").id, burst("region", "430000").id].sort());
    expect(r.incident.timeline.filter((e) => e.kind === "burst")).toHaveLength(2);
  });

  it("updates an attached burst in place without counting it as a change", () => {
    const once = attachBursts(jianghua(), [burst("keyword", "煤矿")], T0, config).incident;
    const again = attachBursts(once, [{ ...burst("keyword", "煤矿"), count: 15, detectedAt: T0 + 30 * MIN }], T0 + 30 * MIN, config);
    expect(again.changed).toBe(false);
    expect(again.incident.bursts).toEqual([{ ...burst("keyword", "煤矿"), count: 15 }]);
  });
});

describe("correctOnset", () => {
  it("records who corrected the onset, from what, to what and why; deadlines then count from it", () => {
    const inc = jianghua();
    const corrected = correctOnset(inc, { at: T0 - 30 * MIN, reason: "现场群众更早发帖", by: "值班员张三" }, T0 + HOUR, config);
    expect(corrected.onsetCorrection).toEqual({ at: T0 - 30 * MIN, previousAt: T0, reason: "现场群众更早发帖", by: "值班员张三", correctedAt: T0 + HOUR });
    expect(effectiveOnset(corrected)).toBe(T0 - 30 * MIN);
    expect(effectiveOnset(inc)).toBe(T0);
    expect(corrected.timeline.at(-1)?.kind).toBe("onset_corrected");
  });

  it("survives later posts, even an earlier 首发", () => {
    const corrected = correctOnset(jianghua(), { at: T0 - 30 * MIN, reason: "更正", by: "值班员" }, T0, config);
    const after = assign([corrected], storyDoc("weibo", T0 - 10 * MIN), T0 + MIN).incident;
    expect(after.onsetAt).toBe(T0 - 10 * MIN);
    expect(effectiveOnset(after)).toBe(T0 - 30 * MIN);
  });

  it("requires a reason and who", () => {
    expect(() => correctOnset(jianghua(), { at: T0, reason: " ", by: "x" }, T0, config)).toThrow(/a reason is required/);
    expect(() => correctOnset(jianghua(), { at: T0, reason: "x", by: "" }, T0, config)).toThrow(/who corrected it is required/);
  });
});

describe("velocity and regions", () => {
  it("counts posts in the hour up to the latest post (or a given instant)", () => {
    const inc = jianghua();
    expect(velocity(inc)).toBe(2);
    expect(velocity(inc, T0 + 70 * MIN)).toBe(1);
    expect(velocity(inc, T0 + 200 * MIN)).toBe(0);
  });

  it("routes by the most-named, most specific places", () => {
    expect(primaryRegions(jianghua())).toEqual([REGIONS.jianghua]);
  });
});
