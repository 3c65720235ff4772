import type { AlertLevel } from "@liaowang/schemas";
import { isMajor, levelName, type QuietHours } from "./config.js";

const DAY = 86_400_000;
const MINUTE = 60_000;

function minutesOf(hhmm: string): number {
  const [h, m] = hhmm.split(":").map(Number) as [number, number];
  return h * 60 + m;
}

function wallMinute(t: number, quiet: QuietHours): number {
  const local = t + quiet.utcOffsetMinutes * MINUTE;
  return Math.floor((((local % DAY) + DAY) % DAY) / MINUTE);
}

/** True when `t` falls inside the quiet window (which may wrap past midnight, e.g. 22:00–07:00). */
export function inQuietHours(t: number, quiet: QuietHours): boolean {
  const start = minutesOf(quiet.start);
  const end = minutesOf(quiet.end);
  if (start === end) return false;
  const m = wallMinute(t, quiet);
  return start < end ? m >= start && m < end : m >= start || m < end;
}

/** The first instant at or after `t` when the quiet window ends (wall clock `end`). */
export function quietEndAfter(t: number, quiet: QuietHours): number {
  const offset = quiet.utcOffsetMinutes * MINUTE;
  const localDayStart = Math.floor((t + offset) / DAY) * DAY - offset;
  let end = localDayStart + minutesOf(quiet.end) * MINUTE;
  while (end < t) end += DAY;
  return end;
}

/** Whether quiet hours may hold back notifications of this level: never for I or II. */
export function isHeld(level: AlertLevel, quiet: QuietHours | undefined): quiet is QuietHours {
  if (!quiet || isMajor(level)) return false;
  return quiet.levels.includes(levelName(level));
}

/**
 * When an item nominally due at `dueAt` may go out: at `dueAt`, or when quiet hours end if it falls inside
 * them; also never while `now` itself is quiet.
 * @example sendTime(at23h, now, "IV", { start: "22:00", end: "07:00", … }) // the next 07:00 Beijing time
 */
export function sendTime(dueAt: number, now: number, level: AlertLevel, quiet: QuietHours | undefined): number {
  if (!isHeld(level, quiet)) return dueAt;
  let at = inQuietHours(dueAt, quiet) ? quietEndAfter(dueAt, quiet) : dueAt;
  if (at <= now && inQuietHours(now, quiet)) at = quietEndAfter(now, quiet);
  return at;
}
