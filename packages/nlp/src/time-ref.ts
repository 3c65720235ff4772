import type { TimeRef, TimeRefKind } from "@liaowang/schemas";
import type { Figure, LocatedFigure } from "./figures.js";
import { distinctFigures } from "./figures.js";
import { normalizeWidth } from "./text.js";

/** What {@link groundFigures} needs besides the text. */
export interface TimeGroundingOptions {
  /** When the post was published: a date more than {@link PAST_AFTER_DAYS} days before it, or an earlier year, is past. */
  publishedAt?: Date | undefined;
}

/** A dated event older than this many days before publication is a past event, not the post's news. */
export const PAST_AFTER_DAYS = 30;

type FigureTime = NonNullable<Figure["time"]>;
type Cue = { kind: TimeRefKind; cue: string; year?: number | undefined; dated?: boolean };

// Cue words, strongest first within each kind. All are plain alternations; a run of digits or numerals is matched
// only from its start (the lookbehinds), so a long run is never rescanned from every position.
/** A trial, sentence or compensation: the story is about an old incident whatever day it is told. */
const FOLLOWUP_STRONG = /一审|二审|终审|再审|宣判|判处|被判|获刑|判刑|判决|死缓|无期徒刑|有期徒刑|执行死刑|处死|枪决|开庭|受审|庭审|公诉|起诉|批捕|获释|出狱|胜诉|败诉|获赔|判赔|赔偿金|赔款|赔付|赔偿\d|赔\d|国家赔偿|慰问金|抚恤金|(?:潜逃|逃亡|在逃|出逃)(?:\d+|[一二三四五六七八九十]+)(?:多|余)?年(?!后?(?:又|再|再次|再度|竟|仍)[^，。！？,!?]{0,6}?(?:杀|伤|砍|捅|刺|撞|打|抢|作案|行凶|犯案|强奸|绑架))/;
/** Punishment and memorial: a follow-up unless the same sentence reports something new today. */
const FOLLOWUP_WEAK = /问责|被处分|受处分|处分|免职|撤职|追责|悼念|哀悼|默哀|祭奠|追悼|公祭|头七|周年祭|葬礼|送行|追思会|遗体告别/;
/** Statistics: a period's totals, not one event's toll. */
const STATISTIC =
  /(?:今年|年初|去年|入汛|入冬|入夏|建国|新中国成立|有记录|改革开放|多年|近年|开战|战争?爆发)以来|(?<!\d)(?:19|20)?\d{2}年以来|历届|历年|近\d+年|近[一二三四五六七八九十几]+年|过去(?:\d+|[一二三四五六七八九十几]+)年|(?<!\d)\d+年来|(?<![一二三四五六七八九十])[一二三四五六七八九十]+年来|累计|全年|(?:全国|全省|全市|全区|全县)(?:共|累计|每年|一年)|同比|环比|上半年|下半年|前三季度|[一二三四1-4]季度|年均|每年|平均每|(?<!\d)\d+(?:至|-|到)\d+月|[1一](?:至|-|到)[\d一二三四五六七八九十]+月|\d{4}年度|统计|数据显示|报告显示|共发生|(?<!\d)\d+年共/;
/** Plans, forecasts and drills. */
const PLAN = /计划|拟于|拟将|拟|预计将|将会|或将|将于|将在|将有|将(?:推出|发布|上市|开通|实施|举办|召开|启动|建设|投入|开放|开始)|有望|规划|演练|模拟/;
/** Recollection of a past event. */
const PAST_WORDS = /周年|回顾|回忆|追忆|忆当年|当年|那年|那一年|多年前|几年前|数年前|(?<!\d|(?:潜逃|逃亡|在逃|出逃))\d+年[前后]|(?<![一二三四五六七八九十百]|(?:潜逃|逃亡|在逃|出逃))[一二三四五六七八九十百]+年[前后]|年前的今天|上世纪|历史上|昔日|(?<![赶前开])往事|曾(?:经|于|在|有|发生|因|被|致|造成)|去年|前年/;
/** Words that place the news today. */
const CURRENT =
  /今天|今日|今晨|今早|今晚|今夜|昨天|昨日|昨晚|昨夜|前天|刚刚|刚才|突发|日前|近日|目前|截至|此刻|正在|本月|今年\d+月/;
/** A realised event: "已致3人死亡" is no forecast, whatever the headline plans. */
const REALISED = /已经|已|造成|导致|致/;
/** "2008年5月12日", "2008年", "98年，", "5月12日". Two-digit years only before a month or a comma. */
const DATE =
  /(?<!\d)(?:(?:(?<y>(?:19|20)\d{2})年|(?<yy>\d{2})年(?=\d{1,2}月|[，,的底初末间]))(?:(?<m>\d{1,2})月(?:(?<d>\d{1,2})[日号])?)?|(?<m2>\d{1,2})月(?<d2>\d{1,2})[日号])/g;
/** After a year these say it dates a building or a person, not the event ("2019年建成的大桥"). */
const NOT_EVENT_YEAR = /^(?:[－\-—~～至到]|建成|建造|修建|兴建|建|落成|竣工|成立|开通|通车|投用|投入使用|出生|生|入学|毕业|入职|起|以来|至今|开始|开业)/;

// Sentences for per-figure cues: a headline's space-separated parts and a post's 【title】 are sentences too.
const SENTENCE_END = /[。！？!?；;\n【】\s\u3000]+/g;
// The lead (title or first sentence) decides what the post as a whole speaks of.
const LEAD_END = /[。！？!?\n]/;

interface Span {
  start: number;
  end: number;
}

/** The sentences of the text that start before `limit` (all of them by default). */
function sentences(text: string, limit = text.length): Span[] {
  const out: Span[] = [];
  let start = 0;
  SENTENCE_END.lastIndex = 0;
  for (let m = SENTENCE_END.exec(text); m !== null; m = SENTENCE_END.exec(text)) {
    if (m.index > start) out.push({ start, end: m.index });
    start = m.index + m[0].length;
    if (start >= limit) return out;
  }
  if (start < text.length) out.push({ start, end: text.length });
  return out;
}

function leadEnd(text: string): number {
  const first = text.search(LEAD_END);
  if (first < 0) return text.length;
  // A lead shorter than a headline ("突发！") takes the next sentence too.
  if (first >= 12) return first;
  const next = text.slice(first + 1).search(LEAD_END);
  return next < 0 ? text.length : first + 1 + next;
}

/** A month and day without a year up to this many days ahead of publication is a coming date, not last year's. */
const FUTURE_DAYS = 60;
/** A date decides the post's time only near the start of its lead ("1988年3月13日，…发生森林火灾"). */
const LEAD_DATE_CHARS = 30;
/** An event in a sentence: a plan beside it is the incident's follow-up action, not the post's subject. */
const INCIDENT = /死|伤|亡|遇害|牺牲|遇难|罹难|丧生|失踪|失联|被困|爆炸|坍塌|倒塌|起火|火灾|事故|车祸|中毒|感染|确诊/;

function daysBetween(a: Date, b: Date): number {
  return (b.getTime() - a.getTime()) / 86_400_000;
}

/** An explicit date or year in the sentence that is earlier than publication: the event is past. */
function pastDate(sentence: string, publishedAt: Date | undefined): Cue | undefined {
  if (publishedAt === undefined) return undefined;
  const pubYear = publishedAt.getUTCFullYear();
  DATE.lastIndex = 0;
  for (let m = DATE.exec(sentence); m !== null; m = DATE.exec(sentence)) {
    const g = m.groups ?? {};
    if (NOT_EVENT_YEAR.test(sentence.slice(m.index + m[0].length))) continue;
    const year = g.y !== undefined ? Number(g.y) : g.yy !== undefined ? (Number(g.yy) >= 50 ? 1900 : 2000) + Number(g.yy) : undefined;
    const monthText = g.m ?? g.m2;
    if (monthText === undefined) {
      if (year !== undefined && year < pubYear) return { kind: "past", cue: m[0], year, dated: true };
      continue;
    }
    const month = Number(monthText);
    const dayText = g.d ?? g.d2;
    const day = dayText === undefined ? 28 : Number(dayText);
    if (month < 1 || month > 12 || day < 1 || day > 31) continue;
    let when = new Date(Date.UTC(year ?? pubYear, month - 1, day));
    // "12月30日" read on 2 January is last December; "4月8日" read in February is a coming date, not a past one.
    if (year === undefined && daysBetween(publishedAt, when) > FUTURE_DAYS) when = new Date(Date.UTC(pubYear - 1, month - 1, day));
    if (daysBetween(when, publishedAt) > PAST_AFTER_DAYS) return { kind: "past", cue: m[0], dated: true, ...(year === undefined ? {} : { year }) };
  }
  return undefined;
}

type Word = "strong" | "current" | "weak" | "plan" | "statistic" | "past";
const WORD_PATTERNS: ReadonlyArray<readonly [Word, RegExp]> = [
  ["strong", FOLLOWUP_STRONG],
  ["current", CURRENT],
  ["weak", FOLLOWUP_WEAK],
  ["plan", PLAN],
  ["statistic", STATISTIC],
  ["past", PAST_WORDS],
];
/** Every cue word in one pass over the text (one alternation, not one scan per kind). */
const CUE_WORDS = new RegExp(WORD_PATTERNS.map(([word, re]) => `(?<${word}>${re.source})`).join("|"), "g");

interface Found {
  word: Word;
  text: string;
  at: number;
}

/** The cue words starting before `limit` (all of them by default), in order. */
function cueWords(text: string, limit = text.length): Found[] {
  const found: Found[] = [];
  CUE_WORDS.lastIndex = 0;
  for (let m = CUE_WORDS.exec(text); m !== null && m.index < limit; m = CUE_WORDS.exec(text)) {
    const g = m.groups ?? {};
    for (const [word] of WORD_PATTERNS) {
      if (g[word] !== undefined) {
        found.push({ word, text: m[0], at: m.index });
        break;
      }
    }
  }
  return found;
}

/** The first cue word of a kind inside [start, end). */
function first(found: readonly Found[], word: Word, start: number, end: number): Found | undefined {
  return found.find((f) => f.word === word && f.at >= start && f.at < end);
}

/**
 * The time one sentence speaks of, by its cue words: followup, plan, statistic, past, or current (with the word
 * that says today), or undefined when it says nothing. An explicit earlier date yields to a word placing the
 * sentence today ("今天凌晨，2019年建成的大桥坍塌" is current); recollection words ("十周年", "十年前的今天") do not.
 */
function sentenceCue(text: string, span: Span, found: readonly Found[], publishedAt: Date | undefined, lead: boolean): Cue | undefined {
  const { start, end } = span;
  const strong = first(found, "strong", start, end);
  if (strong) return { kind: "followup", cue: strong.text };
  const current = first(found, "current", start, end);
  const weak = first(found, "weak", start, end);
  if (weak && !current) return { kind: "followup", cue: weak.text };
  const plan = first(found, "plan", start, end);
  if (plan) return { kind: "plan", cue: plan.text };
  const statistic = first(found, "statistic", start, end);
  if (statistic) return { kind: "statistic", cue: statistic.text };
  // 曾 in a lead ("该校曾…") is background to today's news; in the sentence with the figure it dates the figure.
  const past = found.find((f) => f.word === "past" && f.at >= start && f.at < end && (!lead || !f.text.startsWith("曾")));
  if (past) return { kind: "past", cue: past.text };
  if (current) return { kind: "current", cue: current.text };
  return pastDate(text.slice(start, end), publishedAt);
}

/** A text's sentences and cue words, and the cue of each sentence once read. */
interface Cues {
  text: string;
  spans: readonly Span[];
  found: readonly Found[];
  publishedAt: Date | undefined;
  leadLength: number;
  memo: Map<number, Cue | undefined>;
}

/** The cue of sentence `i`, read once. */
function cueOf(cues: Cues, i: number): Cue | undefined {
  if (cues.memo.has(i)) return cues.memo.get(i);
  const span = cues.spans[i];
  const cue = span === undefined ? undefined : sentenceCue(cues.text, span, cues.found, cues.publishedAt, span.start < cues.leadLength);
  cues.memo.set(i, cue);
  return cue;
}

function firstYear(text: string): number | undefined {
  const m = /(?<!\d)((?:19|20)\d{2})年/.exec(text);
  return m?.[1] === undefined ? undefined : Number(m[1]);
}

function asFigureTime(kind: TimeRefKind): FigureTime {
  // A follow-up's figures are the old incident's.
  return kind === "followup" ? "past" : kind;
}

/**
 * Ground casualty figures and the post in time. Each figure takes the time its own sentence states (an earlier
 * date, 周年, 今年以来, 累计, 同比, 计划 …); a figure whose sentence says nothing takes the post's. The post's
 * `timeRef` comes from its lead (title or first sentence): a trial, sentence or compensation makes it a follow-up; a
 * current figure in the lead makes it current; otherwise the lead's cue decides (past, statistic, plan), and
 * current is the default. Figures come back deduplicated, with `time` set only when it is not current.
 * @example groundFigures(text, locateFigures(text), { publishedAt }).timeRef // { kind: "past", cue: "十周年" }
 */
export function groundFigures(text: string, figures: readonly LocatedFigure[], options: TimeGroundingOptions = {}): { timeRef: TimeRef; figures: Figure[] } {
  const normalized = normalizeWidth(text);
  const { publishedAt } = options;
  const leadLength = leadEnd(normalized);
  // Sentence cues are read only where they matter: the lead and the sentences holding a figure. The lead ends at a
  // sentence end, so without figures nothing after it is read (most posts have none).
  const limit = figures.length === 0 ? leadLength : normalized.length;
  const spans = sentences(normalized, limit);
  const cues: Cues = { text: normalized, spans, found: cueWords(normalized, limit), publishedAt, leadLength, memo: new Map() };
  const leadCue = postCue(normalized.slice(0, leadLength), cues);
  const docKind: TimeRefKind = leadCue?.kind ?? "current";

  const grounded = figures.map((f) => {
    const i = spans.findIndex((s) => f.at >= s.start && f.at < s.end);
    const own = i < 0 ? undefined : cueOf(cues, i);
    const span = spans[i];
    const sentence = span === undefined ? "" : normalized.slice(span.start, span.end);
    let time: FigureTime;
    if (own !== undefined) time = own.kind === "current" ? "current" : asFigureTime(own.kind);
    else if (docKind === "plan" && REALISED.test(sentence)) time = "current";
    else time = asFigureTime(docKind);
    return { ...f, time, lead: f.at < leadLength };
  });

  let timeRef: TimeRef;
  if (leadCue !== undefined && leadCue.kind !== "current" && (leadCue.kind === "followup" || !grounded.some((f) => f.lead && f.time === "current"))) {
    timeRef = { kind: leadCue.kind, cue: leadCue.cue };
  } else timeRef = { kind: "current", ...(leadCue?.cue === undefined ? {} : { cue: leadCue.cue }) };
  const year = leadCue?.year ?? firstYear(normalized.slice(0, leadLength));
  if (year !== undefined) timeRef.year = year;

  const out = distinctFigures(grounded.map(({ at: _at, lead: _lead, time, ...f }) => (time === "current" ? f : { ...f, time })));
  return { timeRef, figures: out };
}

/**
 * What the lead says of the post as a whole. A trial, sentence or compensation anywhere in it makes a follow-up; a
 * memorial or punishment does unless the lead also reports something today ("【默哀】昨日…爆炸"). Otherwise the
 * first sentence cue of the lead, with dates counted only at its start and a plan yielding to an incident beside it
 * ("…不幸身亡 警方将于3日立案").
 */
function postCue(lead: string, cues: Cues): Cue | undefined {
  const { spans, found, publishedAt } = cues;
  const strong = first(found, "strong", 0, lead.length);
  if (strong) return { kind: "followup", cue: strong.text };
  const current = first(found, "current", 0, lead.length);
  const weak = first(found, "weak", 0, lead.length);
  if (weak && !current) return { kind: "followup", cue: weak.text };
  const today: Cue | undefined = current === undefined ? undefined : { kind: "current", cue: current.text };
  const inLead: Array<{ cue: Cue | undefined; sentence: string }> = [];
  spans.forEach((s, i) => {
    if (s.start < lead.length) inLead.push({ cue: cueOf(cues, i), sentence: lead.slice(s.start, Math.min(s.end, lead.length)) });
  });
  const dated = pastDate(lead.slice(0, LEAD_DATE_CHARS), publishedAt);
  const worded = inLead.map((x) => x.cue).filter((c): c is Cue => c !== undefined && c.kind !== "current" && c.kind !== "followup" && c.dated !== true);
  const pick = worded.find((c) => c.kind === "plan") ?? worded.find((c) => c.kind === "statistic") ?? worded.find((c) => c.kind === "past") ?? dated;
  if (pick === undefined) return today;
  // "…训练中受伤，预计将缺席4周": an incident told before the plan is the news, the plan its consequence.
  const planAt = pick.kind === "plan" ? lead.indexOf(pick.cue) : -1;
  if (pick.kind === "plan" && (inLead.some((x) => x.cue === undefined && INCIDENT.test(x.sentence)) || INCIDENT.test(lead.slice(0, Math.max(0, planAt))))) {
    return today;
  }
  return pick;
}
