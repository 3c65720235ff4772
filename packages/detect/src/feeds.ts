import { z } from "zod";
import { invalidInput } from "@liaowang/errors";

/** Flatline tuning: how a source's usual rhythm is learned and when silence counts as a flatline. */
export interface FeedConfig {
  /** Arrivals closer together than this are one delivery (one feed poll brings many items at once). */
  deliveryGapMs: number;
  /** EWMA weight of the newest gap between deliveries. */
  alpha: number;
  /** Never expect a source more often than this (a chatty source still may pause for a while). */
  minIntervalMs: number;
  /** Silence longer than `factor` × the expected interval is a flatline. */
  factor: number;
  /** Gaps a source needs before its rhythm is trusted (unless its interval is configured). */
  minGaps: number;
  /** Expected intervals set by an admin, by source name; these are judged from the first delivery. */
  intervals: Record<string, number>;
}

/** Defaults: one delivery per minute at most, learned rhythm after 5 gaps, flatline at 3× and at least 15 min. */
export const DEFAULT_FEED_CONFIG: FeedConfig = {
  deliveryGapMs: 60_000,
  alpha: 0.2,
  minIntervalMs: 15 * 60_000,
  factor: 3,
  minGaps: 5,
  intervals: {},
};

/** Schema of the flatline part of the detector config (every key optional). */
export const feedConfigSchema = z
  .object({
    deliveryGapMs: z.number().int().min(0),
    alpha: z.number().gt(0).max(1),
    minIntervalMs: z.number().int().positive(),
    factor: z.number().gt(1),
    minGaps: z.number().int().min(1),
    intervals: z.record(z.string().min(1), z.number().int().positive()),
  })
  .partial()
  .transform((c): FeedConfig => ({ ...DEFAULT_FEED_CONFIG, ...c }));

/** What is known of one source's rhythm (processing time: when its documents reached the detector). */
export interface FeedState {
  firstSeenAt: number;
  lastSeenAt: number;
  /** Documents seen (for the dashboard). */
  count: number;
  /** Gaps between deliveries folded into `meanGapMs`. */
  gaps: number;
  meanGapMs: number;
  /** Set while the source is reported flat; cleared when it delivers again. */
  flatSince?: number | undefined;
}

/** Serialisable state of all sources. */
export interface FeedsState {
  v: 1;
  feeds: Record<string, FeedState>;
}

/** An empty feeds state. */
export function emptyFeedsState(): FeedsState {
  return { v: 1, feeds: {} };
}

/** Records documents of `source` arriving at `at` (processing time). */
export function observeFeed(state: FeedsState, source: string, at: number, count = 1, config: FeedConfig = DEFAULT_FEED_CONFIG): FeedsState {
  if (!Number.isFinite(at)) throw invalidInput(`feed observation for "${source}": time is not a finite epoch ms`);
  const cur = Object.hasOwn(state.feeds, source) ? state.feeds[source] : undefined;
  let next: FeedState;
  if (!cur) next = { firstSeenAt: at, lastSeenAt: at, count, gaps: 0, meanGapMs: 0 };
  else {
    const gap = at - cur.lastSeenAt;
    const delivery = gap >= config.deliveryGapMs;
    // An outage is not the source's rhythm: cap the gap so one long silence does not blunt the next check.
    const folded = cur.gaps === 0 ? gap : Math.min(gap, config.factor * Math.max(cur.meanGapMs, config.deliveryGapMs));
    next = {
      firstSeenAt: cur.firstSeenAt,
      lastSeenAt: Math.max(cur.lastSeenAt, at),
      count: cur.count + count,
      gaps: delivery ? cur.gaps + 1 : cur.gaps,
      meanGapMs: delivery ? (cur.gaps === 0 ? gap : cur.meanGapMs + config.alpha * (folded - cur.meanGapMs)) : cur.meanGapMs,
      // Kept until the next check, which reports the source as recovered.
      flatSince: cur.flatSince,
    };
  }
  return { v: 1, feeds: { ...state.feeds, [source]: next } };
}

/** A source that has been silent much longer than usual. */
export interface Flatline {
  source: string;
  lastSeenAt: number;
  expectedIntervalMs: number;
  silentForMs: number;
  /** silentFor / expectedInterval. */
  ratio: number;
  /** True the first time this silence is reported; later checks report it again with `isNew: false`. */
  isNew: boolean;
}

/** Result of {@link checkFlatlines}. */
export interface FlatlineCheck {
  state: FeedsState;
  flat: Flatline[];
  /** Sources that were flat and have delivered since. */
  recovered: string[];
}

/** The interval a source is expected to deliver at, or undefined while its rhythm is unknown. */
export function expectedInterval(source: string, feed: FeedState, config: FeedConfig = DEFAULT_FEED_CONFIG): number | undefined {
  const configured = Object.hasOwn(config.intervals, source) ? config.intervals[source] : undefined;
  if (configured !== undefined) return configured;
  if (feed.gaps < config.minGaps) return undefined;
  return Math.max(feed.meanGapMs, config.minIntervalMs);
}

/**
 * Sources silent longer than `factor` × their expected interval at `now`, learned from their own rhythm (or set in
 * config). Each silence is `isNew` once, so the caller reports it once; a source that delivers again is `recovered`.
 * @example checkFlatlines(state, Date.now()).flat.filter((f) => f.isNew)
 */
export function checkFlatlines(state: FeedsState, now: number, config: FeedConfig = DEFAULT_FEED_CONFIG): FlatlineCheck {
  // Entries, not assignment: a source named "__proto__" must stay a plain key.
  const feeds: [string, FeedState][] = [];
  const flat: Flatline[] = [];
  const recovered: string[] = [];
  for (const [source, feed] of Object.entries(state.feeds)) {
    const interval = expectedInterval(source, feed, config);
    const silentForMs = now - feed.lastSeenAt;
    if (interval !== undefined && silentForMs > config.factor * interval) {
      const isNew = feed.flatSince === undefined;
      flat.push({ source, lastSeenAt: feed.lastSeenAt, expectedIntervalMs: interval, silentForMs, ratio: silentForMs / interval, isNew });
      feeds.push([source, isNew ? { ...feed, flatSince: now } : feed]);
    } else if (feed.flatSince !== undefined) {
      recovered.push(source);
      const { flatSince: _cleared, ...rest } = feed;
      feeds.push([source, rest]);
    } else feeds.push([source, feed]);
  }
  flat.sort((a, b) => b.ratio - a.ratio || (a.source < b.source ? -1 : 1));
  return { state: { v: 1, feeds: Object.fromEntries(feeds) }, flat, recovered: recovered.sort() };
}
