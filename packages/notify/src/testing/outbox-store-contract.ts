import { describe, expect, it } from "vitest";
import type { Notification } from "../notification.js";
import { applyOutboxEvent, newOutboxEntry } from "../outbox.js";
import { claimDue, type OutboxStore } from "../outbox-store.js";

function notification(key: string, alertId: string): Notification {
  return {
    idempotencyKey: key,
    alertId,
    incidentId: `inc-${alertId}`,
    level: "II",
    title: "某市化工厂发生爆炸",
    body: ["已造成 **3人死亡**"],
    deadlines: [{ label: "权威信息发布", dueAt: "2024-05-01T06:00:00.000Z" }],
    ackUrl: "https://liaowang.example/ack?t=x",
    department: "应急管理局",
    kind: "new",
  };
}

/**
 * The behaviour every OutboxStore must have, as a vitest suite. Run it against the in-memory
 * store (unit) and against the Elasticsearch store (integration, with a fresh index per call of
 * `makeStore`); `settle` lets a store make writes searchable (ES: refresh the index).
 * @example describeOutboxStoreContract("es", async () => createEsOutboxStore(client, uniqueIndex()), (s) => s.refresh())
 */
export function describeOutboxStoreContract<S extends OutboxStore>(name: string, makeStore: () => Promise<S>, settle: (store: S) => Promise<void> = async () => {}): void {
  const t0 = Date.parse("2024-05-01T00:00:00.000Z");

  describe(`OutboxStore contract: ${name}`, () => {
    it("putIfAbsent inserts once and refuses a duplicate id", async () => {
      const store = await makeStore();
      const entry = newOutboxEntry(notification("k1", "a1"), "wecom", "t1", t0);
      expect(await store.putIfAbsent(entry)).toBe(true);
      expect(await store.putIfAbsent({ ...entry, attempts: 5 })).toBe(false);
      const read = await store.get(entry.id);
      expect(read?.value).toEqual(entry);
      expect(await store.get("missing")).toBeUndefined();
    });

    it("replace is compare-and-set: a stale version loses", async () => {
      const store = await makeStore();
      const entry = newOutboxEntry(notification("k1", "a1"), "wecom", "t1", t0);
      await store.putIfAbsent(entry);
      const read = await store.get(entry.id);
      if (!read) throw new Error("entry not stored");
      const claimed = applyOutboxEvent(read.value, { type: "claim", owner: "r1", token: "x", leaseMs: 60_000 }, t0);
      const v2 = await store.replace(claimed, read.version);
      expect(v2).not.toBeNull();
      expect(v2).not.toBe(read.version);
      expect(await store.replace({ ...claimed, lastError: "late" }, read.version)).toBeNull();
      expect((await store.get(entry.id))?.value.lease?.owner).toBe("r1");
    });

    it("findDue returns only due entries, earliest first, up to the limit", async () => {
      const store = await makeStore();
      const later = newOutboxEntry(notification("k-later", "a1"), "wecom", "t1", t0 + 5_000);
      const earlier = newOutboxEntry(notification("k-earlier", "a1"), "wecom", "t1", t0 + 1_000);
      const future = newOutboxEntry(notification("k-future", "a1"), "wecom", "t1", t0 + 60_000);
      const sent = { ...newOutboxEntry(notification("k-sent", "a1"), "wecom", "t1", t0), state: "sent" as const, dueAt: null };
      for (const e of [later, earlier, future, sent]) await store.putIfAbsent(e);
      await settle(store);
      const due = await store.findDue(new Date(t0 + 10_000), 10);
      expect(due.map((d) => d.value.idempotencyKey)).toEqual(["k-earlier", "k-later"]);
      expect((await store.findDue(new Date(t0 + 10_000), 1)).map((d) => d.value.idempotencyKey)).toEqual(["k-earlier"]);
    });

    it("two replicas claiming the same due entries never both win one", async () => {
      const store = await makeStore();
      for (let i = 0; i < 5; i++) await store.putIfAbsent(newOutboxEntry(notification(`k${i}`, "a1"), "wecom", "t1", t0));
      await settle(store);
      const [a, b] = await Promise.all([
        claimDue(store, t0, { owner: "r1", leaseMs: 60_000, limit: 10 }),
        claimDue(store, t0, { owner: "r2", leaseMs: 60_000, limit: 10 }),
      ]);
      const ids = [...a, ...b].map((c) => c.value.id);
      expect(new Set(ids).size).toBe(ids.length);
      expect(ids.length).toBe(5);
    });

    it("listByAlert returns every entry of that alert and no other", async () => {
      const store = await makeStore();
      await store.putIfAbsent(newOutboxEntry(notification("k1", "a1"), "wecom", "t1", t0));
      await store.putIfAbsent(newOutboxEntry(notification("k1", "a1"), "email", "t2", t0));
      await store.putIfAbsent(newOutboxEntry(notification("k2", "a2"), "wecom", "t1", t0));
      await settle(store);
      const list = await store.listByAlert("a1");
      expect(list.map((e) => e.channel).sort()).toEqual(["email", "wecom"]);
    });

    it("rate windows are created once and then compare-and-set", async () => {
      const store = await makeStore();
      expect(await store.getRateWindow("wecom:abc")).toBeUndefined();
      const v1 = await store.putRateWindow("wecom:abc", [t0], null);
      expect(v1).not.toBeNull();
      expect(await store.putRateWindow("wecom:abc", [t0, t0], null)).toBeNull();
      const read = await store.getRateWindow("wecom:abc");
      expect(read?.value).toEqual([t0]);
      if (!read) throw new Error("window not stored");
      expect(await store.putRateWindow("wecom:abc", [t0, t0 + 1], read.version)).not.toBeNull();
      expect(await store.putRateWindow("wecom:abc", [t0], read.version)).toBeNull();
      expect((await store.getRateWindow("wecom:abc"))?.value).toEqual([t0, t0 + 1]);
    });
  });
}
