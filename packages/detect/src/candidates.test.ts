import { describe, expect, it } from "vitest";
import { storyDoc } from "./__fixtures__/stories.js";
import { IncidentIndex } from "./candidates.js";
import { fnv1a32 } from "./hash.js";
import { applyAssignment, assign } from "./cluster.js";
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

  it("finds the incident already holding a redelivered post, even with no keywords", () => {
    const open = openAll();
    const index = new IncidentIndex(open);
    const redelivered = { ...storyDoc("xinhua", T0), keywords: [], simhash: "0123456789abcdef" };
    expect(index.candidates(redelivered).map((i) => i.openedBy)).toEqual(["doc-xinhua"]);
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
