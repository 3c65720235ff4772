import { createHash } from "node:crypto";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { defaultConfigDir } from "@liaowang/config";
import { invalidInput } from "@liaowang/errors";
import type { TimeRef } from "@liaowang/schemas";
import { locateFigures } from "./figures.js";
import { buildForeignGazetteer, parseForeignActors, recognizeForeignIndexed } from "./foreign.js";
import type { ForeignGazetteer, ForeignMatch } from "./foreign.js";
import { placeRolesIndexed } from "./places.js";
import type { PlaceRole } from "./places.js";
import type { Figure } from "./figures.js";
import type { Keyword } from "./keywords.js";
import { buildGazetteer, parseAmbiguousPlaceNames, recognizeRegionsIndexed } from "./regions.js";
import type { Gazetteer, RegionMatch } from "./regions.js";
import { parseSentimentLexicon, scoreSentimentIndexed } from "./sentiment.js";
import type { LexiconSources, Sentiment, SentimentLexicon } from "./sentiment.js";
import { simhash64 } from "./simhash.js";
import { classifyIndexed, parseTaxonomy } from "./taxonomy.js";
import { indexForm } from "./text.js";
import type { Taxonomy, TopicScore } from "./taxonomy.js";
import { groundFigures } from "./time-ref.js";

/** What {@link analyze} reads of a document, all produced by the segmenter beforehand. */
export interface AnalysisInput {
  /** Title and body as one text (figures are read from it). */
  text: string;
  /** Every segment of `text`, punctuation kept (`Segmenter.segments`): for sentiment and place names. */
  segments: readonly string[];
  /** Content tokens (`Segmenter.tokensForIndex`): for topics. */
  tokens: readonly string[];
  /** True when `tokens` are already in index form (`Segmenter.contentTokens` gives them so): saves normalising them again. */
  indexedTokens?: boolean | undefined;
  /** Weighted keywords (`Segmenter.keywords`): for the SimHash. */
  keywords: readonly Keyword[];
  /** Segments of a place the source attached to the post (the ingest record's `region`), read like the text. */
  regionHint?: readonly string[] | undefined;
  /** When the post was published: figures and events dated well before it are past (time grounding). */
  publishedAt?: Date | undefined;
}

/** What enrichment learns about a document beyond its tokens. */
export interface Analysis {
  topics: TopicScore[];
  category?: string | undefined;
  sentiment: Sentiment;
  regions: Array<RegionMatch & { role?: PlaceRole }>;
  /** Places abroad the text names, with how (see {@link placeRoles}). */
  abroad: Array<ForeignMatch & { role?: PlaceRole }>;
  /** Casualty/loss figures, each with `time` when it is not current (past, statistic, plan). */
  figures: Figure[];
  /** What time the post speaks of as a whole: only "current" posts open or grade an incident. */
  timeRef: TimeRef;
  /** 64-bit SimHash of the keywords, 16 hex digits. */
  simhash: string;
}

/** The loaded, editable data analysis needs. */
export interface AnalysisResources {
  taxonomy: Taxonomy;
  lexicon: SentimentLexicon;
  gazetteer: Gazetteer;
  foreign: ForeignGazetteer;
}

/**
 * Topics, category, sentiment, places, casualty/loss figures grounded in time, the post's time and SimHash of one segmented document. Pure.
 * @example analyze({ text, segments: seg.segments(text), tokens: seg.tokensForIndex(text), keywords: seg.keywords(text, 20) }, analyzer.resources)
 */
export function analyze(input: AnalysisInput, resources: AnalysisResources): Analysis {
  const { topics, category } = classifyIndexed(input.indexedTokens === true ? input.tokens : input.tokens.map(indexForm), resources.taxonomy);
  const { figures, timeRef } = groundFigures(input.text, locateFigures(input.text), { publishedAt: input.publishedAt });
  // Every place and lexicon lookup reads the segments in index form: normalised once here.
  const segments = input.segments.map(indexForm);
  const placeTokens = input.regionHint && input.regionHint.length > 0 ? [...input.regionHint.map(indexForm), "\n", ...segments] : segments;
  const regions = recognizeRegionsIndexed(placeTokens, resources.gazetteer);
  const abroad = recognizeForeignIndexed(input.segments, segments, resources.foreign);
  const roles = placeRolesIndexed(segments, resources.gazetteer, resources.foreign, regions, abroad);
  // Assigned in order rather than spread in: a spread inside a literal is slow in V8.
  const out: Analysis = { topics } as Analysis;
  if (category !== undefined) out.category = category;
  out.sentiment = scoreSentimentIndexed(segments, resources.lexicon);
  out.regions = roles.size === 0 ? regions : regions.map((r) => withRole(r, roles));
  out.abroad = roles.size === 0 ? abroad : abroad.map((p) => withRole(p, roles));
  out.figures = figures;
  out.timeRef = timeRef;
  out.simhash = simhash64(input.keywords);
  return out;
}

function withRole<T extends { code: string }>(p: T, roles: ReadonlyMap<string, PlaceRole>): T & { role?: PlaceRole } {
  const role = roles.get(p.code);
  return role === undefined ? p : { ...p, role };
}

/** Where the {@link Analyzer}'s editable files are. */
export interface AnalyzerOptions {
  /** Config directory (LIAOWANG_CONFIG_DIR) holding taxonomy.yaml, sentiment/ and dict/region-ambiguous.txt. */
  configDir?: string | undefined;
  /** Overrides `<configDir>/taxonomy.yaml`. */
  taxonomyPath?: string | undefined;
  /** Overrides `<configDir>/sentiment` (positive.txt, negative.txt, negations.txt, degrees.txt). */
  sentimentDir?: string | undefined;
  /** Overrides `<configDir>/dict/region-ambiguous.txt`. */
  ambiguousPlacesPath?: string | undefined;
  /** Overrides `<configDir>/dict/foreign-ambiguous.txt`. */
  ambiguousForeignPath?: string | undefined;
  /** Overrides `<configDir>/dict/foreign-actors.txt`. */
  foreignActorsPath?: string | undefined;
}

/** What a reload found, and whether anything changed (unchanged files are not re-parsed). */
export interface AnalyzerReloadResult {
  topics: number;
  categories: number;
  lexiconWords: number;
  ambiguousPlaces: number;
  changed: boolean;
}

function readText(path: string, what: string): string {
  if (!existsSync(path)) throw invalidInput(`${what} ${path} does not exist`);
  return readFileSync(path, "utf8");
}

/**
 * The taxonomy, sentiment lexicons and ambiguous place names loaded from the config directory, reloadable while
 * the process runs (watch {@link Analyzer.paths} with `watchFiles`). A reload that fails keeps what was loaded.
 * @example const analyzer = new Analyzer({ configDir }); analyze(input, analyzer.resources)
 */
export class Analyzer {
  readonly taxonomyPath: string;
  readonly lexiconPaths: Readonly<Record<keyof LexiconSources, string>>;
  readonly ambiguousPlacesPath: string;
  readonly ambiguousForeignPath: string;
  readonly foreignActorsPath: string;
  #resources: AnalysisResources | undefined;
  #keys = { taxonomy: "", lexicon: "", places: "" };

  constructor(options: AnalyzerOptions = {}) {
    const configDir = options.configDir ?? defaultConfigDir;
    this.taxonomyPath = options.taxonomyPath ?? join(configDir, "taxonomy.yaml");
    const sentimentDir = options.sentimentDir ?? join(configDir, "sentiment");
    this.lexiconPaths = {
      positive: join(sentimentDir, "positive.txt"),
      negative: join(sentimentDir, "negative.txt"),
      negations: join(sentimentDir, "negations.txt"),
      degrees: join(sentimentDir, "degrees.txt"),
    };
    this.ambiguousPlacesPath = options.ambiguousPlacesPath ?? join(configDir, "dict", "region-ambiguous.txt");
    this.ambiguousForeignPath = options.ambiguousForeignPath ?? join(configDir, "dict", "foreign-ambiguous.txt");
    this.foreignActorsPath = options.foreignActorsPath ?? join(configDir, "dict", "foreign-actors.txt");
    this.reload();
  }

  /** Every file the analyzer reads. */
  get paths(): string[] {
    return [this.taxonomyPath, ...Object.values(this.lexiconPaths), this.ambiguousPlacesPath, this.ambiguousForeignPath, this.foreignActorsPath];
  }

  /** The resources currently in force. */
  get resources(): AnalysisResources {
    if (this.#resources === undefined) throw new Error("Analyzer used before its first load");
    return this.#resources;
  }

  /**
   * Re-read every file; parse what changed. All files must load for any change to take effect, so an editor's
   * half-saved file never leaves a mix of old and new data.
   */
  reload(): AnalyzerReloadResult {
    const taxonomyText = readText(this.taxonomyPath, "Taxonomy file");
    const lexiconFiles: LexiconSources = {
      positive: { text: readText(this.lexiconPaths.positive, "Sentiment lexicon"), source: this.lexiconPaths.positive },
      negative: { text: readText(this.lexiconPaths.negative, "Sentiment lexicon"), source: this.lexiconPaths.negative },
      negations: { text: readText(this.lexiconPaths.negations, "Sentiment lexicon"), source: this.lexiconPaths.negations },
      degrees: { text: readText(this.lexiconPaths.degrees, "Sentiment lexicon"), source: this.lexiconPaths.degrees },
    };
    const placesText = readText(this.ambiguousPlacesPath, "Ambiguous place-name list");
    const foreignText = readText(this.ambiguousForeignPath, "Ambiguous foreign place-name list");
    const actorsText = readText(this.foreignActorsPath, "Foreign actors list");
    const keys = {
      taxonomy: hash(taxonomyText),
      lexicon: hash(...Object.values(lexiconFiles).map((f: { text: string }) => f.text)),
      places: hash(placesText, foreignText, actorsText),
    };
    const previous = this.#resources;
    const taxonomy = previous && keys.taxonomy === this.#keys.taxonomy ? previous.taxonomy : parseTaxonomy(taxonomyText, this.taxonomyPath);
    const lexicon = previous && keys.lexicon === this.#keys.lexicon ? previous.lexicon : parseSentimentLexicon(lexiconFiles);
    const gazetteer =
      previous && keys.places === this.#keys.places
        ? previous.gazetteer
        : buildGazetteer(parseAmbiguousPlaceNames(placesText, this.ambiguousPlacesPath));
    const foreign =
      previous && gazetteer === previous.gazetteer
        ? previous.foreign
        : buildForeignGazetteer({
            ambiguous: parseAmbiguousPlaceNames(foreignText, this.ambiguousForeignPath),
            chinese: gazetteer,
            actors: parseForeignActors(actorsText, this.foreignActorsPath),
          });
    const changed = previous === undefined || taxonomy !== previous.taxonomy || lexicon !== previous.lexicon || gazetteer !== previous.gazetteer;
    this.#resources = { taxonomy, lexicon, gazetteer, foreign };
    this.#keys = keys;
    const c = lexicon.counts;
    return {
      topics: taxonomy.config.topics.length,
      categories: taxonomy.config.categories.length,
      lexiconWords: c.positive + c.negative + c.negations + c.degrees,
      ambiguousPlaces: parseAmbiguousPlaceNames(placesText, this.ambiguousPlacesPath).length,
      changed,
    };
  }
}

function hash(...texts: string[]): string {
  const h = createHash("sha256");
  for (const t of texts) h.update(t).update("\0");
  return h.digest("hex");
}
