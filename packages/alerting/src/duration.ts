import { z } from "zod";
import { invalidInput } from "@liaowang/errors";

const UNITS: Record<string, number> = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 };
const PATTERN = /^(-)?(\d+(?:\.\d+)?)(ms|s|m|h|d)$/;

/**
 * Milliseconds of a duration written like config does: "90s", "30m", "2h", "1.5d"; a leading "-" for "before".
 * @example parseDuration("-30m") === -1_800_000
 */
export function parseDuration(text: string): number {
  const match = PATTERN.exec(text.trim());
  if (!match) throw invalidInput(`duration "${text}" is not like 30s, 15m, 2h or 1d`);
  const [, minus, amount, unit] = match as unknown as [string, string | undefined, string, string];
  const ms = Math.round(Number(amount) * (UNITS[unit] ?? 0));
  return minus ? -ms : ms;
}

/** A zod field for a duration string; parses to milliseconds. */
export const durationMs = z.string().transform((text, ctx) => {
  if (!PATTERN.test(text.trim())) {
    ctx.addIssue({ code: "custom", message: `expected a duration like 30s, 15m, 2h or 1d, got "${text}"` });
    return z.NEVER;
  }
  return parseDuration(text);
});

/**
 * A duration in words for notifications, e.g. "2小时", "30分钟", "1小时30分钟".
 * @example formatDurationZh(5_400_000) === "1小时30分钟"
 */
export function formatDurationZh(ms: number): string {
  const abs = Math.abs(ms);
  const minutes = Math.round(abs / 60_000);
  if (minutes < 1) return `${Math.round(abs / 1000)}秒`;
  const h = Math.floor(minutes / 60);
  const m = minutes % 60;
  if (h === 0) return `${m}分钟`;
  return m === 0 ? `${h}小时` : `${h}小时${m}分钟`;
}
