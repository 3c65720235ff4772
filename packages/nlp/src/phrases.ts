import { indexForm, isPunctuation } from "./text.js";

/** A phrase found in a token sequence: tokens [start, end) joined make `phrase`. */
export interface PhraseMatch<T> {
  start: number;
  end: number;
  phrase: string;
  value: T;
}

/**
 * Phrases (in index form) looked up on token boundaries: a phrase matches a token or a run of consecutive tokens,
 * never part of a token, so "江西" is not found in "浙江/西部" and a dictionary word split by the segmenter
 * ("没人/管") is still found.
 * @example new PhraseIndex([["没人管", -1]]).longestAt(["没人", "管"], 0) // { start: 0, end: 2, phrase: "没人管", value: -1 }
 */
export class PhraseIndex<T> {
  readonly #phrases: ReadonlyMap<string, T>;
  readonly #maxChars: number;
  readonly #maxTokens: number;

  constructor(entries: Iterable<readonly [string, T]>, maxTokens = 6) {
    const phrases = new Map<string, T>();
    for (const [phrase, value] of entries) if (phrase !== "") phrases.set(phrase, value);
    this.#phrases = phrases;
    this.#maxChars = Math.max(0, ...[...phrases.keys()].map((p) => p.length));
    this.#maxTokens = maxTokens;
  }

  /** Number of phrases. */
  get size(): number {
    return this.#phrases.size;
  }

  /** The value of a phrase given whole. */
  get(phrase: string): T | undefined {
    return this.#phrases.get(phrase);
  }

  /** The longest phrase starting at token `start` (tokens already in index form), if any. */
  longestAt(tokens: readonly string[], start: number): PhraseMatch<T> | undefined {
    let joined = "";
    let best: PhraseMatch<T> | undefined;
    for (let end = start; end < tokens.length && end - start < this.#maxTokens; end++) {
      const token = tokens[end] ?? "";
      if (token === "" || isPunctuation(token)) break;
      joined += token;
      if (joined.length > this.#maxChars) break;
      const value = this.#phrases.get(joined);
      if (value !== undefined) best = { start, end: end + 1, phrase: joined, value };
    }
    return best;
  }

  /** Every phrase occurrence, leftmost-longest and non-overlapping. Tokens in any form; matched in index form. */
  findAll(tokens: readonly string[]): PhraseMatch<T>[] {
    const normalized = tokens.map(indexForm);
    const out: PhraseMatch<T>[] = [];
    for (let i = 0; i < normalized.length; ) {
      const match = this.longestAt(normalized, i);
      if (match) {
        out.push(match);
        i = match.end;
      } else i++;
    }
    return out;
  }
}
