import { indexForm, isPunctuation } from "./text.js";

interface Entry<T> {
  /** A whole phrase (else only a prefix of longer ones). */
  readonly phrase: boolean;
  readonly value: T | undefined;
  /** A proper prefix of some longer phrase. */
  readonly prefix: boolean;
}

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
  // Each phrase and each proper prefix of a phrase, in one map so a lookup step costs one hash probe: lookups stop as
  // soon as the text read so far can start no phrase.
  readonly #entries: ReadonlyMap<string, Entry<T>>;
  // 1 for each UTF-16 unit some phrase starts with: most tokens start none, and this answers without hashing.
  readonly #firstUnits = new Uint8Array(0x10000);
  readonly #size: number;
  readonly #maxTokens: number;

  constructor(entries: Iterable<readonly [string, T]>, maxTokens = 6) {
    const map = new Map<string, { phrase: boolean; value: T | undefined; prefix: boolean }>();
    let size = 0;
    for (const [phrase, value] of entries) {
      if (phrase === "") continue;
      const entry = map.get(phrase);
      if (entry === undefined || !entry.phrase) size++;
      if (entry === undefined) map.set(phrase, { phrase: true, value, prefix: false });
      else {
        entry.phrase = true;
        entry.value = value;
      }
      this.#firstUnits[phrase.charCodeAt(0)] = 1;
      for (let i = 1; i < phrase.length; i++) {
        const head = phrase.slice(0, i);
        const known = map.get(head);
        if (known === undefined) map.set(head, { phrase: false, value: undefined, prefix: true });
        else known.prefix = true;
      }
    }
    this.#entries = map;
    this.#size = size;
    this.#maxTokens = maxTokens;
  }

  /** False when no phrase starts with the UTF-16 unit `code` (a cheap test before slicing a token for lookups). */
  mayStart(code: number): boolean {
    return this.#firstUnits[code] === 1;
  }

  /** True when some phrase is longer than `text` and starts with it. */
  startsPhrase(text: string): boolean {
    return this.#entries.get(text)?.prefix === true;
  }

  /** Number of phrases. */
  get size(): number {
    return this.#size;
  }

  /** The value of a phrase given whole. */
  get(phrase: string): T | undefined {
    const entry = this.#entries.get(phrase);
    return entry?.phrase === true ? entry.value : undefined;
  }

  /** The longest phrase starting at token `start` (tokens already in index form), if any. */
  longestAt(tokens: readonly string[], start: number): PhraseMatch<T> | undefined {
    const first = tokens[start];
    if (first === undefined || this.#firstUnits[first.charCodeAt(0)] !== 1) return undefined;
    let joined = "";
    let best: PhraseMatch<T> | undefined;
    for (let end = start; end < tokens.length && end - start < this.#maxTokens; end++) {
      const token = tokens[end] ?? "";
      if (token === "") break;
      joined += token;
      const entry = this.#entries.get(joined);
      if (entry === undefined) break;
      const punctuation = isPunctuation(token);
      if (entry.phrase && entry.value !== undefined && !punctuation) best = { start, end: end + 1, phrase: joined, value: entry.value };
      if (!entry.prefix || punctuation) break;
    }
    return best;
  }

  /**
   * Every phrase occurrence, leftmost-longest and non-overlapping. Tokens in any form; matched in index form.
   * With `insideTokens`, a token that is no phrase is also searched for phrases of two or more characters inside
   * it ("发生爆炸" → 爆炸), for compounds the segmenter keeps whole.
   */
  findAll(tokens: readonly string[], options: { insideTokens?: boolean } = {}): PhraseMatch<T>[] {
    return this.findAllIndexed(tokens.map(indexForm), options);
  }

  /** {@link findAll} of tokens already in index form (`indexForm` of each): saves normalising them again. */
  findAllIndexed(normalized: readonly string[], options: { insideTokens?: boolean } = {}): PhraseMatch<T>[] {
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
      if (this.#firstUnits[token.charCodeAt(from)] !== 1) {
        from++;
        continue;
      }
      let longest: PhraseMatch<T> | undefined;
      for (let to = from + 1; to <= token.length; to++) {
        const phrase = token.slice(from, to);
        const entry = this.#entries.get(phrase);
        if (entry === undefined) break;
        if (to - from >= 2 && entry.phrase && entry.value !== undefined) longest = { start: at, end: at + 1, phrase, value: entry.value };
        if (!entry.prefix) break;
      }
      if (longest) {
        out.push(longest);
        from += longest.phrase.length;
      } else from++;
    }
    return out;
  }
}
