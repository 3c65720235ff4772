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
  /** Why, in words and numbers: "12 deaths reported by 3 sources → II (重大) per 生产安全事故 thresholds …". */
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
  timeline: z.array(
    z.object({ at: utcIso, kind: z.string(), text: z.string(), docId: z.string().optional(), source: z.string().optional() }),
  ),
});
export type Incident = z.infer<typeof Incident>;
