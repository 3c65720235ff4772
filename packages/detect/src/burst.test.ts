import { describe, expect, it } from "vitest";
import { DEFAULT_BURST_CONFIG, applyCounts, burstConfigSchema, burstKey, countObservations, emptyBurstState, evaluate, observe, observeMany, parseBurstKey, pruneBursts, windowCount } from "./burst.js";
import type { BurstState, Observation } from "./burst.js";
import { burstStateSchema } from "./engine.js";

const HOUR = 3_600_000;
const T0 = Date.parse("2024-07-01T00:00:00Z");

/** `perHour[i]` documents of `key` spread over hour i. */
function hours(key: string, perHour: readonly number[], startHour = 0): Observation[] {
  return perHour.flatMap((n, i) => Array.from({ length: n }, (_, j) => ({ key, ts: T0 + (startHour + i) * HOUR + Math.floor((j * HOUR) / Math.max(n, 1)) })));
}

const steady = (n: number, len = 24): number[] => Array.from({ length: len }, () => n);

function stateWith(...series: Observation[][]): BurstState {
  return observeMany(emptyBurstState(), series.flat().sort((a, b) => a.ts - b.ts));
}

describe("evaluate: each key against its own baseline", () => {
  const quiet = burstKey("topic", "工资拖欠");
  const busy = burstKey("topic", "教育");

  it("fires for a quiet topic that triples, not for a busy topic at its usual volume", () => {
    const state = stateWith(hours(quiet, [...steady(2), 7]), hours(busy, [...steady(100), 110]));
    const bursts = evaluate(state, T0 + 24 * HOUR + 50 * 60_000);
    expect(bursts.map((b) => b.key)).toEqual([quiet]);
    const b = bursts[0];
    expect(b).toMatchObject({ count: 7, partial: true, bucketStart: T0 + 24 * HOUR, id: `${quiet}@${T0 + 24 * HOUR}` });
    expect(b?.ratio).toBeGreaterThanOrEqual(3);
    expect(b?.pValue).toBeLessThan(0.01);
    expect(b?.baselineMean).toBeGreaterThan(1.5);
  });

  it("fires for a busy topic that triples", () => {
    const state = stateWith(hours(busy, [...steady(100), 320]));
    expect(evaluate(state, T0 + 24 * HOUR + 59 * 60_000).map((b) => b.key)).toEqual([busy]);
  });

  it("needs a bigger jump from a key whose volume swings by nature (negative binomial tail)", () => {
    const swinging = Array.from({ length: 24 }, (_, i) => (i % 2 === 0 ? 10 : 190));
    const state = stateWith(hours(busy, [...swinging, 320]), hours(quiet, [...steady(100), 320]));
    const keys = evaluate(state, T0 + 24 * HOUR + 59 * 60_000).map((b) => b.key);
    expect(keys).toEqual([quiet]);
  });

  it("reports nothing during the warm-up and nothing under the noise floor", () => {
    const early = stateWith(hours(quiet, [0, 0, 30]));
    expect(evaluate(early, T0 + 2 * HOUR + 1)).toEqual([]);
    const fresh = burstKey("keyword", "透水");
    const state = stateWith(hours(quiet, steady(1, 8)), hours(fresh, [4], 8));
    expect(evaluate(state, T0 + 8 * HOUR + 1)).toEqual([]);
    const five = observe(state, fresh, T0 + 8 * HOUR + 2);
    expect(evaluate(five, T0 + 8 * HOUR + 3).map((b) => [b.key, b.count])).toEqual([[fresh, 5]]);
  });

  it("still reports the just-closed bucket (not partial) and forgets it one bucket later", () => {
    const state = stateWith(hours(quiet, [...steady(2), 9]));
    expect(evaluate(state, T0 + 25 * HOUR + 1).map((b) => b.partial)).toEqual([false]);
    expect(evaluate(state, T0 + 26 * HOUR + 1)).toEqual([]);
  });

  it("can be limited to the keys a batch touched", () => {
    const other = burstKey("region", "431129");
    const state = stateWith(hours(quiet, [...steady(2), 9]), hours(other, [...steady(2), 9]));
    expect(evaluate(state, T0 + 24 * HOUR + 1, DEFAULT_BURST_CONFIG, [other, "kw:none"]).map((b) => b.key)).toEqual([other]);
  });
});

describe("evaluate: the open bucket is judged over a sliding window", () => {
  const quiet = burstKey("topic", "工资拖欠");
  const at = (h: number, m: number, s = 0): number => T0 + h * HOUR + m * 60_000 + s * 1000;
  /** Three posts an hour for a day, then twelve posts in two minutes around 25:00: four before the hour, eight after. */
  function straddling(): BurstState {
    const wave = Array.from({ length: 12 }, (_, i) => ({ key: quiet, ts: at(24, 59, 28) + i * 10_000 }));
    return stateWith(hours(quiet, steady(3, 25)), wave);
  }

  it("catches a wave that straddles a full hour, which neither hour's own count shows", () => {
    const before = observeMany(emptyBurstState(), [...hours(quiet, steady(3, 25))].concat(Array.from({ length: 4 }, (_, i) => ({ key: quiet, ts: at(24, 59, 28) + i * 10_000 }))));
    // the four posts before the hour: 3 + 4 = 7 in hour 24, not 3× a baseline of ~3
    expect(evaluate(before, at(24, 59, 59))).toEqual([]);
    const state = straddling();
    const ks = state.keys[quiet]!;
    expect(ks).toMatchObject({ bucket: Math.floor(at(25, 0) / HOUR), count: 8, prev: 7 });
    // eight in hour 25 alone would not do either (ratio < 3) ...
    expect(evaluate({ ...state, keys: { [quiet]: { ...ks, prev: 0 } } }, at(25, 1, 28))).toEqual([]);
    // ... the window holds 8 + floor(7 × (1 − 88 s / 1 h)) = 14
    const [burst, ...rest] = evaluate(state, at(25, 1, 28));
    expect(rest).toEqual([]);
    expect(burst).toMatchObject({ key: quiet, count: 14, partial: true, bucketStart: at(25, 0) });
    expect(burst?.ratio).toBeGreaterThan(3);
  });

  it("lets the previous hour's share fade as the hour goes on", () => {
    const state = straddling();
    expect(windowCount(state.keys[quiet]!, at(25, 30), HOUR)).toBe(8 + 3);
    expect(windowCount(state.keys[quiet]!, at(25, 59, 59), HOUR)).toBe(8);
    expect(evaluate(state, at(25, 59, 59))).toEqual([]);
  });

  it("does not fire on a steady rate that merely crosses the hour", () => {
    const state = stateWith(hours(quiet, steady(3, 25)), [{ key: quiet, ts: at(25, 0, 10) }]);
    expect(state.keys[quiet]).toMatchObject({ count: 1, prev: 3 });
    expect(evaluate(state, at(25, 0, 20))).toEqual([]);
  });

  it("counts a post from the hour before that arrives after the hour turned in the window, not in the baseline", () => {
    const rolled = straddling();
    const late = observeMany(rolled, [{ key: quiet, ts: at(24, 59, 0) }]);
    expect(late.keys[quiet]).toMatchObject({ count: 8, prev: 8, mean: rolled.keys[quiet]!.mean });
    expect(late.late).toBe(rolled.late + 1);
  });

  it("keeps the previous count through the stored form", () => {
    const state = straddling();
    expect(burstStateSchema.parse(JSON.parse(JSON.stringify(state))).keys[quiet]).toEqual(state.keys[quiet]);
  });
});

describe("observeMany", () => {
  it("counts posts older than a key's open bucket as late instead of rewriting history", () => {
    const state = stateWith(hours(quiet(), [1, 1, 1]));
    const after = observe(state, quiet(), T0);
    expect(after.late).toBe(1);
    expect(after.keys[quiet()]).toEqual(state.keys[quiet()]);
  });

  it("rejects a non-finite time naming the key", () => {
    expect(() => observe(emptyBurstState(), "topic:x", Number.NaN)).toThrow(/"topic:x": ts is not a finite/);
  });

  it("keeps a state that survives JSON", () => {
    const state = stateWith(hours(quiet(), [...steady(2), 9]));
    const restored = JSON.parse(JSON.stringify(state)) as BurstState;
    expect(evaluate(restored, T0 + 24 * HOUR + 1)).toEqual(evaluate(state, T0 + 24 * HOUR + 1));
  });

  it("counts a batch as the touched keys only, which folded in give what observeMany gives, leaving the input alone", () => {
    const state = stateWith(hours(quiet(), [...steady(2), 9]), hours(burstKey("region", "431129"), steady(2)));
    const before = JSON.stringify(state);
    const batch = [
      { key: quiet(), ts: T0 + 24 * HOUR + 5 },
      { key: "kw:新词", ts: T0 + 24 * HOUR + 6 },
      { key: quiet(), ts: T0 + 2 * HOUR },
      { key: quiet(), ts: T0 + 25 * HOUR },
    ];
    const counts = countObservations(state, batch);
    expect(Object.keys(counts.keys)).toEqual([quiet(), "kw:新词"]);
    expect(JSON.stringify(state)).toBe(before);
    const expected = observeMany(state, batch);
    const folded = JSON.parse(before) as BurstState;
    applyCounts(folded, counts);
    expect(folded).toEqual(expected);
    expect(evaluate(counts, T0 + 25 * HOUR, DEFAULT_BURST_CONFIG, Object.keys(counts.keys))).toEqual(evaluate(expected, T0 + 25 * HOUR));
  });

  function quiet(): string {
    return burstKey("topic", "养老");
  }
});

describe("pruneBursts", () => {
  it("drops keys silent for long whose baseline decayed away, keeps active ones", () => {
    const gone = burstKey("keyword", "一次性");
    const live = burstKey("topic", "医疗");
    const state = stateWith(hours(gone, [1]), hours(live, steady(3, 200)));
    const pruned = pruneBursts(state, T0 + 200 * HOUR);
    expect(Object.keys(pruned.keys)).toEqual([live]);
  });
});

describe("pruneBursts bound", () => {
  it("drops a keyword seen once after a day of silence, and a burst of it later is judged as before", () => {
    const once = burstKey("keyword", "一次性");
    const state = stateWith(hours(quiet(), steady(30, 3)), hours(once, [1]));
    const dayLater = T0 + 26 * HOUR;
    const pruned = pruneBursts(state, dayLater);
    expect(Object.keys(pruned.keys)).toEqual([quiet()]);
    // Twelve posts of it in the next hour burst alike, counted on the kept or on the pruned state.
    const wave = Array.from({ length: 12 }, (_, i) => ({ key: once, ts: dayLater + i * 60_000 }));
    const strip = (bursts: ReturnType<typeof evaluate>) => bursts.map((b) => [b.key, b.count, b.ratio, b.pValue < DEFAULT_BURST_CONFIG.maxPValue]);
    expect(strip(evaluate(observeMany(pruned, wave), dayLater + 20 * 60_000))).toEqual(strip(evaluate(observeMany(state, wave), dayLater + 20 * 60_000)));
  });

  function quiet(): string {
    return burstKey("topic", "养老");
  }
});

describe("keys and config", () => {
  it("builds and parses keys of each kind", () => {
    expect(burstKey("region", "431129")).toBe("region:431129");
    expect(parseBurstKey("kw:透水")).toEqual({ kind: "keyword", value: "透水" });
    expect(parseBurstKey("topic:安全生产")).toEqual({ kind: "topic", value: "安全生产" });
    expect(parseBurstKey("other")).toBeUndefined();
  });

  it("fills defaults and rejects nonsense", () => {
    expect(burstConfigSchema.parse({ minCount: 8 })).toEqual({ ...DEFAULT_BURST_CONFIG, minCount: 8 });
    expect(burstConfigSchema.safeParse({ alpha: 0 }).success).toBe(false);
    expect(burstConfigSchema.safeParse({ maxPValue: 2 }).success).toBe(false);
  });
});
