import { describe, expect, it } from "vitest";
import { addSource, emptySources, unionSources } from "./sources.js";

describe("SourceSet", () => {
  it("counts distinct sources exactly while small and says which were new", () => {
    let s = emptySources();
    const news: boolean[] = [];
    for (const name of ["新华网", "人民网", "新华网", "永州发布"]) {
      const r = addSource(s, name, 20, 256);
      news.push(r.isNew);
      s = r.set;
    }
    expect(news).toEqual([true, true, false, true]);
    expect(s.count).toBe(3);
    expect(s.list).toEqual(["新华网", "人民网", "永州发布"]);
  });

  it("estimates large counts within a few percent in bounded space", () => {
    let s = emptySources();
    for (let i = 0; i < 5000; i++) s = addSource(s, `源${i}`, 20, 256).set;
    expect(s.list).toHaveLength(20);
    expect(s.sketch).toHaveLength(256);
    expect(Math.abs(s.count - 5000) / 5000).toBeLessThan(0.15);
  });

  it("unions exactly", () => {
    let a = emptySources();
    let b = emptySources();
    for (const n of ["a", "b", "c"]) a = addSource(a, n, 20, 256).set;
    for (const n of ["c", "d"]) b = addSource(b, n, 20, 256).set;
    const u = unionSources(a, b, 20, 256);
    expect(u.count).toBe(4);
    expect(u.list).toEqual(["a", "b", "c", "d"]);
  });
});
