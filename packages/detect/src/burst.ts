import { z } from "zod";
import { invalidInput } from "@liaowang/errors";
import { upperTail } from "./tail.js";

/** Burst detection tuning: bucket size, EWMA memory and the thresholds a bucket must pass. */
export interface BurstConfig {
  /** Width of a count bucket (ms). */
  bucketMs: number;
  /** EWMA weight of the newest bucket (0 < alpha ≤ 1); 0.1 ≈ a memory of ~10 buckets. */
  alpha: number;
  /** A bucket needs at least this many documents to be a burst (noise floor). */
  minCount: number;
  /** … and at least this multiple of the baseline mean. */
  minRatio: number;
  /**
   * … and at most this probability of seeing so many under the baseline: Poisson with the baseline mean, or negative
   * binomial when the key's history varies more than Poisson allows (a bursty key must burst harder).
   */
  maxPValue: number;
  /** Baseline mean never below this, so a key seen for the first time needs `minCount` and `minRatio × floor`. */
  baselineFloor: number;
  /** Buckets of history the whole state needs before anything is reported (cold start). */
  warmupBuckets: number;
  /** Keys whose mean fell below `pruneMean` and that were silent this many buckets are dropped. */
  pruneAfterBuckets: number;
  pruneMean: number;
}

/** Defaults: hourly buckets, ~10 h memory, ≥5 docs, ≥3× baseline and a tail probability ≤ 1%. */
export const DEFAULT_BURST_CONFIG: BurstConfig = {
  bucketMs: 3_600_000,
  alpha: 0.1,
  minCount: 5,
  minRatio: 3,
  maxPValue: 0.01,
  baselineFloor: 1,
  warmupBuckets: 6,
  // A day: a keyword seen once (most of them) decays below `pruneMean` in ~22 hourly buckets, and then its baseline is
  // the floor whether it is kept or not. Kept a week, such keys held one counter per keyword of a week's posts.
  pruneAfterBuckets: 24,
  pruneMean: 0.01,
};

/** Schema of a burst config file (every key optional). */
export const burstConfigSchema = z
  .object({
    bucketMs: z.number().int().positive(),
    alpha: z.number().gt(0).max(1),
    minCount: z.number().int().min(1),
    minRatio: z.number().min(1),
    maxPValue: z.number().gt(0).max(1),
    baselineFloor: z.number().positive(),
    warmupBuckets: z.number().int().min(0),
    pruneAfterBuckets: z.number().int().positive(),
    pruneMean: z.number().min(0),
  })
  .partial()
  .transform((c): BurstConfig => ({ ...DEFAULT_BURST_CONFIG, ...c }));

/** One key's counter: the open bucket's count and the EWMA baseline of the buckets before it. */
export interface KeyState {
  /** Index of the bucket being counted (floor(ts / bucketMs)). */
  bucket: number;
  count: number;
  /**
   * Count of the bucket just before `bucket` (absent or 0 when that bucket was empty). The open bucket is judged over
   * a sliding window of one bucket width: its count plus the share of this one the window still covers, so a wave that
   * straddles a full hour is not split into two halves that each look ordinary.
   */
  prev?: number;
  /** EWMA of earlier buckets' counts (excluding `bucket`). */
  mean: number;
  variance: number;
}

/** Serialisable burst state for all keys (keys like "topic:安全生产", "kw:透水", "region:431125"). */
export interface BurstState {
  v: 1;
  /** First bucket the state has seen: keys absent until later had zero counts since then. */
  originBucket: number | null;
  /** Latest bucket any observation fell in. */
  latestBucket: number | null;
  /** Observations older than a key's open bucket (counted here, not in the baseline). */
  late: number;
  keys: Record<string, KeyState>;
}

/** What a burst key counts: a taxonomy topic, a keyword or an administrative region (by code). */
export type BurstKind = "topic" | "keyword" | "region";

const KIND_PREFIX: Record<BurstKind, string> = { topic: "topic:", keyword: "kw:", region: "region:" };

/**
 * The state key of a topic, keyword or region.
 * @example burstKey("region", "431129") // "region:431129"
 */
export function burstKey(kind: BurstKind, value: string): string {
  return `${KIND_PREFIX[kind]}${value}`;
}

/** Splits a state key back into kind and value (undefined for keys not made by {@link burstKey}). */
export function parseBurstKey(key: string): { kind: BurstKind; value: string } | undefined {
  for (const kind of ["topic", "keyword", "region"] as const) {
    const prefix = KIND_PREFIX[kind];
    if (key.startsWith(prefix)) return { kind, value: key.slice(prefix.length) };
  }
  return undefined;
}

/** A key whose current or just-finished bucket is well above its baseline. */
export interface Burst {
  /** Stable id (key@bucketStart) so repeated evaluations can be de-duplicated. */
  id: string;
  key: string;
  bucketStart: number;
  bucketEnd: number;
  /** True while the bucket is still open (count may still grow). */
  partial: boolean;
  count: number;
  baselineMean: number;
  baselineStd: number;
  /** count / max(baseline mean, floor). */
  ratio: number;
  /** P(at least `count` | baseline): how surprising the count is. */
  pValue: number;
}

/** An empty burst state. */
export function emptyBurstState(): BurstState {
  return { v: 1, originBucket: null, latestBucket: null, late: 0, keys: {} };
}

function ewma(mean: number, variance: number, x: number, alpha: number): { mean: number; variance: number } {
  const diff = x - mean;
  const incr = alpha * diff;
  return { mean: mean + incr, variance: (1 - alpha) * (variance + diff * incr) };
}

/** Folds `k` closed buckets (the open one, then k−1 empty ones) into the baseline. */
function roll(ks: KeyState, toBucket: number, alpha: number): KeyState {
  if (toBucket <= ks.bucket) return ks;
  let { mean, variance } = ewma(ks.mean, ks.variance, ks.count, alpha);
  // Empty buckets only shrink the baseline; after a few thousand it is zero for any practical alpha.
  const empties = Math.min(toBucket - ks.bucket - 1, 5000);
  for (let i = 0; i < empties; i++) ({ mean, variance } = ewma(mean, variance, 0, alpha));
  const prev = toBucket === ks.bucket + 1 ? ks.count : 0;
  return prev > 0 ? { bucket: toBucket, count: 0, prev, mean, variance } : { bucket: toBucket, count: 0, mean, variance };
}

/** One observation for {@link observeMany}. */
export interface Observation {
  key: string;
  ts: number;
  /** How many documents (default 1). */
  n?: number;
}

/**
 * Counts observations (document event times per key); copies the state once per call, so batch them.
 * Observations older than a key's open bucket are counted as `late`: the baseline is not rewritten (one from the
 * bucket just before still counts in the open bucket's sliding window).
 */
export function observeMany(state: BurstState, observations: readonly Observation[], config: BurstConfig = DEFAULT_BURST_CONFIG): BurstState {
  const counted = countObservations(state, observations, config);
  return { ...counted, keys: { ...state.keys, ...counted.keys } };
}

/**
 * What {@link observeMany} would change, without copying the untouched keys: a state whose `keys` holds only the keys
 * the observations touched (new objects; `state` is not modified). {@link evaluate} on it with those keys gives the
 * bursts of the new state; {@link applyCounts} folds it into `state`. Costs the observations, not the keys held.
 */
export function countObservations(state: BurstState, observations: readonly Observation[], config: BurstConfig = DEFAULT_BURST_CONFIG): BurstState {
  const keys: Record<string, KeyState> = {};
  let { originBucket, latestBucket, late } = state;
  for (const o of observations) {
    if (!Number.isFinite(o.ts)) throw invalidInput(`burst observation for "${o.key}": ts is not a finite epoch ms`);
    const b = Math.floor(o.ts / config.bucketMs);
    const n = o.n ?? 1;
    originBucket = originBucket === null ? b : Math.min(originBucket, b);
    latestBucket = latestBucket === null ? b : Math.max(latestBucket, b);
    const cur = keys[o.key] ?? state.keys[o.key];
    if (!cur) {
      // A key first seen now had zero counts since the origin: its baseline starts at zero, not at this count.
      keys[o.key] = { bucket: b, count: n, mean: 0, variance: 0 };
      continue;
    }
    if (b < cur.bucket) {
      late += n;
      // Still inside the sliding window of the open bucket: counted there, though the baseline is not rewritten.
      if (b === cur.bucket - 1) keys[o.key] = { ...cur, prev: (cur.prev ?? 0) + n };
      continue;
    }
    const rolled = roll(cur, b, config.alpha);
    keys[o.key] = { ...rolled, count: rolled.count + n };
  }
  return { v: 1, originBucket, latestBucket, late, keys };
}

/** Folds counts from {@link countObservations} (made on this very state) into `state`, in place. */
export function applyCounts(state: BurstState, counts: BurstState): void {
  state.originBucket = counts.originBucket;
  state.latestBucket = counts.latestBucket;
  state.late = counts.late;
  Object.assign(state.keys, counts.keys);
}

/** Counts one observation of `key` at event time `ts`. */
export function observe(state: BurstState, key: string, ts: number, config: BurstConfig = DEFAULT_BURST_CONFIG): BurstState {
  return observeMany(state, [{ key, ts }], config);
}

/**
 * How many documents of a key fall in the bucket-wide window ending at `now`, when `now` is in its open bucket: the
 * open bucket's count plus the previous bucket's, weighted by the share of it the window still covers (the previous
 * bucket's documents are taken as spread evenly over it). At hh:01:30 with 8 posts since hh:00 and 4 in the hour
 * before, the window holds 8 + 4 × (1 − 90 s / 1 h) = 11.9, floored to 11.
 */
export function windowCount(ks: KeyState, now: number, bucketMs: number): number {
  const prev = ks.prev ?? 0;
  if (prev === 0) return ks.count;
  const elapsed = Math.min(Math.max(now - ks.bucket * bucketMs, 0), bucketMs);
  return ks.count + Math.floor(prev * (1 - elapsed / bucketMs));
}

/**
 * Bursts at `now`: keys whose open bucket (partial; judged over the sliding window of {@link windowCount}) or
 * just-closed bucket has at least `minCount` documents, `minRatio` × baseline and a tail probability of at most
 * `maxPValue` under the baseline. A quiet topic tripling fires; a busy topic at its usual volume does not. Nothing is reported until the state has `warmupBuckets` of
 * history. `keys` limits the evaluation (e.g. to the keys a batch touched). Sorted by ratio, highest first.
 * @example evaluate(state, Date.now()).filter((b) => b.key.startsWith("topic:"))
 */
export function evaluate(
  state: BurstState,
  now: number,
  config: BurstConfig = DEFAULT_BURST_CONFIG,
  keys?: Iterable<string>,
): Burst[] {
  if (state.originBucket === null) return [];
  const nowBucket = Math.floor(now / config.bucketMs);
  if (nowBucket - state.originBucket < config.warmupBuckets) return [];
  const entries: [string, KeyState][] = [];
  if (keys === undefined) entries.push(...Object.entries(state.keys));
  else
    for (const key of new Set(keys)) {
      const ks = state.keys[key];
      if (ks) entries.push([key, ks]);
    }
  const out: Burst[] = [];
  for (const [key, ks] of entries) {
    if (ks.bucket !== nowBucket && ks.bucket !== nowBucket - 1) continue;
    const count = ks.bucket === nowBucket ? windowCount(ks, now, config.bucketMs) : ks.count;
    if (count < config.minCount) continue;
    const mean = ks.mean;
    const baseline = Math.max(mean, config.baselineFloor);
    const ratio = count / baseline;
    if (ratio < config.minRatio) continue;
    const pValue = upperTail(count, baseline, ks.variance);
    if (pValue > config.maxPValue) continue;
    const bucketStart = ks.bucket * config.bucketMs;
    out.push({
      id: `${key}@${bucketStart}`,
      key,
      bucketStart,
      bucketEnd: bucketStart + config.bucketMs,
      partial: ks.bucket === nowBucket,
      count,
      baselineMean: mean,
      baselineStd: Math.sqrt(ks.variance),
      ratio,
      pValue,
    });
  }
  return out.sort((a, b) => b.ratio - a.ratio || (a.key < b.key ? -1 : 1));
}

/** Drops keys that have been silent for `pruneAfterBuckets` and whose baseline decayed below `pruneMean`. */
export function pruneBursts(state: BurstState, now: number, config: BurstConfig = DEFAULT_BURST_CONFIG): BurstState {
  const nowBucket = Math.floor(now / config.bucketMs);
  const keys: Record<string, KeyState> = {};
  for (const [key, ks] of Object.entries(state.keys)) {
    const silentFor = nowBucket - ks.bucket;
    if (silentFor >= config.pruneAfterBuckets) {
      const rolled = roll(ks, nowBucket, config.alpha);
      if (rolled.mean < config.pruneMean) continue;
      keys[key] = rolled;
    } else keys[key] = ks;
  }
  return { ...state, keys };
}
