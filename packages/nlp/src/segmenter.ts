import { parse as parseYaml } from "yaml";
import { JurisdictionFile } from "./jurisdiction.js";
import { createHash } from "node:crypto";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { defaultConfigDir } from "@liaowang/config";
import { LiaowangError, invalidInput } from "@liaowang/errors";
import { mergeAsciiRuns } from "./ascii-runs.js";
import { formatUserDict, parseStopWords, parseUserDict } from "./dictionary.js";
import type { UserWord } from "./dictionary.js";
import { idfTable, loadEngine } from "./jieba.js";
import type { JiebaEngine } from "./jieba.js";
import { rankKeywords } from "./keywords.js";
import { divisionNames } from "./regions.js";
import type { Keyword, KeywordOptions } from "./keywords.js";
import { indexForm, isPunctuation, isWhitespace, normalizeForEngine } from "./text.js";

/** Where the segmenter's dictionaries come from. */
export interface SegmenterOptions {
  /** Config directory holding `dict/user.dict.txt` and `dict/stopwords.txt` (LIAOWANG_CONFIG_DIR); default: the repo's. */
  configDir?: string | undefined;
  /** Overrides `<configDir>/dict/user.dict.txt`. */
  userDictPath?: string | undefined;
  /** Overrides `<configDir>/dict/stopwords.txt`. */
  stopWordsPath?: string | undefined;
  /**
   * Add the full names of China's provinces, cities and counties (from the division package) to the user
   * dictionary, below any entry of the same word in the file. Default true.
   */
  placeNames?: boolean | undefined;
  /**
   * Local entities of the jurisdiction (parks, plants, schools, companies) kept whole, below any entry of the same
   * word in the file. Default: `entities` of `<configDir>/jurisdiction.yaml`.
   */
  entities?: readonly string[] | undefined;
}

// Low enough that a name never beats a common word pair ("河东/区域", not "河东区/域"), high enough to keep it whole.
const PLACE_NAME_FREQ = 800;

/** What a reload found: word counts, and whether anything changed (unchanged files skip the engine rebuild). */
export interface ReloadResult {
  userWords: number;
  stopWords: number;
  changed: boolean;
}

function jurisdictionEntities(path: string): string[] {
  if (!existsSync(path)) return [];
  const parsed = JurisdictionFile.safeParse(parseYaml(readFileSync(path, "utf8")));
  if (!parsed.success) throw invalidInput(`Invalid config file ${path}: ${parsed.error.issues.map((i) => `${i.path.join(".") || "(root)"}: ${i.message}`).join("; ")}`);
  return parsed.data.entities;
}

function readDictionaryFile(path: string): string {
  if (!existsSync(path)) throw invalidInput(`Dictionary file ${path} does not exist`);
  return readFileSync(path, "utf8");
}

/**
 * Chinese segmentation with the project's user dictionary and stop words. Latin words, numbers, decimals and
 * percentages stay whole ("COVID-19", "1.2", "24"), full-width letters and digits are read as half-width.
 * The engine (jieba's dictionary plus ours, ~35 MB native) is built on first use, not by the constructor, so a process that
 * holds a segmenter it rarely needs (the api, for text queries) stays small until then; segmenters with the same
 * dictionaries share one engine.
 * @example const seg = createSegmenter(); seg.cut("国务院办公厅印发通知") // ["国务院办公厅", "印发", "通知"]
 */
export class Segmenter {
  /** The user dictionary file (jieba format). */
  readonly userDictPath: string;
  /** The stop-word file (one word per line). */
  readonly stopWordsPath: string;
  #key = "";
  #userWords: readonly UserWord[] = [];
  #engine: JiebaEngine | undefined;
  #stopWords: ReadonlySet<string> = new Set();
  readonly #placeNames: readonly string[];
  readonly #entities: readonly string[];
  // Made once, not per document: tsx (esbuild keepNames) wraps each function made in an object literal in __name.
  readonly #isStopWordIndexed = (word: string): boolean => this.#stopWords.has(word);

  constructor(options: SegmenterOptions = {}) {
    const dictDir = join(options.configDir ?? defaultConfigDir, "dict");
    this.#entities = options.entities ?? jurisdictionEntities(join(options.configDir ?? defaultConfigDir, "jurisdiction.yaml"));
    this.userDictPath = options.userDictPath ?? join(dictDir, "user.dict.txt");
    this.stopWordsPath = options.stopWordsPath ?? join(dictDir, "stopwords.txt");
    this.#placeNames = options.placeNames === false ? [] : divisionNames();
    this.reload();
  }

  /**
   * Re-read both dictionary files. An invalid file throws and leaves the previous dictionaries in force. When the
   * words changed, the engine is rebuilt (a second or two) if it was in use, else on its next use.
   */
  reload(): ReloadResult {
    const userWords = parseUserDict(readDictionaryFile(this.userDictPath), this.userDictPath);
    const stopWords = parseStopWords(readDictionaryFile(this.stopWordsPath), this.stopWordsPath);
    const listed = new Set(userWords.map((w) => w.word));
    const places = [...new Set([...this.#placeNames, ...this.#entities])].filter((name) => !listed.has(name)).map((word) => ({ word, freq: PLACE_NAME_FREQ, tag: "ns" }));
    const words = [...places, ...userWords];
    const stopText = stopWords.join("\n");
    const key = createHash("sha256").update(formatUserDict(words)).update("\0").update(stopText).digest("hex");
    const changed = key !== this.#key;
    if (changed) {
      const wasLoaded = this.#engine !== undefined;
      this.#engine = undefined;
      this.#key = key;
      this.#userWords = words;
      this.#stopWords = new Set(stopWords);
      if (wasLoaded) this.#engineInUse();
    }
    return { userWords: userWords.length, stopWords: stopWords.length, changed };
  }

  /**
   * Load everything now rather than on first use (the engine, the IDF table and the search-mode word set), so a
   * service that segments from its first message does not pay for it in its first batch.
   */
  warm(): this {
    this.#engineInUse().searchPieces([]);
    idfTable();
    return this;
  }

  /** True when `word` (any case or width) is a stop word. */
  isStopWord(word: string): boolean {
    return this.#stopWords.has(indexForm(word));
  }

  /**
   * Every segment of the text, whitespace included, as slices of the original: joining them restores `text`.
   * @example seg.segments("约1.2亿元 损失") // ["约", "1.2", "亿元", " ", "损失"]
   */
  segments(text: string): string[] {
    const normalized = normalizeForEngine(text);
    const pieces = this.#cutNormalized(normalized);
    // Normalisation keeps every UTF-16 length, so when it changed nothing the pieces are the original's slices.
    if (normalized === text) return pieces;
    const out: string[] = [];
    let offset = 0;
    for (const piece of pieces) {
      out.push(text.slice(offset, offset + piece.length));
      offset += piece.length;
    }
    return out;
  }

  /** Precise-mode tokens with whitespace dropped (punctuation kept), as the `segment` CLI prints them. */
  cut(text: string): string[] {
    const segments = this.segments(text);
    // Hot path: most texts have no whitespace segment, and then the segments are handed back as they are.
    let i = 0;
    while (i < segments.length && !isWhitespace(segments[i]!)) i++;
    if (i === segments.length) return segments;
    const out = segments.slice(0, i);
    for (i++; i < segments.length; i++) if (!isWhitespace(segments[i]!)) out.push(segments[i]!);
    return out;
  }

  /**
   * Content tokens for indexing and analysis: precise mode, half-width, Latin lowercased, without stop words,
   * punctuation or whitespace.
   * @example seg.tokensForIndex("COVID-19的防控") // ["covid-19", "防控"]
   */
  tokensForIndex(text: string): string[] {
    return this.contentTokens(this.segments(text));
  }

  /**
   * The content tokens of already computed segments, as {@link tokensForIndex} gives them (saves a second cut).
   * @example seg.contentTokens(seg.segments("COVID-19的防控")) // ["covid-19", "防控"]
   */
  contentTokens(segments: readonly string[]): string[] {
    const out: string[] = [];
    for (const segment of segments) {
      const token = indexForm(segment);
      if (!this.#stopWords.has(token) && !isPunctuation(token)) out.push(token);
    }
    return out;
  }

  /**
   * Search-mode tokens (precise tokens plus the dictionary words inside long ones), filtered like
   * {@link tokensForIndex}: for queries, and for a document's partial-word search terms.
   * @example seg.cutForSearch("国务院办公厅") // ["国务", "办公", "国务院", "办公厅", "国务院办公厅", ...]
   */
  cutForSearch(text: string): string[] {
    if (text === "") return [];
    return this.#search(this.#cutNormalized(normalizeForEngine(text)));
  }

  /**
   * {@link cutForSearch} of a text whose {@link segments} are already known (saves cutting it again): the same result.
   * @example const segs = seg.segments(text); seg.cutForSearchOfSegments(text, segs)
   */
  cutForSearchOfSegments(text: string, segments: readonly string[]): string[] {
    if (text === "") return [];
    const pieces = this.#normalizedSegments(text, segments);
    return pieces === undefined ? this.cutForSearch(text) : this.#search(pieces);
  }

  #search(pieces: readonly string[]): string[] {
    return this.contentTokens(this.#engineInUse().searchPieces(pieces));
  }

  /**
   * TF-IDF keywords (jieba's IDF table), best first, in index form; stop words, single characters, punctuation
   * and (unless asked) pure numbers excluded; user-dictionary words and Latin words count whole.
   * @example seg.keywords("国务院办公厅发布政务舆情回应通知", 3)
   */
  keywords(text: string, topN = 10, options?: KeywordOptions): Keyword[] {
    if (text === "" || topN <= 0) return [];
    return this.#rank(this.#cutNormalized(normalizeForEngine(text)), topN, options);
  }

  /**
   * {@link keywords} of a text whose {@link segments} are already known (saves cutting it again): the same result.
   * @example const segs = seg.segments(text); seg.keywordsOfSegments(text, segs, 20)
   */
  keywordsOfSegments(text: string, segments: readonly string[], topN = 10, options?: KeywordOptions): Keyword[] {
    if (text === "" || topN <= 0) return [];
    const pieces = this.#normalizedSegments(text, segments);
    return pieces === undefined ? this.keywords(text, topN, options) : this.#rank(pieces, topN, options);
  }

  /** The segments as pieces of the normalised text, or undefined when they do not cover `text`. */
  #normalizedSegments(text: string, segments: readonly string[]): readonly string[] | undefined {
    let length = 0;
    for (const segment of segments) length += segment.length;
    if (length !== text.length) return undefined;
    const normalized = normalizeForEngine(text);
    if (normalized === text) return segments;
    // Normalisation keeps every UTF-16 length, so the segments' lengths cut the normalised text the same way.
    const pieces: string[] = [];
    let offset = 0;
    for (const segment of segments) {
      pieces.push(normalized.slice(offset, offset + segment.length));
      offset += segment.length;
    }
    return pieces;
  }

  #rank(tokens: readonly string[], topN: number, options: KeywordOptions | undefined): Keyword[] {
    return rankKeywords({ tokens, idf: idfTable(), isStopWord: this.#isStopWordIndexed, topN, options });
  }

  #engineInUse(): JiebaEngine {
    this.#engine ??= loadEngine(this.#key, this.#userWords);
    return this.#engine;
  }

  #cutNormalized(normalized: string): string[] {
    if (normalized === "") return [];
    const pieces = this.#engineInUse().cut(normalized);
    // Slicing the original by piece lengths relies on the pieces covering the text; never hand out silently
    // misaligned tokens. Lengths suffice: valid UTF-16 (lone surrogates are replaced by normalizeForEngine) comes
    // back from the native UTF-8 round trip unchanged, so what could go wrong is characters lost, which changes the
    // total. The same pass notes whether any piece starts with ASCII: only then can there be a run to re-join.
    let length = 0;
    let ascii = false;
    for (let i = 0; i < pieces.length; i++) {
      const piece = pieces[i]!;
      length += piece.length;
      if (piece.charCodeAt(0) < 0x80) ascii = true;
    }
    if (length !== normalized.length) {
      throw new LiaowangError("internal", `Segmenter lost or added characters of a ${normalized.length}-character text`);
    }
    // Re-joining keeps the concatenation, so the check above holds for its output too.
    return ascii ? mergeAsciiRuns(pieces) : pieces;
  }
}

/** Create the production segmenter (dictionaries under `<configDir>/dict`). */
export function createSegmenter(options: SegmenterOptions = {}): Segmenter {
  return new Segmenter(options);
}
