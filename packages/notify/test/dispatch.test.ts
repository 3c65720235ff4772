import { createHmac } from "node:crypto";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { createChannelRouter, deliveryStatus, dispatch, enqueue, NotifyConfig, type Notification } from "../src/index.js";
import { MemoryOutboxStore, sampleNotification } from "../src/testing/index.js";
import { startReceiver, type Receiver } from "./receiver.js";

let peer: Receiver;
beforeAll(async () => {
  peer = await startReceiver();
});
afterAll(async () => {
  await peer.close();
});
beforeEach(() => peer.reset());

const webhookSecret = "webhook-secret-0123456789";
const t0 = Date.parse("2024-05-01T00:00:00.000Z");
const opts = { owner: "replica-a", leaseMs: 60_000, random: () => 0.5 };

function router() {
  return createChannelRouter(
    NotifyConfig.parse({
      timeoutMs: 2_000,
      targets: {
        "ops-webhook": { channel: "webhook", url: `${peer.baseUrl}/hooks/liaowang`, secret: webhookSecret },
        "propaganda-wecom": { channel: "wecom", url: `${peer.baseUrl}/cgi-bin/webhook/send?key=robot-1` },
      },
    }),
  );
}

function alerts(count: number): Notification[] {
  return Array.from({ length: count }, (_, i) =>
    sampleNotification({ alertId: `alert-${i}`, idempotencyKey: `alert-${i}:new`, title: `第${i}号预警：某地发生突发事件`, level: i === 24 ? "I" : "IV" }),
  );
}

/** Alert ids a robot request carried, individually or inside a digest. */
function alertsIn(body: string): string[] {
  const content = (JSON.parse(body) as { markdown: { content: string } }).markdown.content;
  return [...content.matchAll(/第(\d+)号预警/g)].map((m) => `alert-${m[1]}`);
}

describe("outbox dispatch through real channels", () => {
  it("retries after a 5xx and the receiver sees the same Idempotency-Key both times", async () => {
    const store = new MemoryOutboxStore();
    let calls = 0;
    peer.respond(() => (++calls === 1 ? { status: 503, body: "busy" } : { status: 204 }));
    const n = sampleNotification();
    await enqueue(store, n, [{ channel: "webhook", targetId: "ops-webhook" }], t0);

    expect(await dispatch(store, router(), t0, opts)).toMatchObject({ requests: 1, retrying: 1 });
    const [failed] = await deliveryStatus(store, n.alertId);
    expect(failed).toMatchObject({ state: "failed", attempts: 1, lastError: "HTTP 503: busy" });
    expect(await dispatch(store, router(), t0 + 1_000, opts)).toMatchObject({ requests: 0 });
    expect(await dispatch(store, router(), Date.parse(failed?.dueAt ?? ""), opts)).toMatchObject({ requests: 1, sent: 1 });

    expect(peer.requests).toHaveLength(2);
    const keys = peer.requests.map((r) => r.headers["idempotency-key"]);
    expect(keys).toEqual([n.idempotencyKey, n.idempotencyKey]);
    for (const r of peer.requests) {
      const ts = String(r.headers["x-liaowang-timestamp"]);
      expect(r.headers["x-liaowang-signature"]).toBe(`sha256=${createHmac("sha256", webhookSecret).update(`${ts}.${r.body}`).digest("hex")}`);
    }
    const [sent] = await deliveryStatus(store, n.alertId);
    expect(sent).toMatchObject({ state: "sent", attempts: 2 });
    expect(sent?.history.map((h) => h.status)).toEqual([503, 204]);
  });

  it("25 alerts arriving within a minute reach one WeCom robot in at most 20 requests, none lost", async () => {
    const store = new MemoryOutboxStore();
    const r = router();
    const sentAt: number[] = [];
    let now = t0;
    peer.respond(() => {
      sentAt.push(now);
      return { status: 200, body: '{"errcode":0,"errmsg":"ok"}' };
    });
    const queue = alerts(25);
    // One alert every 2 s, the dispatcher ticking every second, for two simulated minutes.
    for (now = t0; now < t0 + 120_000; now += 1_000) {
      const due = queue.filter((_, i) => t0 + i * 2_000 === now);
      for (const n of due) await enqueue(store, n, [{ channel: "wecom", targetId: "propaganda-wecom" }], now);
      await dispatch(store, r, now, opts);
    }

    const firstMinute = sentAt.filter((t) => t < t0 + 60_000);
    expect(firstMinute.length).toBeLessThanOrEqual(20);
    for (const start of sentAt) expect(sentAt.filter((t) => t >= start && t < start + 60_000).length).toBeLessThanOrEqual(18);

    const delivered = peer.requests.flatMap((req) => alertsIn(req.body));
    expect(new Set(delivered)).toEqual(new Set(queue.map((n) => n.alertId)));
    expect(delivered).toHaveLength(25);
    expect(peer.requests.length).toBeLessThan(25);
    const digests = peer.requests.filter((req) => alertsIn(req.body).length > 1);
    expect(digests.length).toBeGreaterThan(0);
    expect(store.all().every((e) => e.state === "sent")).toBe(true);
  });

  it("25 alerts queued at once go out as 18 requests, the I-level alert first and alone", async () => {
    const store = new MemoryOutboxStore();
    for (const n of alerts(25)) await enqueue(store, n, [{ channel: "wecom", targetId: "propaganda-wecom" }], t0);
    expect(await dispatch(store, router(), t0, opts)).toMatchObject({ claimed: 25, requests: 18, sent: 25 });
    expect(peer.requests).toHaveLength(18);
    expect(alertsIn(peer.requests[0]?.body ?? "")).toEqual(["alert-24"]);
    const last = peer.requests.at(-1)?.body ?? "";
    expect(last).toContain("【瞭望·预警汇总】共 8 条");
    expect(new Set(peer.requests.flatMap((req) => alertsIn(req.body))).size).toBe(25);
  });
});
