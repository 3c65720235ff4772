/** Input features of an enriched document, figure kinds, regions and official levels. */
export type { DocFeatures, Figure, FigureKind, Keyword, Level, Metrics, Region, TopicScore } from "./types.js";
/** Figure kinds, levels, level names and level comparisons. */
export { FIGURE_KINDS, LEVELS, LEVEL_NAMES, isMajorLevel, levelRank } from "./types.js";

/** SimHash distance, keyword cosine and region relations used by clustering and routing. */
export {
  codeContains,
  codeDepth,
  hamming,
  keywordCosine,
  mostSpecificRegions,
  regionRelation,
  topKeywords,
} from "./similarity.js";
export type { RegionRelation } from "./similarity.js";

/** Deterministic FNV-1a hashes for ids derived from ids. */
export { fnv1a32, fnv1a64Hex } from "./hash.js";

/** Bounded distinct-source counting (exact up to the sketch size, estimated beyond). */
export { addSource, emptySources, unionSources } from "./sources.js";
export type { SourceSet } from "./sources.js";

/** Online incident clustering: assign documents to incidents, expire quiet ones. */
export {
  DEFAULT_CLUSTER_CONFIG,
  applyAssignment,
  assign,
  clusterConfigSchema,
  expire,
  incidentIdFor,
  primaryRegions,
  similarity,
  velocity,
} from "./incident.js";
export type {
  Assignment,
  ClusterConfig,
  GradeChange,
  IncidentChange,
  IncidentState,
  MatchInfo,
  PostRef,
  RegionCount,
  RepresentativePost,
  TimelineEvent,
  TimelineKind,
} from "./incident.js";

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

/** Burst detection per key (EWMA baseline) and source flatline checks. */
export {
  DEFAULT_BURST_CONFIG,
  burstConfigSchema,
  emptyBurstState,
  evaluate,
  flatline,
  observe,
  observeMany,
  pruneBursts,
} from "./burst.js";
export type { Burst, BurstConfig, BurstState, Flatline, KeyState, Observation } from "./burst.js";

/** Boolean keyword watch rules compiled to a linear-time matcher. */
export { WATCH_LIMITS, compileWatchRules, parseWatchRules, watchRuleSchema, watchRulesSchema } from "./watch.js";
export type { WatchInput, WatchMatch, WatchMatcher, WatchRule, WatchRuleInput } from "./watch.js";
