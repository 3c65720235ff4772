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

/** What {@link rankKeywords} combines: the native extractor's CJK keywords and our own Latin/number tokens. */
export interface KeywordInput {
  /** Native TF-IDF output for the text (it splits Latin words, so its ASCII-only entries are ignored). */
  extracted: readonly Keyword[];
  /** The text's tokens with Latin words and numbers whole. */
  tokens: readonly string[];
  /** IDF used for words absent from the IDF table, as the native extractor uses it. */
  unknownIdf: number;
  isStopWord: (word: string) => boolean;
  topN: number;
  options?: KeywordOptions | undefined;
}

const ASCII_ONLY = /^[\x20-\x7e]+$/;

// Chinese numerals ("十二", "三十") are figures, not topics, like Arabic ones.
const CHINESE_NUMBER = /^[零〇一二两三四五六七八九十百千万亿]+$/;

function keep(word: string, input: KeywordInput): boolean {
  if ([...word].length < 2 || isPunctuation(word) || input.isStopWord(word)) return false;
  return input.options?.includeNumbers === true || !(isNumber(word) || CHINESE_NUMBER.test(word));
}

/**
 * Merge the native extractor's keywords with whole Latin words and numbers (weighted term count × unknown-word
 * IDF, exactly as the extractor weighs unknown words), drop stop words, single characters and punctuation,
 * and return the best `topN` in index form (lowercase), ties broken by word.
 */
export function rankKeywords(input: KeywordInput): Keyword[] {
  const weights = new Map<string, number>();
  for (const k of input.extracted) {
    const word = indexForm(k.word);
    if (ASCII_ONLY.test(word) || !keep(word, input)) continue;
    weights.set(word, (weights.get(word) ?? 0) + k.weight);
  }
  for (const token of input.tokens) {
    const word = indexForm(token);
    if (!ASCII_ONLY.test(word) || !keep(word, input)) continue;
    weights.set(word, (weights.get(word) ?? 0) + input.unknownIdf);
  }
  return [...weights]
    .map(([word, weight]) => ({ word, weight }))
    .sort((a, b) => b.weight - a.weight || (a.word < b.word ? -1 : a.word > b.word ? 1 : 0))
    .slice(0, Math.max(0, input.topN));
}
