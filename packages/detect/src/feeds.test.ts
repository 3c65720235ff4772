import { describe, expect, it } from "vitest";
import { DEFAULT_FEED_CONFIG, checkFlatlines, emptyFeedsState, expectedInterval, feedConfigSchema, observeFeed } from "./feeds.js";
import type { FeedsState } from "./feeds.js";

const MIN = 60_000;
const T0 = Date.parse("2024-07-01T00:00:00Z");

/** A source delivering `items` documents every `everyMin` minutes, `times` times. */
function deliveries(state: FeedsState, source: string, everyMin: number, times: number, items = 5, start = T0): FeedsState {
  let s = state;
  for (let i = 0; i < times; i++) for (let j = 0; j < items; j++) s = observeFeed(s, source, start + i * everyMin * MIN + j * 1000);
  return s;
}

describe("flatline", () => {
  it("learns each source's rhythm from deliveries, not from the items inside one poll", () => {
    const s = deliveries(emptyFeedsState(), "应急管理部", 30, 8);
    const feed = s.feeds["应急管理部"];
    expect(feed).toMatchObject({ count: 40, gaps: 7 });
    expect(feed?.meanGapMs).toBeCloseTo(30 * MIN - 4000, -3);
    expect(expectedInterval("应急管理部", feed!)).toBe(feed?.meanGapMs);
  });

  it("reports a source silent for more than 3× its interval once, then as ongoing, then recovered", () => {
    let s = deliveries(emptyFeedsState(), "人民网", 30, 8);
    s = deliveries(s, "新华网", 20, 20);
    const last = T0 + 7 * 30 * MIN;
    const ok = checkFlatlines(s, last + 80 * MIN);
    expect(ok.flat).toEqual([]);

    const first = checkFlatlines(s, last + 100 * MIN);
    expect(first.flat.map((f) => [f.source, f.isNew])).toEqual([["人民网", true]]);
    expect(first.flat[0]?.ratio).toBeGreaterThan(3);
    const again = checkFlatlines(first.state, last + 130 * MIN);
    expect(again.flat.map((f) => [f.source, f.isNew])).toEqual([["人民网", false]]);

    const back = observeFeed(again.state, "人民网", last + 140 * MIN);
    const recovered = checkFlatlines(back, last + 141 * MIN);
    expect(recovered.recovered).toEqual(["人民网"]);
    expect(recovered.state.feeds["人民网"]?.flatSince).toBeUndefined();
  });

  it("does not judge a source before it has a rhythm, unless its interval is configured", () => {
    const s = deliveries(emptyFeedsState(), "新源", 10, 2);
    expect(checkFlatlines(s, T0 + 1000 * MIN).flat).toEqual([]);
    const config = { ...DEFAULT_FEED_CONFIG, intervals: { 新源: 10 * MIN } };
    expect(checkFlatlines(s, T0 + 1000 * MIN, config).flat.map((f) => f.source)).toEqual(["新源"]);
  });

  it("never expects a chatty source more often than the minimum interval", () => {
    const s = deliveries(emptyFeedsState(), "微博热搜", 2, 30);
    expect(expectedInterval("微博热搜", s.feeds["微博热搜"]!)).toBe(DEFAULT_FEED_CONFIG.minIntervalMs);
  });

  it("keeps a source named __proto__ as a plain key", () => {
    const s = deliveries(emptyFeedsState(), "__proto__", 10, 8);
    expect(Object.keys(s.feeds)).toEqual(["__proto__"]);
    const check = checkFlatlines(s, T0 + 10_000 * MIN);
    expect(check.flat.map((f) => f.source)).toEqual(["__proto__"]);
    expect(Object.getPrototypeOf(check.state.feeds)).toBe(Object.prototype);
  });

  it("validates its config", () => {
    expect(feedConfigSchema.parse({ factor: 4 })).toEqual({ ...DEFAULT_FEED_CONFIG, factor: 4 });
    expect(feedConfigSchema.safeParse({ factor: 1 }).success).toBe(false);
    expect(() => observeFeed(emptyFeedsState(), "x", Number.NaN)).toThrow(/"x": time is not a finite/);
  });
});

describe("flatline after an outage", () => {
  it("does not let one long silence stretch the learned interval", () => {
    let s = deliveries(emptyFeedsState(), "人民网", 30, 10);
    const before = s.feeds["人民网"]!.meanGapMs;
    s = observeFeed(s, "人民网", T0 + 9 * 30 * MIN + 20 * 60 * MIN);
    expect(s.feeds["人民网"]!.meanGapMs).toBeLessThanOrEqual(before * 1.41);
  });
});
