/** Epoch milliseconds of a `Date | number` clock argument. */
export function toMs(now: Date | number): number {
  return typeof now === "number" ? now : now.getTime();
}

/** ISO-8601 UTC of epoch milliseconds. */
export function iso(ms: number): string {
  return new Date(ms).toISOString();
}

/** Epoch milliseconds of an ISO-8601 string. */
export function ms(isoText: string): number {
  return Date.parse(isoText);
}

const BEIJING_OFFSET_MS = 8 * 3_600_000;

/**
 * An instant as Beijing wall-clock time "YYYY-MM-DD HH:MM" (China has no DST, so a fixed offset is exact).
 * @example beijingTime("2024-05-01T06:00:00.000Z") === "2024-05-01 14:00"
 */
export function beijingTime(isoText: string): string {
  return new Date(Date.parse(isoText) + BEIJING_OFFSET_MS).toISOString().slice(0, 16).replace("T", " ");
}
