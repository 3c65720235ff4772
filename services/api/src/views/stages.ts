import { z } from "zod";
import type { StageHealth } from "@liaowang/schemas";

/** A stage that has not reported for this long is shown as not reporting (stopped, crashed or cut off). */
export const STAGE_SILENT_AFTER_MS = 60_000;
/** Reports older than this are forgotten (replicas that were scaled down or renamed). */
const FORGET_AFTER_MS = 24 * 3_600_000;

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
    /** The oldest stuck report among live replicas: the same offsets retried for longer than the stage's bound. */
    stuck: z
      .object({ since: z.string(), forMs: z.number().int(), partition: z.number().int(), firstOffset: z.string(), lastOffset: z.string(), attempts: z.number().int(), error: z.string() })
      .optional(),
  })
  .meta({ id: "StageHealth" });
export type StageView = z.infer<typeof StageView>;

const ORDER = ["enrich", "indexer", "detector", "alerter"];

/** One line per pipeline stage from its replicas' reports: lag from the freshest report, stuck if any live replica is. */
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
      const stuck = live
        .flatMap((r) => (r.stuck ? [r.stuck] : []))
        .sort((a, b) => Date.parse(a.since) - Date.parse(b.since))[0];
      return {
        service,
        topic: latest.topic,
        replicas: live.length,
        lag: sorted.find((r) => r.lag !== null)?.lag ?? null,
        reportedAt: latest.reportedAt,
        silent: live.length === 0,
        ...(stuck
          ? { stuck: { since: stuck.since, forMs: Math.max(0, now.getTime() - Date.parse(stuck.since)), partition: stuck.partition, firstOffset: stuck.firstOffset, lastOffset: stuck.lastOffset, attempts: stuck.attempts, error: stuck.error } }
          : {}),
      };
    });
}
