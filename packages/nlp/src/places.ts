import type { ForeignGazetteer, ForeignMatch } from "./foreign.js";
import type { Gazetteer, RegionMatch } from "./regions.js";
import { indexForm } from "./text.js";

/**
 * How a text names a place: where something happened ("在泰国", "泰国境内": `venue`), only whose people or teams
 * are involved ("长沙籍游客", "来自泰国的游客", "美国队": `origin`), or plainly (absent). Jurisdiction scope reads it:
 * 长沙籍游客在泰国遇险 concerns 长沙 (涉本地) but happened abroad.
 */
export type PlaceRole = "venue" | "origin";

const VENUE_BEFORE = new Set(["在", "于", "赴", "到", "去", "前往", "抵达", "途经", "位于", "来到", "地处"]);
const VENUE_AFTER = new Set(["境内", "当地", "境内外", "本土"]);
const ORIGIN_BEFORE = new Set(["来自", "籍贯"]);
const ORIGIN_AFTER = new Set([
  "籍",
  "人",
  "游客",
  "旅客",
  "公民",
  "学生",
  "大学生",
  "留学生",
  "市民",
  "居民",
  "村民",
  "网友",
  "老乡",
  "侨民",
  "华人",
  "华侨",
  "务工人员",
  "民工",
  "农民工",
  "队",
  "球队",
  "男篮",
  "女篮",
  "男足",
  "女足",
  "女排",
  "男排",
  "选手",
  "球员",
  "籍游客",
  "籍男子",
  "籍女子",
  "籍学生",
  "旅行团",
  "游客团",
]);

function roleAt(tokens: readonly string[], start: number, end: number): PlaceRole | undefined {
  const before = tokens[start - 1] ?? "";
  const after = tokens[end] ?? "";
  if (VENUE_BEFORE.has(before) || VENUE_AFTER.has(after)) return "venue";
  if (ORIGIN_BEFORE.has(before) || ORIGIN_AFTER.has(after)) return "origin";
  // "来自泰国的游客": 来自 two tokens back across 的 is rare; "泰国的游客" alone is ambiguous and stays plain.
  return undefined;
}

const RANK = { venue: 2, plain: 1, origin: 0 } as const;
type Mention = PlaceRole | "plain";

function stronger(a: Mention | undefined, b: Mention): Mention {
  return a === undefined || RANK[b] > RANK[a] ? b : a;
}

/**
 * The role of each recognised place over all its mentions: `venue` if any mention places something there, else
 * plain if any mention is plain, else `origin` (every mention names people or teams from there).
 * @example placeRoles(seg.segments("长沙籍游客在泰国遇险"), gazetteer, foreign, regions, abroad) // Map { "430100" → "origin", "TH" → "venue" }
 */
export function placeRoles(
  tokens: readonly string[],
  gazetteer: Gazetteer,
  foreign: ForeignGazetteer,
  regions: readonly RegionMatch[],
  abroad: readonly ForeignMatch[],
): Map<string, PlaceRole> {
  return placeRolesIndexed(tokens.map(indexForm), gazetteer, foreign, regions, abroad);
}

/** {@link placeRoles} of tokens already in index form (`indexForm` of each). */
export function placeRolesIndexed(
  normalized: readonly string[],
  gazetteer: Gazetteer,
  foreign: ForeignGazetteer,
  regions: readonly RegionMatch[],
  abroad: readonly ForeignMatch[],
): Map<string, PlaceRole> {
  // Roles are only kept for places recognised: a text that names none has nothing to read.
  if (regions.length === 0 && abroad.length === 0) return new Map();
  const codes = new Set(regions.map((r) => r.code));
  const foreignCodes = new Set(abroad.map((f) => f.code));
  const mentions = new Map<string, Mention>();
  for (let i = 0; i < normalized.length; ) {
    const f = foreignCodes.size > 0 ? foreign.index.longestAt(normalized, i) : undefined;
    const r = gazetteer.index.longestAt(normalized, i);
    const end = Math.max(f?.end ?? i, r?.end ?? i);
    if (end === i) {
      i++;
      continue;
    }
    const role: Mention = roleAt(normalized, i, end) ?? "plain";
    if (f && f.end === end && foreignCodes.has(f.value.code)) mentions.set(f.value.code, stronger(mentions.get(f.value.code), role));
    if (r && r.end === end) {
      for (const form of r.value) if (codes.has(form.division.code)) mentions.set(form.division.code, stronger(mentions.get(form.division.code), role));
    }
    i = end;
  }
  const out = new Map<string, PlaceRole>();
  for (const [code, m] of mentions) if (m !== "plain") out.set(code, m);
  return out;
}
