import { z } from "zod";
import { DEFAULT_GRADING, gradingConfigSchema } from "./grading.js";
import type { GradingConfig } from "./grading.js";

const HOUR = 3_600_000;

/** Tuning of online incident clustering. All bounds keep an incident's JSON small enough to store per update. */
export interface ClusterConfig {
  /** A document may join an incident whose event-time activity is within this window of it (ms). */
  windowMs: number;
  /**
   * Candidates (incidents not yet reported: usually a single post) are dropped after this much quiet, and the
   * oldest beyond `maxOpen` open incidents are dropped first, so memory stays bounded under a heavy stream.
   */
  candidateTtlMs: number;
  maxOpen: number;
  /** Minimum similarity score (0 … 1) for a document to join an incident. */
  joinThreshold: number;
  /**
   * Minimum keyword similarity for a post to join an incident when neither names any place (home or abroad): with
   * no place to tell stories apart, role words (男子, 女友, 前女友) make unrelated crime headlines alike.
   */
  placelessJoinThreshold: number;
  /** When a document scores at least this with several incidents, they are one story and are merged. */
  mergeThreshold: number;
  /**
   * A post that joins several open incidents links them (single link): they are merged when they name the same
   * places, share their category and their keywords are at least this alike. Without it the result depends on the
   * order posts arrive in — a repost that came first opens its own incident, and the post that connects it to the
   * story arrives only after the story has an incident of its own.
   */
  bridgeThreshold: number;
  /**
   * An official statement (通报, 辟谣, 情况说明) joins at `joinThreshold` × this, in the same places only: it shares
   * fewer words with the story it answers than ordinary posts do.
   */
  statementJoinFactor: number;
  /** SimHash distance at or below which a post is a near-duplicate / repost (joins regardless of keywords). */
  nearDuplicateDistance: number;
  /**
   * Score factors when the places a document names and the incident's differ: counties of one city, cities of one
   * province, different provinces. Places tell one mine accident from another where the words cannot.
   */
  sameCityFactor: number;
  sameProvinceFactor: number;
  differentRegionFactor: number;
  /** How many of a document's top keywords are compared and aggregated. */
  docKeywordLimit: number;
  /** Aggregated keywords kept per incident. */
  maxKeywords: number;
  /** Half-life (event time) of aggregated keyword and topic weights. */
  keywordHalfLifeMs: number;
  maxTopics: number;
  maxRegions: number;
  maxPosts: number;
  maxTimeline: number;
  /** Recent SimHashes kept for near-duplicate matching. */
  maxSimhashes: number;
  /** Recent document ids kept to ignore redelivered documents. */
  maxDocIds: number;
  /** Keyword sets of the latest documents kept for single-link matching, and keywords kept per set. */
  maxRecentKeywordSets: number;
  recentKeywordLimit: number;
  /** Watch rule hits and bursts kept per incident. */
  maxWatchHits: number;
  maxBursts: number;
  maxSourceList: number;
  sourceSketchSize: number;
  maxFigureSources: number;
  /** Length of representative post snippets (characters). */
  snippetLength: number;
  grading: GradingConfig;
}

/** Default clustering configuration (48 h window since last activity). */
export const DEFAULT_CLUSTER_CONFIG: ClusterConfig = {
  windowMs: 48 * HOUR,
  candidateTtlMs: 6 * HOUR,
  maxOpen: 20_000,
  joinThreshold: 0.4,
  // On the 11,686 real texts of `pnpm eval -- --all`, 0.4 put a joke about exes, a murder and two other crimes into
  // "男子绑架前女友索要10万赎金".
  placelessJoinThreshold: 0.6,
  mergeThreshold: 0.7,
  bridgeThreshold: 0.25,
  statementJoinFactor: 0.5,
  nearDuplicateDistance: 6,
  // 0.8 joined two residents' near-identical posts about explosions at two plants in two counties of one city
  // (keyword similarity 0.57): the second explosion's II then had no alert of its own.
  sameCityFactor: 0.6,
  sameProvinceFactor: 0.5,
  differentRegionFactor: 0.4,
  docKeywordLimit: 20,
  maxKeywords: 40,
  keywordHalfLifeMs: 12 * HOUR,
  maxTopics: 5,
  maxRegions: 20,
  maxPosts: 5,
  maxTimeline: 50,
  maxSimhashes: 32,
  maxDocIds: 500,
  maxRecentKeywordSets: 8,
  recentKeywordLimit: 12,
  maxWatchHits: 20,
  maxBursts: 10,
  maxSourceList: 20,
  sourceSketchSize: 256,
  maxFigureSources: 20,
  snippetLength: 140,
  grading: DEFAULT_GRADING,
};

const positiveInt = z.number().int().positive();
const unit = z.number().min(0).max(1);

/** Schema of a clustering config file: every key optional, defaults from {@link DEFAULT_CLUSTER_CONFIG}. */
export const clusterConfigSchema = z
  .object({
    windowMs: positiveInt,
    candidateTtlMs: positiveInt,
    maxOpen: positiveInt,
    joinThreshold: unit,
    placelessJoinThreshold: unit,
    mergeThreshold: z.number().min(0).max(1.01),
    bridgeThreshold: z.number().min(0).max(1.01),
    statementJoinFactor: unit,
    nearDuplicateDistance: z.number().int().min(0).max(12),
    sameCityFactor: unit,
    sameProvinceFactor: unit,
    differentRegionFactor: unit,
    docKeywordLimit: positiveInt,
    maxKeywords: positiveInt,
    keywordHalfLifeMs: positiveInt,
    maxTopics: positiveInt,
    maxRegions: positiveInt,
    maxPosts: positiveInt,
    maxTimeline: z.number().int().min(2),
    maxSimhashes: positiveInt,
    maxDocIds: positiveInt,
    maxRecentKeywordSets: positiveInt,
    recentKeywordLimit: positiveInt,
    maxWatchHits: positiveInt,
    maxBursts: positiveInt,
    maxSourceList: positiveInt,
    sourceSketchSize: z.number().int().min(16),
    maxFigureSources: positiveInt,
    snippetLength: positiveInt,
    grading: gradingConfigSchema,
  })
  .partial()
  .transform((c): ClusterConfig => ({ ...DEFAULT_CLUSTER_CONFIG, ...c }));
