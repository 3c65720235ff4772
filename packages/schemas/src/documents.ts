import { z } from "zod";
import { Metrics, SourceKind } from "./ingest.js";

const utcIso = z.iso.datetime({ offset: true });

/**
 * A quality problem found at ingest that the document is kept with (added for issues 9 and 11, so nothing is
 * silently dropped or silently trusted): `date_unreadable` (the source's date could not be read; publishedAt is
 * the fetch time and `dateText` what the source said), `date_out_of_window` (publishedAt is the source's claim
 * but implausibly far in the past or future: it is indexed apart and never moves an incident's onset),
 * `replacement_characters` (the text contains U+FFFD: part of it was lost in decoding).
 */
export const DocumentFlag = z.enum(["date_unreadable", "date_out_of_window", "replacement_characters"]);
export type DocumentFlag = z.infer<typeof DocumentFlag>;

/** A validated, normalised post on the raw topic. `id` is content-derived so replays never duplicate. */
export const RawDocument = z.object({
  v: z.literal(1),
  id: z.string().regex(/^[0-9a-f]{32}$/, "id must be 32 hex characters"),
  source: z.string().min(1),
  sourceKind: SourceKind,
  title: z.string().optional(),
  text: z.string().min(1),
  url: z.string().optional(),
  author: z.string().optional(),
  publishedAt: utcIso,
  ingestedAt: utcIso,
  region: z.string().optional(),
  lang: z.literal("zh"),
  metrics: Metrics.optional(),
  // Optional (added for issues 9 and 11): documents from before carry no flags and still parse.
  flags: z.array(DocumentFlag).optional(),
  /** The date text the source gave when it could not be read (flag `date_unreadable`). */
  dateText: z.string().max(80).optional(),
});
export type RawDocument = z.infer<typeof RawDocument>;

/** A weighted keyword from TF-IDF. */
export const Keyword = z.object({ word: z.string(), weight: z.number() });
export type Keyword = z.infer<typeof Keyword>;

/** A casualty or loss figure read from the text (e.g. "30余人受伤" → injured ≥ 30, approx). */
/**
 * Every kind of casualty / loss figure read from Chinese text, in reporting order. "affected" (受灾人口) was added
 * later and has no grading threshold; consumers that grade only by the other kinds may ignore it.
 */
export const FIGURE_KINDS = [
  "deaths",
  "seriously_injured",
  "injured",
  "missing",
  "trapped",
  "affected",
  "loss_yuan",
  // Added for issue 7: infections / illness of a 公共卫生事件 are not injuries, and "死伤N人" is a combined count
  // that must never be read as deaths. Neither has a 生产安全事故 threshold of its own.
  "infected",
  "casualties",
] as const;
/** A kind of casualty / loss figure. */
export type FigureKind = (typeof FIGURE_KINDS)[number];

export const Figure = z.object({
  kind: z.enum(FIGURE_KINDS),
  /** The number to grade by: the stated figure, the lower bound of "30余"/"3至5", or just under "近30". */
  value: z.number().nonnegative(),
  approx: z.boolean(),
  min: z.number().optional(),
  max: z.number().optional(),
  /** "人" for people, "元" for money (loss values are in yuan). Optional: added after the first release. */
  unit: z.enum(["人", "元"]).optional(),
  /** The span of the text the figure was read from. */
  text: z.string(),
  /**
   * When the figure belongs (added for issue 7): a current event (absent = current), a past event (an earlier year or
   * date, 周年, 当年 …), a statistic (今年以来, 累计, 全年, 同比 …) or a plan (将, 计划, 拟). Only current figures grade.
   */
  time: z.enum(["current", "past", "statistic", "plan"]).optional(),
});
export type Figure = z.infer<typeof Figure>;

/**
 * What time a post speaks of as a whole (added for issue 7): a current event, a recollection of a past one (周年, 回顾,
 * 十年前), statistics, a plan, or a follow-up of an old incident (trial, compensation, punishment, memorial). Only
 * "current" posts may open an incident or grade one; absent means "current" (messages from before issue 7).
 */
export const TIME_REF_KINDS = ["current", "past", "statistic", "plan", "followup"] as const;
export type TimeRefKind = (typeof TIME_REF_KINDS)[number];
export const TimeRef = z.object({
  kind: z.enum(TIME_REF_KINDS),
  /** The words that decided it ("十周年", "今年以来"), for the reason shown to officers. */
  cue: z.string().optional(),
  /** An explicit year the post refers to, when it names one. */
  year: z.number().int().optional(),
});
export type TimeRef = z.infer<typeof TimeRef>;

/** A recognised administrative division (GB/T 2260 code). */
export const Region = z.object({
  code: z.string(),
  name: z.string(),
  level: z.enum(["province", "city", "county"]),
  province: z.string(),
  /**
   * How the text names it (added for issue 7): `venue` where something happened ("在长沙"), `origin` only whose
   * people or teams are involved ("长沙籍游客"); absent for a plain mention. Jurisdiction scope reads it.
   */
  role: z.enum(["venue", "origin"]).optional(),
});
export type Region = z.infer<typeof Region>;

/** A place abroad named in the text (added for issue 7): a country (ISO 3166-1 alpha-2), world region or city. */
export const ForeignPlace = z.object({
  /** ISO 3166-1 alpha-2 of the country, or the UN M49 / "EU" code of a world region. */
  code: z.string(),
  /** Chinese name of the country or region. */
  name: z.string(),
  city: z.string().optional(),
  role: z.enum(["venue", "origin"]).optional(),
});
export type ForeignPlace = z.infer<typeof ForeignPlace>;

/** U+2009 THIN SPACE: a whitespace character to Elasticsearch's whitespace analyzer that normalised text never contains. */
export const SEGMENT_SEPARATOR = "\u2009";

/** A raw document plus what enrichment learned about it. */
export const EnrichedDocument = RawDocument.extend({
  /** Content tokens without stop words or punctuation (Latin lowercased): what detection works on. */
  tokens: z.array(z.string()),
  /** Every segment of the title / text joined by SEGMENT_SEPARATOR: removing it restores the text exactly. */
  titleSeg: z.string(),
  textSeg: z.string(),
  /** Fine-grained search-mode tokens of title and text, for recall of partial words. */
  searchTerms: z.array(z.string()),
  keywords: z.array(Keyword),
  enrichedAt: utcIso,
  // Analysis fields were added after the first release of this schema: optional so v1 messages still parse.
  topics: z.array(z.object({ id: z.string(), score: z.number() })).optional(),
  category: z.string().optional(),
  sentiment: z.object({ score: z.number(), label: z.enum(["negative", "neutral", "positive"]) }).optional(),
  regions: z.array(Region).optional(),
  /** Places abroad the post names (added for issue 7; absent on older messages). */
  abroad: z.array(ForeignPlace).optional(),
  figures: z.array(Figure).optional(),
  timeRef: TimeRef.optional(),
  simhash: z.string().regex(/^[0-9a-f]{16}$/).optional(),
  /**
   * The post's scope in the deployment's jurisdiction (本地 / 涉本地 / 外地 / 境外 / 未知, as the detector reads one
   * post), so analysts can filter search by it. Added for issue 10; absent on older messages and when enrich has
   * no jurisdiction.
   */
  scope: z.enum(["本地", "涉本地", "外地", "境外", "未知"]).optional(),
});
export type EnrichedDocument = z.infer<typeof EnrichedDocument>;

/** What a consumer could not process, with the reason, so nothing is silently lost. */
export const DeadLetter = z.object({
  v: z.literal(1),
  service: z.string(),
  topic: z.string(),
  partition: z.number().int().optional(),
  offset: z.string().optional(),
  key: z.string().optional(),
  recordId: z.string().optional(),
  code: z.string(),
  reason: z.string(),
  value: z.string(),
  at: utcIso,
});
export type DeadLetter = z.infer<typeof DeadLetter>;
