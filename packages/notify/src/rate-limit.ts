import type { RateLimitConfig } from "./config.js";

/** Epoch-ms times of the requests already made to one target; order does not matter. */
export type RateWindow = readonly number[];

/** The requests of `window` that still count at `now` (newer than `now - windowMs`), oldest first. */
export function pruneWindow(window: RateWindow, now: number, policy: RateLimitConfig): number[] {
  return window.filter((t) => t > now - policy.windowMs).sort((a, b) => a - b);
}

/**
 * How many more requests may go to the target at `now` without exceeding the sliding window.
 * @example availableSlots([], 0, { limit: 18, windowMs: 60_000 }) === 18
 */
export function availableSlots(window: RateWindow, now: number, policy: RateLimitConfig): number {
  return Math.max(0, policy.limit - pruneWindow(window, now, policy).length);
}

/** The earliest instant ≥ `now` at which at least one request is allowed again. */
export function nextSlotAt(window: RateWindow, now: number, policy: RateLimitConfig): number {
  const live = pruneWindow(window, now, policy);
  if (live.length < policy.limit) return now;
  // The oldest request that still keeps the window full has to age out first.
  const blocking = live[live.length - policy.limit] as number;
  return blocking + policy.windowMs;
}

/** The window after `count` more requests at `now`, with expired times dropped so it stays small. */
export function recordSends(window: RateWindow, now: number, count: number, policy: RateLimitConfig): number[] {
  return [...pruneWindow(window, now, policy), ...Array.from({ length: count }, () => now)];
}
