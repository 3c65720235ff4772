// The only module that touches the native segmenter (@node-rs/jieba, a binding of jieba-rs), so replacing it changes
// one file. It replaced nodejieba, whose load() builds a second copy of the dictionary trie and HMM model for a
// TextRank extractor nothing used (~260 MB per process against ~50 MB here) and whose cut is about half as fast.
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { Jieba } from "@node-rs/jieba";

const require = createRequire(import.meta.url);

/** The jieba data files shipped with the native package (jieba's own dictionary and IDF table). */
function dataFile(name: "dict.txt" | "idf.txt"): Buffer {
  return readFileSync(require.resolve(`@node-rs/jieba/${name}`));
}

/** A word of the user dictionary as the engine needs it (a word without a frequency gets the dictionary's median). */
export interface EngineWord {
  word: string;
  freq?: number | undefined;
  tag?: string | undefined;
}

/** A loaded segmentation engine: jieba's dictionary plus one user dictionary. */
export interface JiebaEngine {
  /** Precise-mode segmentation with HMM recognition of unknown words (names, new words). */
  cut(text: string): string[];
  /** Search-mode segmentation: precise mode plus the shorter dictionary words inside long words. */
  cutForSearch(text: string): string[];
}

// One engine per distinct user dictionary, shared by the segmenters that use it; the latest load only, so a reload
// with changed words releases the old engine once no segmenter holds it.
let cached: { key: string; engine: JiebaEngine } | undefined;
let medianFreq: number | undefined;

/** The median word frequency of jieba's dictionary: what the former native engine gave user words listed without one. */
function dictionaryMedianFreq(dict: Buffer): number {
  if (medianFreq !== undefined) return medianFreq;
  const freqs: number[] = [];
  for (const line of dict.toString("utf8").split("\n")) {
    const freq = Number(line.split(" ")[1]);
    if (Number.isFinite(freq) && freq > 0) freqs.push(freq);
  }
  freqs.sort((a, b) => a - b);
  medianFreq = freqs[Math.floor(freqs.length / 2)] ?? 1;
  return medianFreq;
}

/**
 * The engine with jieba's dictionary and `userWords` on top (later words win), built once per `key` (about half a
 * second) and shared.
 */
export function loadEngine(key: string, userWords: readonly EngineWord[]): JiebaEngine {
  if (cached?.key === key) return cached.engine;
  const dict = dataFile("dict.txt");
  const jieba = Jieba.withDict(dict);
  if (userWords.length > 0) {
    const needsMedian = userWords.some((w) => w.freq === undefined);
    const median = needsMedian ? dictionaryMedianFreq(dict) : 0;
    jieba.loadDict(Buffer.from(userWords.map((w) => `${w.word} ${w.freq ?? median} ${w.tag ?? "x"}`).join("\n")));
  }
  const join = crossBlockJoiner(userWords.map((w) => w.word));
  const engine: JiebaEngine = join
    ? { cut: (text) => join(text, jieba.cut(text, true)), cutForSearch: (text) => join(text, jieba.cutForSearch(text, true)) }
    : { cut: (text) => jieba.cut(text, true), cutForSearch: (text) => jieba.cutForSearch(text, true) };
  cached = { key, engine };
  return engine;
}

// jieba (Python and Rust) first splits text into blocks of these characters and cuts each block alone, so a
// dictionary word with any other character ("Ⅳ级") can never come out whole: the pieces are joined back afterwards.
const BLOCK_CHAR = /[\u4E00-\u9FD5a-zA-Z0-9+#&._%-]/u;

/**
 * A function that joins adjacent pieces spelling a user word the engine's block splitting cuts apart, or undefined
 * when no user word needs it. Runs only on texts containing one of those words' out-of-block characters.
 */
function crossBlockJoiner(words: readonly string[]): ((text: string, pieces: string[]) => string[]) | undefined {
  const targets = [...new Set(words.filter((w) => [...w].some((ch) => !BLOCK_CHAR.test(ch))))].sort((a, b) => b.length - a.length);
  if (targets.length === 0) return undefined;
  const odd = new Set(targets.flatMap((w) => [...w].filter((ch) => !BLOCK_CHAR.test(ch))));
  const mayNeed = (text: string): boolean => {
    for (const ch of odd) if (text.includes(ch)) return true;
    return false;
  };
  return (text, pieces) => {
    if (!mayNeed(text)) return pieces;
    const out: string[] = [];
    for (let i = 0; i < pieces.length; i++) {
      const piece = pieces[i]!;
      let joined: string | undefined;
      let last = i;
      for (const target of targets) {
        if (target.length <= piece.length || !target.startsWith(piece)) continue;
        let acc = piece;
        let j = i;
        while (acc.length < target.length && j + 1 < pieces.length) acc += pieces[++j]!;
        if (acc === target) {
          joined = target;
          last = j;
          break;
        }
      }
      out.push(joined ?? piece);
      i = last;
    }
    return out;
  };
}

/** jieba's IDF table (idf.txt), for TF-IDF keywords computed from tokens already cut. */
export interface IdfTable {
  get(word: string): number | undefined;
  /** The IDF of a word absent from the table: the table's mean, as jieba's C++ extractor used. */
  readonly average: number;
}

let idf: IdfTable | undefined;

/** FNV-1a over UTF-16 units of `text[start, end)`. */
function hashOf(text: string, start: number, end: number): number {
  let h = 0x811c9dc5;
  for (let i = start; i < end; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193);
  return h >>> 0;
}

/**
 * The IDF table, read on first use and then kept (one per process). Packed (one string of all words, typed arrays of
 * offsets, values and an open-addressing index: ~7 MB) rather than a Map of 270,000 entries (~35 MB of heap).
 */
export function idfTable(): IdfTable {
  if (idf !== undefined) return idf;
  const words: string[] = [];
  const values: number[] = [];
  for (const line of dataFile("idf.txt").toString("utf8").split("\n")) {
    const space = line.lastIndexOf(" ");
    if (space <= 0) continue;
    const value = Number(line.slice(space + 1));
    if (!Number.isFinite(value)) continue;
    words.push(line.slice(0, space));
    values.push(value);
  }
  const all = words.join("");
  const offsets = new Uint32Array(words.length + 1);
  for (let i = 0; i < words.length; i++) offsets[i + 1] = offsets[i]! + words[i]!.length;
  const idfs = Float64Array.from(values);
  let capacity = 1;
  while (capacity < words.length * 2) capacity *= 2;
  const mask = capacity - 1;
  // Slot value: 1 + index of the word; 0 is empty. A word listed twice keeps its last value, as a Map would.
  const slots = new Int32Array(capacity);
  const sameWord = (index: number, word: string, start: number, end: number): boolean => {
    const from = offsets[index]!;
    if (offsets[index + 1]! - from !== end - start) return false;
    for (let k = 0; k < end - start; k++) if (all.charCodeAt(from + k) !== word.charCodeAt(start + k)) return false;
    return true;
  };
  const find = (word: string, start: number, end: number): number => {
    let slot = hashOf(word, start, end) & mask;
    for (;;) {
      const entry = slots[slot]!;
      if (entry === 0 || sameWord(entry - 1, word, start, end)) return slot;
      slot = (slot + 1) & mask;
    }
  };
  for (let i = 0; i < words.length; i++) slots[find(all, offsets[i]!, offsets[i + 1]!)] = i + 1;
  const sum = values.reduce((a, b) => a + b, 0);
  idf = {
    get: (word) => {
      const entry = slots[find(word, 0, word.length)]!;
      return entry === 0 ? undefined : idfs[entry - 1];
    },
    average: words.length === 0 ? 0 : sum / words.length,
  };
  return idf;
}
