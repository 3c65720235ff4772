import { plan, type DeliveryPlan, type PlannedSend } from "./aggregate.js";
import type { DeliveryResult, Notification } from "./notification.js";
import { applyOutboxEvent, DEFAULT_RETRY_POLICY, type OutboxEntry, type OutboxEvent, type RetryPolicy } from "./outbox.js";
import { claimDue, type OutboxStore, type Versioned } from "./outbox-store.js";
import { recordSends } from "./rate-limit.js";
import type { ChannelRouter, DeliveryRoute } from "./router.js";

/** Knobs for one dispatch round. */
export interface DispatchOptions {
  /** This replica's id (pod name), written on leases. */
  owner: string;
  /**
   * How long a claim is exclusive. A replica stops starting sends once half of it has elapsed,
   * so keep it well above one send's timeout. Default 120 s.
   */
  leaseMs?: number;
  /** Most entries claimed per round. Default 200. */
  batchSize?: number;
  retry?: RetryPolicy;
  maxDigestItems?: number;
  /** [0, 1) for backoff jitter. Default `Math.random`. */
  random?: () => number;
  newToken?: () => string;
  /** Monotonic milliseconds, used only to stop before the lease runs out. Default `performance.now`. */
  monotonicMs?: () => number;
}

/** What a round did. `lostLeases` counts results that could not be recorded because another replica had reclaimed the entry. */
export interface DispatchReport {
  claimed: number;
  requests: number;
  sent: number;
  retrying: number;
  dead: number;
  deferred: number;
  lostLeases: number;
}

const RATE_WINDOW_CAS_TRIES = 5;

type Claimed = Versioned<OutboxEntry>;

interface Round {
  store: OutboxStore;
  now: number;
  options: Required<Pick<DispatchOptions, "leaseMs" | "retry" | "random">> & { maxDigestItems?: number };
  leaseExpired: () => boolean;
  report: DispatchReport;
}

/**
 * One dispatch round: claim due entries under a lease, group them by target, respect each target's
 * rate budget (bursts merge into a digest), send, and record each result with compare-and-set.
 *
 * Delivery is at-least-once, not exactly-once. A claim is exclusive only for its lease: if a replica
 * dies (or stalls past the lease) after a vendor accepted a message but before the result is
 * recorded, another replica reclaims the entry after the lease and sends it again. No protocol can
 * close that gap against WeCom, DingTalk, SMTP or SMS, which cannot tell us whether an earlier
 * request landed. What we do instead: the same idempotency key travels with every retry (webhook
 * `Idempotency-Key` header, SMS body `idempotencyKey`, a stable email Message-ID) so receivers that
 * care can dedupe; a reclaimed entry counts an attempt; and a replica stops starting sends once half
 * its lease is gone, so a slow but live replica does not race the next one.
 * @example setInterval(() => void dispatch(store, router, new Date(), { owner: hostname() }), 1_000)
 */
export async function dispatch(store: OutboxStore, router: ChannelRouter, now: Date | number, options: DispatchOptions): Promise<DispatchReport> {
  const nowMs = typeof now === "number" ? now : now.getTime();
  const leaseMs = options.leaseMs ?? 120_000;
  const monotonic = options.monotonicMs ?? (() => performance.now());
  const startedAt = monotonic();
  const report: DispatchReport = { claimed: 0, requests: 0, sent: 0, retrying: 0, dead: 0, deferred: 0, lostLeases: 0 };
  const round: Round = {
    store,
    now: nowMs,
    options: { leaseMs, retry: options.retry ?? DEFAULT_RETRY_POLICY, random: options.random ?? Math.random, ...(options.maxDigestItems ? { maxDigestItems: options.maxDigestItems } : {}) },
    leaseExpired: () => monotonic() - startedAt > leaseMs / 2,
    report,
  };

  const claimed = await claimDue(store, nowMs, { owner: options.owner, leaseMs, limit: options.batchSize ?? 200, ...(options.newToken ? { newToken: options.newToken } : {}) });
  report.claimed = claimed.length;

  const groups = new Map<string, Claimed[]>();
  for (const c of claimed) {
    const key = `${c.value.channel}\u0000${c.value.targetId}`;
    groups.set(key, [...(groups.get(key) ?? []), c]);
  }
  // Targets are independent: one slow robot must not hold up another department's alerts.
  const outcomes = await Promise.allSettled([...groups.values()].map((entries) => dispatchTarget(round, router, entries)));
  const failure = outcomes.find((o): o is PromiseRejectedResult => o.status === "rejected");
  if (failure) throw failure.reason;
  return report;
}

async function record(round: Round, claimed: Claimed, event: OutboxEvent): Promise<void> {
  const next = applyOutboxEvent(claimed.value, event, round.now);
  const version = await round.store.replace(next, claimed.version);
  if (version === null) {
    round.report.lostLeases += 1;
    return;
  }
  switch (next.state) {
    case "sent":
      round.report.sent += 1;
      break;
    case "failed":
      if (event.type === "defer") round.report.deferred += 1;
      else round.report.retrying += 1;
      break;
    case "pending":
      round.report.deferred += 1;
      break;
    case "dead":
      round.report.dead += 1;
      break;
    case "sending":
      break;
  }
}

async function dispatchTarget(round: Round, router: ChannelRouter, entries: Claimed[]): Promise<void> {
  const first = entries[0];
  if (!first) return;
  const route = router.route(first.value.channel, first.value.targetId);
  if (!route) {
    const reason = `no ${first.value.channel} target "${first.value.targetId}" is configured`;
    for (const e of entries) await record(round, e, { type: "abandon", reason });
    return;
  }

  const byKey = new Map(entries.map((e) => [e.value.idempotencyKey, e]));
  const sourcesOf = (notifications: readonly Notification[]): Claimed[] =>
    notifications.map((n) => byKey.get(n.idempotencyKey)).filter((e): e is Claimed => e !== undefined);
  const deferAll = async (notifications: readonly Notification[], until: number, reason: string): Promise<void> => {
    for (const e of sourcesOf(notifications)) await record(round, e, { type: "defer", until, reason });
  };

  const decided = await reserve(round, route, entries.map((e) => e.value.notification));
  if (!decided) {
    await deferAll(entries.map((e) => e.value.notification), round.now + 1_000, "rate window contended");
    return;
  }
  await deferAll(decided.deferred, decided.deferUntil ?? round.now, "rate limit");

  for (const [i, planned] of decided.sendNow.entries()) {
    if (round.leaseExpired()) {
      // Better to leave the rest due right away for the next round than to send under a lapsing lease.
      await deferAll(decided.sendNow.slice(i).flatMap((p) => p.sources), round.now, "lease running out");
      return;
    }
    const result = await sendSafely(route, planned);
    round.report.requests += 1;
    for (const e of sourcesOf(planned.sources)) {
      await record(round, e, { type: "delivered", result, deliveredAs: planned.message.idempotencyKey, policy: round.options.retry, random: round.options.random() });
    }
    if (!result.ok && result.retryAfterMs !== undefined) {
      // The vendor is throttling this target: hold the rest back instead of deepening the mute.
      await deferAll(decided.sendNow.slice(i + 1).flatMap((p) => p.sources), round.now + result.retryAfterMs, "throttled by vendor");
      return;
    }
  }
}

/** Plan against the shared rate window and reserve the planned requests in it with compare-and-set. */
async function reserve(round: Round, route: DeliveryRoute, queue: Notification[]): Promise<DeliveryPlan | undefined> {
  const opts = round.options.maxDigestItems ? { maxDigestItems: round.options.maxDigestItems } : {};
  if (route.rateLimit === null) return plan(queue, { window: [], rateLimit: null }, round.now, opts);
  for (let attempt = 0; attempt < RATE_WINDOW_CAS_TRIES; attempt++) {
    const current = await round.store.getRateWindow(route.rateKey);
    const window = current?.value ?? [];
    const decided = plan(queue, { window, rateLimit: route.rateLimit }, round.now, opts);
    if (decided.sendNow.length === 0) return decided;
    const written = await round.store.putRateWindow(route.rateKey, recordSends(window, round.now, decided.sendNow.length, route.rateLimit), current?.version ?? null);
    if (written !== null) return decided;
  }
  return undefined;
}

async function sendSafely(route: DeliveryRoute, planned: PlannedSend): Promise<DeliveryResult> {
  try {
    return await route.send(planned.message);
  } catch (error) {
    // Channels report failures as results; a throw is a bug or an unexpected library error. Retry it
    // rather than lose the alert, and let the attempt limit stop a permanent one.
    return { ok: false, retriable: true, error: `channel threw: ${error instanceof Error ? error.message : String(error)}` };
  }
}
