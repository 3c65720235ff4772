import { describe, expect, it } from "vitest";
import { DEFAULT_ENGINE_CONFIG, DetectorEngine, compileWatchRules, correctOnset, type DocFeatures } from "@liaowang/detect";
import { Incident } from "@liaowang/schemas";
import { toFeatures } from "./features.js";
import { toIncidentMessage } from "./message.js";

const T0 = Date.parse("2024-07-01T01:10:00+08:00");

function doc(id: string, source: string, minutes: number, extra: Partial<DocFeatures> = {}): DocFeatures {
  return {
    id,
    source,
    title: "江华县一煤矿发生透水事故 12人遇难",
    text: "湖南省永州市江华瑶族自治县某煤矿发生透水事故，已造成12人遇难。",
    publishedAt: T0 + minutes * 60_000,
    tokens: ["江华县", "煤矿", "透水事故", "遇难"],
    keywords: [
      { word: "透水事故", weight: 3 },
      { word: "煤矿", weight: 2 },
      { word: "江华县", weight: 2 },
    ],
    simhash: "0f0f0f0f0f0f0f0f",
    topics: [
      { id: "安全生产", score: 0.9 },
      { id: "防灾减灾救灾", score: 0.3 },
    ],
    category: "生产安全事故",
    regions: [{ code: "431129", name: "江华瑶族自治县", level: "county", province: "湖南省" }],
    sentiment: -0.5,
    figures: [{ kind: "deaths", value: 12, approx: false, text: "12人遇难" }],
    ...extra,
  };
}

describe("toIncidentMessage", () => {
  const rules = compileWatchRules([{ id: "mine", name: "煤矿事故", must: ["煤矿"], level: "II" }]);
  const engine = new DetectorEngine(DEFAULT_ENGINE_CONFIG, rules);
  const plan = engine.process([doc("a", "新华网", 0), doc("b", "永州发布", 20, { simhash: "f0f0f0f0f0f0f0f0" })], T0 + 3_600_000);
  const update = plan.updates[0];

  it("produces a message the incidents topic accepts, with ISO times and share scores", () => {
    expect(update).toBeDefined();
    const message = toIncidentMessage(update!.incident, update!.changes);
    expect(Incident.parse(message)).toEqual(message);
    expect(message).toMatchObject({
      v: 1,
      revision: 1,
      status: "open",
      changes: ["opened", "watch", "grew", "sources", "figures"],
      title: "江华县一煤矿发生透水事故 12人遇难",
      onsetAt: new Date(T0).toISOString(),
      firstSource: { docId: "a", source: "新华网", publishedAt: new Date(T0).toISOString() },
      level: "II",
      category: "生产安全事故",
      sources: { count: 2, names: ["新华网", "永州发布"] },
      volume: 2,
      figures: [{ kind: "deaths", value: 12, sourceCount: 2, sources: ["新华网", "永州发布"] }],
      watchMatches: [{ ruleId: "mine", name: "煤矿事故", level: "II", count: 2 }],
    });
    expect(message.gradeReason).toBe("据2个来源报道死亡12人，依《生产安全事故报告和调查处理条例》重大事故标准（死亡10–29人）定为II级（重大）");
    expect(message.topics.map((t) => t.id)).toEqual(["安全生产", "防灾减灾救灾"]);
    expect(message.topics.reduce((s, t) => s + t.score, 0)).toBeCloseTo(1, 3);
    expect(message.keywords.reduce((s, k) => s + k.weight, 0)).toBeCloseTo(1, 3);
  });

  it("carries an officer's onset correction as the onset", () => {
    const corrected = correctOnset(update!.incident, { at: T0 - 600_000, reason: "更早的帖子", by: "值班员" }, T0 + 7_200_000, DEFAULT_ENGINE_CONFIG.cluster);
    const message = toIncidentMessage(corrected, ["onset_corrected"]);
    expect(message.onsetAt).toBe(new Date(T0 - 600_000).toISOString());
    expect(message.onsetCorrection).toMatchObject({ by: "值班员", reason: "更早的帖子", previousAt: new Date(T0).toISOString() });
    expect(message.firstSource.publishedAt).toBe(new Date(T0).toISOString());
  });

  it("uses the start of the text as title when the first post has none", () => {
    const untitled = new DetectorEngine(DEFAULT_ENGINE_CONFIG, rules).process([doc("c", "微博", 0, { title: undefined })], T0).updates[0]!;
    expect(toIncidentMessage(untitled.incident, untitled.changes).title).toBe("湖南省永州市江华瑶族自治县某煤矿发生透水事故，已造成12人遇难。");
  });
});

describe("toFeatures", () => {
  const base = {
    v: 1 as const,
    id: "0123456789abcdef0123456789abcdef",
    source: "新华网",
    sourceKind: "rss" as const,
    text: "江华县一煤矿发生透水事故",
    publishedAt: "2024-07-01T01:10:00+08:00",
    ingestedAt: "2024-07-01T01:11:00+08:00",
    lang: "zh" as const,
    tokens: ["江华县", "煤矿", "透水事故"],
    titleSeg: "",
    textSeg: "",
    searchTerms: [],
    keywords: [{ word: "煤矿", weight: 2 }],
    enrichedAt: "2024-07-01T01:11:01+08:00",
  };

  it("reads absent analysis fields as empty and computes a SimHash when enrichment sent none", () => {
    const f = toFeatures(base);
    expect(f).toMatchObject({ publishedAt: T0, topics: [], regions: [], figures: [], sentiment: 0, category: undefined });
    expect(f.simhash).toMatch(/^[0-9a-f]{16}$/);
  });

  it("passes enrichment's analysis through", () => {
    const f = toFeatures({ ...base, simhash: "00000000000000ff", sentiment: { score: -0.7, label: "negative" }, category: "生产安全事故", topics: [{ id: "安全生产", score: 1 }] });
    expect(f).toMatchObject({ simhash: "00000000000000ff", sentiment: -0.7, category: "生产安全事故", topics: [{ id: "安全生产", score: 1 }] });
  });
});
