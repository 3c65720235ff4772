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

/** Words that say what a count counts, placed after the count ("3人死亡") or before it ("死亡人数3人"). */
const KIND_WORDS: ReadonlyArray<readonly [FigureKind, readonly string[]]> = [
  ["deaths", ["死亡", "遇难", "罹难", "身亡", "丧生", "殒命", "丧命", "遇害", "殉职", "牺牲", "死者", "亡者", "溺亡", "坠亡", "不治", "阵亡", "战死", "猝死", "惨死"]],
  ["missing", ["失联", "失踪", "下落不明"]],
  ["seriously_injured", ["重伤", "危重", "伤势严重", "伤势较重", "伤情严重", "伤情危重"]],
  ["injured", ["受伤", "轻伤", "负伤", "伤者", "伤员"]],
  ["trapped", ["被困", "受困", "被埋压", "被埋"]],
  ["affected", ["受灾", "受影响"]],
  // Infections and illness of a 公共卫生事件 (food poisoning included) are not injuries.
  // Symptoms and falling ill count the ill of a 公共卫生事件: "一百多名学生午饭后出现呕吐腹泻".
  ["infected", ["感染", "确诊", "染病", "发病", "中毒", "生病", "病倒", "呕吐", "腹泻", "上吐下泻"]],
  // "死伤近30人", "造成8人伤亡": killed and injured together, never to be read as deaths.
  ["casualties", ["死伤", "伤亡"]],
];
/**
 * Verbs whose result is a casualty: "炸死7名", "打伤4人" (count after the verb), "3人被撞死" (passive). Before the
 * verb a count is its agent ("3名男子打伤…") unless the clause is passive (被/遭) or the verb's subject is its victim.
 */
const VERB_WORDS: ReadonlyArray<readonly [FigureKind, readonly string[]]> = [
  [
    "deaths",
    [
      "打死", "撞死", "砸死", "烧死", "淹死", "毒死", "杀死", "刺死", "砍死", "压死", "咬死", "轧死", "捅死", "炸死", "勒死",
      "掐死", "闷死", "冻死", "饿死", "摔死", "溺死", "电死", "踩死", "碾死", "击毙", "枪杀", "射杀", "杀害", "害死", "捂死", "连杀", "杀",
    ],
  ],
  [
    "injured",
    [
      "打伤", "撞伤", "咬伤", "砍伤", "炸伤", "烧伤", "刺伤", "捅伤", "扎伤", "击伤", "砸伤", "划伤", "割伤", "抓伤", "踩伤",
      "烫伤", "灼伤", "殴伤", "摔伤", "误伤", "射伤", "冻伤", "压伤", "轧伤",
    ],
  ],
];
/** Verbs whose grammatical subject is the victim: "3人烧伤", "两人溺死". */
const SUBJECT_IS_VICTIM = new Set(["烧伤", "烫伤", "灼伤", "摔伤", "冻伤", "冻死", "饿死", "淹死", "溺死", "摔死", "烧死"]);
/** Every word that names a kind, for tests and tools. */
export const KIND_WORD_LIST: readonly string[] = [...KIND_WORDS, ...VERB_WORDS].flatMap(([, words]) => words);
const KIND_OF = new Map<string, FigureKind>(
  [...KIND_WORDS, ...VERB_WORDS].flatMap(([kind, words]) => words.map((w) => [w, kind] as const)),
);
const VERBS = new Set(VERB_WORDS.flatMap(([, words]) => words));
const alternation = (words: Iterable<string>): string => [...words].sort((a, b) => b.length - a.length).join("|");
const KIND = alternation(KIND_OF.keys());


const AR = String.raw`(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?`;
const CN = "零〇一二两三四五六七八九壹贰叁肆伍陆柒捌玖十拾百佰千仟";
// A run of numerals, units and vague markers; parseQuantity decides whether it is a number.
// The lookbehind stops a digit run from being re-split between repetitions (no catastrophic backtracking).
const QTY = String.raw`(?:上(?=[百千万])|[几数](?=[十百千万]))?(?:(?<![\d.,])${AR}|[${CN}万亿余多几来许])+`;
// Not inside a longer number, code, phone number or ordinal ("第一人").
const QTY_START = String.raw`(?<![\dA-Za-z.\-_/:${CN}万亿第])`;
const RANGE = String.raw`(?:(?<sep>至|到|-|—|~|～)(?<q2>${QTY}))?`;
const PUNCT = String.raw`\s，。；、！？,.;!?：:“”"（）()【】《》`;
/** People counted without 名/人 in headlines: "撞死两女工", "4男生遇难", "三个初三学生". */
const PEOPLE_NOUN =
  "学生|男生|女生|学童|儿童|孩子|小孩|女孩|男孩|男童|女童|幼童|婴儿|女婴|男婴|少年|少女|老人|妇女|男子|女子|女工|工人|矿工|民工|职工|员工|村民|居民|群众|游客|乘客|路人|行人|士兵|军人|警察|民警|渔民|船员|记者|人质|同学|亲人|家人";
// 口 only counts people in "一家3口" (checked in code); 个 and a bare count only before a person ("三个初三学生").
// 人 before 员/民/口/次 … is a word ("人员", "人次"), 名 before 次/单/额 … too ("名次", "名单"); "3名员工" and "2名民警" count.
const CLASSIFIER = String.raw`(?:个人|人(?![员民口次们类士才])|名(?![次单额字义称牌校著气誉言片])|位(?![于置])|例|口|个(?=[^${PUNCT}\d]{0,3}?(?:${PEOPLE_NOUN})))`;
// Before a kind word a bare count needs Arabic digits ("4男生遇难"; "初三学生" is a grade), checked in code.
const PEOPLE = String.raw`(?:${CLASSIFIER}|(?=${PEOPLE_NOUN}))`;
/** After a verb a bare count before a person counts them: "撞死两女工", "杀两亲人". */
const PERSON_NEXT = new RegExp(`^(?:${PEOPLE_NOUN})`);
const APPROX_BEFORE = "约有|大约有|约|大约|近|将近|接近|超过|超|逾|至少|不少于|多达|不到|不足";
const APPROX_AFTER = "以上|左右|上下|许";
const LEAD = `(?:已经|已|为|是|在|达到|达|上升至|上升到|上升为|升至|增至|增加至|增加到|攀升至|新增|共计|共|累计|合计|总计|有|高达|了|其|初步统计|初步核定|初步估算|初步估计|估算|估计|预计|人民币|折合|一家|全家|对方|他|她|夫妻|母子|父子|母女|父女|兄弟|姐妹|祖孙|${APPROX_BEFORE})*`;
const LOSS = "(?:直接)?(?:经济|财产)损失|直接损失";
// "200人死亡事件" is a death toll naming its event; "死亡事故责任人", "死亡原因", "死亡率" count nothing.
const NOT_AFTER_KIND =
  "(?!率|原因|(?:事故|事件|案)(?:率|原因|责任|发生率|起数|数量|隐患|多发)|现场|风险|威胁|证明|赔偿|通知|(?:者|人员)?的?(?:家属|亲属|遗属|家庭|子女|遗体|遗骸|名单|身份))";
/**
 * What may stand between a count and its kind word within one clause: up to {@link LONG_GAP} characters, digits
 * included when they count no people ("一名女子在8楼客房坠楼身亡", "身中300多枪身亡"), never a clause mark.
 */
const GAP_CHAR = String.raw`(?:[^${PUNCT}\d]|\d+(?:\.\d+)?(?![\d.,]|[余多]?(?:名|人|位|例|口|个(?!月)|死|伤|重伤|轻伤|失踪|失联)))`;
const LONG_GAP = 24;
/** Kin and people a verb's object names before its count: "杀死其夫妇二人", "撞伤路边行人3名". */
const KIN = "夫妇|夫妻|妻儿|妻女|妻子|丈夫|儿子|女儿|父母|父亲|母亲|岳父母|公婆|邻居|同事|室友|情侣|兄妹|姐弟|母子|父子|母女|父女|祖孙";
/** "父女俩", "母子俩", "兄弟俩": two people. */
const PAIR = "(?:夫妇|夫妻|母子|父子|母女|父女|兄弟|姐妹|姐弟|兄妹|祖孙|爷孙|婆媳|师徒|夫妻|小两口|哥|姐|弟|妹)俩";
/** "4名儿童染怪病", "3人患肺炎": an illness named between 染/患 and 病/炎/肝. */
const ILL = String.raw`[染患][^${PUNCT}\d]{0,3}?(?:病|炎|肝|流感)(?![毒菌原]|[女男]?婴|儿童|孩子|女孩|男孩|老人|学生|患者|病人|的)`;
// A bare 死 / 伤 closes a clause ("37人死亡26人伤"); inside a word ("伤心", "死党") it is no casualty.
const BARE = String.raw`[死伤](?=[${PUNCT}]|$)`;

/** "12人死亡", "3名工人当场遇难", "约30人受伤", "3人被撞死" */
const COUNT_THEN_KIND = new RegExp(
  String.raw`(?:(?<pre>${APPROX_BEFORE})?${QTY_START}(?<q>${QTY})${RANGE}(?<cls>${PEOPLE})(?<post>${APPROX_AFTER})?|(?<pair>${PAIR}))(?<gap>${GAP_CHAR}{0,${LONG_GAP}}?)(?<kind>${KIND}|${ILL}|病例|${BARE})${NOT_AFTER_KIND}`,
  "g",
);
/** A second kind word later in the clause is the outcome: "打伤后死亡", "被困井下死亡", "中毒身亡". */
const OUTCOME = new RegExp(String.raw`[^${PUNCT}\d${CN}万几数多余人名位例]{0,6}?(?<kind>${KIND}|${BARE})${NOT_AFTER_KIND}`, "y");
/** "24名村民被20余名男子打伤": a passive clause whose agent may carry its own count. */
const PASSIVE = new RegExp(
  String.raw`(?<pre>${APPROX_BEFORE})?${QTY_START}(?<q>${QTY})${RANGE}(?<cls>${PEOPLE})(?<post>${APPROX_AFTER})?(?<gap>[^${PUNCT}\d]{0,16}?(?:被|遭到|遭)[^${PUNCT}]{0,16}?)(?<kind>${alternation(VERBS)})`,
  "g",
);
/** "死亡人数上升至23人", "受伤30余人", "受灾人口3.5万", "炸死7名", "死伤近30人", "伤60人" (bare 死/伤 need a classifier) */
const KIND_THEN_COUNT = new RegExp(
  String.raw`(?<kind>${KIND}|死|伤)(?<noun>的?(?:(?:者|人员|群众|病例|患者|病人)(?:的?人数)?|人数|人口))?(?<lead>${LEAD})(?<obj>(?:${PEOPLE_NOUN}|${KIN}){1,2}(?:共|计)?)?${QTY_START}(?<q>${QTY})${RANGE}(?<cls>${CLASSIFIER})?(?<post>${APPROX_AFTER})?`,
  "g",
);
/** "死于甲型流感者增至7人" */
const DIED_OF = new RegExp(
  String.raw`死于[^${PUNCT}\d]{1,12}?(?<noun>者|的人|病例|患者)(?:的?人数)?(?<lead>${LEAD})${QTY_START}(?<q>${QTY})${RANGE}(?<cls>${CLASSIFIER})?(?<post>${APPROX_AFTER})?`,
  "g",
);
/** "确诊首例甲型流感病例": the first case is one infection. */
const FIRST_CASE = new RegExp(String.raw`(?:确诊|发现|报告|出现)了?[^${PUNCT}\d]{0,6}?首例[^${PUNCT}]{0,12}?(?:病例|患者|感染者)`, "g");
/** "死亡人数新增4人 总数达89人": a total continues the kind of the figure just before it. */
const TOTAL = new RegExp(String.raw`(?:总数|总人数)(?<lead>${LEAD})${QTY_START}(?<q>${QTY})${RANGE}(?<cls>${CLASSIFIER})?(?<post>${APPROX_AFTER})?`, "g");
/** One item of a compact count: "3死", "2伤", "5重伤", "14失踪" (chains are read in code). */
const COMPACT = new RegExp(String.raw`${QTY_START}(?<q>${QTY})(?<k>重伤|轻伤|死|伤|失踪|失联)`, "g");
const COMPACT_KIND: Readonly<Record<string, FigureKind>> = { 死: "deaths", 重伤: "seriously_injured", 轻伤: "injured", 伤: "injured", 失踪: "missing", 失联: "missing" };
/** What may follow a lone "N死": a clause end or the noun it qualifies ("致5死事故"), never a word ("九死一生"). */
const AFTER_LONE_DEATHS = new RegExp(String.raw`^(?:$|[${PUNCT}]|(?:重大|特大|较大)?(?:事故|车祸|惨案|血案|命案|大案|案|事件|火灾|爆炸|矿难|空难|枪击|的))`);
/** What makes a lone Chinese-numeral "N死" a count: a causative before it ("致一死"). */
const CAUSE_BEFORE = /(?:致|造成|酿成|已|共)(?:约|近|至少|超过|逾)?$/;
const HEDGE_BEFORE = /(?:约|近|至少|超过|逾)$/;
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
/**
 * What every reading needs in the text, built from the lists: a kind word or verb, a bare 死/伤 (compact counts,
 * "死于", the bare kinds), 染/患 (an illness), 病例 or 损失. Words holding 死 or 伤 are covered by those two. Posts
 * whose trigger characters only stand in other words (困难, 联系, 影响, 生命, 落实) skip the readings.
 */
const SINGLE_CHAR_NEEDS = ["死", "伤", "染", "患"];
export const FIGURE_WORDS = new RegExp(
  alternation([...SINGLE_CHAR_NEEDS, "病例", "损失", ...[...KIND_OF.keys()].filter((w) => !SINGLE_CHAR_NEEDS.some((c) => w.includes(c)))]),
);
/** Before a kind word, these say the count is someone else: an agent, a suspect, a relative. */
const NOT_VICTIM_GAP = /嫌疑人|嫌犯|犯罪|歹徒|凶手|劫匪|匪徒|责任人|涉案|家属|亲属|遗属|被告|肇事|导致|造成|致|将|把|[\d零一二两三四五六七八九十百千万几数]+[余多]?(?:名|个人|人|位)/;
/** Gaps longer than this must not name a second subject or someone who acts on the scene. */
const SHORT_GAP = 10;
/** In a long gap these say the kind word is someone else's: "3名民警赶到现场时该男子已身亡". */
const NOT_LONG_GAP = /该|其|他|她|对方|一[名位个男女]|赶到|赶赴|到场|抓获|救出|发现|看到|目睹|得知|听说|称|据|报警|救援|搜救/;
/** A person named after a time clause is the kind word's own subject: "一名女士结账时身边的孩子突然失踪". */
const LATE_PERSON = new RegExp(`[时后中].*?(?:${PEOPLE_NOUN}|${KIN}|人)`);
/** A verb acting on the victims just before the kind word: the count is of helpers ("20名志愿者帮助受伤群众"). */
const CARE_BEFORE_KIND = /(?:帮助|救治|抢救|医治|治疗|看望|慰问|探望|救助|护送|照顾|照料|营救|搜救|救援|救出|寻找|搜寻|疏散|转移|安置|接回|运送|护理|解救|悼念|吊唁|祭奠|哀悼|纪念|安抚)$/;
/** A denial between the count and the kind ("3名工人均未受伤"); "不幸遇难", "抢救无效死亡" deny nothing. */
const DENIAL_GAP = /[未没无不]|避免|防止|以免|险些|差点|幸免/;
const NOT_DENIAL = /不幸|不慎|不小心|不明|无辜|(?:抢救|救治|医治)无效/g;
const OBJECT_COUNT = /^了?[\d零一二两三四五六七八九十百千万几数]/;

interface Candidate extends Figure {
  start: number;
  /** Where the number starts: two readings of one number are resolved by {@link preferred}. */
  numberAt: number;
  /** Characters between the number and the word saying what it counts. */
  distance: number;
  /** True when the kind word follows the count in one clause ("2人被困…烧死"): the last such word is the outcome. */
  countFirst?: boolean;
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

function kindOf(word: string): FigureKind | undefined {
  if (word === "死") return "deaths";
  if (word === "伤") return "injured";
  if (word === "病例") return "infected";
  return KIND_OF.get(word) ?? (/^[染患]/.test(word) ? "infected" : undefined);
}

/** Run a pattern only over texts holding a word it cannot match without: most posts skip most patterns. */
function needs(text: string, word: string | RegExp, pattern: RegExp): Iterable<RegExpExecArray> {
  const present = typeof word === "string" ? text.includes(word) : word.test(text);
  return present ? allMatches(text, pattern) : [];
}

/**
 * Every match of a global pattern, as `text.matchAll(pattern)` gives them, without copying the pattern first
 * (matchAll does, and these patterns run on every post with a kind word).
 */
function* allMatches(text: string, pattern: RegExp): Generator<RegExpExecArray> {
  let at = 0;
  for (;;) {
    pattern.lastIndex = at;
    const m = pattern.exec(text);
    if (m === null) return;
    at = m[0] === "" ? pattern.lastIndex + 1 : pattern.lastIndex;
    yield m;
  }
}

/** "一家3口" counts people; "3口井" does not. */
function familyCount(text: string, numberAt: number, cls: string | undefined): boolean {
  return cls !== "口" || /(?:一家|全家)$/.test(text.slice(Math.max(0, numberAt - 2), numberAt));
}

/** A count before a kind word names the victims, unless the gap says it counts an agent, suspect or relative. */
/** A bare count before a person reads only in Arabic digits: "4男生" counts, "一男子" is "a man", "初三学生" a grade. */
function countedPeople(q: string | undefined, cls: string | undefined): boolean {
  return cls !== "" || /^\d+[余多]?$/.test(q ?? "");
}

function victimGap(gap: string, kind: string, before: string, after: string): boolean {
  if (DENIAL_GAP.test(gap.replace(NOT_DENIAL, ""))) return false;
  // After 被/遭 comes the agent, whoever it is ("24名村民被20余名持械男子打伤").
  const subjectPart = gap.split(/被|遭/, 1)[0] ?? "";
  if (subjectPart.length > SHORT_GAP && (NOT_LONG_GAP.test(subjectPart) || LATE_PERSON.test(subjectPart))) return false;
  // After 被/遭 comes the agent, who may well be a suspect ("两名路人遭歹徒刺伤").
  if (NOT_VICTIM_GAP.test(gap.split(/被|遭/, 1)[0] ?? "")) return false;
  // "3名男子打伤…": before a transitive verb the count is its agent, unless passive or after 将/把 ("将3人打伤").
  if (VERBS.has(kind) && !/[被遭]/.test(gap) && !/[将把]$/.test(before)) {
    // "两人溺死" has its victims before the verb; "一男子烧伤4人" has them after it.
    if (!SUBJECT_IS_VICTIM.has(kind) || OBJECT_COUNT.test(after)) return false;
  }
  return true;
}

function* candidates(original: string, text: string): Generator<Candidate> {
  const people: Candidate[] = [];
  for (const c of readings(original, text)) {
    if (c.unit === "人") people.push(c);
    yield c;
  }
  for (const m of needs(text, "首例", FIRST_CASE)) {
    const at = m.index + m[0].indexOf("首例");
    yield { ...figure("infected", { value: 1, approx: false }, original.slice(m.index, m.index + m[0].length)), start: m.index, numberAt: at, distance: 0 };
  }
  for (const m of needs(text, "总", TOTAL)) {
    const g = m.groups ?? {};
    const before = people.filter((c) => c.start < m.index && m.index - c.start <= 24 && !/[。！？!?\n]/.test(text.slice(c.start, m.index))).pop();
    const q = quantityOf(g, `${g.lead ?? ""}${g.post ?? ""}`);
    if (before === undefined || q === undefined || (g.cls === undefined && /^[%年月日时分秒天号岁个次倍]/.test(text.slice(m.index + m[0].length)))) continue;
    const end = m.index + m[0].length;
    const numberAt = end - (g.post?.length ?? 0) - (g.cls?.length ?? 0) - (g.q2 === undefined ? 0 : g.q2.length + (g.sep?.length ?? 0)) - (g.q?.length ?? 0);
    yield { ...figure(before.kind, q, original.slice(m.index, end)), start: m.index, numberAt, distance: 0 };
  }
}

function* readings(original: string, text: string): Generator<Candidate> {
  // A kind word already closing a "count → kind" clause does not also take the count after it: in
  // "3人死亡12人送医" the 12 belongs to the next clause.
  const closed = new Set<number>();
  for (const pattern of [COUNT_THEN_KIND, PASSIVE]) {
    for (const m of pattern === PASSIVE ? needs(text, /[被遭]/, PASSIVE) : allMatches(text, pattern)) {
      const g = m.groups ?? {};
      let word = g.kind ?? "";
      let end = m.index + m[0].length;
      OUTCOME.lastIndex = end;
      const outcome = OUTCOME.exec(text);
      if (outcome?.groups?.kind !== undefined && kindOf(outcome.groups.kind) !== undefined) {
        word = outcome.groups.kind;
        end += outcome[0].length;
      }
      const kind = kindOf(word);
      const numberAt = m.index + (g.pre?.length ?? 0) + (g.pair === undefined ? 0 : g.pair.length - 1);
      if (kind === undefined || (g.pair === undefined && (!familyCount(text, numberAt, g.cls) || !countedPeople(g.q, g.cls)))) continue;
      // "17例疑似病例" are not (yet) infections; "30名学生疑似食物中毒" are ill whatever the cause.
      if (word === "病例" && (g.gap ?? "").includes("疑似")) continue;
      // "3人以上死亡事故" names a class of accidents, not a toll ("200人死亡事件" is one).
      if (/以上|以下/.test(g.post ?? "") && /^(?:的)?(?:事故|事件|案)/.test(text.slice(end, end + 3))) continue;
      // A bare 杀 takes its victims only straight after 被 ("两人被杀"), never across a clause ("…被识破电击杀人").
      if (word === "杀" && !/(?:被|遭)$/.test(g.gap ?? "")) continue;
      if (!victimGap(g.gap ?? "", word, text.slice(Math.max(0, numberAt - 1), numberAt), text.slice(end, end + 2))) continue;
      const gapStart = m.index + m[0].length - (g.kind?.length ?? 0) - (g.gap?.length ?? 0);
      // "20名志愿者帮助受伤群众" counts helpers; "2名工人在搜救被困矿工时遇难" still counts the dead (the outcome).
      if (CARE_BEFORE_KIND.test(text.slice(gapStart, end - word.length))) continue;
      const q = g.pair === undefined ? quantityOf(g, `${g.pre ?? ""}${g.post ?? ""}`) : { value: 2, approx: false };
      if (q === undefined) continue;
      closed.add(end - word.length);
      yield { ...figure(kind, q, original.slice(m.index, end)), start: m.index, numberAt, distance: end - word.length - gapStart, countFirst: true };
    }
  }
  for (const pattern of [KIND_THEN_COUNT, DIED_OF]) {
    for (const m of pattern === DIED_OF ? needs(text, "死于", DIED_OF) : allMatches(text, pattern)) {
      const g = m.groups ?? {};
      const kind = pattern === DIED_OF ? "deaths" : kindOf(g.kind ?? "");
      // Without a classifier ("死亡3天后") only "…人数为23" reads as a count; a bare 死/伤 always needs one.
      const end = m.index + m[0].length;
      const person = g.cls === undefined && PERSON_NEXT.test(text.slice(end, end + 2)) && g.q !== "一";
      // An object before the count ("杀死其夫妇二人", "受伤学生3名") needs a classifier after it.
      if (g.obj !== undefined && g.cls === undefined) continue;
      if (kind === undefined || (g.cls === undefined && !person && (g.noun === undefined || (g.kind ?? "").length === 1)) || closed.has(m.index)) continue;
      if (g.cls === undefined && !person && /^[%年月日时分秒天号岁个次倍]/.test(text.slice(end))) continue;
      const numberAt = end - (g.post?.length ?? 0) - (g.cls?.length ?? 0) - (g.q2 === undefined ? 0 : g.q2.length + (g.sep?.length ?? 0)) - (g.q?.length ?? 0);
      if (!familyCount(text, numberAt, g.cls) || !countedPeople(g.q, g.cls)) continue;
      // "8死5伤18人": a bare 死/伤 right after a number closes a compact count, it does not open one.
      if ((g.kind ?? "").length === 1 && /[\d零一二两三四五六七八九十百千万]$/.test(text.slice(0, m.index))) continue;
      const q = quantityOf(g, `${g.lead ?? ""}${g.post ?? ""}`);
      if (q === undefined) continue;
      // "死于该传染病者": the specific reading beats the illness word inside it.
      const distance = pattern === DIED_OF ? 0 : (g.noun?.length ?? 0) + (g.lead?.length ?? 0) + (g.obj?.length ?? 0) + 1;
      yield { ...figure(kind, q, original.slice(m.index, end)), start: m.index, numberAt, distance };
    }
  }
  if (text.includes("死")) yield* compactCandidates(original, text);
  for (const pattern of [LOSS_THEN_AMOUNT, AMOUNT_THEN_LOSS]) {
    for (const m of needs(text, "损失", pattern)) {
      const g = m.groups ?? {};
      const q = quantityOf(g, `${g.pre ?? ""}${g.lead ?? ""}${g.post ?? ""}`);
      if (q === undefined) continue;
      const numberAt = m.index + (pattern === LOSS_THEN_AMOUNT ? (g.kw?.length ?? 0) + (g.lead?.length ?? 0) : (g.pre?.length ?? 0));
      yield { ...figure("loss_yuan", q, original.slice(m.index, m.index + m[0].length)), start: m.index, numberAt, distance: 0 };
    }
  }
}

/**
 * Compact counts: a chain with a death ("3死2伤", "2死3重伤", "53死14失踪", "一死三伤") or a lone "N死" that closes a
 * clause or qualifies a noun ("致5死事故"); a Chinese-numeral lone "N死" needs a cause before it, so idioms
 * ("九死一生", "万死不辞") are no counts.
 */
function* compactCandidates(original: string, text: string): Generator<Candidate> {
  let chain: RegExpMatchArray[] = [];
  const flush = function* (): Generator<Candidate> {
    const items = chain;
    chain = [];
    if (!items.some((m) => m.groups?.k === "死")) return;
    const first = items[0];
    const last = items[items.length - 1];
    if (first === undefined || last === undefined || first.index === undefined || last.index === undefined) return;
    if (items.length === 1) {
      const before = text.slice(Math.max(0, first.index - 4), first.index);
      const after = text.slice(first.index + first[0].length, first.index + first[0].length + 4);
      if (!AFTER_LONE_DEATHS.test(after)) return;
      if (!/\d/.test(first.groups?.q ?? "") && !CAUSE_BEFORE.test(before)) return;
    }
    const hedged = HEDGE_BEFORE.exec(text.slice(Math.max(0, first.index - 2), first.index))?.[0] ?? "";
    const span = original.slice(first.index - hedged.length, last.index + last[0].length);
    for (const m of items) {
      const g = m.groups ?? {};
      const kind = COMPACT_KIND[g.k ?? ""];
      const q = quantityOf(g, m === first ? hedged : "");
      if (kind === undefined || q === undefined || m.index === undefined) continue;
      yield { ...figure(kind, q, span), start: m.index, numberAt: m.index, distance: 0 };
    }
  };
  let end = -1;
  for (const m of allMatches(text, COMPACT)) {
    if (m.index !== end) yield* flush();
    chain.push(m);
    end = m.index + m[0].length;
  }
  yield* flush();
}

/**
 * Of two readings of one number, the nearer word wins, ties to the first ("3人死亡2人受伤": 2 is injured). When both
 * words follow the count in its clause, the later one is the outcome ("2名工人被困屋内烧死" is 2 deaths).
 */
function preferred(a: Candidate, b: Candidate): Candidate {
  if (a.countFirst === true && b.countFirst === true) return b.distance > a.distance ? b : a;
  return b.distance < a.distance ? b : a;
}

/** A figure and where its number stands in the text (UTF-16 offset), for grounding it in time. */
export type LocatedFigure = Figure & { at: number };

/**
 * Every casualty and loss figure in the text with its position, in order of appearance, repeats included.
 * @example locateFigures("3人死亡")[0]?.at // 0
 */
export function locateFigures(text: string): LocatedFigure[] {
  // Every reading needs one of these words; a post without any reads no figure.
  if (!FIGURE_WORDS.test(text)) return [];
  const normalized = normalizeWidth(text);
  const byNumber = new Map<string, Candidate>();
  for (const c of candidates(text, normalized)) {
    if (!plausible(c)) continue;
    const key = `${c.unit}:${c.numberAt}`;
    const other = byNumber.get(key);
    byNumber.set(key, other === undefined ? c : preferred(other, c));
  }
  return [...byNumber.values()]
    .sort((a, b) => a.start - b.start || a.numberAt - b.numberAt)
    .map(({ start: _start, numberAt, distance: _distance, countFirst: _countFirst, ...f }) => ({ ...f, at: numberAt }));
}

/** Drop exact repeats (same kind, value, bounds and time), keeping the first. */
export function distinctFigures<F extends Figure>(figures: readonly F[]): F[] {
  const seen = new Set<string>();
  return figures.filter((f) => {
    const key = `${f.kind}|${f.value}|${f.approx}|${f.min}|${f.max}|${f.time ?? "current"}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

/**
 * Casualty and loss figures in Chinese text, in order of appearance, without exact repeats: deaths, missing,
 * seriously injured, injured, trapped, infected, combined 死伤 counts, affected people and direct economic loss in
 * yuan. Reads Chinese and full-width numerals, 万/亿 mixed with digits, ranges and hedges, verb-first counts
 * ("炸死7名"), passives ("3人被撞死") and compact forms ("3死2伤"); ignores rates ("死亡率"), dates, phone numbers and
 * counts of agents, suspects or relatives. Figures carry no `time`: {@link groundFigures} adds it.
 * @example extractFigures("已致3人死亡、2人失联，直接经济损失约1.2亿元")
 * // [{ kind: "deaths", value: 3, … }, { kind: "missing", value: 2, … }, { kind: "loss_yuan", value: 120000000, approx: true, … }]
 */
export function extractFigures(text: string): Figure[] {
  return distinctFigures(locateFigures(text)).map(({ at: _at, ...f }) => f);
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
