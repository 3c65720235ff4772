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
  // Every proper prefix of every phrase: lookups stop as soon as the text read so far can start no phrase.
  readonly #prefixes: ReadonlySet<string>;
  readonly #maxTokens: number;

  constructor(entries: Iterable<readonly [string, T]>, maxTokens = 6) {
    const phrases = new Map<string, T>();
    const prefixes = new Set<string>();
    for (const [phrase, value] of entries) {
      if (phrase === "") continue;
      phrases.set(phrase, value);
      for (let i = 1; i < phrase.length; i++) prefixes.add(phrase.slice(0, i));
    }
    this.#phrases = phrases;
    this.#prefixes = prefixes;
    this.#maxTokens = maxTokens;
  }

  /** True when some phrase is longer than `text` and starts with it. */
  startsPhrase(text: string): boolean {
    return this.#prefixes.has(text);
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
      if (token === "") break;
      joined += token;
      const value = this.#phrases.get(joined);
      if (value !== undefined && !isPunctuation(token)) best = { start, end: end + 1, phrase: joined, value };
      if (!this.#prefixes.has(joined) || isPunctuation(token)) break;
    }
    return best;
  }

  /**
   * Every phrase occurrence, leftmost-longest and non-overlapping. Tokens in any form; matched in index form.
   * With `insideTokens`, a token that is no phrase is also searched for phrases of two or more characters inside
   * it ("发生爆炸" → 爆炸), for compounds the segmenter keeps whole.
   */
  findAll(tokens: readonly string[], options: { insideTokens?: boolean } = {}): PhraseMatch<T>[] {
    const normalized = tokens.map(indexForm);
    const out: PhraseMatch<T>[] = [];
    for (let i = 0; i < normalized.length; ) {
      const match = this.longestAt(normalized, i);
      if (match) {
        out.push(match);
        i = match.end;
        continue;
      }
      if (options.insideTokens === true) out.push(...this.#inside(normalized[i] ?? "", i));
      i++;
    }
    return out;
  }

  #inside(token: string, at: number): PhraseMatch<T>[] {
    const out: PhraseMatch<T>[] = [];
    if (token.length < 3 || isPunctuation(token)) return out;
    for (let from = 0; from < token.length - 1; ) {
      let longest: PhraseMatch<T> | undefined;
      for (let to = from + 1; to <= token.length; to++) {
        const phrase = token.slice(from, to);
        const value = to - from >= 2 ? this.#phrases.get(phrase) : undefined;
        if (value !== undefined) longest = { start: at, end: at + 1, phrase, value };
        if (!this.#prefixes.has(phrase)) break;
      }
      if (longest) {
        out.push(longest);
        from += longest.phrase.length;
      } else from++;
    }
    return out;
  }
}
