import { describe, expect, it } from "vitest";
import { listedDeltas, nextRuns, toRuns } from "./candidates.js";

describe("a head's list of deltas", () => {
  it("is stored as runs of consecutive ids and read back in order", () => {
    const ids = ["d1-aa-7", "d1-aa-8", "d1-aa-9", "d1-bb-10", "d1-bb-11", "d1-cc-13", "d1-cc-12"];
    const runs = toRuns(ids);
    expect(runs).toEqual([
      { prefix: "d1-aa-", from: 7, to: 9 },
      { prefix: "d1-bb-", from: 10, to: 11 },
      { prefix: "d1-cc-", from: 13, to: 13 },
      { prefix: "d1-cc-", from: 12, to: 12 },
    ]);
    expect(listedDeltas({ runs })).toEqual(ids);
  });

  it("keeps an id that is not <prefix><seq> whole", () => {
    const ids = ["odd", "d2-x-01", "d2-x-1", "d2-x-2"];
    expect(listedDeltas({ runs: toRuns(ids) })).toEqual(ids);
  });

  it("reads a head written before runs (every id listed) and a missing head as nothing", () => {
    expect(listedDeltas({ deltas: ["d0-e-1", "d0-e-2"] })).toEqual(["d0-e-1", "d0-e-2"]);
    expect(listedDeltas(undefined)).toEqual([]);
    expect(listedDeltas({ runs: [] })).toEqual([]);
  });

  it("after a write: drops the oldest deltas across runs and appends the new one, extending its run", () => {
    const ids = ["d1-aa-7", "d1-aa-8", "d1-bb-9", "d1-bb-10", "odd", "d1-cc-11"];
    const runs = toRuns(ids);
    for (let drop = 0; drop <= ids.length; drop++) {
      for (const added of ["d1-cc-12", "d1-dd-12"]) {
        const cut = added.lastIndexOf("-") + 1;
        const next = nextRuns(runs, drop, { prefix: added.slice(0, cut), seq: Number(added.slice(cut)) });
        expect(next).toEqual(toRuns([...ids.slice(drop), added]));
      }
    }
    // The held runs are not changed in place.
    expect(listedDeltas({ runs })).toEqual(ids);
  });
});
