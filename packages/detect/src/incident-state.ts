import { z } from "zod";
import { invalidInput } from "@liaowang/errors";
import { SCOPES, scopeTallySchema } from "./scope.js";
import { FIGURE_KINDS } from "./types.js";

// The incident state is plain JSON (no Map/Set/BigInt) so the detector can store it in Elasticsearch and continue
// after a restart; these schemas validate what is read back. Event times (publishedAt-derived) and processing times
// (`now`) are epoch milliseconds.

const time = z.number().finite();
const figureKind = z.enum(FIGURE_KINDS);
const level = z.enum(["I", "II", "III", "IV"]).nullable();

/** A post kept on an incident (首发 or representative). */
export const postRefSchema = z.object({
  id: z.string(),
  source: z.string(),
  url: z.string().optional(),
  title: z.string().optional(),
  snippet: z.string(),
  publishedAt: time,
  simhash: z.string(),
  engagement: z.number(),
});
export type PostRef = z.infer<typeof postRefSchema>;

/** A representative post with the score that keeps it among the top N. */
export const representativePostSchema = postRefSchema.extend({
  /** SimHash distance to the nearest other kept post when it was picked, /32 (0 = repost … 1 = new angle). */
  novelty: z.number(),
  score: z.number(),
});
export type RepresentativePost = z.infer<typeof representativePostSchema>;

/** Kinds of timeline entry. */
export const timelineKindSchema = z.enum([
  "first_post",
  "earlier_post",
  "onset_corrected",
  "figure",
  "regraded",
  "new_region",
  "sources",
  "volume",
  "merged",
  "watch",
  "burst",
  // Added for issue 7: an authority's statement, a refutation (已辟谣) and a follow-up story joined the incident.
  "official",
  "refuted",
  "followup",
]);
export type TimelineKind = z.infer<typeof timelineKindSchema>;

/** A notable moment of an incident (event time, or processing time for corrections). */
export const timelineEventSchema = z.object({
  at: time,
  kind: timelineKindSchema,
  text: z.string(),
  docId: z.string().optional(),
  source: z.string().optional(),
});
export type TimelineEvent = z.infer<typeof timelineEventSchema>;

/** A region with how many documents of the incident named it. */
export const regionCountSchema = z.object({
  code: z.string(),
  name: z.string(),
  level: z.enum(["province", "city", "county"]),
  province: z.string(),
  count: z.number().int().nonnegative(),
});
export type RegionCount = z.infer<typeof regionCountSchema>;

/** A grade change (processing time). */
export const gradeChangeSchema = z.object({ at: time, from: level, to: level, reason: z.string() });
export type GradeChange = z.infer<typeof gradeChangeSchema>;

/** A watch rule that matched posts of the incident. */
export const watchHitSchema = z.object({
  ruleId: z.string(),
  name: z.string(),
  level: z.enum(["I", "II", "III", "IV"]).optional(),
  matched: z.array(z.string()),
  count: z.number().int().positive(),
  firstMatchedAt: time,
  lastMatchedAt: time,
});
export type WatchHit = z.infer<typeof watchHitSchema>;

/** A burst of one of the incident's topics, keywords or regions. */
export const incidentBurstSchema = z.object({
  id: z.string(),
  kind: z.enum(["topic", "keyword", "region"]),
  value: z.string(),
  bucketStart: time,
  bucketEnd: time,
  count: z.number().int().nonnegative(),
  baselineMean: z.number().nonnegative(),
  ratio: z.number().nonnegative(),
  pValue: z.number().min(0).max(1),
  detectedAt: time,
});
export type IncidentBurst = z.infer<typeof incidentBurstSchema>;

const figureSummarySchema = z.object({
  kind: figureKind,
  value: z.number(),
  approx: z.boolean(),
  text: z.string(),
  sources: z.array(z.string()),
  sourceCount: z.number().int().nonnegative(),
  firstReportedAt: time,
});

const keywordSchema = z.object({ word: z.string(), weight: z.number() });

/** An officer's correction of the onset (deadlines count from `at` instead of the 首发 time). */
export const onsetCorrectionSchema = z.object({
  at: time,
  previousAt: time,
  reason: z.string().min(1),
  by: z.string().min(1),
  correctedAt: time,
});
export type OnsetCorrection = z.infer<typeof onsetCorrectionSchema>;

/** An authority's 通报 / 辟谣 / 情况说明 / 回应 that joined the incident. */
export const statementSchema = z.object({
  kind: z.enum(["辟谣", "通报", "情况说明", "回应"]),
  at: time,
  source: z.string(),
  url: z.string().optional(),
  title: z.string().optional(),
  docId: z.string(),
  authority: z.boolean(),
});
export type StatementRecord = z.infer<typeof statementSchema>;

/** Schema of {@link IncidentState}, for validating stored state on restore. */
export const incidentStateSchema = z.object({
  v: z.literal(1),
  id: z.string().min(1),
  /** Increases by one with every stored change; consumers keep the highest. */
  revision: z.number().int().nonnegative(),
  status: z.enum(["open", "expired", "merged"]),
  /** Id of the document that opened the incident (the id is derived from it). */
  openedBy: z.string(),
  /** Processing time the incident was opened / last changed / closed. */
  openedAt: time,
  updatedAt: time,
  closedAt: time.optional(),
  /** Event time of the earliest post (首发). */
  onsetAt: time,
  onsetCorrection: onsetCorrectionSchema.optional(),
  firstPost: postRefSchema,
  /** Event time of the latest post. */
  lastActivityAt: time,
  volume: z.number().int().nonnegative(),
  /** Posts per hour in the hour up to the latest post (event time). */
  velocity: z.number().nonnegative(),
  /** Document counts per event-time minute, last hour before the latest post only. */
  minuteCounts: z.array(z.object({ minute: z.number().int(), count: z.number().int().positive() })),
  timeline: z.array(timelineEventSchema),
  posts: z.array(representativePostSchema),
  recentSimhashes: z.array(z.string()),
  recentDocIds: z.array(z.string()),
  /** Top keywords of the latest documents, for single-link matching next to the aggregate. */
  recentKeywordSets: z.array(z.array(keywordSchema)),
  /** Aggregated keywords; weights decayed to event time `keywordsAt`. */
  keywords: z.array(keywordSchema),
  keywordsAt: time,
  topics: z.array(z.object({ id: z.string(), score: z.number() })),
  categories: z.array(z.object({ category: z.string(), count: z.number().int().positive() })),
  /** Majority category of the documents, used for grading. */
  category: z.string().optional(),
  regions: z.array(regionCountSchema),
  sources: z.object({ count: z.number().int().nonnegative(), list: z.array(z.string()), sketch: z.array(z.number().int()) }),
  figures: z.partialRecord(figureKind, figureSummarySchema),
  sentiment: z.object({ mean: z.number(), n: z.number().int().nonnegative() }),
  engagement: z.object({ reposts: z.number(), comments: z.number(), likes: z.number() }),
  level,
  gradeReason: z.string(),
  gradeHistory: z.array(gradeChangeSchema),
  watch: z.array(watchHitSchema),
  bursts: z.array(incidentBurstSchema),
  mergedFrom: z.array(z.string()),
  mergedInto: z.string().optional(),
  /** Per-scope post counts and places named (issue 7; absent on incidents stored before). */
  scope: scopeTallySchema.optional(),
  /** Official statements that joined (bounded), and the refutation that marks it 已辟谣. */
  statements: z.array(statementSchema).optional(),
  refutedBy: statementSchema.optional(),
  /** The duty-board decision at the last change: scope, whether it is raised, and why (zh-CN). */
  board: z.object({ scope: z.enum(SCOPES), scopeReason: z.string(), onBoard: z.boolean(), reason: z.string() }).optional(),
  /** Processing time the incident first met the report policy and was published; unset while it is a candidate. */
  reportedAt: time.optional(),
});

/** An incident's full state as plain JSON. */
export type IncidentState = z.infer<typeof incidentStateSchema>;

/**
 * Validates incident state read back from storage; throws an `invalid_input` error naming the incident and field.
 * @example const incidents = hits.map((h) => parseIncidentState(h._source.state));
 */
export function parseIncidentState(raw: unknown): IncidentState {
  const result = incidentStateSchema.safeParse(raw);
  if (result.success) return result.data;
  const id = raw && typeof raw === "object" && "id" in raw && typeof raw.id === "string" ? raw.id : "(no id)";
  const issues = result.error.issues
    .slice(0, 5)
    .map((i) => `${i.path.join(".") || "(root)"}: ${i.message}`)
    .join("; ");
  throw invalidInput(`stored incident ${id} is not valid incident state: ${issues}`, result.error);
}

/**
 * A copy of an incident state with every field in one fixed order, held in the object itself: states made by
 * spreading and adding fields keep them in a separate, growing store (~300 bytes more per open incident) and take
 * as many shapes as orders in which their optional fields came. Absent optional fields are undefined (JSON and the
 * schema read them as absent). With `next`, those fields are taken from it instead (the next version, without a copy
 * in between).
 */
export function compactIncident(i: IncidentState, next?: Pick<IncidentState, "revision" | "reportedAt" | "board">): IncidentState {
  return {
    v: i.v,
    id: i.id,
    revision: next === undefined ? i.revision : next.revision,
    status: i.status,
    openedBy: i.openedBy,
    openedAt: i.openedAt,
    updatedAt: i.updatedAt,
    closedAt: i.closedAt,
    onsetAt: i.onsetAt,
    onsetCorrection: i.onsetCorrection,
    firstPost: i.firstPost,
    lastActivityAt: i.lastActivityAt,
    volume: i.volume,
    velocity: i.velocity,
    minuteCounts: i.minuteCounts,
    timeline: i.timeline,
    posts: i.posts,
    recentSimhashes: i.recentSimhashes,
    recentDocIds: i.recentDocIds,
    recentKeywordSets: i.recentKeywordSets,
    keywords: i.keywords,
    keywordsAt: i.keywordsAt,
    topics: i.topics,
    categories: i.categories,
    category: i.category,
    regions: i.regions,
    sources: i.sources,
    figures: i.figures,
    sentiment: i.sentiment,
    engagement: i.engagement,
    level: i.level,
    gradeReason: i.gradeReason,
    gradeHistory: i.gradeHistory,
    watch: i.watch,
    bursts: i.bursts,
    mergedFrom: i.mergedFrom,
    mergedInto: i.mergedInto,
    scope: i.scope,
    statements: i.statements,
    refutedBy: i.refutedBy,
    board: next === undefined ? i.board : next.board,
    reportedAt: next === undefined ? i.reportedAt : next.reportedAt,
  };
}

/** The onset deadlines count from: the officer's correction when there is one, else the 首发 time. */
export function effectiveOnset(incident: IncidentState): number {
  return incident.onsetCorrection?.at ?? incident.onsetAt;
}
