import { z } from "zod";
import { invalidInput } from "@liaowang/errors";
import { FIGURE_KINDS, LEVEL_NAMES, levelRank } from "./types.js";
import type { Figure, FigureKind, Level } from "./types.js";

/** Lower bounds of one figure kind for levels I, II and III (IV is anything above zero below III). */
export interface ThresholdRule {
  kind: FigureKind;
  I: number;
  II: number;
  III: number;
  /**
   * Other kinds counted against this rule when larger, e.g. plain 受伤 against the 重伤 rule: reports rarely state
   * severity, and a press office must not miss a major incident for want of the word 重伤. The reason says so.
   */
  countAlso?: FigureKind[] | undefined;
}

/** Threshold rules of one incident category, e.g. 生产安全事故. */
export interface ThresholdTable {
  category: string;
  rules: ThresholdRule[];
}

/** Grading configuration: per-category tables, the fallback table and the 突发事件 categories. */
export interface GradingConfig {
  tables: ThresholdTable[];
  /** Table used when an incident's category has no table of its own (or no category) but it carries figures. */
  fallbackCategory: string;
  /** Categories that are 突发事件 by definition: graded at least IV even without any figure. */
  emergencyCategories: string[];
}

const figureKind = z.enum(FIGURE_KINDS);

/** Schema of {@link GradingConfig} (for config/grading files); checks I > II > III > 0 per rule. */
export const gradingConfigSchema = z
  .object({
    tables: z
      .array(
        z.object({
          category: z.string().min(1),
          rules: z
            .array(
              z
                .object({
                  kind: figureKind,
                  I: z.number().positive(),
                  II: z.number().positive(),
                  III: z.number().positive(),
                  countAlso: z.array(figureKind).optional(),
                })
                .refine((r) => r.I > r.II && r.II > r.III, {
                  message: "thresholds must satisfy I > II > III > 0",
                }),
            )
            .min(1),
        }),
      )
      .min(1),
    fallbackCategory: z.string().min(1),
    emergencyCategories: z.array(z.string().min(1)),
  })
  .superRefine((c, ctx) => {
    if (!c.tables.some((t) => t.category === c.fallbackCategory)) {
      ctx.addIssue({ code: "custom", message: `fallbackCategory "${c.fallbackCategory}" has no table` });
    }
    const seen = new Set<string>();
    for (const t of c.tables) {
      if (seen.has(t.category)) ctx.addIssue({ code: "custom", message: `duplicate table for "${t.category}"` });
      seen.add(t.category);
    }
  });

/**
 * 《生产安全事故报告和调查处理条例》 thresholds (ARCHITECTURE §2): I ≥30 deaths / ≥100 seriously injured / ≥1亿元;
 * II ≥10 / ≥50 / ≥5000万元; III ≥3 / ≥10 / ≥1000万元. Injured counts toward the 重伤 rule when severity is not stated.
 * Other categories fall back to this table until they get their own.
 */
export const DEFAULT_GRADING: GradingConfig = {
  tables: [
    {
      category: "生产安全事故",
      rules: [
        { kind: "deaths", I: 30, II: 10, III: 3 },
        { kind: "seriously_injured", I: 100, II: 50, III: 10, countAlso: ["injured"] },
        { kind: "loss_yuan", I: 100_000_000, II: 50_000_000, III: 10_000_000 },
      ],
    },
  ],
  fallbackCategory: "生产安全事故",
  // Since issue 7 grades come from stated figures only (config/grading.yaml may list categories graded IV without).
  emergencyCategories: [],
};

/**
 * The value a figure is graded by: its lower bound, so "30余人" counts as 30 and "3至5人" as 3.
 * @example figureLowerBound({ kind: "injured", value: 30, approx: true, text: "30余人受伤" }) // 30
 */
export function figureLowerBound(f: Figure): number {
  const lb = f.min ?? f.value;
  return Number.isFinite(lb) && lb > 0 ? lb : 0;
}

/** The highest figure of one kind seen in an incident, with the sources that reported that value. */
export interface FigureSummary {
  kind: FigureKind;
  /** Lower bound of the highest report (what grading uses). */
  value: number;
  /** True when the highest report was approximate ("30余人", "约1.2亿元"). */
  approx: boolean;
  /** Original wording of the first report of this value. */
  text: string;
  /** Distinct sources that reported this value (bounded list). */
  sources: string[];
  /** Number of distinct sources that reported this value (may exceed `sources.length`). */
  sourceCount: number;
  /** Event time of the first report of this value (epoch ms). */
  firstReportedAt: number;
}

/** Highest figure per kind of an incident. */
export type MaxFigures = Partial<Record<FigureKind, FigureSummary>>;

/** A grading decision. */
export interface Grade {
  level: Level;
  /** Why, in zh-CN words and numbers, e.g. "据3个来源报道死亡12人，依《生产安全事故报告和调查处理条例》重大事故标准（死亡10–29人）定为II级（重大）". */
  reason: string;
  /** Category whose table was applied, when one was. */
  table?: string | undefined;
  /** Figure kind that decided the level, when one did. */
  decidedBy?: FigureKind | undefined;
}

/** What grading looks at. */
export interface GradeInput {
  category?: string | undefined;
  figures: MaxFigures;
}

/** Chinese words of each figure kind, as reasons read them ("死亡12人", "直接经济损失1.2亿元"). */
export const KIND_WORDS: Readonly<Record<FigureKind, string>> = {
  deaths: "死亡",
  seriously_injured: "重伤",
  injured: "受伤",
  missing: "失踪",
  trapped: "被困",
  affected: "受灾",
  loss_yuan: "直接经济损失",
  infected: "感染",
  casualties: "死伤",
};

/** The regulation each table's thresholds come from, by category (others are named by their category). */
const REGULATIONS: Readonly<Record<string, string>> = { 生产安全事故: "《生产安全事故报告和调查处理条例》" };

/** What a level of an accident table is called: 特别重大事故 … 一般事故. */
const ACCIDENT_CLASS: Readonly<Record<Exclude<Level, null>, string>> = { I: "特别重大事故", II: "重大事故", III: "较大事故", IV: "一般事故" };

function trimNumber(n: number): string {
  return Number.isInteger(n) ? String(n) : String(Number(n.toFixed(4)));
}

/** Chinese money notation for reasons: 1.2亿元, 999.9万元, 8000元. */
export function formatYuan(v: number): string {
  if (v >= 100_000_000) return `${trimNumber(v / 100_000_000)}亿元`;
  if (v >= 10_000) return `${trimNumber(v / 10_000)}万元`;
  return `${trimNumber(v)}元`;
}

function formatAmount(kind: FigureKind, v: number): string {
  return kind === "loss_yuan" ? `${KIND_WORDS[kind]}${formatYuan(v)}` : `${KIND_WORDS[kind]}${trimNumber(v)}人`;
}

// "30余人", "100多人", "50人以上", "超过10人": the figure is a floor. "约1.2亿元", "近30人": an estimate.
const AT_LEAST = /余|多|以上|超过|逾|至少/;

function describeFigure(f: FigureSummary, countedAs?: FigureKind): string {
  const amount = formatAmount(f.kind, f.value);
  const about = `${KIND_WORDS[f.kind]}约${amount.slice(KIND_WORDS[f.kind].length)}`;
  const approx = !f.approx ? amount : AT_LEAST.test(f.text) ? `${amount}以上（原文「${f.text}」，按下限计）` : `${about}（原文「${f.text}」）`;
  const as = countedAs !== undefined && countedAs !== f.kind ? `（未说明伤情，按${KIND_WORDS[countedAs]}计）` : "";
  return `据${f.sourceCount}个来源报道${approx}${as}`;
}

/** The figure a rule grades: its own kind's, or a `countAlso` kind's when that is larger. */
function figureForRule(rule: ThresholdRule, figures: MaxFigures): FigureSummary | undefined {
  let best = figures[rule.kind];
  for (const kind of rule.countAlso ?? []) {
    const f = figures[kind];
    if (f && (!best || f.value > best.value)) best = f;
  }
  return best;
}

function bandText(rule: ThresholdRule, level: Exclude<Level, null>): string {
  const money = rule.kind === "loss_yuan";
  const fmt = (v: number): string => (money ? formatYuan(v) : `${trimNumber(v)}人`);
  // Headcounts are integers, so a band reads "10–29人"; money is continuous, so "5000万元–1亿元以下".
  const range = (lo: number, hi: number): string => (money ? `${fmt(lo)}–${fmt(hi)}以下` : `${trimNumber(lo)}–${fmt(hi - 1)}`);
  switch (level) {
    case "I":
      return `${KIND_WORDS[rule.kind]}${fmt(rule.I)}以上`;
    case "II":
      return `${KIND_WORDS[rule.kind]}${range(rule.II, rule.I)}`;
    case "III":
      return `${KIND_WORDS[rule.kind]}${range(rule.III, rule.II)}`;
    case "IV":
      return `${KIND_WORDS[rule.kind]}${fmt(rule.III)}以下`;
    default: {
      const _exhaustive: never = level;
      return _exhaustive;
    }
  }
}

/** Level a single value reaches under one rule (`null` for zero). Thresholds are inclusive lower bounds. */
export function levelForValue(rule: ThresholdRule, value: number): Level {
  if (!(value > 0)) return null;
  if (value >= rule.I) return "I";
  if (value >= rule.II) return "II";
  if (value >= rule.III) return "III";
  return "IV";
}

/** The table applying to a category: its own, else the configured fallback. */
export function tableFor(category: string | undefined, config: GradingConfig): ThresholdTable {
  const own = category === undefined ? undefined : config.tables.find((t) => t.category === category);
  if (own) return own;
  const fallback = config.tables.find((t) => t.category === config.fallbackCategory);
  if (!fallback) throw invalidInput(`grading config: fallbackCategory "${config.fallbackCategory}" has no table`);
  return fallback;
}

/**
 * Grades an incident from its highest reported figures and its category.
 * Rule: the highest level any threshold rule reaches; IV when some casualty/loss figure is above zero or the
 * category is a 突发事件 but nothing reaches III; otherwise ungraded (null). Bursts and topics alone never grade:
 * a burst on a 民生 topic is an opinion event, not a 突发事件, and ungraded alerts still get the 48 h response
 * clock, so grading them IV would only blur the official levels.
 * @example grade({ category: "生产安全事故", figures: { deaths: { kind: "deaths", value: 12, approx: false, text: "12人死亡", sources: ["a","b","c"], sourceCount: 3, firstReportedAt: 0 } } })
 *   // { level: "II", reason: "据3个来源报道死亡12人，依《生产安全事故报告和调查处理条例》重大事故标准（死亡10–29人）定为II级（重大）", ... }
 */
export function grade(input: GradeInput, config: GradingConfig = DEFAULT_GRADING): Grade {
  const table = tableFor(input.category, config);
  const regulation = REGULATIONS[table.category] ?? `${table.category}分级标准`;
  const basis =
    input.category !== undefined && input.category !== table.category
      ? `${input.category}暂无专门标准，参照${regulation}`
      : `依${regulation}`;

  const graded: { figure: FigureSummary; rule: ThresholdRule; level: Exclude<Level, null> }[] = [];
  for (const rule of table.rules) {
    const figure = figureForRule(rule, input.figures);
    if (!figure) continue;
    const level = levelForValue(rule, figure.value);
    if (level !== null) graded.push({ figure, rule, level });
  }
  graded.sort((a, b) => levelRank(b.level) - levelRank(a.level));

  const top = graded[0];
  if (top && top.level !== "IV") {
    const others = graded
      .slice(1)
      .filter((g) => g.level !== "IV")
      .map((g) => `${describeFigure(g.figure, g.rule.kind)}（达${g.level}级）`);
    const also = others.length > 0 ? `；另${others.join("；")}` : "";
    return {
      level: top.level,
      reason: `${describeFigure(top.figure, top.rule.kind)}，${basis}${ACCIDENT_CLASS[top.level]}标准（${bandText(top.rule, top.level)}）定为${top.level}级（${LEVEL_NAMES[top.level]}）${also}`,
      table: table.category,
      decidedBy: top.figure.kind,
    };
  }

  const anyFigures = FIGURE_KINDS.map((k) => input.figures[k]).filter(
    (f): f is FigureSummary => f !== undefined && f.value > 0,
  );
  if (anyFigures.length > 0) {
    const first = top?.figure ?? anyFigures[0];
    const below = top ? `，未达较大事故标准（${bandText(top.rule, "III")}）` : "（该类数字无分级标准）";
    const rest = anyFigures.filter((f) => f !== first).map((f) => describeFigure(f));
    const also = rest.length > 0 ? `；另${rest.join("；")}` : "";
    return {
      level: "IV",
      reason: `${first ? describeFigure(first, top?.rule.kind) : ""}${below}，${basis}定为IV级（${LEVEL_NAMES.IV}）${also}`,
      table: table.category,
      decidedBy: first?.kind,
    };
  }
  if (input.category !== undefined && config.emergencyCategories.includes(input.category)) {
    return {
      level: "IV",
      reason: `属${input.category}（突发事件），暂无伤亡或损失数字，定为IV级（${LEVEL_NAMES.IV}）`,
      table: table.category,
    };
  }
  if (input.category === undefined) return { level: null, reason: "无伤亡或损失数字，未归入突发事件类别，不定级" };
  return { level: null, reason: `属${input.category}，报道未提及伤亡或损失数字，暂不定级` };
}
