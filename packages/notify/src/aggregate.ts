import { createHash } from "node:crypto";
import { invalidInput } from "@liaowang/errors";
import type { RateLimitConfig } from "./config.js";
import { levelRank, type DigestItem, type Notification } from "./notification.js";
import { availableSlots, nextSlotAt, recordSends, type RateWindow } from "./rate-limit.js";

/** One message to send now and the queued notifications it carries (one, or several merged into a digest). */
export interface PlannedSend {
  message: Notification;
  sources: Notification[];
}

/** What to do with a target's queue at `now`. */
export interface DeliveryPlan {
  sendNow: PlannedSend[];
  /** Queued notifications that wait; they are due again at `deferUntil`. */
  deferred: Notification[];
  deferUntil?: number;
}

/** The target's rate budget: its recent requests and its limit (null for unlimited channels). */
export interface TargetBudget {
  window: RateWindow;
  rateLimit: RateLimitConfig | null;
}

/** Planning knobs. */
export interface PlanOptions {
  /** Most notifications merged into one digest; keeps a digest inside the robots' message size. Default 15. */
  maxDigestItems?: number;
}

/** Default cap on notifications per digest. */
export const DEFAULT_MAX_DIGEST_ITEMS = 15;

function toDigestItems(n: Notification): DigestItem[] {
  if (n.items && n.items.length > 0) return n.items;
  return [
    {
      idempotencyKey: n.idempotencyKey,
      alertId: n.alertId,
      incidentId: n.incidentId,
      level: n.level,
      kind: n.kind,
      title: n.title,
      department: n.department,
      ...(n.ackUrl ? { ackUrl: n.ackUrl } : {}),
    },
  ];
}

/** The most urgent acknowledge link among merged notifications (watch-only ones carry none). */
function ackOf(sources: readonly Notification[]): string | undefined {
  return sources.find((s) => s.ackUrl !== undefined)?.ackUrl;
}

/**
 * Merge queued notifications (most urgent first) into one digest. Its idempotency key derives from
 * the merged keys, so re-planning the same set yields the same key.
 */
export function mergeDigest(sources: readonly Notification[]): Notification {
  const top = sources[0];
  if (!top) throw invalidInput("mergeDigest needs at least one notification");
  const keys = sources.map((s) => s.idempotencyKey).sort();
  const digestKey = `digest:${createHash("sha256").update(keys.join("\n"), "utf8").digest("hex").slice(0, 40)}`;
  const items = sources.flatMap(toDigestItems);
  return {
    idempotencyKey: digestKey,
    alertId: top.alertId,
    incidentId: top.incidentId,
    level: top.level,
    title: top.title,
    body: [],
    deadlines: top.deadlines,
    ...(ackOf(sources) ? { ackUrl: ackOf(sources) } : {}),
    department: top.department,
    kind: "digest",
    items,
  };
}

/** Most urgent first (I, II, III, IV, ungraded); queue order among equals. */
export function byUrgency(queue: readonly Notification[]): Notification[] {
  return queue
    .map((n, i) => ({ n, i }))
    .sort((a, b) => levelRank(a.n.level) - levelRank(b.n.level) || a.i - b.i)
    .map(({ n }) => n);
}

/**
 * Decide what a target's queue sends at `now` without exceeding its rate budget. Fits → one message
 * each; a burst → the most urgent go alone and the rest merge into one digest in the last free slot
 * (never dropped); no slot → everything waits until one frees. Pure: the window is an argument.
 * @example plan(queued, { window: recentSends, rateLimit: { limit: 18, windowMs: 60_000 } }, Date.now())
 */
export function plan(queue: readonly Notification[], target: TargetBudget, now: number, options: PlanOptions = {}): DeliveryPlan {
  const maxDigestItems = Math.max(2, options.maxDigestItems ?? DEFAULT_MAX_DIGEST_ITEMS);
  const ordered = byUrgency(queue);
  const single = (n: Notification): PlannedSend => ({ message: n, sources: [n] });
  if (ordered.length === 0) return { sendNow: [], deferred: [] };
  if (target.rateLimit === null) return { sendNow: ordered.map(single), deferred: [] };

  const policy = target.rateLimit;
  const slots = availableSlots(target.window, now, policy);
  if (slots === 0) return { sendNow: [], deferred: ordered, deferUntil: nextSlotAt(target.window, now, policy) };
  if (ordered.length <= slots) return { sendNow: ordered.map(single), deferred: [] };

  const singles = ordered.slice(0, slots - 1).map(single);
  const rest = ordered.slice(slots - 1);
  const merged = rest.slice(0, maxDigestItems);
  const deferred = rest.slice(maxDigestItems);
  const sendNow = [...singles, merged.length === 1 ? single(merged[0] as Notification) : { message: mergeDigest(merged), sources: merged }];
  if (deferred.length === 0) return { sendNow, deferred };
  return { sendNow, deferred, deferUntil: nextSlotAt(recordSends(target.window, now, sendNow.length, policy), now, policy) };
}
