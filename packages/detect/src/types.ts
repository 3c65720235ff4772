import type { DocScope } from "./scope.js";
import type { Figure as FigureMessage, ForeignPlace as ForeignPlaceMessage, TimeRef } from "@liaowang/schemas";

export { FIGURE_KINDS, type FigureKind } from "@liaowang/schemas";

/** A casualty or loss figure as enrichment reports it ("30余人受伤" → value 30, approx, min 30). */
export type Figure = Omit<FigureMessage, "unit">;

/** A recognised administrative division (GB/T 2260 6-digit code). */
export interface Region {
  code: string;
  name: string;
  level: "province" | "city" | "county";
  province: string;
  /** `venue` where something happened ("在长沙"), `origin` whose people are involved ("长沙籍"); absent: plain. */
  role?: "venue" | "origin" | undefined;
}

/** A place abroad named in a post (country code, Chinese name, city, role as for {@link Region}). */
export type ForeignPlace = ForeignPlaceMessage;

/** What time a post speaks of as a whole (absent = current). */
export type { TimeRef };

/** A weighted keyword (TF-IDF or similar). */
export interface Keyword {
  word: string;
  weight: number;
}

/** A topic of the taxonomy with the classifier's score. */
export interface TopicScore {
  id: string;
  score: number;
}

/** Engagement counters of a post, when the source exposes them. */
export interface Metrics {
  reposts?: number | undefined;
  comments?: number | undefined;
  likes?: number | undefined;
}

/**
 * What detection needs from one enriched document. Times are epoch milliseconds; the detector service
 * converts the ISO strings of the Kafka message at its edge.
 */
export interface DocFeatures {
  id: string;
  source: string;
  url?: string | undefined;
  title?: string | undefined;
  /** A snippet of the body (the detector keeps it for representative posts). */
  text: string;
  publishedAt: number;
  tokens: readonly string[];
  keywords: readonly Keyword[];
  /** 64-bit SimHash as 16 hex digits. */
  simhash: string;
  topics: readonly TopicScore[];
  /** 突发事件 category, e.g. "生产安全事故", "自然灾害", "公共卫生事件", "社会安全事件". */
  category?: string | undefined;
  regions: readonly Region[];
  /** Places abroad the post names. */
  abroad?: readonly ForeignPlace[] | undefined;
  /** Time the post speaks of: only current posts open and grade incidents (absent = current). */
  timeRef?: TimeRef | undefined;
  /** The post's scope in the deployment's jurisdiction (the engine sets it; absent: not tallied). */
  scope?: DocScope | undefined;
  /** −1 (negative) … +1 (positive). */
  sentiment: number;
  figures: readonly Figure[];
  metrics?: Metrics | undefined;
}

/** Official severity of a 突发事件: I 特别重大, II 重大, III 较大, IV 一般; null when ungraded. */
export type Level = "I" | "II" | "III" | "IV" | null;

/** The graded levels, most severe first. */
export const LEVELS: readonly Exclude<Level, null>[] = ["I", "II", "III", "IV"];

/** Chinese name of each level, for reasons and UI. */
export const LEVEL_NAMES: Readonly<Record<Exclude<Level, null>, string>> = {
  I: "特别重大",
  II: "重大",
  III: "较大",
  IV: "一般",
};

/** Numeric rank of a level (I = 4 … IV = 1, ungraded = 0), for comparisons. */
export function levelRank(level: Level): number {
  switch (level) {
    case "I":
      return 4;
    case "II":
      return 3;
    case "III":
      return 2;
    case "IV":
      return 1;
    case null:
      return 0;
    default: {
      const _exhaustive: never = level;
      return _exhaustive;
    }
  }
}

/** True for 特别重大 / 重大, the levels with the 5 h / 24 h statutory clocks. */
export function isMajorLevel(level: Level): boolean {
  return level === "I" || level === "II";
}
