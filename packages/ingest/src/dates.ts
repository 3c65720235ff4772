import { toUtcIso } from "@liaowang/schemas";

const MONTHS: Record<string, number> = { jan: 1, feb: 2, mar: 3, apr: 4, may: 5, jun: 6, jul: 7, aug: 8, sep: 9, oct: 10, nov: 11, dec: 12 };

// RFC 822 named zones. "CST" is RFC 822 US Central (-06:00), but Chinese servers (Java's Date#toString, PHP
// defaults) write "CST" for China Standard Time; every source this product polls is Chinese, so CST = +08:00.
const ZONES: Record<string, string> = {
  UT: "+00:00", UTC: "+00:00", GMT: "+00:00", Z: "+00:00",
  EST: "-05:00", EDT: "-04:00", MST: "-07:00", MDT: "-06:00", PST: "-08:00", PDT: "-07:00", CDT: "-05:00",
  CST: "+08:00", BJT: "+08:00", HKT: "+08:00",
};

const RFC822 =
  /^(?:[A-Za-z]{3,9},?\s+)?(\d{1,2})\s+([A-Za-z]{3})[A-Za-z]*\.?\s+(\d{2,4})\s+(\d{1,2}):(\d{2})(?::(\d{2}))?(?:\s*([+-]\d{2}:?\d{2}|[A-Za-z]{1,5}))?$/;
// 2024-5-1 9:30, 2024/05/01 09:30:00, 2024年5月1日 09:30 — all local (Beijing) time.
const LOOSE_LOCAL = /^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?(?:[\sT]+(\d{1,2})\s*[:时]\s*(\d{1,2})(?:\s*[:分]\s*(\d{1,2})\s*秒?)?)?$/;

function pad(n: number | string): string {
  return String(n).padStart(2, "0");
}

/**
 * Parse a feed or export date to UTC ISO: RFC 822 (`Wed, 01 May 2024 09:30:00 +0800` / `GMT`), ISO-8601, and
 * the local forms Chinese sites write (`2024/5/1 9:30`, `2024年5月1日 09:30`). A date without a zone is
 * Beijing time (UTC+8). Returns undefined when the value is not a date we recognise.
 * @example parseFeedDate("Wed, 01 May 2024 09:30:00") === "2024-05-01T01:30:00.000Z"
 */
export function parseFeedDate(value: string): string | undefined {
  const text = value.trim().replace(/\s+/g, " ");
  if (text.length === 0 || text.length > 80) return undefined;
  const rfc = RFC822.exec(text);
  if (rfc !== null) {
    const [, day, mon, year, hour, minute, second, zone] = rfc;
    const month = MONTHS[(mon ?? "").toLowerCase()];
    if (month === undefined || day === undefined || year === undefined || hour === undefined || minute === undefined) return undefined;
    const fullYear = year.length === 2 ? 2000 + Number(year) : Number(year);
    const offset = zoneOffset(zone);
    if (offset === undefined) return undefined;
    return checked(`${fullYear}-${pad(month)}-${pad(day)}T${pad(hour)}:${minute}:${pad(second ?? "0")}${offset}`, Number(day));
  }
  const iso = toUtcIso(text);
  if (iso !== undefined) return iso;
  const loose = LOOSE_LOCAL.exec(text);
  if (loose !== null) {
    const [, year, month, day, hour, minute, second] = loose;
    return checked(`${year}-${pad(month ?? "")}-${pad(day ?? "")}T${pad(hour ?? "0")}:${pad(minute ?? "0")}:${pad(second ?? "0")}+08:00`, Number(day));
  }
  return undefined;
}

function zoneOffset(zone: string | undefined): string | undefined {
  if (zone === undefined) return "+08:00";
  if (/^[+-]\d{2}:?\d{2}$/.test(zone)) return zone.includes(":") ? zone : `${zone.slice(0, 3)}:${zone.slice(3)}`;
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
