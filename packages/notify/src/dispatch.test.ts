import { describe, expect, it } from "vitest";
import type { RateLimitConfig } from "./config.js";
import { dispatch, type DispatchOptions } from "./dispatch.js";
import type { ChannelKind, DeliveryResult, Notification } from "./notification.js";
import { claimDue, deliveryStatus, enqueue } from "./outbox-store.js";
import type { ChannelRouter } from "./router.js";
import { sampleNotification } from "./testing/fixtures.js";
import { MemoryOutboxStore } from "./testing/memory-outbox-store.js";

const t0 = Date.parse("2024-05-01T00:00:00.000Z");
const wecom = [{ channel: "wecom" as const, targetId: "propaganda-robot" }];
const opts: DispatchOptions = { owner: "replica-a", leaseMs: 60_000, random: () => 0.5 };

/** A router whose single route records what it is asked to send and answers with `reply`. */
function recordingRouter(reply: (message: Notification, call: number) => DeliveryResult | Promise<DeliveryResult>, rateLimit: RateLimitConfig | null = null) {
  const sent: Notification[] = [];
  const router: ChannelRouter = {
    route(channel: ChannelKind, targetId: string) {
      if (channel !== "wecom" || targetId !== "propaganda-robot") return undefined;
      return {
        rateKey: "wecom:robot-1",
        rateLimit,
        async send(message) {
          sent.push(message);
          return reply(message, sent.length);
        },
      };
    },
  };
  return { router, sent };
}

const ok: DeliveryResult = { ok: true, retriable: false, status: 0 };

function alerts(count: number): Notification[] {
  return Array.from({ length: count }, (_, i) => sampleNotification({ alertId: `a${i}`, idempotencyKey: `a${i}:new`, level: i % 5 === 0 ? "I" : "IV" }));
}

describe("enqueue", () => {
  it("records a notification once per target however often it is replayed", async () => {
    const store = new MemoryOutboxStore();
    const n = sampleNotification();
    const first = await enqueue(store, n, [...wecom, { channel: "email", targetId: "duty-mail" }], t0);
    const again = await enqueue(store, n, [...wecom, { channel: "email", targetId: "duty-mail" }], t0 + 5_000);
    expect(first.created).toHaveLength(2);
    expect(again.created).toHaveLength(0);
    expect(again.existing).toEqual(first.created.map((e) => e.id));
    expect(store.all()).toHaveLength(2);
  });
});

describe("dispatch", () => {
  it("sends each due entry once and records it as sent", async () => {
    const store = new MemoryOutboxStore();
    const { router, sent } = recordingRouter(() => ({ ...ok, providerMessageId: "m-1" }));
    const n = sampleNotification();
    await enqueue(store, n, wecom, t0);
    const report = await dispatch(store, router, t0, opts);
    expect(report).toMatchObject({ claimed: 1, requests: 1, sent: 1, retrying: 0, dead: 0, lostLeases: 0 });
    expect(await dispatch(store, router, t0 + 3_600_000, opts)).toMatchObject({ claimed: 0, requests: 0 });
    expect(sent.map((m) => m.idempotencyKey)).toEqual([n.idempotencyKey]);
    const [status] = await deliveryStatus(store, n.alertId);
    expect(status).toMatchObject({ state: "sent", attempts: 1, deliveredAs: n.idempotencyKey, sentAt: "2024-05-01T00:00:00.000Z" });
    expect(status?.history[0]?.providerMessageId).toBe("m-1");
  });

  it("retries a retriable failure after the backoff with the same idempotency key", async () => {
    const store = new MemoryOutboxStore();
    const { router, sent } = recordingRouter((_, call) => (call === 1 ? { ok: false, retriable: true, status: 503, error: "HTTP 503" } : ok));
    await enqueue(store, sampleNotification(), wecom, t0);
    expect(await dispatch(store, router, t0, opts)).toMatchObject({ requests: 1, retrying: 1 });
    expect(await dispatch(store, router, t0 + 4_999, opts)).toMatchObject({ claimed: 0 });
    expect(await dispatch(store, router, t0 + 5_000, opts)).toMatchObject({ requests: 1, sent: 1 });
    expect(sent).toHaveLength(2);
    expect(sent[0]?.idempotencyKey).toBe(sent[1]?.idempotencyKey);
    expect(store.all()[0]).toMatchObject({ state: "sent", attempts: 2 });
  });

  it("marks entries for a target that is no longer configured as dead without sending", async () => {
    const store = new MemoryOutboxStore();
    const { router, sent } = recordingRouter(() => ok);
    await enqueue(store, sampleNotification(), [{ channel: "wecom", targetId: "removed-robot" }], t0);
    expect(await dispatch(store, router, t0, opts)).toMatchObject({ dead: 1, requests: 0 });
    expect(sent).toEqual([]);
    expect(store.all()[0]?.lastError).toBe('no wecom target "removed-robot" is configured');
  });

  it("after a crash between claim and result, waits out the lease and then resends once", async () => {
    const store = new MemoryOutboxStore();
    const { router, sent } = recordingRouter(() => ok);
    await enqueue(store, sampleNotification(), wecom, t0);
    // Replica A claims and dies before sending or recording anything.
    expect(await claimDue(store, t0, { owner: "replica-a", leaseMs: 60_000, limit: 10 })).toHaveLength(1);
    expect(await dispatch(store, router, t0 + 59_999, { ...opts, owner: "replica-b" })).toMatchObject({ claimed: 0, requests: 0 });
    expect(await dispatch(store, router, t0 + 60_000, { ...opts, owner: "replica-b" })).toMatchObject({ claimed: 1, requests: 1, sent: 1 });
    expect(sent).toHaveLength(1);
    expect(store.all()[0]).toMatchObject({ state: "sent", attempts: 2 });
  });

  it("is at-least-once: a replica stalled past its lease loses the entry and its late result is not recorded", async () => {
    const store = new MemoryOutboxStore();
    let release: (r: DeliveryResult) => void = () => {};
    const stalled = new Promise<DeliveryResult>((resolve) => (release = resolve));
    const { router, sent } = recordingRouter((_, call) => (call === 1 ? stalled : ok));
    await enqueue(store, sampleNotification(), wecom, t0);
    const slow = dispatch(store, router, t0, opts);
    await new Promise((r) => setImmediate(r));
    expect(sent).toHaveLength(1);
    // The lease lapses; replica B reclaims and sends again: the receiver sees the same key twice.
    expect(await dispatch(store, router, t0 + 60_000, { ...opts, owner: "replica-b" })).toMatchObject({ sent: 1 });
    release(ok);
    expect(await slow).toMatchObject({ requests: 1, sent: 0, lostLeases: 1 });
    expect(sent.map((m) => m.idempotencyKey)).toEqual([sent[0]?.idempotencyKey, sent[0]?.idempotencyKey]);
    expect(store.all()[0]).toMatchObject({ state: "sent", lease: null });
  });

  it("stops starting sends once half the lease is gone and leaves the rest due", async () => {
    const store = new MemoryOutboxStore();
    let clock = 0;
    const { router, sent } = recordingRouter(() => {
      clock += 31_000;
      return ok;
    });
    for (const n of alerts(3)) await enqueue(store, n, wecom, t0);
    const report = await dispatch(store, router, t0, { ...opts, monotonicMs: () => clock });
    expect(report).toMatchObject({ claimed: 3, requests: 1, sent: 1, deferred: 2 });
    expect(sent).toHaveLength(1);
    expect(await dispatch(store, router, t0, { ...opts, monotonicMs: () => 0 })).toMatchObject({ requests: 2, sent: 2 });
  });

  it("never lets two replicas dispatching at once send an entry twice", async () => {
    const store = new MemoryOutboxStore();
    const { router, sent } = recordingRouter(async () => {
      await new Promise((r) => setImmediate(r));
      return ok;
    });
    for (const n of alerts(10)) await enqueue(store, n, wecom, t0);
    const [a, b] = await Promise.all([dispatch(store, router, t0, opts), dispatch(store, router, t0, { ...opts, owner: "replica-b" })]);
    expect(a.sent + b.sent).toBe(10);
    expect(new Set(sent.map((m) => m.idempotencyKey)).size).toBe(10);
    expect(sent).toHaveLength(10);
  });

  it("keeps a burst to one robot within the rate limit by merging, and defers the rest", async () => {
    const store = new MemoryOutboxStore();
    const limit = { limit: 18, windowMs: 60_000 };
    const { router, sent } = recordingRouter(() => ok, limit);
    for (const n of alerts(10)) await enqueue(store, n, wecom, t0);
    expect(await dispatch(store, router, t0, opts)).toMatchObject({ requests: 10, sent: 10 });
    for (const n of alerts(30).slice(10)) await enqueue(store, n, wecom, t0 + 1_000);
    const second = await dispatch(store, router, t0 + 1_000, opts);
    expect(second.requests).toBe(8);
    expect(sent).toHaveLength(18);
    const digest = sent.at(-1);
    expect(digest?.kind).toBe("digest");
    expect(digest?.items).toHaveLength(13);
    // Nothing else may go out until the first request ages out of the window.
    expect(await dispatch(store, router, t0 + 59_999, opts)).toMatchObject({ requests: 0 });
    const allAlerts = new Set(sent.flatMap((m) => (m.items ? m.items.map((i) => i.alertId) : [m.alertId])));
    expect(allAlerts.size).toBe(30);
    const entries = store.all();
    expect(entries.every((e) => e.state === "sent")).toBe(true);
    expect(entries.filter((e) => e.deliveredAs === digest?.idempotencyKey)).toHaveLength(13);
  });

  it("holds back the rest of a target's queue when the vendor throttles it", async () => {
    const store = new MemoryOutboxStore();
    const { router, sent } = recordingRouter(() => ({ ok: false, retriable: true, status: 130101, error: "send too fast", retryAfterMs: 600_000 }));
    for (const n of alerts(3)) await enqueue(store, n, wecom, t0);
    expect(await dispatch(store, router, t0, opts)).toMatchObject({ requests: 1, retrying: 1, deferred: 2 });
    expect(sent).toHaveLength(1);
    expect(store.all().every((e) => e.dueAt === "2024-05-01T00:10:00.000Z")).toBe(true);
  });

  it("retries a channel that throws instead of losing the alert", async () => {
    const store = new MemoryOutboxStore();
    const { router } = recordingRouter(() => {
      throw new Error("boom");
    });
    await enqueue(store, sampleNotification(), wecom, t0);
    expect(await dispatch(store, router, t0, opts)).toMatchObject({ retrying: 1 });
    expect(store.all()[0]?.lastError).toBe("channel threw: boom");
  });
});
