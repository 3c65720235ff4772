import { createHash } from "node:crypto";
import { LiaowangError } from "@liaowang/errors";
import type { ChannelKind, DeliveryResult, Notification } from "./notification.js";

/**
 * pending → sending (claimed under a lease) → sent | failed (retry later) | dead (gave up).
 * A deferred claim (rate limit) goes back to pending, or to failed if it had attempts already.
 */
export type OutboxState = "pending" | "sending" | "sent" | "failed" | "dead";

/** One delivery attempt as recorded on the entry (bounded by the retry policy's maxAttempts). */
export interface OutboxAttempt {
  at: string;
  ok: boolean;
  retriable: boolean;
  status?: number;
  error?: string;
  providerMessageId?: string;
  /** Idempotency key of the message that carried this entry (differs from the entry's own when merged into a digest). */
  deliveredAs?: string;
}

/** The claim a replica holds on an entry while it sends; another replica may reclaim it once `until` passes. */
export interface OutboxLease {
  owner: string;
  token: string;
  until: string;
}

/**
 * One notification for one target. The id is derived from (idempotencyKey, channel, targetId), so
 * enqueueing the same notification twice (a Kafka replay, a restart) is a no-op.
 */
export interface OutboxEntry {
  id: string;
  idempotencyKey: string;
  alertId: string;
  incidentId: string;
  channel: ChannelKind;
  /** A config target id (or another id the router resolves); never the URL or secret itself. */
  targetId: string;
  notification: Notification;
  state: OutboxState;
  /** Send attempts started, including ones whose outcome was lost with a crashed replica. */
  attempts: number;
  /**
   * When the entry next needs a dispatcher: the retry time while pending/failed, the lease expiry
   * while sending, null once sent or dead. The one field stores index to find due work.
   */
  dueAt: string | null;
  lease: OutboxLease | null;
  createdAt: string;
  updatedAt: string;
  sentAt: string | null;
  deliveredAs: string | null;
  lastError: string | null;
  history: OutboxAttempt[];
}

/** Retry schedule: exponential from `baseDelayMs`, capped at `maxDelayMs`, ± `jitter` fraction. */
export interface RetryPolicy {
  maxAttempts: number;
  baseDelayMs: number;
  maxDelayMs: number;
  /** 0…1; 0.2 spreads each delay over ±20 % so replicas and targets do not retry in lockstep. */
  jitter: number;
}

/** 8 attempts, 5 s doubling to at most 15 min (about 35 minutes of trying in all), ±20 % jitter. */
export const DEFAULT_RETRY_POLICY: RetryPolicy = { maxAttempts: 8, baseDelayMs: 5_000, maxDelayMs: 15 * 60_000, jitter: 0.2 };

/** Events that move an entry through its states. */
export type OutboxEvent =
  | { type: "claim"; owner: string; token: string; leaseMs: number }
  | { type: "delivered"; result: DeliveryResult; deliveredAs: string; policy: RetryPolicy; random: number }
  | { type: "defer"; until: number; reason: string }
  | { type: "abandon"; reason: string };

function toMs(now: Date | number): number {
  return typeof now === "number" ? now : now.getTime();
}

function iso(ms: number): string {
  return new Date(ms).toISOString();
}

/**
 * The deterministic entry id: a hash, since idempotency keys and target ids may be long or contain
 * characters Elasticsearch ids should not (ids are limited to 512 bytes).
 */
export function outboxEntryId(idempotencyKey: string, channel: ChannelKind, targetId: string): string {
  return createHash("sha256").update(JSON.stringify([idempotencyKey, channel, targetId]), "utf8").digest("hex");
}

/** A fresh pending entry, due immediately. */
export function newOutboxEntry(notification: Notification, channel: ChannelKind, targetId: string, now: Date | number): OutboxEntry {
  const at = iso(toMs(now));
  return {
    id: outboxEntryId(notification.idempotencyKey, channel, targetId),
    idempotencyKey: notification.idempotencyKey,
    alertId: notification.alertId,
    incidentId: notification.incidentId,
    channel,
    targetId,
    notification,
    state: "pending",
    attempts: 0,
    dueAt: at,
    lease: null,
    createdAt: at,
    updatedAt: at,
    sentAt: null,
    deliveredAs: null,
    lastError: null,
    history: [],
  };
}

/**
 * Delay before the next attempt after `attempts` failed ones; `random` in [0, 1) picks the jitter.
 * @example backoffDelay(1, DEFAULT_RETRY_POLICY, 0.5) === 5_000
 */
export function backoffDelay(attempts: number, policy: RetryPolicy, random: number): number {
  const exponential = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** Math.max(0, attempts - 1));
  const factor = 1 - policy.jitter + 2 * policy.jitter * Math.min(Math.max(random, 0), 1);
  return Math.round(Math.min(policy.maxDelayMs, exponential * factor));
}

/** True when a dispatcher should pick the entry up at `now` (due retry, or an expired lease). */
export function isDue(entry: OutboxEntry, now: Date | number): boolean {
  return entry.dueAt !== null && Date.parse(entry.dueAt) <= toMs(now);
}

/** True for sent and dead: nothing more will happen to the entry. */
export function isFinal(entry: OutboxEntry): boolean {
  return entry.state === "sent" || entry.state === "dead";
}

function illegal(entry: OutboxEntry, action: string, why: string): LiaowangError {
  return new LiaowangError("conflict", `outbox entry ${entry.id} (${entry.channel}:${entry.targetId}, alert ${entry.alertId}) cannot ${action}: ${why}`);
}

/**
 * The outbox state machine: `(entry, event, now) → entry`. Throws a `conflict` error for a
 * transition the state does not allow (e.g. reporting a result for an entry that is not claimed).
 */
export function applyOutboxEvent(entry: OutboxEntry, event: OutboxEvent, now: Date | number): OutboxEntry {
  const nowMs = toMs(now);
  const at = iso(nowMs);
  switch (event.type) {
    case "claim": {
      if (isFinal(entry)) throw illegal(entry, "claim", `it is already ${entry.state}`);
      if (!isDue(entry, nowMs)) throw illegal(entry, "claim", `it is not due until ${entry.dueAt ?? "never"}`);
      const until = iso(nowMs + event.leaseMs);
      // Reclaiming an expired lease: the previous holder may have sent before it died, so that
      // counts as an attempt with an unknown outcome (this also bounds crash loops on a poison message).
      const orphaned = entry.state === "sending";
      return {
        ...entry,
        state: "sending",
        lease: { owner: event.owner, token: event.token, until },
        dueAt: until,
        updatedAt: at,
        ...(orphaned
          ? {
              attempts: entry.attempts + 1,
              lastError: `lease of ${entry.lease?.owner ?? "unknown"} expired; outcome unknown`,
              history: [...entry.history, { at, ok: false, retriable: true, error: `lease of ${entry.lease?.owner ?? "unknown"} expired; outcome unknown` }],
            }
          : {}),
      };
    }
    case "delivered": {
      if (entry.state !== "sending") throw illegal(entry, "record a delivery", `it is ${entry.state}, not sending`);
      const { result } = event;
      const attempt: OutboxAttempt = {
        at,
        ok: result.ok,
        retriable: result.retriable,
        deliveredAs: event.deliveredAs,
        ...(result.status === undefined ? {} : { status: result.status }),
        ...(result.error === undefined ? {} : { error: result.error }),
        ...(result.providerMessageId === undefined ? {} : { providerMessageId: result.providerMessageId }),
      };
      const attempts = entry.attempts + 1;
      const base = { ...entry, attempts, lease: null, updatedAt: at, history: [...entry.history, attempt] };
      if (result.ok) return { ...base, state: "sent", dueAt: null, sentAt: at, deliveredAs: event.deliveredAs, lastError: null };
      const error = result.error ?? "delivery failed";
      if (!result.retriable) return { ...base, state: "dead", dueAt: null, lastError: error };
      if (attempts >= event.policy.maxAttempts) return { ...base, state: "dead", dueAt: null, lastError: `gave up after ${attempts} attempts: ${error}` };
      const delay = Math.max(backoffDelay(attempts, event.policy, event.random), result.retryAfterMs ?? 0);
      return { ...base, state: "failed", dueAt: iso(nowMs + delay), lastError: error };
    }
    case "defer": {
      if (entry.state !== "sending") throw illegal(entry, "defer", `it is ${entry.state}, not sending`);
      return { ...entry, state: entry.attempts > 0 ? "failed" : "pending", lease: null, dueAt: iso(Math.max(event.until, nowMs)), updatedAt: at };
    }
    case "abandon": {
      if (entry.state !== "sending") throw illegal(entry, "abandon", `it is ${entry.state}, not sending`);
      return { ...entry, state: "dead", lease: null, dueAt: null, updatedAt: at, lastError: event.reason };
    }
  }
}
