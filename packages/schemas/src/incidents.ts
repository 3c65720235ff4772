import { z } from "zod";
import { Figure, Region } from "./documents.js";

const utcIso = z.iso.datetime({ offset: true });

/** Official severity of a 突发事件: I 特别重大, II 重大, III 较大, IV 一般. Ungraded incidents carry `null`. */
export const IncidentLevel = z.enum(["I", "II", "III", "IV"]);
export type IncidentLevel = z.infer<typeof IncidentLevel>;

/** Chinese name of each level, for reasons, notifications and the dashboard. */
export const INCIDENT_LEVEL_NAMES: Readonly<Record<IncidentLevel, string>> = {
  I: "特别重大",
  II: "重大",
  III: "较大",
  IV: "一般",
};

/**
 * Detection status. `open`: the detector still adds posts. `expired`: no post for the clustering window, the
 * detector stopped tracking it (this is not the alert lifecycle, which the alerter owns). `merged`: found to be the
 * same story as `mergedInto`, which carries on.
 */
export const IncidentStatus = z.enum(["open", "expired", "merged"]);
export type IncidentStatus = z.infer<typeof IncidentStatus>;

/** What changed in a revision, so consumers can react (e.g. notify on `regraded`) without diffing. */
export const IncidentChange = z.enum([
  "opened",
  "grew",
  "onset_moved",
  "onset_corrected",
  "figures",
  "regions",
  "sources",
  "regraded",
  "merged",
  "watch",
  "burst",
  "expired",
  // Added for issue 7: the scope or the duty-board decision changed.
  "scope",
]);
export type IncidentChange = z.infer<typeof IncidentChange>;

/** A post kept on an incident (首发 or representative). */
export const IncidentPost = z.object({
  docId: z.string(),
  source: z.string(),
  url: z.string().optional(),
  title: z.string().optional(),
  snippet: z.string(),
  publishedAt: utcIso,
});
export type IncidentPost = z.infer<typeof IncidentPost>;

/** An automatic or manual grade change. */
export const GradeChange = z.object({
  at: utcIso,
  from: IncidentLevel.nullable(),
  to: IncidentLevel.nullable(),
  reason: z.string(),
});
export type GradeChange = z.infer<typeof GradeChange>;

/** The highest figure of one kind reported for the incident, with who reported it. */
export const IncidentFigure = Figure.pick({ kind: true, value: true, approx: true, text: true }).extend({
  sources: z.array(z.string()),
  sourceCount: z.number().int().nonnegative(),
  firstReportedAt: utcIso,
});
export type IncidentFigure = z.infer<typeof IncidentFigure>;

/** A configured watch rule that matched posts of the incident. */
export const WatchRuleMatch = z.object({
  ruleId: z.string(),
  name: z.string(),
  /** Level the rule suggests to the duty officer (not an official grade). */
  level: IncidentLevel.optional(),
  matched: z.array(z.string()),
  count: z.number().int().positive(),
  firstMatchedAt: utcIso,
  lastMatchedAt: utcIso,
});
export type WatchRuleMatch = z.infer<typeof WatchRuleMatch>;

/** A topic, keyword or region whose volume is well above its own baseline, attached to the incidents it concerns. */
export const BurstInfo = z.object({
  /** Stable id (`key@bucketStart`), so the same burst is recognised across revisions. */
  id: z.string(),
  kind: z.enum(["topic", "keyword", "region"]),
  /** The topic id, keyword or region code. */
  value: z.string(),
  bucketStart: utcIso,
  bucketEnd: utcIso,
  count: z.number().int().nonnegative(),
  baselineMean: z.number().nonnegative(),
  /** count / baseline (baseline floored). */
  ratio: z.number().nonnegative(),
  /** Probability of at least `count` posts if the baseline held (Poisson or negative binomial tail). */
  pValue: z.number().min(0).max(1),
  detectedAt: utcIso,
});
export type BurstInfo = z.infer<typeof BurstInfo>;

/** Scope of an incident in the deployment's jurisdiction (属地管理). */
export const IncidentScope = z.enum(["本地", "涉本地", "外地", "境外", "未知"]);
export type IncidentScope = z.infer<typeof IncidentScope>;

/** An authority's statement that joined an incident. */
export const IncidentStatement = z.object({
  kind: z.enum(["辟谣", "通报", "情况说明", "回应"]),
  at: utcIso,
  source: z.string(),
  url: z.string().optional(),
  title: z.string().optional(),
  docId: z.string(),
  /** Made by a government body (by the source, or the body named as the speaker). */
  authority: z.boolean(),
});
export type IncidentStatement = z.infer<typeof IncidentStatement>;

/**
 * One incident as the detector sees it, published on every open and change. Each message is a full snapshot:
 * consumers keep the one with the highest `revision` for an `id` (apply when `revision` ≥ the one held, since
 * after a crash the detector may re-send a revision with more posts folded in).
 */
export const Incident = z.object({
  v: z.literal(1),
  /** Stable id derived from the post that opened the incident, so replays reproduce it. */
  id: z.string().regex(/^inc-[0-9a-f]{16}$/, "id must be inc- and 16 hex digits"),
  revision: z.number().int().positive(),
  status: IncidentStatus,
  changes: z.array(IncidentChange),
  mergedInto: z.string().optional(),
  mergedFrom: z.array(z.string()),
  /** A headline for notifications: the 首发 title, or the start of its text. */
  title: z.string(),
  openedAt: utcIso,
  updatedAt: utcIso,
  closedAt: utcIso.optional(),
  /** Onset that statutory deadlines count from: the 首发 time, or the officer's correction when there is one. */
  onsetAt: utcIso,
  /** The earliest post seen (首发). */
  firstSource: IncidentPost,
  /** An officer's correction of the onset, with why. */
  onsetCorrection: z
    .object({ at: utcIso, previousAt: utcIso, reason: z.string().min(1), by: z.string().min(1), correctedAt: utcIso })
    .optional(),
  lastActivityAt: utcIso,
  level: IncidentLevel.nullable(),
  /** Why, in zh-CN words and numbers: "据3个来源报道死亡12人，依《生产安全事故报告和调查处理条例》重大事故标准（死亡10–29人）定为II级（重大）". */
  gradeReason: z.string(),
  gradeHistory: z.array(GradeChange),
  /** 突发事件 category the grading table was chosen by (majority of the posts). */
  category: z.string().optional(),
  topics: z.array(z.object({ id: z.string(), score: z.number() })),
  regions: z.array(Region.extend({ count: z.number().int().positive() })),
  keywords: z.array(z.object({ word: z.string(), weight: z.number() })),
  sources: z.object({ count: z.number().int().nonnegative(), names: z.array(z.string()) }),
  volume: z.number().int().nonnegative(),
  /** Posts per hour in the hour up to the latest post (event time). */
  velocity: z.number().nonnegative(),
  figures: z.array(IncidentFigure),
  representativeDocs: z.array(IncidentPost),
  watchMatches: z.array(WatchRuleMatch),
  bursts: z.array(BurstInfo),
  sentiment: z.object({ mean: z.number(), n: z.number().int().nonnegative() }).optional(),
  // Added for issue 7 (optional: older messages lack them).
  /** Scope in the deployment's jurisdiction: 本地, 涉本地, 外地, 境外 or 未知, with why in zh-CN. */
  scope: IncidentScope.optional(),
  scopeReason: z.string().optional(),
  /** Whether it belongs on the duty board (in scope with a risk signal); absent on older messages means yes. */
  dutyBoard: z.boolean().optional(),
  /** Why it was raised, or why it stays off the duty board (zh-CN). */
  boardReason: z.string().optional(),
  /** Official statements that joined the incident (通报 / 辟谣 / 情况说明 / 回应). */
  statements: z.array(IncidentStatement).optional(),
  /** The refutation that marks it 已辟谣. */
  refutedBy: IncidentStatement.optional(),
  timeline: z.array(
    z.object({ at: utcIso, kind: z.string(), text: z.string(), docId: z.string().optional(), source: z.string().optional() }),
  ),
});
export type Incident = z.infer<typeof Incident>;
