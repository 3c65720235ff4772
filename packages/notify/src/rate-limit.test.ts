import { describe, expect, it } from "vitest";
import { availableSlots, nextSlotAt, pruneWindow, recordSends } from "./rate-limit.js";

const policy = { limit: 3, windowMs: 60_000 };

describe("sliding window limiter", () => {
  it("counts only requests inside the window", () => {
    expect(availableSlots([], 0, policy)).toBe(3);
    expect(availableSlots([1_000, 2_000], 10_000, policy)).toBe(1);
    expect(availableSlots([1_000, 2_000, 3_000], 10_000, policy)).toBe(0);
    // A request exactly windowMs old has aged out.
    expect(availableSlots([1_000, 2_000, 3_000], 61_000, policy)).toBe(1);
    expect(pruneWindow([3_000, 1_000, 90_000, 2_000], 61_500, policy)).toEqual([2_000, 3_000, 90_000]);
    expect(pruneWindow([3_000, 1_000, 90_000, 2_000], 62_000, policy)).toEqual([3_000, 90_000]);
  });

  it("says when the next slot frees: when the request holding the window full ages out", () => {
    expect(nextSlotAt([5_000, 1_000, 3_000], 10_000, policy)).toBe(61_000);
    expect(nextSlotAt([1_000, 2_000, 3_000, 4_000], 10_000, { limit: 3, windowMs: 60_000 })).toBe(62_000);
    expect(nextSlotAt([1_000], 10_000, policy)).toBe(10_000);
  });

  it("records sends and drops expired ones so the window stays small", () => {
    const w = recordSends([1_000, 50_000], 70_000, 2, policy);
    expect(w).toEqual([50_000, 70_000, 70_000]);
    expect(availableSlots(w, 70_000, policy)).toBe(0);
    expect(availableSlots(w, 110_000, policy)).toBe(1);
    expect(availableSlots(w, 130_000, policy)).toBe(3);
  });

  it("with an injected clock, never allows more than the limit in any window", () => {
    const p = { limit: 18, windowMs: 60_000 };
    let window: number[] = [];
    const sends: number[] = [];
    for (let t = 0; t < 300_000; t += 1_500) {
      const n = Math.min(availableSlots(window, t, p), 2);
      window = recordSends(window, t, n, p);
      for (let i = 0; i < n; i++) sends.push(t);
    }
    for (const start of sends) expect(sends.filter((s) => s >= start && s < start + 60_000).length).toBeLessThanOrEqual(18);
    expect(sends.length).toBeGreaterThan(18 * 4);
  });
});
