import { describe, expect, it } from "vitest";
import { createLogger } from "@liaowang/logger";
import { LiveHub } from "../live/hub.js";
import { AlertListCache } from "./alert-list-cache.js";

/** A cache on a hand-moved clock, and a loader counting its reads (each read answers its own number). */
function setup(options: { ttlMs?: number; active?: boolean } = {}) {
  let now = 0;
  let active = options.active ?? true;
  let reads = 0;
  const cache = new AlertListCache<number>({ ttlMs: options.ttlMs ?? 1_000, active: () => active, clock: () => now });
  const load = async () => ++reads;
  return {
    cache,
    read: (key = "live") => cache.get(key, load),
    advance: (ms: number) => (now += ms),
    setActive: (a: boolean) => (active = a),
    reads: () => reads,
  };
}

describe("AlertListCache", () => {
  it("answers a list again from memory within ttlMs, and reads it afresh after", async () => {
    const c = setup();
    expect(await c.read()).toBe(1);
    c.advance(999);
    expect(await c.read()).toBe(1);
    c.advance(1);
    expect(await c.read()).toBe(2);
    expect(c.reads()).toBe(2);
  });

  it("reads every list afresh once an alert changed", async () => {
    const c = setup();
    await c.read("live");
    await c.read("closed");
    c.cache.invalidate();
    expect(await c.read("live")).toBe(3);
    expect(await c.read("closed")).toBe(4);
  });

  it("keeps different filters apart", async () => {
    const c = setup();
    expect(await c.read("a")).toBe(1);
    expect(await c.read("b")).toBe(2);
    expect(await c.read("a")).toBe(1);
  });

  it("shares one read between requests that arrive while it is in flight", async () => {
    const c = setup();
    const [a, b, d] = await Promise.all([c.read(), c.read(), c.read()]);
    expect([a, b, d]).toEqual([1, 1, 1]);
    expect(c.reads()).toBe(1);
  });

  it("reads afresh every time while the live feed is not connected, and drops what it held when it reconnects", async () => {
    const c = setup({ active: false });
    expect(await c.read()).toBe(1);
    expect(await c.read()).toBe(2);
    c.setActive(true);
    expect(await c.read()).toBe(3);
    expect(await c.read()).toBe(3);
    // Events may have been missed while the feed was away: nothing read before is served after it comes back.
    c.setActive(false);
    expect(await c.read()).toBe(4);
    c.setActive(true);
    expect(await c.read()).toBe(5);
  });

  it("never holds anything with ttlMs 0", async () => {
    const c = setup({ ttlMs: 0 });
    await c.read();
    await c.read();
    expect(c.reads()).toBe(2);
  });

  it("does not keep a failed read", async () => {
    let fail = true;
    const cache = new AlertListCache<string>({ ttlMs: 1_000, active: () => true, clock: () => 0 });
    const load = async () => {
      if (fail) throw new Error("Elasticsearch unavailable");
      return "list";
    };
    await expect(cache.get("live", load)).rejects.toThrow("unavailable");
    fail = false;
    expect(await cache.get("live", load)).toBe("list");
  });

  it("is emptied by the live hub on every alert change, with or without open dashboards", async () => {
    const c = setup();
    const hub = new LiveHub(async () => undefined, createLogger({ service: "test", level: "silent" }));
    hub.onChange(() => c.cache.invalidate());
    await c.read();
    await hub.changed([]);
    expect(await c.read()).toBe(1);
    await hub.changed(["alert-inc-1"]);
    expect(await c.read()).toBe(2);
  });
});
