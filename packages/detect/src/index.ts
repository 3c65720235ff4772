/** Input features of an enriched document, figure kinds, regions and official levels. */
export type { DocFeatures, Figure, FigureKind, ForeignPlace, Keyword, Level, Metrics, Region, TimeRef, TopicScore } from "./types.js";
/** Figure kinds, levels, level names and level comparisons. */
export { FIGURE_KINDS, LEVELS, LEVEL_NAMES, isMajorLevel, levelRank } from "./types.js";

/** SimHash distance, keyword vectors and region relations used by clustering and routing. */
export {
  codeContains,
  codeDepth,
  hamming,
  keywordCosine,
  keywordVector,
  mostSpecificRegions,
  regionRelation,
  topKeywords,
  vectorCosine,
} from "./similarity.js";
export type { FeatureVector, RegionRelation } from "./similarity.js";

/** Deterministic hashes: ids derived from ids, and SimHash for documents enrichment sent without one. */
export { fnv1a32, fnv1a64Hex, simhash64, tokenFeatures } from "./hash.js";

/** Bounded distinct-source counting (exact up to the sketch size, estimated beyond). */
export { addSource, emptySources, unionSources } from "./sources.js";
export type { SourceSet } from "./sources.js";

/** Incident state (plain JSON, validated on restore). */
export { effectiveOnset, incidentStateSchema, parseIncidentState } from "./incident-state.js";
export type {
  GradeChange,
  IncidentBurst,
  IncidentState,
  OnsetCorrection,
  PostRef,
  RegionCount,
  RepresentativePost,
  StatementRecord,
  TimelineEvent,
  TimelineKind,
  WatchHit,
} from "./incident-state.js";

/** Online incident clustering: assign documents to incidents, merge split stories, expire quiet ones. */
export { DEFAULT_CLUSTER_CONFIG, clusterConfigSchema } from "./cluster-config.js";
export type { ClusterConfig } from "./cluster-config.js";
export { applyAssignment, assign, expire, similarity } from "./cluster.js";
export type { Assignment, MatchInfo } from "./cluster.js";
export { IncidentIndex } from "./candidates.js";
export {
  attachBursts,
  burstValuesOf,
  correctOnset,
  incidentIdFor,
  primaryRegions,
  recordWatchMatches,
  velocity,
} from "./incident.js";
export type { IncidentChange } from "./incident.js";

/** Official grading (I–IV) from casualty/loss figures, with thresholds as config data. */
export {
  DEFAULT_GRADING,
  figureLowerBound,
  formatYuan,
  grade,
  gradingConfigSchema,
  levelForValue,
  tableFor,
} from "./grading.js";
export type { FigureSummary, Grade, GradeInput, GradingConfig, MaxFigures, ThresholdRule, ThresholdTable } from "./grading.js";

/** Burst detection per topic / keyword / region against its own EWMA baseline, with Poisson / NB tails. */
export {
  DEFAULT_BURST_CONFIG,
  burstConfigSchema,
  burstKey,
  emptyBurstState,
  evaluate,
  observe,
  observeMany,
  parseBurstKey,
  pruneBursts,
} from "./burst.js";
export type { Burst, BurstConfig, BurstKind, BurstState, KeyState, Observation } from "./burst.js";
export { negativeBinomialUpperTail, poissonUpperTail, upperTail } from "./tail.js";

/** Per-source flatline detection from each source's learned rhythm. */
export { DEFAULT_FEED_CONFIG, checkFlatlines, emptyFeedsState, expectedInterval, feedConfigSchema, observeFeed } from "./feeds.js";
export type { FeedConfig, FeedState, FeedsState, Flatline, FlatlineCheck } from "./feeds.js";

/** Boolean keyword watch rules compiled to a linear-time matcher. */
export { WATCH_LIMITS, compileWatchRules, parseWatchRules, watchRuleSchema, watchRulesSchema } from "./watch.js";
export type { WatchInput, WatchMatch, WatchMatcher, WatchRule, WatchRuleInput } from "./watch.js";

/** When a cluster becomes a published incident. */
export { DEFAULT_REPORT_POLICY, boardDecision, reportPolicySchema, reportReason } from "./report.js";
export type { BoardDecision, ReportPolicy } from "./report.js";

/** Jurisdiction scope (属地管理): 本地 / 涉本地 / 外地 / 境外 / 未知 per post and per incident. */
export { NATIONWIDE, SCOPES, addToTally, decideScope, docScope, emptyTally, jurisdictionSchema, relationTo, scopeValue } from "./scope.js";
export type { DocScope, Jurisdiction, Relation, Scope, ScopeDecision, ScopeTally } from "./scope.js";

/** Official statements (通报 / 辟谣 / 情况说明 / 回应) and which posts may grade. */
export { statementOf } from "./statements.js";
export type { Statement, StatementKind } from "./statements.js";
export { gradableFigures, isCurrent, isFollowup } from "./incident.js";

/** The detector's whole domain behind plan / commit steps (no I/O). */
export { DEFAULT_ENGINE_CONFIG, DetectorEngine, burstStateSchema, engineSnapshotSchema } from "./engine.js";
export type { EngineConfig, EngineSnapshot, IncidentUpdate, Plan, UpdateAction } from "./engine.js";
export * from "./event-time.js";
