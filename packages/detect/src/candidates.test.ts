import { describe, expect, it } from "vitest";
import { facilityDoc } from "./__fixtures__/facilities.js";
import { storyDoc } from "./__fixtures__/stories.js";
import { IncidentIndex } from "./candidates.js";
import { featureGeneration, keywordVector, vectorCosine } from "./similarity.js";
import { fnv1a32, simhash64, tokenFeatures } from "./hash.js";
import { applyAssignment, assign, couldJoin, similarity } from "./cluster.js";
import { DEFAULT_CLUSTER_CONFIG } from "./cluster-config.js";
import { DEFAULT_ENGINE_CONFIG, DetectorEngine } from "./engine.js";
import { compileWatchRules } from "./watch.js";
import type { IncidentState } from "./incident-state.js";

const T0 = Date.parse("2024-07-01T01:10:00+08:00");

function openAll(): IncidentState[] {
  let open: IncidentState[] = [];
  for (const [name, offset] of [["xinhua", 0], ["shanxi", 1], ["gaokao", 2], ["shenzhen", 3]] as const) {
    open = applyAssignment(open, assign(open, storyDoc(name, T0 + offset * 60_000), T0));
  }
  return open;
}

describe("IncidentIndex", () => {
  it("returns the incidents sharing keywords with a post, and assign on them equals assign on all", () => {
    const open = openAll();
    const index = new IncidentIndex(open);
    expect(index.size).toBe(4);
    const doc = storyDoc("yongzhou", T0 + 600_000);
    const candidates = index.candidates(doc);
    expect(candidates.map((i) => i.openedBy)).toContain("doc-xinhua");
    expect(candidates.map((i) => i.openedBy)).not.toContain("doc-gaokao");
    expect(assign(candidates, doc, T0)).toEqual(assign(open, doc, T0));
  });

  it("finds a 通报's own story among many earlier 通报 of its template: the words few incidents share rank first", () => {
    // pnpm bench's 1,000 posts/s phase: after ~35 stories, each 通报 shared more template weight (坍塌事故, 截至, 遇难,
    // 受伤, 搜救…) with the earlier stories' incidents than name and district (明达, 岳塘区) with its own 首发's, which
    // fell out of the 32 ranked candidates: the 通报 opened an incident of its own and the story was split in two.
    const report = facilityDoc("mingdaReport", T0 + 60_000);
    const names = [..."鑫宏华盛金恒瑞永"].flatMap((a) => [..."远强源诚晟"].map((b) => `${a}${b}`));
    const districts = ["岳麓区", "开福区", "雨花区", "天心区", "芙蓉区", "望城区", "荷塘区", "芦淞区"];
    const earlier = names.map((name, i) => {
      const swap = (w: string) => (w === "明达" ? name : w === "岳塘区" ? (districts[i % districts.length] as string) : w);
      const tokens = report.tokens.map(swap);
      const doc = { ...report, id: `report-${name}`, keywords: report.keywords.map((k) => ({ ...k, word: swap(k.word) })), tokens, simhash: simhash64(tokenFeatures(tokens)), regions: [] };
      return assign([], doc, T0).incident;
    });
    // Other news besides (the index leaves out words more than a fifth of its incidents share).
    const other = Array.from({ length: 200 }, (_, i) => assign([], storyDoc("gaokao", T0, { id: `other-${i}`, keywords: [{ word: `话题${i}`, weight: 9 }, { word: "发布", weight: 5 }] }), T0).incident);
    const first = assign([], facilityDoc("mingdaFirst", T0), T0).incident;
    const index = new IncidentIndex([...other, ...earlier, first]);
    const candidates = index.candidates(report);
    expect(candidates.map((i) => i.id)).toContain(first.id);
    const r = assign(candidates, report, T0 + 60_000);
    expect(r.changes[0]).toBe("grew");
    expect(r.incident.id).toBe(first.id);
  });

  it("finds the incident already holding a redelivered post, even with no keywords", () => {
    const open = openAll();
    const index = new IncidentIndex(open);
    const redelivered = { ...storyDoc("xinhua", T0), keywords: [], simhash: "0123456789abcdef" };
    expect(index.candidates(redelivered).map((i) => i.openedBy)).toEqual(["doc-xinhua"]);
  });

  it("follows a story's sliding window of recent post ids: the dropped ones no longer lead to it", () => {
    const config = { ...DEFAULT_CLUSTER_CONFIG, maxDocIds: 3 };
    let incident = assign([], storyDoc("xinhua", T0), T0, config).incident;
    const index = new IncidentIndex([incident]);
    for (let i = 1; i <= 5; i++) {
      incident = assign([incident], storyDoc("xinhua", T0 + i * 60_000, { id: `w${i}` }), T0, config).incident;
      index.upsert(incident);
    }
    expect(incident.recentDocIds).toEqual(["w3", "w4", "w5"]);
    const probe = (id: string) => index.candidates({ id, keywords: [], simhash: "0123456789abcdef" }).map((i) => i.id);
    for (const id of ["doc-xinhua", "w3", "w4", "w5"]) expect(probe(id), id).toEqual([incident.id]);
    for (const id of ["w1", "w2"]) expect(probe(id), id).toEqual([]);
    // A replaced version whose window is not a slide of the held one (a merge) re-registers them all.
    const merged = { ...incident, revision: incident.revision + 1, recentDocIds: ["m1", "w4"] };
    index.upsert(merged);
    for (const id of ["doc-xinhua", "m1", "w4"]) expect(probe(id), id).toEqual([incident.id]);
    for (const id of ["w3", "w5"]) expect(probe(id), id).toEqual([]);
  });

  it("finds near-duplicates through SimHash bands", () => {
    const index = new IncidentIndex(openAll());
    const original = storyDoc("gaokao", T0);
    const flipped = (Number.parseInt(original.simhash.slice(-1), 16) ^ 1).toString(16);
    const repost = { ...original, id: "repost", keywords: [], simhash: original.simhash.slice(0, -1) + flipped };
    expect(index.candidates(repost).map((i) => i.openedBy)).toEqual(["doc-gaokao"]);
  });

  it("replaces on upsert, drops closed incidents, and forgets removed ones", () => {
    const open = openAll();
    const index = new IncidentIndex(open);
    const xinhua = open.find((i) => i.openedBy === "doc-xinhua") as IncidentState;
    const grown = assign([xinhua], storyDoc("weibo", T0 + 60_000), T0).incident;
    index.upsert(grown);
    expect(index.get(xinhua.id)?.volume).toBe(2);
    index.upsert({ ...grown, status: "expired" });
    expect(index.get(xinhua.id)).toBeUndefined();
    expect(index.candidates(storyDoc("xinhua", T0)).map((i) => i.id)).not.toContain(xinhua.id);
    index.remove(open[1]?.id ?? "");
    expect(index.size).toBe(2);
    expect(index.all().map((i) => i.openedBy).sort()).toEqual(["doc-gaokao", "doc-shenzhen"]);
  });
});

/** A well-mixed 64-bit hash per post (FNV-64 of "p1", "p2", … differ in only a few bits). */
const randomHash = (i: number): string => fnv1a32(`hi${i}`).toString(16).padStart(8, "0") + fnv1a32(`lo${i}`).toString(16).padStart(8, "0");

describe("IncidentIndex candidate ranking", () => {
  function post(i: number, words: string[]) {
    return { ...storyDoc("gaokao", T0 + i * 1000), id: `p${i}`, simhash: randomHash(i), keywords: words.map((word) => ({ word, weight: word === "发生" || word === "事故" ? 1 : 10 })), regions: [] };
  }

  it("skips features most incidents share and ranks the rest by shared weight, within the limit", () => {
    // Two distinct made-up words per story (no shared bigrams), plus the words every story uses.
    const word = (i: number, k: number) => String.fromCharCode(0x4e00 + ((i * 2 + k) * 37) % 9000) + String.fromCharCode(0x6e00 + ((i * 2 + k) * 53) % 9000);
    let open: IncidentState[] = [];
    for (let i = 0; i < 200; i++) open = applyAssignment(open, assign(open, post(i, [word(i, 0), word(i, 1), "发生", "事故"]), T0));
    const index = new IncidentIndex(open);
    expect(index.size).toBe(200);
    expect(index.candidates(post(999, ["发生", "事故"]))).toEqual([]);
    const ranked = index.candidates(post(998, [word(7, 0), word(7, 1), word(8, 0), "发生"]), 20, 2);
    expect(ranked.map((i) => i.openedBy)).toEqual(["p7", "p8"]);
  });
});

describe("IncidentIndex ranking with ties", () => {
  it("keeps the best `limit` in the order a full ranking gives, ties by id", () => {
    const word = (i: number) => String.fromCharCode(0x4e00 + (i * 37) % 9000) + String.fromCharCode(0x6e00 + (i * 53) % 9000);
    let open: IncidentState[] = [];
    // Each story shares one to four of the post's words, so many tie.
    for (let i = 0; i < 90; i++) {
      const doc = { ...storyDoc("gaokao", T0 + i * 1000), id: `r${i}`, simhash: randomHash(i), regions: [], keywords: [0, 1, 2, 3].slice(0, 1 + (i % 4)).map((k) => ({ word: word(k + (i % 3)), weight: 5 })) };
      open = [...open, assign([], doc, T0).incident];
    }
    const index = new IncidentIndex(open);
    const post = { ...storyDoc("gaokao", T0), id: "q", simhash: randomHash(999), keywords: [0, 1, 2, 3, 4, 5].map((k) => ({ word: word(k), weight: 6 - k })) };
    const all = index.candidates(post, 20, 1_000).map((i) => i.id);
    expect(all.length).toBeGreaterThan(40);
    for (const limit of [1, 7, 32]) expect(index.candidates(post, 20, limit).map((i) => i.id)).toEqual(all.slice(0, limit));
  });
});

describe("IncidentIndex.bounded", () => {
  const word = (i: number, k: number) => String.fromCharCode(0x4e00 + ((i * 3 + k) * 37) % 9000) + String.fromCharCode(0x6e00 + ((i * 3 + k) * 53) % 9000);
  function post(i: number, words: string[]) {
    return { ...storyDoc("gaokao", T0 + i * 1000), id: `b${i}`, simhash: randomHash(i), keywords: words.map((w, k) => ({ word: w, weight: 10 - k })), regions: [] };
  }

  it("never bounds a candidate's keyword similarity below what scoring finds, so leaving the low ones out changes nothing", () => {
    // Stories sharing one to three of a post's words, and words every story uses (skipped as common, still bounded).
    let open: IncidentState[] = [];
    for (let i = 0; i < 120; i++) open = applyAssignment(open, assign(open, post(i, [word(i, 0), word(i % 7, 1), word(i % 5, 2), "发生", "事故"]), T0));
    for (const s of ["xinhua", "shanxi", "gaokao", "shenzhen"] as const) open = applyAssignment(open, assign(open, storyDoc(s, T0), T0));
    const index = new IncidentIndex(open);
    const docs = [
      post(500, [word(3, 0), word(3, 1), word(3, 2), "发生"]),
      post(501, [word(9, 1), "事故", word(40, 0)]),
      post(502, ["发生", "事故"]),
      storyDoc("yongzhou", T0 + 60_000),
      storyDoc("weibo", T0 + 60_000),
    ];
    let checked = 0;
    let low = 0;
    for (const doc of docs) {
      for (const { incident, bound } of index.bounded(doc, DEFAULT_CLUSTER_CONFIG.docKeywordLimit)) {
        expect(similarity(incident, doc).keywordSimilarity).toBeLessThanOrEqual(bound + 1e-9);
        checked++;
        if (!couldJoin(incident, doc, bound)) low++;
      }
      // Scoring only the incidents the post could join decides exactly as scoring all of them.
      const kept = index.bounded(doc, DEFAULT_CLUSTER_CONFIG.docKeywordLimit).filter((c) => couldJoin(c.incident, doc, c.bound)).map((c) => c.incident);
      expect(assign(kept, doc, T0)).toEqual(assign(open, doc, T0));
    }
    expect(checked).toBeGreaterThanOrEqual(10);
    expect(low).toBeGreaterThan(0);
  });

  it("leaves out, when given an admission, exactly the candidates that could not join, keeping the others' order; flagged ones stay", () => {
    let open: IncidentState[] = [];
    for (let i = 0; i < 120; i++) open = applyAssignment(open, assign(open, post(i, [word(i, 0), word(i % 7, 1), word(i % 5, 2), "发生", "事故"]), T0));
    for (const s of ["xinhua", "shanxi", "gaokao", "shenzhen"] as const) open = applyAssignment(open, assign(open, storyDoc(s, T0), T0));
    const index = new IncidentIndex(open);
    const near = DEFAULT_CLUSTER_CONFIG.nearDuplicateDistance;
    let left = 0;
    for (const [k, doc] of [post(500, [word(3, 0), word(3, 1), word(3, 2), "发生"]), post(501, [word(9, 1), "事故", word(40, 0)]), storyDoc("yongzhou", T0 + 60_000)].entries()) {
      const all: { id: string; bound: number; distance: number }[] = [];
      index.visit(doc, DEFAULT_CLUSTER_CONFIG.docKeywordLimit, 32, (incident, bound, slot) => all.push({ id: incident.id, bound, distance: index.distance(slot) }));
      const needed = DEFAULT_CLUSTER_CONFIG.joinThreshold;
      // One candidate that could not join is flagged: it is handed over all the same.
      const flagged = all.find((c) => c.bound < needed && c.distance > near);
      const stamp = 100 + k;
      if (flagged) index.flag(flagged.id, stamp);
      const admitted: string[] = [];
      index.visit(doc, DEFAULT_CLUSTER_CONFIG.docKeywordLimit, 32, (incident) => admitted.push(incident.id), { needed, near, stamp });
      expect(admitted).toEqual(all.filter((c) => c.bound >= needed || c.distance <= near || c.id === flagged?.id).map((c) => c.id));
      left += all.length - admitted.length;
    }
    expect(left).toBeGreaterThan(0);
  });

  it("bounds by the incident's peak weight too: a post sharing two of a story's sixteen equal words is not scored", () => {
    const flat = Array.from({ length: 16 }, (_, k) => word(200, k));
    const story = { ...post(600, flat), keywords: flat.map((w) => ({ word: w, weight: 1 })) };
    const incident = applyAssignment([], assign([], story, T0))[0] as IncidentState;
    const index = new IncidentIndex([incident]);
    const doc = { ...post(601, []), keywords: [5, 5, 3].map((weight, k) => ({ word: [flat[0], flat[1], word(300, 0)][k] as string, weight })) };
    const [found] = index.bounded(doc, DEFAULT_CLUSTER_CONFIG.docKeywordLimit);
    // Squares alone would keep it (√50/√59 ≈ 0.92); the shared weight times the peak (1/√12, its recent set) does not.
    expect(found?.bound).toBeLessThan(DEFAULT_CLUSTER_CONFIG.joinThreshold);
    expect(similarity(incident, doc).keywordSimilarity).toBeLessThanOrEqual((found?.bound ?? 0) + 1e-9);
    expect(couldJoin(incident, doc, found?.bound ?? 1)).toBe(false);
    expect(assign([], doc, T0).changes).toEqual(assign([incident], doc, T0).changes);
  });

  it("bounds an incident found only through a SimHash band shared by chance, so it is not scored; the holder stays", () => {
    const original = storyDoc("gaokao", T0);
    const incident = applyAssignment([], assign([], original, T0))[0] as IncidentState;
    const index = new IncidentIndex([incident]);
    // The same first 16 bits, 40 bits apart in all, and other words: found by the band, nothing to join on.
    const bits = BigInt(`0x${original.simhash}`) ^ 0x0000_ffff_ffff_ff00n;
    const stranger = { ...storyDoc("shanxi", T0), simhash: bits.toString(16).padStart(16, "0") };
    const [found] = index.bounded(stranger, DEFAULT_CLUSTER_CONFIG.docKeywordLimit);
    expect(found?.incident.id).toBe(incident.id);
    expect(found?.bound).toBeLessThan(DEFAULT_CLUSTER_CONFIG.joinThreshold);
    expect(similarity(incident, stranger).keywordSimilarity).toBeLessThanOrEqual((found?.bound ?? 0) + 1e-9);
    expect(couldJoin(incident, stranger, found?.bound ?? 1)).toBe(false);
    // A redelivery of the post that opened it is always returned as a sure candidate.
    expect(index.bounded({ ...stranger, id: original.id }, DEFAULT_CLUSTER_CONFIG.docKeywordLimit)[0]).toMatchObject({ incident: { id: incident.id }, bound: 1 });
    expect(assign([incident], { ...original }, T0, DEFAULT_CLUSTER_CONFIG, { holders: new Set([incident.id]) }).changes).toEqual(["duplicate"]);
  });

  it("keeps a near-duplicate whatever its words: a SimHash within the repost distance joins without them", () => {
    const original = storyDoc("gaokao", T0);
    const open = applyAssignment([], assign([], original, T0));
    const incident = open[0] as IncidentState;
    // Five bits apart in different 16-bit bands, and no keyword in common.
    const bits = BigInt(`0x${original.simhash}`) ^ 0x0001_0001_0001_0003n;
    const repost = { ...original, id: "repost", keywords: [{ word: "转发", weight: 1 }], simhash: bits.toString(16).padStart(16, "0") };
    expect(couldJoin(incident, repost, 0)).toBe(true);
    expect(couldJoin(incident, { ...repost, simhash: (BigInt(`0x${original.simhash}`) ^ 0xffn).toString(16).padStart(16, "0") }, 0)).toBe(false);
  });
});

describe("DetectorEngine candidate lookup", () => {
  it("clusters a story whose posts share no keyword but the same SimHash band", () => {
    const engine = new DetectorEngine(DEFAULT_ENGINE_CONFIG, compileWatchRules([]));
    // Filler incidents, so the lookup has to find the right one among many.
    const word = (i: number) => String.fromCharCode(0x4e00 + (i * 37) % 9000) + String.fromCharCode(0x6e00 + (i * 53) % 9000);
    const filler = Array.from({ length: 60 }, (_, i) => ({ ...storyDoc("gaokao", T0 + i * 1000), id: `f${i}`, simhash: randomHash(i), keywords: [{ word: word(i), weight: 1 }] }));
    engine.commit(engine.process(filler, T0));
    const first = storyDoc("shenzhen", T0 + 120_000);
    engine.commit(engine.process([first], T0 + 120_000));
    // A rewrite with entirely different keywords whose SimHash differs from the first in two bits of one band.
    const hash = (BigInt(`0x${first.simhash}`) ^ 0x0000_0000_0000_0005n).toString(16).padStart(16, "0");
    const rewrite = { ...first, id: "rewrite", keywords: [{ word: "网友", weight: 2 }, { word: "视频", weight: 1 }], simhash: hash };
    const plan = engine.process([rewrite], T0 + 180_000);
    engine.commit(plan);
    const grown = engine.open().find((i) => i.openedBy === first.id);
    expect(grown?.volume).toBe(2);
    expect(grown?.recentDocIds).toContain("rewrite");
    expect(engine.open()).toHaveLength(61);
  });
});

describe("IncidentIndex postings", () => {
  const word = (i: number) => String.fromCharCode(0x4e00 + (i * 37) % 9000) + String.fromCharCode(0x6e00 + (i * 53) % 9000);
  function post(i: number, words: [string, number][], at = T0 + i * 1000) {
    return { ...storyDoc("gaokao", at), id: `g${i}`, simhash: randomHash(i), regions: [], keywords: words.map(([w, weight]) => ({ word: w, weight })) };
  }
  function fillers(n: number): IncidentState[] {
    let open: IncidentState[] = [];
    for (let i = 0; i < n; i++) open = applyAssignment(open, assign(open, post(i, [[word(i), 4], [word(5000 + i), 4], ["发生", 1], ["事故", 1], ["现场", 1]]), T0));
    expect(open).toHaveLength(n);
    return open;
  }

  it("finds a story through one rare keyword it shares with a post among hundreds of stories sharing the common ones", () => {
    let open = fillers(300);
    open = applyAssignment(open, assign(open, post(1000, [["硝酸铵", 5], ["发生", 1], ["事故", 1], ["现场", 1]]), T0));
    const index = new IncidentIndex(open);
    // Another SimHash, no shared band: only the rare word leads to it (the common words' postings are skipped).
    const doc = post(1001, [["硝酸铵", 5], ["发生", 1], ["事故", 1]], T0 + 2_000_000);
    const found = index.candidates(doc);
    expect(found.map((i) => i.openedBy)).toContain("g1000");
    const result = assign(found, doc, T0);
    expect(result.incident.openedBy).toBe("g1000");
    expect(result.changes).not.toContain("opened");
  });

  it("leaves no posting behind when incidents grow, move and leave", () => {
    const open = fillers(40);
    const index = new IncidentIndex(open);
    const before = index.stats();
    expect(before.termEntries).toBeGreaterThan(0);
    // Each filler grows by posts with other words and hashes; the index then holds what a fresh one would.
    const grown = open.map((incident, i) => {
      let g = incident;
      for (let k = 1; k <= 3; k++) {
        g = assign([g], { ...post(i, [[word(i), 3], [word(500 + i * 3 + k), 2], ["发生", 2]], T0 + i * 1000 + k), id: `g${i}-${k}`, simhash: incident.firstPost.simhash.slice(0, 15) + String(k) }, T0).incident;
        index.upsert(g);
      }
      return g;
    });
    expect(index.stats()).toEqual(new IncidentIndex(grown).stats());
    expect(index.stats().termEntries).toBeGreaterThan(before.termEntries);
    for (const g of grown.slice(0, 20)) index.upsert({ ...g, status: "expired" });
    for (const g of grown.slice(20)) index.remove(g.id);
    expect(index.stats()).toEqual({ incidents: 0, termEntries: 0, bandEntries: 0, docIds: 0 });
    expect(index.candidates(post(7, [[word(7), 3]]))).toEqual([]);
  });

  it("finds the same candidates with the same bounds after the feature table started afresh", () => {
    const open = fillers(60);
    const index = new IncidentIndex(open);
    const docs = [post(2000, [[word(5), 3], [word(6), 1], ["发生", 2]]), storyDoc("xinhua", T0), post(2001, [[word(59), 2], ["现场", 1]])];
    const before = docs.map((d) => index.bounded(d, DEFAULT_CLUSTER_CONFIG.docKeywordLimit));
    // 300,000 new two-character features: more than the table holds, so it starts again under new ids.
    const fresh = (i: number) => String.fromCharCode(0x4e00 + (i % 600)) + String.fromCharCode(0x5000 + Math.floor(i / 600));
    const probe = keywordVector([{ word: "发生", weight: 1 }]);
    const generation = featureGeneration();
    for (let v = 0; v < 300; v++) vectorCosine(keywordVector(Array.from({ length: 1000 }, (_, k) => ({ word: fresh(v * 1000 + k), weight: 1 }))), probe);
    expect(featureGeneration()).toBeGreaterThan(generation);
    expect(docs.map((d) => index.bounded(d, DEFAULT_CLUSTER_CONFIG.docKeywordLimit))).toEqual(before);
    // Updates after the restart keep the postings exact.
    const grown = assign([open[5] as IncidentState], post(2002, [[word(5), 3], [word(700), 2]], T0 + 5_000), T0).incident;
    index.upsert(grown);
    index.remove((open[6] as IncidentState).id);
    const rest = index.all();
    expect(index.stats()).toEqual(new IncidentIndex(rest).stats());
  });
});
