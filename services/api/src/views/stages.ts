import { z } from "zod";
import type { StageHealth } from "@liaowang/schemas";

/** A stage that has not reported for this long is shown as not reporting (stopped, crashed or cut off). */
export const STAGE_SILENT_AFTER_MS = 60_000;
/** Reports older than this are forgotten (replicas that were scaled down or renamed). */
const FORGET_AFTER_MS = 24 * 3_600_000;
/** A rebalance or an abandoned batch this recent is shown as news on the health strip (older: only counted). */
export const STAGE_CHURN_RECENT_MS = 10 * 60_000;

export const StageView = z
  .object({
    service: z.string(),
    topic: z.string(),
    /** Replicas that reported within the last minute. */
    replicas: z.number().int(),
    /** Records the stage's consumer group has not committed yet (null when unknown). */
    lag: z.number().int().nullable(),
    reportedAt: z.string(),
    /** No replica reported within the last minute. */
    silent: z.boolean(),
    /**
     * Consumer group churn of the live replicas since they started: group joins, rebalances (joins after a replica's
     * first) and batches abandoned uncommitted because of one (their records are delivered again), with when the
     * last happened and whether that was within the last ten minutes.
     */
    group: z.object({
      joins: z.number().int(),
      rebalances: z.number().int(),
      lastRebalanceAt: z.string().optional(),
      abandoned: z.number().int(),
      lastAbandonedAt: z.string().optional(),
      recent: z.boolean(),
    }),
    /** The oldest stuck report among live replicas: the same offsets retried for longer than the stage's bound. */
    stuck: z
      .object({ since: z.string(), forMs: z.number().int(), partition: z.number().int(), firstOffset: z.string(), lastOffset: z.string(), attempts: z.number().int(), error: z.string() })
      .optional(),
    /** The oldest stalled report among live replicas: partitions with records waiting, not fetched for longer than the bound. */
    stalled: z.object({ since: z.string(), forMs: z.number().int(), partitions: z.array(z.number().int()), lag: z.number().int() }).optional(),
  })
  .meta({ id: "StageHealth" });
export type StageView = z.infer<typeof StageView>;

const ORDER = ["enrich", "indexer", "detector", "alerter"];

/**
 * One line per pipeline stage from its replicas' reports: lag from the freshest report, stuck if any live replica is,
 * group joins / rebalances / abandoned batches summed over the live replicas.
 */
export function stageViews(reports: readonly StageHealth[], now: Date): StageView[] {
  const byService = new Map<string, StageHealth[]>();
  for (const r of reports) {
    if (now.getTime() - Date.parse(r.reportedAt) > FORGET_AFTER_MS) continue;
    byService.set(r.service, [...(byService.get(r.service) ?? []), r]);
  }
  const rank = (s: string) => (ORDER.includes(s) ? ORDER.indexOf(s) : ORDER.length);
  return [...byService.entries()]
    .sort(([a], [b]) => rank(a) - rank(b) || a.localeCompare(b))
    .map(([service, rs]) => {
      const sorted = [...rs].sort((a, b) => Date.parse(b.reportedAt) - Date.parse(a.reportedAt));
      const latest = sorted[0] as StageHealth;
      const live = sorted.filter((r) => now.getTime() - Date.parse(r.reportedAt) <= STAGE_SILENT_AFTER_MS);
      const latestOf = (values: (string | undefined)[]) => values.filter((v): v is string => v !== undefined).sort().at(-1);
      // A replica's first join is its start; every later one is a rebalance it went through.
      const lastRebalanceAt = latestOf(live.map((r) => ((r.joins ?? 0) > 1 ? r.lastJoinAt : undefined)));
      const lastAbandonedAt = latestOf(live.map((r) => r.lastAbandonedAt));
      const recentChurn = [lastRebalanceAt, lastAbandonedAt].some((at) => at !== undefined && now.getTime() - Date.parse(at) <= STAGE_CHURN_RECENT_MS);
      const group = {
        joins: live.reduce((n, r) => n + (r.joins ?? 0), 0),
        rebalances: live.reduce((n, r) => n + Math.max(0, (r.joins ?? 0) - 1), 0),
        ...(lastRebalanceAt ? { lastRebalanceAt } : {}),
        abandoned: live.reduce((n, r) => n + (r.abandoned ?? 0), 0),
        ...(lastAbandonedAt ? { lastAbandonedAt } : {}),
        recent: recentChurn,
      };
      const stuck = live
        .flatMap((r) => (r.stuck ? [r.stuck] : []))
        .sort((a, b) => Date.parse(a.since) - Date.parse(b.since))[0];
      const stalled = live
        .flatMap((r) => (r.stalled ? [r.stalled] : []))
        .sort((a, b) => Date.parse(a.since) - Date.parse(b.since))[0];
      return {
        service,
        topic: latest.topic,
        replicas: live.length,
        lag: sorted.find((r) => r.lag !== null)?.lag ?? null,
        reportedAt: latest.reportedAt,
        silent: live.length === 0,
        group,
        ...(stuck
          ? { stuck: { since: stuck.since, forMs: Math.max(0, now.getTime() - Date.parse(stuck.since)), partition: stuck.partition, firstOffset: stuck.firstOffset, lastOffset: stuck.lastOffset, attempts: stuck.attempts, error: stuck.error } }
          : {}),
        ...(stalled ? { stalled: { since: stalled.since, forMs: Math.max(0, now.getTime() - Date.parse(stalled.since)), partitions: stalled.partitions, lag: stalled.lag } } : {}),
      };
    });
}
