import { toUtcIso } from "@liaowang/schemas";

const MONTHS: Record<string, number> = { jan: 1, feb: 2, mar: 3, apr: 4, may: 5, jun: 6, jul: 7, aug: 8, sep: 9, oct: 10, nov: 11, dec: 12 };

// RFC 822 named zones. "CST" is RFC 822 US Central (-06:00), but Chinese servers (Java's Date#toString, PHP
// defaults) write "CST" for China Standard Time; every source this product polls is Chinese, so CST = +08:00.
const ZONES: Record<string, string> = {
  UT: "+00:00", UTC: "+00:00", GMT: "+00:00", Z: "+00:00",
  EST: "-05:00", EDT: "-04:00", MST: "-07:00", MDT: "-06:00", PST: "-08:00", PDT: "-07:00", CDT: "-05:00",
  CST: "+08:00", BJT: "+08:00", HKT: "+08:00",
};

// A zone as Chinese CMSs print it: "+0800", "+08:00", "+8", "GMT+8", "GMT+0800", "UTC+08:00", or a name (CST),
// optionally followed by a parenthesised comment ("+0800 (CST)", "GMT+0800 (中国标准时间)").
const ZONE = String.raw`((?:(?:GMT|UTC|UT)\s*)?[+-]\d{1,2}(?::?\d{2})?|[A-Za-z]{1,5})(?:\s*\([^()]{0,40}\))?`;

const RFC822 = new RegExp(
  String.raw`^(?:[A-Za-z]{3,9},?\s+)?(\d{1,2})\s+([A-Za-z]{3})[A-Za-z]*\.?\s+(\d{2,4})\s+(\d{1,2}):(\d{2})(?::(\d{2}))?(?:\s*${ZONE})?$`,
);
// Java's Date#toString: "Wed May 01 09:30:00 CST 2024" (zone before the year).
const JAVA = new RegExp(String.raw`^[A-Za-z]{3}\s+([A-Za-z]{3})\s+(\d{1,2})\s+(\d{1,2}):(\d{2}):(\d{2})\s+${ZONE}\s+(\d{4})$`);
// JavaScript's Date#toString: "Wed May 01 2024 09:30:00 GMT+0800 (中国标准时间)".
const JAVASCRIPT = new RegExp(String.raw`^(?:[A-Za-z]{3}\s+)?([A-Za-z]{3})\s+(\d{1,2})\s+(\d{4})\s+(\d{1,2}):(\d{2})(?::(\d{2}))?(?:\s*${ZONE})?$`);
// 2024-5-1 9:30, 2024/05/01 09:30:00 +0800, 2024年05月01日 09时30分(15秒), 2024年5月1日: local (Beijing) time
// unless a zone follows.
const LOCAL = new RegExp(
  String.raw`^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?` +
    String.raw`(?:(?:\s+|T|(?<=日))\s*(\d{1,2})\s*[:时点]\s*(\d{1,2})\s*分?(?:\s*:?\s*(\d{1,2})(?:[.,]\d{1,9})?\s*秒?)?)?` +
    String.raw`(?:\s*${ZONE})?$`,
);

function pad(n: number | string): string {
  return String(n).padStart(2, "0");
}

/**
 * Parse a feed or export date to UTC ISO. Forms read: RFC 822 (`Wed, 01 May 2024 09:30:00 +0800` / `GMT` /
 * `GMT+8`), ISO-8601, Java's `Date#toString` (`Wed May 01 09:30:00 CST 2024`), JavaScript's
 * (`Wed May 01 2024 09:30:00 GMT+0800`), and the local forms Chinese sites write (`2024/5/1 9:30`,
 * `2024-05-01 09:30:00 +0800`, `2024年05月01日 09时30分15秒`, `2024年5月1日`). CST is China Standard Time; a date
 * without a zone is Beijing time (UTC+8) and a date without a time is that day's start in Beijing. Returns
 * undefined when the value is not a date we recognise.
 * @example parseFeedDate("Wed May 01 09:30:00 CST 2024") === "2024-05-01T01:30:00.000Z"
 */
export function parseFeedDate(value: string): string | undefined {
  const text = value.trim().replace(/\s+/g, " ");
  if (text.length === 0 || text.length > 80) return undefined;
  const rfc = RFC822.exec(text);
  if (rfc !== null) {
    const [, day, mon, year, hour, minute, second, zone] = rfc;
    if (year === undefined || year.length === 3) return undefined;
    const fullYear = year.length === 2 ? 2000 + Number(year) : Number(year);
    return build(fullYear, MONTHS[(mon ?? "").toLowerCase()], day, hour, minute, second, zone);
  }
  const java = JAVA.exec(text);
  if (java !== null) {
    const [, mon, day, hour, minute, second, zone, year] = java;
    return build(Number(year), MONTHS[(mon ?? "").toLowerCase()], day, hour, minute, second, zone);
  }
  const js = JAVASCRIPT.exec(text);
  if (js !== null) {
    const [, mon, day, year, hour, minute, second, zone] = js;
    return build(Number(year), MONTHS[(mon ?? "").toLowerCase()], day, hour, minute, second, zone);
  }
  const iso = toUtcIso(text);
  if (iso !== undefined) return iso;
  const local = LOCAL.exec(text);
  if (local !== null) {
    const [, year, month, day, hour, minute, second, zone] = local;
    return build(Number(year), Number(month), day, hour ?? "0", minute ?? "0", second, zone);
  }
  return undefined;
}

function build(
  year: number,
  month: number | undefined,
  day: string | undefined,
  hour: string | undefined,
  minute: string | undefined,
  second: string | undefined,
  zone: string | undefined,
): string | undefined {
  if (month === undefined || month < 1 || month > 12 || day === undefined || hour === undefined || minute === undefined) return undefined;
  if (Number(hour) > 23 || Number(minute) > 59 || Number(second ?? 0) > 59) return undefined;
  const offset = zoneOffset(zone);
  if (offset === undefined) return undefined;
  return checked(`${String(year).padStart(4, "0")}-${pad(month)}-${pad(day)}T${pad(hour)}:${pad(minute)}:${pad(second ?? "0")}${offset}`, Number(day));
}

/** "+0800", "+8", "GMT+8", "UTC+08:00", "CST" → "+08:00"; no zone → Beijing; an unknown name → undefined. */
function zoneOffset(zone: string | undefined): string | undefined {
  if (zone === undefined) return "+08:00";
  const numeric = /^(?:(?:GMT|UTC|UT)\s*)?([+-])(\d{1,2})(?::?(\d{2}))?$/i.exec(zone);
  if (numeric !== null) {
    const [, sign, hours, minutes] = numeric;
    if (Number(hours) > 14 || Number(minutes ?? 0) > 59) return undefined;
    return `${sign}${pad(hours ?? "0")}:${minutes ?? "00"}`;
  }
  return ZONES[zone.toUpperCase()];
}

// Date.parse rolls "31 Feb" over to March; a date whose day changed was not a real date.
function checked(candidate: string, day: number): string | undefined {
  const ms = Date.parse(candidate);
  if (Number.isNaN(ms)) return undefined;
  const offsetMinutes = offsetOf(candidate);
  const local = new Date(ms + offsetMinutes * 60_000);
  return local.getUTCDate() === day ? new Date(ms).toISOString() : undefined;
}

function offsetOf(candidate: string): number {
  const match = /([+-])(\d{2}):(\d{2})$/.exec(candidate);
  if (match === null) return 0;
  const minutes = Number(match[2]) * 60 + Number(match[3]);
  return match[1] === "-" ? -minutes : minutes;
}
