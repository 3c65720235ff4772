import { createRequire } from "node:module";
import ct from "countries-and-timezones";
import countries from "i18n-iso-countries";
import zhCountries from "i18n-iso-countries/langs/zh.json" with { type: "json" };
import { invalidInput } from "@liaowang/errors";
import { PhraseIndex } from "./phrases.js";
import { listLines, type Gazetteer } from "./regions.js";
import { indexForm } from "./text.js";

/** A place abroad named in a text: a country (ISO 3166-1 alpha-2), a world region (UN M49 / EU) or a city in one. */
export interface ForeignMatch {
  /** ISO 3166-1 alpha-2 of the country, or the M49 / "EU" code of a world region. */
  code: string;
  /** Chinese name of the country or region. */
  name: string;
  /** The city named, when the text named a city ("东京" → JP, city 东京). */
  city?: string | undefined;
}

interface ForeignEntry {
  code: string;
  name: string;
  city?: string | undefined;
  /** False for names that are also Chinese places or common words ("中非", "黑山"): need another foreign name. */
  standalone: boolean;
}

/** Foreign countries, world regions and well-known cities by every Chinese name they are written with. */
export interface ForeignGazetteer {
  readonly index: PhraseIndex<ForeignEntry>;
  readonly size: number;
  /** One-character abbreviations of headlines ("美", "日", "俄"): counted only where headlines use them. */
  readonly abbreviations: ReadonlyMap<string, ForeignEntry>;
}

// After a one-character abbreviation these say a country is meant ("美军", "日首相", "俄方"); alone, at the head of
// a headline or sentence, it is one too ("美小型飞机坠落").
const ABBREVIATION_CUES = new Set([
  "军", "方", "总统", "首相", "总理", "政府", "媒", "媒体", "警方", "官员", "外长", "防长", "议员", "股", "驻", "海军", "空军", "陆军",
  "国防部", "外交部", "央行", "国会", "众议院", "参议院", "大使馆", "领导人", "民众", "男子", "女子", "客机", "军机", "舰",
]);

// What follows a country's name inside one word of the segmenter ("美国公司", "朝鲜半岛", "日本籍"): the word is about
// that country. Only these: "法国梧桐", "加拿大一枝黄花" and "巴西龟" are plants and animals in China.
const NAME_SUFFIXES = new Set([
  ...ABBREVIATION_CUES, "公司", "企业", "半岛", "境内", "当局", "首都", "南部", "北部", "东部", "西部", "中部", "人", "籍", "游客",
  "华人", "华侨", "留学生", "航空", "法院", "警察", "军队", "士兵", "使馆", "领事馆", "议会", "大选",
]);

// Words that look like an abbreviation and a cue but are no country ("美男子" is a handsome man).
const NOT_A_COUNTRY = new Set(["美男子", "美女子"]);

// One-character abbreviations that head a headline on their own ("俄疗养院…", "叙反对派…"), besides the "X国" ones:
// characters that mean nothing else as a word of their own there.
const HEAD_ABBREVIATIONS = new Set(["俄", "日", "朝", "叙", "菲"]);

// Mainland China and the regions the Chinese gazetteer already knows as divisions of China (港澳台) are not abroad.
const NOT_FOREIGN = new Set(["CN", "HK", "MO", "TW"]);
// UN M49 world regions (and the EU) that lie wholly outside China, for "欧洲", "非洲", "东南亚", "欧盟".
const WORLD_REGIONS = ["002", "150", "019", "005", "009", "419", "145", "035", "034", "053", "054", "EU"];

const require = createRequire(import.meta.url);

interface ZoneNames {
  main: { zh: { dates: { timeZoneNames: { zone: Record<string, unknown> } } } };
}

/** Exemplar cities of the IANA time zones in CLDR's Chinese data (东京, 纽约, 曼谷 …), with the zone id. */
function exemplarCities(): { zone: string; city: string }[] {
  const data = require("cldr-dates-full/main/zh/timeZoneNames.json") as ZoneNames;
  const out: { zone: string; city: string }[] = [];
  const walk = (node: Record<string, unknown>, path: string): void => {
    for (const [key, value] of Object.entries(node)) {
      if (value === null || typeof value !== "object") continue;
      const city = (value as { exemplarCity?: unknown }).exemplarCity;
      if (typeof city === "string") out.push({ zone: `${path}${key}`, city });
      else walk(value as Record<string, unknown>, `${path}${key}/`);
    }
  };
  walk(data.main.zh.dates.timeZoneNames.zone, "");
  return out.filter((z) => !z.zone.startsWith("Etc/"));
}

function countryOfZone(zone: string): string | undefined {
  const tz = ct.getTimezone(zone);
  const target = tz?.aliasOf ? (ct.getTimezone(tz.aliasOf) ?? tz) : tz;
  return target?.countries[0];
}

/** Every surface form of a Chinese division in the gazetteer (full and short names), to spot shared names. */
function chineseForms(gazetteer: Gazetteer | undefined): (name: string) => boolean {
  if (!gazetteer) return () => false;
  return (name) => gazetteer.index.get(indexForm(name)) !== undefined;
}

/**
 * Build the foreign gazetteer from maintained data: country names from `i18n-iso-countries` (zh) and CLDR (the
 * runtime's `Intl.DisplayNames`, which adds full forms such as 印度尼西亚 and 阿拉伯联合酋长国), world regions from
 * CLDR, and well-known cities from CLDR's Chinese time-zone exemplar cities (`cldr-dates-full`) placed in their
 * country by `countries-and-timezones`. Names that are also Chinese divisions (with `chinese`) or listed as
 * `ambiguous` only count next to another foreign name.
 * @example const foreign = buildForeignGazetteer({ ambiguous: ["中非", "黑山"], chinese: buildGazetteer() });
 */
export function buildForeignGazetteer(options: { ambiguous?: Iterable<string>; chinese?: Gazetteer; actors?: Iterable<ForeignActor> } = {}): ForeignGazetteer {
  countries.registerLocale(zhCountries);
  const display = new Intl.DisplayNames(["zh"], { type: "region" });
  const ambiguous = new Set([...(options.ambiguous ?? [])].map(indexForm));
  const isChinese = chineseForms(options.chinese);
  const entries = new Map<string, ForeignEntry>();
  const add = (surface: string, entry: Omit<ForeignEntry, "standalone">): void => {
    const key = indexForm(surface.trim());
    if ([...key].length < 2 || entries.has(key)) return;
    entries.set(key, { ...entry, standalone: !ambiguous.has(key) && !isChinese(key) });
  };
  const countryName = new Map<string, string>();
  for (const code of Object.keys(countries.getAlpha2Codes())) {
    if (NOT_FOREIGN.has(code)) continue;
    const own = countries.getName(code, "zh", { select: "all" }) ?? [];
    const cldr = display.of(code);
    const names = [...own, ...(cldr && cldr !== code ? [cldr] : [])];
    const main = names[0];
    if (main === undefined) continue;
    countryName.set(code, main);
    for (const n of names) {
      add(n, { code, name: main });
      // "刚果（金）" is also written "刚果"; the first country keeps the bare name.
      const bare = n.replace(/[（(].*[)）]$/, "");
      if (bare !== n) add(bare, { code, name: main });
    }
  }
  // Organisations that are a place abroad by themselves (塔利班 → 阿富汗), named as their country.
  for (const actor of options.actors ?? []) {
    const name = countryName.get(actor.code);
    if (name === undefined) throw invalidInput(`${actor.source}: "${actor.code}" is not the ISO 3166-1 alpha-2 code of a country abroad`);
    add(actor.name, { code: actor.code, name });
  }
  for (const code of WORLD_REGIONS) {
    const name = display.of(code);
    if (name && name !== code) add(name, { code, name });
  }
  // "美国" → 美, and the first character of a country name no other name starts with (日本 → 日, 俄罗斯 → 俄); never
  // one that also starts China's own names (中国, 香港, 澳门, 台湾 keep 中, 香, 澳, 台 out).
  const firsts = new Map<string, Set<string>>();
  const mark = (ch: string, code: string): void => {
    firsts.set(ch, new Set([...(firsts.get(ch) ?? []), code]));
  };
  for (const [key, e] of entries) if (e.city === undefined && /^[A-Z]{2}$/.test(e.code)) mark([...key][0] ?? "", e.code);
  for (const code of NOT_FOREIGN) for (const n of countries.getName(code, "zh", { select: "all" }) ?? []) mark([...n][0] ?? "", code);
  const abbreviations = new Map<string, ForeignEntry>();
  for (const [code, name] of countryName) {
    const chars = [...name];
    const first = chars[0] ?? "";
    const own = chars.length === 2 && chars[1] === "国" ? first : firsts.get(first)?.size === 1 ? first : undefined;
    // `standalone` here: "X国" abbreviations may stand at the head of a headline; the others need a cue after them.
    if (own !== undefined && own !== "" && !abbreviations.has(own) && !ambiguous.has(own)) abbreviations.set(own, { code, name, standalone: chars[1] === "国" });
  }
  for (const { zone, city } of exemplarCities()) {
    const code = countryOfZone(zone);
    if (code === undefined || NOT_FOREIGN.has(code)) continue;
    const name = countryName.get(code);
    if (name === undefined) continue;
    add(city, { code, name, city });
  }
  return { index: new PhraseIndex(entries, 4), size: entries.size, abbreviations };
}

/** An organisation or institution that is a place abroad by itself (config/dict/foreign-actors.txt). */
export interface ForeignActor {
  name: string;
  /** ISO 3166-1 alpha-2 of its country. */
  code: string;
  /** Where it was read (`file:line`), for errors. */
  source: string;
}

/**
 * Parses the foreign-actors list: one `名称 CODE` per line (ISO 3166-1 alpha-2), `#` comments; a malformed line
 * throws naming the file and line.
 * @example parseForeignActors("塔利班 AF\n", "foreign-actors.txt") // [{ name: "塔利班", code: "AF", source: "foreign-actors.txt:1" }]
 */
export function parseForeignActors(text: string, source: string): ForeignActor[] {
  return listLines(text).map(({ line, number }) => {
    const m = /^(\S+)\s+([A-Z]{2})$/.exec(line);
    if (!m) throw invalidInput(`${source}:${number}: expected a name and a two-letter country code, got "${line}"`);
    return { name: m[1] as string, code: m[2] as string, source: `${source}:${number}` };
  });
}

function abbreviated(tokens: readonly string[], gazetteer: ForeignGazetteer): { value: ForeignEntry }[] {
  const out: { value: ForeignEntry }[] = [];
  for (let i = 0; i < tokens.length; i++) {
    const token = tokens[i]!;
    // Abbreviations are one character (one or two UTF-16 units): most tokens are longer.
    if (token.length > 2) continue;
    const entry = gazetteer.abbreviations.get(token);
    if (!entry) continue;
    const before = i === 0 ? "" : (tokens[i - 1] ?? "");
    // "5月1日，…" is a date, not Japan.
    if (/[\d〇一二三四五六七八九十]$/.test(before)) continue;
    const atHead = i === 0 || /^[\s\p{P}\p{S}]+$/u.test(before);
    if ((atHead && (entry.standalone || HEAD_ABBREVIATIONS.has(token))) || ABBREVIATION_CUES.has(tokens[i + 1] ?? "")) out.push({ value: { ...entry, standalone: true } });
  }
  return out;
}

/**
 * Countries named at the start of a longer word of the segmenter: a name and a suffix of {@link NAME_SUFFIXES}
 * ("美国公司", "朝鲜半岛"), or a one-character abbreviation and a cue ("美军", "朝媒称", "俄方").
 */
function prefixed(normalized: readonly string[], gazetteer: ForeignGazetteer): { value: ForeignEntry }[] {
  const out: { value: ForeignEntry }[] = [];
  for (const token of normalized) {
    const chars = [...token];
    if (chars.length < 2 || NOT_A_COUNTRY.has(token)) continue;
    const abbreviation = gazetteer.abbreviations.get(chars[0] as string);
    // Only abbreviations that stand for their country on their own ("X国", or heading a headline): "亚军" is no
    // Armenian army.
    const strong = abbreviation !== undefined && (abbreviation.standalone || HEAD_ABBREVIATIONS.has(chars[0] as string));
    if (abbreviation && strong && chars.length <= 3 && (ABBREVIATION_CUES.has(chars.slice(1).join("")) || ABBREVIATION_CUES.has(chars[1] as string))) {
      out.push({ value: { ...abbreviation, standalone: true } });
      continue;
    }
    if (chars.length < 3) continue;
    // The longest name the word starts with, leaving a known suffix.
    for (let n = chars.length - 1; n >= 2; n--) {
      if (!NAME_SUFFIXES.has(chars.slice(n).join(""))) continue;
      const entry = gazetteer.index.get(chars.slice(0, n).join(""));
      if (entry && entry.city === undefined) {
        out.push({ value: entry });
        break;
      }
    }
  }
  return out;
}

/**
 * The places abroad a text names, in order of first mention, one per country or region (the first city named in
 * it kept). `tokens` are the segmenter's segments, so names are found on word boundaries ("几内亚湾" is no
 * 几内亚, "巴布亚新几内亚" no 几内亚). Ambiguous names count only when the text names another place abroad.
 * @example recognizeForeign(seg.segments("日本东京地铁发生事故"), foreign) // [{ code: "JP", name: "日本", city: "东京" }]
 */
export function recognizeForeign(tokens: readonly string[], gazetteer: ForeignGazetteer): ForeignMatch[] {
  return recognizeForeignIndexed(tokens, tokens.map(indexForm), gazetteer);
}

/** {@link recognizeForeign} given the tokens also in index form (`normalized[i]` is `indexForm(tokens[i])`). */
export function recognizeForeignIndexed(tokens: readonly string[], normalized: readonly string[], gazetteer: ForeignGazetteer): ForeignMatch[] {
  const phrases = gazetteer.index.findAllIndexed(normalized);
  const abbreviations = abbreviated(tokens, gazetteer);
  const inWords = prefixed(normalized, gazetteer);
  if (phrases.length === 0 && abbreviations.length === 0 && inWords.length === 0) return [];
  const found = [...phrases, ...abbreviations, ...inWords];
  const anchored = found.some((m) => m.value.standalone);
  const out = new Map<string, ForeignMatch>();
  for (const m of found) {
    if (!m.value.standalone && !anchored) continue;
    const { code, name, city } = m.value;
    const held = out.get(code);
    if (!held) out.set(code, { code, name, ...(city === undefined ? {} : { city }) });
    else if (held.city === undefined && city !== undefined) out.set(code, { ...held, city });
  }
  return [...out.values()];
}
