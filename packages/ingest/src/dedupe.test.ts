import { describe, expect, it } from "vitest";
import { Deduper } from "./dedupe.js";

describe("Deduper", () => {
  it("remembers ids up to its bound, forgetting the least recently seen", () => {
    const dedupe = new Deduper({ max: 2 });
    expect(dedupe.isNew("a")).toBe(true);
    expect(dedupe.isNew("a")).toBe(false);
    dedupe.isNew("b");
    dedupe.isNew("c");
    expect(dedupe.has("a")).toBe(false);
    expect(dedupe.size).toBe(2);
    dedupe.forget("b");
    expect(dedupe.isNew("b")).toBe(true);
  });

  it("refuses a nonsensical bound", () => {
    expect(() => new Deduper({ max: 0 })).toThrow("Deduper max must be a positive integer, got 0");
  });
});
