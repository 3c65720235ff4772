import { describe, expect, it } from "vitest";
import { mergeDigest, plan } from "./aggregate.js";
import type { Level, Notification } from "./notification.js";
import { recordSends } from "./rate-limit.js";
import { sampleNotification } from "./testing/fixtures.js";

const robot = { limit: 18, windowMs: 60_000 };
const t0 = Date.parse("2024-05-01T00:00:00.000Z");

function queueOf(levels: (Level | null)[]): Notification[] {
  return levels.map((level, i) => sampleNotification({ alertId: `a${i}`, idempotencyKey: `a${i}:new`, level, title: `预警${i}` }));
}

const keysOf = (ns: readonly Notification[]): string[] => ns.map((n) => n.idempotencyKey);

describe("plan", () => {
  it("sends everything individually when it fits, most urgent first", () => {
    const p = plan(queueOf(["IV", null, "I", "III", "II"]), { window: [], rateLimit: robot }, t0);
    expect(p.sendNow.map((s) => s.message.level)).toEqual(["I", "II", "III", "IV", null]);
    expect(p.sendNow.every((s) => s.sources.length === 1 && s.message.kind === "new")).toBe(true);
    expect(p.deferred).toEqual([]);
    expect(p.deferUntil).toBeUndefined();
  });

  it("merges a burst into one digest in the last free slot instead of dropping anything", () => {
    const queue = queueOf(Array.from({ length: 25 }, (_, i): Level | null => (i === 20 ? "I" : i === 22 ? "II" : "IV")));
    const p = plan(queue, { window: [], rateLimit: robot }, t0);
    expect(p.sendNow).toHaveLength(18);
    const singles = p.sendNow.slice(0, 17);
    const digest = p.sendNow[17];
    // The I and II alerts, queued late, still go first and alone.
    expect(singles[0]?.message.alertId).toBe("a20");
    expect(singles[1]?.message.alertId).toBe("a22");
    expect(digest?.message.kind).toBe("digest");
    expect(digest?.sources).toHaveLength(8);
    expect(digest?.message.items?.map((i) => i.alertId)).toEqual(digest?.sources.map((s) => s.alertId));
    const carried = p.sendNow.flatMap((s) => keysOf(s.sources));
    expect(new Set(carried)).toEqual(new Set(keysOf(queue)));
    expect(p.deferred).toEqual([]);
  });

  it("defers everything until a slot frees when the window is full", () => {
    const window = recordSends([], t0, 18, robot);
    const p = plan(queueOf(["I", "IV"]), { window, rateLimit: robot }, t0 + 10_000);
    expect(p.sendNow).toEqual([]);
    expect(keysOf(p.deferred)).toEqual(["a0:new", "a1:new"]);
    expect(p.deferUntil).toBe(t0 + 60_000);
  });

  it("uses a single free slot for one digest of the whole queue", () => {
    const window = recordSends([], t0, 17, robot);
    const p = plan(queueOf(["IV", "I", "III"]), { window, rateLimit: robot }, t0 + 1_000);
    expect(p.sendNow).toHaveLength(1);
    expect(p.sendNow[0]?.message.kind).toBe("digest");
    expect(p.sendNow[0]?.message.level).toBe("I");
    expect(p.sendNow[0]?.message.items?.map((i) => i.alertId)).toEqual(["a1", "a2", "a0"]);
  });

  it("caps a digest and defers the overflow to the next free slot", () => {
    const window = recordSends(recordSends([], t0, 10, robot), t0 + 5_000, 7, robot);
    const p = plan(queueOf(Array.from({ length: 40 }, (): Level => "IV")), { window, rateLimit: robot }, t0 + 6_000, { maxDigestItems: 15 });
    expect(p.sendNow).toHaveLength(1);
    expect(p.sendNow[0]?.sources).toHaveLength(15);
    expect(p.deferred).toHaveLength(25);
    expect(p.deferUntil).toBe(t0 + 60_000);
  });

  it("sends all individually on channels without a rate limit", () => {
    const p = plan(queueOf(Array.from({ length: 40 }, (): Level => "III")), { window: [], rateLimit: null }, t0);
    expect(p.sendNow).toHaveLength(40);
  });
});

describe("mergeDigest", () => {
  it("derives the same idempotency key from the same set, whatever the order", () => {
    const q = queueOf(["I", "IV", "III"]);
    const a = mergeDigest(q);
    const b = mergeDigest([q[2], q[0], q[1]] as Notification[]);
    expect(a.idempotencyKey).toBe(b.idempotencyKey);
    expect(a.idempotencyKey).toMatch(/^digest:[0-9a-f]{40}$/);
    expect(mergeDigest(q.slice(0, 2)).idempotencyKey).not.toBe(a.idempotencyKey);
  });

  it("flattens digests merged again", () => {
    const q = queueOf(["II", "IV", "III"]);
    const inner = mergeDigest(q.slice(1));
    const outer = mergeDigest([q[0] as Notification, inner]);
    expect(outer.items?.map((i) => i.alertId)).toEqual(["a0", "a1", "a2"]);
  });
});
