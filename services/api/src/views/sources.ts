import { z } from "zod";
import type { FeedPollStatus } from "@liaowang/schemas";

/**
 * The part of the detector's `<prefix>detector-state` document (one per replica, id = DETECTOR_INSTANCE_ID) the API
 * reads: the readable `sources` health list, and `flatSince` (epoch ms) of each feed from the stored engine snapshot.
 * The snapshot is the detector's private restart state, so it is read leniently: if its shape changes, sources are
 * still shown, only without the time the silence was flagged.
 */
export const DetectorStateDoc = z.object({
  instance: z.string().min(1),
  savedAt: z.iso.datetime({ offset: true }),
  sources: z.array(
    z.object({
      source: z.string().min(1),
      lastSeenAt: z.iso.datetime({ offset: true }),
      count: z.number().int().nonnegative(),
      expectedIntervalMs: z.number().nonnegative().nullable(),
      flat: z.boolean(),
    }),
  ),
  snapshot: z
    .object({ feeds: z.object({ feeds: z.record(z.string(), z.object({ flatSince: z.number().finite().optional() })) }) })
    .optional()
    .catch(undefined),
});
export type DetectorStateDoc = z.infer<typeof DetectorStateDoc>;

/** One source's health as the API answers it. */
export interface SourceView {
  source: string;
  /** When the detector last received a post from the source (processing time). */
  lastSeenAt: string;
  /** The learned normal gap between deliveries (or the configured one); null while still learning. */
  normalGapMs: number | null;
  /** Posts received (summed over detector replicas). */
  count: number;
  silent: boolean;
  /** When the detector flagged the silence (present only when silent). */
  silentSince?: string;
  /** now − lastSeenAt. */
  silentForMs: number;
}

/**
 * Merges the replicas' source lists into one entry per source, silent ones first (longest silence first), then by
 * name. Replicas share the sources' posts between them, so a source is silent only when every replica that knows it
 * says so; the newest post any replica received wins.
 * @example sourceViews([stateDoc], new Date()).filter((s) => s.silent)
 */
export function sourceViews(docs: readonly DetectorStateDoc[], now: Date): SourceView[] {
  const merged = new Map<string, { lastSeenAt: number; normalGapMs: number | null; count: number; flat: boolean; flaggedAt: number | undefined }>();
  for (const doc of docs) {
    const feeds = doc.snapshot?.feeds.feeds;
    for (const s of doc.sources) {
      const lastSeenAt = Date.parse(s.lastSeenAt);
      // hasOwn: a source named "__proto__" must not read the prototype.
      const flatSince = feeds && Object.hasOwn(feeds, s.source) ? feeds[s.source]?.flatSince : undefined;
      // The detector marks a source flat between its ticks before recording flatSince; then the save time is when it said so.
      const flaggedAt = s.flat ? (flatSince ?? Date.parse(doc.savedAt)) : undefined;
      const cur = merged.get(s.source);
      if (!cur) {
        merged.set(s.source, { lastSeenAt, normalGapMs: s.expectedIntervalMs, count: s.count, flat: s.flat, flaggedAt });
        continue;
      }
      const newer = lastSeenAt > cur.lastSeenAt;
      merged.set(s.source, {
        lastSeenAt: Math.max(cur.lastSeenAt, lastSeenAt),
        normalGapMs: (newer ? s.expectedIntervalMs : cur.normalGapMs) ?? (newer ? cur.normalGapMs : s.expectedIntervalMs),
        count: cur.count + s.count,
        flat: cur.flat && s.flat,
        flaggedAt: cur.flat && s.flat ? Math.max(cur.flaggedAt ?? 0, flaggedAt ?? 0) : undefined,
      });
    }
  }
  const views = [...merged].map(([source, m]): SourceView => ({
    source,
    lastSeenAt: new Date(m.lastSeenAt).toISOString(),
    normalGapMs: m.normalGapMs === null ? null : Math.round(m.normalGapMs),
    count: m.count,
    silent: m.flat,
    ...(m.flat && m.flaggedAt !== undefined ? { silentSince: new Date(m.flaggedAt).toISOString() } : {}),
    silentForMs: Math.max(0, now.getTime() - m.lastSeenAt),
  }));
  return views.sort((a, b) => Number(b.silent) - Number(a.silent) || (a.silent ? b.silentForMs - a.silentForMs : 0) || (a.source < b.source ? -1 : a.source > b.source ? 1 : 0));
}

/**
 * The polled feeds for the sources page: mislabelled (charset label wrong or missing) first, then failing polls,
 * then by name.
 * @example feedViews(polls).filter((f) => f.encoding?.mislabelled !== undefined)
 */
export function feedViews(polls: readonly FeedPollStatus[]): FeedPollStatus[] {
  const rank = (f: FeedPollStatus) => (f.encoding?.mislabelled !== undefined ? 0 : f.ok ? 2 : 1);
  return [...polls].sort((a, b) => rank(a) - rank(b) || (a.source < b.source ? -1 : a.source > b.source ? 1 : 0));
}
