import type { IdfTable } from "./jieba.js";
import { indexForm, isNumber, isPunctuation } from "./text.js";

/** A weighted keyword (TF-IDF). */
export interface Keyword {
  word: string;
  weight: number;
}

/** Options of keyword extraction. */
export interface KeywordOptions {
  /** Keep pure numbers ("24", "1.2", "3.5%", "十二") as keywords; off by default since figures are not topics. */
  includeNumbers?: boolean;
}

/** What {@link rankKeywords} weighs: the text's own tokens and jieba's IDF table. */
export interface KeywordInput {
  /** The text's precise-mode tokens (half-width, Latin words and numbers whole), punctuation and stop words included. */
  tokens: readonly string[];
  /** IDF by word; absent words (and every Latin word or number) get its average. */
  idf: IdfTable;
  isStopWord: (word: string) => boolean;
  topN: number;
  options?: KeywordOptions | undefined;
}

function isAsciiOnly(word: string): boolean {
  for (let i = 0; i < word.length; i++) {
    const c = word.charCodeAt(i);
    if (c < 0x20 || c > 0x7e) return false;
  }
  return word.length > 0;
}

// Chinese numerals ("十二", "三十") are figures, not topics, like Arabic ones.
const CHINESE_NUMERALS = "零〇一二两三四五六七八九十百千万亿";
const CHINESE_NUMBER = new RegExp(`^[${CHINESE_NUMERALS}]+$`);

function keep(word: string, input: KeywordInput): boolean {
  // One character, counting a surrogate pair (an emoji) as one.
  if (word.length < 2 || (word.length === 2 && (word.charCodeAt(0) & 0xfc00) === 0xd800)) return false;
  if (input.isStopWord(word) || isPunctuation(word)) return false;
  if (input.options?.includeNumbers === true) return true;
  const c = word.charCodeAt(0);
  return !((c >= 0x30 && c <= 0x39 && isNumber(word)) || (CHINESE_NUMERALS.includes(word[0]!) && CHINESE_NUMBER.test(word)));
}

/**
 * TF-IDF keywords of a tokenised text, as jieba's extractor weighs them (term count × IDF, the table's average for
 * words it lacks), with Latin words and numbers counted whole at the average IDF; stop words, single characters and
 * punctuation dropped; the best `topN` in index form (lowercase), ties broken by word.
 * @example rankKeywords({ tokens: seg.segments(text), idf, isStopWord: (w) => seg.isStopWord(w), topN: 5 })
 */
export function rankKeywords(input: KeywordInput): Keyword[] {
  if (input.topN <= 0) return [];
  // Count first, then weigh each distinct word once: most tokens repeat or are filtered out.
  const counts = new Map<string, number>();
  for (const token of input.tokens) {
    // Single characters (most punctuation and function words) are never keywords; indexForm keeps lengths.
    if (token.length > 1) counts.set(token, (counts.get(token) ?? 0) + 1);
  }
  const weights = new Map<string, number>();
  for (const [token, count] of counts) {
    const word = indexForm(token);
    if (!keep(word, input)) continue;
    // The IDF table is keyed by the token as cut (CJK words have no case); Latin words are never looked up.
    const idf = isAsciiOnly(word) ? input.idf.average : (input.idf.get(token) ?? input.idf.average);
    weights.set(word, (weights.get(word) ?? 0) + count * idf);
  }
  // The best topN by insertion into a short sorted list: most words lose to the list's last one at once, where sorting
  // every word (~100 a post) cost more than the rest of the ranking.
  const best: Keyword[] = [];
  for (const [word, weight] of weights) {
    if (best.length === input.topN && !before(word, weight, best[best.length - 1]!)) continue;
    let at = best.length;
    while (at > 0 && before(word, weight, best[at - 1]!)) at--;
    best.splice(at, 0, { word, weight });
    if (best.length > input.topN) best.pop();
  }
  return best;
}

/** Heavier first, ties by word (code-unit order). */
function before(word: string, weight: number, other: Keyword): boolean {
  return weight > other.weight || (weight === other.weight && word < other.word);
}
