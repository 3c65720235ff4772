import { describe, expect, it } from "vitest";
import { DetectorStateDoc, sourceViews } from "./sources.js";

const now = new Date("2024-05-01T12:00:00.000Z");
const ago = (minutes: number) => new Date(now.getTime() - minutes * 60_000).toISOString();

function doc(instance: string, sources: DetectorStateDoc["sources"], flatSince: Record<string, number> = {}): DetectorStateDoc {
  return DetectorStateDoc.parse({
    instance,
    savedAt: ago(1),
    sources,
    snapshot: { v: 1, bursts: {}, feeds: { v: 1, feeds: Object.fromEntries(sources.map((s) => [s.source, { lastSeenAt: Date.parse(s.lastSeenAt), ...(flatSince[s.source] ? { flatSince: flatSince[s.source] } : {}) }])) }, watermark: null },
  });
}

describe("sourceViews", () => {
  it("reports a flagged source as silent since the detector flagged it, silent ones first", () => {
    const flaggedAt = now.getTime() - 90 * 60_000;
    const views = sourceViews(
      [
        doc(
          "detector",
          [
            { source: "微博", lastSeenAt: ago(5), count: 40, expectedIntervalMs: 600_000, flat: false },
            { source: "县融媒体", lastSeenAt: ago(180), count: 12, expectedIntervalMs: 1_800_000.4, flat: true },
            { source: "新来源", lastSeenAt: ago(2), count: 1, expectedIntervalMs: null, flat: false },
          ],
          { 县融媒体: flaggedAt },
        ),
      ],
      now,
    );
    expect(views).toEqual([
      { source: "县融媒体", lastSeenAt: ago(180), normalGapMs: 1_800_000, count: 12, silent: true, silentSince: new Date(flaggedAt).toISOString(), silentForMs: 180 * 60_000 },
      { source: "微博", lastSeenAt: ago(5), normalGapMs: 600_000, count: 40, silent: false, silentForMs: 5 * 60_000 },
      { source: "新来源", lastSeenAt: ago(2), normalGapMs: null, count: 1, silent: false, silentForMs: 2 * 60_000 },
    ]);
  });

  it("uses the save time when the silence is marked but not yet recorded in the snapshot", () => {
    const [view] = sourceViews([doc("detector", [{ source: "论坛", lastSeenAt: ago(300), count: 3, expectedIntervalMs: 900_000, flat: true }])], now);
    expect(view?.silent).toBe(true);
    expect(view?.silentSince).toBe(ago(1));
  });

  it("merges replicas: silent only when every replica says so, newest post and summed counts", () => {
    const views = sourceViews(
      [
        doc("a", [{ source: "微博", lastSeenAt: ago(200), count: 10, expectedIntervalMs: 600_000, flat: true }, { source: "论坛", lastSeenAt: ago(100), count: 2, expectedIntervalMs: 900_000, flat: true }], { 微博: now.getTime() - 100 * 60_000, 论坛: now.getTime() - 50 * 60_000 }),
        doc("b", [{ source: "微博", lastSeenAt: ago(3), count: 5, expectedIntervalMs: 660_000, flat: false }, { source: "论坛", lastSeenAt: ago(120), count: 1, expectedIntervalMs: null, flat: true }], { 论坛: now.getTime() - 60 * 60_000 }),
      ],
      now,
    );
    expect(views).toEqual([
      { source: "论坛", lastSeenAt: ago(100), normalGapMs: 900_000, count: 3, silent: true, silentSince: ago(50), silentForMs: 100 * 60_000 },
      { source: "微博", lastSeenAt: ago(3), normalGapMs: 660_000, count: 15, silent: false, silentForMs: 3 * 60_000 },
    ]);
  });

  it("keeps sources when the private snapshot has an unexpected shape, and a source named __proto__ as a plain key", () => {
    const parsed = DetectorStateDoc.parse({ instance: "d", savedAt: ago(0), sources: [{ source: "__proto__", lastSeenAt: ago(60), count: 1, expectedIntervalMs: 900_000, flat: true }], snapshot: { v: 2, something: "else" } });
    expect(parsed.snapshot).toBeUndefined();
    expect(sourceViews([parsed], now)).toEqual([{ source: "__proto__", lastSeenAt: ago(60), normalGapMs: 900_000, count: 1, silent: true, silentSince: ago(0), silentForMs: 60 * 60_000 }]);
  });

  it("is empty without state", () => {
    expect(sourceViews([], now)).toEqual([]);
  });
});
