import type { Figure as FigureMessage, FigureKind } from "@liaowang/schemas";
import { parseQuantity } from "./numerals.js";
import type { Quantity } from "./numerals.js";
import { normalizeWidth } from "./text.js";

export type { FigureKind } from "@liaowang/schemas";

/**
 * A casualty or loss figure read from text: "30余人受伤" → injured, value 30, approx, min 30. `value` is the number
 * to grade by (the stated figure, the lower bound of "30余" / "3至5", or just under "近30"); `approx` is true when
 * the text hedges (余/多/约/近/超过/上百/十几/ranges); `unit` is "人" for people, "元" for money (in yuan).
 */
export type Figure = FigureMessage & { unit: "人" | "元" };

const KIND_WORDS: ReadonlyArray<readonly [FigureKind, readonly string[]]> = [
  ["deaths", ["死亡", "遇难", "罹难", "身亡", "丧生", "殒命", "丧命", "遇害", "殉职"]],
  ["missing", ["失联", "失踪", "下落不明"]],
  ["seriously_injured", ["重伤", "危重", "伤势严重", "伤势较重", "伤情严重", "伤情危重"]],
  ["injured", ["受伤", "轻伤", "负伤", "伤者"]],
  ["trapped", ["被困", "受困", "被埋压", "被埋"]],
  ["affected", ["受灾", "受影响"]],
];
const KIND_OF = new Map<string, FigureKind>(KIND_WORDS.flatMap(([kind, words]) => words.map((w) => [w, kind] as const)));
const KIND = [...KIND_OF.keys()].sort((a, b) => b.length - a.length).join("|");

const AR = String.raw`(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?`;
const CN = "零〇一二两三四五六七八九壹贰叁肆伍陆柒捌玖十拾百佰千仟";
// A run of numerals, units and vague markers; parseQuantity decides whether it is a number.
// The lookbehind stops a digit run from being re-split between repetitions (no catastrophic backtracking).
const QTY = String.raw`(?:上(?=[百千万])|[几数](?=[十百千万]))?(?:(?<![\d.,])${AR}|[${CN}万亿余多几来许])+`;
// Not inside a longer number, code, phone number or ordinal ("第一人").
const QTY_START = String.raw`(?<![\dA-Za-z.\-_/:${CN}万亿第])`;
const RANGE = String.raw`(?:(?<sep>至|到|-|—|~|～)(?<q2>${QTY}))?`;
const PEOPLE = String.raw`(?:个人|人|名|位|例)(?![员民口次们类士才])`;
const APPROX_BEFORE = "约有|大约有|约|大约|近|将近|接近|超过|超|逾|至少|不少于|多达|不到|不足";
const APPROX_AFTER = "以上|左右|上下|许";
const LEAD = `(?:已经|已|为|是|在|达到|达|上升至|上升到|上升为|升至|增至|增加至|增加到|攀升至|共计|共|累计|合计|总计|有|高达|初步统计|初步核定|初步估算|初步估计|估算|估计|预计|人民币|折合|${APPROX_BEFORE})*`;
const PUNCT = String.raw`\s，。；、！？,.;!?：:“”"（）()【】《》`;
const LOSS = "(?:直接)?(?:经济|财产)损失|直接损失";
const NOT_AFTER_KIND = "(?!率|原因|事故|事件|案|现场|风险|证明|赔偿|通知)";

/** "12人死亡", "3名工人当场遇难", "约30人受伤" */
const COUNT_THEN_KIND = new RegExp(
  String.raw`(?<pre>${APPROX_BEFORE})?${QTY_START}(?<q>${QTY})${RANGE}${PEOPLE}(?<post>${APPROX_AFTER})?(?<gap>(?:[^${PUNCT}\d]|\d+岁){0,10}?)(?<kind>${KIND})${NOT_AFTER_KIND}`,
  "g",
);
/** "死亡人数上升至23人", "受伤30余人", "受灾人口3.5万" */
const KIND_THEN_COUNT = new RegExp(
  String.raw`(?<kind>${KIND})(?<noun>的?(?:(?:者|人员|群众|病例)(?:的?人数)?|人数|人口))?(?<lead>${LEAD})${QTY_START}(?<q>${QTY})${RANGE}(?<cls>${PEOPLE})?(?<post>${APPROX_AFTER})?`,
  "g",
);
/** "3死2伤", "1死" */
const DEATHS_INJURED = new RegExp(
  String.raw`${QTY_START}(?<q>${QTY})死(?:(?<q2>${QTY})伤|(?=[${PUNCT}]|$))`,
  "g",
);
/** "直接经济损失约1.2亿元" */
const LOSS_THEN_AMOUNT = new RegExp(
  String.raw`(?<kw>${LOSS})(?<lead>${LEAD})${QTY_START}(?<q>${QTY})${RANGE}元(?:人民币)?(?<post>${APPROX_AFTER})?`,
  "g",
);
/** "造成约1.2亿元直接经济损失" */
const AMOUNT_THEN_LOSS = new RegExp(
  String.raw`(?<pre>${APPROX_BEFORE})?${QTY_START}(?<q>${QTY})${RANGE}元(?:人民币)?(?<post>${APPROX_AFTER})?的?(?<kw>${LOSS})`,
  "g",
);

interface Candidate extends Figure {
  start: number;
  /** Where the number starts: two readings of one number are resolved by {@link preferred}. */
  numberAt: number;
  /** Characters between the number and the word saying what it counts. */
  distance: number;
}

function hedge(words: string): { below: boolean; above: boolean; about: boolean } {
  return {
    below: /近|将近|接近|不到|不足/.test(words),
    above: /超过|超|逾|至少|不少于|以上|多达/.test(words),
    about: /约|左右|上下|许|估算|估计|预计/.test(words),
  };
}

function quantityOf(groups: Record<string, string | undefined>, hedgeWords: string): Quantity | undefined {
  const q = parseQuantity(groups.q ?? "");
  if (q === undefined) return undefined;
  if (groups.q2 !== undefined) {
    const q2 = parseQuantity(groups.q2);
    if (q2 === undefined || q2.value < q.value) return undefined;
    return { value: q.value, approx: true, min: q.value, max: q2.max ?? q2.value };
  }
  const h = hedge(hedgeWords);
  if (h.below) {
    // "近30人" is fewer than 30: just under the stated figure keeps it on the right side of a threshold.
    const under = Math.max(0, q.value - 1);
    return { value: under, approx: true, max: under };
  }
  if (h.above) return { ...q, approx: true, min: q.min ?? q.value };
  if (h.about) return { ...q, approx: true };
  return q;
}

function figure(kind: FigureKind, q: Quantity, text: string): Figure {
  return {
    kind,
    value: q.value,
    approx: q.approx,
    ...(q.min === undefined ? {} : { min: q.min }),
    ...(q.max === undefined ? {} : { max: q.max }),
    unit: kind === "loss_yuan" ? "元" : "人",
    text,
  };
}

function plausible(f: Figure): boolean {
  // People counts beyond the population are phone numbers or ids read as counts.
  return f.value > 0 && (f.unit === "元" || f.value <= 1.5e9);
}

function* candidates(original: string, text: string): Generator<Candidate> {
  for (const m of text.matchAll(COUNT_THEN_KIND)) {
    const g = m.groups ?? {};
    const kind = KIND_OF.get(g.kind ?? "");
    // "3名工人均未受伤" denies the figure; "不幸遇难" and "经抢救无效死亡" do not.
    if (kind === undefined || /[未没无不]/.test((g.gap ?? "").replace(/不幸|(?:抢救|救治|医治)无效/g, ""))) continue;
    const q = quantityOf(g, `${g.pre ?? ""}${g.post ?? ""}`);
    if (q === undefined) continue;
    const start = m.index;
    const numberAt = start + (g.pre?.length ?? 0);
    yield { ...figure(kind, q, original.slice(start, start + m[0].length)), start, numberAt, distance: g.gap?.length ?? 0 };
  }
  for (const m of text.matchAll(KIND_THEN_COUNT)) {
    const g = m.groups ?? {};
    const kind = KIND_OF.get(g.kind ?? "");
    // Without a classifier ("死亡3天后") only "…人数为23" reads as a count.
    if (kind === undefined || (g.cls === undefined && g.noun === undefined)) continue;
    const end = m.index + m[0].length;
    if (g.cls === undefined && /^[%年月日时分秒天号岁个次倍]/.test(text.slice(end))) continue;
    const q = quantityOf(g, `${g.lead ?? ""}${g.post ?? ""}`);
    if (q === undefined) continue;
    const numberAt = m.index + (g.kind?.length ?? 0) + (g.noun?.length ?? 0) + (g.lead?.length ?? 0);
    yield { ...figure(kind, q, original.slice(m.index, end)), start: m.index, numberAt, distance: (g.noun?.length ?? 0) + (g.lead?.length ?? 0) + 1 };
  }
  for (const m of text.matchAll(DEATHS_INJURED)) {
    const g = m.groups ?? {};
    const deaths = parseQuantity(g.q ?? "");
    if (deaths === undefined) continue;
    yield { ...figure("deaths", deaths, original.slice(m.index, m.index + m[0].length)), start: m.index, numberAt: m.index, distance: 0 };
    if (g.q2 === undefined) continue;
    const injured = parseQuantity(g.q2);
    const at = m.index + (g.q?.length ?? 0) + 1;
    if (injured) yield { ...figure("injured", injured, original.slice(m.index, m.index + m[0].length)), start: at, numberAt: at, distance: 0 };
  }
  for (const pattern of [LOSS_THEN_AMOUNT, AMOUNT_THEN_LOSS]) {
    for (const m of text.matchAll(pattern)) {
      const g = m.groups ?? {};
      const q = quantityOf(g, `${g.pre ?? ""}${g.lead ?? ""}${g.post ?? ""}`);
      if (q === undefined) continue;
      const numberAt = m.index + (pattern === LOSS_THEN_AMOUNT ? (g.kw?.length ?? 0) + (g.lead?.length ?? 0) : (g.pre?.length ?? 0));
      yield { ...figure("loss_yuan", q, original.slice(m.index, m.index + m[0].length)), start: m.index, numberAt, distance: 0 };
    }
  }
}

/** Of two readings of one number ("3人死亡2人受伤": is 2 dead or injured?), the nearer word wins, ties to the first. */
function preferred(a: Candidate, b: Candidate): Candidate {
  return b.distance < a.distance ? b : a;
}

/**
 * Casualty and loss figures in Chinese text, in order of appearance, without exact repeats: deaths, missing,
 * seriously injured, injured, trapped, affected people and direct economic loss in yuan. Reads Chinese and
 * full-width numerals, 万/亿 mixed with digits, ranges and hedges; ignores rates ("死亡率"), dates and phone numbers.
 * @example extractFigures("已致3人死亡、2人失联，直接经济损失约1.2亿元")
 * // [{ kind: "deaths", value: 3, … }, { kind: "missing", value: 2, … }, { kind: "loss_yuan", value: 120000000, approx: true, … }]
 */
export function extractFigures(text: string): Figure[] {
  const normalized = normalizeWidth(text);
  const byNumber = new Map<string, Candidate>();
  for (const c of candidates(text, normalized)) {
    if (!plausible(c)) continue;
    const key = `${c.unit}:${c.numberAt}`;
    const other = byNumber.get(key);
    byNumber.set(key, other === undefined ? c : preferred(other, c));
  }
  const seen = new Set<string>();
  const out: Figure[] = [];
  for (const c of [...byNumber.values()].sort((a, b) => a.start - b.start || a.numberAt - b.numberAt)) {
    const { start: _start, numberAt: _numberAt, distance: _distance, ...f } = c;
    const key = `${f.kind}|${f.value}|${f.approx}|${f.min}|${f.max}`;
    if (seen.has(key)) continue;
    seen.add(key);
    out.push(f);
  }
  return out;
}

/**
 * The highest figure of each kind (by value), e.g. to grade an incident by its worst report.
 * @example maxFigures(extractFigures("3人死亡……死亡人数上升至5人")).deaths?.value // 5
 */
export function maxFigures(figures: readonly Figure[]): Partial<Record<FigureKind, Figure>> {
  const out: Partial<Record<FigureKind, Figure>> = {};
  for (const f of figures) {
    const best = out[f.kind];
    if (best === undefined || f.value > best.value) out[f.kind] = f;
  }
  return out;
}
