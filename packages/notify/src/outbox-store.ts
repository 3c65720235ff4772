import { randomUUID } from "node:crypto";
import type { ChannelKind, Notification } from "./notification.js";
import { applyOutboxEvent, isDue, newOutboxEntry, type OutboxEntry } from "./outbox.js";
import type { RateWindow } from "./rate-limit.js";

/**
 * An opaque optimistic-concurrency token. Elasticsearch: `${_seq_no}:${_primary_term}` from the
 * read, handed back as `if_seq_no` / `if_primary_term` on the write.
 */
export type StoreVersion = string;

/** A stored value with the version it was read at. */
export interface Versioned<T> {
  value: T;
  version: StoreVersion;
}

/**
 * Durable outbox storage: a dumb compare-and-set document store, so every rule lives in this
 * package and an Elasticsearch implementation is one API call per method. Entries are whole
 * documents keyed by `entry.id`; rate windows are small documents keyed by a target's rate key.
 */
export interface OutboxStore {
  /** Insert unless an entry with this id exists; false if it did. ES: `index` with `op_type: "create"`, 409 → false. */
  putIfAbsent(entry: OutboxEntry): Promise<boolean>;
  /** One entry with its version. ES: `get` (`_seq_no`, `_primary_term`); 404 → undefined. */
  get(id: string): Promise<Versioned<OutboxEntry> | undefined>;
  /**
   * Up to `limit` entries with `dueAt <= now`, earliest `dueAt` first. ES: `search` with a `range`
   * on `dueAt` (date), `sort: dueAt asc`, `seq_no_primary_term: true`. Near-real-time staleness is
   * harmless: a stale hit fails its `replace` and is skipped.
   */
  findDue(now: Date, limit: number): Promise<Versioned<OutboxEntry>[]>;
  /**
   * Overwrite the entry only if it is still at `version`; the new version, or null if someone else
   * wrote first. ES: `index` with `if_seq_no` / `if_primary_term`, 409 → null.
   */
  replace(entry: OutboxEntry, version: StoreVersion): Promise<StoreVersion | null>;
  /** Every entry of an alert, for "delivery status per alert". ES: `term` query on `alertId` (keyword). */
  listByAlert(alertId: string): Promise<OutboxEntry[]>;
  /** A target's recent request times. ES: `get` on a separate small index. */
  getRateWindow(rateKey: string): Promise<Versioned<RateWindow> | undefined>;
  /**
   * Write a target's window: create when `version` is null (ES `op_type: "create"`), else
   * compare-and-set (ES `if_seq_no` / `if_primary_term`). Null on conflict.
   */
  putRateWindow(rateKey: string, window: RateWindow, version: StoreVersion | null): Promise<StoreVersion | null>;
}

/** Where one notification should go: a channel and a target id the router can resolve. */
export interface TargetRef {
  channel: ChannelKind;
  targetId: string;
}

/**
 * Durably record a notification for each target, once: re-enqueueing the same idempotency key is a
 * no-op, which is what makes a consumer restart or Kafka replay safe. Commit offsets after this resolves.
 * @example await enqueue(store, notification, [{ channel: "wecom", targetId: "propaganda-wecom" }], new Date())
 */
export async function enqueue(
  store: OutboxStore,
  notification: Notification,
  targets: readonly TargetRef[],
  now: Date | number,
): Promise<{ created: OutboxEntry[]; existing: string[] }> {
  const created: OutboxEntry[] = [];
  const existing: string[] = [];
  for (const { channel, targetId } of targets) {
    const entry = newOutboxEntry(notification, channel, targetId, now);
    if (await store.putIfAbsent(entry)) created.push(entry);
    else existing.push(entry.id);
  }
  return { created, existing };
}

/** Options for claiming due entries. */
export interface ClaimOptions {
  /** This replica's id, recorded on the lease for operators. */
  owner: string;
  leaseMs: number;
  limit: number;
  newToken?: () => string;
}

/**
 * Claim due entries for this replica: each due entry is moved to `sending` under a lease with a
 * compare-and-set, so of two replicas racing for one entry exactly one wins.
 */
export async function claimDue(store: OutboxStore, now: Date | number, options: ClaimOptions): Promise<Versioned<OutboxEntry>[]> {
  const nowDate = typeof now === "number" ? new Date(now) : now;
  const newToken = options.newToken ?? randomUUID;
  const claimed: Versioned<OutboxEntry>[] = [];
  for (const candidate of await store.findDue(nowDate, options.limit)) {
    // The query may be stale (ES refresh interval): re-check before writing.
    if (!isDue(candidate.value, nowDate)) continue;
    const next = applyOutboxEvent(candidate.value, { type: "claim", owner: options.owner, token: newToken(), leaseMs: options.leaseMs }, nowDate);
    const version = await store.replace(next, candidate.version);
    if (version !== null) claimed.push({ value: next, version });
  }
  return claimed;
}

/**
 * Delivery status per alert: every channel/target entry with its state, attempts and last error.
 * @example (await deliveryStatus(store, alertId)).map((e) => `${e.channel}:${e.targetId} ${e.state}`)
 */
export async function deliveryStatus(store: OutboxStore, alertId: string): Promise<OutboxEntry[]> {
  const entries = await store.listByAlert(alertId);
  return entries.sort((a, b) => a.createdAt.localeCompare(b.createdAt) || a.id.localeCompare(b.id));
}
