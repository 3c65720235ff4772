import { indexForm, isPunctuation } from "./text.js";

interface Entry<T> {
  /** A whole phrase (else only a prefix of longer ones). */
  readonly phrase: boolean;
  readonly value: T | undefined;
  /** A proper prefix of some longer phrase. */
  readonly prefix: boolean;
}

const PAIR_BITS = 1 << 20;

/** The bit of a pair of UTF-16 units in a phrase index's pair filter. */
function pairBit(first: number, second: number): number {
  return (Math.imul(first, 0x9e3779b1) ^ Math.imul(second, 0x85ebca6b)) >>> 12;
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
  // One bit for each pair of first two UTF-16 units some phrase starts with (hashed into 2^20 bits, 128 KB): a token
  // of two units or more whose pair is unmarked starts no phrase, answered without a probe of the (large) map.
  readonly #pairs = new Int32Array(PAIR_BITS >>> 5);
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
      if (phrase.length >= 2) {
        const bit = pairBit(phrase.charCodeAt(0), phrase.charCodeAt(1));
        this.#pairs[bit >>> 5]! |= 1 << (bit & 31);
      }
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

  #startsPair(first: number, second: number): boolean {
    const bit = pairBit(first, second);
    return (this.#pairs[bit >>> 5]! & (1 << (bit & 31))) !== 0;
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
    if (first.length >= 2 && !this.#startsPair(first.charCodeAt(0), first.charCodeAt(1))) return undefined;
    let joined = "";
    let best: PhraseMatch<T> | undefined;
    for (let end = start; end < tokens.length && end - start < this.#maxTokens; end++) {
      const token = tokens[end] ?? "";
      if (token === "") break;
      // A one-unit start joined with the next token: its first two units must be a marked pair (checked before
      // making the joined string).
      if (end > start && joined.length === 1 && !this.#startsPair(joined.charCodeAt(0), token.charCodeAt(0))) break;
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
      if (options.insideTokens === true) this.#inside(normalized[i] ?? "", i, out);
      i++;
    }
    return out;
  }

  /** Push the phrases inside `token` (the token at `at`) onto `out`. */
  #inside(token: string, at: number, out: PhraseMatch<T>[]): void {
    if (token.length < 3 || isPunctuation(token)) return;
    for (let from = 0; from < token.length - 1; ) {
      // Only phrases of two or more units count inside a token: their first two units must be a marked pair.
      if (this.#firstUnits[token.charCodeAt(from)] !== 1 || !this.#startsPair(token.charCodeAt(from), token.charCodeAt(from + 1))) {
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
  }
}
