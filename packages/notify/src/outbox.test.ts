import { describe, expect, it } from "vitest";
import { applyOutboxEvent, backoffDelay, DEFAULT_RETRY_POLICY, isDue, newOutboxEntry, outboxEntryId, type OutboxEntry } from "./outbox.js";
import type { DeliveryResult } from "./notification.js";
import { sampleNotification } from "./testing/fixtures.js";

const t0 = Date.parse("2024-05-01T00:00:00.000Z");
const policy = { maxAttempts: 4, baseDelayMs: 1_000, maxDelayMs: 5_000, jitter: 0.2 };
const claimEvent = { type: "claim" as const, owner: "replica-a", token: "tok-1", leaseMs: 30_000 };
const failure = { ok: false, retriable: true, status: 503, error: "HTTP 503" };

function fresh(): OutboxEntry {
  return newOutboxEntry(sampleNotification(), "webhook", "ops-webhook", t0);
}

function deliver(entry: OutboxEntry, result: DeliveryResult, at: number, random = 0.5): OutboxEntry {
  return applyOutboxEvent(entry, { type: "delivered", result, deliveredAs: entry.idempotencyKey, policy, random }, at);
}

describe("outbox entries", () => {
  it("get a deterministic id per (key, channel, target)", () => {
    const n = sampleNotification();
    expect(newOutboxEntry(n, "webhook", "t", t0).id).toBe(outboxEntryId(n.idempotencyKey, "webhook", "t"));
    expect(outboxEntryId("k", "webhook", "t")).not.toBe(outboxEntryId("k", "wecom", "t"));
    expect(outboxEntryId("k", "webhook", "t1")).not.toBe(outboxEntryId("k", "webhook", "t"));
    expect(outboxEntryId("k", "webhook", "t")).toMatch(/^[0-9a-f]{64}$/);
  });

  it("go pending → sending → sent", () => {
    const claimed = applyOutboxEvent(fresh(), claimEvent, t0);
    expect(claimed.state).toBe("sending");
    expect(claimed.lease).toEqual({ owner: "replica-a", token: "tok-1", until: "2024-05-01T00:00:30.000Z" });
    expect(claimed.dueAt).toBe("2024-05-01T00:00:30.000Z");
    const sent = applyOutboxEvent(claimed, { type: "delivered", result: { ok: true, retriable: false, status: 200, providerMessageId: "m1" }, deliveredAs: "digest:x", policy, random: 0 }, t0 + 100);
    expect(sent).toMatchObject({ state: "sent", attempts: 1, dueAt: null, lease: null, sentAt: "2024-05-01T00:00:00.100Z", deliveredAs: "digest:x" });
    expect(sent.history).toEqual([{ at: "2024-05-01T00:00:00.100Z", ok: true, retriable: false, status: 200, providerMessageId: "m1", deliveredAs: "digest:x" }]);
  });

  it("retry with exponential backoff, then die after maxAttempts", () => {
    let e = fresh();
    let now = t0;
    const delays: number[] = [];
    for (let attempt = 1; attempt <= 3; attempt++) {
      e = deliver(applyOutboxEvent(e, claimEvent, now), failure, now);
      expect(e.state).toBe("failed");
      expect(e.attempts).toBe(attempt);
      const due = Date.parse(e.dueAt ?? "");
      delays.push(due - now);
      expect(isDue(e, due - 1)).toBe(false);
      expect(isDue(e, due)).toBe(true);
      now = due;
    }
    expect(delays).toEqual([1_000, 2_000, 4_000]);
    e = deliver(applyOutboxEvent(e, claimEvent, now), failure, now);
    expect(e).toMatchObject({ state: "dead", attempts: 4, dueAt: null });
    expect(e.lastError).toBe("gave up after 4 attempts: HTTP 503");
    expect(e.history).toHaveLength(4);
    expect(() => applyOutboxEvent(e, claimEvent, now + 1e9)).toThrow(/already dead/);
  });

  it("die at once on a non-retriable failure", () => {
    const e = deliver(applyOutboxEvent(fresh(), claimEvent, t0), { ok: false, retriable: false, status: 400, error: "HTTP 400" }, t0);
    expect(e).toMatchObject({ state: "dead", attempts: 1, lastError: "HTTP 400" });
  });

  it("wait at least as long as the peer asked (Retry-After, DingTalk mute)", () => {
    const e = deliver(applyOutboxEvent(fresh(), claimEvent, t0), { ...failure, retryAfterMs: 600_000 }, t0);
    expect(Date.parse(e.dueAt ?? "") - t0).toBe(600_000);
  });

  it("cannot be claimed before they are due, or twice under a live lease", () => {
    const failed = deliver(applyOutboxEvent(fresh(), claimEvent, t0), failure, t0);
    expect(() => applyOutboxEvent(failed, claimEvent, t0 + 10)).toThrow(/not due until/);
    const claimed = applyOutboxEvent(fresh(), claimEvent, t0);
    expect(() => applyOutboxEvent(claimed, { ...claimEvent, owner: "replica-b" }, t0 + 29_999)).toThrow(/not due/);
  });

  it("can be reclaimed once a lease expires, counting the lost attempt", () => {
    const claimed = applyOutboxEvent(fresh(), claimEvent, t0);
    const reclaimed = applyOutboxEvent(claimed, { ...claimEvent, owner: "replica-b", token: "tok-2" }, t0 + 30_000);
    expect(reclaimed).toMatchObject({ state: "sending", attempts: 1, lease: { owner: "replica-b", token: "tok-2" } });
    expect(reclaimed.lastError).toBe("lease of replica-a expired; outcome unknown");
  });

  it("go back to pending (or failed, once tried) when deferred, without counting an attempt", () => {
    const deferred = applyOutboxEvent(applyOutboxEvent(fresh(), claimEvent, t0), { type: "defer", until: t0 + 40_000, reason: "rate limit" }, t0);
    expect(deferred).toMatchObject({ state: "pending", attempts: 0, lease: null, dueAt: "2024-05-01T00:00:40.000Z" });
    const tried = deliver(applyOutboxEvent(fresh(), claimEvent, t0), failure, t0);
    const due = Date.parse(tried.dueAt ?? "");
    const deferredAgain = applyOutboxEvent(applyOutboxEvent(tried, claimEvent, due), { type: "defer", until: due + 5, reason: "rate limit" }, due);
    expect(deferredAgain).toMatchObject({ state: "failed", attempts: 1 });
  });

  it("reject results for entries that are not claimed", () => {
    expect(() => deliver(fresh(), failure, t0)).toThrow(/is pending, not sending/);
    expect(() => applyOutboxEvent(fresh(), { type: "abandon", reason: "x" }, t0)).toThrow(/not sending/);
  });
});

describe("backoffDelay", () => {
  it("doubles from the base, caps at the max, and jitters within ± jitter", () => {
    const p = DEFAULT_RETRY_POLICY;
    expect([1, 2, 3, 4].map((a) => backoffDelay(a, p, 0.5))).toEqual([5_000, 10_000, 20_000, 40_000]);
    expect(backoffDelay(20, p, 0.5)).toBe(p.maxDelayMs);
    expect(backoffDelay(20, p, 0.999)).toBe(p.maxDelayMs);
    expect(backoffDelay(1, p, 0)).toBe(4_000);
    expect(backoffDelay(1, p, 1)).toBe(6_000);
    for (let i = 0; i < 50; i++) {
      const d = backoffDelay(3, p, i / 50);
      expect(d).toBeGreaterThanOrEqual(16_000);
      expect(d).toBeLessThanOrEqual(24_000);
    }
  });
});
